#!/usr/bin/env python3
"""Build the docpipe test corpus and its gold annotations from the sources.

Stdlib only and deterministic: running it twice gives byte-identical output.

    python3 tests/corpus/gold/build.py          # (re)write corpus + gold
    python3 tests/corpus/gold/build.py --check  # verify outputs are up to date

Inputs (all under tests/corpus/gold/src/):
  * ``*.art``        article sources (format documented in gold/README.md)
  * ``aliases.txt``  surface form -> canonical name table for entities
  * ``manifest.json`` which article goes into which output file, in order

Outputs:
  * tests/corpus/dump-NN.txt, tests/corpus/single-*.txt, tests/corpus/articles.jsonl
  * tests/corpus/gold/{articles,dumps,duplicates,summaries}.json
"""

import difflib
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
SRC = os.path.join(HERE, "src")

ROLES = {
    "body", "dateline", "standfirst", "subheading", "pull_quote",
    "caption", "related_link", "byline",
}
LABELS = {
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "DATE",
    "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL",
}
QUOTE_CHARS = "\"'“”‘’"


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------
# Source parsing
# --------------------------------------------------------------------------

def read_aliases():
    aliases = {}
    with open(os.path.join(SRC, "aliases.txt"), encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if " => " not in line:
                raise BuildError(f"aliases.txt:{n}: expected 'surface => canonical'")
            surface, canonical = line.split(" => ", 1)
            surface, canonical = surface.strip(), canonical.strip()
            if surface in aliases and aliases[surface] != canonical:
                raise BuildError(f"aliases.txt:{n}: conflicting alias for {surface!r}")
            aliases[surface] = canonical
    return aliases


def parse_art_file(path):
    """Return a list of raw article records from one .art file."""
    articles = []
    cur = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    where = os.path.basename(path)
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if line.startswith("=== "):
            cur = {"id": line[4:].strip(), "headers": {}, "edits": [],
                   "blocks": [], "where": f"{where}:{n}"}
            articles.append(cur)
            continue
        if cur is None:
            if line.strip() and not line.startswith("#"):
                raise BuildError(f"{where}:{n}: text before first article")
            continue
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("@"):
            role = line[1:].strip()
            if role not in ROLES:
                raise BuildError(f"{where}:{n}: unknown role {role!r}")
            cur["blocks"].append({"role": role, "sents": []})
            continue
        if not cur["blocks"]:
            m = re.match(r"^([a-z_]+):\s?(.*)$", line)
            if not m:
                raise BuildError(f"{where}:{n}: bad header line {line!r}")
            key, val = m.group(1), m.group(2)
            if key == "replace":
                if " ==> " not in val:
                    raise BuildError(f"{where}:{n}: replace needs ' ==> '")
                old, new = val.split(" ==> ", 1)
                cur["edits"].append((old.replace("\\n", "\n"),
                                     new.replace("\\n", "\n").replace("\\e", "")))
            else:
                if key in cur["headers"]:
                    raise BuildError(f"{where}:{n}: duplicate header {key}")
                cur["headers"][key] = val
            continue
        cur["blocks"][-1]["sents"].append(raw.rstrip(" "))
    return articles


def blocks_to_source(blocks):
    out = []
    for b in blocks:
        out.append("@" + b["role"])
        out.extend(b["sents"])
    return "\n".join(out) + "\n"


def source_to_blocks(src, where):
    blocks = []
    for line in src.split("\n"):
        if not line.strip():
            continue
        if line.startswith("@"):
            role = line[1:].strip()
            if role not in ROLES:
                raise BuildError(f"{where}: unknown role {role!r} after edits")
            blocks.append({"role": role, "sents": []})
        else:
            if not blocks:
                raise BuildError(f"{where}: text before first role after edits")
            blocks[-1]["sents"].append(line)
    return blocks


TOKEN_RE = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)(?:\|([^\[\]|]+))?\]|<<|>>")


def render_sentence(src, aliases, where):
    """Strip markup from one source sentence.

    Returns (text, entities, dateline) where entity/dateline offsets are in
    *characters* relative to the sentence text.
    """
    text = []
    pos = 0
    ents = []
    dl_start = dl_end = None
    clen = 0
    for m in TOKEN_RE.finditer(src):
        chunk = src[pos:m.start()]
        text.append(chunk)
        clen += len(chunk)
        tok = m.group(0)
        if tok == "<<":
            dl_start = clen
        elif tok == ">>":
            dl_end = clen
        else:
            surface, label, canon = m.group(1), m.group(2), m.group(3)
            if label not in LABELS:
                raise BuildError(f"{where}: unknown label {label} in {src!r}")
            if surface != surface.strip():
                raise BuildError(f"{where}: entity with outer spaces {surface!r}")
            if canon is None:
                canon = aliases.get(surface, surface)
            ents.append({"start": clen, "end": clen + len(surface),
                         "label": label, "text": surface, "canonical": canon})
            text.append(surface)
            clen += len(surface)
        pos = m.end()
    text.append(src[pos:])
    out = "".join(text)
    for bad in ("[", "]", "|", "<<", ">>"):
        if bad in out:
            raise BuildError(f"{where}: stray markup {bad!r} in {src!r}")
    dateline = None
    if (dl_start is None) != (dl_end is None):
        raise BuildError(f"{where}: unbalanced dateline markers in {src!r}")
    if dl_start is not None:
        dateline = (dl_start, dl_end)
    return out, ents, dateline


def render_article(blocks, aliases, where):
    """Render blocks into lines. Offsets are in characters, article-relative,
    for a text where every line is followed by a single '\\n'."""
    lines = []
    sentences = []
    entities = []
    dateline = None
    text_parts = []
    off = 0
    for li, b in enumerate(blocks):
        if not b["sents"]:
            raise BuildError(f"{where}: empty @{b['role']} block")
        line_start = off
        parts = []
        for si, s in enumerate(b["sents"]):
            glue = " "
            if s.startswith("+"):
                glue = ""
                s = s[1:]
            if si == 0:
                glue = ""
            stext, sents_ents, sdl = render_sentence(s, aliases, where)
            parts.append(glue)
            off += len(glue)
            s_start = off
            if sdl is not None:
                if dateline is not None:
                    raise BuildError(f"{where}: two datelines")
                if si != 0 or sdl[0] != 0:
                    raise BuildError(f"{where}: inline dateline must open a line")
                dateline = (off + sdl[0], off + sdl[1])
                dtext = stext[sdl[0]:sdl[1]]
                if dtext != dtext.strip() or not stext[sdl[1]:].startswith(" "):
                    raise BuildError(f"{where}: dateline must be trimmed and followed by a space: {dtext!r}")
                # the sentence starts after the dateline and its whitespace
                rest = stext[sdl[1]:]
                s_start = off + sdl[1] + (len(rest) - len(rest.lstrip(" ")))
            for e in sents_ents:
                e = dict(e)
                e["start"] += off
                e["end"] += off
                entities.append(e)
            parts.append(stext)
            off += len(stext)
            sentences.append({"start": s_start, "end": off, "line": li})
        line_text = "".join(parts)
        if line_text != line_text.strip():
            raise BuildError(f"{where}: line with outer whitespace {line_text!r}")
        if b["role"] == "dateline":
            if dateline is not None:
                raise BuildError(f"{where}: two datelines")
            dateline = (line_start, off)
        lines.append({"start": line_start, "end": off, "role": b["role"]})
        text_parts.append(line_text + "\n")
        off += 1
    text = "".join(text_parts)
    return text, lines, sentences, entities, dateline


# --------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------

def char_to_byte_map(text):
    """List mapping char index -> byte offset (len(text)+1 entries)."""
    out = [0] * (len(text) + 1)
    b = 0
    for i, ch in enumerate(text):
        out[i] = b
        b += len(ch.encode("utf-8"))
    out[len(text)] = b
    return out


def words(text):
    return re.findall(r"\S+", text)


def edit_ratio(a, b):
    """Share of words changed: 1 - matched words / max(len)."""
    wa, wb = words(a), words(b)
    sm = difflib.SequenceMatcher(a=wa, b=wb, autojunk=False)
    matched = sum(bl.size for bl in sm.get_matching_blocks())
    return round(1.0 - matched / max(len(wa), len(wb)), 3)


def load_articles(aliases):
    raw = []
    for name in sorted(os.listdir(SRC)):
        if name.endswith(".art"):
            raw.extend(parse_art_file(os.path.join(SRC, name)))
    by_id = {}
    for a in raw:
        if a["id"] in by_id:
            raise BuildError(f"{a['where']}: duplicate article id {a['id']}")
        by_id[a["id"]] = a
    out = {}
    for a in raw:
        h = a["headers"]
        copy_of = h.get("copy_of")
        if copy_of:
            base = by_id.get(copy_of)
            if base is None or base["headers"].get("copy_of"):
                raise BuildError(f"{a['where']}: bad copy_of {copy_of}")
            if a["blocks"]:
                raise BuildError(f"{a['where']}: a copy has no blocks of its own")
            src = blocks_to_source(base["blocks"])
            for old, new in a["edits"]:
                c = src.count(old)
                if c != 1:
                    raise BuildError(f"{a['where']}: replace target found {c} times: {old!r}")
                src = src.replace(old, new)
            blocks = source_to_blocks(src, a["where"])
            kind = h.get("copy_kind")
            if kind not in ("exact", "near"):
                raise BuildError(f"{a['where']}: copy_kind must be exact or near")
            if kind == "exact" and a["edits"]:
                raise BuildError(f"{a['where']}: exact copy with edits")
            merged = dict(base["headers"])
            merged.pop("summary", None)
            merged.update(h)
            hdr = merged
        else:
            blocks = a["blocks"]
            hdr = h
        for key in ("story", "outlet", "date"):
            if key not in hdr:
                raise BuildError(f"{a['where']}: missing header {key}")
        text, lines, sents, ents, dl = render_article(blocks, aliases, a["where"])
        out[a["id"]] = {
            "id": a["id"], "headers": hdr, "text": text, "lines": lines,
            "sentences": sents, "entities": ents, "dateline": dl,
            "where": a["where"], "copy_of": copy_of,
            "copy_kind": hdr.get("copy_kind") if copy_of else None,
            "nominal_level": hdr.get("level") if copy_of else None,
        }
    return out


def place(art, file_text_prefix_bytes, crlf):
    """Convert an article's char offsets into file byte offsets.

    ``crlf``: lines in the file end with CRLF instead of LF.
    Returns (bytes, record) where bytes is the encoded article.
    """
    text = art["text"]
    if crlf:
        # map each char position of the LF text to the CRLF text
        enc_text = text.replace("\n", "\r\n")
        shift = []
        extra = 0
        for ch in text:
            shift.append(extra)
            if ch == "\n":
                extra += 1
        shift.append(extra)
        cmap = char_to_byte_map(enc_text)

        def b(i):
            return file_text_prefix_bytes + cmap[i + shift[i]]
    else:
        enc_text = text
        cmap = char_to_byte_map(text)

        def b(i):
            return file_text_prefix_bytes + cmap[i]
    data = enc_text.encode("utf-8")
    rec = {
        "start": file_text_prefix_bytes,
        "end": file_text_prefix_bytes + len(data),
        "lines": [{"start": b(l["start"]), "end": b(l["end"]), "role": l["role"]}
                  for l in art["lines"]],
        "sentences": [{"start": b(s["start"]), "end": b(s["end"]), "line": s["line"]}
                      for s in art["sentences"]],
        "entities": [{"start": b(e["start"]), "end": b(e["end"]),
                      "label": e["label"], "text": e["text"],
                      "canonical": e["canonical"]} for e in art["entities"]],
        "dateline": None,
    }
    if art["dateline"]:
        s, e = art["dateline"]
        rec["dateline"] = {"start": b(s), "end": b(e), "text": text[s:e]}
    return data, rec


def build(check=False):
    aliases = read_aliases()
    arts = load_articles(aliases)
    with open(os.path.join(SRC, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    outputs = {}  # relative path -> bytes
    gold_articles = []
    dumps_gold = []
    used = set()

    def article_record(aid, file_rel, kind, split, rec, extra):
        a = arts[aid]
        h = a["headers"]
        if aid in used:
            raise BuildError(f"article {aid} placed twice")
        used.add(aid)
        r = {
            "id": aid,
            "file": file_rel,
            "kind": kind,
        }
        r.update(extra)
        r.update({
            "start": rec["start"],
            "end": rec["end"],
            "split": split,
            "story": h["story"],
            "outlet": h["outlet"],
            "date": h["date"],
            "copy_of": a["copy_of"],
            "copy_kind": a["copy_kind"],
            "words": len(words(a["text"])),
            "dateline": rec["dateline"],
            "lines": rec["lines"],
            "sentences": rec["sentences"],
            "entities": rec["entities"],
        })
        gold_articles.append(r)

    for d in manifest["dumps"]:
        rel = d["file"]
        crlf = bool(d.get("crlf"))
        buf = bytearray()
        for aid in d["articles"]:
            if aid not in arts:
                raise BuildError(f"manifest: unknown article {aid}")
            data, rec = place(arts[aid], len(buf), crlf)
            buf += data
            article_record(aid, rel, "dump", d["split"], rec, {})
        outputs[rel] = bytes(buf)
        dumps_gold.append({"file": rel, "kind": "dump", "split": d["split"],
                           "line_ending": "crlf" if crlf else "lf",
                           "bytes": len(buf), "articles": list(d["articles"])})

    for s in manifest["singles"]:
        rel = s["file"]
        data, rec = place(arts[s["article"]], 0, False)
        outputs[rel] = data
        article_record(s["article"], rel, "single", s["split"], rec, {})
        dumps_gold.append({"file": rel, "kind": "single", "split": s["split"],
                           "line_ending": "lf", "bytes": len(data),
                           "articles": [s["article"]]})

    j = manifest["jsonl"]
    rel = j["file"]
    jl = []
    jsplits = set()
    for idx, ent in enumerate(j["articles"]):
        aid, split = ent["id"], ent["split"]
        jsplits.add(split)
        a = arts[aid]
        # JSONL text: paragraphs separated by "\n", no trailing newline
        text = a["text"][:-1]
        h = a["headers"]
        meta = {"outlet": h["outlet"], "date": h["date"], "url": h["url"],
                "story": h["story"]}
        jl.append(json.dumps({"id": aid, "text": text, "metadata": meta},
                             ensure_ascii=False))
        _, rec = place(a, 0, False)
        rec["end"] = len(text.encode("utf-8"))
        article_record(aid, rel, "jsonl", split, rec, {"record": idx})
    data = ("\n".join(jl) + "\n").encode("utf-8")
    outputs[rel] = data
    dumps_gold.append({"file": rel, "kind": "jsonl",
                       "split": "mixed" if len(jsplits) > 1 else jsplits.pop(),
                       "line_ending": "lf", "bytes": len(data),
                       "articles": [e["id"] for e in j["articles"]]})

    unused = sorted(set(arts) - used)
    if unused:
        raise BuildError(f"articles not placed anywhere: {unused}")

    # ---------------- duplicates ----------------
    exact, near = [], []
    for aid in sorted(arts):
        a = arts[aid]
        if not a["copy_of"]:
            continue
        base = arts[a["copy_of"]]
        if a["copy_kind"] == "exact":
            if a["text"] != base["text"]:
                raise BuildError(f"exact copy {aid} differs from {a['copy_of']}")
            exact.append({"ids": [a["copy_of"], aid]})
        else:
            ratio = edit_ratio(base["text"], a["text"])
            near.append({"original": a["copy_of"], "copy": aid,
                         "level": a["nominal_level"], "word_change_ratio": ratio})
    repeated = []
    by_id = {r["id"]: r for r in gold_articles}
    for r in gold_articles:
        a = arts[r["id"]]
        body_spans = [l for l in a["lines"] if l["role"] == "body"]
        for li, line in enumerate(a["lines"]):
            if line["role"] != "pull_quote":
                continue
            qt = a["text"][line["start"]:line["end"]]
            core = qt.strip(QUOTE_CHARS + " ")
            if core.startswith(("-", "–", "—")):
                continue  # attribution line
            core = core.rstrip(".").strip(QUOTE_CHARS + " ")
            found = None
            for bl in body_spans:
                btxt = a["text"][bl["start"]:bl["end"]]
                k = btxt.find(core)
                if k >= 0:
                    found = (bl["start"] + k, bl["start"] + k + len(core))
                    break
            if found is None:
                raise BuildError(f"{r['id']}: pull quote not found in body: {core!r}")
            # convert to file offsets using the record
            if r["kind"] == "jsonl":
                base_off, crlf = 0, False
            else:
                base_off = r["start"]
                crlf = next(d for d in dumps_gold if d["file"] == r["file"])["line_ending"] == "crlf"
            _, rec = place_with_extra(a, base_off, crlf, [found, (line["start"] + len(qt) - len(qt.lstrip(QUOTE_CHARS + " ")), line["start"] + len(qt) - len(qt.lstrip(QUOTE_CHARS + " ")) + len(core))])
            src_span, pq_span = rec
            repeated.append({"article": r["id"], "file": r["file"],
                             "pull_quote_line": li,
                             "pull_quote": {"start": pq_span[0], "end": pq_span[1]},
                             "source": {"start": src_span[0], "end": src_span[1]},
                             "text": core})
    groups = {}
    for r in gold_articles:
        root = arts[r["id"]]["copy_of"] or r["id"]
        groups.setdefault(root, []).append(r["id"])
    dup_gold = {
        "exact": exact,
        "near": near,
        "repeated_passages": repeated,
        "clusters": [sorted(v) for k, v in sorted(groups.items()) if len(v) > 1],
    }
    for g in exact:
        for i in g["ids"]:
            assert i in by_id
    # ---------------- summaries ----------------
    summaries = []
    for r in gold_articles:
        s = arts[r["id"]]["headers"].get("summary")
        if s:
            summaries.append({"id": r["id"], "split": r["split"], "summary": s})
    summaries.sort(key=lambda x: x["id"])

    # ---------------- sanity checks ----------------
    problems = []
    for r in gold_articles:
        n = r["words"]
        if not 150 <= n <= 1250:
            problems.append(f"{r['id']}: {n} words")
    n_test = sum(1 for r in gold_articles if r["split"] == "test")
    if n_test * 3 < len(gold_articles):
        problems.append(f"only {n_test}/{len(gold_articles)} articles are test")
    if problems:
        raise BuildError("; ".join(problems))

    gold_articles.sort(key=lambda r: (file_order(r["file"], manifest), r["start"], r.get("record", 0)))
    gold_out = {
        "gold/articles.json": {"schema": "docpipe-gold-articles/1",
                               "offsets": "bytes, relative to the file (dump/single) or to the JSONL record's text",
                               "articles": gold_articles},
        "gold/dumps.json": {"schema": "docpipe-gold-dumps/1", "files": dumps_gold},
        "gold/duplicates.json": dict({"schema": "docpipe-gold-duplicates/1"}, **dup_gold),
        "gold/summaries.json": {"schema": "docpipe-gold-summaries/1", "summaries": summaries},
    }
    for rel, obj in gold_out.items():
        outputs[rel] = (json.dumps(obj, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    # stats for humans
    stats = {
        "articles": len(gold_articles),
        "originals": sum(1 for r in gold_articles if not r["copy_of"]),
        "test": n_test,
        "entities": sum(len(r["entities"]) for r in gold_articles),
        "sentences": sum(len(r["sentences"]) for r in gold_articles),
        "words": sum(r["words"] for r in gold_articles),
        "summaries": len(summaries),
    }

    stale = []
    for rel, data in sorted(outputs.items()):
        path = os.path.join(CORPUS, rel)
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        if old != data:
            stale.append(rel)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
    # remove generated files that the manifest no longer lists
    for name in sorted(os.listdir(CORPUS)):
        if re.match(r"^(dump-\d+|single-.*)\.txt$", name) and name not in outputs:
            stale.append(name)
            if not check:
                os.remove(os.path.join(CORPUS, name))
    return stats, stale


def place_with_extra(art, base_off, crlf, spans):
    """Convert article-relative char spans into file byte spans."""
    text = art["text"]
    enc = text.replace("\n", "\r\n") if crlf else text
    cmap = char_to_byte_map(enc)
    shift = []
    extra = 0
    for ch in text:
        shift.append(extra)
        if ch == "\n" and crlf:
            extra += 1
    shift.append(extra)
    return None, [(base_off + cmap[s + shift[s]], base_off + cmap[e + shift[e]]) for s, e in spans]


def file_order(rel, manifest):
    order = [d["file"] for d in manifest["dumps"]] + [s["file"] for s in manifest["singles"]] + [manifest["jsonl"]["file"]]
    return order.index(rel)


def main():
    check = "--check" in sys.argv[1:]
    try:
        stats, stale = build(check=check)
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    if check:
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("all outputs up to date")
    else:
        print(f"wrote {len(stale)} changed file(s)" + (": " + ", ".join(stale) if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
