#!/usr/bin/env bash
# Byte-for-byte comparison of two docpipe binaries on every shipped pipeline: runs each
# config/*.toml with BIN_A and BIN_B at 1 and 2 threads (and, with --input DIR, over DIR too)
# and compares every output file. stats.json is compared without its timing, thread and memory
# fields, and HTML/Markdown reports with durations masked; everything else must be identical.
#
#   eval/compare_outputs.sh OLD_BIN NEW_BIN [--input DIR]
#
# Used to show that a refactoring changed no output (issue 15: "behaviour and every output
# byte-identical on config/*.toml before and after"). Exit 0 when identical, 1 otherwise.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,10p "$0"; exit 2; }
a=$(realpath "$1"); b=$(realpath "$2"); shift 2
extra=""
if [ "${1:-}" = "--input" ]; then extra=$(realpath "$2"); fi
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

digest() {  # digest DIR: one line per output file, "sha256  path"
    (cd "$1" && find . -type f | sort | while read -r f; do
        case "$f" in
            *stats.json) python3 - "$f" <<'PY' | sha256sum | sed "s#-#$f#"
import json, sys
SKIP = {"seconds", "threads", "peak_rss", "peak_rss_bytes", "mb_per_s", "docs_per_s"}
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k not in SKIP}
    if isinstance(o, list): return [strip(x) for x in o]
    return o
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))
PY
            ;;
            *.html|*.md) sed -E 's/[0-9]+(\.[0-9]+)? ?(s|ms|µs|MB\/s|MB|MiB|GiB|KiB|docs\/s)\b/N\2/g' "$f" | sha256sum | sed "s#-#$f#" ;;
            *) sha256sum "$f" ;;
        esac
    done)
}

status=0
runs=()
for cfg in config/*.toml; do for t in 1 2; do runs+=("$cfg|$t|"); done; done
if [ -n "$extra" ]; then for cfg in config/news.toml config/rag.toml; do runs+=("$cfg|2|$extra"); done; fi
for run in "${runs[@]}"; do
    IFS='|' read -r cfg t input <<<"$run"
    label="$(basename "$cfg" .toml) --threads $t${input:+ --input $input}"
    for side in a b; do
        bin=$a; [ $side = b ] && bin=$b
        args=(run "$cfg" --output "$tmp/$side" --threads "$t" --no-progress -q)
        [ -n "$input" ] && args+=(--input "$input")
        rm -rf "$tmp/$side"
        "$bin" "${args[@]}" >"$tmp/$side.log" 2>&1 || { echo "$label: $bin failed"; tail -3 "$tmp/$side.log"; status=1; }
        digest "$tmp/$side" >"$tmp/$side.sums" 2>/dev/null || true
    done
    if diff -u "$tmp/a.sums" "$tmp/b.sums" >"$tmp/diff"; then
        echo "$label: identical ($(wc -l <"$tmp/a.sums") files)"
    else
        echo "$label: DIFFERENT"; grep '^[-+][0-9a-f]' "$tmp/diff" | sed 's/^/    /'; status=1
    fi
done
exit $status
