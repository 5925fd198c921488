"""Known-answer, property and real-data tests of :func:`chiikimap.coverage.analyze`.

Grid layout used by most tests (metres from ``fakes.GRID_ORIGIN``, EPSG:6690)::

    y=2000 +---------+---------+
           |   A10   |   A11   |
    y=1000 +---------+---------+
           |   A00   |   A01   |
    y=0    +---------+---------+
           x=0     x=1000    x=2000

Population points sit on the lattice x, y ∈ {250, 750, 1250, 1750} (four per area).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiikimap import _schema as S
from chiikimap._distance import lower_weighted_median
from chiikimap._errors import (
    ChiikimapWarning,
    CRSError,
    ParameterError,
    SchemaError,
    UnknownCategoryError,
)
from chiikimap.coverage import Coverage, analyze
from chiikimap.taxonomy import default_taxonomy
from tests.fakes import GRID_CRS, grid_areas, grid_population, grid_resources

DATA = Path(__file__).parent / "data" / "hirakata_cov"
LATTICE = (250.0, 750.0, 1250.0, 1750.0)


def _lattice(values: dict[tuple[float, float], float] | None = None) -> gpd.GeoDataFrame:
    """Population on the 4 × 4 lattice: 10 per point unless ``values`` says otherwise."""
    values = values or {}
    xy = [(x, y) for y in LATTICE for x in LATTICE]
    return grid_population(xy, [values.get(p, 10.0) for p in xy])


def _row(cov: Coverage, area: str, cat: str) -> pd.Series:
    t = cov.table
    rows = t[(t[S.AREA_ID] == area) & (t[S.CATEGORY] == cat)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- the main hand-worked case ------------------------------------------------------------------

#: A00's four points carry 10, 20, 30, 40 (total 100); every other point 10 (areas total 40).
A00_WEIGHTS = {
    (250.0, 250.0): 10.0,
    (750.0, 250.0): 20.0,
    (250.0, 750.0): 30.0,
    (750.0, 750.0): 40.0,
}


@pytest.fixture(scope="module")
def hand() -> Coverage:
    areas = grid_areas(2, vertex_step_m=250.0)
    resources = grid_resources(
        [
            (1250, 750, ("kayoi_no_ba",)),  # R0 in A01
            (1000, 1000, ("haishoku",)),  # R1 on the corner shared by all four areas → A00
            (1500, 1000, ("mimamori",)),  # R2 on the A01|A11 edge → A01
            (1750, 1750, ("haishoku", "kaji_enjo")),  # R3 in A11, counts for both
        ],
        capacity=[np.nan, 12.0, np.nan, 5.0],
    )
    return analyze(
        areas,
        resources,
        _lattice(A00_WEIGHTS),
        radius_m={"kayoi_no_ba": 500.0, "mimamori": 400.0},
        target={"kayoi_no_ba": 0.7},
        categories=["ido_shien"],
        metric_crs=GRID_CRS,
    )


def test_rows_columns_and_order(hand: Coverage) -> None:
    t = hand.table
    assert [c for c in t.columns if c != S.N_APPROX] == list(S.TABLE_COLUMNS)
    assert list(t.columns).index(S.N_APPROX) == list(t.columns).index(S.N_RESOURCES) + 1
    # taxonomy order: kayoi_no_ba, haishoku, mimamori, kaji_enjo, ido_shien (named, no resource)
    cats = ("kayoi_no_ba", "haishoku", "mimamori", "kaji_enjo", "ido_shien")
    assert hand.categories == cats
    assert list(t[S.AREA_ID]) == [a for a in ("A00", "A01", "A10", "A11") for _ in cats]
    assert list(t[S.CATEGORY]) == list(cats) * 4
    assert _row(hand, "A00", "kayoi_no_ba")[S.CATEGORY_LABEL] == "通いの場"


def test_weights_and_counts(hand: Coverage) -> None:
    t = hand.table
    w = t.groupby(S.AREA_ID)[S.WEIGHT].first()
    assert w.to_dict() == {"A00": 100.0, "A01": 40.0, "A10": 40.0, "A11": 40.0}
    # R1 on the four-way corner counts once, in A00 (smallest area_id); R2 on the A01|A11 edge in A01
    assert _row(hand, "A00", "haishoku")[S.N_RESOURCES] == 1
    assert _row(hand, "A11", "haishoku")[S.N_RESOURCES] == 1
    assert _row(hand, "A01", "haishoku")[S.N_RESOURCES] == 0
    assert _row(hand, "A01", "mimamori")[S.N_RESOURCES] == 1
    assert _row(hand, "A11", "mimamori")[S.N_RESOURCES] == 0
    assert _row(hand, "A11", "kaji_enjo")[S.N_RESOURCES] == 1
    assert t.groupby(S.CATEGORY)[S.N_RESOURCES].sum().to_dict() == {
        "kayoi_no_ba": 1,
        "haishoku": 2,
        "mimamori": 1,
        "kaji_enjo": 1,
        "ido_shien": 0,
    }
    assert list(hand.resources[S.AREA_ID]) == ["A01", "A00", "A01", "A11"]
    assert hand.unassigned.empty
    # capacity: 12 (R1) in A00, 5 (R3) in A11, NaN where none is known
    assert _row(hand, "A00", "haishoku")[S.CAPACITY] == 12.0
    assert _row(hand, "A11", "kaji_enjo")[S.CAPACITY] == 5.0
    assert math.isnan(_row(hand, "A01", "haishoku")[S.CAPACITY])
    assert math.isnan(_row(hand, "A01", "kayoi_no_ba")[S.CAPACITY])  # R0's capacity unknown
    # per_1000: 1 resource / 40 people × 1000
    assert _row(hand, "A01", "kayoi_no_ba")[S.PER_1000] == pytest.approx(25.0)
    assert _row(hand, "A00", "kayoi_no_ba")[S.PER_1000] == 0.0


def test_kayoi_radius_500_across_borders(hand: Coverage) -> None:
    # R0 = (1250, 750), r = 500 (inclusive).
    # A00: (750,750) at exactly 500 ✓ (w 40); (750,250) 707 ✗; (250,750) 1000 ✗; (250,250) 1118 ✗
    #      → covered 40 / 100 = 0.4 < 0.7 → gap. Sorted distances 500(40), 707(20), 1000(30), …:
    #      cumulative 40, 60 ≥ 50 → lower weighted median 500√2 = 707.107.
    r = _row(hand, "A00", "kayoi_no_ba")
    assert (r[S.COVERED], r[S.COVERAGE], r[S.UNCOVERED]) == pytest.approx((40.0, 0.4, 60.0))
    assert r[S.NEAREST_M] == pytest.approx(500 * math.sqrt(2))
    assert r[S.STATUS] == "gap"
    # A01: distances 500 ✓, 707 ✗, 0 ✓, 500 ✓ → 30/40 = 0.75 ≥ 0.7 → ok; median of 0,500,500,707 → 500
    r = _row(hand, "A01", "kayoi_no_ba")
    assert (r[S.COVERED], r[S.COVERAGE]) == pytest.approx((30.0, 0.75))
    assert r[S.NEAREST_M] == pytest.approx(500.0)
    assert r[S.STATUS] == "ok"
    # A10: 1118, 707, 1414, 1118 → nobody within 500 → none; median of 707,1118,1118,1414 → 500√5
    r = _row(hand, "A10", "kayoi_no_ba")
    assert (r[S.COVERED], r[S.COVERAGE]) == (0.0, 0.0)
    assert r[S.NEAREST_M] == pytest.approx(500 * math.sqrt(5))
    assert r[S.STATUS] == "none"
    # A11: (1250,1250) at 500 ✓ only → 0.25 → gap; median of 500,707,1000,1118 → 707.107
    r = _row(hand, "A11", "kayoi_no_ba")
    assert r[S.COVERAGE] == pytest.approx(0.25)
    assert r[S.NEAREST_M] == pytest.approx(500 * math.sqrt(2))
    assert r[S.STATUS] == "gap"


def test_haishoku_two_resources_default_radius(hand: Coverage) -> None:
    # R1 = (1000,1000), R3 = (1750,1750); r = 3000 (default) reaches everybody → ok everywhere.
    # A00 distances to R1: 353.55 (w40), 790.57 (w20), 790.57 (w30), 1060.66 (w10)
    #     → cumulative 40, 60 ≥ 50 → 250√10 = 790.569.
    # A11: (1750,1750) 0 to R3, (1250,1250) 353.55 to R1, (1750,1250)/(1250,1750) 500 to R3
    #     → 0, 353.55, 500, 500 → cumulative 10, 20 ≥ 20 → 353.55 (lower median).
    for area in ("A00", "A01", "A10", "A11"):
        r = _row(hand, area, "haishoku")
        assert r[S.COVERAGE] == 1.0
        assert r[S.STATUS] == "ok"
        assert r[S.UNCOVERED] == 0.0
    assert _row(hand, "A00", "haishoku")[S.NEAREST_M] == pytest.approx(250 * math.sqrt(10))
    assert _row(hand, "A01", "haishoku")[S.NEAREST_M] == pytest.approx(250 * math.sqrt(10))
    assert _row(hand, "A11", "haishoku")[S.NEAREST_M] == pytest.approx(250 * math.sqrt(2))


def test_mimamori_on_border_and_kaji_default_radius(hand: Coverage) -> None:
    # R2 = (1500,1000), r = 400: reaches (1250,750), (1750,750) in A01 and (1250,1250),
    # (1750,1250) in A11 (353.55 each); nothing in A00/A10 (nearest 790.57).
    for area in ("A01", "A11"):
        r = _row(hand, area, "mimamori")
        assert (r[S.COVERED], r[S.COVERAGE], r[S.STATUS]) == (20.0, 0.5, "gap")
    for area in ("A00", "A10"):
        assert _row(hand, area, "mimamori")[S.STATUS] == "none"
    # A00 to R2: 790.57 (w40), 1060.66 (w20), 1274.75 (w30), 1457.74 (w10) → 750√2 = 1060.66
    assert _row(hand, "A00", "mimamori")[S.NEAREST_M] == pytest.approx(750 * math.sqrt(2))
    # kaji_enjo: R3 = (1750,1750), r = 2000 (default), target 0.8. A00: (250,250) at 2121 ✗,
    # (750,250)/(250,750) at 1803 ✓, (750,750) at 1414 ✓ → 90/100 = 0.9 → ok;
    # median: 1414(40), 1803(20) → cumulative 60 ≥ 50 → 500√13 = 1802.78.
    r = _row(hand, "A00", "kaji_enjo")
    assert (r[S.COVERED], r[S.COVERAGE], r[S.STATUS]) == pytest.approx((90.0, 0.9, "ok"))
    assert r[S.NEAREST_M] == pytest.approx(500 * math.sqrt(13))


def test_named_category_without_resource_is_none(hand: Coverage) -> None:
    rows = hand.table[hand.table[S.CATEGORY] == "ido_shien"]
    assert len(rows) == 4
    assert (rows[S.STATUS] == "none").all()
    assert (rows[S.COVERAGE] == 0.0).all()
    assert (rows[S.N_RESOURCES] == 0).all()
    assert rows[S.NEAREST_M].isna().all()
    # A00: 見守り and 移動支援 are none (空白 first, taxonomy order), 通いの場 is gap
    assert hand.missing("A00") == ["見守り", "移動支援", "通いの場"]


def test_run_info(hand: Coverage) -> None:
    info = hand.info
    assert info.basis == "population"
    assert info.weight == "pop_65plus"
    assert info.weight_label == "65歳以上人口"
    assert info.rules["kayoi_no_ba"] == {"radius_m": 500.0, "target": 0.7}
    assert info.rules["haishoku"] == {"radius_m": 3000.0, "target": 0.8}
    assert info.metric_crs == GRID_CRS
    assert info.storage_crs == "EPSG:6668"
    assert info.version
    assert len(info.created) == 10
    assert hand.rejected.empty
    assert list(hand.rejected.columns) == list(S.REJECTED_COLUMNS)
    assert hand.areas.crs == "EPSG:6668"


def test_gap_matrix_from_analyze(hand: Coverage) -> None:
    m = hand.gap_matrix(labels="key")
    assert m.loc["A10", "kayoi_no_ba"] == "none"
    assert m.loc["A01", "kayoi_no_ba"] == "ok"
    assert hand.summary().set_index(S.CATEGORY).loc["kayoi_no_ba", S.COVERED] == 40 + 30 + 0 + 10


# --- borders, radius, neighbours -----------------------------------------------------------------


def test_population_on_borders_goes_to_smallest_area_id() -> None:
    areas = grid_areas(2, vertex_step_m=250.0)
    # (1000,500): A00|A01 edge → A00; (1000,1000): corner → A00; (1500,1000): A01|A11 → A01;
    # (1000,1500): A10|A11 → A10; (1750,1750) inside A11
    pop = grid_population(
        [(1000, 500), (1000, 1000), (1500, 1000), (1000, 1500), (1750, 1750)],
        [1.0, 2.0, 4.0, 8.0, 16.0],
    )
    res = grid_resources([(1750, 1750, ("kayoi_no_ba",))])
    cov = analyze(areas, res, pop, metric_crs=GRID_CRS)
    w = cov.table.set_index(S.AREA_ID)[S.WEIGHT].to_dict()
    assert w == {"A00": 3.0, "A01": 4.0, "A10": 8.0, "A11": 16.0}
    # the rule does not depend on row order
    rev = analyze(areas.iloc[::-1], res, pop, metric_crs=GRID_CRS)
    assert rev.table.set_index(S.AREA_ID)[S.WEIGHT].to_dict() == w


def test_exactly_at_radius_counts_and_just_beyond_does_not() -> None:
    areas = grid_areas(2)
    pop = _lattice()
    # 3-4-5 triangle: (550, 650) is exactly 500 m from (250, 250)
    res = grid_resources([(550, 650, ("kayoi_no_ba",))])
    at = analyze(areas, res, pop, radius_m=500.0, metric_crs=GRID_CRS)
    # within 500 of (550,650): (250,250) = 500 ✓, (750,250) 447 ✓, (250,750) 316 ✓, (750,750) 224 ✓,
    # (1250,750) 707 ✗, (750,1250) 632 ✗ → A00 fully covered, nobody else
    assert _row(at, "A00", "kayoi_no_ba")[S.COVERAGE] == 1.0
    assert _row(at, "A01", "kayoi_no_ba")[S.COVERED] == 0.0
    below = analyze(areas, res, pop, radius_m=499.999, metric_crs=GRID_CRS)
    assert _row(below, "A00", "kayoi_no_ba")[S.COVERAGE] == pytest.approx(0.75)


def test_resource_outside_every_area_still_covers() -> None:
    areas = grid_areas(2)
    res = grid_resources([(-250, 250, ("kayoi_no_ba",))])  # 500 m west of (250, 250)
    with pytest.warns(ChiikimapWarning, match="1 of 1 resources lie in no area"):
        cov = analyze(areas, res, _lattice(), radius_m=500.0, metric_crs=GRID_CRS)
    assert list(cov.unassigned[S.RESOURCE_ID]) == ["R0"]
    assert cov.resources[S.AREA_ID].isna().all()
    assert (cov.table[S.N_RESOURCES] == 0).all()
    r = _row(cov, "A00", "kayoi_no_ba")
    assert (r[S.COVERED], r[S.COVERAGE], r[S.STATUS]) == (10.0, 0.25, "gap")


def test_mixed_crs_layers_are_transformed() -> None:
    areas = grid_areas(2)
    res = grid_resources([(1250, 750, ("kayoi_no_ba",))])
    pop = _lattice(A00_WEIGHTS)
    base = analyze(areas, res, pop, radius_m=500.0, metric_crs=GRID_CRS)
    mixed = analyze(
        areas.to_crs(GRID_CRS),
        res.to_crs("EPSG:4326"),
        pop.to_crs("EPSG:3857"),
        radius_m=500.0,
        metric_crs=GRID_CRS,
    )
    pd.testing.assert_frame_equal(base.table, mixed.table)
    assert mixed.areas.crs == "EPSG:6668"
    assert mixed.resources.crs == "EPSG:6668"
    auto = analyze(areas, res, pop, radius_m=500.0)  # the UTM zone of the areas is EPSG:6690
    assert auto.info.metric_crs == "EPSG:6690"


def test_weight_column_choice() -> None:
    areas = grid_areas(2)
    res = grid_resources([(1250, 750, ("kayoi_no_ba",))])
    cov = analyze(
        areas, res, _lattice(A00_WEIGHTS), weight="pop_total", radius_m=500.0, metric_crs=GRID_CRS
    )
    assert _row(cov, "A00", "kayoi_no_ba")[S.WEIGHT] == 200.0  # pop_total = 2 × pop_65plus
    assert _row(cov, "A00", "kayoi_no_ba")[S.COVERAGE] == pytest.approx(0.4)
    assert cov.info.weight_label == "総人口"
    area = analyze(areas, res, _lattice(), weight="area", metric_crs=GRID_CRS)
    assert area.info.basis == "area"
    assert area.table[S.PER_1000].isna().all()


# --- land-area basis -------------------------------------------------------------------------------


def test_area_basis_error_on_a_circle() -> None:
    # one 1 km square, a resource at its centre, r = 400: the disc lies inside the square, so
    # covered = π·400² = 502,654.8 m² exactly; the 256-segment disc is below it by (2π/256)²/6 = 0.0100 %.
    # Weighted median distance over a uniform square: π d² = 500,000 → d = 398.94 m.
    areas = grid_areas(1)
    res = grid_resources([(500, 500, ("kayoi_no_ba",))])
    cov = analyze(areas, res, radius_m=400.0, metric_crs=GRID_CRS)
    r = cov.table.iloc[0]
    assert cov.info.basis == "area"
    assert cov.info.weight_label == "面積(m²)"
    assert r[S.WEIGHT] == pytest.approx(1_000_000.0, rel=1e-9)
    assert r[S.COVERED] == pytest.approx(math.pi * 400**2, rel=1.1e-4)
    assert r[S.COVERED] <= math.pi * 400**2  # inscribed polygon: never above the circle
    assert r[S.NEAREST_M] == pytest.approx(math.sqrt(500_000 / math.pi), abs=3.0)
    assert math.isnan(r[S.PER_1000])


def test_lower_weighted_median_definition() -> None:
    v = np.array([300.0, 100.0, 200.0, 5.0, 7.0])
    w = np.array([1.0, 1.0, 2.0, 0.0, 3.0])
    g = np.array([0, 0, 0, 1, 2])
    # group 0: sorted 100(1), 200(2), 300(1): half = 2, cumulative 1, 3 → 200
    # group 1: only a zero weight → NaN; group 2: 7; group 3: empty → NaN
    out = lower_weighted_median(v, w, g, 4)
    assert out[0] == 200.0
    assert math.isnan(out[1])
    assert out[2] == 7.0
    assert math.isnan(out[3])
    # two equal weights: the lower one
    assert (
        lower_weighted_median(np.array([300.0, 100.0]), np.ones(2), np.zeros(2, int), 1)[0] == 100
    )


# --- bad input -------------------------------------------------------------------------------------


def test_zero_population_area_gets_status_empty() -> None:
    areas = grid_areas(2)
    pop = grid_population([(250, 250), (1250, 250), (1250, 1250)], [10.0, 10.0, 10.0])  # A10 empty
    res = grid_resources([(250, 250, ("kayoi_no_ba",))])
    with pytest.warns(ChiikimapWarning, match="A10"):
        cov = analyze(areas, res, pop, metric_crs=GRID_CRS)
    r = _row(cov, "A10", "kayoi_no_ba")
    assert r[S.STATUS] == S.STATUS_EMPTY
    assert r[S.WEIGHT] == 0.0
    assert math.isnan(r[S.COVERAGE])
    assert math.isnan(r[S.NEAREST_M])
    assert math.isnan(r[S.PER_1000])
    assert cov.gap_matrix().loc["第3区", "通いの場"] == "対象なし"
    zero = grid_population([(250, 250)], [0.0])
    with pytest.raises(SchemaError, match="合計が 0"):
        analyze(areas, res, zero, metric_crs=GRID_CRS)


def test_missing_crs_is_an_error() -> None:
    areas = grid_areas(2)
    res = grid_resources([(250, 250, ("kayoi_no_ba",))])
    pop = _lattice()
    with pytest.raises(CRSError, match="areas"):
        analyze(areas.set_crs(None, allow_override=True), res)
    with pytest.raises(CRSError, match="resources"):
        analyze(areas, res.set_crs(None, allow_override=True))
    with pytest.raises(CRSError, match="population"):
        analyze(areas, res, pop.set_crs(None, allow_override=True))


def test_empty_layers() -> None:
    areas = grid_areas(2)
    res = grid_resources([(250, 250, ("kayoi_no_ba",))])
    with pytest.raises(SchemaError, match="areas"):
        analyze(areas.iloc[0:0], res)
    with pytest.raises(SchemaError, match="resources"):
        analyze(areas, res.iloc[0:0])
    with pytest.raises(SchemaError, match="population"):
        analyze(areas, res, _lattice().iloc[0:0])
    # with named categories an empty resource layer means "all missing"
    cov = analyze(areas, res.iloc[0:0], categories=["haishoku"], metric_crs=GRID_CRS)
    assert (cov.table[S.STATUS] == "none").all()
    assert len(cov.table) == 4


def test_unknown_category_and_weight() -> None:
    areas = grid_areas(2)
    res = grid_resources([(250, 250, ("kayoi_no_ba",))])
    with pytest.raises(UnknownCategoryError, match=r"known keys: .*houkatsu"):
        analyze(areas, res, categories=["salon"])
    with pytest.raises(UnknownCategoryError, match="'salon'"):
        analyze(areas, res, radius_m={"salon": 500.0})
    with pytest.raises(UnknownCategoryError, match="'cafe'"):
        analyze(areas, grid_resources([(250, 250, ("cafe",))]))
    with pytest.raises(SchemaError, match="pop_total"):
        analyze(areas, res, _lattice(), weight="pop_80plus")
    with pytest.raises(ParameterError, match="radius_m") as err:
        analyze(areas, res, radius_m=-5.0)
    assert err.value.param == "radius_m"


# --- properties ------------------------------------------------------------------------------------

_POP_XY = [
    (x, y)
    for y in (100.0, 500.0, 900.0, 1300.0, 1700.0, 2100.0, 2500.0, 2900.0)
    for x in (100.0, 500.0, 900.0, 1300.0, 1700.0, 2100.0, 2500.0, 2900.0)
]
_CATS = ("kayoi_no_ba", "haishoku", "mimamori")
_res_strategy = st.lists(
    st.tuples(st.floats(-500, 3500), st.floats(-500, 3500), st.sampled_from(_CATS)),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=_res_strategy,
    extra=st.tuples(st.floats(-500, 3500), st.floats(-500, 3500), st.sampled_from(_CATS)),
    weights=st.lists(st.integers(1, 50), min_size=len(_POP_XY), max_size=len(_POP_XY)),
)
def test_properties(specs: list, extra: tuple, weights: list[int]) -> None:
    areas = grid_areas(3)
    pop = grid_population(_POP_XY, [float(w) for w in weights])
    res = grid_resources([(x, y, (c,)) for x, y, c in specs])
    more = grid_resources([(x, y, (c,)) for x, y, c in [*specs, extra]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)  # an area may hold no lattice point
        a = analyze(areas, res, pop, radius_m=700.0, categories=_CATS, metric_crs=GRID_CRS).table
        b = analyze(areas, more, pop, radius_m=700.0, categories=_CATS, metric_crs=GRID_CRS).table
    cov = a[S.COVERAGE].dropna()
    assert ((cov >= 0) & (cov <= 1)).all()
    assert (a[S.COVERED] <= a[S.WEIGHT] + 1e-9).all()
    assert (b[S.COVERED].to_numpy() >= a[S.COVERED].to_numpy() - 1e-9).all()
    assert (
        b[S.NEAREST_M].fillna(np.inf).to_numpy() <= a[S.NEAREST_M].fillna(np.inf).to_numpy()
    ).all()
    # every lattice point lies inside the 3 km grid, so the area weights add up to the total
    per_area = a.groupby(S.AREA_ID)[S.WEIGHT].first()
    assert per_area.sum() == pytest.approx(sum(weights))


# --- real data: 枚方市 -----------------------------------------------------------------------------


def _hirakata() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Tiny adapter from the fukushi_map files to the areas/resources schema."""
    raw = gpd.read_file(DATA / "areas.geojson")
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: raw["area_id"].astype(str), S.AREA_NAME: raw["center_name"].astype(str)},
        geometry=raw.geometry.make_valid(),
        crs=raw.crs,
    )
    off = gpd.read_file(DATA / "offices.geojson")
    tax = default_taxonomy()
    keys = [tax.classify(s) for s in off["service_type"]]
    res = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: off["jigyosho_id"].astype(str) + "_" + off.index.astype(str),
            S.NAME: off["name"],
            S.CATEGORY: [k[0] for k in keys],
            S.CATEGORIES: keys,
            S.CAPACITY: pd.to_numeric(off["capacity"], errors="coerce"),
        },
        geometry=off.geometry,
        crs=off.crs,
    )
    return areas, res


def test_hirakata_area_basis_matches_buffer_overlay() -> None:
    areas, res = _hirakata()
    cov = analyze(areas, res, radius_m=500.0)
    assert cov.info.metric_crs == "EPSG:6690"
    assert len(cov.table) == len(areas) * len(cov.categories)
    # independent plain-geopandas computation: geopandas' default buffer (16 segments per
    # quarter, unlike the library's 64), union, intersect, area share — within 0.5 %
    crs = "EPSG:6690"
    am = areas.to_crs(crs)
    rm = res.to_crs(crs)
    for key in ("houmon_kaigo", "tsusho_kaigo", "shokibo_takino", "houmon_nyuyoku"):
        pts = rm[rm[S.CATEGORIES].map(lambda ks, k=key: k in ks)]
        disc = pts.geometry.buffer(500.0).union_all()
        share = am.geometry.intersection(disc).area / am.geometry.area
        got = cov.table[cov.table[S.CATEGORY] == key].set_index(S.AREA_ID)[S.COVERAGE]
        diff = np.abs(got.reindex(am[S.AREA_ID]).to_numpy() - share.to_numpy())
        assert diff.max() < 0.005, (key, diff.max())
        # counts: plain point-in-polygon (no resource lies on a border in this file)
        n = gpd.sjoin(pts, am, predicate="within").groupby(S.AREA_ID).size()
        got_n = cov.table[cov.table[S.CATEGORY] == key].set_index(S.AREA_ID)[S.N_RESOURCES]
        assert got_n.to_dict() == n.reindex(got_n.index, fill_value=0).to_dict()


def test_takamatsu_population_basis_matches_plain_geopandas() -> None:
    import chiikimap

    tk = chiikimap.load_sample("takamatsu")
    cov = analyze(
        tk.areas, tk.resources, tk.population, weight=S.POP_65PLUS, radius_m={"kyoten": 500.0}
    )
    crs = cov.info.metric_crs
    pop = tk.population.to_crs(crs)
    # independent: sjoin (within) for the area of each 町丁 point, sjoin_nearest for the distance
    joined = gpd.sjoin(pop, tk.areas.to_crs(crs)[[S.AREA_ID, "geometry"]], predicate="within")
    centres = tk.resources[tk.resources[S.CATEGORIES].map(lambda ks: "kyoten" in ks)].to_crs(crs)
    near = gpd.sjoin_nearest(
        joined.drop(columns="index_right"), centres[["geometry"]], distance_col="dist"
    )
    near = near[~near.index.duplicated()]  # ties: one row per point
    weight = near.groupby(S.AREA_ID)[S.POP_65PLUS].sum()
    covered = near[near["dist"] <= 500.0].groupby(S.AREA_ID)[S.POP_65PLUS].sum()
    got = cov.table[cov.table[S.CATEGORY] == "kyoten"].set_index(S.AREA_ID)
    assert got[S.WEIGHT].to_dict() == pytest.approx(
        weight.reindex(got.index, fill_value=0).to_dict()
    )
    assert got[S.COVERED].to_dict() == pytest.approx(
        covered.reindex(got.index, fill_value=0).to_dict()
    )


# --- population polygons, reader reports ------------------------------------------------------------


def test_population_polygon_is_apportioned_by_area_share() -> None:
    areas = grid_areas(2)
    # one polygon of 100 people over x ∈ [500, 1500], y ∈ [100, 900]: half in A00, half in A01
    # (it keeps off the outer edges, where reprojection round-off would leave slivers)
    poly = shapely.box(500, 100, 1500, 900)
    x0, y0 = (560_000.0, 3_850_000.0)
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: [200.0], S.POP_65PLUS: [100.0], S.POP_75PLUS: [50.0]},
        geometry=[shapely.affinity.translate(poly, x0, y0)],
        crs=GRID_CRS,
    )
    res = grid_resources([(1000, 500, ("kayoi_no_ba",))])  # within 800 m of the whole polygon
    with pytest.warns(ChiikimapWarning, match="A10"):  # A10 and A11 hold nobody
        cov = analyze(areas, res, pop, metric_crs=GRID_CRS)
    w = cov.table.set_index(S.AREA_ID)[S.WEIGHT]
    assert w["A00"] == pytest.approx(50.0)
    assert w["A01"] == pytest.approx(50.0)
    assert w.sum() == pytest.approx(100.0)
    assert _row(cov, "A00", "kayoi_no_ba")[S.COVERAGE] == pytest.approx(1.0)
    assert _row(cov, "A11", "kayoi_no_ba")[S.STATUS] == S.STATUS_EMPTY


def test_rejected_rows_and_sources_are_carried() -> None:
    areas = grid_areas(2)
    res = grid_resources([(250, 250, ("kayoi_no_ba",))])
    report = S.ReadReport(
        file="resources.csv",
        rejected=[
            {"file": "resources.csv", "row": 7, "reason": "座標なし", "values": {"名称": "x"}}
        ],
        sources=[S.Source("テスト資源一覧", "テスト市", "2026-01-01").to_dict()],
    )
    S.attach_report(res, report)
    extra = S.Source("人口（手入力）", "テスト市")
    cov = analyze(areas, res, metric_crs=GRID_CRS, sources=[extra])
    assert cov.rejected[S.REJECTED_ROW].tolist() == [7]
    assert cov.rejected[S.REJECTED_REASON].tolist() == ["座標なし"]
    assert [s.title for s in cov.info.sources] == ["テスト資源一覧", "人口（手入力）"]
    # each date with its layer: the resources' date is not the date of the whole map
    assert cov.info.data_dates == ["資源 2026-01-01"]
    assert [s.layer for s in cov.info.sources] == ["resources", ""]
    assert cov.info.source_lines == [
        "資源: テスト資源一覧（テスト市）（2026-01-01）",
        "人口（手入力）（テスト市）",
    ]


def test_resource_without_category_is_reported() -> None:
    areas = grid_areas(2)
    res = grid_resources([(250, 250, ("kayoi_no_ba",)), (750, 750, ())])
    with pytest.warns(ChiikimapWarning, match="1 resources have no category"):
        cov = analyze(areas, res, metric_crs=GRID_CRS)
    assert cov.table[S.N_RESOURCES].sum() == 1
    assert cov.resources[S.AREA_ID].tolist() == ["A00", "A00"]


def test_weight_defaults_and_mistakes_are_explicit():
    areas = grid_areas(2)
    res = grid_resources([(500, 500, ("kayoi_no_ba",))])
    # default: area basis without population, pop_65plus with it
    assert analyze(areas, res).info.basis == "area"
    pop = grid_population([(500, 500), (1500, 500), (500, 1500), (1500, 1500)], [10.0] * 4)
    assert analyze(areas, res, pop).info.weight == "pop_65plus"
    # a population column without population is an error, not a silent area basis
    with pytest.raises(SchemaError, match="needs population"):
        analyze(areas, res, weight="pop_75plus")
    # a weight column that exists but holds no values names the columns that do
    pop[S.POP_65PLUS] = np.nan
    with pytest.raises(SchemaError, match=r"has no values; columns with values: \[.*'pop_total'"):
        analyze(areas, res, pop)


def _grid_polygon_population(poly: shapely.Polygon, pop_65plus: float) -> gpd.GeoDataFrame:
    """One population polygon given in metres from the grid origin, in the grid CRS."""
    x0, y0 = (560_000.0, 3_850_000.0)
    return gpd.GeoDataFrame(
        {S.POP_TOTAL: [2 * pop_65plus], S.POP_65PLUS: [pop_65plus], S.POP_75PLUS: [pop_65plus / 2]},
        geometry=[shapely.affinity.translate(poly, x0, y0)],
        crs=GRID_CRS,
    )


def test_polygon_population_coverage_is_exact_not_lattice() -> None:
    # one 1 km area (grid 1×1), 1,000 people spread evenly over a polygon = the area (kept 1 m
    # off the edges against reprojection slivers); one resource at the corner (1, 1), r = 1 km:
    # the covered share is a quarter disc, π·1000²/4 over the polygon's 998² m²
    areas = grid_areas(1)
    pop = _grid_polygon_population(shapely.box(1, 1, 999, 999), 1000.0)
    res = grid_resources([(1, 1, ("kayoi_no_ba",))])
    cov = analyze(areas, res, pop, radius_m=1000.0, metric_crs=GRID_CRS)
    row = _row(cov, "A00", "kayoi_no_ba")
    # the quarter disc reaches x = 1001 and y = 1001 along the polygon's edges, past its far
    # sides at 999: remove the halves of the two circular segments beyond x = 999 and y = 999
    # (segment at distance d = 998 from the centre: r²·acos(d/r) − d·√(r² − d²))
    sliver = 1000.0**2 * math.acos(998 / 1000) - 998 * math.sqrt(1000.0**2 - 998.0**2)
    inside = math.pi / 4 * 1000.0**2 - 2 * (sliver / 2)
    expected = 1000.0 * inside / 998.0**2
    # the 256-segment disc is below the circle by 0.010 % at most
    assert row[S.COVERED] == pytest.approx(expected, rel=2e-4)
    assert row[S.WEIGHT] == pytest.approx(1000.0)


def test_population_outside_every_area_is_reported_not_lost() -> None:
    areas = grid_areas(1)
    # 100 people over x ∈ [500, 2500]: a quarter of the polygon lies in the 1 km area
    pop = _grid_polygon_population(shapely.box(500, 100, 2500, 900), 100.0)
    res = grid_resources([(500, 500, ("kayoi_no_ba",))])
    with pytest.warns(
        ChiikimapWarning, match=r"75 of pop_65plus \(75\.0%\) lies outside every area"
    ):
        cov = analyze(areas, res, pop, metric_crs=GRID_CRS)
    assert cov.info.weight_outside == pytest.approx(75.0)
    assert cov.info.weight_inside == pytest.approx(25.0)
    assert _row(cov, "A00", "kayoi_no_ba")[S.WEIGHT] == pytest.approx(25.0)


def test_metric_crs_in_degrees_is_refused() -> None:
    areas = grid_areas(2)
    res = grid_resources([(500, 500, ("kayoi_no_ba",))])
    with pytest.raises(CRSError, match="never measured in degrees"):
        analyze(areas, res, metric_crs="EPSG:4326")


def test_resources_mostly_outside_the_areas_warn() -> None:
    # a resource list of another town: both points lie far outside the 2×2 grid
    areas = grid_areas(2)
    res = grid_resources([(50_000, 50_000, ("kayoi_no_ba",)), (60_000, 50_000, ("kayoi_no_ba",))])
    with pytest.warns(ChiikimapWarning, match="2 of 2 resources lie in no area"):
        cov = analyze(areas, res)
    assert len(cov.unassigned) == 2
    assert (cov.table[S.STATUS] == S.STATUS_NONE).all()
