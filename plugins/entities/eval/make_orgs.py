#!/usr/bin/env python3
"""Derive the organisation and region gazetteers from MIT-licensed npm and PyPI packages.

Usage (npm and node needed only here, never by the build):

    mkdir -p /tmp/npmx && cd /tmp/npmx
    npm install compromise@14.17.0          # its lexicon is packed; node unpacks it below
    npm pack country-region-data@4.1.0 && tar xzf country-region-data-4.1.0.tgz
    pip download --no-deps -d /tmp/npmx pytickersymbols==1.17.10
    python3 plugins/entities/eval/make_orgs.py /tmp/npmx

Writes `data/orgs.tsv` (compromise's `Organization` and `SportsTeam` lexicon entries, which it
stores lower-cased, re-cased here), `data/companies.tsv` (the constituents of 20 stock indices
that pytickersymbols ships) and `data/regions.tsv` (first-level subdivisions of every country:
states, provinces, regions). See data/SOURCES.md.
"""
import ast
import json
import re
import subprocess
import zipfile
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
DATA = HERE / "data"

DUMP_JS = """
const m = require(process.argv[1] + '/node_modules/compromise');
const one = (m.default || m).world().model.one;
const lex = Object.assign({}, one.lexicon, one.frozenLex || {});
const out = {};
for (const [k, v] of Object.entries(lex)) {
  for (const t of (Array.isArray(v) ? v : [v])) { (out[t] = out[t] || []).push(k); }
}
const want = ['Organization', 'SportsTeam', 'LastName', 'Person', 'FirstName', 'MaleName', 'FemaleName'];
console.log(JSON.stringify(Object.fromEntries(want.map(t => [t, (out[t] || []).sort()]))));
"""

LOWER = {"of", "and", "the", "for", "on", "de", "du", "la", "le", "des", "in", "at", "&"}


def data_words(name):
    return {l.strip() for l in (DATA / name).read_text(encoding="utf-8").splitlines()
            if l.strip() and not l.startswith("#")}


def casings(name, common):
    """The lexicon keeps no case: `new york times` → `New York Times`, `at&t` → `AT&T`. A short
    word that is not a frequent English word may be an acronym or a name (`bbc`, `nike`, `fc
    barcelona`, `usa today`), so both its upper-case and title-case forms are given (the canonical one: upper case for a
    single word or a word without vowels)."""
    words = name.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    forms = [[]]
    for i, w in enumerate(words):
        letters = "".join(c for c in w if c.isalpha())
        title = "-".join(p[:1].upper() + p[1:] for p in w.split("-"))
        if i > 0 and w in LOWER:
            options = [w]
        elif "&" in w:
            options = [w.upper()]
        elif w not in common and (len(letters) <= 3 or (len(words) == 1 and len(letters) <= 4)):
            vowel = any(c in "aeiou" for c in letters)
            options = [title, w.upper()] if vowel and len(words) > 1 else [w.upper(), title]
        else:
            options = [title]
        forms = [f + [o] for f in forms for o in options]
    return [" ".join(f) for f in forms]


LEGAL = re.compile(
    r",? (Inc\.?|Corp\.?|Corporation|Company|Co\.|plc|PLC|SE|AG|SA|S\.A\.|N\.V\.|NV|Ltd\.?|Limited|Holdings?|Group)$"
)


def read_indices(base):
    """The `INDICES` literal of pytickersymbols (read as data, never imported)."""
    whl = next(base.glob("pytickersymbols-1.17.10*.whl"))
    src = zipfile.ZipFile(whl).read("pytickersymbols/indices_data.py").decode("utf-8")
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "INDICES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("INDICES not found in pytickersymbols")


def company_forms(name, common, people, geo):
    """`Adobe Inc.` → `Adobe Inc.` (a one-word name only when its shape marks a company)."""
    name = " ".join(name.split())
    forms = [name]
    short = LEGAL.sub("", name).strip(" ,")
    if short and short != name:
        forms.append(short)
    out = []
    for f in forms:
        words = f.split()
        if not words or not f[:1].isalnum():
            continue
        if len(words) == 1:
            # One word only when its shape marks a company (`AbbVie`, `ExxonMobil`, `3M`,
            # `ASML`): a plain capitalised word may be a surname or a word (`Gates`, `Compass`).
            letters = [c for c in f if c.isalpha()]
            acronym = len(letters) >= 3 and all(c.isupper() for c in letters)
            mixed = any(c.islower() for c in letters)
            inner = mixed and any(c.isupper() for c in f[1:]) or any(c.isdigit() for c in f) and len(f) >= 2
            if not (acronym or inner) or f.isdigit() or f.lower() in common or f in geo:
                continue
        elif f in geo:
            continue
        out.append(f)
    return out


def ascii_fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def main():
    base = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/npmx")
    lex = json.loads(subprocess.check_output(["node", "-e", DUMP_JS, str(base)]))
    common = data_words("common-words.txt")
    given = {w.lower() for line in data_words("given-names.txt") | data_words("given-names-intl.txt")
             for w in line.split()}
    people = set(lex["LastName"]) | set(lex["Person"]) | set(lex["FirstName"]) | set(lex["MaleName"]) \
        | set(lex["FemaleName"]) | given
    geo = {l.split("\t")[0] for l in (DATA / "geo.tsv").read_text(encoding="utf-8").splitlines()
           if l and not l.startswith("#")}

    orgs = {}
    for tag in ["Organization", "SportsTeam"]:
        for name in lex[tag]:
            words = name.split()
            if len(words) == 1 and (name in common or name in people or len(name) < 2):
                continue  # `visa`, `ford`, `co`: a word or a surname more often than a company
            if any(c.isdigit() for c in name) and len(words) == 1 and len(name) <= 3:
                continue
            if name in {"inc", "ltd", "co", "assn", "dept", "univ"}:
                continue
            forms = casings(name, common)
            for surface in forms:
                if surface not in geo:
                    orgs.setdefault(surface, forms[0])
    with open(DATA / "orgs.tsv", "w", encoding="utf-8") as f:
        f.write("# Generated by eval/make_orgs.py from the lexicon of the npm package compromise 14.17.0\n")
        f.write("# (Spencer Kelly, MIT licence): its Organization and SportsTeam entries, re-cased (the\n")
        f.write("# lexicon is lower case); single words that are frequent English words, given names or\n")
        f.write("# surnames are left out. surface<TAB>label<TAB>canonical\n")
        for s in sorted(orgs):
            f.write(f"{s}\tORG\t{orgs[s]}\n")

    companies = {}
    for index in read_indices(base).values():
        for c in index["companies"]:
            forms = company_forms(c["name"], common, people, geo)
            for f in forms:
                if f not in orgs:
                    companies.setdefault(f, forms[-1] if len(forms) > 1 else f)
    with open(DATA / "companies.tsv", "w", encoding="utf-8") as f:
        f.write("# Generated by eval/make_orgs.py from the PyPI package pytickersymbols 1.17.10 (MIT\n")
        f.write("# licence; its index data is drawn from Wikipedia): the constituents of 20 stock indices\n")
        f.write("# (AEX, BEL 20, CAC 40, DAX, Dow Jones, EURO STOXX 50, FTSE 100, IBEX 35, NASDAQ 100,\n")
        f.write("# Nikkei 225, S&P 100/500/600, ...), full names and names without a legal suffix; a one-word\n")
        f.write("# name only when written as an acronym or with an inner capital or digit (AbbVie, 3M). surface<TAB>label<TAB>canonical\n")
        for s in sorted(companies):
            f.write(f"{s}\tORG\t{companies[s]}\n")

    data = json.loads((base / "package" / "data.json").read_text(encoding="utf-8"))
    regions = {}
    for country in data:
        for r in country["regions"]:
            name = r["name"].strip()
            if not name or any(c in name for c in ",()/") or not name[:1].isupper():
                continue
            words = name.split()
            low = name.lower()
            if len(words) == 1 and (low in common or low in people):
                continue  # `Centre`, `Angus`, `Bolton`: a word or a name more often than a region
            if name in geo or name == country["countryName"]:
                continue
            for form in {name, ascii_fold(name)}:
                regions.setdefault(form, name)
    with open(DATA / "regions.tsv", "w", encoding="utf-8") as f:
        f.write("# Generated by eval/make_orgs.py from the npm package country-region-data 4.1.0\n")
        f.write("# (Benjamin Keen, MIT licence): first-level subdivisions of every country (states,\n")
        f.write("# provinces, regions); single words that are frequent English words or names, or already\n")
        f.write("# in geo.tsv, are left out. surface<TAB>label<TAB>canonical\n")
        for s in sorted(regions):
            f.write(f"{s}\tGPE\t{regions[s]}\n")
    print(f"orgs.tsv: {len(orgs)} rows; companies.tsv: {len(companies)} rows; regions.tsv: {len(regions)} rows")


if __name__ == "__main__":
    main()
