#!/usr/bin/env python3
"""Side-by-side with pysbd: the English Golden Rules and throughput on the sample corpus.

Creates (or reuses) a venv at target/eval/venv-splitter with a pinned pysbd, reads the
Golden Rules from the *installed* package at run time (benchmarks/english_golden_rules.py is
not copied into the repo), runs docpipe's sentence splitter on the same texts through
`cargo run --release -p docpipe-splitter --example sentences`, and prints pass counts and
MB/s for both. Usage (from the repository root):

    python3 plugins/splitter/eval/golden_rules.py
"""
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV = ROOT / "target" / "eval" / "venv-splitter"
PYSBD = "pysbd==0.3.4"


def ensure_venv():
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    have = subprocess.run([str(py), "-c", "import pysbd"], capture_output=True)
    if have.returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", PYSBD], check=True)
    return py


def inner():
    """Runs inside the venv: prints a JSON object with cases and pysbd results."""
    import importlib.util

    import pysbd

    base = pathlib.Path(pysbd.__file__).parent
    cands = [p for p in [base.parent / "benchmarks" / "english_golden_rules.py"] if p.exists()]
    cands = cands or list(base.rglob("english_golden_rules.py"))
    if not cands:
        raise SystemExit("english_golden_rules.py not found in the installed pysbd")
    spec = importlib.util.spec_from_file_location("english_golden_rules", cands[0])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rules = mod.GOLDEN_EN_RULES
    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    passed = [[s.strip() for s in seg.segment(t)] == want for t, want in rules]
    corpus = "".join(p.read_text() for p in sorted((ROOT / "tests" / "corpus").glob("*.txt")))
    t = time.perf_counter()
    rounds = 0
    while time.perf_counter() - t < 3.0:
        seg.segment(corpus)
        rounds += 1
    mbps = len(corpus.encode()) * rounds / 1e6 / (time.perf_counter() - t)
    print(json.dumps({"rules": rules, "pysbd_pass": passed, "pysbd_mb_per_s": mbps}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        return inner()
    py = ensure_venv()
    data = json.loads(subprocess.run([str(py), __file__, "--inner"], check=True, capture_output=True, text=True).stdout)
    rules = data["rules"]
    # SPLITTER_BIN: a prebuilt `sentences` example binary (else cargo builds it).
    cargo = [os.environ["SPLITTER_BIN"]] if os.environ.get("SPLITTER_BIN") else [
        "cargo", "run", "-q", "--release", "-p", "docpipe-splitter", "--example", "sentences"]
    inp = "".join(json.dumps(t) + "\n" for t, _ in rules)
    out = subprocess.run(cargo, input=inp, capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    ours = [json.loads(l) == want for l, (_, want) in zip(out, rules)]
    for i, ((text, want), ok, pok) in enumerate(zip(rules, ours, data["pysbd_pass"])):
        if not ok:
            print(f"docpipe fails rule {i + 1}: {text!r} -> {json.loads(out[i])!r}")
    corpus = ROOT / "target" / "eval" / "splitter-corpus.txt"
    corpus.write_text("".join(p.read_text() for p in sorted((ROOT / "tests" / "corpus").glob("*.txt"))))
    extra = ["--time", str(corpus)] if os.environ.get("SPLITTER_BIN") else ["--", "--time", str(corpus)]
    timing = json.loads(subprocess.run(cargo + extra, capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    n = len(rules)
    print(f"{'':28} {'docpipe':>10} {'pysbd':>10}")
    print(f"{'golden rules passed':28} {sum(ours):>7}/{n} {sum(data['pysbd_pass']):>7}/{n}")
    print(f"{'MB/s on tests/corpus (1 thr)':28} {timing['mb_per_s']:>10.1f} {data['pysbd_mb_per_s']:>10.3f}")
    print(f"speed ratio docpipe/pysbd: {timing['mb_per_s'] / data['pysbd_mb_per_s']:.0f}x")
    print(json.dumps({"eval": "splitter-golden-rules", "docpipe_pass": sum(ours), "pysbd_pass": sum(data["pysbd_pass"]), "of": n,
                      "docpipe_mb_per_s": round(timing["mb_per_s"], 1), "pysbd_mb_per_s": round(data["pysbd_mb_per_s"], 3)}))


if __name__ == "__main__":
    main()
