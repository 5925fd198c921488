"""Benchmark: offline geocoding speed after the reference is loaded.

Reads the real 枚方市 references in tests/data/geocode (Geolonia town points + the 街区 dictionary),
then geocodes the real 枚方 and 高松 medical addresses repeated to ``--n`` addresses (default
100,000) and prints the load time, the geocoding rate (addresses per second; the target is
≥ 10,000/s) and the share per level.

    python bench/bench_geocode.py
    python bench/bench_geocode.py --n 20000
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from chiikimap.geocode import geocode
from chiikimap.io.reference import read_reference

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "geocode"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    start = time.perf_counter()
    ref = read_reference(
        [DATA / "hirakata_geolonia_town.json", DATA / "hirakata_isj_gaiku.json"],
        municipality="枚方市",
    )
    load_s = time.perf_counter() - start
    with (DATA / "hirakata_medical_addresses.csv").open(encoding="utf-8") as f:
        addresses = [row["address_full"] for row in csv.DictReader(f)]
    with (DATA / "takamatsu_hospital_addresses.csv").open(encoding="utf-8") as f:
        addresses += [
            row["address"] for row in csv.DictReader(f)
        ]  # other city: rejected rows cost too
    batch = (addresses * (args.n // len(addresses) + 1))[: args.n]
    start = time.perf_counter()
    result = geocode(batch, ref)
    run_s = time.perf_counter() - start
    print(f"reference load: {load_s:.2f} s  ({ref!r})")
    print(
        f"geocoded {len(batch):,} addresses in {run_s:.2f} s = {len(batch) / run_s:,.0f} addresses/s"
    )
    print(result["geocode_level"].fillna("rejected").value_counts().to_string())


if __name__ == "__main__":
    main()
