"""The result of :func:`chiikimap.analyze`: :class:`Coverage` and the :class:`RunInfo` it quotes.

This module holds the result type only, not the algorithm (that is :mod:`chiikimap.coverage`).
Renderers (maps, Excel, GeoPackage, the notebook view) type against :class:`Coverage` and import
it from here; they never recompute metrics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd

from . import _schema as S
from ._errors import SchemaError, check_choice
from ._schema import Source
from .taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .maps.interactive import GapMap
    from .siting import SiteSuggestion

__all__ = ["Coverage", "RunInfo"]


@dataclass(frozen=True)
class RunInfo:
    """The inputs of one :func:`analyze` run, quoted by every output.

    Attributes
    ----------
    basis
        ``"population"`` (weights are people) or ``"area"`` (weights are land area in m²).
    weight
        The weight column (``"pop_65plus"`` …) or ``"area"``.
    weight_label
        Japanese label of the weight, e.g. ``"65歳以上人口"`` or ``"面積(m²)"``.
    rules
        Category key → ``{"radius_m": float, "target": float}`` actually used.
    categories
        Category keys in table order.
    storage_crs, metric_crs
        The lon/lat CRS of the layers and the metric CRS in which distances were measured (when
        the areas lie in several UTM zones: the zone of the whole extent, in which maps are drawn;
        see ``metric_crs_by_area``).
    sources
        Every data source to credit.
    taxonomy
        Name of the taxonomy used.
    version
        chiikimap version that computed the result.
    created
        ISO date of the run.
    weight_inside
        Total weight inside the areas (the sum of the table's ``weight`` per category).
    weight_outside
        Population weight that lies outside every area (0 on the area basis). It is counted in
        no area; outputs show it so that nobody silently disappears.
    metric_crs_by_area
        ``area_id`` → the metric CRS in which that area was measured, when the areas span
        several UTM zones and each was measured in its own; empty when ``metric_crs`` served all.
    distance
        ``"straight"`` (直線, the default) or ``"network"`` (道のり: along the streets of
        ``analyze(..., network=...)``).
    network_source, network_date
        The street network's file (or title) and the date of its newest way; empty when straight.
    """

    basis: Literal["population", "area"]
    weight: str
    weight_label: str
    rules: Mapping[str, Mapping[str, float]]
    categories: tuple[str, ...]
    storage_crs: str
    metric_crs: str
    sources: tuple[Source, ...] = ()
    taxonomy: str = ""
    version: str = ""
    created: str = ""
    weight_inside: float = float("nan")
    weight_outside: float = 0.0
    metric_crs_by_area: Mapping[str, str] = field(default_factory=dict)
    distance: Literal["straight", "network"] = "straight"
    network_source: str = ""
    network_date: str = ""

    @property
    def distance_label(self) -> str:
        """How distances were measured, for a reader: ``"直線 / straight line"`` or ``"道のり …"``."""
        if self.distance == "network":
            return "道のり（道路網に沿った徒歩距離） / walking distance along the streets"
        return "直線 / straight line"

    @property
    def metric_crs_text(self) -> str:
        """The CRS(s) of the distances for a reader: ``"EPSG:6690"`` or each zone with its areas."""
        if not self.metric_crs_by_area:
            return self.metric_crs
        counts: dict[str, int] = {}
        for crs in self.metric_crs_by_area.values():
            counts[crs] = counts.get(crs, 0) + 1
        zones = ", ".join(f"{crs} ({n})" for crs, n in counts.items())
        return f"圏域ごとの UTM 帯 / per-area UTM zone: {zones}"

    @property
    def data_dates(self) -> list[str]:
        """Distinct reference dates of the sources, each with its layer (``"圏域 2023"``).

        A map made from 2023 areas and 2026 resources shows both, each with its layer; one
        layer's date is never presented as the date of the whole map. A source without a layer
        (an extra source given to :func:`analyze`) shows its date alone.
        """
        return S.data_dates(self.sources)

    @property
    def source_lines(self) -> list[str]:
        """One line per source: layer, credit line, licence and date (:attr:`Source.dated_line`)."""
        return S.source_lines(self.sources)

    @property
    def attribution(self) -> str:
        """All credit lines joined with ``" / "``."""
        return " / ".join(dict.fromkeys(s.attribution for s in self.sources))


@dataclass(eq=False)
class Coverage:
    """Result of :func:`analyze`: a tidy area × category table and everything needed to show it.

    Attributes
    ----------
    table
        One row per area × category with the columns of ``chiikimap._schema.TABLE_COLUMNS``
        (and ``n_approx``, the resources placed only at a town's point, from :func:`analyze`).
    areas
        The areas (``areas`` schema, EPSG:6668), in table order.
    resources
        The resources (EPSG:6668) with an extra ``area_id`` column (missing for unassigned rows).
    population
        The population layer used, or ``None``.
    unassigned
        Resources whose point lies in no area (they still cover people across the border).
    rejected
        Rows the readers rejected (``file``, ``row``, ``reason``, ``values``).
    info
        The run's inputs: basis, rules, CRS, sources.
    taxonomy
        The taxonomy whose labels, colours and markers the outputs use.
    indicators
        The indicators of ``analyze(..., indicators=)`` per area (``area_id``, ``area_name``,
        one column per indicator, shares as 0–1), or ``None``.
    catchments
        With ``analyze(..., network=)``: per category (``category``, ``radius_m``, ``geometry``
        in EPSG:6668) the area whose people reach a resource of the category on foot within the
        radius — the walking catchment the maps draw (how it is traced:
        :mod:`chiikimap._catchment`); ``None`` for a straight-line run.
    straight_table
        With ``analyze(..., network=)``: the same table measured by straight line (直線), which
        :meth:`compare_distance` and the karte put beside the walking figures; ``None`` for a
        straight-line run.
    """

    table: pd.DataFrame
    areas: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    population: gpd.GeoDataFrame | None
    unassigned: gpd.GeoDataFrame
    rejected: pd.DataFrame
    info: RunInfo
    taxonomy: Taxonomy = field(default_factory=default_taxonomy)
    indicators: pd.DataFrame | None = None
    catchments: gpd.GeoDataFrame | None = None
    straight_table: pd.DataFrame | None = None

    # --- views --------------------------------------------------------------------------------
    @property
    def categories(self) -> tuple[str, ...]:
        """Category keys in table order."""
        return self.info.categories

    def gap_matrix(self, *, labels: Literal["ja", "en", "key"] = "ja") -> pd.DataFrame:
        """Return the status of every area × category as a table.

        Parameters
        ----------
        labels
            ``"ja"``: 空白/不足/充足 with Japanese category labels as columns and area names as
            index; ``"en"``: none/gap/ok with English labels; ``"key"``: status keys with category
            keys as columns and ``area_id`` as index.

        Returns
        -------
        pandas.DataFrame
            One row per area (input order), one column per category (taxonomy order).
        """
        check_choice("labels", labels, ("ja", "en", "key"))
        wide = self.table.pivot(index=S.AREA_ID, columns=S.CATEGORY, values=S.STATUS)
        wide = wide.reindex(index=self.areas[S.AREA_ID], columns=list(self.categories))
        if labels == "key":
            wide.columns.name = S.CATEGORY
            return wide
        idx = 0 if labels == "ja" else 1
        out: pd.DataFrame = wide.apply(lambda col: col.map(lambda s: S.STATUS_LABELS[s][idx]))
        names = self.areas.set_index(S.AREA_ID)[S.AREA_NAME]
        out.index = pd.Index(names.reindex(out.index).to_numpy(), name=S.AREA_NAME)
        out.columns = pd.Index(
            [self.taxonomy.label(k, labels) for k in out.columns], name="category"
        )
        return out

    def summary(self) -> pd.DataFrame:
        """Return the 第1層 view: one row per category for the whole municipality.

        Returns
        -------
        pandas.DataFrame
            Columns ``category``, ``category_label``, ``n_resources``, ``n_approx`` (of those,
            placed only at a town's point; when the table has it), ``capacity``, ``weight``,
            ``covered``, ``coverage`` (``covered / weight`` over all areas), ``uncovered``,
            ``per_1000`` (population basis only), ``n_none``, ``n_gap``, ``n_ok`` (areas per
            status), ``radius_m`` and ``target``.
        """
        t = self.table
        g = t.groupby(S.CATEGORY, sort=False)
        out = pd.DataFrame(
            {
                S.CATEGORY_LABEL: g[S.CATEGORY_LABEL].first(),
                S.N_RESOURCES: g[S.N_RESOURCES].sum(),
                S.CAPACITY: g[S.CAPACITY].sum(min_count=1),
                S.WEIGHT: g[S.WEIGHT].sum(),
                S.COVERED: g[S.COVERED].sum(),
                S.UNCOVERED: g[S.UNCOVERED].sum(),
            }
        )
        if S.N_APPROX in t.columns:  # resources placed only at a town's point (geocoded)
            out.insert(2, S.N_APPROX, g[S.N_APPROX].sum())
        weight = out[S.WEIGHT].where(out[S.WEIGHT] > 0)
        at = list(out.columns).index(S.UNCOVERED)
        out.insert(at, S.COVERAGE, (out[S.COVERED] / weight).fillna(0.0))
        if self.info.basis == "population":
            out[S.PER_1000] = out[S.N_RESOURCES] / weight * 1000.0
        else:
            out[S.PER_1000] = float("nan")
        counts = (
            t.groupby([S.CATEGORY, S.STATUS])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=list(S.STATUS_LABELS), fill_value=0)
        )
        for status in S.STATUS_LABELS:
            out[f"n_{status}"] = counts[status].reindex(out.index).fillna(0).astype(int)
        out["radius_m"] = [float(self.info.rules[k]["radius_m"]) for k in out.index]
        out["target"] = [float(self.info.rules[k]["target"]) for k in out.index]
        out = out.reindex(list(self.categories))
        return out.reset_index().rename(columns={"index": S.CATEGORY})

    def compare_distance(self, other: Coverage | None = None) -> pd.DataFrame:
        """Straight-line and walking coverage side by side, per area × category.

        A run with ``network=`` measures the straight-line figures too (``straight_table``), so
        ``cov.compare_distance()`` needs no second run. Or run :func:`chiikimap.analyze` twice on
        the same inputs, once with ``network=`` and once without, and compare either result with
        the other (the order does not matter).

        Parameters
        ----------
        other
            The other run: straight line when this one used a network, or the reverse;
            ``None`` (default): this network run's own ``straight_table``.

        Returns
        -------
        pandas.DataFrame
            ``area_id``, ``area_name``, ``category``, ``category_label``, then ``covered`` /
            ``coverage`` / ``nearest_m`` / ``status`` with the suffix ``_straight`` (直線) and
            ``_network`` (道のり; ``nearest_m_network`` is ``inf`` where the streets reach no
            resource), and ``coverage_diff`` (network − straight, ≤ 0 with the same radius).
            Rows are the area × category pairs of both tables.
        """
        if other is None:
            if self.straight_table is None:
                raise SchemaError(
                    "道のりの結果ではありません。analyze(..., network=...) の結果で呼ぶか、比べる"
                    "結果を渡してください / not a network run: call it on the result of "
                    "analyze(..., network=...) or pass the other result",
                    param="other",
                )
            straight, network = self.straight_table, self.table
        else:
            runs = {self.info.distance: self, other.info.distance: other}
            if set(runs) != {"straight", "network"}:
                raise SchemaError(
                    "直線の結果と道のりの結果を 1 つずつ渡してください / compare one "
                    "straight-line result with one network result",
                    param="other",
                )
            straight, network = runs["straight"].table, runs["network"].table
        keys = [S.AREA_ID, S.AREA_NAME, S.CATEGORY, S.CATEGORY_LABEL]
        cols = [S.COVERED, S.COVERAGE, S.NEAREST_M, S.STATUS]
        both = straight[keys + cols].merge(
            network[keys + cols],
            on=keys,
            how="outer",
            suffixes=("_straight", "_network"),
            sort=False,
        )
        both["coverage_diff"] = both["coverage_network"] - both["coverage_straight"]
        return both

    def missing(self, area: str, *, lang: Literal["ja", "en"] = "ja") -> list[str]:
        """Return the labels of the categories one area lacks.

        Parameters
        ----------
        area
            An ``area_id`` or ``area_name``; an unknown one raises :class:`SchemaError`.
        lang
            ``"ja"`` or ``"en"`` labels.

        Returns
        -------
        list of str
            The 空白 (``none``) categories first, then 不足 (``gap``), each in taxonomy order.
        """
        check_choice("lang", lang, ("ja", "en"))
        t = self.table
        rows = t[t[S.AREA_ID] == area]
        if rows.empty:
            rows = t[t[S.AREA_NAME] == area]
        if rows.empty and area in set(self.areas[S.AREA_ID].astype(str)) | set(
            self.areas[S.AREA_NAME].astype(str)
        ):
            return []  # a known area without rows (no category was measured): nothing lacks
        if rows.empty:
            known = ", ".join(self.areas[S.AREA_NAME].astype(str).head(20))
            raise SchemaError(
                f"圏域 {area!r} はありません / no area with id or name {area!r}; areas: {known} …"
            )
        out: list[str] = []
        for status in (S.STATUS_NONE, S.STATUS_GAP):
            keys = rows.loc[rows[S.STATUS] == status, S.CATEGORY]
            out.extend(self.taxonomy.label(k, lang) for k in keys)
        return out

    # --- outputs (delegated; renderers never recompute metrics) ----------------------------------
    # Each method has the renderer's full signature and documents it (geopandas' ``to_file``
    # pattern); the renderer is imported only when the method is called, so that drawing a PNG
    # never imports folium and writing Excel never imports matplotlib.
    def map(  # noqa: PLR0913  (gap_map's keyword-only options, documented here)
        self,
        *,
        category: str | None = None,
        tiles: Literal["gsi_pale", "gsi_std", "osm"] | None = "gsi_pale",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        cluster: bool | None = None,
        max_zoom: int | None = None,
        simplify_m: float = 15.0,
        note_html: str | None = None,
        width: str = "100%",
        height: str = "100%",
        offline: bool = False,
        area_legend: bool = True,
    ) -> GapMap:
        """Interactive gap map (folium/Leaflet): an overview and one view per category.

        Parameters
        ----------
        category
            Category key whose view is shown first; ``None`` shows the overview (how many
            categories are 空白/不足 in each area).
        tiles
            Basemap: ``"gsi_pale"`` (地理院タイル 淡色, default), ``"gsi_std"``, ``"osm"``, or
            ``None`` for none. Each carries the attribution its terms require.
        lang
            ``"ja"`` (default) or ``"en"`` labels.
        title
            Title shown on the map (escaped); defaults to 「地域資源の空白地図」.
        cluster
            Cluster resource markers; ``None`` clusters when there are more than 200 resources.
        max_zoom
            Highest zoom level (default 18); tiles are upscaled beyond their native zoom.
        simplify_m
            Display simplification tolerance in metres (the analysis geometry is not touched);
            ``0`` keeps every vertex.
        note_html
            Raw HTML put under the title **without escaping**: trusted input only.
        width, height
            CSS size of the map.
        offline
            Inline Leaflet when the map is displayed in a notebook, so it draws with no internet.
        area_legend
            Show the legend of the area colours; ``False`` keeps only the resource symbols (for
            layers that colour the areas with a legend of their own).

        Returns
        -------
        chiikimap.maps.interactive.GapMap
            A :class:`folium.Map`: display it in Jupyter, add layers, or ``.save()`` it.

        See Also
        --------
        chiikimap.maps.interactive.gap_map : The function this method calls.
        """
        from .maps.interactive import gap_map

        return gap_map(
            self,
            category=category,
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
            area_legend=area_legend,
        )

    def save_html(  # noqa: PLR0913  (save_html's keyword-only options, documented here)
        self,
        path: str | PathLike[str],
        *,
        offline: bool = False,
        category: str | None = None,
        tiles: Literal["gsi_pale", "gsi_std", "osm"] | None = "gsi_pale",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        cluster: bool | None = None,
        max_zoom: int | None = None,
        simplify_m: float = 15.0,
        note_html: str | None = None,
    ) -> None:
        """Write the interactive map as one HTML page.

        The page is written to a temporary file in the same folder and renamed over ``path``
        when complete: an interrupted run leaves the old file (or none), never a truncated one.

        Parameters
        ----------
        path
            Output ``.html`` file.
        offline
            Write ONE self-contained file (Leaflet inlined) that opens with no network; only
            the optional tile layer would be fetched.
        category, tiles, lang, title, cluster, max_zoom, simplify_m, note_html
            As for :meth:`map`.

        Raises
        ------
        chiikimap.OutputFileError
            The folder is missing or read-only, or the file cannot be replaced.

        See Also
        --------
        chiikimap.maps.interactive.save_html : The function this method calls.
        """
        from .maps.interactive import save_html

        save_html(
            self,
            path,
            offline=offline,
            category=category,
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
        category: str | None = None,
        paper: Literal["A4", "A3"] = "A3",
        orientation: Literal["landscape", "portrait"] = "landscape",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        resources: bool | Literal["auto"] = "auto",
    ) -> Figure:
        """Print map as a matplotlib Figure sized for paper (A4/A3), in the metric CRS.

        Parameters
        ----------
        category
            ``None`` for the overview (number of 空白/不足 categories per area), or a category
            key to show that category's coverage share.
        paper
            ``"A4"`` or ``"A3"``.
        orientation
            ``"landscape"`` (legends right of the map) or ``"portrait"`` (legends under it).
        lang
            Language of titles and legends (``"ja"`` or ``"en"``); area names are shown as given.
        title
            Title text; by default it says what the map shows.
        resources
            ``"auto"``: small see-through symbols in the overview, large ones for one category;
            ``True``: large symbols in both views; ``False``: no resource symbols.

        Returns
        -------
        matplotlib.figure.Figure
            A figure not attached to pyplot.

        See Also
        --------
        chiikimap.maps.static.static_map : The function this method calls.
        """
        from .maps.static import static_map

        return static_map(
            self,
            category=category,
            paper=paper,
            orientation=orientation,
            lang=lang,
            title=title,
            resources=resources,
        )

    def save_static(
        self,
        path: str | PathLike[str],
        *,
        dpi: int = 250,
        category: str | None = None,
        paper: Literal["A4", "A3"] = "A3",
        orientation: Literal["landscape", "portrait"] = "landscape",
        lang: Literal["ja", "en"] = "ja",
        title: str | None = None,
        resources: bool | Literal["auto"] = "auto",
    ) -> None:
        """Write the print map as PNG or PDF, chosen by the suffix of ``path``.

        The file is written to a temporary file in the same folder and renamed over ``path``
        when complete: an interrupted run leaves the old file (or none), never a truncated one.

        Parameters
        ----------
        path
            Output file ending in ``.png`` or ``.pdf``.
        dpi
            Resolution of a PNG (250 dpi prints sharply on A3); PDF text and shapes are vector.
        category, paper, orientation, lang, title, resources
            As for :meth:`static_map`.

        Raises
        ------
        chiikimap.OutputFileError
            The folder is missing or read-only, or the file cannot be replaced.

        See Also
        --------
        chiikimap.maps.static.save_static : The function this method calls.
        """
        from .maps.static import save_static

        save_static(
            self,
            path,
            dpi=dpi,
            category=category,
            paper=paper,
            orientation=orientation,
            lang=lang,
            title=title,
            resources=resources,
        )

    def to_booklet(
        self,
        path: str | PathLike[str],
        *,
        areas: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
        paper: Literal["A4", "A3", "B5"] = "A4",
        large_print: bool = False,
        municipality: str | None = None,
    ) -> None:
        """Write the 資源マップ booklet: a print-ready PDF, or one HTML file for ``.html``.

        Cover (municipality, date, sources), contents, then per area a map page (the area with
        its neighbours faded, numbered markers, scale bar, north arrow, a box of the 空白/不足
        categories with their figures) and list pages (number, name, category, address, phone,
        hours), grouped by category and continued over as many pages as needed, never cutting
        a row. Marker numbers are list numbers; the count under each category heading is the
        table's ``n_resources`` for that area; resources in no area within the category's
        radius follow under 「圏域外の近隣資源」. Written atomically.

        Parameters
        ----------
        path
            ``.pdf`` (drawn with matplotlib, IPAex Gothic embedded) or ``.html`` (one
            self-contained file with print page breaks).
        areas
            Area ids to include (default every area).
        categories
            Category keys to list (default every category of the analysis).
        paper
            ``"A4"`` (default), ``"A3"`` or ``"B5"``, portrait.
        large_print
            Body text of at least 14 pt for older readers.
        municipality
            Name on the cover; by default the municipality most resource addresses name.

        Raises
        ------
        chiikimap.ParameterError
            Unknown area id, category, paper, or a suffix other than .pdf/.html.
        chiikimap.OutputFileError
            The folder is missing or read-only, or the file cannot be replaced.

        See Also
        --------
        chiikimap.booklet.booklet_data : The numbered lists both formats draw.
        """
        from .booklet import to_booklet

        to_booklet(
            self,
            path,
            areas=areas,
            categories=categories,
            paper=paper,
            large_print=large_print,
            municipality=municipality,
        )

    def to_excel(self, path: str | PathLike[str]) -> None:
        """Write the 圏域カルテ workbook (.xlsx) for meetings.

        Sheets: 「概要」 (summary and gap matrix), one sheet per area, 「資源一覧」, 「除外行」
        and 「出典・条件」. The workbook is written to a temporary file in the same folder and
        renamed over ``path`` when complete.

        Parameters
        ----------
        path
            The ``.xlsx`` file to write.

        Raises
        ------
        chiikimap.OutputFileError
            The folder is missing or read-only, or the file cannot be replaced (open in Excel).

        See Also
        --------
        chiikimap.export.to_excel : The function this method calls (sheets in detail).
        """
        from .export import to_excel

        to_excel(self, path)

    def to_geopackage(self, path: str | PathLike[str]) -> None:
        """Write the GeoPackage for QGIS: layers ``areas``, ``resources``, ``population``, ``gaps``.

        All layers go into a temporary file in the same folder, which replaces ``path`` only
        when complete.

        Parameters
        ----------
        path
            The ``.gpkg`` file to write.

        Raises
        ------
        chiikimap.OutputFileError
            The folder is missing or read-only, or the file cannot be replaced.

        See Also
        --------
        chiikimap.export.to_geopackage : The function this method calls (layers in detail).
        """
        from .export import to_geopackage

        to_geopackage(self, path)

    # --- 資源開発 (siting and closure; chiikimap.siting) ---------------------------------------
    def suggest_sites(  # noqa: PLR0913  (suggest_sites' keyword-only options, documented here)
        self,
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
        """Choose up to ``k`` candidates that bring the most people newly within reach.

        The weight newly brought within ``radius_m`` of ``category``, given the existing
        resources, counted with the same weights as ``table``.

        Parameters
        ----------
        candidates
            Candidate places (a resources-like point layer, e.g. a 公民館 list), or ``None`` for
            a lattice of points inside the areas.
        category
            Category key to site (it need not exist yet).
        k
            Number of sites.
        method
            ``"exact"`` (maximal covering ILP, HiGHS) or ``"greedy"`` (lazy greedy, CELF).
        radius_m
            Reach in metres; default the category's radius.
        areas
            Area ids or names where sites may be placed.
        max_per_area
            At most this many sites per area.
        only_gaps
            Only in areas whose status is 空白 or 不足.
        spacing_m
            Lattice spacing when ``candidates`` is ``None``.
        time_limit
            Seconds the exact solver may take.

        Returns
        -------
        chiikimap.siting.SiteSuggestion
            Ranked table, affected areas before/after, sites, newly covered zones and the
            ``after`` Coverage.

        See Also
        --------
        chiikimap.siting.suggest_sites : The function this method calls (definitions in detail).
        """
        from .siting import suggest_sites

        return suggest_sites(
            self,
            candidates,
            category,
            k=k,
            method=method,
            radius_m=radius_m,
            areas=areas,
            max_per_area=max_per_area,
            only_gaps=only_gaps,
            spacing_m=spacing_m,
            time_limit=time_limit,
        )

    def closure_impact(self, category: str, *, radius_m: float | None = None) -> gpd.GeoDataFrame:
        """Weight that only each resource of ``category`` reaches (what its closure would open).

        Parameters
        ----------
        category
            Category key.
        radius_m
            Reach in metres; default the category's radius.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per resource, largest loss first: ``resource_id``, ``name``, ``area_id``,
            ``area_name``, ``lost_weight``, ``lost_share``, ``sole`` (唯一の資源).

        See Also
        --------
        chiikimap.siting.closure_impact : The function this method calls.
        """
        from .siting import closure_impact

        return closure_impact(self, category, radius_m=radius_m)

    def priorities(self, indicator: str, category: str) -> pd.DataFrame:
        """Rank the areas by at-risk people out of reach of ``category`` (優先圏域).

        Parameters
        ----------
        indicator
            A share indicator of ``analyze(..., indicators=)`` (e.g. 「閉じこもり傾向」).
        category
            Category key.

        Returns
        -------
        pandas.DataFrame
            One row per area: ``rank``, ``area_id``, ``area_name``, ``share``, ``weight``,
            ``at_risk`` (weight × share), ``uncovered``, ``at_risk_uncovered`` (uncovered ×
            share: the share is assumed uniform within the area), ``coverage``, ``status``,
            ``need`` (高: share ≥ the median share of the areas, else 低) and ``quadrant``
            (高ニーズ×不足, 高ニーズ×充足, 低ニーズ×不足, 低ニーズ×充足; 不足 = status 空白 or 不足;
            不明 when the area has no share or no weight). Ordered by quadrant in that order,
            then by ``at_risk_uncovered``, largest first.
        """
        from .needs import priorities

        return priorities(self, indicator, category)

    def __repr__(self) -> str:
        counts = self.table[S.STATUS].value_counts()
        status = ", ".join(
            f"{S.STATUS_LABELS[k][0]} {int(counts.get(k, 0))}"
            for k in S.STATUS_LABELS
            if k in counts.index or k != S.STATUS_EMPTY
        )
        return (
            f"<Coverage: {len(self.areas)} 圏域 × {len(self.categories)} 種別, "
            f"基準 {self.info.weight_label} ({self.info.basis}); {status}; "
            f"未割当 {len(self.unassigned)}・除外行 {len(self.rejected)}>"
        )

    def _repr_html_(self) -> str:
        from .notebook import coverage_html

        return coverage_html(self)
