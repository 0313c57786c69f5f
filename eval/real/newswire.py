"""Real newswire for issue 13: classic wire stories in the shapes the issue opens with.

R's text-mining package `tm` ships 80 stories of the Reuters-21578 collection (1987 Reuters
newswire) as its example texts: `texts/crude/*.xml` (20), `texts/acq/*.xml` (50) and
`texts/reuters-21578.xml` (10). Debian packages it as `r-cran-tm` (version 0.7-11-1 here;
the package is GPL-3; the Reuters-21578 texts are distributed by Reuters Ltd. and Carnegie
Group for research use). Nothing of it is committed: the eval fetches the package with
`apt-get download` (no root needed) into target/eval/real/deb/, or reads an installed copy.

Each story is its headline (`TITLE`, in capitals, often with a ticker: `HOUSTON OIL <HO>
RESERVES STUDY COMPLETED`, `<COFAB INC> BUYS GULFEX …`), then its dateline and body as the
wire set them: hard-wrapped at about 65 columns, each paragraph's first line indented, a
` Reuter` sign-off line at the end. 8 stories of a split in a row make a dump, in four shapes:

- `newswire-wrapped`: as the wire sent them, stories one after another;
- `newswire-bare`: the same without the sign-off lines (the next headline then follows the
  last body line flush left, as a continuation line would);
- `newswire-flush`: as sent, but each story's first line (its dateline) flush left under its
  headline, as the collection's files store it;
- `newswire-lines`: one paragraph per line (wrapped lines joined), sign-offs left out.

Gold: the line where each story's headline is. The same stories (headline, then the body one
paragraph per line) are also an entity set against spaCy md as silver (run.py). Split: a story is dev when the first byte of
the SHA-1 of `tm:<folder>/<file>` (`tm:reuters-21578.xml#<NEWID>`) is below 128. The test
split is never looked at while tuning; --errors prints dev errors only.
"""

import hashlib
import html
import re

import debian

STORIES_PER_DUMP = 8
DEB = "r-cran-tm"
TEXTS = "usr/lib/R/site-library/tm/texts"
LAYOUTS = ["wrapped", "bare", "flush", "lines"]


def split_of(key):
    return "dev" if hashlib.sha1(key.encode()).digest()[0] < 128 else "test"


def texts_dir(out, given=None):
    """tm's `texts` folder: given, installed (`apt-get install r-cran-tm`), or fetched from
    Debian with `apt-get download` and unpacked under out/deb/."""
    return debian.package_dir(out, DEB, TEXTS, given, probe="acq")


def _story(key, record):
    title = re.search(r"<TITLE>(.*?)</TITLE>", record, re.S)
    body = re.search(r"<BODY>(.*?)</BODY>", record, re.S)
    if not (title and body):
        return None
    dateline = re.search(r"<DATELINE>(.*?)</DATELINE>", record, re.S)
    dl = html.unescape(dateline.group(1)).strip() if dateline else ""
    head = " ".join(html.unescape(title.group(1)).split())
    # The dateline opens the first paragraph, indented like the others.
    text = "    " + (dl + " " if dl else "") + html.unescape(body.group(1)).strip("\n").lstrip()
    return key, split_of(key), head, text.rstrip()


def stories(out, given=None):
    """[(key, split, headline, dateline and body as wrapped)] in file order; [] when the
    package cannot be had."""
    d = texts_dir(out, given)
    if d is None:
        return []
    found = []
    for folder in ["crude", "acq"]:
        for f in sorted((d / folder).glob("*.xml")):
            s = _story(f"tm:{folder}/{f.name}", f.read_text(encoding="latin-1"))
            if s:
                found.append(s)
    big = d / "reuters-21578.xml"
    if big.exists():
        for rec in re.findall(r"<REUTERS.*?</REUTERS>", big.read_text(encoding="latin-1"), re.S):
            newid = re.search(r'NEWID="(\d+)"', rec)
            s = _story(f"tm:reuters-21578.xml#{newid.group(1) if newid else '?'}", rec)
            if s:
                found.append(s)
    return found


SIGNOFF = re.compile(r"\n[ \t]*Reuter[ \t]*$")


def unwrapped(text):
    """A story's dateline and body one paragraph per line, the sign-off left out."""
    paras = []
    for ln in SIGNOFF.sub("", text).split("\n"):
        if ln[:1].isspace() or not paras:
            paras.append(ln.strip())
        else:
            paras[-1] += " " + ln.strip()
    return "\n".join(p for p in paras if p)


def render(layout, group):
    """The dump text and the 0-based line of each story's headline."""
    lines, starts = [], []
    for _, _, head, text in group:
        starts.append(len(lines))
        lines.append(head)
        if layout == "flush":
            text = text.lstrip()
        elif layout != "wrapped":
            text = SIGNOFF.sub("", text)
        if layout == "lines":
            lines.extend(unwrapped(text).split("\n"))
        else:
            lines.extend(ln.rstrip() for ln in text.split("\n"))
    return "\n".join(lines) + "\n", starts


def shapes(found):
    return [f"newswire-{layout}" for layout in LAYOUTS] if found else []


def build(found, out, groups):
    """Writes the dumps under out/dumps/SHAPE/SPLIT/; returns {(shape, split, name): meta}."""
    meta = {}
    for split in ["dev", "test"]:
        docs = [s for s in found if s[1] == split]
        for n, group in groups(docs, STORIES_PER_DUMP):
            for layout in LAYOUTS:
                shape = f"newswire-{layout}"
                text, starts = render(layout, group)
                d = out / "dumps" / shape / split
                d.mkdir(parents=True, exist_ok=True)
                name = f"{split}-{n:03d}.txt"
                (d / name).write_text(text)
                meta[(shape, split, name)] = {"starts": starts, "quotes": [], "ids": [s[0] for s in group]}
    return meta
