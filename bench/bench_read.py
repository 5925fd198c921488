"""Benchmark of :func:`chiikimap.read_resources` on a million-row CSV, against pandas.read_csv.

The script writes a care-office list with a fixed seed (事業所番号, 事業所名, サービスの種類, 住所,
緯度, 経度, 定員, 電話番号 — the columns of a municipal or MHLW list, UTF-8, about 137 bytes a
row), then reads it in two fresh processes: once with ``read_resources`` and once with
``pandas.read_csv(dtype=str)`` (the parse alone, no coordinates, classification or geometry).
It prints the time (wall and CPU), the peak resident memory of each process, the machine's
load average around each run and the ratio.

It also times the classification of category cells of nested parentheses (60 KB), which took
17 s before the taxonomy removed its notes in one pass.

Run::

    PYTHONPATH=. python bench/bench_read.py                # 1,000,000 rows
    PYTHONPATH=. python bench/bench_read.py --rows 100000
    PYTHONPATH=. python bench/bench_read.py --quoted         # every 事業所名 in quotes
    PYTHONPATH=. python bench/bench_read.py --encoding cp932 # the file written in cp932

Measured figures are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVICES = (
    "訪問介護",
    "通所介護",
    "短期入所生活介護",
    "居宅介護支援",
    "訪問看護",
    "認知症対応型共同生活介護",
    "介護老人福祉施設",
    "地域密着型通所介護",
    "通所リハビリテーション",
    "福祉用具貸与",
)
HEADER = "事業所番号,事業所名,サービスの種類,住所,緯度,経度,定員,電話番号\n"


def write_file(
    path: Path, rows: int, seed: int = 1, *, quoted: bool = False, encoding: str = "utf-8"
) -> None:
    """A care-office list of ``rows`` rows, every one valid and distinct.

    ``quoted`` puts every 事業所名 in double quotes (as many exports do); ``encoding`` is the
    file's (UTF-8, or cp932 as many municipal exports are).
    """
    rng = random.Random(seed)
    q = '"' if quoted else ""
    with path.open("w", encoding=encoding, newline="") as f:
        f.write(HEADER)
        for i in range(rows):
            lat = 33.5 + rng.random() * 2
            lon = 133 + rng.random() * 3
            capacity = rng.choice(("", "20", "30", "10"))
            f.write(
                f"{2770000000 + i},{q}ケアセンター{i}号{q},{rng.choice(SERVICES)},"
                f"大阪府枚方市岡東町{i % 30 + 1}丁目{i % 17 + 1}-{i % 9 + 1},{lat:.6f},"
                f"{lon:.6f},{capacity},072-{i % 1000:03d}-{i % 10000:04d}\n"
            )


def _worker(kind: str, path: str, encoding: str) -> None:
    """Read ``path`` once and print a JSON line: seconds, peak RSS (MiB) and rows.

    ``read_resources`` detects the encoding itself; pandas is told ``encoding``.
    """
    import resource
    import warnings

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    if kind == "chiikimap":
        from chiikimap import read_resources

        start, cpu_start = time.perf_counter(), cpu()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n = len(read_resources(path))
    else:
        import pandas as pd

        start, cpu_start = time.perf_counter(), cpu()
        n = len(pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding))
    seconds = time.perf_counter() - start
    used = cpu() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": used, "peak_mib": peak, "rows": n}))


def _run(kind: str, path: Path, encoding: str) -> dict[str, float]:
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path), "--encoding", encoding],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    # the machine's 1-minute load average before and after the run (other jobs slow it down)
    result["load"] = max(load, os.getloadavg()[0])
    return result


def _nested_parentheses() -> float:
    from chiikimap.taxonomy import default_taxonomy

    tax = default_taxonomy()
    cell = "訪問介護" + "（" * 30_000 + "注" + "）" * 30_000
    start = time.perf_counter()
    tax.classify_cell(cell)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quoted", action="store_true", help="quote every 事業所名")
    parser.add_argument("--encoding", default="utf-8", help="the file's encoding (e.g. cp932)")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker, args.encoding)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "offices.csv"
        write_file(path, args.rows, quoted=args.quoted, encoding=args.encoding)
        size = path.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size:.0f} MB, {args.encoding}")
        ours = _run("chiikimap", path, args.encoding)
        base = _run("pandas", path, args.encoding)
    print(
        f"read_resources:   {ours['seconds']:6.2f} s (CPU {ours['cpu']:5.2f} s)   peak RSS "
        f"{ours['peak_mib']:,.0f} MiB ({ours['rows']:,.0f} resources)   load average "
        f"{ours['load']:.1f}"
    )
    print(
        f"pandas.read_csv:  {base['seconds']:6.2f} s (CPU {base['cpu']:5.2f} s)   peak RSS "
        f"{base['peak_mib']:,.0f} MiB   load average {base['load']:.1f}"
    )
    print(f"ratio (time):     {ours['seconds'] / base['seconds']:6.1f}x")
    print(f"60 KB cell of nested parentheses classified in {_nested_parentheses():.3f} s")


if __name__ == "__main__":
    main()
