#!/usr/bin/env python3
"""datasketch MinHashLSH on docpipe's near-duplicate benchmark (`cargo xtask gen-neardups`).

Input (written by `cargo run --release -p docpipe-dedupe --example eval -- --peers`): one
JSON line per document, in benchmark order, `{"id", "norm"}`, where `norm` is the text
after docpipe's own dedupe normalisation. Shingles are the same word n-grams docpipe uses
(a text shorter than n words gives one shingle of all its words); MinHash has the same
num_perm; the LSH is `MinHashLSH(threshold, num_perm)` with datasketch's own banding.

Like docpipe (first occurrence kept), each document is queried before it is inserted, and
only documents without a candidate are inserted. Two passes over the same MinHashes:

- raw: a document's candidates are what `lsh.query` returns (what a user gets); this pass
  is timed: MinHash of the shingles + query + insert (shingling itself is not timed);
- verified: candidates kept only if datasketch's own `MinHash.jaccard` >= threshold; the
  best one is the reported original; a document is inserted only if none is left.

Output (`--output`): a first line `{"peer", "version", "bands", "rows", "seconds", "docs",
"mb"}`, then per document `{"id", "raw": [candidate ids], "verified": id or null,
"similarity": estimate or null}`. The Rust example prints the side-by-side table.

Usage: python3 plugins/dedupe/eval/datasketch_peer.py --input NORM.jsonl --output PRED.jsonl
       [--ngram 5] [--threshold 0.8] [--num-perm 128]
Creates or reuses the venv target/eval/venv-dedupe (datasketch pinned, from PyPI).
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
    import datasketch
    from datasketch import MinHash, MinHashLSH

    ap = argparse.ArgumentParser()
    ap.add_argument("--input", default=os.path.join(ROOT, "target", "eval", "neardups", "norm.jsonl"))
    ap.add_argument("--output", default=os.path.join(ROOT, "target", "eval", "neardups", "datasketch.jsonl"))
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    a = ap.parse_args()

    ids, encoded, mb = [], [], 0.0
    with open(a.input, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            mb += len(d["norm"].encode("utf-8")) / 1e6
            w = d["norm"].split()
            if len(w) < a.ngram:
                sh = {" ".join(w)} if w else set()
            else:
                sh = {" ".join(w[i : i + a.ngram]) for i in range(len(w) - a.ngram + 1)}
            encoded.append([s.encode("utf-8") for s in sh])

    # Raw pass (timed): MinHash + query + insert, first occurrence kept.
    lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm)
    mins, raw = [], []
    t0 = time.perf_counter()
    for i, enc in enumerate(encoded):
        m = MinHash(num_perm=a.num_perm)
        m.update_batch(enc)
        cands = lsh.query(m)
        if not cands:
            lsh.insert(i, m)
        mins.append(m)
        raw.append(cands)
    secs = time.perf_counter() - t0

    # Verified pass: same MinHashes, candidates checked with MinHash.jaccard.
    lsh2 = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm)
    verified = []
    for i, m in enumerate(mins):
        best = None
        for j in lsh2.query(m):
            s = m.jaccard(mins[j])
            if s >= a.threshold and (best is None or s > best[0] or (s == best[0] and j < best[1])):
                best = (s, j)
        if best is None:
            lsh2.insert(i, m)
        verified.append(best)

    with open(a.output, "w", encoding="utf-8") as out:
        meta = {"peer": "datasketch", "version": datasketch.__version__, "bands": lsh.b, "rows": lsh.r,
                "seconds": secs, "docs": len(ids), "mb": mb}
        out.write(json.dumps(meta) + "\n")
        for i, doc_id in enumerate(ids):
            v = verified[i]
            rec = {"id": doc_id, "raw": [ids[j] for j in sorted(raw[i])],
                   "verified": ids[v[1]] if v else None, "similarity": v[0] if v else None}
            out.write(json.dumps(rec) + "\n")
    print(f"datasketch {datasketch.__version__} MinHashLSH(threshold={a.threshold}, num_perm={a.num_perm}): "
          f"bands {lsh.b} x rows {lsh.r}; {len(ids)} docs insert+query in {secs:.1f}s "
          f"({len(ids) / secs:.0f} docs/s); predictions in {a.output}", flush=True)


if __name__ == "__main__":
    main()
