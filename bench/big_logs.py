"""Readers of a run log of 10k and 100k matches: time and peak RSS, each reader in a fresh process.

A synthetic log repeats one real match record (a scripted balloon match, about 6 KB) under new match ids,
so the lines have the real shape and size. Readers:

- ``read_run``: the whole-log reader (the replay list still uses it; ``arena leaderboard`` and ``report``
  did until they streamed);
- ``index (cold)``: build ``matches.idx`` from scratch (the first streaming read of a log pays it);
- ``find_match (warm)``: ``arena replay --match`` with the index on disk: one seek;
- ``iter_records``: stream every record (validated), holding one at a time;
- ``export trajectories``: ``arena export`` to a file, streamed;
- ``arena leaderboard``: the command (``--json``), in-process: the log streamed once into a
  :class:`arena.analysis.tally.Tally`, then the rows, ratings and cross-play from it;
- ``curves (tally)``: ``learning_curves`` from a Tally of the streamed log (200 bootstrap resamples);
- ``arena report``: the command (``--n-boot 200``), in-process: the HTML page with plots, curves and leaderboard.

``--only`` picks readers (``index (cold)`` always runs first, so the others read a warm index) and
``--sizes`` the log sizes.

Peak RSS is the child's ``VmHWM`` (``/proc/self/status``), not ``getrusage``: Linux carries ``ru_maxrss``
across ``fork``/``exec``, so a child would report this script's own peak. It includes Python and the
imports the reader needs (about 30 MiB before any log is read).

    python bench/big_logs.py --quick      # 1k and 10k matches
    python bench/big_logs.py              # 10k and 100k (about 640 MB of log; read_run at 100k is skipped
                                          # unless --old-100k: it needs about 5 GB)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT

CLI = ("import contextlib, io; from arena.cli.app import main\nwith contextlib.redirect_stdout(io.StringIO()) as o, "
       "contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit):\n    main([{args}])\n"
       "n = len(o.getvalue())")  # the command in-process, its output swallowed; n: characters it printed
READERS = {
    "read_run": "from arena.runlog import read_run; h, r = read_run(RUN); n = len(r)",
    "index (cold)": "from arena.runlog.stream import load_index; n = len(load_index(RUN).entries)",
    "find_match (warm)": "from arena.runlog.stream import find_match; n = int(find_match(RUN, MID) is not None)",
    "iter_records": "from arena.runlog.stream import iter_records; n = sum(1 for _ in iter_records(RUN))",
    "export trajectories": "from arena.export import export; n = export(RUN, 'trajectories', RUN.parent / 't.jsonl')",
    "arena leaderboard": CLI.format(args='"leaderboard", str(RUN), "--json"'),
    "curves (tally)": "from arena.analysis.curves import learning_curves; from arena.analysis.tally import Tally\n"
                      "from arena.runlog.stream import stream_run; h, s = stream_run(RUN)\n"
                      "n = len(learning_curves(h, Tally.of(s, header=h), n_boot=200).points)",
    "arena report": CLI.format(args='"report", str(RUN), "--n-boot", "200", "--out", str(RUN.parent / "r.html")'),
}


def template(tmp: Path) -> tuple[dict, dict]:
    """A real header and match record, from a scripted run made here."""
    logs = tmp / "template"
    from arena.cli.app import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(["run", str(ROOT / "scenarios/negotiation/balloon-scripted.yaml"), "--local", "--logs-dir", str(logs),
              "--run-id", "t"])
    header = json.loads((logs / "t" / "run.json").read_text())
    longest = max((json.loads(line) for line in (logs / "t" / "matches.jsonl").read_text().splitlines()),
                  key=lambda r: len(r["transcript"]))
    return header, longest


def synthesise(run: Path, header: dict, record: dict, n: int) -> int:
    """A run directory of ``n`` matches; returns the log's size in bytes."""
    from arena.runlog import dumps_line

    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({**header, "run_id": run.name}))
    with open(run / "matches.jsonl", "w", encoding="ascii") as fh:
        for i in range(n):
            series = f"{record['series_id']}-{i:06d}"
            fh.write(dumps_line({**record, "series_id": series, "match_id": f"{series}.r1", "seed": i}))
    return (run / "matches.jsonl").stat().st_size


def measure(run: Path, code: str, match_id: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB, result) of ``code`` in a fresh Python process."""
    script = (f"import time; from pathlib import Path; RUN = Path({str(run)!r}); MID = {match_id!r}\n"
              f"t0 = time.perf_counter()\n{code}\nt = time.perf_counter() - t0\n"
              "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')][0].split()[1]\n"
              "print(t, int(hwm) / 1024, n)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    if done.returncode:
        return float("nan"), float("nan"), done.stderr.strip().splitlines()[-1][:80]
    seconds, rss, result = done.stdout.split()
    return float(seconds), float(rss), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k matches instead of 10k and 100k")
    parser.add_argument("--old-100k", action="store_true", help="also time read_run on 100k (needs ~5 GB)")
    parser.add_argument("--only", help="comma-separated readers to time (default: all); 'index (cold)' always runs")
    parser.add_argument("--sizes", help="comma-separated log sizes (default: 10000,100000; --quick: 1000,10000)")
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    if args.only:
        chosen = {"index (cold)", *(name.strip() for name in args.only.split(","))}
        unknown = chosen - set(READERS)
        if unknown:
            parser.error(f"unknown reader(s): {', '.join(sorted(unknown))}; known: {', '.join(READERS)}")
        for name in [n for n in READERS if n not in chosen]:
            del READERS[name]
    tmp = Path(tempfile.mkdtemp(prefix="arena-big-logs-"))
    try:
        header, record = template(tmp)
        rows: dict[str, dict[int, tuple[float, float, str]]] = {name: {} for name in READERS}
        for n in sizes:
            run = tmp / f"big{n}" / "run"
            size = synthesise(run, header, record, n)
            print(f"{n} matches: {size / 2**20:.0f} MiB of log", flush=True)
            middle = f"{record['series_id']}-{n // 2:06d}.r1"
            for name, code in READERS.items():
                if name == "read_run" and n >= 100_000 and not args.old_100k:
                    continue
                rows[name][n] = measure(run, code, middle)
                seconds, rss, result = rows[name][n]
                print(f"  {name:<20} {seconds:7.2f} s  peak RSS {rss:7.0f} MiB  ({result})", flush=True)
            shutil.rmtree(run.parent)
        small, big = sizes
        ratios = [f"{name} {rows[name][big][1] / rows[name][small][1]:.2f}" for name in READERS
                  if big in rows[name] and small in rows[name]]
        worst = max(rows[name][big][1] for name in READERS if name != "read_run" and big in rows[name])
        print(f"summary: streaming readers peak RSS at {big}: max {worst:.0f} MiB; RSS ratio {big}/{small}: "
              + ", ".join(ratios))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
