"""Tests of the banded rectangle clip in chiikimap._apportion against hand-worked and direct answers.

Every population polygon that crosses an area border is cut by clipping the area to row and column
bands first; these tests pin the cases where that shortcut could go wrong: polygons that are not
axis-aligned rectangles, rectangles of mixed sizes that do not form a grid, lat/lon mesh cells that
are no longer rectangles in the metric CRS, and polygons split among several areas and the outside.
The reference answers are worked out by hand or computed pair by pair with a plain
``shapely.intersection`` of the polygon and the whole area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from chiikimap import _schema as S
from chiikimap._apportion import apportion

CRS = "EPSG:6690"  # JGD2011 / UTM 53N, metres
X0, Y0 = 560_000.0, 3_850_000.0


def _areas(n: int = 2, cell: float = 100.0) -> gpd.GeoDataFrame:
    """n × n squares of ``cell`` metres from (X0, Y0), ids A{row}{col}, row-major."""
    geoms = [
        box(X0 + c * cell, Y0 + r * cell, X0 + (c + 1) * cell, Y0 + (r + 1) * cell)
        for r in range(n)
        for c in range(n)
    ]
    ids = [f"A{r}{c}" for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame({S.AREA_ID: ids}, geometry=geoms, crs=CRS)


def _pop(geoms: list, crs: str = CRS) -> gpd.GeoDataFrame:
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            S.POP_TOTAL: np.full(n, 1000.0),
            S.POP_65PLUS: np.full(n, 300.0),
            S.POP_75PLUS: np.full(n, 100.0),
        },
        geometry=geoms,
        crs=crs,
    )


def _shares(pieces: gpd.GeoDataFrame) -> dict[tuple[int, str], float]:
    ids = pieces[S.AREA_ID].fillna("<outside>")
    out = pieces.groupby([pieces["source_index"], ids])["share"].sum()
    return {(int(k[0]), str(k[1])): float(v) for k, v in out.items()}


def _direct_shares(pop: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> dict[tuple[int, str], float]:
    """Independent reference: every (polygon, area) pair intersected whole, in the metric CRS."""
    polys = pop.to_crs(CRS).geometry.to_numpy()
    area_geoms = areas.to_crs(CRS).geometry.to_numpy()
    out: dict[tuple[int, str], float] = {}
    for i, p in enumerate(polys):
        inside = 0.0
        for aid, a in zip(areas[S.AREA_ID], area_geoms, strict=True):
            s = shapely.intersection(p, a).area / p.area
            if s > 1e-12:
                out[(i, aid)] = s
                inside += s
        if 1.0 - inside > 1e-9:
            out[(i, "<outside>")] = 1.0 - inside
    return out


def _assert_same(got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-9), k


def _diamond(cx: float, cy: float, r: float) -> Polygon:
    return Polygon([(cx - r, cy), (cx, cy - r), (cx + r, cy), (cx, cy + r)])


def test_diamonds_and_triangle_by_hand() -> None:
    areas = _areas(2)
    pop = _pop(
        [
            _diamond(X0 + 100, Y0 + 50, 50),  # split by the A00|A01 edge: halves
            _diamond(X0 + 100, Y0 + 100, 50),  # centred on the shared corner: quarters
            # right triangle with legs of 100 m from (150, 150): its part with x, y ≤ 200 is the
            # 50 × 50 square (x + y ≤ 400 there), half of the triangle's 5000 m²; the rest is outside
            Polygon([(X0 + 150, Y0 + 150), (X0 + 250, Y0 + 150), (X0 + 150, Y0 + 250)]),
        ]
    )
    got = _shares(apportion(pop, areas, metric_crs=CRS))
    _assert_same(
        got,
        {
            (0, "A00"): 0.5,
            (0, "A01"): 0.5,
            (1, "A00"): 0.25,
            (1, "A01"): 0.25,
            (1, "A10"): 0.25,
            (1, "A11"): 0.25,
            (2, "A11"): 0.5,
            (2, "<outside>"): 0.5,
        },
    )


def test_rectangles_of_mixed_sizes_by_hand() -> None:
    areas = _areas(2)
    pop = _pop(
        [
            box(X0 + 20, Y0 + 30, X0 + 180, Y0 + 70),  # 160 m wide across x = 100: 80/160 each side
            box(X0 + 95, Y0 + 5, X0 + 105, Y0 + 15),  # small, across x = 100: halves
            box(
                X0 + 90, Y0 + 60, X0 + 130, Y0 + 180
            ),  # x 90..130 × y 60..180: A00 10×40, A01 30×40,
            # A10 10×80, A11 30×80 of 40×120 = 4800 m²
            box(X0 + 3, Y0 + 97, X0 + 7, Y0 + 103),  # tiny, across y = 100: halves
        ]
    )
    got = _shares(apportion(pop, areas, metric_crs=CRS))
    _assert_same(
        got,
        {
            (0, "A00"): 0.5,
            (0, "A01"): 0.5,
            (1, "A00"): 0.5,
            (1, "A01"): 0.5,
            (2, "A00"): 400 / 4800,
            (2, "A01"): 1200 / 4800,
            (2, "A10"): 800 / 4800,
            (2, "A11"): 2400 / 4800,
            (3, "A00"): 0.5,
            (3, "A10"): 0.5,
        },
    )


def test_cell_over_four_areas_and_outside_keeps_outside_geometry() -> None:
    areas = _areas(2)
    # x, y from 50 to 250: 50 × 50 in A00, 50 × 100 in A01 and A10, 100 × 100 in A11 of 200 × 200;
    # 40000 − 22500 = 17500 m² outside
    pieces = apportion(_pop([box(X0 + 50, Y0 + 50, X0 + 250, Y0 + 250)]), areas, metric_crs=CRS)
    _assert_same(
        _shares(pieces),
        {
            (0, "A00"): 2500 / 40000,
            (0, "A01"): 5000 / 40000,
            (0, "A10"): 5000 / 40000,
            (0, "A11"): 10000 / 40000,
            (0, "<outside>"): 17500 / 40000,
        },
    )
    outside = pieces[pieces[S.AREA_ID].isna()].geometry
    assert outside.area.sum() == pytest.approx(17500.0)
    assert pieces.geometry.area.sum() == pytest.approx(40000.0)
    assert pieces[S.POP_TOTAL].sum() == pytest.approx(1000.0)


def test_regular_grid_over_curved_areas_matches_direct_intersection() -> None:
    # two discs with many vertices, and a grid of 30 m cells over both and beyond
    discs = [
        shapely.Point(X0 + 100, Y0 + 100).buffer(90, 64),
        shapely.Point(X0 + 260, Y0 + 130).buffer(70, 64),
    ]
    discs[1] = discs[1].difference(discs[0])
    areas = gpd.GeoDataFrame({S.AREA_ID: ["D0", "D1"]}, geometry=discs, crs=CRS)
    xs, ys = np.meshgrid(np.arange(0, 360, 30.0), np.arange(0, 240, 30.0))
    cells = list(
        shapely.box(X0 + xs.ravel(), Y0 + ys.ravel(), X0 + xs.ravel() + 30, Y0 + ys.ravel() + 30)
    )
    pop = _pop(cells)
    pieces = apportion(pop, areas, metric_crs=CRS)
    _assert_same(_shares(pieces), _direct_shares(pop, areas))
    # each piece is the cell ∩ area (or the rest of the cell), so the pieces tile the cells
    assert pieces.geometry.area.sum() == pytest.approx(len(cells) * 900.0)


def test_lat_lon_mesh_cells_match_direct_intersection() -> None:
    # 30″ × 45″ (half-mesh sized) cells near 枚方市 in JGD2011 lat/lon; in UTM they are skewed
    # quadrilaterals, not rectangles, so they take the general path
    lon0, lat0 = 135.60, 34.80
    dx, dy = 45 / 3600, 30 / 3600
    cells = [
        box(lon0 + i * dx, lat0 + j * dy, lon0 + (i + 1) * dx, lat0 + (j + 1) * dy)
        for i in range(6)
        for j in range(5)
    ]
    pop = _pop(cells, crs="EPSG:6668")
    centre = (
        gpd.GeoSeries([shapely.Point(lon0 + 3 * dx, lat0 + 2.5 * dy)], crs="EPSG:6668")
        .to_crs(CRS)
        .iloc[0]
    )
    cx, cy = centre.x, centre.y
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: ["W", "E", "R"]},
        geometry=[
            box(cx - 1500, cy - 1000, cx + 1, cy + 1200),
            Polygon(
                [
                    (cx + 1, cy - 1000),
                    (cx + 1300, cy - 700),
                    (cx + 900, cy + 1200),
                    (cx + 1, cy + 1200),
                ]
            ),
            shapely.Point(cx + 10, cy - 1100)
            .buffer(300, 32)
            .difference(box(cx - 1500, cy - 1000, cx + 1300, cy + 1200)),
        ],
        crs=CRS,
    )
    pieces = apportion(pop, areas, metric_crs=CRS)
    _assert_same(_shares(pieces), _direct_shares(pop, areas))
    assert pieces[S.POP_TOTAL].sum() == pytest.approx(1000.0 * len(cells))


_c = st.floats(min_value=-60.0, max_value=360.0, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(
    quads=st.lists(
        st.tuples(_c, _c, st.floats(2.0, 150.0), st.floats(2.0, 150.0), st.floats(0.0, 1.5)),
        min_size=1,
        max_size=10,
    )
)
def test_rotated_rectangles_match_direct_intersection(quads: list) -> None:
    areas = _areas(3)
    geoms = [
        shapely.affinity.rotate(box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h), a, use_radians=True)
        for x, y, w, h, a in quads
    ]
    pop = _pop(geoms)
    pieces = apportion(pop, areas, metric_crs=CRS)
    _assert_same(_shares(pieces), _direct_shares(pop, areas))
