"""Hand-made layers and a hand-made :class:`Coverage` for renderer tests.

The coverage here is *not* computed by :func:`chiikimap.analyze`: its numbers are written by hand so
that renderer tests do not depend on the analysis and can check exactly what is shown.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, box

from chiikimap import _schema as S
from chiikimap.result import Coverage, RunInfo
from chiikimap.taxonomy import default_taxonomy

#: JGD2011 / UTM zone 53N; the grid sits near 枚方市 (lon ≈ 135.65, lat ≈ 34.8).
GRID_CRS = "EPSG:6690"
GRID_ORIGIN = (560_000.0, 3_850_000.0)


def grid_areas(
    n: int = 3, cell_m: float = 1000.0, *, vertex_step_m: float | None = None
) -> gpd.GeoDataFrame:
    """``n × n`` square areas of ``cell_m`` metres, ids ``A{row}{col}``, in EPSG:6668.

    With ``vertex_step_m`` every edge gets a vertex each ``vertex_step_m`` metres, so a point made
    by :func:`grid_points` at such a position lies *exactly* on the shared border in any CRS (the
    point and the vertex go through the same transformation).
    """
    x0, y0 = GRID_ORIGIN
    rows = []
    for r in range(n):
        for c in range(n):
            geom = box(
                x0 + c * cell_m, y0 + r * cell_m, x0 + (c + 1) * cell_m, y0 + (r + 1) * cell_m
            )
            if vertex_step_m is not None:
                geom = shapely.segmentize(geom, vertex_step_m)
            rows.append(
                {
                    S.AREA_ID: f"A{r}{c}",
                    S.AREA_NAME: f"第{r * n + c + 1}区",
                    S.MUNICIPALITY_CODE: "27210",
                    "geometry": geom,
                }
            )
    return gpd.GeoDataFrame(rows, crs=GRID_CRS).to_crs(S.STORAGE_CRS)


def grid_population(
    xy_m: list[tuple[float, float]], values: list[float], *, column: str = S.POP_65PLUS
) -> gpd.GeoDataFrame:
    """Population points at grid positions (metres from the origin) with ``column`` = values.

    ``pop_total`` is twice the value and ``pop_75plus`` half of it, so every column is usable.
    """
    v = np.asarray(values, dtype=float)
    data = {S.POP_TOTAL: v * 2, S.POP_65PLUS: v, S.POP_75PLUS: v / 2}
    data[column] = v
    return gpd.GeoDataFrame(data, geometry=grid_points(xy_m).to_numpy(), crs=S.STORAGE_CRS)


def grid_resources(
    specs: list[tuple[float, float, tuple[str, ...]]], capacity: list[float] | None = None
) -> gpd.GeoDataFrame:
    """Resources at grid positions: ``specs`` is ``[(x_m, y_m, (category keys …)), …]``."""
    n = len(specs)
    return gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(n)],
            S.NAME: [f"資源{i}" for i in range(n)],
            S.CATEGORY: [s[2][0] if s[2] else "" for s in specs],
            S.CATEGORIES: [tuple(s[2]) for s in specs],
            S.CAPACITY: capacity if capacity is not None else [np.nan] * n,
            S.ADDRESS: [""] * n,
            S.SOURCE: ["test"] * n,
        },
        geometry=grid_points([(s[0], s[1]) for s in specs]).to_numpy(),
        crs=S.STORAGE_CRS,
    )


def grid_points(xy_m: list[tuple[float, float]]) -> gpd.GeoSeries:
    """Points given in metres relative to the grid origin, in EPSG:6668."""
    x0, y0 = GRID_ORIGIN
    return gpd.GeoSeries([Point(x0 + x, y0 + y) for x, y in xy_m], crs=GRID_CRS).to_crs(
        S.STORAGE_CRS
    )


def fake_resources(names: list[str] | None = None) -> gpd.GeoDataFrame:
    """Four resources in two categories on the 3×3 grid; ``names`` overrides their names."""
    names = names or ["ふれあいサロン中央", "配食みどり", "サロン東", "配食ひかり"]
    cats = [("kayoi_no_ba",), ("haishoku",), ("kayoi_no_ba",), ("haishoku", "mimamori")]
    pts = grid_points([(1500, 1500), (500, 500), (2500, 1500), (2500, 2500)])
    return gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(4)],
            S.NAME: names,
            S.CATEGORY: [c[0] for c in cats],
            S.CATEGORIES: cats,
            S.CAPACITY: [20.0, np.nan, 15.0, np.nan],
            S.ADDRESS: ["枚方市1-1", "枚方市2-2", "枚方市3-3", "枚方市4-4"],
            S.SOURCE: ["test"] * 4,
            S.AREA_ID: ["A11", "A00", "A12", "A22"],
        },
        geometry=pts,
        crs=S.STORAGE_CRS,
    )


def fake_coverage(resource_names: list[str] | None = None) -> Coverage:
    """A 3×3-grid coverage for categories 通いの場 and 配食 with hand-written figures.

    Status pattern (row-major area ids A00 … A22): 通いの場 is ``none`` in A00, A01, A02, A10, A20,
    ``gap`` in A21 and A22, ``ok`` in A11, A12; 配食 is ``ok`` everywhere except A20 (``gap``).
    Weights are land area (1 km² per area).
    """
    tax = default_taxonomy()
    areas = grid_areas(3)
    resources = fake_resources(resource_names)
    kayoi_cov = {
        "A00": 0,
        "A01": 0,
        "A02": 0,
        "A10": 0,
        "A11": 1.0,
        "A12": 1.0,
        "A20": 0,
        "A21": 0.3,
        "A22": 0.5,
    }
    rows = []
    for _, a in areas.iterrows():
        aid = a[S.AREA_ID]
        for cat, cov, target in (
            ("kayoi_no_ba", kayoi_cov[aid], 0.8),
            ("haishoku", 0.6 if aid == "A20" else 1.0, 0.8),
        ):
            status = S.STATUS_NONE if cov == 0 else S.STATUS_GAP if cov < target else S.STATUS_OK
            n = int(
                (
                    (resources[S.AREA_ID] == aid)
                    & resources[S.CATEGORIES].map(lambda cs, cat=cat: cat in cs)
                ).sum()
            )
            rows.append(
                {
                    S.AREA_ID: aid,
                    S.AREA_NAME: a[S.AREA_NAME],
                    S.CATEGORY: cat,
                    S.CATEGORY_LABEL: tax.label(cat),
                    S.N_RESOURCES: n,
                    S.CAPACITY: np.nan,
                    S.WEIGHT: 1_000_000.0,
                    S.PER_1000: np.nan,
                    S.COVERED: cov * 1_000_000.0,
                    S.COVERAGE: float(cov),
                    S.UNCOVERED: (1 - cov) * 1_000_000.0,
                    S.NEAREST_M: 300.0 if cov else 1800.0,
                    S.STATUS: status,
                }
            )
    table = pd.DataFrame(rows, columns=list(S.TABLE_COLUMNS))
    info = RunInfo(
        basis="area",
        weight="area",
        weight_label="面積(m²)",
        rules={
            "kayoi_no_ba": {"radius_m": 800.0, "target": 0.8},
            "haishoku": {"radius_m": 3000.0, "target": 0.8},
        },
        categories=("kayoi_no_ba", "haishoku"),
        storage_crs=S.STORAGE_CRS,
        metric_crs=GRID_CRS,
        sources=(S.Source("テスト用の架空データ", "chiikimap", "2026-01-01", "CC0"),),
        taxonomy=tax.name,
        version="test",
        created="2026-01-01",
    )
    return Coverage(
        table=table,
        areas=areas,
        resources=resources,
        population=None,
        unassigned=resources.iloc[0:0].copy(),
        rejected=pd.DataFrame(columns=list(S.REJECTED_COLUMNS)),
        info=info,
        taxonomy=tax,
    )


#: 549 people outside of 109 251 + 549 = 109 800 in all: 0.5 %
OUTSIDE = 549.0
INSIDE = 109_251.0
OUTSIDE_LINE = "圏域外の65歳以上人口: 549 人（0.5%）— どの圏域にも含めていません"


def outside_coverage(*, weight_label: str = "65歳以上人口", outside: float = OUTSIDE) -> Coverage:
    """:func:`tests.fakes.fake_coverage` on the population basis with ``outside`` people outside."""
    cov = fake_coverage()
    info = dataclasses.replace(
        cov.info,
        basis="population",
        weight="pop_65plus",
        weight_label=weight_label,
        weight_inside=INSIDE,
        weight_outside=outside,
    )
    return dataclasses.replace(cov, info=info)
