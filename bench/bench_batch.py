"""Benchmark of ``chiikimap batch`` on the real 奈良県 A32-23 file: 1 and 2 Dask workers.

The areas are the real KSJ A32-23 中学校区 file of 奈良県 (``A32-23_29.shp``, 88 districts in
35 municipalities), passed by path. Resources and population are synthetic, at national density:

- population: 1,324,473 people (奈良県, 令和2年国勢調査), 31.7 % aged 65+ and 16.5 % 75+, spread over
  the 1 km (3rd-order) mesh cells touching the districts with log-normal weights (a mesh
  statistics text file, as e-Stat publishes them);
- resources: the issue's ~250,000 MHLW service rows nationally over the 2020 census population of
  126,146,099 = 1.98 per 1,000 people → 2,625 resources for 奈良県, placed in mesh cells in
  proportion to their population, in 8 categories with shares close to the MHLW open data
  (居宅介護支援, 訪問介護, 通所介護, 訪問看護, 福祉用具, 短期入所, 通所リハ, 地域密着型通所介護 as 通所介護).

It runs the whole batch (read once, partition, every municipality's pack, summary) with a
``LocalCluster`` of 1 and then 2 worker processes (``threads_per_worker=1``), each into a fresh
folder, and prints the wall times, their ratio, the serial part (reading + partitioning), the
per-municipality times and a projection for the 1,741 municipalities of Japan.

Run::

    PYTHONPATH=. python bench/bench_batch.py --a32 PATH/TO/A32-23_29.shp
    PYTHONPATH=. python bench/bench_batch.py --a32 PATH/TO/A32-23_29.shp --formats xlsx

``--formats`` chooses the outputs of each municipality (default: the recipe's default pack —
html, offline_html, pdf, png, xlsx, gpkg).

Measured 2026-12-01 on the shared 2-core machine (load average 7–10 from other jobs): 1 worker
331.7 s, 2 workers 267.0 s (ratio 1.24), the same CPU work in both (92 s and 93 s for the 35
municipalities; 2.62 s mean, 7.49 s for 奈良市); projection 1.3–2.6 core-hours for Japan. See
bench/README.md for the full output and what limits it.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from shapely.geometry import box

import chiikimap
from chiikimap.recipe import DEFAULT_FORMATS

NARA_POPULATION = 1_324_473  # 令和2年国勢調査 奈良県
SHARE_65, SHARE_75 = 0.317, 0.165
NATIONAL_ROWS, NATIONAL_POPULATION = 250_000, 126_146_099
N_MUNICIPALITIES = 1_741
#: districts of a national A32 file: about one per public 中学校 (学校基本調査: ~9,000)
N_DISTRICTS = 9_000
CATEGORIES = {  # サービスの種類 → share of the rows
    "居宅介護支援": 0.22,
    "訪問介護": 0.20,
    "通所介護": 0.24,
    "訪問看護": 0.09,
    "福祉用具貸与": 0.07,
    "短期入所生活介護": 0.07,
    "通所リハビリテーション": 0.05,
    "認知症対応型共同生活介護": 0.06,
}


def _mesh3(lon: float, lat: float) -> str:
    a, b = lat * 1.5, lon - 100.0
    p, u = int(a), int(b)
    q, r = int((a - p) * 8), int((b - u) * 8)
    s, t = int(((a - p) * 8 - q) * 10), int(((b - u) * 8 - r) * 10)
    return f"{p:02d}{u:02d}{q}{r}{s}{t}"


def _inputs(folder: Path, a32: Path, seed: int) -> tuple[int, int]:
    """Copy the A32 file; write the mesh population and the resource list. Returns their counts."""
    for f in a32.parent.glob(a32.stem + ".*"):
        if f.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            shutil.copy(f, folder / f.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        areas = chiikimap.read_districts(folder / a32.name)
    rng = np.random.default_rng(seed)
    union = areas.union_all()
    minx, miny, maxx, maxy = areas.total_bounds
    dlat, dlon = 30 / 3600, 45 / 3600
    cells = [
        (lon, lat)
        for lat in np.arange(math.floor(miny / dlat) * dlat, maxy, dlat)
        for lon in np.arange(math.floor(minx / dlon) * dlon, maxx, dlon)
        if union.intersects(box(lon, lat, lon + dlon, lat + dlat))
    ]
    weights = rng.lognormal(0.0, 1.5, len(cells))
    people = np.floor(weights / weights.sum() * NARA_POPULATION).astype(int)
    lines = [
        "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001102001,T001102019,T001102028",
        ",,,,人口（総数）,６５歳以上人口　総数,７５歳以上人口　総数",
    ]
    for (lon, lat), n in zip(cells, people, strict=True):
        code = _mesh3(lon + dlon / 2, lat + dlat / 2)
        lines.append(f"{code},0,,,{n},{int(n * SHARE_65)},{int(n * SHARE_75)}")
    (folder / "mesh.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_res = round(NARA_POPULATION * NATIONAL_ROWS / NATIONAL_POPULATION)
    where = rng.choice(len(cells), size=n_res, p=people / people.sum())
    kinds = rng.choice(list(CATEGORIES), size=n_res, p=list(CATEGORIES.values()))
    rows = ["事業所番号,事業所名,サービスの種類,緯度,経度"]
    for i, (c, kind) in enumerate(zip(where, kinds, strict=True)):
        lon, lat = cells[c]
        y, x = lat + rng.random() * dlat, lon + rng.random() * dlon
        rows.append(f"29{i:08d},事業所{i},{kind},{y:.6f},{x:.6f}")
    (folder / "jigyosho.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(cells), n_res


RECIPE = """title = "奈良県 中学校区別 介護資源の空白・不足（合成データ）"
[areas]
path = "{a32}"
credit = "国土数値情報（中学校区データ）（国土交通省）"
[[resources]]
path = "jigyosho.csv"
credit = "合成データ（全国密度）"
[population]
path = "mesh.txt"
credit = "合成データ（1km メッシュ）"
[analysis]
weight = "pop_65plus"
[output]
dir = "out"
formats = {formats}
"""


def _run(recipe: Path, out: Path, workers: int) -> tuple[float, float, object]:
    """Wall time of the batch, time until the municipalities start, and the result."""
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def progress(text: str) -> None:
        if text.startswith("実行") and "run" not in marks:
            marks["run"] = time.perf_counter() - start

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = chiikimap.batch(recipe, workers=workers, out_dir=out, progress=progress)
    return time.perf_counter() - start, marks.get("run", math.nan), result


def main() -> None:
    """Build the case, run it with 1 and 2 workers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a32", type=Path, required=True, help="A32-23_29.shp (奈良県)")
    parser.add_argument("--formats", nargs="+", default=list(DEFAULT_FORMATS))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n_cells, n_res = _inputs(folder, args.a32.resolve(), args.seed)
        formats = "[" + ", ".join(f'"{f}"' for f in args.formats) + "]"
        recipe = folder / "recipe.toml"
        recipe.write_text(RECIPE.format(a32=args.a32.name, formats=formats), encoding="utf-8")
        print(f"inputs: {n_cells:,} mesh cells, {NARA_POPULATION:,} people, {n_res:,} resources")
        print(f"formats per municipality: {', '.join(args.formats)}")
        walls: dict[int, float] = {}
        per_muni: dict[int, list[float]] = {}
        n_areas = 0
        for n in args.workers:
            load = os.getloadavg()
            wall, serial, result = _run(recipe, folder / f"out{n}", n)
            walls[n] = wall
            res = result.results  # type: ignore[attr-defined]
            per_muni[n] = [r.cpu_seconds for r in res if r.status == "ok"]
            walls_each = [r.seconds for r in res if r.status == "ok"]
            n_areas = int(sum(s["n_areas"] for r in res for s in r.summary[:1]))
            failed = [r.code for r in res if r.status == "error"]
            times = per_muni[n]
            print(
                f"workers={n}: wall {wall:.1f} s for {len(res)} municipalities, {n_areas} districts "
                f"(read + partition {serial:.1f} s; load average {load[0]:.1f} → "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); per municipality "
                f"CPU mean {statistics.mean(times):.2f} s, median {statistics.median(times):.2f} s, "
                f"max {max(times):.2f} s, sum {sum(times):.0f} s; wall mean "
                f"{statistics.mean(walls_each):.2f} s; failed {failed}"
            )
        if len(walls) >= 2:
            a, b = sorted(walls)[:2]
            print(f"ratio wall(workers={a}) / wall(workers={b}): {walls[a] / walls[b]:.2f}")
        _projection(per_muni[min(per_muni)], n_areas)


def _projection(times: list[float], n_areas: int) -> None:
    """Core-hours for Japan from the per-municipality CPU times of the run with fewest workers."""
    mean = statistics.mean(times)
    by_muni = mean * N_MUNICIPALITIES / 3600
    by_district = sum(times) / n_areas * N_DISTRICTS / 3600
    print(
        f"projection for {N_MUNICIPALITIES:,} municipalities at {mean:.2f} CPU s each: "
        f"{by_muni:.1f} core-hours; by district ({sum(times) / n_areas:.2f} s × {N_DISTRICTS:,} "
        f"中学校区): {by_district:.1f} core-hours"
    )
    for workers in (2, 8, 32, 128):
        print(
            f"  {workers:>3} workers: {by_muni / workers:.2f}–{by_district / workers:.2f} h "
            "+ the serial read and partition"
        )


if __name__ == "__main__":
    main()
