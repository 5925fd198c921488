"""Coverage of service categories per 第2層 area: :func:`analyze`.

The metric definitions (DESIGN.md, "Metrics") are the contract of this module; see :func:`analyze`.
The result type, :class:`~chiikimap.result.Coverage`, lives in :mod:`chiikimap.result` and is
re-exported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import _apportion, _assign, _distance, _identity
from . import _schema as S
from ._errors import ChiikimapWarning, CRSError, ParameterError
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


def analyze(  # noqa: C901, PLR0913  (keyword-only options are the documented API; the stage split is under way)
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
        CRS in which distances and areas are measured; default the JGD2011 UTM zone of the areas
        (EPSG:6688–6692).
    sources
        Extra :class:`Source` entries to credit, besides those the readers recorded.
    rules
        Deprecated name of ``taxonomy`` (a :class:`DeprecationWarning` says so).

    Returns
    -------
    Coverage
        ``table`` has one row per area × category (areas in input order, categories in taxonomy
        order) with the columns of ``chiikimap._schema.TABLE_COLUMNS``.

    Notes
    -----
    For area *a*, category *c*, radius *r_c* and weight *w* (DESIGN.md, "Metrics"):

    - ``n_resources``: resources of *c* whose point lies in *a* (tested in the CRS of
      ``areas``, where the polygon edges are defined). A point on a border shared by several
      areas (or in an overlap) belongs to the area with the smallest ``area_id`` in string
      order. Resources in no area are in ``Coverage.unassigned``.
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
    S.validate_areas(areas)
    S.validate_resources(resources)
    radius_map = _rule_map(radius_m, tax, "radius_m")
    target_map = _rule_map(target, tax, "target")
    if isinstance(categories, str):  # one key, not its letters
        categories = [categories]
    named = [*tax.check_keys(categories or (), param="categories"), *_named_keys(radius_m)]
    named += _named_keys(target)
    if len(resources) == 0 and not named:
        raise S.SchemaError(
            "resources が空です (0 件)。資源の読み込み結果を確認するか、categories=[...] で確認したい"
            "種別を指定してください / resources is empty (0 rows); check the reader's rejected rows "
            "or name the categories to check with categories=[...]"
        )
    tax_used = tax.with_rules(radius_m=radius_map, target=target_map)

    basis: Literal["population", "area"] = "population"
    if population is None and weight not in (None, "area"):
        raise S.SchemaError(
            f"weight={weight!r} には人口データが必要です。population= を渡すか、面積基準なら "
            f"weight='area' にしてください / weight={weight!r} needs population=...; pass the "
            "population layer, or weight='area' for a land-area basis"
        )
    if population is None or weight == "area":
        basis, weight = "area", "area"
    else:
        weight = weight or "pop_65plus"
        _check_population(population, weight)

    res_keys = _resource_keys(resources, tax_used)
    # outside elderly care (障害福祉, 障害児・児童, 医療, 学校) only when named
    present = {k for keys in res_keys for k in keys if tax_used.in_overview(k)} | set(named)
    cat_keys = tuple(k for k in tax_used.keys if k in present)

    mcrs = pyproj.CRS(metric_crs) if metric_crs is not None else S.metric_crs_for(areas)
    if not mcrs.is_projected or any(
        ax.unit_name not in ("metre", "meter") for ax in mcrs.axis_info
    ):
        raise CRSError(
            f"metric_crs={mcrs.to_string()!r} はメートル単位の投影座標系ではありません。距離は度で"
            "測れません。省略するか EPSG:6690 (JGD2011 / UTM 53N) などを指定してください / "
            f"metric_crs {mcrs.to_string()!r} is not a projected CRS in metres; distances are never "
            "measured in degrees; omit it or pass e.g. 'EPSG:6690'"
        )
    # points are placed in areas in the areas' own CRS (no polygon is reprojected for that);
    # distances and land areas are measured in the metric CRS
    own_geoms = np.asarray(areas.geometry.array, dtype=object)
    own_crs = pyproj.CRS(areas.crs)
    area_ids = areas[S.AREA_ID].astype(str).to_numpy()
    rank = np.empty(len(area_ids), dtype=np.intp)
    rank[np.argsort(area_ids, kind="stable")] = np.arange(len(area_ids))
    n_areas = len(area_ids)

    res_xy = _point_xy(resources.geometry, mcrs)
    res_area = _assign.assign_points(_point_xy(resources.geometry, own_crs), own_geoms, rank)

    area_geoms = own_geoms
    pieces: _Pieces | None = None
    weight_outside = 0.0
    if basis == "area":
        area_geoms = np.asarray(areas.geometry.to_crs(mcrs).array, dtype=object)
        w_xy, w, w_area = _area_points(area_geoms)
        from_point = np.zeros(len(w), dtype=bool)
    else:
        assert population is not None
        w_xy, w, w_area, from_point, pieces = _population_points(
            population, areas, own_geoms, own_crs, rank, mcrs, weight
        )
        weight_outside = float(w[w_area < 0].sum())
    # keep the weight inside the areas, grouped by area: nearby points are queried together
    inside = np.flatnonzero(w_area >= 0)
    inside = inside[np.argsort(w_area[inside], kind="stable")]
    w_xy, w, w_area, from_point = w_xy[inside], w[inside], w_area[inside], from_point[inside]
    area_weight = np.bincount(w_area, weights=w, minlength=n_areas)
    if weight_outside > 0:
        total = weight_outside + float(area_weight.sum())
        warnings.warn(
            f"{WEIGHT_LABELS.get(weight, weight)} のうち {weight_outside:,.0f}"
            f"（{weight_outside / total:.1%}）はどの圏域にも入らないため、どの圏域にも数えていません"
            f"（Coverage.info.weight_outside） / {weight_outside:,.0f} of {weight} "
            f"({weight_outside / total:.1%}) lies outside every area and is counted in none "
            "(Coverage.info.weight_outside)",
            ChiikimapWarning,
            stacklevel=2,
        )
    if basis == "population" and not area_weight.sum() > 0:
        raise S.SchemaError(
            f"圏域内の {weight} の合計が 0 です。人口データの範囲・列・CRS を確認してください / "
            f"the total of {weight} inside the areas is 0; check that the population layer covers "
            "the areas, its column and its CRS"
        )
    empty = ~(area_weight > 0)
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} 圏域は {WEIGHT_LABELS.get(weight, weight)} が 0 のため判定「対象なし」"
            f"(empty) です / {int(empty.sum())} areas have weight 0 and get status 'empty': "
            f"{', '.join(area_ids[empty][:10])}",
            ChiikimapWarning,
            stacklevel=2,
        )

    capacity = _identity.capacity_by_category(resources, cat_keys)  # per category (issue 9)
    # one (resource position, category code) pair per category of each resource
    cat_code = {k: i for i, k in enumerate(tax_used.keys)}
    key_pos = np.repeat(np.arange(len(res_keys)), [len(ks) for ks in res_keys])
    key_code = np.fromiter(
        (cat_code[k] for ks in res_keys for k in ks), dtype=np.intp, count=len(key_pos)
    )
    rows = []
    for key in cat_keys:
        cat = tax_used[key]
        has = np.zeros(len(resources), dtype=bool)
        has[key_pos[key_code == cat_code[key]]] = True
        in_area = has & (res_area >= 0)
        n_res = np.bincount(res_area[in_area], minlength=n_areas)
        cap = capacity[key][in_area]
        known = np.isfinite(cap)
        cap_sum = np.bincount(res_area[in_area][known], weights=cap[known], minlength=n_areas)
        cap_n = np.bincount(res_area[in_area][known], minlength=n_areas)
        covered: np.ndarray
        if has.any():
            d = _distance.nearest_distance(res_xy[has], w_xy)
            if basis == "area":
                covered = _distance.covered_area(area_geoms, res_xy[has], cat.radius_m)
            else:
                reach = from_point & (d <= cat.radius_m + _distance.RADIUS_TOL_M)
                covered = np.bincount(w_area[reach], weights=w[reach], minlength=n_areas)
                if pieces is not None:
                    covered = covered + pieces.covered(res_xy[has], cat.radius_m, n_areas)
            nearest = _distance.lower_weighted_median(d, w, w_area, n_areas)
        else:
            covered = np.zeros(n_areas)
            nearest = np.full(n_areas, np.nan)
        covered = np.minimum(covered, area_weight)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = np.where(empty, np.nan, np.clip(covered / area_weight, 0.0, 1.0))
            per = np.where(empty | (basis == "area"), np.nan, n_res / area_weight * 1000.0)
        status = np.where(
            empty,
            S.STATUS_EMPTY,
            np.where(
                covered <= 0, S.STATUS_NONE, np.where(cov < cat.target, S.STATUS_GAP, S.STATUS_OK)
            ),
        )
        rows.append(
            pd.DataFrame(
                {
                    S.AREA_ID: areas[S.AREA_ID].to_numpy(),
                    S.AREA_NAME: areas[S.AREA_NAME].to_numpy(),
                    S.CATEGORY: key,
                    S.CATEGORY_LABEL: cat.label,
                    S.N_RESOURCES: n_res.astype(np.int64),
                    S.CAPACITY: np.where(cap_n > 0, cap_sum, np.nan),
                    S.WEIGHT: area_weight,
                    S.PER_1000: per,
                    S.COVERED: covered,
                    S.COVERAGE: cov,
                    S.UNCOVERED: area_weight - covered,
                    S.NEAREST_M: np.where(empty, np.nan, nearest),
                    S.STATUS: status,
                    "_order": np.arange(n_areas),
                }
            )
        )
    if rows:
        table = pd.concat(rows, ignore_index=True)
        table = table.sort_values("_order", kind="stable").drop(columns="_order")
        table = table.reset_index(drop=True)[list(S.TABLE_COLUMNS)]
    else:  # pragma: no cover - unreachable: resources or named categories exist
        table = pd.DataFrame(columns=list(S.TABLE_COLUMNS))

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
            stacklevel=2,
        )
    info = RunInfo(
        basis=basis,
        weight=weight,
        weight_label=WEIGHT_LABELS.get(weight, weight),
        rules={
            k: {"radius_m": float(tax_used[k].radius_m), "target": float(tax_used[k].target)}
            for k in cat_keys
        },
        categories=cat_keys,
        storage_crs=S.STORAGE_CRS,
        metric_crs=mcrs.to_string(),
        sources=tuple(dict.fromkeys([*S.sources_of(areas, resources, population), *sources])),
        taxonomy=tax_used.name,
        version=_version(),
        created=date.today().isoformat(),
        weight_inside=float(area_weight.sum()),
        weight_outside=weight_outside,
    )
    return Coverage(
        table=table,
        areas=areas_out,
        resources=res_out,
        population=population,
        unassigned=unassigned,
        rejected=_rejected(areas, resources, population),
        info=info,
        taxonomy=tax_used,
    )


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
        raise S.SchemaError(
            f"population に重みの列 {weight!r} がありません。使える値: {[*numeric, 'area']} / "
            f"population has no weight column {weight!r}; pass weight= one of "
            f"{[*numeric, 'area']}"
        )
    S.validate_population(population, weight)
    if len(population) == 0:
        raise S.SchemaError(
            "population が空です (0 行) / population is empty (0 rows); pass population=None to "
            "weight by land area"
        )
    values = pd.to_numeric(population[weight], errors="coerce")
    if len(values) and values.isna().all():
        usable = [c for c in numeric if pd.to_numeric(population[c], errors="coerce").notna().any()]
        raise S.SchemaError(
            f"population の {weight} はすべて空 (NaN) です（このデータには {weight} がありません）。"
            f"値のある列: {usable} — weight= で選んでください / population column {weight!r} has "
            f"no values; columns with values: {usable}; pass e.g. weight={(usable or ['area'])[0]!r}"
        )
    if (values < 0).any():
        raise S.SchemaError(
            f"population の {weight} に負の値があります (行 {list(values.index[values < 0][:5])}) / "
            f"negative values in population column {weight!r}"
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


def _area_points(area_geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = float(shapely.area(area_geoms).sum())
    spacing = max(AREA_SPACING_M, float(np.sqrt(total / AREA_MAX_POINTS)))
    return _distance.area_lattice(area_geoms, spacing_m=spacing)


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


def _population_points(
    population: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    own_geoms: np.ndarray,
    own_crs: pyproj.CRS,
    rank: np.ndarray,
    mcrs: pyproj.CRS,
    weight: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, _Pieces | None]:
    """Weighted points (x, y, weight, area position, from a point?) and the polygon pieces.

    Point population passes through. Polygons are cut by the areas; their pieces give the exact
    covered weight (people spread evenly within a piece), and a lattice of points inside each
    piece (:func:`chiikimap._apportion.weight_points`, 100 m) gives the distances for
    ``nearest_m``. Both preserve every piece's weight exactly.
    """
    values = pd.to_numeric(population[weight], errors="coerce").to_numpy(dtype=float)
    n_nan = int(np.isnan(values).sum())
    if n_nan:
        warnings.warn(
            f"population の {weight} が空の行 {n_nan} 件は 0 人として扱います / {n_nan} population "
            f"rows have no {weight} value and count as 0",
            ChiikimapWarning,
            stacklevel=3,
        )
    is_point = (population.geom_type == "Point").to_numpy()
    parts_xy, parts_w, parts_a, parts_p = [], [], [], []
    pieces = None
    if is_point.any():
        pts = population[is_point]
        parts_xy.append(_point_xy(pts.geometry, mcrs))
        parts_w.append(np.nan_to_num(values[is_point]))
        parts_a.append(_assign.assign_points(_point_xy(pts.geometry, own_crs), own_geoms, rank))
        parts_p.append(np.ones(int(is_point.sum()), dtype=bool))
    if (~is_point).any():
        polys = population[~is_point]
        xy, w, a = _apportion.weight_points(polys, areas, metric_crs=mcrs, weight=weight)
        parts_xy.append(np.asarray(xy, dtype=float).reshape(-1, 2))
        parts_w.append(np.nan_to_num(np.asarray(w, dtype=float)))
        parts_a.append(np.asarray(a, dtype=np.intp))
        parts_p.append(np.zeros(len(parts_w[-1]), dtype=bool))
        cut = _apportion.apportion(polys, areas, metric_crs=mcrs, columns=(weight,))
        position = {aid: i for i, aid in enumerate(areas[S.AREA_ID].to_numpy())}
        ids = cut[S.AREA_ID].to_numpy(dtype=object)
        keep = np.array([aid is not None and aid in position for aid in ids], dtype=bool)
        pieces = _Pieces(
            geoms=np.asarray(cut.geometry.array, dtype=object)[keep],
            weight=np.nan_to_num(pd.to_numeric(cut[weight], errors="coerce").to_numpy(float))[keep],
            area=np.array([position[aid] for aid in ids[keep]], dtype=np.intp),
        )
    return (
        np.concatenate(parts_xy),
        np.concatenate(parts_w),
        np.concatenate(parts_a),
        np.concatenate(parts_p),
        pieces,
    )


def _point_xy(points: gpd.GeoSeries, crs: pyproj.CRS) -> np.ndarray:
    """Coordinates of points in ``crs`` as an ``(n, 2)`` array (no geometry objects built)."""
    xy = shapely.get_coordinates(points.array)
    if len(xy) != len(points):
        raise S.SchemaError(
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
