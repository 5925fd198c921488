"""Coverage of service categories per 第2層 area: :func:`analyze`.

The metric definitions (DESIGN.md, "Metrics") are the contract of this module; see :func:`analyze`.
The result type, :class:`~chiikimap.result.Coverage`, lives in :mod:`chiikimap.result` and is
re-exported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import _apportion, _assign, _catchment, _distance, _identity, _metrics, _network, _zones
from . import _schema as S
from . import needs as _needs
from ._errors import ChiikimapWarning, ParameterError, SchemaError
from ._schema import Source
from .result import Coverage, RunInfo
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["Coverage", "RunInfo", "analyze"]

Weight = Literal["pop_65plus", "pop_75plus", "pop_total", "area"]


#: Japanese labels of the weights, quoted in legends and table headers.
WEIGHT_LABELS = {
    S.POP_65PLUS: "65歳以上人口",
    S.POP_75PLUS: "75歳以上人口",
    S.POP_TOTAL: "総人口",
    "area": "面積(m²)",
}

#: Side of the lattice cells that carry land area when the basis is ``"area"`` (metres).
AREA_SPACING_M = 25.0
#: Upper bound on the number of land-area sample points; larger extents get a coarser lattice.
AREA_MAX_POINTS = 2_000_000


def analyze(  # noqa: PLR0913  (keyword-only options are the documented API)
    areas: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | None = None,
    *,
    weight: Weight | str | None = None,
    radius_m: float | Mapping[str, float] | None = None,
    target: float | Mapping[str, float] | None = None,
    categories: str | Sequence[str] | None = None,
    taxonomy: Taxonomy | None = None,
    metric_crs: Any = None,
    sources: Sequence[Source] = (),
    rules: Taxonomy | None = None,
    network: _network.Network | None = None,
    indicators: pd.DataFrame | None = None,
) -> Coverage:
    """Compute coverage per 第2層 area and service category.

    Parameters
    ----------
    areas
        The ``areas`` layer (``area_id``, ``area_name``, polygons) in any CRS.
    resources
        The ``resources`` layer (points). A resource counts for each key in its ``categories``
        tuple (``category`` when ``categories`` is empty).
    population
        The ``population`` layer (points, or polygons that are spread over the areas by area
        share), or ``None``: then the weight is land area (``basis="area"``).
    weight
        Population column to weight by (``"pop_65plus"``, ``"pop_75plus"``, ``"pop_total"`` or any
        numeric column of ``population``) or ``"area"`` for land area in m². Default: ``"pop_65plus"``
        when ``population`` is given, ``"area"`` otherwise. Naming a population column without
        ``population`` is an error (it would silently become an area-based result).
    radius_m
        Straight-line radius in metres within which a resource reaches a person: one number for
        every category or ``{category key: metres}``; categories not named keep their taxonomy
        default.
    target
        Coverage share (0–1) below which the status is ``gap``; a number or a mapping, as
        ``radius_m``.
    categories
        Category keys to show even when no resource has them (status ``none`` — the "missing
        service" signal); a single string is one key. Keys of ``radius_m``/``target`` mappings
        are named too. Categories outside elderly care (the 障害福祉, 障害児・児童, 医療 and 学校
        groups of the taxonomy, :meth:`Taxonomy.in_overview` false) are shown only when named here.
    taxonomy
        The taxonomy giving labels, default radii and targets (default: the bundled one), as
        ``taxonomy=`` of :func:`read_resources`.
    metric_crs
        CRS in which distances and areas are measured. Default: each area in the UTM zone of its
        own centre (JGD2011, EPSG:6688–6692), so that areas far apart (与那国 and 根室 in one run)
        are each measured within 0.1 % of ground distance; ``Coverage.info.metric_crs_by_area``
        records the zones when there is more than one. A CRS given here is used for every area;
        it must be projected in metres with a scale error of at most 0.3 % over the areas
        (Web Mercator, EPSG:3857, is refused with a :class:`~chiikimap.ParameterError`).
    sources
        Extra :class:`Source` entries to credit, besides those the readers recorded.
    rules
        Deprecated name of ``taxonomy`` (a :class:`DeprecationWarning` says so).
    network
        A street network (:func:`chiikimap.read_network`): every distance (``covered``,
        ``nearest_m``) is then measured on foot along it (道のり) instead of in a straight line
        (直線); see Notes. Its source is credited by every output.
    indicators
        A table of indicators per area (:func:`chiikimap.read_indicators`), joined to the areas
        by ``area_id`` or normalised ``area_name`` (unmatched rows and areas are named in a
        warning). Each indicator becomes a column of ``table``; a share (ニーズ調査 risk share)
        also gives ``<indicator>_at_risk`` = ``weight`` × share and
        ``<indicator>_at_risk_uncovered`` = ``uncovered`` × share — the share is assumed uniform
        within the area. ``Coverage.indicators`` keeps the table per area and
        :meth:`Coverage.priorities` ranks the areas.

    Returns
    -------
    Coverage
        ``table`` has one row per area × category (areas in input order, categories in taxonomy
        order) with the columns of ``chiikimap._schema.TABLE_COLUMNS`` and ``n_approx`` after
        ``n_resources``.

    Notes
    -----
    For area *a*, category *c*, radius *r_c* and weight *w* (DESIGN.md, "Metrics"):

    - ``n_resources``: resources of *c* whose point lies in *a* (tested in the CRS of
      ``areas``, where the polygon edges are defined). A point on a border shared by several
      areas (or in an overlap) belongs to the area with the smallest ``area_id`` in string
      order. Resources in no area are in ``Coverage.unassigned``.
    - ``n_approx``: of those, the resources placed only at a town's representative point
      (``geocode_level`` 町丁目 or 大字, from ``read_resources(geocode=...)``): their distances,
      hence ``covered`` and ``nearest_m``, are rough figures — a town point can lie several
      hundred metres from the building. 0 when no resource was geocoded.
    - ``capacity``: sum of their known capacities for *c* (a resource's ``capacities`` entry of
      *c*, else its ``capacity``); NaN when none is known.
    - ``weight``: population of *a* (sum of the population points in *a*, border points by the
      same rule; polygons apportioned by area share) or its land area in m².
    - ``per_1000``: ``n_resources / weight × 1000``; NaN on the area basis or when weight is 0.
    - ``covered``: weight of *a* whose straight-line distance in the metric CRS to the nearest
      resource of *c* — in any area or in none — is ≤ *r_c* (inclusive; distances within
      1 µm of the radius count, absorbing reprojection round-off).
    - ``coverage``: ``covered / weight`` in [0, 1]; 0 when no resource of *c* exists.
    - ``uncovered``: ``weight − covered``.
    - ``nearest_m``: lower weighted median of the distance to the nearest resource of *c* over
      the weight of *a*: with distances sorted ascending, the smallest ``d_k`` whose cumulative
      weight reaches half the area's weight. NaN when no resource of *c* exists or weight is 0.
    - ``status``: ``none`` when ``covered == 0`` (nobody in *a* reaches any *c*), ``gap`` when
      ``coverage < target_c``, else ``ok``. An area whose weight is 0 gets ``empty``
      (対象なし) with ``coverage``/``nearest_m``/``per_1000`` NaN, and a warning.

    Population points count where they lie. Population polygons (町丁, mesh) are cut by the
    areas and apportioned by area share; their ``covered`` weight is exact under the assumption
    that people are spread evenly within each piece: ``Σ weight(piece) × area(piece ∩ union of
    discs) / area(piece)``. Their ``nearest_m`` uses a 100 m lattice of points inside each piece.
    Population outside every area is counted in no area; its total is
    ``Coverage.info.weight_outside``, shown by every output, and a warning says how much.

    On the area basis ``weight`` is the polygon's land area and ``covered`` is
    ``area(polygon ∩ union of discs of radius r_c)``, each disc drawn with 256 segments, so it is
    below the true value by (2π/256)²/6 ≈ 0.010 % (relative). ``nearest_m`` on the area basis uses 25 m
    lattice cells (coarser when the areas would need more than 2 million cells) whose points
    carry the exact land area of their cell part: it is within about one cell of the exact
    median. (A pure 25 m lattice was measured at +0.96 % for a 400 m circle centred on a lattice
    node in a 1 km square, which is why ``covered`` does not use it.)

    With ``network=``, the distance from a person to a resource is the straight line from the
    person to the nearest point of the nearest street edge, plus the shortest path along the
    streets, plus the straight line from the street to the resource (:mod:`chiikimap._network`
    gives the rule; edges are undirected, weighted by their length in the metric CRS). One
    multi-source Dijkstra pass per category and zone gives every distance. Every weight is then
    measured at points: population points where they lie, population polygons at the 100 m
    lattice points of their pieces (each carrying its share of the weight), land area at the
    lattice cells of ``nearest_m``; ``covered`` is the weight of the points within the radius on
    foot. A point that no resource can reach along the network (a street piece connected to
    no resource of the category) has distance ``inf``; an area where such points hold at least
    half the weight gets ``nearest_m = inf`` (the karte writes 「到達不可」). The same run also
    measures every straight-line figure (``Coverage.straight_table``), so the karte shows
    直線 and 道のり side by side (:meth:`Coverage.compare_distance`), and the walking catchments
    the maps draw (``Coverage.catchments``).

    Layers may come in different CRSs; each is transformed to the metric CRS. A layer with no
    CRS is a :class:`~chiikimap.CRSError`.

    Examples
    --------
    People aged 75+ within 500 m of a community venue in the 高松市 sample:

    >>> import chiikimap
    >>> s = chiikimap.load_sample("takamatsu")
    >>> cov = chiikimap.analyze(s.areas, s.resources, s.population, weight="pop_75plus",
    ...                         radius_m={"kyoten": 500})
    >>> k = cov.summary().set_index("category").loc["kyoten"]
    >>> int(k["n_resources"]), round(float(k["coverage"]), 3), int(k["uncovered"])
    (52, 0.597, 29046)
    >>> cov.missing("太田中学校区（参考）")
    ['地域包括支援センター', '地域の拠点（公民館・コミュニティセンター・いこいの家）']
    """
    tax = _resolve_taxonomy(taxonomy, rules)
    run = _validate(areas, resources, population, weight, radius_m, target, categories, tax)
    zones = _zones.zones_for(areas, metric_crs)  # project: the metric CRS of each area
    placed = _assign_resources(areas, resources)
    layers, weight_outside = _weigh(run, zones, placed)
    area_weight = np.zeros(len(placed.area_ids))
    for layer in layers:
        area_weight += np.bincount(layer.area, weights=layer.w, minlength=len(area_weight))
    _warn_weights(run, area_weight, weight_outside, placed.area_ids)
    reach_m = max((run.taxonomy[k].radius_m for k in run.categories), default=0.0)
    nets = None
    if network is not None:
        nets = [_snap_layer(network, ly, reach_m, run.areas) for ly in layers]
    rows = [_measure(run, key, layers, placed, area_weight, nets) for key in run.categories]
    cov = _assemble(run, zones, placed, rows, area_weight, weight_outside, sources)
    if network is not None and nets is not None:
        # the straight-line figures of the same run, for the outputs' 直線 / 道のり columns
        line = [_measure(run, key, layers, placed, area_weight) for key in run.categories]
        straight = _table(line)
        cov = _with_network(cov, network, _catchments(run, layers, nets), straight)
    return cov if indicators is None else _needs.with_indicators(cov, indicators)


# --- stages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """What validation settled: the taxonomy with the run's rules, the basis and the categories."""

    taxonomy: Taxonomy
    basis: Literal["population", "area"]
    weight: str
    categories: tuple[str, ...]
    areas: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    population: gpd.GeoDataFrame | None
    key_pos: np.ndarray  # resource position of each (resource, category) pair
    key_code: np.ndarray  # category position (in taxonomy.keys) of each pair
    n_resources: int
    # category → each resource's capacity for it (NaN unknown)
    capacity: Mapping[str, np.ndarray] = field(default_factory=dict)

    def has_category(self, key: str) -> np.ndarray:
        """Boolean mask of the resources that count for category ``key``."""
        has = np.zeros(self.n_resources, dtype=bool)
        has[self.key_pos[self.key_code == self.taxonomy.keys.index(key)]] = True
        return has


def _validate(
    areas: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | None,
    weight: str | None,
    radius_m: float | Mapping[str, float] | None,
    target: float | Mapping[str, float] | None,
    categories: str | Sequence[str] | None,
    tax: Taxonomy,
) -> _Run:
    """Check the layers and options; settle the basis, weight, rules and categories."""
    S.validate_areas(areas)
    S.validate_resources(resources)
    radius_map = _rule_map(radius_m, tax, "radius_m")
    target_map = _rule_map(target, tax, "target")
    if isinstance(categories, str):  # one key, not its letters
        categories = [categories]
    named = [*tax.check_keys(categories or (), param="categories"), *_named_keys(radius_m)]
    named += _named_keys(target)
    if len(resources) == 0 and not named:
        raise SchemaError(
            "resources が空です (0 件)。資源の読み込み結果を確認するか、categories=[...] で確認したい"
            "種別を指定してください / resources is empty (0 rows); check the reader's rejected rows "
            "or name the categories to check with categories=[...]"
        )
    tax_used = tax.with_rules(radius_m=radius_map, target=target_map)
    basis, weight = _basis(population, weight)
    res_keys = _resource_keys(resources, tax_used)
    # outside elderly care (障害福祉, 障害児・児童, 医療, 学校) only when named
    present = {k for keys in res_keys for k in keys if tax_used.in_overview(k)} | set(named)
    # one (resource position, category code) pair per category of each resource
    cat_code = {k: i for i, k in enumerate(tax_used.keys)}
    key_pos = np.repeat(np.arange(len(res_keys)), [len(ks) for ks in res_keys])
    key_code = np.fromiter(
        (cat_code[k] for ks in res_keys for k in ks), dtype=np.intp, count=len(key_pos)
    )
    cat_keys = tuple(k for k in tax_used.keys if k in present)
    if not cat_keys and res_keys:
        _warn_nothing_measured(tax_used, res_keys)
    return _Run(
        taxonomy=tax_used,
        basis=basis,
        weight=weight,
        categories=cat_keys,
        areas=areas,
        resources=resources,
        population=population,
        key_pos=key_pos,
        key_code=key_code,
        n_resources=len(resources),
        capacity=_identity.capacity_by_category(resources, cat_keys),
    )


def _warn_nothing_measured(tax: Taxonomy, res_keys: Sequence[Sequence[str]]) -> None:
    """Warn that every resource has only categories shown when named (医療, 障害福祉 …)."""
    counts: dict[str, int] = {}
    for keys in res_keys:
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    if not counts:  # resources without any category: reported by the readers
        return
    keys = [k for k in tax.keys if k in counts]
    found = "・".join(f"{tax.label(k)} {counts[k]} 件" for k in keys)
    domains = "・".join(dict.fromkeys(tax.domain(k).label for k in keys))
    listed = ", ".join(f'"{k}"' for k in keys)
    checks = " ".join(f"--check {k}" for k in keys)
    warnings.warn(
        f"資源の種別（{found}）はどれも{domains}の種別で、指定したときだけ集計します。このままでは"
        f"集計する種別が 0 になり、地図と表は空です。集計する種別を指定してください: "
        f"categories=[{listed}]（コマンドでは {checks}、レシピでは [analysis] の categories = "
        f"[{listed}]） / every resource's category ({', '.join(keys)}) is outside elderly care "
        f"and measured only when named: no category is measured and the maps and tables are "
        f"empty; name them with categories=[{listed}] (command: {checks}; recipe: [analysis] "
        "categories)",
        ChiikimapWarning,
        stacklevel=4,
    )


def _basis(
    population: gpd.GeoDataFrame | None, weight: str | None
) -> tuple[Literal["population", "area"], str]:
    """``("area", "area")`` without population (or for ``weight="area"``), else the column."""
    if population is None and weight not in (None, "area"):
        raise SchemaError(
            f"weight={weight!r} には人口データが必要です。population= を渡すか、面積基準なら "
            f"weight='area' にしてください / weight={weight!r} needs population=...; pass the "
            "population layer, or weight='area' for a land-area basis",
            param=("population", "weight"),
        )
    if population is None or weight == "area":
        return "area", "area"
    weight = weight or "pop_65plus"
    _check_population(population, weight)
    return "population", weight


@dataclass(frozen=True)
class _Placed:
    """Resources placed in areas, in the areas' own CRS (no polygon is reprojected for that)."""

    own_geoms: np.ndarray
    own_crs: pyproj.CRS
    area_ids: np.ndarray  # area_id as str, in input order
    rank: np.ndarray  # position of each area in area_id string order (the border rule)
    res_area: np.ndarray  # area position of each resource, -1 for none


def _assign_resources(areas: gpd.GeoDataFrame, resources: gpd.GeoDataFrame) -> _Placed:
    own_geoms = np.asarray(areas.geometry.array, dtype=object)
    own_crs = pyproj.CRS(areas.crs)
    area_ids = areas[S.AREA_ID].astype(str).to_numpy()
    rank = np.empty(len(area_ids), dtype=np.intp)
    rank[np.argsort(area_ids, kind="stable")] = np.arange(len(area_ids))
    res_area = _assign.assign_points(_point_xy(resources.geometry, own_crs), own_geoms, rank)
    return _Placed(own_geoms, own_crs, area_ids, rank, res_area)


@dataclass(frozen=True)
class _Layer:
    """The weight of the areas of one zone, measured in the zone's metric CRS.

    Weight points lie inside the zone's areas and are grouped by area (nearby points are queried
    together); ``area`` holds positions among all areas.
    """

    zone: _zones.Zone
    res_xy: np.ndarray  # every resource, in the zone's CRS
    xy: np.ndarray
    w: np.ndarray
    area: np.ndarray
    from_point: np.ndarray  # weight of a population point (else a polygon or land-area lattice)
    pieces: _Pieces | None = None
    area_geoms: np.ndarray | None = None  # the zone's areas in its CRS (land-area basis)


def _weigh(run: _Run, zones: list[_zones.Zone], placed: _Placed) -> tuple[list[_Layer], float]:
    """Weight points of every zone and the population weight lying outside every area."""
    res_xy = [_point_xy(run.resources.geometry, zone.crs) for zone in zones]
    if run.basis == "area":
        return _land_layers(run.areas, zones, res_xy), 0.0
    assert run.population is not None
    return _population_layers(run, zones, res_xy, placed)


def _land_layers(
    areas: gpd.GeoDataFrame, zones: list[_zones.Zone], res_xy: list[np.ndarray]
) -> list[_Layer]:
    """Land area as lattice points; one lattice spacing for the whole run."""
    geoms = [
        np.asarray(areas.geometry.iloc[zone.areas].to_crs(zone.crs).array, dtype=object)
        for zone in zones
    ]
    total = sum(float(shapely.area(g).sum()) for g in geoms)
    spacing = max(AREA_SPACING_M, float(np.sqrt(total / AREA_MAX_POINTS)))
    layers = []
    for zone, g, rxy in zip(zones, geoms, res_xy, strict=True):
        xy, w, local = _distance.area_lattice(g, spacing_m=spacing)
        layers.append(
            _grouped(zone, rxy, xy, w, zone.areas[local], np.zeros(len(w), bool), area_geoms=g)
        )
    return layers


def _grouped(
    zone: _zones.Zone,
    res_xy: np.ndarray,
    xy: np.ndarray,
    w: np.ndarray,
    area: np.ndarray,
    from_point: np.ndarray,
    **extra: Any,
) -> _Layer:
    """A layer of the weight points inside the areas, grouped by area."""
    inside = np.flatnonzero(area >= 0)
    inside = inside[np.argsort(area[inside], kind="stable")]
    return _Layer(zone, res_xy, xy[inside], w[inside], area[inside], from_point[inside], **extra)


def _warn_weights(
    run: _Run, area_weight: np.ndarray, weight_outside: float, area_ids: np.ndarray
) -> None:
    """Warn about weight outside every area and areas of weight 0; refuse a population of 0."""
    label = WEIGHT_LABELS.get(run.weight, run.weight)
    if weight_outside > 0:
        total = weight_outside + float(area_weight.sum())
        warnings.warn(
            f"{label} のうち {weight_outside:,.0f}"
            f"（{weight_outside / total:.1%}）はどの圏域にも入らないため、どの圏域にも数えていません"
            f"（Coverage.info.weight_outside） / {weight_outside:,.0f} of {run.weight} "
            f"({weight_outside / total:.1%}) lies outside every area and is counted in none "
            "(Coverage.info.weight_outside)",
            ChiikimapWarning,
            stacklevel=3,
        )
    if run.basis == "population" and not area_weight.sum() > 0:
        raise SchemaError(
            f"圏域内の {run.weight} の合計が 0 です。人口データの範囲・列・CRS を確認してください / "
            f"the total of {run.weight} inside the areas is 0; check that the population layer "
            "covers the areas, its column and its CRS"
        )
    empty = ~(area_weight > 0)
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} 圏域は {label} が 0 のため判定「対象なし」"
            f"(empty) です / {int(empty.sum())} areas have weight 0 and get status 'empty': "
            f"{', '.join(area_ids[empty][:10])}",
            ChiikimapWarning,
            stacklevel=3,
        )


def _cover_and_nearest(
    layers: list[_Layer], has: np.ndarray, radius_m: float, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Covered weight and weighted median nearest distance per area, zone by zone."""
    covered = np.zeros(n_areas)
    nearest = np.full(n_areas, np.nan)
    if not has.any():
        return covered, nearest
    for layer in layers:
        src = layer.res_xy[has]
        d = _distance.nearest_distance(src, layer.xy)
        if layer.area_geoms is not None:
            covered[layer.zone.areas] += _distance.covered_area(layer.area_geoms, src, radius_m)
        else:
            reach = layer.from_point & (d <= radius_m + _distance.RADIUS_TOL_M)
            covered += np.bincount(layer.area[reach], weights=layer.w[reach], minlength=n_areas)
            if layer.pieces is not None:
                covered += layer.pieces.covered(src, radius_m, n_areas)
        median = _distance.lower_weighted_median(d, layer.w, layer.area, n_areas)
        nearest[layer.zone.areas] = median[layer.zone.areas]
    return covered, nearest


@dataclass(frozen=True)
class _NetLayer:
    """The network in one zone's CRS, with the layer's points and every resource snapped."""

    proj: _network.Projected
    points: _network.Snapped
    resources: _network.Snapped
    grid: tuple[np.ndarray, np.ndarray]  # the catchment grid's xs, ys (:mod:`_catchment`)
    grid_points: _network.Snapped


def _snap_layer(
    network: _network.Network, layer: _Layer, reach_m: float, areas: gpd.GeoDataFrame
) -> _NetLayer:
    """Clip the network to the layer's points and the resources plus the largest radius; snap.

    Every path within the radius lies inside the clip, so ``covered`` is as on the whole network;
    a point more than the largest radius from every street may snap to another street than on the
    whole network (its ``nearest_m`` is then an upper bound). The catchment grid covers the
    zone's areas (and lies inside the clip too).
    """
    bounds = areas.geometry.iloc[layer.zone.areas].to_crs(layer.zone.crs).total_bounds
    xs, ys = _catchment.grid_points(tuple(float(b) for b in bounds))  # type: ignore[arg-type]
    xy = np.vstack([layer.xy, layer.res_xy, [[xs[0], ys[0]], [xs[-1], ys[-1]]]])
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    proj = _network.project(
        network, layer.zone.crs, (x0 - reach_m, y0 - reach_m, x1 + reach_m, y1 + reach_m)
    )
    if len(proj.u) == 0:  # no street near anyone: snap to the whole network instead
        proj = _network.project(network, layer.zone.crs)
    gx, gy = np.meshgrid(xs, ys)
    grid = _network.snap(proj, np.column_stack([gx.ravel(), gy.ravel()]))
    snapped = _network.snap(proj, layer.xy), _network.snap(proj, layer.res_xy)
    return _NetLayer(proj, *snapped, (xs, ys), grid)


def _catchments(run: _Run, layers: list[_Layer], nets: list[_NetLayer]) -> gpd.GeoDataFrame:
    """Per category, the area reached on foot within its radius (:mod:`chiikimap._catchment`)."""
    rows: list[tuple[str, float, Any]] = []
    for key in run.categories:
        radius = float(run.taxonomy[key].radius_m)
        has = run.has_category(key)
        parts = []
        for layer, net in zip(layers, nets, strict=True) if has.any() else ():
            r = net.resources
            src = _network.Snapped(r.edge[has], r.t[has], r.off[has])
            node = _network.node_distance(net.proj, src, limit=radius)
            d = _network.query_distance(net.proj, node, src, net.grid_points)
            geom = _catchment.catchment_geometry(*net.grid, d, radius)
            if geom is not None:
                zone = gpd.GeoSeries([geom], crs=layer.zone.crs)
                parts.append(zone.to_crs(S.STORAGE_CRS).iloc[0])
        geom = shapely.union_all(parts) if parts else shapely.MultiPolygon()
        rows.append((key, radius, geom))
    return gpd.GeoDataFrame(
        {S.CATEGORY: [k for k, _, _ in rows], "radius_m": [r for _, r, _ in rows]},
        geometry=[g for _, _, g in rows],
        crs=S.STORAGE_CRS,
    )


def _network_cover_and_nearest(
    layers: list[_Layer], nets: list[_NetLayer], has: np.ndarray, radius_m: float, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Covered weight and weighted median walking distance per area: one pass per zone."""
    covered = np.zeros(n_areas)
    nearest = np.full(n_areas, np.nan)
    if not has.any():
        return covered, nearest
    for layer, net in zip(layers, nets, strict=True):
        r = net.resources
        src = _network.Snapped(r.edge[has], r.t[has], r.off[has])
        d = _network.network_distance(net.proj, src, net.points)
        reach = d <= radius_m + _distance.RADIUS_TOL_M
        covered += np.bincount(layer.area[reach], weights=layer.w[reach], minlength=n_areas)
        median = _distance.lower_weighted_median(d, layer.w, layer.area, n_areas)
        nearest[layer.zone.areas] = median[layer.zone.areas]
    return covered, nearest


def _with_network(
    cov: Coverage,
    network: _network.Network,
    catchments: gpd.GeoDataFrame,
    straight: pd.DataFrame,
) -> Coverage:
    """Record the distance mode and the network's source; keep the catchments and 直線 table."""
    src = network.source
    info = replace(
        cov.info,
        distance="network",
        network_source=network.path or (src.title if src else ""),
        network_date=src.date if src else "",
        sources=tuple(dict.fromkeys([*cov.info.sources, *([src] if src else [])])),
    )
    return replace(cov, info=info, catchments=catchments, straight_table=straight)


def _measure(
    run: _Run,
    key: str,
    layers: list[_Layer],
    placed: _Placed,
    area_weight: np.ndarray,
    nets: list[_NetLayer] | None = None,
) -> pd.DataFrame:
    """The table rows of category ``key``: cover, nearest, then the metrics and status."""
    cat = run.taxonomy[key]
    has = run.has_category(key)
    if nets is None:
        covered, nearest = _cover_and_nearest(layers, has, cat.radius_m, len(area_weight))
    else:
        covered, nearest = _network_cover_and_nearest(
            layers, nets, has, cat.radius_m, len(area_weight)
        )
    in_area = has & (placed.res_area >= 0)
    metrics = _metrics.category_metrics(
        placed.res_area[in_area],
        run.capacity[key][in_area],
        area_weight,
        covered,
        nearest,
        target=cat.target,
        basis=run.basis,
    )
    # of n_resources, those placed only at a town's point (geocoded at 町丁目/大字 level)
    approx = in_area & S.approximate(run.resources)
    n_approx = np.bincount(placed.res_area[approx], minlength=len(area_weight))
    columns: dict[str, Any] = {}
    for name, value in metrics.items():
        columns[name] = value
        if name == S.N_RESOURCES:
            columns[S.N_APPROX] = n_approx.astype(np.int64)
    return pd.DataFrame(
        {
            S.AREA_ID: run.areas[S.AREA_ID].to_numpy(),
            S.AREA_NAME: run.areas[S.AREA_NAME].to_numpy(),
            S.CATEGORY: key,
            S.CATEGORY_LABEL: cat.label,
            **columns,
            "_order": np.arange(len(area_weight)),
        }
    )


#: analyze's table: TABLE_COLUMNS with n_approx right after n_resources
_TABLE_OUT = tuple(
    c for col in S.TABLE_COLUMNS for c in ((col, S.N_APPROX) if col == S.N_RESOURCES else (col,))
)


def _assemble(
    run: _Run,
    zones: list[_zones.Zone],
    placed: _Placed,
    rows: list[pd.DataFrame],
    area_weight: np.ndarray,
    weight_outside: float,
    sources: Sequence[Source],
) -> Coverage:
    """The :class:`Coverage`: the table in area order, the layers in EPSG:6668, the run's info."""
    areas, resources, population = run.areas, run.resources, run.population
    table = _table(rows)
    res_area, area_ids = placed.res_area, placed.area_ids
    areas_out = S.ensure_crs(areas, what="areas").copy()
    res_out = S.ensure_crs(resources, what="resources").copy()
    res_out[S.AREA_ID] = pd.Series(
        np.where(res_area >= 0, area_ids[np.maximum(res_area, 0)], None),
        index=res_out.index,
        dtype=object,
    )
    unassigned = res_out[res_area < 0].copy()
    if len(resources) and 2 * len(unassigned) > len(resources):
        warnings.warn(
            f"資源 {len(resources)} 件のうち {len(unassigned)} 件がどの圏域にも入っていません。"
            "圏域と資源のファイル（市町村）や座標系の取り違えがないか確認してください"
            f"（Coverage.unassigned） / {len(unassigned)} of {len(resources)} resources lie in no "
            "area: check that the areas and resources are of the same place and CRS",
            ChiikimapWarning,
            stacklevel=3,
        )
    info = _run_info(run, zones, sources)
    info = replace(info, weight_inside=float(area_weight.sum()), weight_outside=weight_outside)
    return Coverage(
        table=table,
        areas=areas_out,
        resources=res_out,
        population=population,
        unassigned=unassigned,
        rejected=_rejected(areas, resources, population),
        info=info,
        taxonomy=run.taxonomy,
    )


def _table(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of every category as one table in area order, with the table's columns."""
    if not rows:  # pragma: no cover - unreachable: resources or named categories exist
        return pd.DataFrame(columns=list(_TABLE_OUT))
    table = pd.concat(rows, ignore_index=True)
    table = table.sort_values("_order", kind="stable").drop(columns="_order")
    return table.reset_index(drop=True)[list(_TABLE_OUT)]


def _run_info(run: _Run, zones: list[_zones.Zone], sources: Sequence[Source]) -> RunInfo:
    areas, tax = run.areas, run.taxonomy
    if len(zones) == 1:
        metric_crs, by_area = zones[0].name, {}
    else:
        metric_crs = S.metric_crs_for(areas).to_string()
        by_area = {
            str(placed_id): zone.name
            for zone in zones
            for placed_id in areas[S.AREA_ID].to_numpy()[zone.areas]
        }
    return RunInfo(
        basis=run.basis,
        weight=run.weight,
        weight_label=WEIGHT_LABELS.get(run.weight, run.weight),
        rules={
            k: {"radius_m": float(tax[k].radius_m), "target": float(tax[k].target)}
            for k in run.categories
        },
        categories=run.categories,
        storage_crs=S.STORAGE_CRS,
        metric_crs=metric_crs,
        metric_crs_by_area=by_area,
        sources=_layer_sources(areas, run.resources, run.population, sources),
        taxonomy=tax.name,
        version=_version(),
        created=date.today().isoformat(),
    )


def _layer_sources(
    areas: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | None,
    extra: Sequence[Source],
) -> tuple[Source, ...]:
    """Every source the readers recorded, tagged with its layer, then the extra ones."""
    tagged = [
        src if src.layer else replace(src, layer=layer)
        for layer, frame in (("areas", areas), ("resources", resources), ("population", population))
        for src in S.sources_of(frame)
    ]
    return tuple(dict.fromkeys([*tagged, *extra]))


# --- helpers --------------------------------------------------------------------------------------


def _named_keys(value: float | Mapping[str, float] | None) -> list[str]:
    return list(value) if isinstance(value, Mapping) else []


def _resolve_taxonomy(taxonomy: Taxonomy | None, rules: Taxonomy | None) -> Taxonomy:
    """``taxonomy``, or the deprecated ``rules`` with a warning, or the bundled taxonomy."""
    if rules is not None:
        if taxonomy is not None:
            raise ParameterError(
                "taxonomy= と rules= の両方が指定されています。taxonomy= だけを使ってください / "
                "both taxonomy= and its deprecated name rules= were given; pass taxonomy= only",
                param="rules",
            )
        warnings.warn(
            "analyze(rules=...) は taxonomy= に改名されました / analyze(rules=...) is renamed "
            "taxonomy=...; rules= will be removed",
            DeprecationWarning,
            stacklevel=3,
        )
        taxonomy = rules
    return taxonomy if taxonomy is not None else default_taxonomy()


def _rule_map(
    value: float | Mapping[str, float] | None, tax: Taxonomy, what: str
) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        v = _rule_value(value, what, None)
        return dict.fromkeys(tax.keys, v)
    tax.check_keys(value, param=what)
    return {str(k): _rule_value(v, what, str(k)) for k, v in value.items()}


def _rule_value(raw: object, what: str, key: str | None) -> float:
    """``raw`` as a valid radius (> 0 m) or target (0–1), else a :class:`ParameterError`."""
    try:
        v = float(raw)  # type: ignore[arg-type]  # anything float() takes; the rest is caught
    except (TypeError, ValueError):
        v = float("nan")
    if np.isfinite(v) and (v > 0 if what == "radius_m" else 0.0 <= v <= 1.0):
        return v
    need = "radius_m > 0 (メートル / metres)" if what == "radius_m" else "0 ≤ target ≤ 1"
    ja_key, en_key = (f" (種別 {key!r})", f" for {key!r}") if key else ("", " (all categories)")
    raise ParameterError(
        f"{what} の値 {raw!r}{ja_key} が不正です。数値で {need} にしてください / "
        f"invalid {what} {raw!r}{en_key}; need a number with {need}",
        param=what,
    )


def _check_population(population: gpd.GeoDataFrame, weight: str) -> None:
    if not isinstance(population, gpd.GeoDataFrame):
        S.validate_population(population)  # raises the schema's own message
    numeric = [
        c
        for c in population.columns
        if c != population.geometry.name and pd.api.types.is_numeric_dtype(population[c])
    ]
    if weight not in population.columns:
        raise SchemaError(
            f"population に重みの列 {weight!r} がありません。使える値: {[*numeric, 'area']} / "
            f"population has no weight column {weight!r}; pass weight= one of "
            f"{[*numeric, 'area']}",
            param="weight",
        )
    S.validate_population(population, weight)
    if len(population) == 0:
        raise SchemaError(
            "population が空です (0 行) / population is empty (0 rows); pass population=None to "
            "weight by land area",
            param="population",
        )
    values = pd.to_numeric(population[weight], errors="coerce")
    if len(values) and values.isna().all():
        usable = [c for c in numeric if pd.to_numeric(population[c], errors="coerce").notna().any()]
        raise SchemaError(
            f"population の {weight} はすべて空 (NaN) です（このデータには {weight} がありません）。"
            f"値のある列: {usable} — weight= で選んでください / population column {weight!r} has "
            f"no values; columns with values: {usable}; pass e.g. weight={(usable or ['area'])[0]!r}",
            param="weight",
        )
    if (values < 0).any():
        # read_population rejects negative counts with the file's row; a frame built by hand is
        # named by its index labels (not file rows)
        labels = [v.item() if hasattr(v, "item") else v for v in values.index[values < 0][:5]]
        raise SchemaError(
            f"population の {weight} に負の値があります（index {labels}）。人数は 0 以上にしてください / "
            f"negative values in population column {weight!r} at index labels {labels}"
        )


def _resource_keys(resources: gpd.GeoDataFrame, tax: Taxonomy) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    n_none = 0
    keys: tuple[str, ...]
    for cats, cat in zip(
        resources[S.CATEGORIES].tolist(), resources[S.CATEGORY].tolist(), strict=True
    ):
        if type(cats) is tuple and cats:  # the readers' form: the fast path
            keys = cats
        elif isinstance(cats, str):
            keys = (cats,)
        elif isinstance(cats, (tuple, list, np.ndarray)) and len(cats):
            keys = tuple(str(k) for k in cats)
        elif isinstance(cat, str) and cat:
            keys = (cat,)
        else:
            keys = ()
            n_none += 1
        out.append(keys)
    tax.check_keys({k for ks in out for k in ks})
    if n_none:
        warnings.warn(
            f"種別のない資源 {n_none} 件は集計に含めません / {n_none} resources have no category "
            "and are not counted",
            ChiikimapWarning,
            stacklevel=3,
        )
    return out


@dataclass(frozen=True)
class _Pieces:
    """Population polygons cut by the areas (metric CRS), for exact polygon coverage."""

    geoms: np.ndarray
    weight: np.ndarray
    area: np.ndarray  # position of the area (every piece here lies in one)

    def covered(self, sources_xy: np.ndarray, radius_m: float, n_areas: int) -> np.ndarray:
        """Weight within ``radius_m`` of a source per area, people spread evenly over a piece."""
        land = shapely.area(self.geoms)
        reached = _distance.covered_area(self.geoms, sources_xy, radius_m)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(land > 0, np.clip(reached / land, 0.0, 1.0), 0.0)
        return np.bincount(self.area, weights=self.weight * share, minlength=n_areas)


def _population_layers(
    run: _Run, zones: list[_zones.Zone], res_xy: list[np.ndarray], placed: _Placed
) -> tuple[list[_Layer], float]:
    """Population as weighted points per zone, and the weight that lies outside every area.

    Point population passes through, placed in the areas' own CRS. Polygons are cut by the areas
    of each zone in the zone's CRS; their pieces give the exact covered weight (people spread
    evenly within a piece), and a lattice of points inside each piece
    (:func:`chiikimap._apportion.weight_points`, 100 m) gives the distances for ``nearest_m``.
    Both preserve every piece's weight exactly. The weight outside is what no zone's areas hold.
    """
    population, weight = run.population, run.weight
    assert population is not None
    values = pd.to_numeric(population[weight], errors="coerce").to_numpy(dtype=float)
    n_nan = int(np.isnan(values).sum())
    if n_nan:
        warnings.warn(
            f"population の {weight} が空の行 {n_nan} 件は 0 人として扱います / {n_nan} population "
            f"rows have no {weight} value and count as 0",
            ChiikimapWarning,
            stacklevel=4,
        )
    values = np.nan_to_num(values)
    is_point = (population.geom_type == "Point").to_numpy()
    points, polys = population[is_point], population[~is_point]
    pt_area = _assign.assign_points(
        _point_xy(points.geometry, placed.own_crs), placed.own_geoms, placed.rank
    )
    outside = float(values[is_point][pt_area < 0].sum())
    inside_share = np.zeros(len(polys))
    layers = []
    for zone, rxy in zip(zones, res_xy, strict=True):
        sel = np.isin(pt_area, zone.areas)
        xy = [_point_xy(points.geometry[sel], zone.crs)]
        w, area = [values[is_point][sel]], [pt_area[sel]]
        pieces = None
        if len(polys):
            part = _polygon_part(polys, run.areas, zone, weight, placed if len(zones) > 1 else None)
            xy.append(part.xy)
            w.append(part.w)
            area.append(part.area)
            pieces = part.pieces
            inside_share += part.inside_share
        from_point = np.arange(sum(len(a) for a in area)) < int(sel.sum())
        layers.append(
            _grouped(
                zone,
                rxy,
                np.concatenate(xy).reshape(-1, 2),
                np.concatenate(w),
                np.concatenate(area),
                from_point,
                pieces=pieces,
            )
        )
    rest = 1.0 - inside_share
    rest = np.where(rest <= _POLYGON_EPS, 0.0, np.clip(rest, 0.0, 1.0))
    return layers, outside + float((values[~is_point] * rest).sum())


#: A polygon share outside every area below this is floating-point noise along shared borders
#: (the rule of :mod:`chiikimap._apportion`).
_POLYGON_EPS = 1e-9


@dataclass(frozen=True)
class _PolygonPart:
    """Population polygons inside one zone's areas: lattice points and exact pieces."""

    xy: np.ndarray
    w: np.ndarray
    area: np.ndarray  # positions among all areas, -1 outside the zone's areas
    pieces: _Pieces
    inside_share: np.ndarray  # per polygon row: its share inside the zone's areas


def _polygon_part(
    polys: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    zone: _zones.Zone,
    weight: str,
    placed: _Placed | None,
) -> _PolygonPart:
    """Cut the polygons by the zone's areas in its CRS (``placed`` given: only those nearby)."""
    rows = np.arange(len(polys))
    sub_areas = areas
    if placed is not None:  # several zones: the polygons whose box meets one of the zone's areas
        own = np.asarray(polys.geometry.to_crs(placed.own_crs).array, dtype=object)
        tree = shapely.STRtree(placed.own_geoms[zone.areas])
        rows = np.unique(tree.query(own)[0])
        sub_areas = areas.iloc[zone.areas]
    sub = polys.iloc[rows].reset_index(drop=True)
    xy, w, a = _apportion.weight_points(sub, sub_areas, metric_crs=zone.crs, weight=weight)
    cut = _apportion.apportion(sub, sub_areas, metric_crs=zone.crs, columns=(weight,))
    position = {aid: i for i, aid in enumerate(sub_areas[S.AREA_ID].to_numpy())}
    ids = cut[S.AREA_ID].to_numpy(dtype=object)
    keep = np.array([aid is not None and aid in position for aid in ids], dtype=bool)
    local = np.array([position[aid] for aid in ids[keep]], dtype=np.intp)
    share = np.zeros(len(polys))
    np.add.at(
        share,
        rows[cut[_apportion.SOURCE_INDEX].to_numpy(dtype=np.intp)[keep]],
        cut[_apportion.SHARE].to_numpy(dtype=float)[keep],
    )
    a = np.asarray(a, dtype=np.intp)
    return _PolygonPart(
        xy=np.asarray(xy, dtype=float).reshape(-1, 2),
        w=np.nan_to_num(np.asarray(w, dtype=float)),
        area=np.where(a >= 0, zone.areas[np.maximum(a, 0)], -1),
        pieces=_Pieces(
            geoms=np.asarray(cut.geometry.array, dtype=object)[keep],
            weight=np.nan_to_num(pd.to_numeric(cut[weight], errors="coerce").to_numpy(float))[keep],
            area=zone.areas[local],
        ),
        inside_share=share,
    )


def _point_xy(points: gpd.GeoSeries, crs: pyproj.CRS) -> np.ndarray:
    """Coordinates of points in ``crs`` as an ``(n, 2)`` array (no geometry objects built)."""
    xy: np.ndarray = shapely.get_coordinates(points.array)
    if len(xy) != len(points):
        raise SchemaError(
            f"空の Point が {len(points) - len(xy)} 件あります / {len(points) - len(xy)} empty "
            "points; drop or geocode them before analyze"
        )
    if pyproj.CRS(points.crs) == crs:
        return xy
    tr = pyproj.Transformer.from_crs(points.crs, crs, always_xy=True)
    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _rejected(*layers: pd.DataFrame | None) -> pd.DataFrame:
    frames = [
        r for layer in layers if layer is not None for r in [S.rejected_rows(layer)] if len(r)
    ]
    if not frames:
        return pd.DataFrame(columns=list(S.REJECTED_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _version() -> str:
    from ._version import version

    return version()
