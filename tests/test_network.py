"""Walking distance along a street network (issue 18): known answers, a property, real OSM data.

The hand-made town (EPSG:6677, metres; the origin of 平面直角座標系 IX, scale factor 0.9999 only
where the grid meets the ellipsoid, so lengths here are the coordinates' own):

    north street  y = 600, x = 0 … 1000 (nodes every 100 m)
    bridge        x = 400, y = 0 … 600  (the only way across the river, nodes every 100 m)
    south street  y = 0,   x = 0 … 1000 (nodes every 100 m)
    river         between the streets, 0 < y < 600, crossed only by the bridge

The resource R stands at (0, −10): 10 m south of the south street's west end.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import chiikimap
from chiikimap import _network as N
from chiikimap import _schema as S
from chiikimap._errors import ChiikimapError, InputFileError, ParameterError

CRS = "EPSG:6677"
DATA = Path(__file__).parent / "data" / "network"
OSM = DATA / "nakameguro.osm"
KEY = "kayoi_no_ba"


def _town() -> chiikimap.Network:
    xs: list[float] = []
    ys: list[float] = []
    u: list[int] = []
    v: list[int] = []

    def street(points: list[tuple[float, float]]) -> None:
        start = len(xs)
        for x, y in points:
            xs.append(x)
            ys.append(y)
        u.extend(range(start, start + len(points) - 1))
        v.extend(range(start + 1, start + len(points)))

    street([(x, 0.0) for x in range(0, 1001, 100)])  # nodes 0..10
    street([(x, 600.0) for x in range(0, 1001, 100)])  # nodes 11..21
    street([(400.0, y) for y in range(100, 501, 100)])  # bridge: nodes 22..26
    # join the bridge to the streets' nodes at x = 400 (node 4 south, node 15 north)
    u += [4, 26]
    v += [22, 15]
    return chiikimap.Network(
        x=np.asarray(xs), y=np.asarray(ys), u=np.asarray(u), v=np.asarray(v), crs=pyproj.CRS(CRS)
    )


# person: (x, y), straight line to R, walk to R worked out by hand
PEOPLE = {
    # across the river at the west end: straight √(0² + 620²) = 620 m ≤ 800 m, but on foot
    # 10 (R to the street) + 400 (east to the bridge) + 600 (bridge) + 400 (back west) + 10 = 1420 m
    "A": ((0.0, 610.0), 620.0, 1420.0),
    # same bank: 10 + 300 + 10 = 320 m (straight 300 m)
    "B": ((300.0, -10.0), 300.0, 320.0),
    # across the river at the bridge's foot: straight √(400² + 620²) = 737.87 m; on foot
    # 10 + 400 + 600 + 10 = 1020 m
    "C": ((400.0, 610.0), float(np.hypot(400.0, 620.0)), 1020.0),
    # beside the bridge, halfway: snaps to (400, 300) at 10 m; 10 + 400 + 300 + 10 = 720 m
    # (straight √(410² + 310²) = 514.00 m)
    "D": ((410.0, 300.0), float(np.hypot(410.0, 310.0)), 720.0),
    # between two nodes: snaps to the edge's point (250, 0), not a node: 10 + 250 + 10 = 270 m
    "E": ((250.0, 10.0), float(np.hypot(250.0, 20.0)), 270.0),
}


def _snap_all(net: chiikimap.Network, pts: np.ndarray) -> tuple[N.Projected, N.Snapped]:
    proj = N.project(net, pyproj.CRS(CRS))
    return proj, N.snap(proj, pts)


def test_known_walking_distances_across_the_river() -> None:
    net = _town()
    proj = N.project(net, pyproj.CRS(CRS))
    src = N.snap(proj, np.array([[0.0, -10.0]]))
    pts = np.array([p for p, _, _ in PEOPLE.values()])
    d = N.network_distance(proj, src, N.snap(proj, pts))
    np.testing.assert_allclose(d, [w for _, _, w in PEOPLE.values()], atol=1e-6)
    # the cutoff: beyond it nothing is reached
    d800 = N.network_distance(proj, src, N.snap(proj, pts), limit=800.0)
    assert np.isinf(d800[[0, 2]]).all()
    np.testing.assert_allclose(d800[[1, 3, 4]], [320.0, 720.0, 270.0], atol=1e-6)


def test_same_edge_and_several_sources() -> None:
    proj = N.project(_town(), pyproj.CRS(CRS))
    # sources at (150, -5) and (950, 605); queries on the edge 100–200 and on the north street
    src = N.snap(proj, np.array([[150.0, -5.0], [950.0, 605.0]]))
    q = N.snap(proj, np.array([[120.0, 3.0], [500.0, 600.0], [0.0, 0.0]]))
    d = N.network_distance(proj, src, q)
    # along the edge: 5 + 30 + 3 = 38; from the north source 5 + 450 = 455 (south: 5+250+600+100
    # = 955); the west end: 5 + 150 = 155
    np.testing.assert_allclose(d, [38.0, 455.0, 155.0], atol=1e-6)


def _layers(people: dict[str, tuple[tuple[float, float], float, float]]) -> tuple:
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: ["1"], S.AREA_NAME: ["川の町"], "geometry": [box(-100, -100, 1100, 700)]},
        crs=CRS,
    )
    res = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: ["R"],
            S.NAME: ["通いの場"],
            S.CATEGORY: [KEY],
            S.CATEGORIES: [(KEY,)],
            S.CAPACITY: [np.nan],
            S.ADDRESS: [""],
            S.SOURCE: ["test"],
            "geometry": [Point(0.0, -10.0)],
        },
        crs=CRS,
    )
    # weights 1, 10, 100, 1000, 10000 so that every covered sum names who is in it
    w = [10.0**i for i in range(len(people))]
    pop = gpd.GeoDataFrame(
        {
            S.POP_TOTAL: w,
            S.POP_65PLUS: w,
            S.POP_75PLUS: w,
            "geometry": [Point(p) for p, _, _ in people.values()],
        },
        crs=CRS,
    )
    return areas, res, pop


def test_analyze_people_across_the_river_are_not_covered() -> None:
    areas, res, pop = _layers(PEOPLE)
    kw = {"radius_m": {KEY: 800.0}, "metric_crs": CRS}
    straight = chiikimap.analyze(areas, res, pop, **kw).table.iloc[0]
    walk_cov = chiikimap.analyze(areas, res, pop, network=_town(), **kw)
    walk = walk_cov.table.iloc[0]
    # straight: A (1), B (10), C (100), D (1000), E (10000) all within 800 m
    assert straight[S.COVERED] == pytest.approx(11111.0)
    # on foot: A (1420 m) and C (1020 m) are not; B, D, E are
    assert walk[S.COVERED] == pytest.approx(11010.0)
    assert walk[S.UNCOVERED] == pytest.approx(101.0)
    # lower weighted median: E holds 10000 of 11111 → its distance
    assert walk[S.NEAREST_M] == pytest.approx(270.0)
    assert straight[S.NEAREST_M] == pytest.approx(np.hypot(250.0, 20.0))
    assert walk_cov.info.distance == "network"
    assert "道のり" in walk_cov.info.distance_label
    assert chiikimap.analyze(areas, res, pop, **kw).info.distance == "straight"


def test_analyze_with_network_on_the_area_basis() -> None:
    areas, res, _ = _layers(PEOPLE)
    kw = {"radius_m": {KEY: 800.0}, "metric_crs": CRS}
    straight = chiikimap.analyze(areas, res, **kw).table.iloc[0]
    walk = chiikimap.analyze(areas, res, network=_town(), **kw).table.iloc[0]
    assert walk[S.WEIGHT] == pytest.approx(straight[S.WEIGHT])
    assert 0 < walk[S.COVERED] < straight[S.COVERED]


@settings(max_examples=15, deadline=None)
@given(
    res=st.lists(st.tuples(st.floats(-50, 1050), st.floats(-50, 650)), min_size=1, max_size=4),
    people=st.lists(st.tuples(st.floats(-90, 1090), st.floats(-90, 690)), min_size=1, max_size=12),
    radius=st.floats(50, 1500),
)
def test_network_coverage_never_exceeds_straight_line(
    res: list[tuple[float, float]], people: list[tuple[float, float]], radius: float
) -> None:
    """Walking distance ≥ straight line (triangle inequality), so coverage can only drop."""
    half = 600.0
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: ["W", "E"],
            S.AREA_NAME: ["西", "東"],
            "geometry": [box(-100, -100, half, 700), box(half, -100, 1100, 700)],
        },
        crs=CRS,
    )
    cats = ["kayoi_no_ba", "kyoten"]
    resources = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"R{i}" for i in range(len(res))],
            S.NAME: [f"資源{i}" for i in range(len(res))],
            S.CATEGORY: [cats[i % 2] for i in range(len(res))],
            S.CATEGORIES: [(cats[i % 2],) for i in range(len(res))],
            S.CAPACITY: [np.nan] * len(res),
            S.ADDRESS: [""] * len(res),
            S.SOURCE: ["test"] * len(res),
            "geometry": [Point(p) for p in res],
        },
        crs=CRS,
    )
    w = np.arange(1, len(people) + 1, dtype=float)
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: w, S.POP_65PLUS: w, S.POP_75PLUS: w, "geometry": [Point(p) for p in people]},
        crs=CRS,
    )
    kw = {"radius_m": radius, "metric_crs": CRS, "categories": cats}
    with warnings.catch_warnings():  # an area without people gets a warning: not the point here
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        straight = chiikimap.analyze(areas, resources, pop, **kw).table
        walk = chiikimap.analyze(areas, resources, pop, network=_town(), **kw).table
    assert (walk[S.COVERED].to_numpy() <= straight[S.COVERED].to_numpy() + 1e-9).all()
    nw, ns = walk[S.NEAREST_M].to_numpy(), straight[S.NEAREST_M].to_numpy()
    both = np.isfinite(nw) & np.isfinite(ns)
    assert (nw[both] >= ns[both] - 1e-6).all()


# --- the real extract ---------------------------------------------------------------------------


def test_read_network_keeps_walkable_ways_only() -> None:
    net = chiikimap.read_network(OSM)
    assert net.source is not None
    assert net.source.credit == "© OpenStreetMap contributors"
    # the newest walkable way read was edited on 2018-12-11 (the newest object, 12-22, is no way)
    assert net.source.license == "ODbL 1.0"
    assert net.source.date == "2018-12-11"
    assert 1000 < net.n_nodes < 8473
    assert net.n_edges > 1000
    # the two motorway ways (首都高速3号渋谷線) are not walkable: none of their nodes is kept
    # unless another walkable way shares it
    import osmium

    motorway_only: set[int] = set()
    walk_nodes: set[int] = set()
    for obj in osmium.FileProcessor(str(OSM), osmium.osm.WAY):
        hw = obj.tags.get("highway")
        refs = {n.ref for n in obj.nodes}
        if hw == "motorway":
            motorway_only |= refs
        elif hw is not None:
            walk_nodes |= refs
    motorway_only -= walk_nodes
    assert motorway_only  # the file has motorway-only nodes …
    lonlat = set(zip(net.x.round(7), net.y.round(7), strict=True))
    locs = {}
    for obj in osmium.FileProcessor(str(OSM), osmium.osm.NODE):
        if obj.id in motorway_only:
            locs[obj.id] = (round(obj.location.lon, 7), round(obj.location.lat, 7))
    assert not (set(locs.values()) & lonlat)  # … and none of them is in the network


def test_read_network_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        chiikimap.read_network(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm version='0.6'></osm>", encoding="utf-8")
    with pytest.raises(InputFileError):
        chiikimap.read_network(bad)
    with pytest.raises(ParameterError):
        chiikimap.read_network(OSM, mode="drive")
    with pytest.raises(ChiikimapError):
        chiikimap.Network(np.zeros(2), np.zeros(2), np.array([0]), np.array([5]), pyproj.CRS(CRS))


def _segment_snap(xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[int, float, float]:
    """Brute force: the nearest point of every segment; the nearest segment (lowest on ties)."""
    ab = b - a
    L2 = (ab**2).sum(axis=1)
    s = np.clip(((xy - a) * ab).sum(axis=1) / np.where(L2 > 0, L2, 1.0), 0.0, 1.0)
    foot = a + s[:, None] * ab
    dist = np.hypot(*(xy - foot).T)
    e = int(np.argmin(dist))
    return e, float(s[e] * np.sqrt(L2[e])), float(dist[e])


def test_real_extract_agrees_with_networkx() -> None:
    """An independent computation: networkx Dijkstra on a graph with the points spliced in."""
    import networkx as nx

    net = chiikimap.read_network(OSM)
    crs = pyproj.CRS("EPSG:6677")
    x, y = pyproj.Transformer.from_crs(net.crs, crs, always_xy=True).transform(net.x, net.y)
    xy = np.column_stack([x, y])
    g = nx.Graph()
    for a, b in zip(net.u, net.v, strict=True):
        if a != b:
            g.add_edge(int(a), int(b), weight=float(np.hypot(*(xy[a] - xy[b]))))
    edges = np.array(list(g.edges()))
    A, B = xy[edges[:, 0]], xy[edges[:, 1]]
    rng = np.random.default_rng(18)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    res_xy = lo + rng.random((3, 2)) * (hi - lo)
    ppl_xy = lo + rng.random((40, 2)) * (hi - lo)
    # splice every point into its nearest edge (a new node at the foot, joined by the offset)
    h = g.copy()
    feet: dict[int, list[tuple[float, str]]] = {}
    for name, p in [
        *((f"r{i}", q) for i, q in enumerate(res_xy)),
        *((f"p{i}", q) for i, q in enumerate(ppl_xy)),
    ]:
        e, t, off = _segment_snap(p[None, :], A, B)
        feet.setdefault(e, []).append((t, name))
        h.add_edge(name, ("foot", name), weight=off)
    for e, items in feet.items():
        a, b = int(edges[e, 0]), int(edges[e, 1])
        h.remove_edge(a, b)
        chain = [(0.0, a), *sorted((t, ("foot", n)) for t, n in items)]
        chain.append((float(np.hypot(*(xy[a] - xy[b]))), b))
        for (t0, n0), (t1, n1) in itertools.pairwise(chain):
            h.add_edge(n0, n1, weight=t1 - t0)
    dist = nx.multi_source_dijkstra_path_length(h, {f"r{i}" for i in range(3)})
    expect = np.array([dist.get(f"p{i}", np.inf) for i in range(len(ppl_xy))])

    proj = N.project(net, crs)
    got = N.network_distance(proj, N.snap(proj, res_xy), N.snap(proj, ppl_xy))
    np.testing.assert_allclose(got, expect, rtol=1e-9, atol=1e-6)
    # and walking is never shorter than the straight line
    straight = np.min(np.hypot(*(ppl_xy[:, None, :] - res_xy[None, :, :]).transpose(2, 0, 1)), 1)
    assert (got >= straight - 1e-6).all()
    assert np.median(got / straight) > 1.05


def test_analyze_on_the_real_extract_credits_osm() -> None:
    net = chiikimap.read_network(OSM)
    lon0, lat0, lon1, lat1 = 139.6947, 35.6384, 139.7083, 35.6480
    areas = gpd.GeoDataFrame(
        {S.AREA_ID: ["1"], S.AREA_NAME: ["中目黒"], "geometry": [box(lon0, lat0, lon1, lat1)]},
        crs=S.STORAGE_CRS,
    )
    rng = np.random.default_rng(7)
    pts = [
        Point(lon0 + (lon1 - lon0) * a, lat0 + (lat1 - lat0) * b) for a, b in rng.random((50, 2))
    ]
    w = np.ones(50)
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: w, S.POP_65PLUS: w, S.POP_75PLUS: w, "geometry": pts}, crs=S.STORAGE_CRS
    )
    res = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: ["R"],
            S.NAME: ["中目黒駅前"],
            S.CATEGORY: [KEY],
            S.CATEGORIES: [(KEY,)],
            S.CAPACITY: [np.nan],
            S.ADDRESS: [""],
            S.SOURCE: ["test"],
            "geometry": [Point(139.6988, 35.6441)],
        },
        crs=S.STORAGE_CRS,
    )
    kw = {"radius_m": {KEY: 500.0}}
    straight = chiikimap.analyze(areas, res, pop, **kw)
    walk = chiikimap.analyze(areas, res, pop, network=net, **kw)
    assert walk.table[S.COVERED].iloc[0] < straight.table[S.COVERED].iloc[0]
    assert "© OpenStreetMap contributors" in [s.credit for s in walk.info.sources]
    assert walk.info.network_date == "2018-12-11"
    cmp = walk.compare_distance(straight)
    assert list(cmp.columns[:3]) == [S.AREA_ID, S.AREA_NAME, S.CATEGORY]
    row = cmp.iloc[0]
    assert row["coverage_straight"] == pytest.approx(straight.table[S.COVERAGE].iloc[0])
    assert row["coverage_network"] == pytest.approx(walk.table[S.COVERAGE].iloc[0])
    assert isinstance(cmp, pd.DataFrame)


def test_outputs_say_walking_distance_and_credit_osm(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from chiikimap.maps import static

    areas, res, pop = _layers(PEOPLE)
    kw = {"radius_m": {KEY: 800.0}, "metric_crs": CRS}
    net = _town()
    net = chiikimap.Network(
        net.x,
        net.y,
        net.u,
        net.v,
        net.crs,
        source=chiikimap.Source("OpenStreetMap", credit="© OSM"),
    )
    walk = chiikimap.analyze(areas, res, pop, network=net, **kw)
    straight = chiikimap.analyze(areas, res, pop, **kw)
    assert "道のり800 m" in static._default_title(walk, KEY, "ja")
    assert "半径800 m" in static._default_title(straight, KEY, "ja")
    html = tmp_path / "m.html"
    walk.save_html(html)
    text = html.read_text(encoding="utf-8")
    assert "道のり800m圏" in text
    assert "© OSM" in text
    xlsx = tmp_path / "k.xlsx"
    walk.to_excel(xlsx)
    cells = [
        str(c.value)
        for ws in load_workbook(xlsx).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any("道のり" in c for c in cells)
    assert "© OSM" in cells


def test_clipping_keeps_every_edge_that_meets_the_box() -> None:
    net = _town()
    full = N.project(net, pyproj.CRS(CRS))
    # a box around the south street's west half: the north street and the bridge's upper part go
    clip = N.project(net, pyproj.CRS(CRS), bounds=(-50.0, -50.0, 450.0, 150.0))
    # kept: south edges 0–100 … 400–500 (5, the last one reaches into the box), bridge 0–100 and
    # 100–200 (its box starts at y = 100 ≤ 150): 7 of 26 (10 south, 10 north, 6 on the bridge)
    assert len(full.u) == 26
    assert len(clip.u) == 7
    pts = np.array([[0.0, -10.0], [300.0, -10.0]])
    d = N.network_distance(clip, N.snap(clip, pts[:1]), N.snap(clip, pts[1:]))
    np.testing.assert_allclose(d, [320.0], atol=1e-6)


# --- walking catchments on the maps ---------------------------------------------------------------


def test_catchment_follows_the_walking_rule() -> None:
    """The drawn catchment holds the people the table counts, not those across the river."""
    areas, res, pop = _layers(PEOPLE)
    kw = {"radius_m": {KEY: 800.0}, "metric_crs": CRS}
    walk = chiikimap.analyze(areas, res, pop, network=_town(), **kw)
    assert chiikimap.analyze(areas, res, pop, **kw).catchments is None
    assert walk.catchments is not None
    row = walk.catchments.to_crs(CRS).iloc[0]
    assert row[S.CATEGORY] == KEY
    assert row["radius_m"] == 800.0
    inside = {k: row.geometry.contains(Point(p)) for k, (p, _, _) in PEOPLE.items()}
    assert inside == {"A": False, "B": True, "C": False, "D": True, "E": True}
    # the grid is 20 m: the outline lies within one spacing of the exact rule. On the south
    # street east of R the walk ends at x = 800 − 10 = 790 (on the street, off = 0)
    g = row.geometry
    assert g.contains(Point(770.0, 0.0))
    assert not g.contains(Point(810.0, 0.0))
    # the north street is reached nowhere (1010 m to its nearest point on foot)
    assert not g.intersects(box(-100, 590, 1100, 610))
    # the bridge is reached up to 800 − 10 − 400 = 390 m north
    assert g.contains(Point(400.0, 370.0))
    assert not g.contains(Point(400.0, 410.0))


def test_maps_draw_the_catchment_with_its_legend(tmp_path: Path) -> None:
    from matplotlib.patches import Patch

    areas, res, pop = _layers(PEOPLE)
    areas.loc[0, S.AREA_NAME] = "<img src=x onerror=alert(1)>"
    walk = chiikimap.analyze(
        areas, res, pop, network=_town(), radius_m={KEY: 800.0}, metric_crs=CRS
    )
    html = tmp_path / "m.html"
    walk.save_html(html, category=KEY)
    text = html.read_text(encoding="utf-8")
    assert "道のりで800m以内" in text
    assert "徒歩圏（道のり）" in text
    assert "<img src=x" not in text
    fig = walk.static_map(category=KEY)
    labels = [h.get_label() for leg in fig.legends for h in leg.legend_handles]
    assert "道のりで800m以内" in labels
    assert any(isinstance(h, Patch) for leg in fig.legends for h in leg.legend_handles)
    # QGIS users get the catchments as a layer of the GeoPackage
    gpkg = tmp_path / "g.gpkg"
    walk.to_geopackage(gpkg)
    layer = gpd.read_file(gpkg, layer="catchments")
    assert list(layer[S.CATEGORY]) == [KEY]
    assert layer[S.CATEGORY_LABEL].iloc[0] == "通いの場"
    assert layer.to_crs(CRS).area.iloc[0] == pytest.approx(walk.catchments.to_crs(CRS).area.iloc[0])
    # the overview shows no catchment (it belongs to one category)
    over = walk.static_map()
    assert "道のりで800m以内" not in [
        h.get_label() for leg in over.legends for h in leg.legend_handles
    ]


# --- both distances in the karte; places the streets do not join to any resource ----------------


def _town_with_island() -> chiikimap.Network:
    """The town plus a street of its own (y = 660, x = 0 … 300) joined to nothing else."""
    t = _town()
    n = t.n_nodes
    x = np.concatenate([t.x, [0.0, 100.0, 200.0, 300.0]])
    y = np.concatenate([t.y, [660.0] * 4])
    u = np.concatenate([t.u, [n, n + 1, n + 2]])
    v = np.concatenate([t.v, [n + 1, n + 2, n + 3]])
    return chiikimap.Network(x=x, y=y, u=u, v=v, crs=pyproj.CRS(CRS))


def test_unreachable_places_are_inf_and_the_karte_says_so(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    # two areas: the town (people B, E) and the island's area (two people at (100, 665),
    # 5 m from the island street and 65 m from the north street — the island street is nearer)
    areas = gpd.GeoDataFrame(
        {
            S.AREA_ID: ["1", "2"],
            S.AREA_NAME: ["川の町", "離れ"],
            "geometry": [box(-100, -100, 1100, 640), box(-100, 640, 1100, 700)],
        },
        crs=CRS,
    )
    _, res, _ = _layers(PEOPLE)
    pts = [Point(300.0, -10.0), Point(250.0, 10.0), Point(100.0, 665.0), Point(150.0, 665.0)]
    w = [1.0, 1.0, 1.0, 1.0]
    pop = gpd.GeoDataFrame(
        {S.POP_TOTAL: w, S.POP_65PLUS: w, S.POP_75PLUS: w, "geometry": pts}, crs=CRS
    )
    walk = chiikimap.analyze(
        areas, res, pop, network=_town_with_island(), radius_m={KEY: 800.0}, metric_crs=CRS
    )
    t = walk.table.set_index(S.AREA_ID)
    assert t.loc["1", S.NEAREST_M] == pytest.approx(270.0)  # E (lower weighted median)
    assert np.isinf(t.loc["2", S.NEAREST_M])  # the island reaches no resource on foot
    assert t.loc["2", S.COVERED] == 0.0
    assert t.loc["2", S.STATUS] == S.STATUS_NONE
    # straight line: 675 m ≤ 800 m, so the island is covered by straight line
    line = walk.straight_table.set_index(S.AREA_ID)
    assert line.loc["2", S.COVERAGE] == 1.0
    cmp = walk.compare_distance().set_index(S.AREA_ID)
    assert cmp.loc["2", "coverage_diff"] == -1.0
    assert np.isinf(cmp.loc["2", "nearest_m_network"])
    # the karte: 道のり and 直線 side by side; ∞ written as 到達不可 (an xlsx cannot hold inf)
    xlsx = tmp_path / "k.xlsx"
    walk.to_excel(xlsx)
    ws = load_workbook(xlsx)["離れ"]
    rows = list(ws.iter_rows(min_row=4, max_row=5, values_only=True))
    head, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "カバー率（道のり）" in head
    assert "カバー率（直線）" in head
    assert row["カバー率（道のり）"] == 0.0
    assert row["カバー率（直線）"] == 1.0
    assert row["判定（道のり）"] == "空白"
    assert row["判定（直線）"] == "充足"
    assert row["最寄りまでの距離(m, 中央値)（道のり）"] == "到達不可"
    assert row["最寄りまでの距離(m, 中央値)（直線）"] == pytest.approx(np.hypot(100.0, 675.0))
    notes = [c.value for r in load_workbook(xlsx)["出典・条件"].iter_rows() for c in r]
    assert any(isinstance(v, str) and v.startswith("到達不可:") for v in notes)
    over = load_workbook(xlsx).worksheets[0]
    heads = [c.value for c in over[4]]
    assert "カバー率（直線）" in heads
    # a straight-line run has no 直線 twin columns and compare_distance() needs a network run
    straight = chiikimap.analyze(areas, res, pop, radius_m={KEY: 800.0}, metric_crs=CRS)
    with pytest.raises(chiikimap.SchemaError):
        straight.compare_distance()


# --- reading: PBF, clipping, the cache, bridges ----------------------------------------------------


def _edge_set(net: chiikimap.Network) -> set[frozenset[tuple[float, float]]]:
    """Edges as unordered pairs of rounded lon/lat (independent of the node numbering)."""
    xy = list(zip(net.x.round(7), net.y.round(7), strict=True))
    return {frozenset((xy[a], xy[b])) for a, b in zip(net.u, net.v, strict=True)}


def test_pbf_written_from_the_extract_reads_the_same_network(tmp_path: Path) -> None:
    import osmium

    pbf = tmp_path / "nakameguro.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    finally:
        writer.close()
    assert pbf.read_bytes()[:20] != OSM.read_bytes()[:20]  # a binary file, not the XML
    xml, bin_ = chiikimap.read_network(OSM), chiikimap.read_network(pbf)
    assert bin_.n_edges == xml.n_edges
    assert _edge_set(bin_) == _edge_set(xml)
    assert bin_.source is not None
    assert bin_.source.date == "2018-12-11"


def test_clip_at_read_time_keeps_the_edges_that_meet_the_box() -> None:
    full = chiikimap.read_network(OSM)
    box_ = (139.6947, 35.6384, 139.7010, 35.6430)  # the south-west quarter
    clip = chiikimap.read_network(OSM, bbox=box_)
    x, y = full.x, full.y
    meets = (
        (np.minimum(x[full.u], x[full.v]) <= box_[2])
        & (np.maximum(x[full.u], x[full.v]) >= box_[0])
        & (np.minimum(y[full.u], y[full.v]) <= box_[3])
        & (np.maximum(y[full.u], y[full.v]) >= box_[1])
    )
    expect = {
        frozenset(((round(x[a], 7), round(y[a], 7)), (round(x[b], 7), round(y[b], 7))))
        for a, b in zip(full.u[meets], full.v[meets], strict=True)
    }
    assert 0 < clip.n_edges < full.n_edges
    assert _edge_set(clip) == expect
    assert clip.n_nodes < full.n_nodes  # only the nodes of kept edges
    # clip_to: the areas' box widened by margin_m (here 0 m: the same box as above)
    areas = gpd.GeoDataFrame(geometry=[box(*box_)], crs="EPSG:4326")
    assert _edge_set(chiikimap.read_network(OSM, clip_to=areas, margin_m=0.0)) == expect
    # 100 m more on every side keeps more
    wider = chiikimap.read_network(OSM, clip_to=areas, margin_m=100.0)
    assert wider.n_edges > clip.n_edges
    with pytest.raises(ParameterError):
        chiikimap.read_network(OSM, bbox=(139.71, 35.64, 139.70, 35.65))
    with pytest.raises(InputFileError):  # a box with no street
        chiikimap.read_network(OSM, bbox=(140.0, 36.0, 140.1, 36.1))


_STREET_AND_BRIDGE = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" version="1" timestamp="2020-01-01T00:00:00Z" lat="35.0000" lon="139.0000"/>
 <node id="2" version="1" timestamp="2020-01-01T00:00:00Z" lat="35.0000" lon="139.0010"/>
 <node id="3" version="1" timestamp="2020-01-01T00:00:00Z" lat="35.0000" lon="139.0020"/>
 <node id="4" version="1" timestamp="2020-01-01T00:00:00Z" lat="34.9990" lon="139.0010"/>
 <node id="5" version="1" timestamp="2020-01-01T00:00:00Z" lat="35.0010" lon="139.0010"/>
 <node id="6" version="1" timestamp="2020-01-01T00:00:00Z" lat="35.0000" lon="139.0010"/>
 <way id="10" version="1" timestamp="2020-01-01T00:00:00Z">
  <nd ref="1"/><nd ref="2"/><nd ref="3"/>
  <tag k="highway" v="residential"/>
 </way>
 <way id="11" version="1" timestamp="2020-02-02T00:00:00Z">
  <nd ref="4"/><nd ref="{middle}"/><nd ref="5"/>
  <tag k="highway" v="primary"/>{tags}
 </way>
</osm>
"""


def test_a_bridge_joins_the_street_below_only_at_a_shared_node(tmp_path: Path) -> None:
    """OSM joins ways at shared nodes only: an overpass at the same point is no junction.

    The street runs west–east through (139.0010, 35.0000); the other way runs south–north over
    the same point. As a bridge it has its own node 6 there (a different id, same position);
    as a crossing street it uses the street's node 2.
    """
    crs = pyproj.CRS("EPSG:6677")
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    west = np.array([to_m.transform(139.0000, 35.0000)])
    north = np.array([to_m.transform(139.0010, 35.0010)])
    found = {}
    for name, middle, tags in (
        ("bridge", 6, '\n  <tag k="bridge" v="yes"/><tag k="layer" v="1"/>'),
        ("crossing", 2, ""),
    ):
        f = tmp_path / f"{name}.osm"
        f.write_text(_STREET_AND_BRIDGE.format(middle=middle, tags=tags), encoding="utf-8")
        net = chiikimap.read_network(f)
        proj = N.project(net, crs)
        found[name] = float(N.network_distance(proj, N.snap(proj, west), N.snap(proj, north))[0])
    assert np.isinf(found["bridge"])  # no path from the street up onto the bridge
    # through the junction: 91.3 m east + 111.0 m north (1/1000 degree at 35° N)
    assert found["crossing"] == pytest.approx(91.3 + 111.0, abs=1.0)


def test_the_parsed_network_is_cached_next_to_the_file(tmp_path: Path, monkeypatch) -> None:
    from chiikimap.io import network as io_net

    f = tmp_path / "town.osm"
    f.write_text(_STREET_AND_BRIDGE.format(middle=2, tags=""), encoding="utf-8")
    first = chiikimap.read_network(f, cache=True)
    cache = tmp_path / "town.osm.chiikimap-network.npz"
    assert cache.is_file()
    calls: list[Path] = []
    parse = io_net._parse
    monkeypatch.setattr(io_net, "_parse", lambda *a: calls.append(a[0]) or parse(*a))
    again = chiikimap.read_network(f, cache=True)
    assert calls == []  # read from the cache
    assert _edge_set(again) == _edge_set(first)
    assert again.source == first.source
    assert again.path == str(f)
    # another clip, or a changed file (its SHA-256), parses again
    chiikimap.read_network(f, cache=True, bbox=(138.9, 34.9, 139.1, 35.1))
    assert len(calls) == 1
    f.write_text(_STREET_AND_BRIDGE.format(middle=6, tags=""), encoding="utf-8")
    changed = chiikimap.read_network(f, cache=True)
    assert len(calls) == 2
    assert (first.n_nodes, changed.n_nodes) == (5, 6)  # the bridge's own node 6
    # a broken cache file is ignored and rewritten
    cache.write_bytes(b"not a cache")
    assert chiikimap.read_network(f, cache=True).n_nodes == 6
    assert len(calls) == 3


# --- the command line and the recipe ---------------------------------------------------------------


def _nakameguro_files(folder: Path) -> None:
    """Areas (two halves of the extract), a resource list and the extract itself in ``folder``."""
    import shutil

    lon0, lat0, lon1, lat1 = 139.6947, 35.6384, 139.7083, 35.6480
    mid = (lon0 + lon1) / 2
    areas = gpd.GeoDataFrame(
        {"圏域ID": ["1", "2"], "圏域名": ["中目黒", "代官山"]},
        geometry=[box(lon0, lat0, mid, lat1), box(mid, lat0, lon1, lat1)],
        crs="EPSG:4326",
    )
    areas.to_file(folder / "areas.geojson", driver="GeoJSON")
    (folder / "salon.csv").write_text(
        "名称,緯度,経度\n中目黒サロン,35.6441,139.6988\n代官山サロン,35.6460,139.7030\n",
        encoding="utf-8",
    )
    shutil.copy(OSM, folder / "nakameguro.osm")


def test_cli_map_with_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    from chiikimap.cli import main

    _nakameguro_files(tmp_path)
    args = ["map", "--areas", str(tmp_path / "areas.geojson"), "--id-col", "圏域ID"]
    args += ["--name-col", "圏域名", "--resources", str(tmp_path / "salon.csv")]
    args += ["--category", "kayoi_no_ba", "--radius", "kayoi_no_ba=500", "--xlsx"]
    args += ["--out", str(tmp_path / "out")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        assert main([*args, "--network", str(tmp_path / "nakameguro.osm")]) == 0
    assert (tmp_path / "nakameguro.osm.chiikimap-network.npz").is_file()  # cached for next time
    wb = load_workbook(tmp_path / "out" / "chiikimap_karte.xlsx")
    heads = [c.value for c in wb.worksheets[0][4]]
    assert "カバー率（道のり）" in heads
    assert "カバー率（直線）" in heads
    capsys.readouterr()
    assert main([*args, "--network", str(tmp_path / "missing.osm")]) == 1
    assert "missing.osm" in capsys.readouterr().err


def test_recipe_network_key_is_read_and_recorded(tmp_path: Path) -> None:
    import hashlib
    import json

    from chiikimap.recipe import run_recipe

    _nakameguro_files(tmp_path)
    (tmp_path / "recipe.toml").write_text(
        '[areas]\npath = "areas.geojson"\nid_col = "圏域ID"\nname_col = "圏域名"\n'
        '[[resources]]\npath = "salon.csv"\ncategory = "kayoi_no_ba"\n'
        '[analysis]\nradius_m = { kayoi_no_ba = 500 }\nnetwork = "nakameguro.osm"\n'
        '[output]\ndir = "出力"\nformats = ["xlsx"]\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        done = run_recipe(tmp_path / "recipe.toml")
    assert done.coverage.info.distance == "network"
    record = json.loads(done.run_json.read_text(encoding="utf-8"))
    net = [i for i in record["inputs"] if i["layer"] == "network"]
    sha = hashlib.sha256((tmp_path / "nakameguro.osm").read_bytes()).hexdigest()
    assert net == [
        {
            "layer": "network",
            "path": "nakameguro.osm",
            "bytes": (tmp_path / "nakameguro.osm").stat().st_size,
            "sha256": sha,
        }
    ]
    assert record["totals"]["distance"] == "network"
    assert record["totals"]["network_date"] == "2018-12-11"
    assert "© OpenStreetMap contributors" in [s["attribution"] for s in record["sources"]]
    # a missing file names the recipe key
    text = (tmp_path / "recipe.toml").read_text(encoding="utf-8")
    (tmp_path / "recipe.toml").write_text(text.replace("nakameguro.osm", "nai.osm"), "utf-8")
    with pytest.raises(chiikimap.ChiikimapError) as info:
        run_recipe(tmp_path / "recipe.toml")
    assert info.value.param == "analysis.network"


def test_siting_refuses_a_walking_run() -> None:
    """Siting measures straight-line reach: on a network run it would contradict the table."""
    areas, res, pop = _layers(PEOPLE)
    walk = chiikimap.analyze(
        areas, res, pop, network=_town(), radius_m={KEY: 800.0}, metric_crs=CRS
    )
    with pytest.raises(ParameterError, match="道のり"):
        walk.suggest_sites(res, KEY, k=1)
    with pytest.raises(ParameterError, match="道のり"):
        walk.closure_impact(KEY)


@pytest.mark.parametrize("radius", [300.0, 800.0, 1200.0])
def test_catchment_agrees_with_the_rule_except_within_one_grid_step(radius: float) -> None:
    """3,000 random points: inside the drawn catchment ⇔ walking distance ≤ radius, except for
    points within one grid spacing (20 m) of its outline (the outline is interpolated between grid
    points, also across the lines where the nearest street changes and the distance jumps)."""
    import shapely

    areas, res, pop = _layers(PEOPLE)
    cov = chiikimap.analyze(
        areas, res, pop, network=_town(), radius_m={KEY: radius}, metric_crs=CRS
    )
    geom = cov.catchments.to_crs(CRS).geometry.iloc[0]
    proj = N.project(_town(), pyproj.CRS(CRS))
    rng = np.random.default_rng(18)
    pts = np.column_stack([rng.uniform(-100, 1100, 3000), rng.uniform(-100, 700, 3000)])
    d = N.network_distance(proj, N.snap(proj, np.array([[0.0, -10.0]])), N.snap(proj, pts))
    inside = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
    wrong = inside != (d <= radius)
    assert wrong.mean() < 0.01
    if wrong.any():
        near = shapely.distance(geom.boundary, shapely.points(pts[wrong]))
        assert near.max() <= 20.0
