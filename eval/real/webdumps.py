"""Real scraped-web dumps for issue 13: article splitting on what an HTML-to-text step leaves.

The pages are the 181 news and blog pages of the Article Extraction Benchmark
(github.com/scrapinghub/article-extraction-benchmark, MIT, commit 4a3bc97; on no package
registry, so read from a checkout given with `--aeb DIR`, default target/eval/extract/aeb, and
never committed). Each page becomes the text a common extraction step leaves: trafilatura 2.3.1
(`bare_extraction`, comments off, run in the extract eval's venv by eval/extract/peers.py),
with its headline, standfirst, captions, pull quotes, bylines, related lines and truncated
paywall endings as they come. Where none of the text's first three paragraphs opens with the
page's title, the title is put first as its headline line (a dump of scraped articles carries
one). Pages whose text
is under 50 words are left out.

8 pages of a split in a row make a dump, in three shapes: `web-lines` (one paragraph per line,
no separator between articles), `web-blocks` (blank line between paragraphs and between
articles), `web-wrapped` (hard-wrapped at 65 columns, paragraphs indented). Gold: the line
where each page's text starts. The split is the extract eval's (SHA-1 of the page id), so
the pages read while tuning extraction (dev) are the same here.

The test split is never looked at while tuning; --errors prints dev errors only.
"""

import importlib.util
import json
import subprocess
from pathlib import Path

PAGES_PER_DUMP = 8
MIN_WORDS = 50
WEB_SHAPES = ["web-lines", "web-blocks", "web-wrapped"]


def _extract_eval(root):
    spec = importlib.util.spec_from_file_location("extract_eval", root / "eval" / "extract" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _norm(s):
    return " ".join(s.split()).casefold()


def articles(root, out, aeb_dir):
    """[(key, split, [paragraph])] in page-id order, or [] when the AEB checkout is missing."""
    ex = _extract_eval(root)
    pages = ex.aeb_pages(Path(aeb_dir))
    if not pages:
        return []
    cache = out / "web" / "trafilatura.json"
    lst = out / "web" / "pages.jsonl"
    want = "".join(json.dumps({"key": p["key"], "path": str(p["path"])}) + "\n" for p in pages)
    if not cache.exists() or not lst.exists() or lst.read_text() != want:
        ex.ensure_peer_venv()
        lst.parent.mkdir(parents=True, exist_ok=True)
        lst.write_text(want)
        subprocess.check_call(["nice", "-n", "10", str(ex.VPY), str(root / "eval" / "extract" / "peers.py"),
                               str(lst), str(cache), "--only", "trafilatura"])
    got = json.loads(cache.read_text(encoding="utf-8"))["trafilatura"]["pages"]
    out_ = []
    for p in pages:
        r = got.get(p["key"]) or {}
        paras = [" ".join(l.split()) for l in (r.get("text") or "").split("\n")]
        paras = [l for l in paras if l]
        if sum(len(l.split()) for l in paras) < MIN_WORDS:
            continue
        title = " ".join((r.get("title") or "").split())
        head = _norm(title)[: max(20, len(title) // 2)]
        if title and not any(_norm(p).startswith(head) for p in paras[:3]):
            paras.insert(0, title)
        out_.append((p["key"], p["split"], paras))
    return out_


def build(arts, out, render):
    """Writes the dumps under out/dumps/SHAPE/SPLIT/; returns {(shape, split, name): meta}."""
    meta = {}
    for split in ["dev", "test"]:
        docs = [(k, paras) for k, s, paras in arts if s == split]
        for n, i in enumerate(range(0, len(docs), PAGES_PER_DUMP)):
            group = docs[i:i + PAGES_PER_DUMP]
            if len(group) < 2:
                continue
            for shape in WEB_SHAPES:
                text, starts = render(shape[len("web-"):], [paras for _, paras in group])
                d = out / "dumps" / shape / split
                d.mkdir(parents=True, exist_ok=True)
                name = f"{split}-{n:03d}.txt"
                (d / name).write_text(text)
                meta[(shape, split, name)] = {"starts": starts, "quotes": [], "ids": [k for k, _ in group]}
    return meta
