"""Tests of chiikimap._apportion: known shares on squares, border rule for points, lattice weights."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from chiikimap import _schema as S
from chiikimap._apportion import apportion, weight_points

CRS = "EPSG:6690"  # JGD2011 / UTM 53N; coordinates below are metres near 枚方市
X0, Y0 = 560_000.0, 3_850_000.0
COLS = [S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS]


def _areas(n: int = 2, cell: float = 100.0) -> gpd.GeoDataFrame:
    """n × n squares of ``cell`` metres, ids A{row}{col}, row-major."""
    geoms, ids = [], []
    for r in range(n):
        for c in range(n):
            ids.append(f"A{r}{c}")
            geoms.append(
                box(X0 + c * cell, Y0 + r * cell, X0 + (c + 1) * cell, Y0 + (r + 1) * cell)
            )
    return gpd.GeoDataFrame({S.AREA_ID: ids, S.AREA_NAME: ids}, geometry=geoms, crs=CRS)


def _pop(geoms: list, total: list[float], p65: list[float] | None = None) -> gpd.GeoDataFrame:
    p65 = p65 if p65 is not None else [t / 2 for t in total]
    return gpd.GeoDataFrame(
        {S.POP_TOTAL: total, S.POP_65PLUS: p65, S.POP_75PLUS: [v / 2 for v in p65]},
        geometry=geoms,
        crs=CRS,
    )


def _by_area(pieces: gpd.GeoDataFrame, col: str = S.POP_TOTAL) -> dict:
    out = pieces.groupby(pieces[S.AREA_ID].fillna("<outside>"))[col].sum()
    return {k: float(v) for k, v in out.items()}


def test_square_split_in_quarters_and_halves() -> None:
    areas = _areas(2)
    # cell centred on the shared corner: 1/4 in each area; cell across the A00|A01 edge: 1/2 each
    pop = _pop(
        [box(X0 + 50, Y0 + 50, X0 + 150, Y0 + 150), box(X0 + 50, Y0, X0 + 150, Y0 + 40)],
        [400.0, 100.0],
    )
    pieces = apportion(pop, areas, metric_crs=CRS)
    assert _by_area(pieces) == pytest.approx(
        {"A00": 150.0, "A01": 150.0, "A10": 100.0, "A11": 100.0}
    )
    first = pieces[pieces["source_index"] == 0]
    assert sorted(first["share"]) == pytest.approx([0.25] * 4)
    assert pieces.crs == CRS


def test_polygon_partly_outside_keeps_its_outside_share_visible() -> None:
    areas = _areas(2)
    # 3/4 of this cell lies outside every area (x from 150 to 250, y from 150 to 250)
    pop = _pop(
        [box(X0 + 150, Y0 + 150, X0 + 250, Y0 + 250), box(X0 + 500, Y0, X0 + 600, Y0 + 100)],
        [80.0, 10.0],
    )
    pieces = apportion(pop, areas, metric_crs=CRS)
    assert _by_area(pieces) == pytest.approx({"A11": 20.0, "<outside>": 70.0})
    outside = pieces[pieces[S.AREA_ID].isna()]
    assert outside.geometry.area.sum() == pytest.approx(7500.0 + 10000.0)
    for c in COLS:
        assert pieces[c].sum() == pytest.approx(pop[c].sum())


def test_polygon_inside_one_area_is_not_cut() -> None:
    areas = _areas(2)
    cell = box(X0 + 10, Y0 + 10, X0 + 90, Y0 + 90)
    pieces = apportion(_pop([cell], [7.0]), areas, metric_crs=CRS)
    assert len(pieces) == 1
    assert pieces[S.AREA_ID].iloc[0] == "A00"
    assert pieces["share"].iloc[0] == 1.0
    assert pieces.geometry.iloc[0].equals(cell)


def test_points_on_borders_belong_to_the_first_area() -> None:
    areas = _areas(2)
    pts = [
        Point(X0 + 100, Y0 + 50),  # A00|A01 edge → A00
        Point(X0 + 100, Y0 + 100),  # corner of all four → A00
        Point(X0 + 150, Y0 + 100),  # A01|A11 edge → A01
        Point(X0 + 150, Y0 + 150),  # inside A11
        Point(X0 + 300, Y0 + 300),
    ]  # outside
    pieces = apportion(_pop(pts, [1.0, 2.0, 4.0, 8.0, 16.0]), areas, metric_crs=CRS)
    assert pieces[S.AREA_ID].fillna("-").tolist() == ["A00", "A00", "A01", "A11", "-"]
    assert len(pieces) == 5  # each point exactly once


def test_rows_without_geometry_assigned_by_area_id() -> None:
    areas = _areas(2)
    pop = gpd.GeoDataFrame(
        {
            S.AREA_ID: ["A11", "Z"],
            S.POP_TOTAL: [5.0, 6.0],
            S.POP_65PLUS: [1.0, 2.0],
            S.POP_75PLUS: [0.0, 1.0],
        },
        geometry=[None, None],
        crs=CRS,
    )
    pieces = apportion(pop, areas, metric_crs=CRS)
    assert pieces[S.AREA_ID].fillna("-").tolist() == ["A11", "-"]


def test_area_polygons_as_population_get_share_one() -> None:
    # a per-area table read with boundaries=areas: each row's polygon is its area
    areas = _areas(3).to_crs(S.STORAGE_CRS)
    pop = areas[[S.AREA_ID, "geometry"]].assign(
        **{S.POP_TOTAL: np.arange(9.0), S.POP_65PLUS: 1.0, S.POP_75PLUS: 0.5}
    )
    pieces = apportion(pop, areas, metric_crs=CRS)
    assert len(pieces) == 9
    assert pieces[S.AREA_ID].tolist() == areas[S.AREA_ID].tolist()
    assert pieces[S.POP_TOTAL].tolist() == pytest.approx(list(range(9)))


def test_nan_stays_nan_and_is_left_out_of_sums() -> None:
    areas = _areas(2)
    pop = _pop([box(X0 + 50, Y0, X0 + 150, Y0 + 100)], [10.0], [float("nan")])
    pieces = apportion(pop, areas, metric_crs=CRS)
    assert pieces[S.POP_65PLUS].isna().all()
    assert pieces[S.POP_TOTAL].sum() == pytest.approx(10.0)


def test_geographic_metric_crs_is_refused() -> None:
    with pytest.raises(ValueError, match="projected"):
        apportion(_pop([Point(X0, Y0)], [1.0]), _areas(1), metric_crs="EPSG:6668")


def test_weight_points_hand_computed() -> None:
    areas = _areas(2)
    # cell x 50..150, y 0..100 with 100 people; spacing 50 m → lattice x ∈ {75, 125}, y ∈ {25, 75}:
    # 2 points in A00 (x=75) and 2 in A01 (x=125), each piece 50 people → 25 per point.
    # A tiny cell (10 m) holding no lattice point → its representative point carries all 6.
    # A point outside → area -1.
    pop = _pop(
        [
            box(X0 + 50, Y0, X0 + 150, Y0 + 100),
            box(X0 + 160, Y0 + 160, X0 + 170, Y0 + 170),
            Point(X0 + 300, Y0 + 300),
        ],
        [100.0, 6.0, 3.0],
    )
    xy, w, area = weight_points(pop, areas, metric_crs=CRS, weight=S.POP_TOTAL, spacing_m=50.0)
    got = sorted(zip((xy[:, 0] - X0).round(6), (xy[:, 1] - Y0).round(6), w, area, strict=False))
    assert got == sorted(
        [
            (75.0, 25.0, 25.0, 0),
            (75.0, 75.0, 25.0, 0),
            (125.0, 25.0, 25.0, 1),
            (125.0, 75.0, 25.0, 1),
            (165.0, 165.0, 6.0, 3),
            (300.0, 300.0, 3.0, -1),
        ]
    )
    assert w.sum() == pytest.approx(109.0)


def test_weight_points_rejects_rows_without_geometry() -> None:
    pop = gpd.GeoDataFrame({S.AREA_ID: ["A00"], S.POP_TOTAL: [1.0]}, geometry=[None], crs=CRS)
    with pytest.raises(ValueError, match="boundaries=areas"):
        weight_points(pop, _areas(1), metric_crs=CRS, weight=S.POP_TOTAL)


_coord = st.floats(min_value=-150.0, max_value=450.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            _coord, _coord, st.floats(1.0, 200.0), st.floats(1.0, 200.0), st.floats(0.0, 1000.0)
        ),
        min_size=1,
        max_size=12,
    ),
    spacing=st.sampled_from([7.0, 25.0, 60.0]),
)
def test_totals_preserved_property(cells: list, spacing: float) -> None:
    areas = _areas(3)
    geoms = [box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for x, y, w, h, _ in cells]
    pop = _pop(geoms, [v for *_, v in cells])
    pieces = apportion(pop, areas, metric_crs=CRS)
    for c in COLS:
        assert pieces[c].sum() == pytest.approx(pop[c].sum(), rel=1e-9, abs=1e-6)
    # per source row the shares sum to 1
    assert pieces.groupby("source_index")["share"].sum().to_numpy() == pytest.approx(
        np.ones(len(pop))
    )
    _xy, w, area = weight_points(pop, areas, metric_crs=CRS, weight=S.POP_TOTAL, spacing_m=spacing)
    assert w.sum() == pytest.approx(pop[S.POP_TOTAL].sum(), rel=1e-9, abs=1e-6)
    per_area = np.bincount(area + 1, weights=w, minlength=10)
    expected = _by_area(pieces)
    for i, aid in enumerate(areas[S.AREA_ID]):
        assert per_area[i + 1] == pytest.approx(expected.get(aid, 0.0), rel=1e-9, abs=1e-6)


def test_real_census_areas_match_a_plain_overlay() -> None:
    """生駒市: 119 census polygons over the 8 A32 districts, against geopandas.overlay."""
    import warnings

    import geopandas as gpd

    import chiikimap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = chiikimap.load_sample("ikoma")
    metric = "EPSG:6690"
    pieces = chiikimap.apportion(s.population, s.areas, metric_crs=metric)
    got = pieces.groupby("area_id", dropna=False)["pop_total"].sum()
    pop = s.population.to_crs(metric)
    pop["_land"] = pop.area
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # touching borders give dropped lines
        ov = gpd.overlay(
            pop[["pop_total", "_land", "geometry"]],
            s.areas.to_crs(metric)[["area_id", "geometry"]],
            how="intersection",
        )
    expected = (ov["pop_total"] * ov.area / ov["_land"]).groupby(ov["area_id"]).sum()
    for area_id, value in expected.items():
        assert got[area_id] == pytest.approx(value, rel=1e-6), area_id
    outside = got[got.index.isna()].sum()
    assert outside == pytest.approx(pop["pop_total"].sum() - expected.sum(), rel=1e-6)
    assert 540 < outside < 560  # the census areas reach 549 people beyond the A32 districts
