"""Real scraped-web dumps for issue 13: article splitting on what an HTML-to-text step leaves.

Two sets of real pages, both on no package registry, so read from checkouts and never
committed (the extract eval reads the same ones):

- `aeb`: the 181 news and blog pages of the Article Extraction Benchmark
  (github.com/scrapinghub/article-extraction-benchmark, MIT, commit 4a3bc97; `--aeb DIR`,
  default target/eval/extract/aeb), English mostly;
- `traf`: the 990 pages of trafilatura's own evaluation (github.com/adbar/trafilatura,
  Apache-2.0, commit e90b0ef; `--trafilatura DIR`, default target/eval/extract/trafilatura),
  German mostly: news, blogs, shops, forums.

Each page becomes the text a common extraction step leaves: trafilatura 2.3.1
(`bare_extraction`, comments off, run in the extract eval's venv by eval/extract/peers.py),
with its headline, standfirst, captions, pull quotes, bylines, related lines and truncated
paywall endings as they come. Where none of the text's first three paragraphs opens with the
page's title, the title is put first as its headline line (a dump of scraped articles carries
one). A title with a site prefix or suffix (`Site | Headline`) often differs from the page's
own headline, so the dumps then hold a title over a headline, as scraped dumps built from
`<title>` and the text do; the splitter's rule for that shape was chosen on these dev pages,
which is one reason to read the web figures with care. Pages whose text
is under 50 words are left out.

8 pages of a set and split in a row make a dump, in three shapes: `web-SET-lines` (one
paragraph per line, no separator between articles), `web-SET-blocks` (blank line between
paragraphs and between articles), `web-SET-wrapped` (hard-wrapped at 65 columns, paragraphs
indented). Gold: the line where each page's text starts. The split is the extract eval's
(SHA-1 of the page id), so the pages read while tuning extraction (dev) are the same here.

The test split is never looked at while tuning; --errors prints dev errors only.
"""

import importlib.util
import json
import subprocess
from pathlib import Path

PAGES_PER_DUMP = 8
MIN_WORDS = 50
LAYOUTS = ["lines", "blocks", "wrapped"]


def extract_eval(root):
    """The extract eval's module (eval/extract/run.py): its page readers and its split."""
    spec = importlib.util.spec_from_file_location("extract_eval", root / "eval" / "extract" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _norm(s):
    return " ".join(s.split()).casefold()


def articles(root, out, aeb_dir, traf_dir):
    """{set: [(key, split, [paragraph])]} in page-id order; a set whose checkout is missing is
    left out."""
    ex = extract_eval(root)
    found = {}
    sets = (("aeb", ex.aeb_pages(Path(aeb_dir)) if aeb_dir else []),
            ("traf", ex.snippet_pages(Path(traf_dir)) if traf_dir else []))
    for name, pages in sets:
        if pages:
            found[name] = _texts(root, out, ex, name, sorted(pages, key=lambda p: p["key"]))
    return found


def _texts(root, out, ex, name, pages):
    # The cache holds trafilatura's output and the page list it was made from; it is used
    # only when that list is the one wanted now (a failed or interrupted run leaves no cache).
    cache = out / "web" / f"{name}-trafilatura.json"
    lst = out / "web" / f"{name}-pages.jsonl"
    want = "".join(json.dumps({"key": p["key"], "path": str(p["path"])}) + "\n" for p in pages)
    cached = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    if cached.get("pages_list") != want:
        ex.ensure_peer_venv()
        lst.parent.mkdir(parents=True, exist_ok=True)
        lst.write_text(want)
        tmp = cache.with_suffix(".tmp")
        subprocess.check_call(["nice", "-n", "10", str(ex.VPY), str(root / "eval" / "extract" / "peers.py"),
                               str(lst), str(tmp), "--only", "trafilatura"])
        cached = json.loads(tmp.read_text(encoding="utf-8"))
        if "trafilatura" not in cached:
            raise SystemExit(f"eval real: web dumps: trafilatura did not run (see {tmp}); is the extract venv whole?")
        cached["pages_list"] = want
        cache.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
        tmp.unlink()
    got = cached["trafilatura"]["pages"]
    out_ = []
    for p in pages:
        r = got.get(p["key"]) or {}
        paras = [" ".join(l.split()) for l in (r.get("text") or "").split("\n")]
        paras = [l for l in paras if l]
        if sum(len(l.split()) for l in paras) < MIN_WORDS:
            continue
        title = " ".join((r.get("title") or "").split())
        norm_title = _norm(title)
        head = norm_title[: max(20, len(norm_title) // 2)]
        if title and not any(_norm(p).startswith(head) for p in paras[:3]):
            paras.insert(0, title)
        out_.append((p["key"], p["split"], paras))
    return out_


def shapes(sets):
    return [f"web-{name}-{layout}" for name in sets for layout in LAYOUTS]


def build(sets, out, render):
    """Writes the dumps under out/dumps/SHAPE/SPLIT/; returns {(shape, split, name): meta}."""
    meta = {}
    for set_, arts in sets.items():
        meta.update(_build(set_, arts, out, render))
    return meta


def groups(docs, size):
    """Consecutive groups of `size` documents, numbered; a last group of one is left out."""
    for n, i in enumerate(range(0, len(docs), size)):
        if len(docs[i:i + size]) >= 2:
            yield n, docs[i:i + size]


def _build(set_, arts, out, render):
    meta = {}
    for split in ["dev", "test"]:
        docs = [(k, paras) for k, s, paras in arts if s == split]
        for n, group in groups(docs, PAGES_PER_DUMP):
            for layout in LAYOUTS:
                shape = f"web-{set_}-{layout}"
                text, starts = render(layout, [paras for _, paras in group])
                d = out / "dumps" / shape / split
                d.mkdir(parents=True, exist_ok=True)
                name = f"{split}-{n:03d}.txt"
                (d / name).write_text(text)
                meta[(shape, split, name)] = {"starts": starts, "quotes": [], "ids": [k for k, _ in group]}
    return meta
