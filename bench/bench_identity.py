"""Resource identity at scale: reading several service files and merging two sources.

Builds, with a fixed seed, ``n`` 事業所 (default 20,000) listed in two MHLW-style service files
(each 事業所 once per file, coordinates up to 5 m apart, 5 % of them 300 m apart), plus a city
list of ``n // 2`` rows of which half are the same places under another name form (株式会社 …)
10–40 m away. Times ``read_resources`` of the two service files (one resource per 事業所番号) and
``merge_resources`` of that layer with the city list, checks the counts and prints the figures.
Nothing asserts on time.

    python bench/bench_identity.py [--n 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import chiikimap
from chiikimap import _schema as S

HEADER = "事業所番号,事業所名,サービスの種類,住所,緯度,経度,定員\n"


def _files(root: Path, n: int, rng: np.random.Generator) -> tuple[Path, Path, Path, int]:
    lon = 135.55 + rng.random(n) * 0.3
    lat = 34.70 + rng.random(n) * 0.3
    m_per_deg_lat, m_per_deg_lon = 111_000.0, 91_000.0
    far = rng.random(n) < 0.05
    shift = np.where(far, 300.0, rng.random(n) * 5.0)
    rental = [HEADER]
    sales = [HEADER]
    for i in range(n):
        number = f"27{i:08d}"
        name = f"ケアショップ{i}"
        rental.append(f"{number},{name},福祉用具貸与,枚方市{i}番地,{lat[i]:.7f},{lon[i]:.7f},\n")
        lat2 = lat[i] + shift[i] / m_per_deg_lat
        sales.append(f"{number},{name},特定福祉用具販売,枚方市{i}番地,{lat2:.7f},{lon[i]:.7f},\n")
    city = ["名称,種別,緯度,経度,住所\n"]
    n_same = 0
    for j in range(n // 2):
        if j % 2 == 0:
            i = j
            d = 10.0 + 30.0 * rng.random()
            city.append(
                f"株式会社ケアショップ{i},福祉用具貸与,{lat[i]:.7f},"
                f"{lon[i] + d / m_per_deg_lon:.7f},枚方市{i}番地\n"
            )
            n_same += 1
        else:
            city.append(
                f"サロン{j},通いの場,{34.70 + rng.random() * 0.3:.7f},"
                f"{135.55 + rng.random() * 0.3:.7f},枚方市北{j}\n"
            )
    paths = (root / "jigyosho_170.csv", root / "jigyosho_410.csv", root / "city.csv")
    for path, lines in zip(paths, (rental, sales, city), strict=True):
        path.write_text("".join(lines), encoding="utf-8")
    return (*paths, n_same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    rng = np.random.default_rng(20261201)
    with tempfile.TemporaryDirectory() as tmp:
        rental, sales, city, n_same = _files(Path(tmp), args.n, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            mhlw = chiikimap.read_resources([rental, sales])
            t1 = time.perf_counter()
            listed = chiikimap.read_resources(city)
            t2 = time.perf_counter()
            out = chiikimap.merge_resources([mhlw, listed])
            t3 = time.perf_counter()
    merged_rows = S.rejected_rows(out)
    spread = merged_rows[merged_rows["reason"].str.contains("事業所番号", regex=False)]
    print(f"事業所 {args.n:,} in two service files ({2 * args.n:,} rows)")
    print(f"read_resources (2 files)    {t1 - t0:7.2f} s   resources {len(mhlw):,}")
    print(f"read_resources (city list)  {t2 - t1:7.2f} s   rows {len(listed):,}")
    print(
        f"merge_resources             {t3 - t2:7.2f} s   resources {len(out):,}, merged "
        f"{len(out.attrs[S.ATTRS_KEY][-1]['duplicates']):,} (expected {n_same:,})"
    )
    print(
        f"rows merged by 事業所番号 {len(spread):,}; largest spread {spread['distance_m'].max():.0f} m"
    )
    assert len(mhlw) == args.n
    assert len(out) == args.n + len(listed) - n_same


if __name__ == "__main__":
    main()
