"""Benchmark: offline geocoding speed after the reference is loaded.

Reads the real 枚方市 references in tests/data/geocode (Geolonia town points + the 街区 dictionary),
then geocodes the real 枚方 and 高松 medical addresses repeated to ``--n`` addresses (default
100,000) and prints the load time, the geocoding rate (addresses per second; the target is
≥ 10,000/s) and the share per level; then the same at 住居/地番 level on the ABR slice of
和歌山市 (tests/data/geocode_abr), every 住居 and 地番 of it written as an address; then with known
points: the 高松 town points + the seven 高松 open-data point lists (tests/data/geocode_points), the
高松 medical addresses repeated (most placed at 近隣番地).

    python bench/bench_geocode.py
    python bench/bench_geocode.py --n 20000
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from chiikimap.geocode import geocode
from chiikimap.io.reference import Reference, read_reference

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
    _bench_abr(args.n)
    _bench_known_points(args.n)


def _bench_abr(n: int) -> None:
    """住居 and 地番 level: the ABR slice of 和歌山市, every 住居 and 地番 in it as an address."""
    abr = DATA.parent / "geocode_abr"
    start = time.perf_counter()
    ref = read_reference(
        [
            abr / "mt_town_pref30_302015_slice.csv",
            abr / "mt_town_pos_pref30_302015_slice.csv",
            abr / "mt_rsdtdsp_rsdt_pos_pref30_302015_slice.csv",
            abr / "mt_parcel_pos_city302015_slice.csv",
        ]
    )
    load_s = time.perf_counter() - start
    with (abr / "mt_rsdtdsp_rsdt_pref30_302015_slice.csv").open(encoding="utf-8") as f:
        addresses = [
            f"和歌山県和歌山市{r['oaza_cho']}{r['chome']}{r['blk_num']}番{r['rsdt_num']}号"
            for r in csv.DictReader(f)
        ]
    with (abr / "mt_parcel_city302015_slice.csv").open(encoding="utf-8") as f:
        addresses += [
            f"和歌山市{r['oaza_cho']}{r['chome']}{r['prc_num1']}番地{r['prc_num2']}"
            for r in csv.DictReader(f)
        ]
    _time_geocode("ABR reference", "住居/地番 addresses", ref, load_s, addresses, n)


def _bench_known_points(n: int) -> None:
    """Town points + point lists of 高松 (reading the lists includes placing their rows)."""
    points = sorted((DATA.parent / "geocode_points").glob("takamatsu_*.xlsx"))
    start = time.perf_counter()
    ref = read_reference([DATA / "takamatsu_geolonia_town.json", *points], municipality="高松市")
    geocode([], ref)  # places the known points and learns the number differences
    load_s = time.perf_counter() - start
    with (DATA / "takamatsu_hospital_addresses.csv").open(encoding="utf-8") as f:
        addresses = [row["address"] for row in csv.DictReader(f)]
    _time_geocode("known-point reference", "addresses with known points", ref, load_s, addresses, n)


def _time_geocode(
    label: str, what: str, ref: Reference, load_s: float, addresses: list[str], n: int
) -> None:
    """Geocode ``addresses`` repeated to ``n`` with ``ref`` and print the rate and the levels."""
    batch = (addresses * (n // len(addresses) + 1))[:n]
    start = time.perf_counter()
    result = geocode(batch, ref)
    run_s = time.perf_counter() - start
    print(f"{label} load: {load_s:.2f} s  ({ref!r})")
    print(f"geocoded {n:,} {what} = {n / run_s:,.0f} addresses/s")
    print(result["geocode_level"].fillna("rejected").value_counts().to_string())


if __name__ == "__main__":
    main()
