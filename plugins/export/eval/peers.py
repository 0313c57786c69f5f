#!/usr/bin/env python3
"""Open docpipe's export outputs with the tools users load them into (pandas, pyarrow,
DuckDB) and check they agree with the JSONL record.

Run `cargo run --release -p docpipe-export --example eval` first (it writes
target/export-eval/). This script creates or reuses its own venv at
target/eval/venv-export, installs pinned versions, and prints one line per check plus a
JSON line. Never needed by the project's tests.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VENV = os.path.join(ROOT, "target", "eval", "venv-export")
OUT = os.path.join(ROOT, "target", "export-eval")
PINS = ["pandas==2.2.3", "pyarrow==18.1.0", "duckdb==1.1.3"]


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    subprocess.check_call([py, "-m", "pip", "install", "-q", *PINS])
    return py


def layers(m):
    """A nested `annotations` value (pyarrow reads a map as (key, value) pairs) back into
    the record's form: span fields that are null are left out, `fields` is merged in."""
    out = {}
    for name, spans in m or []:
        layer = []
        for s in spans:
            d = {"start": s["start"], "end": s["end"]}
            for k in ("label", "text"):
                if s[k] is not None:
                    d[k] = s[k]
            if s["fields"] is not None:
                d.update(json.loads(s["fields"]))
            for k in ("canonical", "entity_id"):
                if s[k] is not None:
                    d[k] = s[k]
            layer.append(d)
        out[name] = layer
    return out


def main():
    if os.environ.get("DOCPIPE_PEERS_INNER") != "1":
        py = ensure_venv()
        env = dict(os.environ, DOCPIPE_PEERS_INNER="1")
        sys.exit(subprocess.call([py, __file__], env=env))
    import duckdb
    import pandas as pd
    import pyarrow.parquet as pq

    records = [json.loads(l) for l in open(os.path.join(OUT, "gold.jsonl"), encoding="utf-8")]
    results = {}

    df = pd.read_json(os.path.join(OUT, "gold.jsonl"), lines=True)
    results["pandas.read_json rows"] = len(df) == len(records) and list(df["id"]) == [r["id"] for r in records]

    t = pq.read_table(os.path.join(OUT, "gold.parquet"))
    ok = t.num_rows == len(records)
    ok &= t.column("text").to_pylist() == [r["text"] for r in records]
    ok &= [layers(m) for m in t.column("annotations").to_pylist()] == [r["annotations"] for r in records]
    ok &= t.column("attributes_summary_text").to_pylist() == [
        r["attributes"].get("summary", {}).get("text") for r in records
    ]
    results["pyarrow parquet equals jsonl"] = bool(ok)

    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{OUT}/gold.parquet')").fetchone()[0]
    ents = con.execute(
        f"select label, count(*) from read_csv_auto('{OUT}/entities.csv', header=true) group by label order by 2 desc"
    ).fetchall()
    gold_ents = sum(len(r["annotations"].get("entities", [])) for r in records)
    results["duckdb parquet rows"] = n == len(records)
    # Entity labels straight from the nested column, no json_extract.
    nested = con.execute(
        f"select count(*) from (select unnest(map_extract(annotations, 'entities')[1]) as e "
        f"from read_parquet('{OUT}/gold.parquet')) where e.label is not null"
    ).fetchone()[0]
    results["duckdb nested entity spans"] = nested == gold_ents
    results["duckdb csv entity rows"] = sum(c for _, c in ents) == gold_ents
    j = con.execute(f"select count(*) from read_json_auto('{OUT}/gold.jsonl', format='newline_delimited')").fetchone()[0]
    results["duckdb jsonl rows"] = j == len(records)

    csv = pd.read_csv(os.path.join(OUT, "entities.csv"), keep_default_na=False)
    results["pandas csv entity rows"] = len(csv) == gold_ents and set(csv["doc_id"]) <= {r["id"] for r in records}

    for k, v in results.items():
        print(f"{'ok  ' if v else 'FAIL'} {k}")
    print(json.dumps({"peers": "export", "versions": PINS, "checks": results}))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
