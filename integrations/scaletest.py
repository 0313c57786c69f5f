#!/usr/bin/env python3
"""Self test of the Spark and Ray drivers: same bytes as a single-process run, and the faults.

    python3 integrations/scaletest.py --engine spark|ray --binary target/release/docpipe \
        --python VENV/bin/python [--corpus DIR | --mb 10] [--shards 1,3] [--faults]

`cargo xtask scale [--ray]` runs this with a venv it installs (see xtask/src/scale.rs). Steps:

1. the input: a generated corpus (`--corpus`, or `cargo xtask gen-corpus --size {mb}MB`),
   its dumps and JSONL files cut into pieces of about 1 MB in WORKDIR/input, with ONE
   malformed JSONL line inserted in the middle of the first JSONL piece;
2. the reference: `docpipe run CONFIG -i INPUT -o REF -j CORES` (one process);
3. for each N in `--shards`: the engine's driver over the same input into a fresh work folder;
   every file of its merged output must equal the reference's byte for byte (`stats.json`:
   equal as JSON once the timing fields are dropped), and the malformed line must be in the
   merged `failed.jsonl`;
4. with `--faults` (on the largest N):
   a. a child that exits non-zero fails the job: a wrapper binary that exits 1 for map shard 1
      of round 0, and a config with `on_error = "fail"` (the malformed line fails its shard);
      the driver must exit non-zero and show the child's stderr;
   c. deleting one shard's `_SUCCESS` and rerunning the driver redoes only that shard: every
      other marker keeps its mtime, and the merged output still equals the reference.

Stdlib only. Ends with a line `N passed, N failed`; exit status 1 if anything failed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVERS = {
    "spark": os.path.join(ROOT, "integrations", "spark", "docpipe_spark.py"),
    "ray": os.path.join(ROOT, "integrations", "ray", "docpipe_ray.py"),
}
# stats.json fields that measure the run rather than the data (dropped before comparing).
TIMING_FIELDS = {
    "seconds", "threads", "peak_rss", "peak_rss_bytes", "elapsed", "started", "finished",
    "mb_per_s", "docs_per_s", "duration_ms", "ms", "wall_seconds", "cpu_seconds",
}
MALFORMED_LINE = '{"id": "scaletest-malformed", "text": "a record cut short by a crash\n'


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"  FAIL  {name}" + (f"\n        {detail}" if detail else ""), flush=True)
        return ok


def say(msg):
    print(f"scaletest: {msg}", flush=True)


def rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def run(cmd, env=None, log_path=None):
    """Runs a command; returns (exit code, seconds, combined output); output also to log_path."""
    started = time.time()
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seconds = time.time() - started
    out = proc.stdout.decode("utf-8", "replace")
    if log_path:
        with open(log_path, "w", encoding="utf-8") as f:
            f.write(" ".join(cmd) + "\n\n" + out)
    return proc.returncode, seconds, out


def last_json(out):
    for line in reversed(out.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def gen_corpus(workdir, mb):
    out = os.path.join(workdir, f"corpus-{mb}MB")
    marker = os.path.join(out, "scale-corpus.json")
    want = {"size": f"{mb}MB", "seed": 7, "generator": "cargo xtask gen-corpus"}
    try:
        with open(marker, encoding="utf-8") as f:
            if json.load(f) == want:
                return out
    except (OSError, ValueError):
        pass
    rmtree(out)
    say(f"generating a {mb} MB corpus with cargo xtask gen-corpus")
    code = subprocess.call(["cargo", "xtask", "gen-corpus", "--size", f"{mb}MB", "--seed", "7", "--out", out], cwd=ROOT)
    if code != 0:
        raise SystemExit("scaletest: cargo xtask gen-corpus failed")
    with open(marker, "w", encoding="utf-8") as f:
        json.dump(want, f)
    return out


def prepare_input(corpus, dest, piece_bytes):
    """Copies the corpus's dumps and JSONL files (not truth.jsonl) to dest, cut at line
    boundaries into pieces of about piece_bytes (gen-corpus writes files of 8 MiB, too few for
    shards to get a fair part), with one malformed JSONL line in the middle of the first JSONL
    piece. Returns dest and (that piece's name, the malformed line's number)."""
    rmtree(dest)
    os.makedirs(dest)
    names = sorted(n for n in os.listdir(corpus) if re.fullmatch(r"(dump-\d+\.txt|articles-\d+\.jsonl)", n))
    if not any(n.endswith(".jsonl") for n in names):
        raise SystemExit(f"scaletest: no articles-*.jsonl in {corpus} to put the malformed line in")
    where = None
    for name in names:
        stem, ext = os.path.splitext(name)
        with open(os.path.join(corpus, name), "rb") as f:
            lines = f.read().splitlines(keepends=True)
        pieces, size = [[]], 0
        for line in lines:
            if size >= piece_bytes:
                pieces.append([])
                size = 0
            pieces[-1].append(line)
            size += len(line)
        for i, piece in enumerate(pieces):
            piece_name = f"{stem}-{i:03d}{ext}"
            if where is None and ext == ".jsonl":
                mid = len(piece) // 2
                piece.insert(mid, MALFORMED_LINE.encode())
                where = (piece_name, mid + 1)
            with open(os.path.join(dest, piece_name), "wb") as f:
                f.writelines(piece)
    return dest, where


def strip_timing(value):
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


def files_under(top):
    found = {}
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, top)] = path
    return found


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            line = a.count(b"\n", 0, i) + 1
            return f"first difference at byte {i} (line {line})"
    return f"one is a prefix of the other ({len(a)} vs {len(b)} bytes)"


def compare_outputs(ref, out):
    """Returns a list of differences between two output folders (empty: identical)."""
    if not os.path.isdir(out):
        return [f"no output folder {out}"]
    a, b = files_under(ref), files_under(out)
    problems = []
    for rel in sorted(set(a) - set(b)):
        problems.append(f"{rel}: missing from the merged output")
    for rel in sorted(set(b) - set(a)):
        problems.append(f"{rel}: only in the merged output")
    for rel in sorted(set(a) & set(b)):
        with open(a[rel], "rb") as f:
            x = f.read()
        with open(b[rel], "rb") as f:
            y = f.read()
        if os.path.basename(rel) == "stats.json":
            sx, sy = strip_timing(json.loads(x)), strip_timing(json.loads(y))
            if sx != sy:
                problems.append(f"{rel}: differs beyond the timing fields:\n{diff_json(sx, sy)}")
        elif x != y:
            problems.append(f"{rel}: {first_difference(x, y)}")
    return problems


def diff_json(x, y, path="$"):
    if isinstance(x, dict) and isinstance(y, dict):
        out = []
        for k in sorted(set(x) | set(y)):
            if k not in x or k not in y or x[k] != y[k]:
                out.append(diff_json(x.get(k), y.get(k), f"{path}.{k}"))
        return "\n".join(out)
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return "\n".join(diff_json(p, q, f"{path}[{i}]") for i, (p, q) in enumerate(zip(x, y)) if p != q)
    return f"          {path}: single {json.dumps(x)[:200]} vs sharded {json.dumps(y)[:200]}"


def malformed_in_failed(out_dir, where):
    """Whether failed.jsonl has the record of the malformed line `where` = (file name, line)."""
    name, line = where
    try:
        with open(os.path.join(out_dir, "failed.jsonl"), encoding="utf-8") as f:
            records = [json.loads(x) for x in f if x.strip()]
    except (OSError, ValueError):
        return False
    for rec in records:
        source = rec.get("source") or {}
        if str(source.get("path", "")).endswith(name) and source.get("line") == line:
            return True
    return False


def markers(work):
    found = {}
    for dirpath, _dirs, files in os.walk(work):
        if "_SUCCESS" in files:
            path = os.path.join(dirpath, "_SUCCESS")
            found[os.path.relpath(path, work)] = os.stat(path).st_mtime_ns
    return found


class Engine:
    def __init__(self, a):
        self.name = a.engine
        self.python = os.path.abspath(a.python)
        self.a = a
        bindir = os.path.dirname(self.python)
        self.env = dict(os.environ)
        self.env["PATH"] = bindir + os.pathsep + self.env.get("PATH", "")
        self.env["NO_COLOR"] = "1"
        if self.name == "spark":
            self.env["PYSPARK_PYTHON"] = self.python
            self.env["PYSPARK_DRIVER_PYTHON"] = self.python
            self.prefix = [
                os.path.join(bindir, "spark-submit"),
                "--master",
                a.master,
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.ui.showConsoleProgress=false",
                DRIVERS["spark"],
            ]
        else:
            self.env["RAY_USAGE_STATS_ENABLED"] = "0"
            self.prefix = [self.python, DRIVERS["ray"], "--num-cpus", str(a.num_cpus)]

    def drive(self, binary, config, shards, work, inputs, output, log_path):
        cmd = [*self.prefix, "--binary", binary, "--config", config, "--shards", str(shards), "--work", work]
        cmd += ["--cores-per-task", str(self.a.cores_per_task), "--output", output]
        for path in inputs:
            cmd += ["-i", path]
        return run(cmd, env=self.env, log_path=log_path)


def show_tail(out, lines=25):
    for line in out.splitlines()[-lines:]:
        print(f"        | {line}")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--engine", choices=sorted(DRIVERS), required=True)
    p.add_argument("--binary", required=True, help="the release docpipe binary")
    p.add_argument("--python", required=True, help="the python of a venv that has pyspark (or ray)")
    p.add_argument("--corpus", help="a gen-corpus output folder (default: generate --mb MB)")
    p.add_argument("--mb", type=int, default=10, help="corpus size when generating it")
    p.add_argument("--shards", default="1,3", help="comma-separated shard counts")
    p.add_argument("--faults", action="store_true", help="also run the fault cases (on the largest N)")
    p.add_argument("--config", default=os.path.join(ROOT, "config", "news.toml"))
    p.add_argument("--dir", default=os.path.join(ROOT, "target", "scale"), help="where everything is written")
    p.add_argument("--master", default="local[2]", help="Spark master")
    p.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray instance")
    p.add_argument("--cores-per-task", type=int, default=1)
    p.add_argument("--piece-mb", type=int, default=1, help="cut the corpus files into pieces of this size")
    p.add_argument("--reference-threads", type=int, default=2, help="-j of the single-process reference")
    a = p.parse_args(argv)

    binary = os.path.abspath(a.binary)
    config = os.path.abspath(a.config)
    top = os.path.abspath(a.dir)
    os.makedirs(top, exist_ok=True)
    corpus = os.path.abspath(a.corpus) if a.corpus else gen_corpus(top, a.mb)
    label = os.path.basename(corpus.rstrip("/"))
    runs = os.path.join(top, f"runs-{a.engine}")
    rmtree(runs)
    os.makedirs(runs)
    inputs, malformed = prepare_input(corpus, os.path.join(runs, "input"), a.piece_mb << 20)
    size = sum(os.path.getsize(path) for path in files_under(inputs).values())
    engine = Engine(a)
    checks = Checks()
    times = {}
    shard_counts = [int(n) for n in a.shards.split(",") if n.strip()]

    say(f"{a.engine}: corpus {label} ({size / 1e6:.1f} MB), config {os.path.relpath(config, ROOT)}, N = {shard_counts}")
    ref = os.path.join(runs, "reference")
    code, secs, out = run(
        [binary, "run", config, "-i", inputs, "-o", ref, "-j", str(a.reference_threads), "--no-progress"],
        env=engine.env,
        log_path=os.path.join(runs, "reference.log"),
    )
    times["single process"] = secs
    if not checks.check(f"single-process docpipe run ({secs:.1f} s)", code == 0, f"exit {code}"):
        show_tail(out)
        return finish(checks, times, runs, a)
    checks.check("reference failed.jsonl holds the malformed line", malformed_in_failed(ref, malformed))

    for n in shard_counts:
        work, merged = os.path.join(runs, f"work-{n}"), os.path.join(runs, f"out-{n}")
        code, secs, out = engine.drive(binary, config, n, work, [inputs], merged, os.path.join(runs, f"drive-{n}.log"))
        times[f"{a.engine} N={n}"] = secs
        if not checks.check(f"{a.engine} driver, N = {n}: exit 0 ({secs:.1f} s)", code == 0, f"exit {code}"):
            show_tail(out)
            continue
        problems = compare_outputs(ref, merged)
        checks.check(f"N = {n}: merged output identical to the single run", not problems, "\n        ".join(problems))
        checks.check(f"N = {n}: the malformed line is in the merged failed.jsonl", malformed_in_failed(merged, malformed))

    if a.faults and shard_counts:
        n = max(shard_counts)
        fault_child_exit(a, engine, checks, times, binary, config, inputs, runs, n)
        fault_on_error_fail(a, engine, checks, times, binary, config, inputs, runs, n)
        fault_resume(a, engine, checks, times, binary, config, inputs, runs, n, ref)
    return finish(checks, times, runs, a)


def fault_child_exit(a, engine, checks, times, binary, config, inputs, runs, n):
    """(a) a child that exits 1 (map shard 1 of round 0) fails the job, with its stderr shown."""
    shard = 1 if n > 1 else 0
    wrapper = os.path.join(runs, "failing-docpipe")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(
            "#!/bin/sh\n"
            f"# scaletest: a docpipe whose map task for shard {shard} of round 0 fails\n"
            f'case " $* " in *" map "*"--round 0 "*"--shard {shard} "*)\n'
            f'  echo "scaletest: injected failure of shard {shard}" >&2; exit 1;;\n'
            "esac\n"
            f'exec "{binary}" "$@"\n'
        )
    os.chmod(wrapper, 0o755)
    work, merged = os.path.join(runs, "work-fail-exit"), os.path.join(runs, "out-fail-exit")
    code, secs, out = engine.drive(wrapper, config, n, work, [inputs], merged, os.path.join(runs, "drive-fail-exit.log"))
    times["fault: child exits 1"] = secs
    ok = checks.check(f"fault a: a child exiting 1 fails the {a.engine} job ({secs:.1f} s)", code != 0, "exit 0")
    if ok:
        checks.check(
            "fault a: the failure shows the child's stderr and exit code",
            f"injected failure of shard {shard}" in out and "exited with code 1" in out,
        )
        checks.check(
            "fault a: no marker for the failed shard, no merged output",
            not os.path.exists(os.path.join(work, "round-0", f"shard-{shard:05d}", "_SUCCESS")) and not os.path.exists(merged),
        )
    else:
        show_tail(out)


def fault_on_error_fail(a, engine, checks, times, binary, config, inputs, runs, n):
    """(a) a real failure: under on_error = "fail" the malformed line fails its shard."""
    with open(config, encoding="utf-8") as f:
        text = f.read()
    strict, count = re.subn(r'(?m)^(\s*on_error\s*=\s*)"[a-z]+"', r'\1"fail"', text)
    if count == 0:
        strict = text.replace("[input]", '[run]\non_error = "fail"\n\n[input]', 1) if "[run]" not in text else None
    if strict is None:
        checks.check("fault a: on_error = \"fail\" config", False, "cannot set on_error in the config")
        return
    # The input and output are given on the command line, so the copy may live elsewhere.
    strict_path = os.path.join(runs, "on-error-fail.toml")
    with open(strict_path, "w", encoding="utf-8") as f:
        f.write(strict)
    work, merged = os.path.join(runs, "work-fail-line"), os.path.join(runs, "out-fail-line")
    code, secs, out = engine.drive(binary, strict_path, n, work, [inputs], merged, os.path.join(runs, "drive-fail-line.log"))
    times["fault: on_error=fail"] = secs
    if checks.check(f'fault a: a malformed line under on_error = "fail" fails the job ({secs:.1f} s)', code != 0, "exit 0"):
        checks.check("fault a: the failure names the child's exit code", "exited with code" in out)
    else:
        show_tail(out)


def fault_resume(a, engine, checks, times, binary, config, inputs, runs, n, ref):
    """(c) delete one shard's marker, rerun: only that shard is redone, same bytes."""
    work, merged = os.path.join(runs, f"work-{n}"), os.path.join(runs, f"out-{n}")
    before = markers(work)
    shard = 1 if n > 1 else 0
    victim = os.path.join("round-0", f"shard-{shard:05d}", "_SUCCESS")
    if victim not in before:
        checks.check("fault c: resume", False, f"no {victim} under {work} (did the N = {n} run succeed?)")
        return
    os.remove(os.path.join(work, victim))
    rmtree(merged)
    code, secs, out = engine.drive(binary, config, n, work, [inputs], merged, os.path.join(runs, "drive-resume.log"))
    times["fault: resume one shard"] = secs
    if not checks.check(f"fault c: rerun after deleting {victim} exits 0 ({secs:.1f} s)", code == 0, f"exit {code}"):
        show_tail(out)
        return
    after = markers(work)
    redone = sorted(m for m in before if after.get(m) != before[m])
    checks.check(
        f"fault c: only {victim} was redone (other markers unchanged)",
        redone == [victim],
        f"markers rewritten: {redone}",
    )
    summary = last_json(out) or {}
    checks.check(
        "fault c: the driver ran one map task and skipped the others",
        summary.get("map_tasks_ran") == 1,
        f"summary: {json.dumps(summary)}",
    )
    problems = compare_outputs(ref, merged)
    checks.check("fault c: merged output still identical to the single run", not problems, "\n        ".join(problems))


def finish(checks, times, runs, a):
    say("wall times: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    with open(os.path.join(runs, "times.json"), "w", encoding="utf-8") as f:
        json.dump({"engine": a.engine, "times": times, "failed": checks.failed}, f, indent=1)
    if checks.failed:
        say("failed: " + "; ".join(checks.failed) + f" (logs in {runs})")
    print(f"{checks.passed} passed, {len(checks.failed)} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
