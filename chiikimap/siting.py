"""資源開発: where a new place reaches the most people out of reach, and what each existing one protects.

:func:`suggest_sites` chooses up to ``k`` places among candidates (a 公民館・集会所 list read with
:func:`chiikimap.read_resources`, any points, or a generated lattice) that bring the most weight
newly within the radius of a category, given the resources that exist. :func:`closure_impact`
gives, for every existing resource of a category, the weight that only it reaches.

Both work on the weights of the :class:`~chiikimap.Coverage` they start from (rebuilt by
:func:`chiikimap._demand.demand_of`), so their figures agree with ``Coverage.table``:

- the **optimisation** counts weighted points: population points as they are, population
  polygons through the 100 m lattice points that :func:`chiikimap.analyze` also uses, land area
  through a lattice of cells of ``max(25 m, radius / 8)`` that carry their exact land area;
- the **reported** figures (``new_weight``, ``cumulative_weight``, the areas' coverage before and
  after) are exact by the table's rules: for each site in rank order, the weight of its newly
  covered zone — its disc minus the discs of the resources and of the sites ranked before it —
  with population polygons and land area counted by area share. Their sum equals the change of
  ``covered`` between ``before.table`` and ``after.table``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import _assign, _cover, _distance
from . import _schema as S
from ._demand import Demand, demand_of, discs
from ._errors import ChiikimapWarning, ParameterError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.figure import Figure

    from .result import Coverage

__all__ = ["SiteSuggestion", "closure_impact", "closure_map", "closure_to_excel", "suggest_sites"]

#: Column names of the ranked table.
RANK = "rank"
CANDIDATE_ID = "candidate_id"
NEW_WEIGHT = "new_weight"
CUMULATIVE_WEIGHT = "cumulative_weight"
COVERAGE_AFTER = "coverage_after"
LOST_WEIGHT = "lost_weight"
SOLE = "sole"

#: Japanese labels of the siting and closure columns (Excel headers, tooltips).
LABELS_JA = {
    RANK: "順位",
    S.NAME: "候補地",
    CANDIDATE_ID: "候補ID",
    S.AREA_ID: "圏域ID",
    S.AREA_NAME: "圏域",
    NEW_WEIGHT: "新たに届く人数",
    CUMULATIVE_WEIGHT: "累計",
    COVERAGE_AFTER: "開設後の圏域内カバー率",
    LOST_WEIGHT: "閉鎖で届かなくなる人数",
    SOLE: "唯一の資源",
}

#: Upper bound on the number of generated lattice candidates (the spacing grows to respect it).
LATTICE_MAX = 5_000

#: Basemaps of the interactive maps (:data:`chiikimap.maps.interactive.TILES`).
Tiles = Literal["gsi_pale", "gsi_std", "osm"]


@dataclass(eq=False)
class SiteSuggestion:
    """Result of :func:`suggest_sites`.

    Attributes
    ----------
    table
        One row per chosen site, best first: ``rank``, ``name``, ``candidate_id``, ``area_id``,
        ``area_name``, ``new_weight`` (weight it newly brings within reach, given the resources
        and the sites ranked before it), ``cumulative_weight``, ``coverage_after`` (the whole
        municipality's coverage once the sites up to this rank exist), ``lon``, ``lat``.
    areas
        One row per affected area (a site lies in it or its coverage changes): ``area_id``,
        ``area_name``, ``weight``, ``covered_before``, ``covered_after``, ``coverage_before``,
        ``coverage_after``, ``status_before``, ``status_after``, ``n_sites``.
    sites
        The chosen sites as points (EPSG:6668) with the table's columns.
    zones
        The newly covered zone of each site (its disc minus every disc before it, clipped to the
        areas), EPSG:6668, with ``rank``, ``name``, ``new_weight``.
    before, after
        The Coverage without and with the sites (``after`` is :func:`chiikimap.analyze` run on the
        same inputs plus the sites, so every output can show the plan).
    category, radius_m, method, k
        What was asked.
    optimal
        ``True`` when ``method="exact"`` proved the set optimal (always ``False`` for greedy).
    objective
        The weight the optimiser counted (on its weighted points).
    n_candidates
        Candidates considered (after the constraints).
    """

    table: pd.DataFrame
    areas: pd.DataFrame
    sites: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    before: Coverage
    after: Coverage
    category: str
    radius_m: float
    method: str
    k: int
    optimal: bool
    objective: float
    n_candidates: int

    def map(  # noqa: PLR0913  (gap_map's keyword-only options)
        self,
        *,
        tiles: Tiles | None = "gsi_pale",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        cluster: bool | None = None,
        max_zoom: int | None = None,
        simplify_m: float = 15.0,
        note_html: str | None = None,
        width: str = "100%",
        height: str = "100%",
        offline: bool = False,
    ) -> folium.Map:
        """Interactive map: the ``after`` gap map of the category, newly covered zones, sites.

        Parameters
        ----------
        tiles
            Basemap: ``"gsi_pale"`` (default), ``"gsi_std"``, ``"osm"`` or ``None``.
        lang
            ``"ja"`` (default) or ``"en"`` labels.
        title
            Title shown on the map (escaped); by default the gap map's.
        cluster
            Cluster resource markers; ``None`` clusters when there are more than 200.
        max_zoom
            Highest zoom level, an integer ≥ 1 (default 18).
        simplify_m
            Display simplification tolerance in metres, ≥ 0 (``0`` keeps every vertex).
        note_html
            Raw HTML under the title, **not escaped** — trusted input only.
        width, height
            CSS size of the map.
        offline
            Inline Leaflet when the map is displayed in a notebook.

        Returns
        -------
        folium.Map
            See :func:`chiikimap.maps.sites.site_map`; the options are those of
            :func:`chiikimap.maps.interactive.gap_map`, the category being the plan's.

        Raises
        ------
        chiikimap.ParameterError
            An option out of its range or not one of its choices (``param`` names it).
        """
        from .maps.sites import site_map

        _check_map_options(max_zoom, simplify_m)
        return site_map(
            self,
            tiles=tiles,
            lang=lang,
            title=title,
            cluster=cluster,
            max_zoom=max_zoom,
            simplify_m=simplify_m,
            note_html=note_html,
            width=width,
            height=height,
            offline=offline,
        )

    def save_html(  # noqa: PLR0913  (gap_map's keyword-only options, plus offline)
        self,
        path: str | PathLike[str],
        *,
        offline: bool = False,
        tiles: Tiles | None = "gsi_pale",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        cluster: bool | None = None,
        max_zoom: int | None = None,
        simplify_m: float = 15.0,
        note_html: str | None = None,
    ) -> None:
        """Write :meth:`map` to one HTML file (``offline=True``: works with no network).

        Parameters
        ----------
        path
            Output ``.html`` file (written to a temporary file, renamed when complete).
        offline
            Inline Leaflet (one self-contained file).
        tiles, lang, title, cluster, max_zoom, simplify_m, note_html
            As for :meth:`map`.

        Raises
        ------
        chiikimap.ParameterError
            An option out of its range or not one of its choices (``param`` names it).
        """
        from .maps.sites import save_site_html

        _check_map_options(max_zoom, simplify_m)
        save_site_html(
            self,
            path,
            offline=offline,
            tiles=tiles,
            lang=lang,
            title=title,
            cluster=cluster,
            max_zoom=max_zoom,
            simplify_m=simplify_m,
            note_html=note_html,
        )

    def static_map(
        self,
        *,
        paper: Literal["A4", "A3"] = "A3",
        orientation: Literal["landscape", "portrait"] = "landscape",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        resources: bool | Literal["auto"] = "auto",
    ) -> Figure:
        """Print map of the plan (the ``after`` print map with zones and numbered sites).

        Parameters
        ----------
        paper
            ``"A4"`` or ``"A3"`` (default).
        orientation
            ``"landscape"`` (default) or ``"portrait"``.
        lang
            ``"ja"`` (default) or ``"en"`` titles and legends.
        title
            Title text; by default 「<種別>の候補地 k か所（半径 m 圏）」.
        resources
            Resource symbols, as for :func:`chiikimap.maps.static.static_map`: ``"auto"``
            (the category's resources large), ``True`` or ``False``.

        Returns
        -------
        matplotlib.figure.Figure
            See :func:`chiikimap.maps.sites.site_static_map`.

        Raises
        ------
        chiikimap.ParameterError
            An option that is not one of its choices (checked by the print map; ``param``
            names it).
        """
        from .maps.sites import site_static_map

        titled = {} if title is None else {"title": title}
        return site_static_map(
            self, paper=paper, orientation=orientation, lang=lang, resources=resources, **titled
        )

    def save_static(
        self,
        path: str | PathLike[str],
        *,
        paper: Literal["A4", "A3"] = "A3",
        orientation: Literal["landscape", "portrait"] = "landscape",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        resources: bool | Literal["auto"] = "auto",
        dpi: int = 200,
    ) -> None:
        """Write :meth:`static_map` as PNG or PDF (by the suffix of ``path``), atomically.

        Parameters
        ----------
        path
            Output ``.png`` or ``.pdf`` file.
        paper, orientation, lang, title, resources
            As for :meth:`static_map`.
        dpi
            Resolution of a PNG, dots per inch (default 200).

        Raises
        ------
        chiikimap.ParameterError
            An option out of its range or not one of its choices (``param`` names it).
        """
        import matplotlib.pyplot as plt

        from ._atomic import atomic_path

        if isinstance(dpi, bool) or not isinstance(dpi, int) or not 1 <= dpi <= 1200:
            raise ParameterError(
                f"dpi は 1〜1200 の整数にしてください / dpi must be an integer 1–1200 (got {dpi!r})",
                param="dpi",
            )
        fig = self.static_map(
            paper=paper, orientation=orientation, lang=lang, title=title, resources=resources
        )
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=dpi)
        finally:
            plt.close(fig)

    def to_excel(self, path: str | PathLike[str]) -> None:
        """Write the ``after`` 圏域カルテ with the sheet 「候補地」 (sites and affected areas).

        Parameters
        ----------
        path
            Output ``.xlsx`` file.
        """
        from ._sites_excel import to_excel

        to_excel(self, path)

    def __repr__(self) -> str:
        total = float(self.table[NEW_WEIGHT].sum()) if len(self.table) else 0.0
        return (
            f"<SiteSuggestion: {self.before.taxonomy.label(self.category)} 候補 "
            f"{self.n_candidates} から {len(self.table)} か所 ({self.method}), 半径 "
            f"{self.radius_m:,.0f} m, 新たに届く {total:,.0f} ({self.before.info.weight_label})>"
        )


def _check_map_options(max_zoom: int | None, simplify_m: float) -> None:
    """Refuse a zoom or tolerance the map cannot use, naming the option (gap_map checks the rest)."""
    if max_zoom is not None and (
        isinstance(max_zoom, bool) or not isinstance(max_zoom, int) or max_zoom < 1
    ):
        raise ParameterError(
            f"max_zoom は 1 以上の整数にしてください / max_zoom must be an integer ≥ 1 "
            f"(got {max_zoom!r})",
            param="max_zoom",
        )
    if isinstance(simplify_m, bool) or not (
        isinstance(simplify_m, int | float) and 0 <= simplify_m < float("inf")
    ):
        raise ParameterError(
            f"simplify_m は 0 以上のメートルにしてください / simplify_m must be metres ≥ 0 "
            f"(got {simplify_m!r})",
            param="simplify_m",
        )


def _radius(cov: Coverage, category: str, radius_m: float | None) -> float:
    if cov.info.distance == "network":
        # siting measures reach by straight line: on a walking run its figures would not agree
        # with the table, so it is refused rather than mixed
        raise ParameterError(
            "候補地の選定と閉鎖の影響は直線距離で計算します。道のり (network=) の結果には使えません。"
            "network なしの analyze の結果で呼んでください / siting and closure impact measure "
            "straight-line reach: call them on a result of analyze without network=",
            param="cov",
        )
    if radius_m is not None:
        r = float(radius_m)
        if not np.isfinite(r) or r <= 0:
            raise ParameterError(
                f"radius_m は正の数 (メートル) です / radius_m must be > 0 metres; got {radius_m!r}",
                param="radius_m",
            )
        return r
    if category in cov.info.rules:
        return float(cov.info.rules[category]["radius_m"])
    return float(cov.taxonomy[category].radius_m)


def _has_category(resources: gpd.GeoDataFrame, category: str) -> np.ndarray:
    cats = resources[S.CATEGORIES].tolist() if S.CATEGORIES in resources else [()] * len(resources)
    main = resources[S.CATEGORY].tolist() if S.CATEGORY in resources else [None] * len(resources)
    out = np.zeros(len(resources), dtype=bool)
    for i, (ks, k) in enumerate(zip(cats, main, strict=True)):
        if isinstance(ks, (tuple, list, np.ndarray)) and len(ks):
            out[i] = category in tuple(ks)
        elif isinstance(ks, str) and ks:
            out[i] = ks == category
        else:
            out[i] = k == category
    return out


def _xy(layer: gpd.GeoDataFrame, crs: pyproj.CRS) -> np.ndarray:
    if len(layer) == 0:
        return np.zeros((0, 2))
    return np.asarray(
        shapely.get_coordinates(layer.geometry.to_crs(crs).array), dtype=float
    ).reshape(-1, 2)


def _area_positions(cov: Coverage, points: gpd.GeoDataFrame) -> np.ndarray:
    areas = cov.areas
    ids = areas[S.AREA_ID].astype(str).to_numpy()
    rank = np.empty(len(ids), dtype=np.intp)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    own = np.asarray(areas.geometry.array, dtype=object)
    xy = shapely.get_coordinates(points.geometry.to_crs(areas.crs).array).reshape(-1, 2)
    return _assign.assign_points(xy, own, rank)


def _existing(cov: Coverage, category: str) -> gpd.GeoDataFrame:
    res = cov.resources
    return res[_has_category(res, category)]


def _as_points(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(candidates, gpd.GeoDataFrame):
        raise ParameterError(
            "candidates は GeoDataFrame（read_resources の結果など）か None（格子点を生成）です / "
            f"candidates must be a GeoDataFrame (e.g. from read_resources) or None; got "
            f"{type(candidates).__name__}",
            param="candidates",
        )
    bad = candidates.geometry.isna() | candidates.geometry.is_empty
    if bad.any():
        raise ParameterError(
            f"candidates の {int(bad.sum())} 行に位置がありません (行 {list(np.flatnonzero(bad)[:10])}) "
            f"/ {int(bad.sum())} candidates have no geometry (rows "
            f"{list(np.flatnonzero(bad)[:10])}); geocode or drop them",
            param="candidates",
        )
    out = S.ensure_crs(candidates, what="candidates")
    if not (out.geom_type == "Point").all():  # buildings, parcels: their representative point
        out = out.copy()
        out[out.geometry.name] = out.geometry.representative_point()
    return out


def _lattice(cov: Coverage, dem: Demand, spacing_m: float) -> gpd.GeoDataFrame:
    metric = cov.areas.to_crs(dem.crs)
    union = shapely.union_all(np.asarray(metric.geometry.array, dtype=object))
    x0, y0, x1, y1 = union.bounds
    spacing = max(float(spacing_m), float(np.sqrt(union.area / LATTICE_MAX)))
    gx, gy = np.meshgrid(
        np.arange(np.floor(x0 / spacing), np.ceil(x1 / spacing)) * spacing + spacing / 2,
        np.arange(np.floor(y0 / spacing), np.ceil(y1 / spacing)) * spacing + spacing / 2,
    )
    inside = shapely.contains_xy(union, gx.ravel(), gy.ravel())
    gx, gy = gx.ravel()[inside], gy.ravel()[inside]
    n = len(gx)
    pts = gpd.GeoSeries(shapely.points(gx, gy), crs=dem.crs).to_crs(S.STORAGE_CRS)
    return gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: [f"L{i + 1}" for i in range(n)],
            S.NAME: [f"格子点 {i + 1}" for i in range(n)],
        },
        geometry=pts.values,
        crs=S.STORAGE_CRS,
    )


def _candidate_table(cov: Coverage, candidates: gpd.GeoDataFrame) -> pd.DataFrame:
    n = len(candidates)
    names = (
        candidates[S.NAME].astype(str).to_numpy()
        if S.NAME in candidates
        else np.array([f"候補 {i + 1}" for i in range(n)], dtype=object)
    )
    ids = (
        candidates[S.RESOURCE_ID].astype(str).to_numpy()
        if S.RESOURCE_ID in candidates
        else np.array([str(i + 1) for i in range(n)], dtype=object)
    )
    pos = _area_positions(cov, candidates)
    area_ids = cov.areas[S.AREA_ID].astype(str).to_numpy()
    area_names = cov.areas[S.AREA_NAME].astype(str).to_numpy()
    lonlat = shapely.get_coordinates(candidates.geometry.to_crs(S.STORAGE_CRS).array)
    table: pd.DataFrame = pd.DataFrame(
        {
            S.NAME: names,
            CANDIDATE_ID: ids,
            "_area": pos,
            S.AREA_ID: np.where(pos >= 0, area_ids[np.maximum(pos, 0)], None),
            S.AREA_NAME: np.where(pos >= 0, area_names[np.maximum(pos, 0)], None),
            "lon": lonlat[:, 0],
            "lat": lonlat[:, 1],
            S.ADDRESS: candidates[S.ADDRESS].to_numpy() if S.ADDRESS in candidates else "",
        }
    )
    return table


def _area_positions_of(cov: Coverage, areas: Sequence[str]) -> np.ndarray:
    ids = cov.areas[S.AREA_ID].astype(str).to_numpy()
    names = cov.areas[S.AREA_NAME].astype(str).to_numpy()
    out = []
    for a in [areas] if isinstance(areas, str) else areas:
        hit = np.flatnonzero((ids == str(a)) | (names == str(a)))
        if len(hit) == 0:
            raise ParameterError(
                f"圏域 {a!r} はありません / no area with id or name {a!r}; areas: "
                f"{', '.join(names[:20])} …",
                param="areas",
            )
        out.extend(hit.tolist())
    return np.asarray(out, dtype=np.intp)


def _allowed(
    cov: Coverage,
    cand: pd.DataFrame,
    category: str,
    areas: Sequence[str] | None,
    only_gaps: bool,
    max_per_area: int | None,
) -> np.ndarray:
    pos = cand["_area"].to_numpy()
    ok = np.ones(len(cand), dtype=bool)
    if areas is not None:
        ok &= np.isin(pos, _area_positions_of(cov, areas))
    if only_gaps:
        t = cov.table[cov.table[S.CATEGORY] == category]
        if len(t):
            status = t.set_index(S.AREA_ID)[S.STATUS].reindex(cov.areas[S.AREA_ID]).to_numpy()
            gap = np.flatnonzero(np.isin(status, [S.STATUS_NONE, S.STATUS_GAP]))
        else:  # no resource of the category anywhere: every area is 空白
            gap = np.arange(len(cov.areas))
        ok &= np.isin(pos, gap)
    if max_per_area is not None:
        if int(max_per_area) < 1:
            raise ParameterError(
                f"max_per_area は 1 以上です / max_per_area must be ≥ 1; got {max_per_area!r}",
                param="max_per_area",
            )
        ok &= pos >= 0
    return ok


def _opt_demand(dem: Demand, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Weighted points the optimiser counts (see the module docstring)."""
    if dem.basis == "area":
        spacing = max(25.0, radius_m / 8.0)
        xy, w, _ = _distance.area_lattice(dem.items, spacing_m=spacing)
        return xy, w
    return dem.xy, dem.w


def suggest_sites(  # noqa: PLR0913  (keyword-only options are the documented API)
    cov: Coverage,
    candidates: gpd.GeoDataFrame | None,
    category: str,
    *,
    k: int = 5,
    method: Literal["exact", "greedy"] = "exact",
    radius_m: float | None = None,
    areas: Sequence[str] | None = None,
    max_per_area: int | None = None,
    only_gaps: bool = False,
    spacing_m: float | None = None,
    time_limit: float | None = 120.0,
) -> SiteSuggestion:
    """Choose up to ``k`` candidates that bring the most weight newly within reach of ``category``.

    Parameters
    ----------
    cov
        The coverage to improve (its resources are the existing ones).
    candidates
        Places that could host the service — e.g. a 公民館・集会所 list read with
        :func:`chiikimap.read_resources`, or any point layer with a CRS (polygons use their
        representative point). ``None``: a square lattice of points inside the areas, spaced
        ``spacing_m`` (default ``radius / 2``; coarser when it would exceed 5,000 points).
    category
        The category key to site (``"kayoi_no_ba"`` …); it need not exist yet.
    k
        Number of sites (fewer when no further candidate adds any weight).
    method
        ``"exact"``: the maximal covering integer program solved by HiGHS (optimal);
        ``"greedy"``: the lazy greedy (CELF), within ``1 − 1/e`` (≈ 63 %) of the optimum and
        usually within a few per cent, much faster on large instances.
    radius_m
        Reach in metres; default the category's radius in ``cov``.
    areas
        Area ids or names where sites may be placed (default: anywhere).
    max_per_area
        At most this many sites per area (sites outside every area are then not used).
    only_gaps
        Only place sites in areas whose status for ``category`` is 空白 or 不足.
    spacing_m
        Lattice spacing when ``candidates`` is ``None``.
    time_limit
        Seconds HiGHS may take (``method="exact"``); past it the best set found is returned with
        a warning.

    Returns
    -------
    SiteSuggestion
        The ranked table, the affected areas before/after, the sites and their newly covered
        zones, and the ``after`` Coverage.

    Examples
    --------
    >>> import chiikimap
    >>> s = chiikimap.load_sample("takamatsu")
    >>> cov = chiikimap.analyze(s.areas, s.resources, s.population)
    >>> venues = s.resources[s.resources["category"] == "kyoten"]
    >>> plan = cov.suggest_sites(venues, "kayoi_no_ba", k=3, method="greedy")
    >>> list(plan.table["rank"])
    [1, 2, 3]
    """
    cov.taxonomy.check_keys([category])
    check_choice("method", method, ("exact", "greedy"))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ParameterError(
            f"k は 1 以上の整数です / k must be an integer ≥ 1; got {k!r}", param="k"
        )
    r = _radius(cov, category, radius_m)
    dem = demand_of(cov)
    existing = _existing(cov, category)
    ex_xy = _xy(existing, dem.crs)
    layer = _lattice(cov, dem, spacing_m or r / 2) if candidates is None else _as_points(candidates)
    cand = _candidate_table(cov, layer)
    cand_xy = _xy(layer, dem.crs)
    ok = _allowed(cov, cand, category, areas, only_gaps, max_per_area)
    opt_xy, opt_w = _opt_demand(dem, r)
    if len(ex_xy):
        opt_w = np.where(
            _distance.nearest_distance(ex_xy, opt_xy) <= r + _distance.RADIUS_TOL_M, 0.0, opt_w
        )
    reach = _cover.coverage_matrix(cand_xy, opt_xy, r)
    group = cand["_area"].to_numpy()
    if method == "greedy":
        picks = _cover.greedy_cover(
            reach, opt_w, int(k), allowed=ok, group=group, max_per_group=max_per_area
        )
    else:
        picks = _cover.exact_cover(
            reach,
            opt_w,
            int(k),
            allowed=ok,
            group=group,
            max_per_group=max_per_area,
            time_limit=time_limit,
        )
    chosen = cand.iloc[picks.sites].reset_index(drop=True)
    new_by_area, zones = _zones(dem, ex_xy, cand_xy[picks.sites], r)
    after = _after(cov, category, chosen, r)
    table = _ranked_table(cov, dem, chosen, new_by_area, ex_xy, r)
    return SiteSuggestion(
        table=table,
        areas=_areas_before_after(cov, dem, category, ex_xy, r, after, chosen, new_by_area),
        sites=gpd.GeoDataFrame(
            table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=S.STORAGE_CRS
        ),
        zones=_zone_layer(cov, dem, table, zones),
        before=cov,
        after=after,
        category=category,
        radius_m=r,
        method=method,
        k=int(k),
        optimal=picks.optimal,
        objective=picks.objective,
        n_candidates=int(ok.sum()),
    )


def _prior_union(centres: np.ndarray, site: np.ndarray, radius_m: float) -> Any:
    """Union of the discs of ``centres`` that can overlap the disc at ``site``."""
    if len(centres) == 0:
        return None
    near = np.hypot(*(centres - site).T) < 2 * radius_m
    if not near.any():
        return None
    return shapely.union_all(discs(centres[near], radius_m))


def _zones(
    dem: Demand, ex_xy: np.ndarray, site_xy: np.ndarray, radius_m: float
) -> tuple[np.ndarray, list[Any]]:
    """Per site in rank order: weight per area newly covered, and the zone (metric CRS)."""
    pts = np.flatnonzero(dem.from_point)
    pxy = dem.xy[pts]
    lim = radius_m + _distance.RADIUS_TOL_M
    covered = np.zeros(len(pts), dtype=bool)
    if len(ex_xy) and len(pts):
        covered = _distance.nearest_distance(ex_xy, pxy) <= lim
    centres = np.asarray(ex_xy, dtype=float).reshape(-1, 2)
    out = np.zeros((len(site_xy), dem.n_areas))
    zones: list[Any] = []
    for j, site in enumerate(np.asarray(site_xy, dtype=float).reshape(-1, 2)):
        disc = discs(site[None, :], radius_m)[0]
        prior = _prior_union(centres, site, radius_m)
        zone = disc if prior is None else shapely.difference(disc, prior)
        mask = np.zeros(len(dem.w), dtype=bool)
        if len(pts):
            reach = np.hypot(*(pxy - site).T) <= lim
            mask[pts[reach & ~covered]] = True
            covered |= reach
        out[j] = dem.zone_weight(zone, mask)
        zones.append(zone)
        centres = np.vstack([centres, site[None, :]])
    return out, zones


def _after(cov: Coverage, category: str, chosen: pd.DataFrame, radius_m: float) -> Coverage:
    """The Coverage with the chosen sites added as resources of ``category``."""
    from .coverage import analyze

    res = cov.resources.drop(columns=[S.AREA_ID], errors="ignore")
    taken = set(res[S.RESOURCE_ID].astype(str))
    ids = []
    for rank in range(1, len(chosen) + 1):
        rid = f"候補地-{rank}"
        while rid in taken:
            rid += "+"
        ids.append(rid)
    rows = gpd.GeoDataFrame(
        {
            S.RESOURCE_ID: ids,
            S.NAME: chosen[S.NAME].to_numpy(),
            S.CATEGORY: category,
            S.CATEGORIES: [(category,)] * len(chosen),
            S.CAPACITY: np.nan,
            S.ADDRESS: chosen[S.ADDRESS].to_numpy(),
            S.SOURCE: "候補地（計画） / planned site",
        },
        geometry=gpd.points_from_xy(chosen["lon"], chosen["lat"]),
        crs=S.STORAGE_CRS,
    )
    combined = gpd.GeoDataFrame(
        pd.concat([res, rows], ignore_index=True), geometry=res.geometry.name, crs=res.crs
    )
    combined.attrs = dict(cov.resources.attrs)
    rules = cov.info.rules
    radius = {key: float(v["radius_m"]) for key, v in rules.items()}
    radius[category] = radius_m
    target = {key: float(v["target"]) for key, v in rules.items()}
    with warnings.catch_warnings():  # the same inputs: analyze already warned about them
        warnings.simplefilter("ignore", ChiikimapWarning)
        return analyze(
            cov.areas,
            combined,
            cov.population,
            weight=cov.info.weight,
            radius_m=radius,
            target=target,
            categories=[*cov.categories, category],
            taxonomy=cov.taxonomy,
            # several UTM zones: the default reproduces them; else the run's one CRS
            metric_crs=None if cov.info.metric_crs_by_area else cov.info.metric_crs,
            sources=cov.info.sources,
        )


def _ranked_table(
    cov: Coverage,
    dem: Demand,
    chosen: pd.DataFrame,
    new_by_area: np.ndarray,
    ex_xy: np.ndarray,
    r: float,
) -> pd.DataFrame:
    new = new_by_area.sum(axis=1)
    cum = np.cumsum(new)
    total = float(dem.area_weight.sum())
    before = float(dem.covered(ex_xy, r).sum())
    out = chosen.drop(columns=["_area"]).copy()
    out.insert(0, RANK, np.arange(1, len(chosen) + 1))
    out.insert(5, NEW_WEIGHT, new)
    out.insert(6, CUMULATIVE_WEIGHT, cum)
    out.insert(7, COVERAGE_AFTER, (before + cum) / total if total > 0 else np.nan)
    result: pd.DataFrame = pd.DataFrame(out)
    return result


def _status(covered: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = covered / weight
    return np.where(
        ~(weight > 0),
        S.STATUS_EMPTY,
        np.where(covered <= 0, S.STATUS_NONE, np.where(cov < target, S.STATUS_GAP, S.STATUS_OK)),
    )


def _areas_before_after(
    cov: Coverage,
    dem: Demand,
    category: str,
    ex_xy: np.ndarray,
    r: float,
    after: Coverage,
    chosen: pd.DataFrame,
    new_by_area: np.ndarray,
) -> pd.DataFrame:
    before = dem.covered(ex_xy, r)
    t = after.table[after.table[S.CATEGORY] == category].set_index(S.AREA_ID)
    t = t.reindex(cov.areas[S.AREA_ID])
    weight = dem.area_weight
    target = float(after.info.rules[category]["target"])
    n_sites = np.bincount(
        chosen["_area"].to_numpy()[chosen["_area"].to_numpy() >= 0], minlength=dem.n_areas
    )
    gained = new_by_area.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                S.AREA_ID: cov.areas[S.AREA_ID].to_numpy(),
                S.AREA_NAME: cov.areas[S.AREA_NAME].to_numpy(),
                S.WEIGHT: weight,
                "covered_before": before,
                "covered_after": t[S.COVERED].to_numpy(dtype=float),
                "coverage_before": np.where(weight > 0, before / weight, np.nan),
                "coverage_after": t[S.COVERAGE].to_numpy(dtype=float),
                "status_before": _status(before, weight, target),
                "status_after": t[S.STATUS].to_numpy(),
                "n_sites": n_sites,
            }
        )
    affected = (n_sites > 0) | (gained > 1e-9 * np.maximum(weight, 1.0))
    result: pd.DataFrame = frame[affected].reset_index(drop=True)
    return result


def _zone_layer(
    cov: Coverage, dem: Demand, table: pd.DataFrame, zones: list[Any]
) -> gpd.GeoDataFrame:
    union = shapely.union_all(np.asarray(cov.areas.to_crs(dem.crs).geometry.array, dtype=object))
    clipped = [shapely.intersection(z, union) for z in zones]
    geo = gpd.GeoSeries(clipped, crs=dem.crs).to_crs(S.STORAGE_CRS)
    return gpd.GeoDataFrame(
        {
            RANK: table[RANK].to_numpy(),
            S.NAME: table[S.NAME].to_numpy(),
            NEW_WEIGHT: table[NEW_WEIGHT].to_numpy(),
        },
        geometry=geo.values,
        crs=S.STORAGE_CRS,
    )


def closure_impact(
    cov: Coverage, category: str, *, radius_m: float | None = None
) -> gpd.GeoDataFrame:
    """The weight each resource of ``category`` alone reaches: what its closure would leave out.

    Parameters
    ----------
    cov
        The coverage whose resources are examined.
    category
        Category key.
    radius_m
        Reach in metres; default the category's radius in ``cov``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per resource of the category (points, EPSG:6668), largest loss first:
        ``resource_id``, ``name``, ``area_id``, ``area_name``, ``lost_weight`` (people — or m² on
        the area basis — within reach of this resource and of no other of the category, by the
        table's rules), ``lost_share`` (of the category's covered weight) and ``sole``
        (唯一の資源: ``lost_weight > 0``, someone reaches only this one).
    """
    cov.taxonomy.check_keys([category])
    r = _radius(cov, category, radius_m)
    dem = demand_of(cov)
    existing = _existing(cov, category)
    xy = _xy(existing, dem.crs)
    lost = np.zeros(len(existing))
    pts = np.flatnonzero(dem.from_point)
    if len(pts) and len(xy):
        reach = _cover.coverage_matrix(xy, dem.xy[pts], r).tocsc()
        count = np.diff(reach.indptr)
        only = np.flatnonzero(count == 1)
        owner = reach.indices[reach.indptr[only]]
        lost += np.bincount(owner, weights=dem.w[pts][only], minlength=len(xy))
    if len(dem.items):
        none = np.zeros(len(dem.w), dtype=bool)
        for i in range(len(xy)):
            others = np.delete(xy, i, axis=0)
            prior = _prior_union(others, xy[i], r)
            disc = discs(xy[i][None, :], r)[0]
            zone = disc if prior is None else shapely.difference(disc, prior)
            lost[i] += dem.zone_weight(zone, none).sum()
    covered = float(dem.covered(xy, r).sum())
    out = existing[[S.RESOURCE_ID, S.NAME, S.AREA_ID, existing.geometry.name]].copy()
    names = cov.areas.set_index(S.AREA_ID)[S.AREA_NAME]
    out.insert(3, S.AREA_NAME, out[S.AREA_ID].map(names).to_numpy())
    out.insert(4, LOST_WEIGHT, lost)
    out.insert(5, "lost_share", lost / covered if covered > 0 else np.nan)
    out.insert(6, SOLE, lost > 0)
    out = out.sort_values(LOST_WEIGHT, ascending=False, kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=existing.geometry.name, crs=existing.crs)


def closure_map(cov: Coverage, category: str, **kwargs: Any) -> folium.Map:
    """Gap map of ``category`` with its resources marked by closure impact (唯一の資源 in red).

    Parameters
    ----------
    cov
        The coverage.
    category
        Category key.
    **kwargs
        Options of :func:`chiikimap.maps.interactive.gap_map`.

    Returns
    -------
    folium.Map
        See :func:`chiikimap.maps.sites.closure_map`.
    """
    from .maps.sites import closure_map as _closure_map

    return _closure_map(cov, category, **kwargs)


def closure_to_excel(
    cov: Coverage, path: str | PathLike[str], categories: Sequence[str] | None = None
) -> None:
    """Write the 圏域カルテ with the sheet 「閉鎖の影響」 (lost weight, 唯一の資源 per resource).

    Parameters
    ----------
    cov
        The coverage.
    path
        Output ``.xlsx`` file (written atomically).
    categories
        Category keys; default every category of the table that has resources.
    """
    from ._sites_excel import closure_to_excel as _closure_to_excel

    _closure_to_excel(cov, path, categories)
