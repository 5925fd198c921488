"""The GeoPackage stores no infinite distance: NULL instead, read back as inf by load_run.

The walking run of tests/test_network.py whose second area lies on a street joined to nothing
(its people reach no resource on foot: ``nearest_m = inf``), plus an area with nobody in it
(対象なし: ``nearest_m`` NaN) and a category with no resource at all (``nearest_m`` NaN).
"""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

import chiikimap
from chiikimap import _schema as S
from chiikimap._runs import load_run
from tests.test_network import CRS, KEY, PEOPLE, _layers, _town_with_island


def _walk() -> chiikimap.Coverage:
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: ["1", "2", "3"],
            S.AREA_NAME: ["川の町", "離れ", "無人"],
            "geometry": [
                box(-100, -100, 1100, 640),
                box(-100, 640, 1100, 700),
                box(-100, 700, 1100, 800),
            ],
        },
        crs=CRS,
    )
    _, res, _ = _layers(PEOPLE)
    pts = [Point(300.0, -10.0), Point(250.0, 10.0), Point(100.0, 665.0), Point(150.0, 665.0)]
    w = [1.0] * 4
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: w, S.POP_65PLUS: w, S.POP_75PLUS: w, "geometry": pts}, crs=CRS
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)  # 対象なし, no 配食
        return chiikimap.analyze(
            areas,
            res,
            pop,
            network=_town_with_island(),
            radius_m={KEY: 800.0},
            metric_crs=CRS,
            categories=[KEY, "haishoku"],
        )


def test_unreachable_is_null_in_the_geopackage_and_inf_again_in_load_run(
    tmp_path: Path,
) -> None:
    walk = _walk()
    t = walk.table.set_index([S.AREA_ID, S.CATEGORY])[S.NEAREST_M]
    # the known answers of the run itself (tests/test_network.py works them out by hand)
    assert np.isinf(t[("2", KEY)])
    assert np.isnan(t[("3", KEY)])  # nobody lives there: 対象なし
    assert t.xs("haishoku", level=1).isna().all()  # no 配食 resource anywhere
    folder = tmp_path / "run"
    folder.mkdir()
    walk.to_geopackage(folder / "g.gpkg")
    record = {"outputs": ["g.gpkg"], "totals": {"weight": S.POP_65PLUS, "categories": []}}
    (folder / "run.json").write_text(json.dumps(record), encoding="utf-8")

    with sqlite3.connect(folder / "g.gpkg") as con:
        query = "SELECT area_id, category, nearest_m, typeof(nearest_m) FROM gaps"
        stored = {(a, c): (v, kind) for a, c, v, kind in con.execute(query)}
        assert stored[("2", KEY)] == (None, "null")
        assert stored[("1", KEY)][0] == t[("1", KEY)]
        for layer in ("gaps", "areas"):
            columns = [r[1] for r in con.execute(f"PRAGMA table_info({layer})")]
            reals = [
                c
                for c in columns
                if con.execute(
                    f'SELECT count(*) FROM {layer} WHERE typeof("{c}") = "real"'
                ).fetchone()[0]
            ]
            for c in reals:  # no cell of any layer is ±inf (QGIS shows it as text "inf")
                (n_inf,) = con.execute(
                    f'SELECT count(*) FROM {layer} WHERE abs("{c}") > 1e308'
                ).fetchone()
                assert n_inf == 0, (layer, c)

    back = load_run(folder).table.set_index([S.AREA_ID, S.CATEGORY])[S.NEAREST_M]
    pd.testing.assert_series_equal(back, t, check_exact=False, rtol=1e-12)
