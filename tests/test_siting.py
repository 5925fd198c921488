"""Siting (maximal covering) and closure impact: hand-computed answers, optimality, real data."""

from __future__ import annotations

import itertools
import math
import re
import warnings

import numpy as np
import pytest
from scipy import sparse

import chiikimap
from chiikimap import _cover
from chiikimap import _schema as S
from chiikimap._errors import ParameterError, UnknownCategoryError
from tests.fakes import grid_areas, grid_population, grid_resources

# --- the solvers on a hand instance --------------------------------------------------------------
# r = 1. L (site 0) reaches a1, a2; M (site 1) reaches a2, b1 and m; R (site 2) reaches b1, b2.
# Weights a1 = a2 = b1 = b2 = 5, m = 1.5: M alone is the best single site (11.5), but the best
# pair is {L, R} (20); greedy takes M, then L (ties go to the lower index): 11.5 + 5 = 16.5.
SITES = np.array([[0.0, 0.0], [1.5, 0.0], [3.0, 0.0]])
DEMAND = np.array([[-0.9, 0.0], [0.9, 0.0], [2.1, 0.0], [3.9, 0.0], [1.5, 0.9]])
WEIGHT = np.array([5.0, 5.0, 5.0, 5.0, 1.5])


def test_coverage_matrix_is_sparse_and_inclusive() -> None:
    reach = _cover.coverage_matrix(SITES, DEMAND, 1.0)
    assert sparse.issparse(reach)
    assert reach.toarray().tolist() == [[1, 1, 0, 0, 0], [0, 1, 1, 0, 1], [0, 0, 1, 1, 0]]
    # a demand point exactly on a site and one exactly at the radius both count
    on = _cover.coverage_matrix(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 1.0]]), 1.0)
    assert on.toarray().tolist() == [[1, 1]]


def test_greedy_and_exact_hand_instance() -> None:
    reach = _cover.coverage_matrix(SITES, DEMAND, 1.0)
    greedy = _cover.greedy_cover(reach, WEIGHT, 2)
    assert greedy.sites.tolist() == [1, 0]
    assert greedy.gains.tolist() == [11.5, 5.0]
    exact = _cover.exact_cover(reach, WEIGHT, 2)
    assert exact.optimal
    assert sorted(exact.sites.tolist()) == [0, 2]
    assert exact.objective == 20.0
    assert exact.gains.tolist() == [10.0, 10.0]
    # k = 3: every site, 21.5 either way; k = 1: M
    assert _cover.exact_cover(reach, WEIGHT, 3).objective == 21.5
    assert _cover.greedy_cover(reach, WEIGHT, 3).objective == 21.5
    assert _cover.exact_cover(reach, WEIGHT, 1).sites.tolist() == [1]


def test_constraints_hand_instance() -> None:
    reach = _cover.coverage_matrix(SITES, DEMAND, 1.0)
    no_m = np.array([True, False, True])
    for solve in (_cover.greedy_cover, _cover.exact_cover):
        assert solve(reach, WEIGHT, 2, allowed=no_m).objective == 20.0
        # all three in one group, at most one per group: the best single site, M
        one = solve(reach, WEIGHT, 3, group=np.zeros(3, dtype=int), max_per_group=1)
        assert one.sites.tolist() == [1]
        # L and M in group 0, R in group 1: L + R = 20 is allowed
        two = solve(reach, WEIGHT, 2, group=np.array([0, 0, 1]), max_per_group=1)
        assert two.objective == (16.5 if solve is _cover.greedy_cover else 20.0)
    # demand already covered (weight 0) adds nothing; nothing left → no site
    assert _cover.greedy_cover(reach, np.zeros(5), 2).sites.tolist() == []
    assert _cover.exact_cover(reach, np.zeros(5), 2).sites.tolist() == []


def _brute_force(reach: sparse.csr_matrix, w: np.ndarray, k: int) -> float:
    dense = reach.toarray().astype(bool)  # tiny instance: fine in a test
    best = 0.0
    for combo in itertools.combinations(range(dense.shape[0]), k):
        best = max(best, float(w[dense[list(combo)].any(axis=0)].sum()))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_exact_is_optimal_and_greedy_within_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 10, (14, 2))
    demand = rng.uniform(0, 10, (300, 2))
    w = rng.integers(1, 10, 300).astype(float)
    reach = _cover.coverage_matrix(sites, demand, 2.0)
    k = 3
    best = _brute_force(reach, w, k)
    exact = _cover.exact_cover(reach, w, k)
    greedy = _cover.greedy_cover(reach, w, k)
    assert exact.optimal
    assert exact.objective == pytest.approx(best)
    assert greedy.objective >= (1 - 1 / math.e) * best
    assert greedy.objective <= best + 1e-9
    # gains given the sites ranked before are the marginal gains: they sum to the objective
    assert exact.gains.sum() == pytest.approx(exact.objective)


def test_exact_matches_spopt_mclp() -> None:
    spopt = pytest.importorskip("spopt.locate")
    pulp = pytest.importorskip("pulp")
    rng = np.random.default_rng(7)
    sites = rng.uniform(0, 10, (25, 2))
    demand = rng.uniform(0, 10, (400, 2))
    w = rng.integers(1, 10, 400).astype(float)
    reach = _cover.coverage_matrix(sites, demand, 1.8)
    ours = _cover.exact_cover(reach, w, 4)
    cost = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = spopt.MCLP.from_cost_matrix(cost, w, service_radius=1.8 + 1e-6, p_facilities=4)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert ours.objective == pytest.approx(pulp.value(model.problem.objective))


# --- through a Coverage: hand-computed figures --------------------------------------------------
# Metres from the grid origin, r = 100 m. The L/M/R instance again (L at (800, 500) in A00, M at
# (950, 500) in A00, R at (1100, 500) in A01) plus a person at (500, 1500) in A10 whom an existing
# 通いの場 already reaches and a candidate next to it (its gain is 0), and 2 people in A11 whom no
# candidate reaches.
PEOPLE = [(710, 500), (890, 500), (1010, 500), (1190, 500), (950, 590), (500, 1500), (1500, 1500)]
PEOPLE_W = [5, 5, 5, 5, 1.5, 7, 2]


def _hand_coverage() -> chiikimap.Coverage:
    areas = grid_areas(2)
    pop = grid_population(PEOPLE, PEOPLE_W)
    res = grid_resources([(500, 1500, ("kayoi_no_ba",))])
    return chiikimap.analyze(areas, res, pop, radius_m={"kayoi_no_ba": 100})


def _candidates() -> chiikimap.Coverage:
    specs = [(800, 500, ("kyoten",)), (950, 500, ("kyoten",)), (1100, 500, ("kyoten",))]
    specs.append((520, 1500, ("kyoten",)))
    cand = grid_resources(specs)
    cand[S.NAME] = ["L", "M", "R", "E"]
    return cand


def test_suggest_sites_hand_figures_exact() -> None:
    cov = _hand_coverage()
    plan = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=2, method="exact")
    t = plan.table
    assert t["rank"].tolist() == [1, 2]
    assert t[S.NAME].tolist() == ["L", "R"]
    assert t[S.AREA_ID].tolist() == ["A00", "A01"]
    assert t["new_weight"].tolist() == [10.0, 10.0]
    assert t["cumulative_weight"].tolist() == [10.0, 20.0]
    total = sum(PEOPLE_W)
    assert t["coverage_after"].tolist() == pytest.approx([17 / total, 27 / total])
    assert plan.optimal
    a = plan.areas.set_index(S.AREA_ID)
    assert sorted(a.index) == ["A00", "A01"]
    assert a.loc["A00", "covered_before"] == 0
    assert a.loc["A00", "covered_after"] == 10
    assert a.loc["A00", "coverage_after"] == pytest.approx(10 / 11.5)
    assert a.loc["A01", "status_before"] == "none"
    assert a.loc["A01", "status_after"] == "ok"
    after = plan.after.table.set_index([S.CATEGORY, S.AREA_ID])[S.COVERED]
    assert after[("kayoi_no_ba", "A10")] == 7  # the existing one still counts
    assert len(plan.after.resources) == 3  # the existing 通いの場 and the two sites
    assert len(plan.zones) == 2
    assert plan.zones.crs == S.STORAGE_CRS


def test_suggest_sites_hand_figures_greedy_and_constraints() -> None:
    cov = _hand_coverage()
    plan = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=2, method="greedy")
    assert plan.table[S.NAME].tolist() == ["M", "L"]
    assert plan.table["new_weight"].tolist() == [11.5, 5.0]
    one = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=3, max_per_area=1)
    assert sorted(one.table[S.NAME]) == ["L", "R"]  # one of L, M (A00): L + R = 20 > M + R
    only = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=2, areas=["第2区"])  # A01
    assert only.table[S.NAME].tolist() == ["R"]
    gaps = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=4, only_gaps=True)
    assert "E" not in set(gaps.table[S.NAME])  # A10 is 充足 (7 of 7)


def test_suggest_sites_rejects_bad_arguments() -> None:
    cov = _hand_coverage()
    with pytest.raises(ParameterError) as err:
        cov.suggest_sites(_candidates(), "kayoi_no_ba", method="best")  # type: ignore[arg-type]
    assert err.value.param == "method"
    with pytest.raises(ParameterError) as err:
        cov.suggest_sites(_candidates(), "kayoi_no_ba", k=0)
    assert err.value.param == "k"
    with pytest.raises(UnknownCategoryError):
        cov.suggest_sites(_candidates(), "no_such_category")
    with pytest.raises(ParameterError) as err:
        cov.suggest_sites(_candidates(), "kayoi_no_ba", areas=["どこにもない区"])
    assert err.value.param == "areas"


def test_suggest_sites_lattice_when_no_candidates() -> None:
    cov = _hand_coverage()
    plan = cov.suggest_sites(None, "kayoi_no_ba", k=2, spacing_m=50)
    assert plan.n_candidates == 4 * 20 * 20  # a 50 m lattice in four 1 km squares
    assert plan.table[S.NAME].str.startswith("格子点").all()
    # lattice points sit at 25 + 50 i m: none is within 10 m of L (800, 500) or R (1100, 500), so no
    # point reaches a pair a1, a2 or b1, b2; the best is {a2, b1, m} (near M) plus one more: 16.5
    assert plan.optimal
    assert plan.table["cumulative_weight"].iloc[-1] == pytest.approx(16.5)


# --- closure impact -------------------------------------------------------------------------------


def test_closure_impact_hand_figures() -> None:
    # R0 at 500 and R1 at 600 (r = 100): p1 only R0 (3), p2 both (4), p3 only R1 (2); R2 reaches
    # nobody. A 通所介護 nearby is another category and does not count.
    areas = grid_areas(1)
    pop = grid_population([(450, 500), (550, 500), (680, 500)], [3, 4, 2])
    res = grid_resources(
        [
            (500, 500, ("kayoi_no_ba",)),
            (600, 500, ("kayoi_no_ba",)),
            (900, 900, ("kayoi_no_ba",)),
            (450, 500, ("tsusho_kaigo",)),
        ]
    )
    cov = chiikimap.analyze(areas, res, pop, radius_m={"kayoi_no_ba": 100})
    out = cov.closure_impact("kayoi_no_ba")
    assert out[S.RESOURCE_ID].tolist() == ["R0", "R1", "R2"]
    assert out["lost_weight"].tolist() == [3.0, 2.0, 0.0]
    assert out["sole"].tolist() == [True, True, False]
    assert out["lost_share"].tolist() == pytest.approx([3 / 9, 2 / 9, 0.0])
    assert out[S.AREA_ID].tolist() == ["A00", "A00", "A00"]


def test_closure_impact_area_basis_is_a_disc() -> None:
    # land area: one 通いの場 alone in the middle of A00 protects its whole (256-gon) disc; two at
    # the same place protect nothing alone
    areas = grid_areas(2)
    res = grid_resources([(500, 500, ("kayoi_no_ba",)), (1500, 500, ("kayoi_no_ba",))] * 2)
    res = res.iloc[[0, 1, 3]].copy()  # R0 alone, R1 and R3 at the same place
    cov = chiikimap.analyze(areas, res, None, radius_m={"kayoi_no_ba": 100})
    out = cov.closure_impact("kayoi_no_ba").set_index(S.RESOURCE_ID)
    disc = 0.5 * 256 * 100.0**2 * math.sin(2 * math.pi / 256)
    assert out.loc["R0", "lost_weight"] == pytest.approx(disc, rel=1e-9)
    assert out.loc["R1", "lost_weight"] == 0.0
    assert out.loc["R3", "lost_weight"] == 0.0


# --- real data: the bundled samples -----------------------------------------------------------------


@pytest.fixture(scope="module")
def takamatsu() -> chiikimap.Coverage:
    s = chiikimap.load_sample("takamatsu")
    return chiikimap.analyze(s.areas, s.resources, s.population)


def test_takamatsu_venues_for_kayoi_no_ba(takamatsu: chiikimap.Coverage) -> None:
    venues = takamatsu.resources[takamatsu.resources[S.CATEGORY] == "kyoten"]
    exact = takamatsu.suggest_sites(venues, "kayoi_no_ba", k=5)
    greedy = takamatsu.suggest_sites(venues, "kayoi_no_ba", k=5, method="greedy")
    assert exact.optimal
    assert greedy.objective >= (1 - 1 / math.e) * exact.objective
    assert greedy.objective <= exact.objective
    # the figures agree with the tables: before (no 通いの場 at all) 0, after = cumulative
    after = exact.after.table
    covered = after.loc[after[S.CATEGORY] == "kayoi_no_ba", S.COVERED].sum()
    assert covered == pytest.approx(exact.table["cumulative_weight"].iloc[-1], rel=1e-9)
    assert exact.table["new_weight"].is_monotonic_decreasing
    assert set(exact.table[S.NAME]) <= set(venues[S.NAME])
    assert exact.n_candidates == len(venues)


def test_takamatsu_existing_category_agrees_with_table(takamatsu: chiikimap.Coverage) -> None:
    # a category that exists: before = the table's covered, after − before = cumulative
    plan = takamatsu.suggest_sites(None, "kyoten", k=3, method="greedy")
    before = takamatsu.table[takamatsu.table[S.CATEGORY] == "kyoten"]
    after = plan.after.table[plan.after.table[S.CATEGORY] == "kyoten"]
    gained = after[S.COVERED].sum() - before[S.COVERED].sum()
    assert gained == pytest.approx(plan.table["cumulative_weight"].iloc[-1], rel=1e-9)
    a = plan.areas.set_index(S.AREA_ID)
    b = before.set_index(S.AREA_ID)
    assert a["covered_before"].to_numpy() == pytest.approx(b.loc[a.index, S.COVERED].to_numpy())
    impact = takamatsu.closure_impact("kyoten")
    assert len(impact) == int(before[S.N_RESOURCES].sum()) + 0  # every 拠点 once
    assert impact["lost_weight"].sum() <= before[S.COVERED].sum()
    assert impact["sole"].any()


def test_ikoma_polygon_population_agrees_with_table() -> None:
    # census 町丁 polygons: zones are counted by area share, like the table
    s = chiikimap.load_sample("ikoma")
    res = grid_resources([])  # no resources at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        cov = chiikimap.analyze(
            s.areas, res, s.population, weight="pop_total", categories=["kayoi_no_ba"]
        )
    plan = cov.suggest_sites(None, "kayoi_no_ba", k=3, method="greedy", spacing_m=400)
    after = plan.after.table
    covered = after.loc[after[S.CATEGORY] == "kayoi_no_ba", S.COVERED].sum()
    assert covered == pytest.approx(plan.table["cumulative_weight"].iloc[-1], rel=1e-6)


def test_hirakata_area_basis_agrees_with_table() -> None:
    s = chiikimap.load_sample("hirakata")
    areas = s.areas.iloc[:3]  # three 圏域 keep the land-area lattice of analyze small
    with pytest.warns(chiikimap.ChiikimapWarning, match="どの圏域にも入っていません"):
        cov = chiikimap.analyze(areas, s.resources, None)
    plan = cov.suggest_sites(None, "houkatsu", k=2, method="greedy", spacing_m=1000)
    before = cov.table[cov.table[S.CATEGORY] == "houkatsu"][S.COVERED].sum()
    after = plan.after.table
    gained = after.loc[after[S.CATEGORY] == "houkatsu", S.COVERED].sum() - before
    assert gained == pytest.approx(plan.table["cumulative_weight"].iloc[-1], rel=1e-6)
    impact = cov.closure_impact("houkatsu")
    assert len(impact) == 13  # every center, also those outside the three areas
    assert impact["lost_weight"].sum() <= before


# --- outputs ---------------------------------------------------------------------------------------


def test_plan_outputs(tmp_path) -> None:
    import openpyxl

    cov = _hand_coverage()
    plan = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=2)
    plan.save_html(tmp_path / "plan.html")
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "#ff7f00" in html  # the newly covered zones
    assert "1. L</b>" in html  # numbered site markers with their tooltips
    assert "2. R</b>" in html
    assert "新たに届く / newly reached: 10" in html
    plan.to_excel(tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert wb.sheetnames[:2] == ["概要", "候補地"]
    rows = list(wb["候補地"].iter_rows(min_row=4, max_row=6, values_only=True))
    assert rows[0][:5] == ("順位", "候補地", "圏域", "新たに届く", "累計")
    assert rows[1][:5] == (1, "L", "第1区", 10, 10)
    assert rows[2][:5] == (2, "R", "第2区", 10, 20)
    fig = plan.static_map(paper="A4")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1" in texts
    assert "2" in texts
    plan.save_static(tmp_path / "plan.png", paper="A4")
    assert (tmp_path / "plan.png").stat().st_size > 10_000


def test_plan_map_escapes_candidate_names(tmp_path) -> None:
    cov = _hand_coverage()
    cand = _candidates()
    payload = '<img src=x onerror="alert(1)">'
    cand[S.NAME] = [payload + n for n in ["L", "M", "R", "E"]]
    plan = cov.suggest_sites(cand, "kayoi_no_ba", k=2)
    plan.save_html(tmp_path / "plan.html")
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html  # the marker tooltips
    # The zones' GeoJSON: folium writes "<" as \\u003c there, but its tooltip puts the decoded
    # value into the page as HTML, so the name must already be escaped in the data.
    zone_names = re.findall(r'"name": "([^"]*)", "rank": \d', html)
    assert len(zone_names) == 2
    assert all(n.startswith("\\u0026lt;img src=x onerror=\\u0026quot;") for n in zone_names)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;L" in html


def test_cli_sites(tmp_path, capsys) -> None:
    import pandas as pd

    from chiikimap.cli import main
    from chiikimap.sample import sample_path

    root = sample_path("ikoma")
    # three 集会所 in 生駒市 (lat/lon of public places, rounded) as a coordinator's CSV
    venues = tmp_path / "venues.csv"
    venues.write_text(
        "名称,緯度,経度\n生駒市役所,34.6918,135.7006\n北コミュニティセンター,34.7390,135.7226\n"
        "南コミュニティセンター,34.6440,135.7062\n",
        encoding="utf-8",
    )
    code = main(
        [
            "sites",
            "--areas",
            str(root / "A32-23_29209.geojson"),
            "--population",
            str(root / "r2ka29209.topojson"),
            "--weight",
            "pop_total",
            "--category",
            "kayoi_no_ba",
            "--candidates",
            str(venues),
            "-k",
            "2",
            "--csv",
            "--xlsx",
            "--offline-html",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    # the map for a PC without internet: Leaflet inlined, no CDN script
    page = (tmp_path / "out" / "sites_offline.html").read_text(encoding="utf-8")
    assert "L.map(" in page or "L.map =" in page or "leaflet" in page.lower()
    assert "cdn.jsdelivr" not in page
    assert not (tmp_path / "out" / "sites.html").exists()
    table = pd.read_csv(tmp_path / "out" / "sites.csv", encoding="utf-8-sig")
    assert table["rank"].tolist() == [1, 2]
    assert set(table["name"]) <= {"生駒市役所", "北コミュニティセンター", "南コミュニティセンター"}
    assert (table["new_weight"] > 0).all()
    assert (tmp_path / "out" / "sites_karte.xlsx").exists()
    out = capsys.readouterr().out
    assert "通いの場: 候補 3 か所から 2 か所" in out


def test_closure_outputs_flag_sole_resources(tmp_path) -> None:
    import openpyxl

    from chiikimap.siting import closure_map, closure_to_excel

    areas = grid_areas(1)
    pop = grid_population([(450, 500), (550, 500), (680, 500)], [3, 4, 2])
    res = grid_resources(
        [(500, 500, ("kayoi_no_ba",)), (600, 500, ("kayoi_no_ba",)), (900, 900, ("kayoi_no_ba",))]
    )
    cov = chiikimap.analyze(areas, res, pop, radius_m={"kayoi_no_ba": 100})
    closure_to_excel(cov, tmp_path / "karte.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "karte.xlsx")
    assert wb.sheetnames[:2] == ["概要", "閉鎖の影響"]
    rows = list(wb["閉鎖の影響"].iter_rows(min_row=5, max_row=7, values_only=True))
    assert [r[1] for r in rows] == ["資源0", "資源1", "資源2"]
    assert [r[3] for r in rows] == [3, 2, 0]
    assert [r[5] for r in rows] == ["唯一の資源", "唯一の資源", None]
    html = closure_map(cov, "kayoi_no_ba").get_root().render()
    assert html.count("唯一の資源 / the only one in reach") == 2
    assert "lost if closed: 3 人" in html


def test_exact_when_the_lp_optimum_is_fractional() -> None:
    # three sites each reaching two of three people (a triangle), k = 1: the LP optimum puts 1/3
    # on every site, so HiGHS's branch and bound decides; any one site (2 people) is optimal
    reach = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=np.int8))
    out = _cover.exact_cover(reach, np.ones(3), 1)
    assert out.optimal
    assert out.objective == 2.0
    assert len(out.sites) == 1


def test_plan_methods_take_explicit_options(tmp_path) -> None:
    import inspect
    import struct

    from chiikimap.maps.interactive import gap_map
    from chiikimap.maps.static import static_map

    cov = _hand_coverage()
    plan = cov.suggest_sites(_candidates(), "kayoi_no_ba", k=2)
    # no **kwargs: each option is named, with the default of the function it is passed to
    forwarded = {
        plan.map: gap_map,
        plan.save_html: gap_map,
        plan.static_map: static_map,
        plan.save_static: static_map,
    }
    for method, target in forwarded.items():
        params = inspect.signature(method).parameters
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params.values())
        target_params = inspect.signature(target).parameters
        for name, p in params.items():
            if name in target_params and name != "offline":
                assert p.default == target_params[name].default, (method.__name__, name)
    # an unknown keyword, or an option of the other kind of map, is refused by Python
    with pytest.raises(TypeError):
        plan.map(colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        plan.save_html(tmp_path / "p.html", paper="A4")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        plan.static_map(tiles=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        plan.save_static(tmp_path / "p.png", offline=True)  # type: ignore[call-arg]
    assert list(tmp_path.iterdir()) == []
    # out of range or not a choice: the library's error naming the option
    for call, param in (
        (lambda: plan.map(max_zoom=0), "max_zoom"),
        (lambda: plan.map(simplify_m=-1.0), "simplify_m"),
        (lambda: plan.map(lang="fr"), "lang"),  # type: ignore[arg-type]
        (lambda: plan.save_html(tmp_path / "p.html", tiles="google"), "tiles"),  # type: ignore[arg-type]
        (lambda: plan.static_map(paper="B5"), "paper"),  # type: ignore[arg-type]
        (lambda: plan.save_static(tmp_path / "p.png", dpi=0), "dpi"),
    ):
        with pytest.raises(chiikimap.ParameterError) as err:
            call()
        assert err.value.param == param
    # the known ones reach the maps
    html = plan.map(tiles=None, title="案 <b>A</b>", simplify_m=0).get_root().render()
    assert "案 &lt;b&gt;A&lt;/b&gt;" in html
    assert "cyberjapandata" not in html  # tiles=None: no basemap
    plan.save_html(tmp_path / "p.html", offline=True, tiles=None, lang="en")
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in page
    assert "sources: see box at lower left" in page  # lang="en"
    fig = plan.static_map(paper="A4", orientation="portrait", title="候補地の案")
    width, height = fig.get_size_inches()
    assert (width, height) == pytest.approx((210 / 25.4, 297 / 25.4))
    assert "候補地の案" in [t.get_text() for t in fig.texts]
    plan.save_static(tmp_path / "p.png", paper="A4", dpi=50)
    png = (tmp_path / "p.png").read_bytes()
    assert struct.unpack(">II", png[16:24])[0] == pytest.approx(297 / 25.4 * 50, abs=1)
