#!/usr/bin/env python3
"""Annotation lint: list words outside entity markup that often belong in one.

Helper for annotators only (not part of the build). Prints candidates:
digits, number words, ordinals, weekday/month names, duration words and
capitalised words that are not sentence-initial. Review by hand.
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src")
ENT = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)(?:\|[^\[\]|]+)?\]")
NUMW = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|dozens|hundreds|thousands"
ORDW = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last"
TIMEW = r"day|days|week|weeks|month|months|year|years|decade|decades|hour|hours|minute|minutes|morning|evening|night|afternoon|yesterday|today|tomorrow|tonight|annual|annually"
DAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December"
PAT = re.compile(rf"\b({NUMW}|{ORDW}|{TIMEW}|{DAYS})\b|\d", re.I)
OK_CAPS = set("""I A The This That These Those It Its He She They We You Our His Her Their
But And Or So If When While Under After Before For In On At By From With Without As Of To Not No
Related READ MORE Photo Image Reporting Additional By Everybody Nobody Now Then There Here What Who Why How
Mr Mrs Ms Dr Judge Justice Captain President Minister Cabinet Secretary Commerce Trade Governor Chief""".split())

def main():
    only = sys.argv[1:] 
    for name in sorted(os.listdir(SRC)):
        if not name.endswith(".art") or (only and name not in only):
            continue
        for n, line in enumerate(open(os.path.join(SRC, name), encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line or line[0] in "#@=" or re.match(r"^[a-z_]+:", line):
                continue
            plain = ENT.sub(lambda m: "\u2588" * len(m.group(1)), line.lstrip("+")).replace("<<", "").replace(">>", "")
            hits = [m.group(0) for m in PAT.finditer(plain)]
            caps = [w for i, w in enumerate(re.findall(r"[A-Z][\w'-]*", plain))
                    if w not in OK_CAPS and not plain.startswith(w)]
            if hits or caps:
                print(f"{name}:{n}: {' '.join(hits)} | {' '.join(caps)}")

main()
