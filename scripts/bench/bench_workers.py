"""Scaling of `lens analyze --workers N`: articles per second and memory per worker process.

    # a PostgreSQL database with the articles imported (workers claim side by side there)
    createdb -h 127.0.0.1 -U postgres bench_workers
    export LENS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_workers
    .venv/bin/python scripts/bench/bench_workers.py --import-sample 200
    .venv/bin/python scripts/bench/bench_workers.py --config 1x2 --config 2x1 --repeat 2

For each configuration PxT (P worker processes, T threads each: LENS_TORCH_THREADS, which the
bundled models' ONNX Runtime sessions use too; T=0 leaves it unset, the default) it queues every
article again (`lens requeue --done`), runs `lens analyze --workers P` to the end, and reads the
process tree's resident memory from /proc every half second (peak per worker process, and of
the whole tree). The rate is the one `lens analyze` prints: articles over the run's wall time,
model loading included.
`--import-sample N` first imports N articles drawn as scripts/bench/bench_annotate.py draws them
(same seed, same articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_LENS = str(Path(sys.executable).with_name("lens"))
_DATA = Path("../shared/data/articles/allsides-10k.jsonl.gz")
_RATE = re.compile(r"(\d+) analysed in ([\d.]+) s \(([\d.,]+) articles/s\)")


def _import_sample(path: Path, n: int, seed: int) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    picks = np.random.default_rng(seed).choice(len(records), size=n, replace=False)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for i in picks:
            out.write(json.dumps(records[int(i)], ensure_ascii=False) + "\n")
    subprocess.run([_LENS, "import", out.name], check=True)
    os.unlink(out.name)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(root: int) -> list[int]:
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += tree.get(pid, [])
    return found


def _run(processes: int, threads: int) -> dict[str, float]:
    subprocess.run([_LENS, "requeue", "--done"], check=True, capture_output=True)
    env = dict(os.environ, LENS_TORCH_THREADS=str(threads))
    if threads == 0:  # the default: LENS_TORCH_THREADS unset
        del env["LENS_TORCH_THREADS"]
    command = [_LENS, "analyze", "--workers", str(processes), "--no-migrate"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak: dict[int, float] = {}
    peak_total = 0.0
    while proc.poll() is None:
        sizes = {pid: _rss_mb(pid) for pid in _tree(proc.pid)}
        for pid, mb in sizes.items():
            peak[pid] = max(peak.get(pid, 0.0), mb)
        peak_total = max(peak_total, sum(sizes.values()))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    output = proc.stdout.read().decode() if proc.stdout else ""
    match = _RATE.search(output)
    if proc.returncode != 0 or match is None:
        raise SystemExit(f"lens analyze failed ({proc.returncode}):\n{output}")
    # the worker processes are the big ones (with one worker, the models load in lens itself)
    workers = sorted(peak.values(), reverse=True)[:processes]
    return {
        "processes": processes,
        "threads": threads,
        "articles": int(match.group(1)),
        "articles_per_s": float(match.group(3).replace(",", "")),
        "wall_s": round(wall, 1),
        "peak_rss_per_worker_mb": round(max(workers), 0),
        "peak_rss_tree_mb": round(peak_total, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", default=[], help="PxT, e.g. 2x1")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--import-sample", type=int, default=0)
    parser.add_argument("--data", type=Path, default=_DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if "LENS_DATABASE_URL" not in os.environ:
        raise SystemExit("set LENS_DATABASE_URL (PostgreSQL: workers claim side by side there)")
    if args.import_sample:
        _import_sample(args.data, args.import_sample, args.seed)
    results = []
    for _ in range(args.repeat):
        for config in args.config:
            processes, threads = (int(x) for x in config.split("x"))
            result = _run(processes, threads)
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
