#!/usr/bin/env python3
"""Generate glued-word evaluation pairs from real text available offline.

Stdlib only.  The prose is Python's own bundled documentation
(`pydoc_data.topics`, shipped with CPython under the PSF licence); it is read
at evaluation time and never committed.  Usage:

    python3 plugins/normalise/eval/make_pairs.py [OUT_DIR]   # default: <workspace>/target/eval

Writes OUT_DIR/glue-pairs.tsv with lines  split <TAB> category <TAB> glued <TAB> offsets
(offsets = comma-separated byte offsets where a space belongs), and
OUT_DIR/glue-words.tsv with lines  split <TAB> word  (distinct unglued words of the
same text, to measure false splits of ordinary words).

Categories:
  lower      two adjacent lowercase words of a sentence    ("reportconfirming")
  cap        capitalised word + lowercase word             ("Theobject")
  case       any word + capitalised word (case change)     ("ofThe", "thePython")
  block      last word of a sentence + first of the next   ("valueThe"), as when two
             HTML blocks run together (the full stop dropped)
  name-held  held-out census surname + a following word    ("Blackwoodsaid"), names never shipped
  name-ship  shipped census surname + a following word     ("Smithsaid")
  given-ship shipped census given name + a following word  ("Janehas")

Pairs whose concatenation is itself a shipped word or name ("can"+"not") are
dropped: leaving them whole is right.  dev/test: SHA-1 of the paragraph (of the
name, of the word) decides, so the split is deterministic.
"""
import hashlib
import os
import re
import sys

import pydoc_data.topics

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
WORKSPACE = os.path.dirname(os.path.dirname(CRATE))
FOLLOW = ["said", "says", "has", "had", "was", "is", "told", "and", "who", "declared",
          "added", "wrote", "announced", "would", "will", "confirmed", "that", "in", "to"]
NAMES_PER_CATEGORY = 1500  # per split


def h(s):
    return hashlib.sha1(s.encode("utf-8")).digest()


def split_of(s):
    return "dev" if h(s)[0] % 2 == 0 else "test"


def load_list(path, col=0):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            out.append(line.rstrip("\n").split("\t")[col].split(" ")[0])
    return out


def known_set():
    s = set()
    for name in ("words.txt", "surnames.txt", "given-names.txt", "places.txt"):
        s.update(w.lower() for w in load_list(os.path.join(CRATE, "data", name)))
    return s


WORD = re.compile(r"^[A-Za-z]+$")


def plain(w):
    """A plain word: all lowercase, or capitalised with the rest lowercase."""
    return bool(WORD.match(w)) and (w.islower() or (w[0].isupper() and (len(w) == 1 or w[1:].islower())))


def paragraphs():
    for key in sorted(pydoc_data.topics.topics):
        text = pydoc_data.topics.topics[key]
        for para in re.split(r"\n\s*\n", text):
            lines = para.split("\n")
            # Prose only: no code blocks / grammar (indented >= 3 beyond a list
            # bullet), no doctest, no reST underline.
            if any(l.startswith("     ") and not l.lstrip().startswith("*") for l in lines):
                continue
            if ">>>" in para or "::=" in para or re.search(r"^[*=\-~^]{3,}$", para, re.M):
                continue
            body = " ".join(l.strip() for l in lines)
            body = re.sub(r"^\* ", "", body)
            if len(body.split()) < 6:
                continue
            yield body


def sentence_end(w):
    """A word closing a sentence ("value." -> "value"), else None."""
    if len(w) >= 2 and w.endswith(".") and plain(w[:-1]):
        return w[:-1]
    return None


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(WORKSPACE, "target", "eval")
    os.makedirs(out_dir, exist_ok=True)
    known = known_set()
    rows, seen, dropped = [], set(), 0
    words = {}
    for para in paragraphs():
        sp = split_of(para)
        toks = para.split()
        for t in toks:
            if plain(t) and len(t) >= 2:
                words.setdefault(t, split_of(t.lower()))
        for a, b in zip(toks, toks[1:]):
            cat = None
            if sentence_end(a) and plain(b) and b[0].isupper():
                # Block glue: the end of one block runs into the next one's
                # first word ("...the valueThe next...").
                a, cat = sentence_end(a), "block"
            if not (plain(a) and plain(b)):
                continue
            glued = a + b
            if glued in seen:
                continue
            seen.add(glued)
            if glued.lower() in known:
                dropped += 1
                continue
            if cat:
                pass
            elif b[0].isupper():
                cat = "case"
            elif a[0].isupper():
                cat = "cap"
            else:
                cat = "lower"
            rows.append((sp, cat, glued, str(len(a))))

    def names(path):
        return [n for n in load_list(path) if n.isalpha()]

    def name_pairs(cat, pool_by_split):
        for sp, pool in pool_by_split.items():
            pool = sorted(pool, key=lambda n: h(cat + n))[:NAMES_PER_CATEGORY]
            for n in pool:
                f = FOLLOW[h(n)[1] % len(FOLLOW)]
                if (n + f).lower() in known:
                    continue
                rows.append((sp, cat, n + f, str(len(n))))

    ev = lambda name: os.path.join(HERE, name)
    name_pairs("name-held", {s: names(ev(f"surnames-{s}.txt")) for s in ("dev", "test")})
    for cat, fname in (("name-ship", "surnames.txt"), ("given-ship", "given-names.txt")):
        shipped = [n.capitalize() for n in names(os.path.join(CRATE, "data", fname))]
        name_pairs(cat, {s: [n for n in shipped if split_of(n.lower()) == s] for s in ("dev", "test")})

    with open(os.path.join(out_dir, "glue-pairs.tsv"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    with open(os.path.join(out_dir, "glue-words.tsv"), "w", encoding="utf-8") as f:
        for w in sorted(words):
            f.write(f"{words[w]}\t{w}\n")
    counts = {}
    for sp, cat, _, _ in rows:
        counts[(sp, cat)] = counts.get((sp, cat), 0) + 1
    print(f"wrote {len(rows)} pairs ({dropped} dropped as known words) and {len(words)} words to {out_dir}")
    for k in sorted(counts):
        print("  ", *k, counts[k])


if __name__ == "__main__":
    main()
