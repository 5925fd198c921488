"""chiikimap batch: one recipe over the five municipalities of the 奈良県 A32-23 test slice.

The areas are the real KSJ A32-23 slice (tests/data/districts, 5 municipalities); resources and
a 3rd-order mesh population are generated here. The mesh leaves out every cell touching 田原本町
(29363), so that municipality fails (its population part is empty) while the others complete.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

import chiikimap
from chiikimap._batch_summary import SUMMARY_COLUMNS, summary_rows
from chiikimap.recipe import run_recipe

#: the module (``chiikimap.batch`` is the function)
batch_mod = importlib.import_module("chiikimap.batch")

OVERLAP = "ignore:.*校区が重なっています:chiikimap.ChiikimapWarning"
pytestmark = pytest.mark.filterwarnings(OVERLAP)

CODES = ["29201", "29204", "29209", "29361", "29363"]
FAILING = "29363"

RECIPE = """title = "奈良県 テスト"
[areas]
path = "A32-23_29.shp"
{areas_extra}
[[resources]]
path = "jigyosho.csv"
credit = "テスト用の事業所（合成）"
[population]
path = "mesh.txt"
[analysis]
weight = "pop_65plus"
[output]
dir = "{out}"
formats = {formats}
"""


def _mesh3(lon: float, lat: float) -> str:
    a, b = lat * 1.5, lon - 100.0
    p, u = int(a), int(b)
    q, r = int((a - p) * 8), int((b - u) * 8)
    s, t = int(((a - p) * 8 - q) * 10), int(((b - u) * 8 - r) * 10)
    return f"{p:02d}{u:02d}{q}{r}{s}{t}"


def _write_inputs(folder: Path, test_data: Path) -> None:
    for f in (test_data / "districts").glob("A32-23_29.*"):
        if f.suffix != ".geojson":
            shutil.copy(f, folder / f.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        areas = chiikimap.read_districts(folder / "A32-23_29.shp")
    pts = areas.geometry.sample_points(6, rng=np.random.default_rng(1))
    kinds = ["通所介護", "訪問介護", "居宅介護支援"]
    rows = [
        f"事業所{i},{kinds[i % 3]},{g.y:.6f},{g.x:.6f}"
        for i, g in enumerate(g for mp in pts for g in mp.geoms)
    ]
    (folder / "jigyosho.csv").write_text(
        "事業所名,サービスの種類,緯度,経度\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    minx, miny, maxx, maxy = areas.total_bounds
    left_out = areas[areas["municipality_code"] == FAILING].union_all()
    lines = [
        "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001102001,T001102010,T001102019,T001102028",
        ",,,,人口（総数）,０～１４歳人口　総数,６５歳以上人口　総数,７５歳以上人口　総数",
    ]
    dlat, dlon = 30 / 3600, 45 / 3600
    k = 0
    for lat in np.arange(math.floor(miny / dlat) * dlat, maxy, dlat):
        for lon in np.arange(math.floor(minx / dlon) * dlon, maxx, dlon):
            cell = box(lon, lat, lon + dlon, lat + dlat)
            if areas.intersects(cell).any() and not cell.intersects(left_out):
                tot = 200 + (k * 37) % 900
                code = _mesh3(lon + dlon / 2, lat + dlat / 2)
                lines.append(f"{code},0,,,{tot},{tot // 8},{tot * 3 // 10},{tot // 6}")
                k += 1
    (folder / "mesh.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _recipe(
    folder: Path, name: str, *, out: str, areas_extra: str = "", formats: str = '["xlsx"]'
) -> Path:
    path = folder / name
    path.write_text(
        RECIPE.format(areas_extra=areas_extra, out=out, formats=formats), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def nara(tmp_path_factory: pytest.TempPathFactory, test_data: Path) -> Path:
    folder = tmp_path_factory.mktemp("batch_nara")
    _write_inputs(folder, test_data)
    _recipe(folder, "recipe.toml", out="out")
    return folder


@pytest.fixture(scope="module")
def local_run(nara: Path) -> batch_mod.BatchResult:
    lines: list[str] = []
    result = chiikimap.batch(nara / "recipe.toml", progress=lines.append)
    result.lines = lines  # type: ignore[attr-defined]
    return result


def _by_code(result: object) -> dict[str, batch_mod.MunicipalityResult]:
    return {r.code: r for r in result.results}  # type: ignore[attr-defined]


# --- selection ------------------------------------------------------------------------------------


def test_select_municipalities() -> None:
    codes = ["29201", "29209", "27210"]
    assert batch_mod.select_municipalities(codes, None) == ["27210", "29201", "29209"]
    assert batch_mod.select_municipalities(codes, "all") == ["27210", "29201", "29209"]
    assert batch_mod.select_municipalities(codes, "29") == ["29201", "29209"]
    assert batch_mod.select_municipalities(codes, "29209,272108") == ["27210", "29209"]
    assert batch_mod.select_municipalities(codes, ["29201", "27"]) == ["27210", "29201"]
    with pytest.raises(chiikimap.ParameterError, match="13101") as err:
        batch_mod.select_municipalities(codes, "13101")
    assert err.value.param == "municipality"
    with pytest.raises(chiikimap.ParameterError, match="生駒"):
        batch_mod.select_municipalities(codes, "生駒")


def test_areas_without_municipality_codes_are_refused(tmp_path: Path, test_data: Path) -> None:
    shutil.copy(test_data / "districts" / "hirakata_houkatsu.geojson", tmp_path / "areas.geojson")
    (tmp_path / "r.csv").write_text(
        "名称,種別,緯度,経度\nA,通所介護,34.81,135.65\n", encoding="utf-8"
    )
    (tmp_path / "recipe.toml").write_text(
        '[areas]\npath = "areas.geojson"\nid_col = "area_id"\nname_col = "center_name"\n[[resources]]\npath = "r.csv"\n',
        encoding="utf-8",
    )
    with pytest.raises(chiikimap.InputFileError, match="市町村コード") as err:
        chiikimap.batch(tmp_path / "recipe.toml")
    assert err.value.param == "areas.path"


def test_network_recipes_are_refused(nara: Path, tmp_path: Path) -> None:
    text = (nara / "recipe.toml").read_text(encoding="utf-8")
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(
        text.replace("[analysis]\n", '[analysis]\nnetwork = "streets.osm"\n'), encoding="utf-8"
    )
    with pytest.raises(chiikimap.InputFileError, match="network") as err:
        chiikimap.batch(recipe)
    assert err.value.param == "analysis.network"


def test_indicator_recipes_are_refused(nara: Path, tmp_path: Path, test_data: Path) -> None:
    text = (nara / "recipe.toml").read_text(encoding="utf-8")
    shutil.copy(test_data / "needs" / "takamatsu_needs_r4_pct.csv", tmp_path / "needs.csv")
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(text + '\n[indicators]\npath = "needs.csv"\n', encoding="utf-8")
    with pytest.raises(chiikimap.InputFileError, match="indicators") as err:
        chiikimap.batch(recipe)
    assert err.value.param == "indicators"


def test_workers_and_scheduler_are_exclusive(nara: Path) -> None:
    with pytest.raises(chiikimap.ParameterError) as err:
        chiikimap.batch(nara / "recipe.toml", workers=2, scheduler="tcp://127.0.0.1:1")
    assert set(err.value.params) == {"workers", "scheduler"}
    with pytest.raises(chiikimap.ParameterError):
        chiikimap.batch(nara / "recipe.toml", workers=0)


# --- in-process run -------------------------------------------------------------------------------


def test_in_process_run_one_folder_per_municipality(nara: Path, local_run: object) -> None:
    got = _by_code(local_run)
    assert list(got) == CODES
    assert got["29209"].name == "生駒市"
    assert got["29209"].folder == "29209_生駒市"
    assert {c: r.status for c, r in got.items()} == {
        **dict.fromkeys(CODES, "ok"),
        FAILING: "error",
    }
    # the failure names its cause; the others have their pack and run.json
    assert "population" in got[FAILING].error
    assert not (nara / "out" / got[FAILING].folder / "run.json").exists()
    for code in CODES:
        if code == FAILING:
            continue
        folder = nara / "out" / got[code].folder
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        assert (folder / "chiikimap_karte.xlsx").is_file()
        assert record["batch"]["municipality_code"] == code
        assert record["batch"]["hash"] == got[code].digest
        assert {i["layer"] for i in record["inputs"]} == {"areas", "resources", "population"}
        assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    # the progress counter names every municipality once, counting up to 5
    done = [line for line in local_run.lines if line.startswith("[")]  # type: ignore[attr-defined]
    assert [line.split("]")[0] for line in done] == [f"[{k}/5" for k in range(1, 6)]


def test_summary_numbers_equal_the_municipality_tables(nara: Path, local_run: object) -> None:
    summary: pd.DataFrame = local_run.summary  # type: ignore[attr-defined]
    assert set(summary["municipality_code"]) == set(CODES) - {FAILING}
    tax = chiikimap.default_taxonomy()
    for code, result in _by_code(local_run).items():
        if code == FAILING:
            continue
        table = result.table
        assert table is not None
        rows = summary[summary["municipality_code"] == code].set_index("category")
        for key, group in table.groupby("category"):
            row = rows.loc[key]
            assert row["n_areas"] == len(group)
            assert row["n_none"] == (group["status"] == "none").sum()
            assert row["n_gap"] == (group["status"] == "gap").sum()
            lacking = group["status"].isin(["none", "gap"]).sum() / len(group)
            assert row["share_lacking"] == pytest.approx(lacking)
            assert row["n_resources"] == group["n_resources"].sum()
            assert row["covered"] == pytest.approx(group["covered"].sum())
            assert row["weight"] == pytest.approx(group["weight"].sum())
        # and the municipality's own run.json totals (its 第1層 summary)
        record = json.loads((nara / "out" / result.folder / "run.json").read_text(encoding="utf-8"))
        for cat in record["totals"]["categories"]:
            row = rows.loc[cat["category"]]
            assert row["n_resources"] == cat["n_resources"]
            assert row["covered"] == pytest.approx(cat["covered"])
        assert summary_rows(table, tax) == record["batch"]["summary"]


def test_summary_workbook_and_map(nara: Path, local_run: object) -> None:
    wb = openpyxl.load_workbook(nara / "out" / "summary.xlsx")
    assert wb.sheetnames == ["市町村別", "種別ごと", "除外行", "出典・条件"]
    rows = list(wb["市町村別"].iter_rows(values_only=True))
    assert rows[0][:4] == ("市町村コード", "市町村名", "状態", "エラー")
    state = {r[0]: (r[2], r[3]) for r in rows[1:]}
    assert state[FAILING][0] == "エラー"
    assert "population" in state[FAILING][1]
    assert state["29209"] == ("完了", None)
    cats = list(wb["種別ごと"].iter_rows(values_only=True))
    assert cats[0] == tuple(SUMMARY_COLUMNS.values())
    frame = local_run.summary  # type: ignore[attr-defined]
    assert len(cats) - 1 == len(frame)
    for values, (_, row) in zip(cats[1:], frame.iterrows(), strict=True):
        assert values[0] == row["municipality_code"]
        assert values[5] == row["n_none"]
        assert values[6] == row["n_gap"]
        assert values[9] == pytest.approx(row["share_lacking"])
    credits = [r[5] for r in wb["出典・条件"].iter_rows(values_only=True)]
    assert "テスト用の事業所（合成）" in credits
    page = (nara / "out" / "summary.html").read_text(encoding="utf-8")
    # relative links to each municipality's workbook (the recipe writes no html)
    assert "29209_%E7%94%9F%E9%A7%92%E5%B8%82/chiikimap_karte.xlsx" in page
    assert "/work/" not in page
    assert "file://" not in page
    assert "<script src" not in page  # Leaflet inlined: opens with no internet
    for label in ("通所介護", "訪問介護", "居宅介護支援"):  # a layer per category
        assert label in page or json.dumps(label)[1:-1] in page
    # the sources box: each layer's credit, as on every municipality's map
    assert "<h4>出典</h4>" in page
    assert "圏域: 国土数値情報" in page
    assert "資源: テスト用の事業所（合成）" in page
    assert "imperial: false" in page  # one scale bar, metric
    assert "L.control.scale().addTo" not in page
    assert "font:12px/1.45 sans-serif" in page  # the legend in the font of the other maps
    layers = {r[6] for r in wb["出典・条件"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert {"圏域", "資源"} <= layers


def test_summary_sources_box_is_escaped() -> None:
    from chiikimap import _schema as S
    from chiikimap._batch_summary import _sources_html
    from chiikimap.recipe import Recipe

    def layer(credit: str, date: str) -> gpd.GeoDataFrame:
        frame = gpd.GeoDataFrame(geometry=[], crs=S.STORAGE_CRS)
        source = S.Source(title="t", credit=credit, date=date)
        return S.attach_report(frame, S.ReadReport(sources=[source.to_dict()]))

    layers = {
        "areas": layer("国土数値情報（中学校区データ）", "2023"),
        "resources": layer('<img src=x onerror=alert(1)> & "co"', "2026-05"),
        "population": None,
    }
    html = _sources_html(Recipe(Path("r.toml"), {}), layers)
    assert "<img" not in html
    assert "資源: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;（2026-05）" in html
    assert "圏域: 国土数値情報（中学校区データ）（2023）" in html
    assert "圏域 2023、資源 2026-05" in html


def test_municipality_maps_name_the_municipality(nara: Path) -> None:
    folder = nara / "out_html"
    out = chiikimap.batch(
        nara / "recipe.toml", out_dir=folder, formats=["html"], municipality=["29209"]
    )
    (result,) = out.results
    page = (folder / result.folder / "chiikimap.html").read_text(encoding="utf-8")
    assert "<title>生駒市 — 奈良県 テスト</title>" in page
    record = json.loads((folder / result.folder / "run.json").read_text(encoding="utf-8"))
    assert record["recipe"]["title"] == "奈良県 テスト"  # the recipe as written


def test_summary_map_escapes_names(tmp_path: Path) -> None:
    from chiikimap._batch_summary import _link

    bad = batch_mod.MunicipalityResult(
        "99999", '<img src=x onerror=alert(1)>"', "99999_<img>", "ok"
    )
    link = _link(bad, tmp_path, "chiikimap", ["html"])
    assert "<img" not in link
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;" in link
    assert 'href="99999_%3Cimg%3E/"' in link


# --- identical to a single run ------------------------------------------------------------------


def _sheet_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in ("資源一覧", "除外行", "出典・条件"):
            continue  # national lists (see the module docstring of chiikimap.batch)
        # the population outside the areas differs by design: a single run counts the whole
        # file's other municipalities, a batch part only the cells crossing the border
        rows = [
            tuple(c.split("圏域外の")[0] if isinstance(c, str) else c for c in row)
            for row in ws.iter_rows(values_only=True)
        ]
        out[ws.title] = [r for r in rows if not any(str(c).startswith("作成") for c in r if c)]
    return out


def test_batch_equals_a_single_run_cell_by_cell(nara: Path, local_run: object) -> None:
    single = _recipe(nara, "single.toml", out="single", areas_extra='municipality = "29209"')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)  # population outside the city
        one = run_recipe(single)
    mine = _by_code(local_run)["29209"]
    pd.testing.assert_frame_equal(one.coverage.table, mine.table, check_exact=True)
    assert _sheet_values(nara / "single" / "chiikimap_karte.xlsx") == _sheet_values(
        nara / "out" / "29209_生駒市" / "chiikimap_karte.xlsx"
    )


# --- resumption ---------------------------------------------------------------------------------


def test_rerun_skips_unchanged_and_reruns_a_changed_input(tmp_path: Path, nara: Path) -> None:
    for f in nara.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    first = chiikimap.batch(tmp_path / "recipe.toml", municipality="29209,29361,29363")
    assert [r.status for r in first.results] == ["ok", "ok", "error"]
    second = chiikimap.batch(tmp_path / "recipe.toml", municipality="29209,29361,29363")
    # unchanged inputs: skipped (their summary rows read back); the failed one runs again
    assert [r.status for r in second.results] == ["skipped", "skipped", "error"]
    pd.testing.assert_frame_equal(second.summary, first.summary)
    # move one 生駒市 resource: 生駒市 runs again, 川西町 (25 km away) is still skipped
    csv = tmp_path / "jigyosho.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    first_ikoma = next(i for i, line in enumerate(lines) if line.startswith("事業所24,"))
    name, kind, lat, lon = lines[first_ikoma].split(",")
    lines[first_ikoma] = f"{name},{kind},{float(lat) + 0.001:.6f},{lon}"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = chiikimap.batch(tmp_path / "recipe.toml", municipality="29209,29361,29363")
    assert [r.status for r in third.results] == ["ok", "skipped", "error"]


# --- Dask ---------------------------------------------------------------------------------------


def test_local_cluster_of_two_workers_gives_the_same_results(
    nara: Path,
    local_run: object,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from distributed import nanny

    # a worker slow to exit when the cluster closes, as on a loaded machine: the nanny logs
    # what it logs before killing it (here every time, so that every run checks the shutdown)
    kill = nanny.WorkerProcess.kill
    stopped: list[str] = []

    async def slow_to_exit(self: nanny.WorkerProcess, *args: Any, **kwargs: Any) -> None:
        stopped.append(str(kwargs.get("reason", "")))
        nanny.logger.warning("Worker process still alive after 4.0 seconds, killing")
        await kill(self, *args, **kwargs)

    monkeypatch.setattr(nanny.WorkerProcess, "kill", slow_to_exit)
    lines: list[str] = []
    # "distributed" prints its records on stderr and does not propagate: listen at the nanny
    nanny.logger.addHandler(caplog.handler)
    try:
        result = chiikimap.batch(
            nara / "recipe.toml", workers=2, out_dir=nara / "out_dask", progress=lines.append
        )
    finally:
        nanny.logger.removeHandler(caplog.handler)
    # both workers were stopped through the patched kill, and its warning never left the nanny
    assert len(stopped) == 2
    assert not [r for r in caplog.records if "still alive" in r.getMessage()]
    assert nanny.logger.level == logging.NOTSET  # quiet during the shutdown only
    local = _by_code(local_run)
    for code, got in _by_code(result).items():
        assert got.status == local[code].status
        assert got.error == local[code].error
        if got.table is not None:
            pd.testing.assert_frame_equal(got.table, local[code].table, check_exact=True)
    pd.testing.assert_frame_equal(result.summary, local_run.summary)  # type: ignore[attr-defined]
    assert sum(line.startswith("[") for line in lines) == 5


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    # workers import chiikimap from this checkout, installed or not
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": root}
    with log.open("wb") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A ``dask scheduler`` and a ``dask worker`` started as separate processes."""
    # the ``dask scheduler`` / ``dask worker`` commands, run by this Python
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker"]
    info = tmp_path / "scheduler.json"
    procs = [
        _start(
            [
                *scheduler,
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--dashboard-address",
                ":0",
                "--scheduler-file",
                str(info),
            ],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        address = ""
        while not address and time.monotonic() < deadline:
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            try:
                address = json.loads(info.read_text())["address"]
            except (OSError, ValueError, KeyError):  # not written yet
                time.sleep(0.2)
        assert address, (tmp_path / "scheduler.log").read_text()
        procs.append(
            _start(
                [
                    *worker,
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--no-dashboard",
                    "--local-directory",
                    str(tmp_path / "w"),
                ],
                tmp_path / "worker.log",
            )
        )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_existing_cluster_from_the_command_line(
    nara: Path, cluster: str, run_cli: object, assert_no_traceback: object
) -> None:
    proc = run_cli(  # type: ignore[operator]
        "batch",
        "recipe.toml",
        "--scheduler",
        cluster,
        "--out",
        "out_cli",
        "--municipality",
        "29209,29363",
        cwd=nara,
    )
    assert_no_traceback(proc)  # type: ignore[operator]
    assert proc.returncode == 1  # one municipality failed
    assert "完了 1・スキップ 0・エラー 1" in proc.stdout
    assert f"{FAILING} 磯城郡田原本町: SchemaError" in proc.stdout
    assert "[2/2]" in proc.stderr
    record = json.loads(
        (nara / "out_cli" / "29209_生駒市" / "run.json").read_text(encoding="utf-8")
    )
    assert record["batch"]["municipality_code"] == "29209"
    assert (nara / "out_cli" / "summary.html").is_file()


def test_cli_usage_errors(nara: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    recipe = str(nara / "recipe.toml")
    assert main(["batch", recipe, "--workers", "0"]) == 2
    assert main(["batch", recipe, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    capsys.readouterr()
    assert main(["batch", recipe, "--municipality", "13101"]) == 1
    err = capsys.readouterr().err
    assert "--municipality" in err
    assert "29209" in err
    assert "Traceback" not in err
