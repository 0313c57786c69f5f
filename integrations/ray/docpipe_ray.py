#!/usr/bin/env python3
"""Runs a docpipe pipeline on Ray: Ray only schedules, the binary does the work.

    python integrations/ray/docpipe_ray.py --binary PATH --config CONFIG --shards N --work DIR \
        [--cores-per-task C] [--address ADDR | --num-cpus CPUS] [--ship path|working-dir] \
        [-i PATH ...] [--format F] [--output OUT]

The steps are docpipe's sharded protocol (see integrations/README.md):

1. `docpipe plan` on the driver writes WORK/plan.json and says how many map rounds and
   resolves the pipeline needs;
2. for each round R: N Ray tasks (`ray.remote(num_cpus=C)`) each run
   `docpipe map WORK --round R --shard K -j C` in a subprocess; then, if R is not the last
   round, ONE task runs `docpipe resolve WORK --round R`;
3. `docpipe merge WORK` on the driver builds the output folder.

Each task checks the child's exit code AND its `_SUCCESS` marker and raises with the tail of
the child's stderr otherwise, so the run fails with the reason.

The binary reaches the tasks by path (`--ship path`, the default without `--address`: local
mode or a binary on a shared file system) or in the job's runtime environment
(`--ship working-dir`, the default with `--address`: Ray uploads a folder holding only the
binary to every worker). WORK must be one file system that the driver and every worker see.
Rerunning after a failure redoes only what is missing (the binary skips a shard whose marker is
valid for the same config fingerprint) and gives the same bytes; Ray's retries of a task whose
worker died are safe for the same reason.

Stdlib and ray only. The last line on stdout is a JSON summary of the run.
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import ray

# How much of a failing child's stderr goes into the task's exception.
STDERR_TAIL_BYTES = 4000
# Marks the task's own error text inside Ray's exception message.
FAILURE_TAG = "docpipe task failed: "


def log(msg):
    print(f"docpipe_ray: {msg}", file=sys.stderr, flush=True)


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
    """Makes the shipped binary executable (an upload may drop the mode bits) and returns it."""
    mode = os.stat(path).st_mode
    if mode & stat.S_IXUSR == 0:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@ray.remote
def run_step(binary, args, threads, marker, fingerprint):
    """Runs one docpipe step in a task and returns a summary; raises if it did not succeed.

    The threads go to the child as DOCPIPE_THREADS (and as `-j` in `args` for `map`).
    `binary` is a path, or a bare name looked up in the task's working directory (the runtime
    env's working_dir). Success is exit code 0 AND a `_SUCCESS` marker for this plan's
    fingerprint; a marker that was there before and is unchanged means the step was skipped."""
    exe = executable(binary if os.path.isabs(binary) else os.path.join(os.getcwd(), binary))
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
    """The task's own message out of Ray's exception (which adds the remote traceback)."""
    text = str(exc)
    at = text.find(FAILURE_TAG)
    return text if at < 0 else text[at + len(FAILURE_TAG) :].rstrip()


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
        raise SystemExit(f"docpipe_ray: `docpipe plan` failed (exit {proc.returncode}):\n{tail(proc.stderr)}")
    lines = [line for line in proc.stdout.decode().splitlines() if line.strip()]
    if not lines:
        raise SystemExit("docpipe_ray: `docpipe plan` printed no plan line")
    return json.loads(lines[-1])


def check_markers(work, round_no, shards):
    """The driver sees every marker too: otherwise WORK is not one shared file system."""
    missing = [k for k in range(shards) if mtime_ns(marker_path(work, round_no, k)) is None]
    if missing:
        raise SystemExit(
            f"docpipe_ray: the tasks of round {round_no} succeeded but the driver cannot see the markers of "
            f"shards {missing} under {work}: WORK must be a file system shared by the driver and every worker"
        )


def parse_args(argv):
    p = argparse.ArgumentParser(description="Run a docpipe pipeline on Ray (the binary does the work).")
    p.add_argument("--binary", required=True, help="the docpipe binary")
    p.add_argument("--config", required=True, help="the pipeline config (TOML)")
    p.add_argument("--shards", type=int, required=True, help="number of shards (map tasks per round)")
    p.add_argument("--work", required=True, help="work directory on a file system every task sees")
    p.add_argument("--cores-per-task", type=int, default=1, help="threads per task (docpipe -j, Ray num_cpus)")
    p.add_argument("--address", help="a running Ray cluster (default: start a local one)")
    p.add_argument("--num-cpus", type=int, help="CPUs of the local Ray instance (default: all)")
    p.add_argument(
        "--ship",
        choices=["path", "working-dir"],
        help="how tasks get the binary: by path, or uploaded in the runtime env's working_dir "
        "(default: path locally, working-dir with --address)",
    )
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
    if a.address and a.num_cpus:
        p.error("--num-cpus is for a local Ray instance; a cluster has its own")
    return a


def main(argv):
    a = parse_args(argv)
    binary = os.path.abspath(a.binary)
    work = os.path.abspath(a.work)
    # Config, inputs and output are passed as given: `plan` records the directory it runs in
    # and every task resolves paths from there, so ids and `source.path` come out as in a
    # `docpipe run` with the same arguments.
    threads = a.cores_per_task
    ship = a.ship or ("working-dir" if a.address else "path")
    started = time.time()
    phases = {}

    t = time.time()
    p = plan(binary, a.config, a.shards, work, a.input, a.format, a.cwd)
    phases["plan"] = round(time.time() - t, 3)
    fingerprint = p.get("fingerprint")
    rounds, resolves = int(p["rounds"]), int(p["resolves"])
    log(f"plan: {a.shards} shards, {rounds} rounds, {resolves} resolves, fingerprint {fingerprint}")

    ship_dir = None
    init = {"address": a.address, "include_dashboard": False, "log_to_driver": False}
    if a.num_cpus:
        init["num_cpus"] = a.num_cpus
    task_binary = binary
    if ship == "working-dir":
        # A folder holding only the binary: Ray uploads it once and every task runs in a copy.
        ship_dir = tempfile.mkdtemp(prefix="docpipe-ray-ship-")
        shutil.copy2(binary, os.path.join(ship_dir, "docpipe"))
        init["runtime_env"] = {"working_dir": ship_dir}
        task_binary = "docpipe"
    ray.init(**init)
    step = run_step.options(num_cpus=threads)
    ran = skipped = 0
    try:
        for r in range(rounds):
            t = time.time()
            refs = [
                step.remote(
                    task_binary,
                    ["map", work, "--round", str(r), "--shard", str(k), "-j", str(threads)],
                    threads,
                    marker_path(work, r, k),
                    fingerprint,
                )
                for k in range(a.shards)
            ]
            try:
                results = ray.get(refs)
            except ray.exceptions.RayError as e:
                for ref in refs:
                    ray.cancel(ref)
                raise SystemExit(f"docpipe_ray: map round {r} failed: {task_error(e)}") from None
            check_markers(work, r, a.shards)
            phases[f"map-{r}"] = round(time.time() - t, 3)
            done = sum(1 for x in results if x["skipped"])
            ran, skipped = ran + len(results) - done, skipped + done
            log(f"map round {r}: {len(results) - done} ran, {done} skipped, {phases[f'map-{r}']} s")
            if a.prune and r >= 1:
                prune(binary, work, r - 1)
            if r < resolves:
                t = time.time()
                args = ["resolve", work, "--round", str(r)]
                try:
                    res = ray.get(step.remote(task_binary, args, threads, marker_path(work, r), fingerprint))
                except ray.exceptions.RayError as e:
                    raise SystemExit(f"docpipe_ray: resolve {r} failed: {task_error(e)}") from None
                phases[f"resolve-{r}"] = round(time.time() - t, 3)
                log(f"resolve {r}: {'skipped' if res['skipped'] else 'ran'}, {phases[f'resolve-{r}']} s")
    finally:
        ray.shutdown()
        if ship_dir:
            shutil.rmtree(ship_dir, ignore_errors=True)

    t = time.time()
    cmd = [binary, "merge", work]
    if a.output:
        cmd += ["--output", a.output]
    proc = subprocess.run(
        cmd, env=dict(os.environ, NO_COLOR="1"), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if proc.returncode != 0:
        raise SystemExit(f"docpipe_ray: `docpipe merge` failed (exit {proc.returncode}):\n{tail(proc.stderr)}")
    phases["merge"] = round(time.time() - t, 3)
    summary = {
        "engine": "ray",
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
