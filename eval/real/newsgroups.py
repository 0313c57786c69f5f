"""Real hard-wrapped text for issue 13: the 200 Usenet posts (alt.atheism, sci.space, 1993) that
gensim ships as a pickled scikit-learn `Bunch` in `gensim/test/test_data/mini_newsgroup`.

Nothing of it is committed: the posts are read from the installed package at run time. Two
sets are built from the post bodies (headers dropped, text otherwise as posted: hard-wrapped
at 60-80 columns, blank-line paragraphs, `>` quotes, signatures):

- **post dumps** (article splitting): 8 posts of a split in a row, each as its subject line
  (one leading `Re: ` removed, as a headline) then a blank line and its body; posts apart by a
  blank line. Gold: the line where each post starts. Scored like the Lee dumps.
- **summaries** (sentences on wrapped text): each post body alone through normalise ->
  splitter (sentences) -> summarise (`news`, 3 sentences). A summary sentence *starts
  mid-sentence* when the text before it (spaces and single line breaks skipped) ends in a
  letter, digit or comma - a sentence never ends there - rather than at the start of the
  text, a blank line or a `>` quote line, or after sentence-final punctuation, a closing
  quote or bracket, a colon or a dash; and, where it opens a line, its first word is in
  lower case (a capital or a list marker after an unpunctuated line starts a sentence).

Split: a post is dev when the first byte of the SHA-1 of `ng:<filename>` is below 128.
"""

import hashlib
import io
import pickle
import re
from pathlib import Path

POSTS_PER_DUMP = 8


class _Bunch(dict):
    def __setstate__(self, state):
        self.update(state)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if name == "Bunch":  # sklearn.datasets.base.Bunch: a dict with attribute access
            return _Bunch
        return super().find_class(module, name)


def split_of(key):
    return "dev" if hashlib.sha1(key.encode()).digest()[0] < 128 else "test"


def posts():
    """[(key, split, subject, body)] in the package's order."""
    import zlib
    import gensim

    path = Path(gensim.__file__).parent / "test" / "test_data" / "mini_newsgroup"
    bunch = _Unpickler(io.BytesIO(zlib.decompress(path.read_bytes())), encoding="latin1").load()
    out = []
    for raw, fname in zip(bunch["data"], bunch["filenames"]):
        head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
        m = re.search(r"^Subject:[ \t]*(.*)$", head, re.M)
        subject = re.sub(r"^(?:Re:\s*)", "", m.group(1).strip(), flags=re.I) if m else ""
        body = body.strip("\n")
        if not subject or len(body.split()) < 5:
            continue
        key = "ng:" + Path(str(fname)).parent.name + "/" + Path(str(fname)).name
        out.append((key, split_of(key), subject, body))
    return out


def build_post_dumps(out_dir, items):
    """Writes the dumps; returns {(split, name): [start line of each post]}."""
    meta = {}
    for split in ["dev", "test"]:
        group = [p for p in items if p[1] == split]
        for n, i in enumerate(range(0, len(group), POSTS_PER_DUMP)):
            chunk = group[i:i + POSTS_PER_DUMP]
            if len(chunk) < 2:
                continue
            lines, starts = [], []
            for j, (_, _, subject, body) in enumerate(chunk):
                if j:
                    lines.append("")
                starts.append(len(lines))
                lines.append(subject)
                lines.append("")
                lines.extend(body.split("\n"))
            d = out_dir / split
            d.mkdir(parents=True, exist_ok=True)
            name = f"{split}-{n:03d}.txt"
            (d / name).write_text("\n".join(lines) + "\n")
            meta[(split, name)] = starts
    return meta


SUMMARY_CONFIG = """[input]
format = "jsonl"
[[stage]]
type = "normalise"
[[stage]]
type = "splitter"
unit = "sentences"
[[stage]]
type = "summarise"
method = "news"
sentences = 3
"""

_SENTENCE_END = set(".!?:;\u2026\"')]}\u201d\u2019-\u2013\u2014*>|")


def starts_mid_sentence(text, start):
    """True when a sentence taken from `text` at byte-free char offset `start` begins inside a
    sentence of the source (see the module doc)."""
    i = start
    newlines = 0
    while i > 0 and text[i - 1] in " \t\r\n":
        newlines += text[i - 1] == "\n"
        i -= 1
    if i == 0 or newlines >= 2:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].lstrip().startswith(">"):
        return False
    # At a line start only a lower-case first word continues the line before (after quote
    # marks); a capital or a list marker after an unpunctuated line (a heading, a name, a
    # signature line) starts a sentence of its own.
    if newlines == 1 and not text[start:].lstrip(" \t>|:}").startswith(tuple("abcdefghijklmnopqrstuvwxyz")):
        return False
    prev = text[i - 1]
    return prev not in _SENTENCE_END


def eval_posts(run_docpipe, dump_config, f1, byte_to_char, out, errors):
    """Returns ({split: article start F1}, {split: (mid-sentence summaries, summaries)}, counts)."""
    import shutil

    items = posts()
    folder = out / "posts"
    if folder.exists():
        shutil.rmtree(folder)
    meta = build_post_dumps(folder, items)
    art, counts, examples = {}, {}, []
    for split in ["dev", "test"]:
        docs, _ = run_docpipe(f"posts-{split}", dump_config, input_dir=folder / split)
        pred = {}
        for d in docs:
            src = d.get("source", {})
            name = Path(src.get("path", "")).name
            raw = (folder / split / name).read_bytes()
            s = src.get("start", 0)
            while s < len(raw) and raw[s:s + 1] in b" \t\r\n":
                s += 1
            pred.setdefault(name, set()).add(raw[:s].count(b"\n"))
        tp = npred = ngold = 0
        for (sp, name), starts in meta.items():
            if sp != split:
                continue
            gs, ps = set(starts) - {0}, pred.get(name, set()) - {0}
            tp, npred, ngold = tp + len(gs & ps), npred + len(ps), ngold + len(gs)
            if errors and split == "dev":
                lines = (folder / split / name).read_text().split("\n")
                examples += [("spurious start", lines[k][:90]) for k in sorted(ps - gs)]
                examples += [("missed start", lines[k][:90]) for k in sorted(gs - ps)]
        art[split] = f1(tp, npred, ngold)
        counts[split] = ngold

    summ = {}
    for split in ["dev", "test"]:
        records = [{"id": k, "text": body} for k, s, _, body in items if s == split]
        docs, _ = run_docpipe(f"posts-summaries-{split}", SUMMARY_CONFIG, records=records)
        mid = total = 0
        for d in docs:
            sents = d.get("attributes", {}).get("summary", {}).get("sentences", [])
            if not sents:
                continue
            m = byte_to_char(d["text"])
            total += 1
            bad = [s for s in sents if starts_mid_sentence(d["text"], m[s["start"]])]
            if bad:
                mid += 1
                if errors and split == "dev":
                    s = m[bad[0]["start"]]
                    examples.append(("summary starts mid-sentence", repr(d["text"][max(0, s - 40):s + 50])))
        summ[split] = (mid, total)
    if errors:
        from collections import Counter
        print(f"\n-- docpipe errors on the newsgroup posts, dev only (first {errors} per kind) --")
        for kind, c in sorted(Counter(k for k, _ in examples).items()):
            print(f"{kind}: {c}")
            for _, line in [e for e in examples if e[0] == kind][:errors]:
                print("    ", line)
    return art, summ, counts
