#!/usr/bin/env python3
"""Dev-only tuning of docpipe's summariser on the ACLSum train and val splits and the sample
corpus dev split only (it never reads a test split; `peers.py` reports those, once).

Usage (from the repository root, after `peers.py` has created the venv once):

    target/eval/venv-summarise/bin/python plugins/summarise/eval/tune.py \
        [--peers] [--k 3] [--words 60] [CONFIG ...]
    target/eval/venv-summarise/bin/python plugins/summarise/eval/tune.py --boundaries

Each CONFIG is stage options as TOML with `;` between keys (default: the stage defaults),
optionally followed by `|` and internal constants of the `news` method (`rank::Tuning`,
e.g. `position_weight=0.5|half=7;steep=6;floor=0.3;first=0.1;long=50`; the example's
`--jsonl` mode takes them as a fifth argument). Every config runs at `--k` sentences, and
with `--words N` also at a budget of N words without a sentence limit. For every config
and split it prints ROUGE-1/2/L F1 (rouge-score, Porter stemmer), the mean summary length
in words and the mean of the nine ROUGE figures; `--peers` adds Lead-k (punkt sentences)
and sumy's LexRank, TextRank and LSA, as in `peers.py`.
"""

import argparse
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("NLTK_DATA", str(Path(__file__).resolve().parents[3] / "target/eval/venv-summarise/nltk_data"))

import peers  # noqa: E402


def docpipe(records, options, tuning):
    """Like `peers.docpipe`, with internal constants."""
    import json
    import subprocess

    peers.WORK.mkdir(parents=True, exist_ok=True)
    inp, out = peers.WORK / "tune-in.jsonl", peers.WORK / "tune-out.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in records))
    cmd = ["cargo", "run", "-q", "--release", "-p", "docpipe-summarise", "--example", "eval", "--"]
    subprocess.run([*cmd, "--jsonl", str(inp), str(out), options, tuning], check=True, cwd=peers.ROOT,
                   capture_output=True, text=True)
    return {json.loads(l)["id"]: json.loads(l)["summary"] for l in out.read_text().splitlines()}


def splits():
    from aclsum import ACLSum

    out = {}
    for name in ("train", "val"):
        docs = ACLSum(name)
        recs = [{"id": d.id, "text": " ".join(d.get_all_sentences())} for d in docs]
        refs = {d.id: " ".join(d.summaries[a] for a in ("challenge", "approach", "outcome")) for d in docs}
        out[f"aclsum-{name}"] = (recs, refs)
    dev = [a for a in peers.gold_corpus() if a["split"] == "dev"]
    out["news-gold-dev"] = ([{"id": a["id"], "text": a["text"]} for a in dev], {a["id"]: a["ref"] for a in dev})
    return out


def boundaries():
    """Sentence-boundary precision and recall of the stage's own sentence rule on the ACLSum
    train and val splits, against the package's sentence lists (a boundary = the end of a
    sentence in the sentences joined by spaces)."""
    import json
    import subprocess
    from aclsum import ACLSum

    peers.WORK.mkdir(parents=True, exist_ok=True)
    inp, out = peers.WORK / "split-in.jsonl", peers.WORK / "split-out.jsonl"
    for name in ("train", "val"):
        gold = [d.get_all_sentences() for d in ACLSum(name)]
        inp.write_text("".join(json.dumps({"text": " ".join(g)}) + "\n" for g in gold))
        cmd = ["cargo", "run", "-q", "--release", "-p", "docpipe-summarise", "--example", "eval", "--"]
        subprocess.run([*cmd, "--split-jsonl", str(inp), str(out)], check=True, cwd=peers.ROOT)
        tp = fp = fn = 0
        for g, line in zip(gold, out.read_text().splitlines()):
            text = " ".join(g)
            ends, pos = set(), 0
            for s in g:
                pos += len(s.encode("utf-8"))
                ends.add(pos)
                pos += 1
            pred = {e for _, e in json.loads(line)}
            tp, fp, fn = tp + len(ends & pred), fp + len(pred - ends), fn + len(ends - pred)
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        print(f"aclsum-{name}: sentence boundaries P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boundaries", action="store_true",
                    help="only score the stage's own sentence rule against ACLSum's sentences (train, val)")
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--peers", action="store_true", help="also score Lead-k and sumy LexRank, TextRank, LSA")
    ap.add_argument("--words", type=int, default=0,
                    help="also run every config with a word budget of this many words (no sentence limit)")
    ap.add_argument("configs", nargs="*", default=[""])
    args = ap.parse_args()
    if args.boundaries:
        boundaries()
        return
    data = splits()
    rows = []
    if args.peers:
        names, run = peers.sumy_systems(args.k)
        for name in names:
            for split, (recs, refs) in data.items():
                summ = {r["id"]: run(name, r["text"]) for r in recs}
                rows.append((split, name, peers.score_all(summ, refs)))
    configs = list(args.configs)
    if args.words:
        configs += [f"sentences=0;words={args.words};{c}" for c in args.configs]
    for cfg in configs:
        for split, (recs, refs) in data.items():
            toml, _, tuning = cfg.partition("|")
            toml = toml.replace(";", "\n")
            summ = docpipe(recs, toml if "sentences" in toml else f"{toml}\nsentences = {args.k}", tuning)
            rows.append((split, cfg or "(defaults)", peers.score_all(summ, refs)))
    by_name = {}
    for split, name, s in rows:
        by_name.setdefault(name, {})[split] = s
    print(" | ".join(f"{sp:^25}" for sp in data))
    for name, d in by_name.items():
        cells = [f"{100 * s['rouge1']:5.1f} {100 * s['rouge2']:5.1f} {100 * s['rougeL']:5.1f} {s['words']:5.0f}"
                 for s in d.values()]
        mean = sum(100 * (s['rouge1'] + s['rouge2'] + s['rougeL']) / 3 for s in d.values()) / len(d)
        print(" | ".join(cells) + f" | avg {mean:.2f}  {name}")


if __name__ == "__main__":
    main()
