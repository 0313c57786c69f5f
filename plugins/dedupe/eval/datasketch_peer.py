#!/usr/bin/env python3
"""datasketch MinHashLSH on the same synthetic near-duplicate benchmark as docpipe's dedupe.

Reads target/eval/dedupe-synth.jsonl (written by
`cargo run --release -p docpipe-dedupe --example eval`): one document per line with its
normalised text (`norm`, the exact text docpipe shingles), its family and edit rate.
Shingles are the same word n-grams; MinHash has the same num_perm; the LSH uses the same
bands x rows as docpipe (or datasketch's own choice with --datasketch-params). Like docpipe,
each document is queried before it is inserted and only documents without a candidate are
inserted (first occurrence kept). Prints the same table as the Rust example, plus
insert+query throughput, and one JSON line.

Usage: python3 plugins/dedupe/eval/datasketch_peer.py [--bands 14 --rows 9] [--datasketch-params]
Creates or reuses the venv target/eval/venv-dedupe (datasketch pinned).
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VENV = os.path.join(ROOT, "target", "eval", "venv-dedupe")
PINS = ["datasketch==1.6.5", "numpy==2.2.6", "scipy==1.15.3"]


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        return
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", *PINS])
    os.execv(py, [py, *sys.argv])


def main():
    ensure_venv()
    from datasketch import MinHash, MinHashLSH

    ap = argparse.ArgumentParser()
    ap.add_argument("--input", default=os.path.join(ROOT, "target", "eval", "dedupe-synth.jsonl"))
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--bands", type=int, default=14)
    ap.add_argument("--rows", type=int, default=9)
    ap.add_argument("--datasketch-params", action="store_true", help="let datasketch pick bands/rows")
    a = ap.parse_args()

    docs = [json.loads(line) for line in open(a.input, encoding="utf-8")]

    def shingles(norm):
        w = norm.split()
        if len(w) < a.ngram:
            return {" ".join(w)} if w else set()
        return {" ".join(w[i : i + a.ngram]) for i in range(len(w) - a.ngram + 1)}

    sets = [shingles(d["norm"]) for d in docs]

    def jac(x, y):
        u = len(x | y)
        return len(x & y) / u if u else 0.0

    if a.datasketch_params:
        lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm)
    else:
        lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm, params=(a.bands, a.rows))
    encoded = [[s.encode("utf-8") for s in st] for st in sets]
    t0 = time.perf_counter()
    preds = []
    for i, enc in enumerate(encoded):
        m = MinHash(num_perm=a.num_perm)
        m.update_batch(enc)
        cands = lsh.query(m)
        preds.append(cands)
        if not cands:
            lsh.insert(i, m)
    secs = time.perf_counter() - t0
    mb = sum(len(d["norm"].encode("utf-8")) for d in docs) / 1e6

    rows = {}
    j85 = [0, 0]
    for i, d in enumerate(docs):
        key = "base" if d["rate"] < 0 else f"{d['rate']:.2f}"
        truth = d["true_j"] >= a.threshold
        cands = preds[i]
        flagged = bool(cands)
        # Generous to datasketch: correct if any candidate is a true match.
        correct = any(jac(sets[i], sets[j]) >= a.threshold for j in cands)
        planted = any(docs[j]["family"] == d["family"] for j in cands)
        for k in (key, "all"):
            r = rows.setdefault(k, {"truth": 0, "found": 0, "pred": 0, "correct": 0, "planted": 0, "j": []})
            r["truth"] += truth
            r["found"] += truth and flagged
            r["pred"] += flagged
            r["correct"] += correct
            r["planted"] += planted
            r["j"].append(d["true_j"])
        if d["true_j"] >= 0.85:
            j85[0] += 1
            j85[1] += flagged
    b, r_ = (lsh.b, lsh.r)
    print(f"== datasketch {__import__('datasketch').__version__} MinHashLSH: {len(docs)} docs, ngram {a.ngram}, "
          f"threshold {a.threshold}, num_perm {a.num_perm}, bands {b} x rows {r_} ==")
    print(f"  {'rate':<6} {'truth':>6} {'mean J':>9} {'recall':>7} {'precision':>9} {'planted':>8}")
    out = {}
    for k in sorted(rows):
        r = rows[k]
        rec = r["found"] / r["truth"] if r["truth"] else 1.0
        prec = r["correct"] / r["pred"] if r["pred"] else 1.0
        pl = r["planted"] / r["pred"] if r["pred"] else 1.0
        mean = sum(r["j"]) / len(r["j"])
        print(f"  {k:<6} {r['truth']:>6} {mean:>9.3f} {rec:>7.3f} {prec:>9.3f} {pl:>8.3f}")
        out[k] = {"truth": r["truth"], "recall": round(rec, 3), "precision": round(prec, 3), "precision_planted": round(pl, 3)}
    rec85 = j85[1] / j85[0] if j85[0] else 1.0
    print(f"  recall on copies with true J >= 0.85: {rec85:.3f} (n = {j85[0]})")
    print(f"  insert+query (incl. MinHash of the shingles): {secs:.2f}s, {len(docs) / secs:.0f} docs/s, {mb / secs:.2f} MB/s")
    print(json.dumps({"peer": "datasketch", "bands": b, "rows": r_, "rows_by_rate": out, "recall_j085": round(rec85, 3),
                      "docs_s": round(len(docs) / secs), "mb_s": round(mb / secs, 3)}))


if __name__ == "__main__":
    main()
