#!/usr/bin/env python3
"""Side-by-side evaluation of docpipe's summariser with sumy and Lead-k (ROUGE by rouge-score).

Usage (from the repository root; needs python3 and network access to PyPI the first time):

    python3 plugins/summarise/eval/peers.py [--k 3] [--no-build]

What it does:

1. Creates (or reuses) a venv at target/eval/venv-summarise with pinned aclsum, sumy,
   rouge-score and nltk.
2. Builds NLTK Punkt sentence data offline: sumy asks NLTK for `tokenizers/punkt`, which
   NLTK 3.9+ serves from the pickle-free `punkt_tab` format. Instead of downloading it, a
   Punkt model is trained here (nltk's own unsupervised PunktTrainer) on the ACLSum *train*
   and *val* splits and saved as `punkt_tab/english` inside the venv; NLTK_DATA points there.
   Nothing is fetched at run time.
3. Summarises the ACLSum test split (text shipped inside the aclsum wheel; the reference is
   the three aspect summaries, challenge + approach + outcome, joined) with Lead-k, sumy
   LexRank, TextRank and LSA (all at k sentences) and docpipe (cargo example `eval --jsonl`,
   the same k), and scores them with rouge-score (ROUGE-1/2/L F1, Porter stemmer).
4. Does the same on the sample corpus's gold summaries (dev and test separately, originals
   only), so the Rust ROUGE implementation can be checked against rouge-score.
5. Times sumy LexRank and docpipe on the same texts (single thread, summarisation only,
   text already in memory; docpipe's time is measured inside the Rust process). Both wall
   time and CPU time are reported (CPU time: Python's `process_time`, the Rust thread's
   `schedstat`), so a busy machine does not skew the ratio.

Prints a table and one JSON line.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / "target" / "eval" / "venv-summarise"
WORK = ROOT / "target" / "eval" / "summarise"
PINS = ["aclsum==0.1.2", "sumy==0.11.0", "rouge-score==0.1.2", "nltk==3.10.4", "numpy==2.4.6"]


def ensure_venv():
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    marker = VENV / ".pins"
    if not marker.exists() or marker.read_text() != "\n".join(PINS):
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PINS], check=True)
        marker.write_text("\n".join(PINS))
    return py


def reexec_in_venv():
    py = ensure_venv()
    if Path(sys.prefix).resolve() != VENV.resolve():
        # Single-threaded numpy, so the throughput comparison is one thread against one.
        threads = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        env = dict(os.environ, NLTK_DATA=str(VENV / "nltk_data"), **threads)
        os.execve(str(py), [str(py), __file__, *sys.argv[1:]], env)


def build_punkt():
    """Trains Punkt on ACLSum train+val and writes punkt_tab/english (once)."""
    target = VENV / "nltk_data" / "tokenizers" / "punkt_tab" / "english"
    if (target / "ortho_context.tab").exists():
        return
    from aclsum import ACLSum
    from nltk.tokenize.punkt import PunktTrainer, TabEncoder

    text = "\n".join(" ".join(d.get_all_sentences()) for split in ("train", "val") for d in ACLSum(split))
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train(text, finalize=True)
    params = trainer.get_params()
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    tenc = TabEncoder()
    (target / "collocations.tab").write_text(tenc.tups2tab(params.collocations))
    (target / "sent_starters.txt").write_text(tenc.set2txt(params.sent_starters))
    (target / "abbrev_types.txt").write_text(tenc.set2txt(params.abbrev_types))
    (target / "ortho_context.tab").write_text(tenc.ivdict2tab(params.ortho_context))


def docpipe(records, options, build=True):
    """Runs the Rust summariser on records [{id, text}] and returns ({id: summary}, seconds)."""
    WORK.mkdir(parents=True, exist_ok=True)
    inp, out = WORK / "in.jsonl", WORK / "out.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in records))
    cmd = ["cargo", "run", "-q", "--release", "-p", "docpipe-summarise", "--example", "eval", "--"]
    res = subprocess.run([*cmd, "--jsonl", str(inp), str(out), options], check=True, cwd=ROOT,
                         capture_output=True, text=True)
    m = re.search(r"in ([0-9.]+)s", res.stderr)
    secs = float(m.group(1)) if m else float("nan")
    c = re.search(r"cpu ([0-9.]+)s", res.stderr)
    docpipe.cpu = float(c.group(1)) if c else secs
    return {json.loads(l)["id"]: json.loads(l)["summary"] for l in out.read_text().splitlines()}, secs


def sumy_systems(k):
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tok = Tokenizer("english")
    stem = Stemmer("english")
    stops = get_stop_words("english")

    def make(cls):
        s = cls(stem)
        s.stop_words = stops
        return s

    systems = {"sumy-lexrank": make(LexRankSummarizer), "sumy-textrank": make(TextRankSummarizer),
               "sumy-lsa": make(LsaSummarizer)}

    def run(name, text):
        doc = PlaintextParser.from_string(text, tok).document
        if name == "lead":
            return " ".join(str(s) for s in doc.sentences[:k])
        return " ".join(str(s) for s in systems[name](doc, k))

    return ["lead", *systems], run


def score_all(summaries, refs):
    from rouge_score import rouge_scorer

    sc = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    acc = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0, "words": 0.0}
    for i, ref in refs.items():
        s = sc.score(ref, summaries[i])
        for m in ("rouge1", "rouge2", "rougeL"):
            acc[m] += s[m].fmeasure
        acc["words"] += len(summaries[i].split())
    return {m: round(v / max(len(refs), 1), 4) for m, v in acc.items()}


def strip_markup(s):
    return re.sub(r"\[([^\]|]*)\|[^\]]*\]", r"\1", s)


def gold_corpus():
    gold = ROOT / "tests" / "corpus" / "gold"
    arts = json.loads((gold / "articles.json").read_text())["articles"]
    refs = {s["id"]: strip_markup(s["summary"]) for s in json.loads((gold / "summaries.json").read_text())["summaries"]}
    out = []
    for a in arts:
        if a["copy_of"] or a["id"] not in refs:
            continue
        path = ROOT / "tests" / "corpus" / a["file"]
        if a["kind"] == "jsonl":
            text = json.loads(path.read_text(encoding="utf-8").splitlines()[a["record"]])["text"]
        else:
            text = path.read_bytes()[a["start"]:a["end"]].decode("utf-8")
        out.append({"id": a["id"], "split": a["split"], "text": text, "ref": refs[a["id"]]})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=3, help="sentences per summary for every system")
    args = ap.parse_args()
    k = args.k
    build_punkt()
    from aclsum import ACLSum

    names, run = sumy_systems(k)
    results = []

    # 1. ACLSum test split.
    test = ACLSum("test")
    records = [{"id": d.id, "text": " ".join(d.get_all_sentences())} for d in test]
    refs = {d.id: " ".join(d.summaries[a] for a in ("challenge", "approach", "outcome")) for d in test}
    timing, cpu = {}, {}
    for name in names:
        t, c = time.perf_counter(), time.process_time()
        summ = {r["id"]: run(name, r["text"]) for r in records}
        timing[name] = time.perf_counter() - t
        cpu[name] = time.process_time() - c
        results.append({"corpus": "aclsum-test", "system": name, **score_all(summ, refs)})
    for method in ("news", "lead", "textrank", "lexrank", "centroid"):
        summ, secs = docpipe(records, f'method = "{method}"\nsentences = {k}')
        timing[f"docpipe-{method}"] = secs
        cpu[f"docpipe-{method}"] = docpipe.cpu
        results.append({"corpus": "aclsum-test", "system": f"docpipe-{method}", **score_all(summ, refs)})
    aclsum_bytes = sum(len(r["text"].encode()) for r in records)
    # docpipe takes about 10 ms for these papers, too short to time: time it on ten copies.
    copies = [{"id": f"{i}-{r['id']}", "text": r["text"]} for i in range(10) for r in records]
    _, secs = docpipe(copies, f"sentences = {k}")
    timing["docpipe-news"], cpu["docpipe-news"] = secs / 10, docpipe.cpu / 10

    # 2. Sample corpus gold summaries, dev and test separately.
    arts = gold_corpus()
    gold_lead = {}
    for split in ("dev", "test"):
        part = [a for a in arts if a["split"] == split]
        prefs = {a["id"]: a["ref"] for a in part}
        recs = [{"id": a["id"], "text": a["text"]} for a in part]
        for name in ("lead", "sumy-lexrank", "sumy-textrank", "sumy-lsa"):
            summ = {r["id"]: run(name, r["text"]) for r in recs}
            results.append({"corpus": f"news-gold-{split}", "system": name, **score_all(summ, prefs)})
        for label, opts in (("docpipe-news", ""), ("docpipe-lead", 'method = "lead"\nmin_words = 0')):
            summ, _ = docpipe(recs, f"{opts}\nsentences = {k}")
            results.append({"corpus": f"news-gold-{split}", "system": label, **score_all(summ, prefs)})

    # 3. Throughput on the news corpus texts, repeated to about 1 MB.
    news = [{"id": f"{i}-{a['id']}", "text": a["text"]} for i in range(10) for a in arts]
    news_bytes = sum(len(r["text"].encode()) for r in news)
    t, c = time.perf_counter(), time.process_time()
    for r in news:
        run("sumy-lexrank", r["text"])
    sumy_news, sumy_news_cpu = time.perf_counter() - t, time.process_time() - c
    # docpipe on five times as many copies (a 30 ms run is too short to time), per byte.
    _, dp_news = docpipe(news * 5, f"sentences = {k}")
    dp_news, dp_news_cpu = dp_news / 5, docpipe.cpu / 5

    print(f"ROUGE F1 (rouge-score, Porter stemmer), k = {k} sentences for every system")
    print(f"{'corpus':<16} {'system':<18} {'R1':>6} {'R2':>6} {'RL':>6} {'words':>6}")
    for r in results:
        print(f"{r['corpus']:<16} {r['system']:<18} {100 * r['rouge1']:>6.1f} {100 * r['rouge2']:>6.1f} "
              f"{100 * r['rougeL']:>6.1f} {r['words']:>6.1f}")
    mb = lambda b, s: b / 1e6 / s if s > 0 else float("nan")
    speed = {
        "aclsum_bytes": aclsum_bytes,
        "aclsum_sumy_lexrank_mb_s": round(mb(aclsum_bytes, timing["sumy-lexrank"]), 4),
        "aclsum_docpipe_news_mb_s": round(mb(aclsum_bytes, timing["docpipe-news"]), 3),
        "news_bytes": news_bytes,
        "news_sumy_lexrank_mb_s": round(mb(news_bytes, sumy_news), 4),
        "news_docpipe_news_mb_s": round(mb(news_bytes, dp_news), 3),
    }
    speed["aclsum_speedup"] = round(speed["aclsum_docpipe_news_mb_s"] / speed["aclsum_sumy_lexrank_mb_s"], 1)
    speed["news_speedup"] = round(speed["news_docpipe_news_mb_s"] / speed["news_sumy_lexrank_mb_s"], 1)
    # The same on CPU time.
    speed["cpu_aclsum_sumy_lexrank_mb_s"] = round(mb(aclsum_bytes, cpu["sumy-lexrank"]), 4)
    speed["cpu_aclsum_docpipe_news_mb_s"] = round(mb(aclsum_bytes, cpu["docpipe-news"]), 3)
    speed["cpu_news_sumy_lexrank_mb_s"] = round(mb(news_bytes, sumy_news_cpu), 4)
    speed["cpu_news_docpipe_news_mb_s"] = round(mb(news_bytes, dp_news_cpu), 3)
    speed["cpu_aclsum_speedup"] = round(speed["cpu_aclsum_docpipe_news_mb_s"] / speed["cpu_aclsum_sumy_lexrank_mb_s"], 1)
    speed["cpu_news_speedup"] = round(speed["cpu_news_docpipe_news_mb_s"] / speed["cpu_news_sumy_lexrank_mb_s"], 1)
    print("throughput, single thread (MB/s):", ", ".join(f"{k}={v}" for k, v in speed.items()))
    print(json.dumps({"eval": "summarise-peers", "k": k, "rows": results, "speed": speed}))


if __name__ == "__main__":
    reexec_in_venv()
    main()
