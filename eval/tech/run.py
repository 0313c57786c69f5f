#!/usr/bin/env python3
"""Normalise on real technical text (issue 13): false glued-word splits, code indentation,
summaries that start mid-sentence.

Nothing here is committed text: the documents are read at run time from what this machine
ships (Debian man pages rendered with `man`, READMEs / NEWS / changelogs under
/usr/share/doc, Python's own module documentation rendered by `pydoc`, and the README inside
each installed wheel's METADATA). Every document records its source, package, version and
licence in `target/eval/tech/sources.tsv`. dev/test: SHA-1 of the document id (even first
byte = dev). Tune on dev only; `--errors N` prints dev examples only.

    python3 eval/tech/run.py [--no-build] [--errors N] [--max-docs N] [--no-summaries]

Steps: build the set (target/eval/tech/docs.jsonl), run the `tech_eval` example of
docpipe-normalise (the normalise stage exactly as the pipeline runs it, with glued-word
repair on and off, so every inserted space is found), classify each split, check every
line of every code block, and (unless --no-summaries) run `docpipe` with a minimal
normalise -> sentences -> summarise pipeline (eval/tech/summaries.toml) and count
summaries whose first sentence starts mid-sentence. Results: target/eval/tech/results.json.

Definitions (all measured on the *input* text, independently of the code under test):

* words: maximal runs of letters/digits/underscore/apostrophe containing a letter.
* a split is *false* when the token it cuts is
  - code-shaped: camelCase or PascalCase with two or more case changes, lowerCamel
    (`setDefault`), snake_case, contains a digit, part of a chunk with `_ / \\ @ : = . ( )`
    inside (paths, URLs, e-mail, dotted names, calls), or starts with `-` (an option);
  - in code: inside a backtick span on its line, a fenced block (``` / ~~~), an indented
    block (see below), or a line starting with a shell or REPL prompt (`$ `, `>>> `);
  - vocabulary: its lowercase form occurs at least twice in the whole run's input (the
    run's own vocabulary shows it is a word of this text), or it is all capitals.
  Every other split is counted as *unclassified*; technical text has no extraction glue, so
  these are false too unless a hand check says otherwise: `all splits / words` is the
  upper bound reported next to it.
* indented block: lines (blank lines allowed inside) indented at least 4 columns more than
  the document's most common indentation, whose first line follows a blank line; plus
  fenced blocks (``` or ~~~ to a closing fence; a ~~~ line right under text is a heading
  underline, and a fence that never closes opens nothing). This takes some indented prose
  (nested list paragraphs) for code, so the lines that also *look* like code (hold one of
  ``;{}()=<>#$\/_|`` or start with a prompt) are counted apart. A code line is *destroyed* when its leading whitespace in the output is not
  byte-identical to the input's.
* a summary starts mid-sentence when the text before its first sentence, in the same
  paragraph (no blank line between), ends with a letter, digit, comma, semicolon, hyphen or
  opening bracket, and, where the sentence opens a line, its first word is in lower case (a
  sentence cut at a hard line break); a line that opens with a capital or a list marker after
  a line without final punctuation (a heading, a changelog entry) starts a sentence of its
  own. (Until 2026-12-01 every such line counted, which put 37% of summaries here.)
"""
import argparse
import glob
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "target", "eval", "tech")
MAX_DOC_BYTES = 32_000
MAN_SECTIONS = ("man1", "man5", "man8")
MAN_PER_PACKAGE = 3  # English man pages per Debian package (by hash of the path): one package
# (google-cloud-cli) ships 16,000 of the 18,000 pages
DOC_SAMPLE = 1 / 3  # share of /usr/share/doc READMEs, NEWS and changelogs
PYDOC_SAMPLE = 1 / 2  # share of the stdlib's public modules


def h(s):
    return hashlib.sha1(s.encode("utf-8")).digest()


def split_of(doc_id):
    return "dev" if h(doc_id)[0] % 2 == 0 else "test"


def sampled(key, share):
    return int.from_bytes(h("tech:" + key)[1:5], "big") < share * 2**32


def cap(text):
    """At most MAX_DOC_BYTES, cut at a line end."""
    b = text.encode("utf-8")
    if len(b) <= MAX_DOC_BYTES:
        return text
    cut = b[:MAX_DOC_BYTES].rfind(b"\n")
    return b[: cut if cut > 0 else MAX_DOC_BYTES].decode("utf-8", "ignore")


# ---------------------------------------------------------------- Debian packages


def dpkg_owners():
    owners = {}
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        pkg = os.path.basename(lst)[: -len(".list")].split(":")[0]
        try:
            with open(lst, encoding="utf-8", errors="replace") as f:
                for line in f:
                    owners[line.rstrip("\n")] = pkg
        except OSError:
            pass
    return owners


def dpkg_versions():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


_licences = {}


def deb_licence(pkg):
    if pkg not in _licences:
        found = []
        try:
            with open(f"/usr/share/doc/{pkg}/copyright", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("License:"):
                        lic = line[8:].strip()
                        if lic and lic not in found:
                            found.append(lic)
        except OSError:
            pass
        _licences[pkg] = " / ".join(found[:3]) or "see /usr/share/doc/%s/copyright" % pkg
    return _licences[pkg]


def read_maybe_gz(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read(4 * MAX_DOC_BYTES)
    return raw.decode("utf-8", "replace")


def man_pages(owners, versions):
    env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
    by_pkg = {}
    for sec in MAN_SECTIONS:
        for path in glob.glob(f"/usr/share/man/{sec}/*"):
            if not os.path.islink(path):
                by_pkg.setdefault(owners.get(path, "?"), []).append(path)
    chosen = []
    for pkg, paths in by_pkg.items():
        chosen.extend(sorted(paths, key=lambda p: h("tech:" + p))[:MAN_PER_PACKAGE])
    for path in sorted(chosen):
            try:
                r = subprocess.run(["man", "-l", path], capture_output=True, env=env, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                continue
            text = re.sub(r".\x08", "", r.stdout.decode("utf-8", "replace"))
            if r.returncode != 0 or len(text) < 400:
                continue
            pkg = owners.get(path, "?")
            yield {"id": "man:" + os.path.basename(path), "kind": "man page", "package": pkg,
                   "version": versions.get(pkg, "?"), "licence": deb_licence(pkg), "path": path,
                   "text": cap(text)}


def share_doc(owners, versions):
    pat = re.compile(r"^(readme|news|changelog|changes)([._-].*)?$", re.I)
    for path in sorted(glob.glob("/usr/share/doc/*/*")):
        name = os.path.basename(path)
        if not pat.match(name) or not os.path.isfile(path) or not sampled(path, DOC_SAMPLE):
            continue
        if re.search(r"\.(html?|pdf|png|svg)(\.gz)?$", name, re.I):
            continue
        try:
            text = read_maybe_gz(path)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue
        if len(text) < 400 or "\x00" in text:
            continue
        pkg = owners.get(path) or path.split("/")[4]
        yield {"id": "doc:" + path[len("/usr/share/doc/"):], "kind": "readme/news/changelog",
               "package": pkg, "version": versions.get(pkg, "?"), "licence": deb_licence(pkg),
               "path": path, "text": cap(text)}


PYDOC_SCRIPT = r"""
import json, pydoc, sys, io, contextlib, warnings
warnings.simplefilter("ignore")
name = sys.argv[1]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    mod = __import__(name)
    for part in name.split(".")[1:]:
        mod = getattr(mod, part)
    text = pydoc.render_doc(mod, "%s", renderer=pydoc.plaintext)
sys.stdout.write(text)
"""


def pydoc_modules(python):
    try:
        info = json.loads(subprocess.run(
            [python, "-c", "import sys, json; print(json.dumps([sys.version.split()[0], sorted(sys.stdlib_module_names)]))"],
            capture_output=True, text=True, check=True).stdout)
    except (OSError, subprocess.CalledProcessError, json.JSONDecodeError):
        return
    version, names = info
    for name in names:
        if name.startswith("_") or name in ("antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo"):
            continue
        if not sampled("pydoc:" + name, PYDOC_SAMPLE):
            continue
        try:
            r = subprocess.run([python, "-c", PYDOC_SCRIPT, name], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        text = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0 or len(text) < 400:
            continue
        yield {"id": "pydoc:" + name, "kind": "Python module documentation (pydoc)", "package": "CPython",
               "version": version, "licence": "PSF-2.0", "path": f"pydoc {name}", "text": cap(text)}


def wheel_readmes(site_dirs):
    for site in site_dirs:
        for meta in sorted(glob.glob(os.path.join(site, "*.dist-info", "METADATA"))):
            try:
                with open(meta, encoding="utf-8", errors="replace") as f:
                    raw = f.read()
            except OSError:
                continue
            head, _, body = raw.partition("\n\n")
            fields = {}
            for line in head.splitlines():
                k, sep, v = line.partition(": ")
                if sep and k not in fields:
                    fields[k] = v.strip()
            lic = fields.get("License-Expression") or fields.get("License") or ""
            if not lic or len(lic) > 60:
                classifiers = [l.split(" :: ")[-1] for l in head.splitlines() if l.startswith("Classifier: License")]
                lic = classifiers[0] if classifiers else (lic[:60] or "?")
            if len(body) < 400:
                continue
            name = fields.get("Name", os.path.basename(os.path.dirname(meta)))
            yield {"id": "wheel:" + name.lower(), "kind": "PyPI package README (wheel METADATA)",
                   "package": name, "version": fields.get("Version", "?"), "licence": lic,
                   "path": meta, "text": cap(body)}


def build_set(args):
    owners, versions = dpkg_owners(), dpkg_versions()
    docs = []
    python = args.python or sys.executable
    site_dirs = sorted(glob.glob(os.path.join(ROOT, "target/eval/venv-real/lib/python3*/site-packages")))
    for gen in (man_pages(owners, versions), share_doc(owners, versions), pydoc_modules(python),
                wheel_readmes(site_dirs)):
        for d in gen:
            d["split"] = split_of(d["id"])
            docs.append(d)
            if args.max_docs and len(docs) >= args.max_docs:
                break
    docs.sort(key=lambda d: d["id"])
    seen, unique = set(), []
    for d in docs:
        if d["id"] not in seen:
            seen.add(d["id"])
            unique.append(d)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "docs.jsonl"), "w", encoding="utf-8") as f:
        for d in unique:
            meta = {k: d[k] for k in ("kind", "package", "version", "licence", "path", "split")}
            f.write(json.dumps({"id": d["id"], "text": d["text"], "metadata": meta}, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "sources.tsv"), "w", encoding="utf-8") as f:
        f.write("id\tsplit\tkind\tpackage\tversion\tlicence\tpath\tbytes\n")
        for d in unique:
            f.write("\t".join([d["id"], d["split"], d["kind"], d["package"], d["version"],
                               d["licence"].replace("\t", " "), d["path"], str(len(d["text"].encode()))]) + "\n")
    return unique


# ---------------------------------------------------------------- classification

WORD_RE = re.compile(rb"[\w']*[^\W\d_][\w']*")
CODE_LOOK = re.compile(rb"[;{}()=<>#$\\/_|]|^\s*(\$|>>>|%) ")
CHUNK_CODE = re.compile(rb"[_/\\@:=().<>{}\[\]#$%^&*+|~;0-9]")


FENCE = re.compile(rb"^ {0,3}(`{3,}|~{3,})([^\n]*)$")


def code_lines(text):
    """Indices of the lines of fenced and indented code blocks (see the module doc)."""
    lines = text.split(b"\n")

    def indent(l):
        return len(l.expandtabs(8)) - len(l.expandtabs(8).lstrip(b" "))

    def closes(k, run):
        for l in lines[k:]:
            m = FENCE.match(l.rstrip())
            if m and m.group(1)[:1] == run[:1] and len(m.group(1)) >= len(run) and not m.group(2).strip():
                return True
        return False

    counts = Counter(indent(l) for l in lines if l.strip())
    base = counts.most_common(1)[0][0] if counts else 0
    out = set()
    fence = None
    in_block = False
    prev_blank = True
    for i, l in enumerate(lines):
        s = l.strip()
        m = FENCE.match(l.rstrip())
        if fence is not None:
            out.add(i)
            if m and m.group(1)[:1] == fence[:1] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            continue
        # A fence opens a block only if it closes later; a tilde line right under text is a
        # heading underline.
        if m and (m.group(1)[:1] == b"`" or prev_blank) and closes(i + 1, m.group(1)):
            fence = m.group(1)
            out.add(i)
            prev_blank = False
            continue
        if not s:
            prev_blank = True
            continue
        deep = indent(l) >= base + 4
        if deep and (prev_blank or in_block):
            in_block = True
            out.add(i)
        else:
            in_block = False
        prev_blank = False
    return out


def backtick_spans(line):
    spans = []
    i = 0
    while i < len(line):
        if line[i:i + 1] == b"`":
            j = i
            while j < len(line) and line[j:j + 1] == b"`":
                j += 1
            run = line[i:j]
            k = line.find(run, j)
            while k != -1 and line[k + len(run):k + len(run) + 1] == b"`":
                k = line.find(run, k + len(run) + 1)
            if k == -1:
                i = j
                continue
            spans.append((i, k + len(run)))
            i = k + len(run)
        else:
            i += 1
    return spans


def token_at(text, pos):
    """The word (letters, digits, _ and ') around byte `pos` and the whitespace-free chunk."""
    a = pos
    while a > 0 and re.match(rb"[\w']", text[a - 1:a]):
        a -= 1
    b = pos
    while b < len(text) and re.match(rb"[\w']", text[b:b + 1]):
        b += 1
    ca = pos
    while ca > 0 and not text[ca - 1:ca].isspace():
        ca -= 1
    cb = pos
    while cb < len(text) and not text[cb:cb + 1].isspace():
        cb += 1
    return a, b, text[ca:cb]


def classify(text, pos, tok, chunk, line_no, code, vocab):
    t = tok.decode("utf-8", "replace")
    core = chunk.strip(b"\"'([{<*,.;:!?)]}>")
    if re.search(r"\d", t) or "_" in t:
        return "code-shaped"
    changes = len(re.findall(r"[a-z][A-Z]", t))
    if changes >= 2 or (changes == 1 and t[0].islower()):
        return "code-shaped"
    if CHUNK_CODE.search(core) or core.startswith(b"-"):
        return "code-shaped"
    if line_no in code:
        return "in code"
    line_start = text.rfind(b"\n", 0, pos) + 1
    line_end = text.find(b"\n", pos)
    line = text[line_start:line_end if line_end != -1 else len(text)]
    if re.match(rb"^\s*(\$|>>>|\.\.\.|#|%) ", line):
        return "in code"
    col = pos - line_start
    if any(a < col < b for a, b in backtick_spans(line)):
        return "in code"
    if t.isupper():
        return "vocabulary"
    if vocab[t.lower()] >= 2:
        return "vocabulary"
    if changes == 1:
        return "camel (one change)"
    return "unclassified"


def score(docs, splits_path, indent_path, args):
    by_id = {d["id"]: d for d in docs}
    vocab = Counter()
    for d in docs:
        for w in WORD_RE.findall(d["text"].encode("utf-8")):
            vocab[w.decode("utf-8", "replace").lower()] += 1
    res = {sp: {"docs": 0, "bytes": 0, "words": 0, "splits": 0, "false": Counter(), "code_lines": 0,
                "code_lines_changed": 0, "code_looking_lines": 0, "code_looking_changed": 0} for sp in ("dev", "test")}
    examples = []
    with open(splits_path, encoding="utf-8") as f:
        rows = [json.loads(l) for l in f]
    indent_rows = {}
    with open(indent_path, encoding="utf-8") as f:
        for l in f:
            r = json.loads(l)
            indent_rows[r["id"]] = set(r["changed_lines"])
    for r in rows:
        d = by_id[r["id"]]
        sp = d["split"]
        text = d["text"].encode("utf-8")
        R = res[sp]
        R["docs"] += 1
        R["bytes"] += len(text)
        R["words"] += len(WORD_RE.findall(text))
        code = code_lines(text)
        changed = indent_rows.get(r["id"], set())
        lines = text.split(b"\n")
        for i in code:
            if i < len(lines) and lines[i].strip():
                R["code_lines"] += 1
                looks = bool(CODE_LOOK.search(lines[i]))
                R["code_looking_lines"] += looks
                if i in changed:
                    R["code_lines_changed"] += 1
                    R["code_looking_changed"] += looks
                    if sp == "dev" and args.errors and len(examples) < 4 * args.errors:
                        examples.append(("indent", r["id"], lines[i][:100].decode("utf-8", "replace")))
        for pos in r["splits"]:
            a, b, chunk = token_at(text, pos)
            tok = text[a:b]
            line_no = text.count(b"\n", 0, pos)
            cat = classify(text, pos, tok, chunk, line_no, code, vocab)
            R["splits"] += 1
            R["false"][cat] += 1
            if sp == "dev" and args.errors:
                examples.append((cat, r["id"], tok.decode("utf-8", "replace") + "  |  " +
                                 text[max(0, a - 40):b + 40].decode("utf-8", "replace").replace("\n", "⏎")))
    return res, examples


def summaries(docs, args):
    """Runs the minimal pipeline and returns {split: (summaries, mid-sentence)} and examples."""
    binary = os.path.join(ROOT, "target", "release", "docpipe")
    cfg = os.path.join(HERE, "summaries.toml")
    out_dir = os.path.join(OUT, "pipeline")
    cmd = [binary, "run", cfg, "-i", os.path.join(OUT, "docs.jsonl"), "-o", out_dir, "-j", "1", "-q", "--no-progress"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-2000:])
        return None, []
    split = {d["id"]: d["split"] for d in docs}
    counts = {"dev": [0, 0], "test": [0, 0]}
    examples = []
    with open(os.path.join(out_dir, "documents.jsonl"), encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            summ = (doc.get("attributes") or {}).get("summary") or {}
            sents = summ.get("sentences") or []
            if not sents:
                continue
            text = doc["text"].encode("utf-8")
            start = sents[0]["start"]
            before = text[:start]
            para_break = re.search(rb"\n[ \t]*\n[ \t]*$", before) is not None or not before.strip()
            first = text[start:start + 1]
            prev = before.rstrip()[-1:]
            # Cut at a line break: only a continuation (a lower-case first word) is inside a
            # sentence; a line that opens with a capital or a list marker after a line without
            # final punctuation (a heading, a changelog entry, a signature) starts its own.
            line_start = re.search(rb"\n[ \t>|:]*$", before) is not None
            continues = bool(re.match(rb"[a-z]", first)) if line_start else True
            mid = not para_break and continues and bool(re.match(rb"[A-Za-z0-9,;(\[-]", prev))
            sp = split.get(doc["id"], split.get(doc.get("id", "").split("@")[0], "dev"))
            counts[sp][0] += 1
            counts[sp][1] += int(mid)
            if mid and sp == "dev" and args.errors and len(examples) < args.errors:
                examples.append((doc["id"], text[max(0, start - 60):start + 60].decode("utf-8", "replace").replace("\n", "⏎")))
    return counts, examples


# ---------------------------------------------------------------- news glue (no regression)

GLUE_RATE = 1 / 25  # share of word gaps glued


def news_glue_docs():
    """The Lee corpus (gensim's test data: 350 real Australian news articles) with glue put in
    the way HTML extraction makes it: the space between two words dropped (`reportconfirming`,
    `ofThe`), or a sentence's full stop and space dropped (`valueThe`). Returns the records and
    the gold: for each id, the input offsets where a space belongs."""
    paths = sorted(glob.glob(os.path.join(ROOT, "target/eval/venv-real/lib/python3*/site-packages/gensim/test/test_data")))
    if not paths:
        return [], {}
    docs, gold = [], {}
    for name in ("lee_background.cor", "lee.cor"):
        with open(os.path.join(paths[0], name), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f):
                text = line.strip()
                if not text:
                    continue
                doc_id = f"lee:{name}:{n}"
                toks = text.split(" ")
                out, cuts = toks[0], []
                for k in range(1, len(toks)):
                    a, b = toks[k - 1], toks[k]
                    r = int.from_bytes(h(f"{doc_id}:{k}")[:4], "big") / 2**32
                    if r < GLUE_RATE and a.isalpha() and b.isalpha():
                        cuts.append(len(out.encode()))
                        out += b
                    elif r < GLUE_RATE and a[:-1].isalpha() and a.endswith(".") and b.isalpha() and b[0].isupper():
                        out = out[:-1]
                        cuts.append(len(out.encode()))
                        out += b
                    else:
                        out += " " + b
                docs.append({"id": doc_id, "text": out, "split": split_of(doc_id)})
                gold[doc_id] = cuts
    return docs, gold


def score_news(example):
    docs, gold = news_glue_docs()
    if not docs:
        return None
    path = os.path.join(OUT, "news-glued.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d["id"], "text": d["text"]}) + "\n")
    sp_path, ind_path = os.path.join(OUT, "news-splits.jsonl"), os.path.join(OUT, "news-indent.jsonl")
    subprocess.run([example, path, sp_path, ind_path], check=True, capture_output=True)
    split = {d["id"]: d["split"] for d in docs}
    res = {sp: {"glued": 0, "repaired": 0, "inserted": 0, "wrong": 0, "words": 0} for sp in ("dev", "test")}
    words = {d["id"]: len(d["text"].split()) for d in docs}
    with open(sp_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            g, got = set(gold[r["id"]]), set(r["splits"])
            R = res[split[r["id"]]]
            R["glued"] += len(g)
            R["repaired"] += len(g & got)
            R["inserted"] += len(got)
            R["wrong"] += len(got - g)
            R["words"] += words[r["id"]]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-build", action="store_true", help="use the built example and binary as they are")
    ap.add_argument("--errors", type=int, default=0, help="print N error examples per category (dev only)")
    ap.add_argument("--max-docs", type=int, default=0)
    ap.add_argument("--no-summaries", action="store_true")
    ap.add_argument("--reuse-set", action="store_true", help="reuse target/eval/tech/docs.jsonl")
    ap.add_argument("--python", help="interpreter whose standard library pydoc renders (default: this one)")
    args = ap.parse_args()
    docs_path = os.path.join(OUT, "docs.jsonl")
    if args.reuse_set and os.path.exists(docs_path):
        with open(docs_path, encoding="utf-8") as f:
            docs = [json.loads(l) for l in f]
        for d in docs:
            d["split"] = d["metadata"]["split"]
    else:
        docs = build_set(args)
    kinds = Counter((d.get("kind") or d["metadata"]["kind"], d["split"]) for d in docs)
    print("set: %d documents, %.1f MB  (%s)" % (len(docs), sum(len(d["text"].encode()) for d in docs) / 1e6,
          ", ".join(f"{k} {sp}: {n}" for (k, sp), n in sorted(kinds.items()))))
    env = dict(os.environ, CARGO_BUILD_JOBS=os.environ.get("CARGO_BUILD_JOBS", "1"))
    example = os.path.join(ROOT, "target", "release", "examples", "tech_eval")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "docpipe-normalise", "--example", "tech_eval"],
                       cwd=ROOT, env=env, check=True)
        if not args.no_summaries:
            subprocess.run(["cargo", "build", "--release", "-p", "docpipe"], cwd=ROOT, env=env, check=True)
    splits_path = os.path.join(OUT, "splits.jsonl")
    indent_path = os.path.join(OUT, "indent.jsonl")
    subprocess.run([example, docs_path, splits_path, indent_path], check=True)
    res, examples = score(docs, splits_path, indent_path, args)
    news = score_news(example)
    summ, summ_examples = (None, []) if args.no_summaries else summaries(docs, args)
    print()
    print("| split | docs | MB | words | all splits | false: code-shaped | in code | vocabulary | camel (1) | unclassified | false / words | all / words | code lines | indentation changed | code-looking lines | changed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out = {}
    for sp in ("dev", "test"):
        R = res[sp]
        false = sum(R["false"].values())
        w = max(R["words"], 1)
        row = {"docs": R["docs"], "bytes": R["bytes"], "words": R["words"], "splits": R["splits"],
               "by_category": dict(R["false"]), "false_per_word": false / w,
               "all_per_word": R["splits"] / w, "code_lines": R["code_lines"],
               "code_lines_changed": R["code_lines_changed"], "code_looking_lines": R["code_looking_lines"],
               "code_looking_changed": R["code_looking_changed"]}
        if summ:
            n, mid = summ[sp]
            row["summaries"], row["summaries_mid_sentence"] = n, mid
        out[sp] = row
        c = R["false"]
        print(f"| {sp} | {R['docs']} | {R['bytes'] / 1e6:.1f} | {R['words']} | {R['splits']} | {c['code-shaped']} | "
              f"{c['in code']} | {c['vocabulary']} | {c['camel (one change)']} | {c['unclassified']} | "
              f"{100 * false / w:.3f}% | {100 * R['splits'] / w:.3f}% | {R['code_lines']} | "
              f"{R['code_lines_changed']} ({100 * R['code_lines_changed'] / max(R['code_lines'], 1):.1f}%) | "
              f"{R['code_looking_lines']} | {R['code_looking_changed']} "
              f"({100 * R['code_looking_changed'] / max(R['code_looking_lines'], 1):.1f}%) |")
    print("(false = code-shaped + in code + vocabulary + camel + unclassified: technical text has no "
          "extraction glue; see the hand check in eval/tech/README.md)")
    if news:
        print("\nNews glue repair through the stage (Lee corpus with glue put in; must not regress):")
        print("| split | glued gaps | repaired | recall | spaces inserted elsewhere | per 1000 words |")
        print("|---|---:|---:|---:|---:|---:|")
        for sp in ("dev", "test"):
            R = news[sp]
            out[sp]["news_glue"] = R
            print(f"| {sp} | {R['glued']} | {R['repaired']} | {100 * R['repaired'] / max(R['glued'], 1):.1f}% | "
                  f"{R['wrong']} | {1000 * R['wrong'] / max(R['words'], 1):.2f} |")
    if summ:
        print()
        for sp in ("dev", "test"):
            n, mid = summ[sp]
            print(f"summaries {sp}: {n}, starting mid-sentence: {mid} ({100 * mid / max(n, 1):.1f}%)")
    if args.errors:
        print("\nexamples (dev only):")
        per = Counter()
        for cat, doc_id, ex in examples:
            if per[cat] < args.errors:
                per[cat] += 1
                print(f"  [{cat}] {doc_id}: {ex}")
        for doc_id, ex in summ_examples:
            print(f"  [summary mid-sentence] {doc_id}: {ex}")
    with open(os.path.join(OUT, "results.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
