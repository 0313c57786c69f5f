#!/usr/bin/env python3
"""The extraction peers of `eval/extract/run.py`, run inside target/eval/venv-extract.

Usage: peers.py PAGES.jsonl OUT.json [--only NAME,NAME]

PAGES.jsonl holds one record per page: {"key": "real/cnn_001", "path": "/abs/page.html"}.
Every peer gets the page's raw bytes (each does its own encoding detection, as docpipe's
reader does), one page at a time, in one process, single-threaded. OUT.json is
{peer: {"version": ..., "pages": {key: {"text": str, "title": str|null, "seconds": float}}}},
where `seconds` is the extraction call alone (file reading excluded, HTML parsing included),
after one untimed warm-up call on a small built-in page.

Peers and settings (each with its defaults unless said):
- trafilatura 2.3.1: `bare_extraction(html, include_comments=False, with_metadata=True)`
  (comments off: the gold holds no reader comments), text and title from the same call;
- readability-lxml 0.9: `Document(html).summary(html_partial=True)` turned into text (block
  elements end a line), title from `short_title()` (also timed);
- resiliparse 2.0.1: `extract_plain_text(HTMLTree.parse_from_bytes(html, detect_encoding(html)),
  main_content=True)`, title from `tree.title`;
- justext 3.0.2: paragraphs not classified boilerplate, English stop list for every page (so it is
  expected to fail on the non-English pages: listed for completeness), no title.
"""
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

BLOCK = {
    "p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "tr", "table", "figure", "figcaption", "dl", "dt", "dd", "header",
    "footer", "main", "aside", "br", "hr", "td", "th",
}


def html_fragment_text(fragment):
    """Text of an HTML fragment with a line break around every block element (no glued words)."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    out = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            if el.tail:
                out.append(el.tail)
            return
        block = tag in BLOCK
        if block:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if block:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    lines = [" ".join(l.split()) for l in "".join(out).split("\n")]
    return "\n\n".join(l for l in lines if l)


def trafilatura_peer():
    import trafilatura

    def run(html):
        doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
        if doc is None:
            return "", None
        if isinstance(doc, dict):
            return doc.get("text") or "", doc.get("title")
        return doc.text or "", doc.title

    return "trafilatura", version("trafilatura"), run


def readability_peer():
    from readability import Document

    def run(html):
        d = Document(html)
        text = html_fragment_text(d.summary(html_partial=True))
        return text, d.short_title()

    return "readability-lxml", version("readability-lxml"), run


def resiliparse_peer():
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import detect_encoding
    from resiliparse.parse.html import HTMLTree

    def run(html):
        tree = HTMLTree.parse_from_bytes(html, detect_encoding(html))
        return extract_plain_text(tree, main_content=True), tree.title

    return "resiliparse", version("resiliparse"), run


def justext_peer():
    import justext

    stop = justext.get_stoplist("English")

    def run(html):
        paras = justext.justext(html, stop)
        return "\n\n".join(p.text for p in paras if not p.is_boilerplate), None

    return "justext", version("justext"), run


# Run once, untimed, before the timed pages: the first call of some peers loads their lazy parts
# (trafilatura's charset detection takes about 3.5 s on its first page without a declared charset).
WARM_UP = (
    "<html><head><title>Warm-up</title></head><body><nav><a href='/'>Home</a></nav><article>"
    + "<p>Première phrase d’un paragraphe assez long pour être gardé, avec des accents.</p>" * 8
    + "</article><footer>© nobody</footer></body></html>"
).encode("utf-8")

PEERS = [trafilatura_peer, readability_peer, resiliparse_peer, justext_peer]


def main():
    pages_path, out_path = sys.argv[1], sys.argv[2]
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    pages = [json.loads(l) for l in Path(pages_path).read_text().splitlines() if l.strip()]
    data = {p["key"]: Path(p["path"]).read_bytes() for p in pages}
    result = {}
    for make in PEERS:
        try:
            name, ver, run = make()
        except ImportError as e:
            print(f"peers: skipping {make.__name__}: {e}", file=sys.stderr)
            continue
        if only and name not in only:
            continue
        try:
            run(WARM_UP)
        except Exception as e:
            print(f"peers: {name} failed on the warm-up page: {type(e).__name__}: {e}", file=sys.stderr)
        out = {}
        for key, html in data.items():
            t = time.perf_counter()
            try:
                text, title = run(html)
            except Exception as e:  # a peer crashing on one page scores that page as empty
                print(f"peers: {name} failed on {key}: {type(e).__name__}: {e}", file=sys.stderr)
                text, title = "", None
            out[key] = {"text": text or "", "title": title, "seconds": time.perf_counter() - t}
        result[name] = {"version": ver, "pages": out}
        print(f"peers: {name} {ver} done ({len(out)} pages)", file=sys.stderr)
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
