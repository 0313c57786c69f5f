#!/usr/bin/env python3
"""Runs a docpipe pipeline on Apache Spark: Spark only schedules, the binary does the work.

    spark-submit integrations/spark/docpipe_spark.py --binary PATH --config CONFIG \
        --shards N --work DIR [--cores-per-task C] [-i PATH ...] [--format F] [--output OUT]

The steps are docpipe's sharded protocol (see integrations/README.md):

1. `docpipe plan` on the driver writes WORK/plan.json (shard cuts, config fingerprint) and
   says how many map rounds and resolves the pipeline needs;
2. for each round R: N Spark tasks (`sc.parallelize(range(N), N).mapPartitionsWithIndex`)
   each run `docpipe map WORK --round R --shard K -j C` in a subprocess; then, if R is not the
   last round, ONE task runs `docpipe resolve WORK --round R`;
3. `docpipe merge WORK` on the driver builds the output folder.

Each task checks the child's exit code AND its `_SUCCESS` marker and raises with the tail of
the child's stderr otherwise, so the Spark job fails with the reason. `RDD.pipe` is not used:
it starts the child with an empty environment and ignores its exit code by default.

The binary is shipped with the job (`sc.addFile`; `SparkFiles.get` in the task) and the tasks
get the driver's WORK path: WORK must be one file system that the driver and every executor
see (local mode, NFS, a mounted bucket). Task retries and speculative attempts are safe: the
binary skips a shard whose marker is valid for the same config fingerprint, and commits a
shard's outputs atomically, so rerunning this script after a failure redoes only what is
missing and gives the same bytes.

Stdlib and pyspark only. The last line on stdout is a JSON summary of the run.
"""

import argparse
import json
import os
import stat
import subprocess
import sys
import time

from pyspark import SparkConf, SparkContext, SparkFiles

# How much of a failing child's stderr goes into the task's exception.
STDERR_TAIL_BYTES = 4000
# Marks the task's own error text inside Spark's (long, JVM-wrapped) exception message.
FAILURE_TAG = "docpipe task failed: "


def log(msg):
    print(f"docpipe_spark: {msg}", file=sys.stderr, flush=True)


def tail(data, limit=STDERR_TAIL_BYTES):
    text = data.decode("utf-8", "replace")
    return text if len(text) <= limit else "..." + text[-limit:]


def marker_path(work, round_no, shard=None):
    """The `_SUCCESS` marker of map round/shard, or of resolve `round_no` when shard is None."""
    if shard is None:
        return os.path.join(work, f"resolve-{round_no}", "_SUCCESS")
    return os.path.join(work, f"round-{round_no}", f"shard-{shard:05d}", "_SUCCESS")


def mtime_ns(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def executable(path):
    """Makes a shipped file executable (the fetch may drop the mode bits) and returns it."""
    mode = os.stat(path).st_mode
    if mode & stat.S_IXUSR == 0:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def run_step(exe, args, threads, marker, fingerprint):
    """Runs one docpipe step in a task and returns a summary; raises if it did not succeed.

    The threads go to the child as DOCPIPE_THREADS (and as `-j` in `args` for `map`).
    Success is exit code 0 AND a `_SUCCESS` marker for this plan's fingerprint. A marker that
    was there before and is unchanged afterwards means the binary skipped a done step."""
    env = dict(os.environ)
    env["DOCPIPE_THREADS"] = str(threads)
    env.setdefault("NO_COLOR", "1")
    cmd = [exe, *args]
    before = mtime_ns(marker)
    started = time.time()
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = round(time.time() - started, 3)
    shown = " ".join(["docpipe", *args])
    if proc.returncode != 0:
        raise RuntimeError(
            f"{FAILURE_TAG}`{shown}` exited with code {proc.returncode}; its stderr ends with:\n{tail(proc.stderr)}"
        )
    after = mtime_ns(marker)
    if after is None:
        raise RuntimeError(
            f"{FAILURE_TAG}`{shown}` exited 0 but wrote no marker {marker} (is WORK a shared file system?); "
            f"its stderr ends with:\n{tail(proc.stderr)}"
        )
    try:
        with open(marker, encoding="utf-8") as f:
            found = json.load(f).get("fingerprint")
    except (OSError, ValueError) as e:
        raise RuntimeError(f"{FAILURE_TAG}`{shown}`: unreadable marker {marker}: {e}") from None
    if fingerprint and found and found != fingerprint:
        raise RuntimeError(f"{FAILURE_TAG}`{shown}`: marker {marker} is for fingerprint {found}, the plan's is {fingerprint}")
    # The binary says `{"status": "done" | "skipped", ...}`; an unchanged marker says it too.
    status = None
    for line in reversed(proc.stdout.decode("utf-8", "replace").splitlines()):
        try:
            status = json.loads(line).get("status")
            break
        except (ValueError, AttributeError):
            continue
    skipped = status == "skipped" if status else (before is not None and before == after)
    return {"step": shown, "seconds": seconds, "skipped": skipped}


def task_error(exc):
    """The task's own message out of Spark's exception (which wraps it in JVM and Python traces)."""
    text = str(exc)
    at = text.find(FAILURE_TAG)
    if at < 0:
        return text
    msg = text[at + len(FAILURE_TAG) :]
    # Spark appends an SQL state and the JVM stack after the Python traceback: cut them off.
    for stop in ("\n\tat ", "\nDriver stacktrace:", " SQLSTATE:"):
        cut = msg.find(stop)
        if cut >= 0:
            msg = msg[:cut]
    return msg.rstrip()


def merged_into(stdout, output):
    """The output folder `docpipe merge` names on its JSON line (else the one asked for)."""
    for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
        try:
            return json.loads(line)["output"]
        except (ValueError, KeyError, TypeError):
            continue
    return os.path.abspath(output) if output else None


def prune(binary, work, round_no):
    """`docpipe prune` on the driver: round_no's documents and keys are no longer needed."""
    proc = subprocess.run([binary, "prune", work, "--round", str(round_no)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"`docpipe prune` of round {round_no} failed (exit {proc.returncode}):\n{tail(proc.stderr)}")
    log(f"pruned round {round_no}: {proc.stderr.strip()}")


def plan(binary, config, shards, work, inputs, fmt, cwd=None):
    cmd = [binary, "plan", config, "--shards", str(shards), "--work", work]
    if cwd:
        cmd += ["--cwd", cwd]
    for path in inputs:
        cmd += ["-i", path]
    if fmt:
        cmd += ["--format", fmt]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise SystemExit(f"docpipe_spark: `docpipe plan` failed (exit {proc.returncode}):\n{tail(proc.stderr)}")
    lines = [line for line in proc.stdout.decode().splitlines() if line.strip()]
    if not lines:
        raise SystemExit("docpipe_spark: `docpipe plan` printed no plan line")
    return json.loads(lines[-1])


def map_round(sc, exe_name, work, round_no, shards, threads, fingerprint):
    def task(shard, _items):
        exe = executable(SparkFiles.get(exe_name))
        args = ["map", work, "--round", str(round_no), "--shard", str(shard), "-j", str(threads)]
        yield run_step(exe, args, threads, marker_path(work, round_no, shard), fingerprint)

    sc.setJobDescription(f"docpipe map round {round_no} ({shards} shards)")
    return sc.parallelize(range(shards), shards).mapPartitionsWithIndex(task).collect()


def resolve(sc, exe_name, work, round_no, threads, fingerprint):
    def task(_index, _items):
        exe = executable(SparkFiles.get(exe_name))
        args = ["resolve", work, "--round", str(round_no)]
        yield run_step(exe, args, threads, marker_path(work, round_no), fingerprint)

    sc.setJobDescription(f"docpipe resolve round {round_no}")
    return sc.parallelize([round_no], 1).mapPartitionsWithIndex(task).collect()


def check_markers(work, round_no, shards):
    """The driver sees every marker too: otherwise WORK is not one shared file system."""
    missing = [k for k in range(shards) if mtime_ns(marker_path(work, round_no, k)) is None]
    if missing:
        raise SystemExit(
            f"docpipe_spark: the tasks of round {round_no} succeeded but the driver cannot see the markers of "
            f"shards {missing} under {work}: WORK must be a file system shared by the driver and every executor"
        )


def parse_args(argv):
    p = argparse.ArgumentParser(description="Run a docpipe pipeline on Spark (the binary does the work).")
    p.add_argument("--binary", required=True, help="the docpipe binary (shipped to the executors)")
    p.add_argument("--config", required=True, help="the pipeline config (TOML)")
    p.add_argument("--shards", type=int, required=True, help="number of shards (map tasks per round)")
    p.add_argument("--work", required=True, help="work directory on a file system every task sees")
    p.add_argument("--cores-per-task", type=int, default=1, help="threads per task (docpipe -j, spark.task.cpus)")
    p.add_argument("-i", "--input", action="append", default=[], help="input paths (replace input.paths)")
    p.add_argument("--format", choices=["auto", "text", "jsonl"], help="input format (replaces input.format)")
    p.add_argument("--output", help="output folder (default: the config's output.dir)")
    p.add_argument(
        "--prune",
        action="store_true",
        help="free each round's documents and keys once the next round is done (docpipe prune)",
    )
    p.add_argument("--cwd", help="directory every task names paths from (docpipe plan --cwd; default: this one)")
    a = p.parse_args(argv)
    if a.shards < 1 or a.cores_per_task < 1:
        p.error("--shards and --cores-per-task must be at least 1")
    return a


def main(argv):
    a = parse_args(argv)
    binary = os.path.abspath(a.binary)
    work = os.path.abspath(a.work)
    # Config, inputs and output are passed as given: `plan` records the directory it runs in
    # and every task resolves paths from there, so ids and `source.path` come out as in a
    # `docpipe run` with the same arguments.
    threads = a.cores_per_task
    started = time.time()
    phases = {}

    t = time.time()
    p = plan(binary, a.config, a.shards, work, a.input, a.format, a.cwd)
    phases["plan"] = round(time.time() - t, 3)
    fingerprint = p.get("fingerprint")
    rounds, resolves = int(p["rounds"]), int(p["resolves"])
    log(f"plan: {a.shards} shards, {rounds} rounds, {resolves} resolves, fingerprint {fingerprint}")

    conf = SparkConf().setAppName(f"docpipe {os.path.basename(a.config)} x{a.shards}")
    conf.setIfMissing("spark.master", "local[2]")
    conf.setIfMissing("spark.task.cpus", str(threads))
    conf.setIfMissing("spark.log.level", "WARN")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ran = skipped = 0
    try:
        sc.addFile(binary)
        exe_name = os.path.basename(binary)
        for r in range(rounds):
            t = time.time()
            try:
                results = map_round(sc, exe_name, work, r, a.shards, threads, fingerprint)
            except Exception as e:  # Py4JJavaError: a task raised; say why and fail the job
                raise SystemExit(f"docpipe_spark: map round {r} failed: {task_error(e)}") from None
            check_markers(work, r, a.shards)
            phases[f"map-{r}"] = round(time.time() - t, 3)
            done = sum(1 for x in results if x["skipped"])
            ran, skipped = ran + len(results) - done, skipped + done
            log(f"map round {r}: {len(results) - done} ran, {done} skipped, {phases[f'map-{r}']} s")
            if a.prune and r >= 1:
                prune(binary, work, r - 1)
            if r < resolves:
                t = time.time()
                try:
                    (res,) = resolve(sc, exe_name, work, r, threads, fingerprint)
                except Exception as e:
                    raise SystemExit(f"docpipe_spark: resolve {r} failed: {task_error(e)}") from None
                phases[f"resolve-{r}"] = round(time.time() - t, 3)
                log(f"resolve {r}: {'skipped' if res['skipped'] else 'ran'}, {phases[f'resolve-{r}']} s")
    finally:
        sc.stop()

    t = time.time()
    cmd = [binary, "merge", work]
    if a.output:
        cmd += ["--output", a.output]
    proc = subprocess.run(
        cmd, env=dict(os.environ, NO_COLOR="1"), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if proc.returncode != 0:
        raise SystemExit(f"docpipe_spark: `docpipe merge` failed (exit {proc.returncode}):\n{tail(proc.stderr)}")
    phases["merge"] = round(time.time() - t, 3)
    summary = {
        "engine": "spark",
        "work": work,
        "output": merged_into(proc.stdout, a.output),
        "shards": a.shards,
        "rounds": rounds,
        "resolves": resolves,
        "map_tasks_ran": ran,
        "map_tasks_skipped": skipped,
        "seconds": round(time.time() - started, 3),
        "phases": phases,
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
