"""Interactive gap map (folium/Leaflet) of a :class:`~chiikimap.Coverage`, online or self-contained.

The map has one *view* per thematic layer, switched with radio buttons: an overview (how many
categories are 空白/不足 in each 第2層 area) and one coverage choropleth per category with that
category's resources on top. Area names are permanent labels. Every text that comes from data files
is HTML-escaped; nothing is recomputed — all figures come from ``coverage.table``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure

from .. import _schema as S
from .. import _style
from .._approx import approx_note
from .._atomic import atomic_path
from .._errors import ChiikimapError, ParameterError, check_choice
from .._html import esc, plain
from .._outside import outside_note
from ..notebook import coverage_html
from ._counts import category_counts, count_text
from ._element import GapMapLayers
from ._geometry import display_geometries
from ._nolib import NoLibraryNote
from ._offline import CSS_ASSETS, JS_ASSETS, inline_assets
from ._search import AreaSearch, panel_text

if TYPE_CHECKING:  # pragma: no cover
    from ..result import Coverage

__all__ = ["INLINE_LIMIT_BYTES", "TILES", "GapMap", "gap_map", "save_html"]

#: Largest map embedded in a notebook output. Jupyter drops outputs that exceed its IOPub data
#: rate (1 MB/s by default), so a larger map is replaced by a note on how to save it or make it
#: smaller, followed by the coverage's gap matrix.
INLINE_LIMIT_BYTES = 1_000_000

_GSI_ATTR = (
    '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank" '
    'rel="noopener">地理院タイル</a>'
)
#: Basemaps: key → URL template, attribution (fixed HTML required by the provider), zoom limits.
TILES: dict[str, dict[str, Any]] = {
    "gsi_pale": {
        "url": "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
        "attribution": _GSI_ATTR,
        "maxNativeZoom": 18,
        "name": {"ja": "背景地図（地理院タイル 淡色）", "en": "Basemap (GSI pale)"},
    },
    "gsi_std": {
        "url": "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
        "attribution": _GSI_ATTR,
        "maxNativeZoom": 18,
        "name": {"ja": "背景地図（地理院タイル 標準）", "en": "Basemap (GSI standard)"},
    },
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank" '
        'rel="noopener">OpenStreetMap</a> contributors',
        "maxNativeZoom": 19,
        "name": {"ja": "背景地図（OpenStreetMap）", "en": "Basemap (OpenStreetMap)"},
    },
}

_TEXT = {
    "ja": {
        "overview": "概要：不足・空白の種別数",
        "overview_legend": "不足・空白の種別数",
        "of_total": "（全{n}種別中）",
        "none": "空白",
        "gap": "不足",
        "ok": "充足",
        "empty": "対象なし",
        "empty_why": "（基準の人口が0のため判定なし）",
        "empty_rule": "対象なし（基準の人口が0）",
        "cluster_note": "近くの社会資源の数（拡大で個別表示）",
        "see_sources": "出典: 左下を参照",
        "target1": "（目標",
        "target2": "）",
        "missing": "足りないサービス:",
        "nothing_missing": "すべての種別が目標を満たしています",
        "category": "種別",
        "coverage": "カバー率",
        "status": "判定",
        "coverage_of": "：カバー率",
        "none_rule": "空白（圏内に誰も届かない）",
        "gap_rule1": "不足（目標",
        "gap_rule2": "未満）",
        "resources": "社会資源",
        "resources_count": "社会資源（種別ごとの数）",
        "labels": "圏域名",
        "services": "提供サービス",
        "address": "住所",
        "capacity": "定員",
        "source": "出典",
        "approx": "位置は町丁目の代表点（概略）",
        "approx_near": S.APPROX_NEAR_NOTE_JA,
        "approx_any": S.APPROX_ANY_NOTE_JA,
        "basis_pop": "基準: {label} {value:,.0f}人",
        "basis_area": "基準: 面積 {value:.2f} km²",
        "walk": "徒歩{r}m圏",
        "radius": "半径{r}km圏",
        "network": "道のり{r}m圏",
        "catchment": "道のりで{r}m以内",
        "catchment_layer": "徒歩圏（道のり）",
        "reach": "{label}: {dist}の{who}",
        "area_who": "面積",
        "default_title": "地域資源の空白地図",
        "dates": "データ基準日",
        "made": "作成",
        "sources": "出典",
    },
    "en": {
        "overview": "Overview: categories lacking",
        "overview_legend": "Categories with gap/none",
        "of_total": " (of {n})",
        "none": "none",
        "gap": "gap",
        "ok": "ok",
        "empty": "no weight",
        "empty_why": " (weight is 0: not judged)",
        "empty_rule": "no weight (weight is 0)",
        "cluster_note": "resources nearby (zoom in to split)",
        "see_sources": "sources: see box at lower left",
        "target1": " (target ",
        "target2": ")",
        "missing": "Lacking:",
        "nothing_missing": "Every category meets its target",
        "category": "Category",
        "coverage": "Coverage",
        "status": "Status",
        "coverage_of": ": coverage",
        "none_rule": "none (nobody within reach)",
        "gap_rule1": "gap (below target ",
        "gap_rule2": ")",
        "resources": "Resources",
        "resources_count": "Resources (count per category)",
        "labels": "Area names",
        "services": "Services",
        "address": "Address",
        "capacity": "Capacity",
        "source": "Source",
        "approx": "Position is the town's representative point (approximate)",
        "approx_near": "Position is the known point of a nearby address number (approximate)",
        "approx_any": S.APPROX_ANY_NOTE_EN.capitalize(),
        "basis_pop": "Basis: {label} {value:,.0f}",
        "basis_area": "Basis: area {value:.2f} km²",
        "walk": "{r} m",
        "radius": "{r} km",
        "network": "{r} m on foot along the streets",
        "catchment": "within {r} m on foot",
        "catchment_layer": "Walking catchment",
        "reach": "{label}: {who} within {dist}",
        "area_who": "area",
        "default_title": "Community resource gap map",
        "dates": "Data date",
        "made": "Made",
        "sources": "Sources",
    },
}

_CLUSTER_AUTO = 200


def _fmt_number(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(v):
        return ""
    return f"{v:,.0f}" if v == round(v) else f"{v:,.1f}"


def _categories_json(
    coverage: Coverage, keys: list[str], lang: str
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Escaped display data of each category, and its plain ``[label, reach prefix]``."""
    t = _TEXT[lang]
    info = coverage.info
    if info.basis == "population":
        who = info.weight_label.replace("人口", "") if lang == "ja" else info.weight
    else:
        who = t["area_who"]
    out = []
    texts = []
    for key in keys:
        if key in coverage.taxonomy:
            cat = coverage.taxonomy[key]
            label, colour, marker, symbol = cat.display(lang), cat.color, cat.marker, cat.symbol
            radius, target = cat.radius_m, cat.target
        else:
            label, colour, marker, symbol = key, _style.UNKNOWN_COLOUR, "circle", "?"
            radius, target = 0.0, 0.0
        rule = info.rules.get(key, {})
        radius = float(rule.get("radius_m", radius))
        target = float(rule.get("target", target))
        dist = (
            t["network"].format(r=f"{radius:,.0f}")
            if info.distance == "network"
            else t["walk"].format(r=f"{radius:,.0f}")
            if radius <= 1000
            else t["radius"].format(r=f"{radius / 1000:g}")
        )
        colour = _style.hex_colour(colour)
        prefix = t["reach"].format(label=plain(label), dist=dist, who=plain(who))
        texts.append([plain(label), prefix])
        out.append(
            {
                "key": esc(key),
                "label": esc(label),
                "color": colour,
                "fg": _style.text_colour(colour),
                "marker": marker if marker in _style.MARKER_SHAPES else "circle",
                "symbol": esc(symbol),
                "target": round(target * 100),
                "prefix": esc(prefix),
            }
        )
    return out, texts


def _areas_json(
    coverage: Coverage, cat_index: dict[str, int], lang: str
) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    t = _TEXT[lang]
    table = coverage.table
    areas = coverage.areas
    analysed = [k for k in coverage.categories if k in cat_index]
    bins = _style.overview_bins(len(analysed))
    ids = list(areas[S.AREA_ID])
    known = table[table[S.CATEGORY].isin(list(cat_index))]
    status = known.pivot(index=S.AREA_ID, columns=S.CATEGORY, values=S.STATUS)
    share = known.pivot(index=S.AREA_ID, columns=S.CATEGORY, values=S.COVERAGE)
    order = sorted(cat_index, key=cat_index.__getitem__)
    status = status.reindex(index=ids, columns=order)
    share = share.reindex(index=ids, columns=order)
    codes = {S.STATUS_NONE: "n", S.STATUS_GAP: "g", S.STATUS_OK: "o", S.STATUS_EMPTY: "e"}
    st_all = [[codes.get(v, "-") for v in row] for row in status.to_numpy(dtype=object)]
    pct = np.floor(share.to_numpy(dtype=float) * 100 + 0.5)
    cov_all = [[None if math.isnan(v) else int(v) for v in row] for row in pct]
    weights = table.drop_duplicates(S.AREA_ID).set_index(S.AREA_ID)[S.WEIGHT].reindex(ids)
    points = areas.geometry.representative_point().to_crs("EPSG:4326")
    out = []
    for i, (name, pt, weight) in enumerate(
        zip(areas[S.AREA_NAME], points, weights.to_numpy(), strict=True)
    ):
        st, cov = st_all[i], cov_all[i]
        n_lacking = sum(1 for s in st if s in ("n", "g"))
        colour = _style.overview_colour(n_lacking, bins)
        if "e" in st and all(s in ("e", "-") for s in st):
            colour = _style.EMPTY_COLOUR
        out.append(
            {
                "name": esc(name),
                "basis": esc(_basis_text(coverage, weight, t)),
                "st": st,
                "cov": cov,
                "n": n_lacking,
                "color": colour,
                "at": [round(pt.y, 5), round(pt.x, 5)],
            }
        )
    return out, bins


def _basis_text(coverage: Coverage, weight: Any, t: dict[str, str]) -> str:
    """Plain text of an area's weight: 「基準: 65歳以上人口 1,234人」 or its land area."""
    if pd.isna(weight):
        return ""
    if coverage.info.basis == "population":
        return t["basis_pop"].format(label=plain(coverage.info.weight_label), value=weight)
    return t["basis_area"].format(value=weight / 1e6)


def _drawn_resources(coverage: Coverage) -> Any:
    """The resources that get a marker (those with a point), in marker order; ``None`` if none."""
    res = coverage.resources
    if res is None or res.empty:
        return None
    return res[res.geometry.notna() & ~res.geometry.is_empty]


def _panel_json(coverage: Coverage, cat_texts: list[list[str]], lang: str) -> dict[str, Any]:
    """Plain (unescaped) texts for the search box and the area panel, shown with ``textContent``.

    ``res`` is parallel to the map's resource list: ``[name, address, area position or -1]``.
    """
    t = _TEXT[lang]
    areas = coverage.areas
    table = coverage.table
    weights = table.drop_duplicates(S.AREA_ID).set_index(S.AREA_ID)[S.WEIGHT]
    weights = weights.reindex(list(areas[S.AREA_ID]))
    area_rows = [
        [plain(name), _basis_text(coverage, w, t)]
        for name, w in zip(areas[S.AREA_NAME], weights.to_numpy(), strict=True)
    ]
    res = _drawn_resources(coverage)
    rows: list[list[Any]] = []
    if res is not None:
        position = {str(a): i for i, a in enumerate(areas[S.AREA_ID])}
        n = len(res)
        names = res[S.NAME] if S.NAME in res.columns else [None] * n
        addresses = res[S.ADDRESS] if S.ADDRESS in res.columns else [None] * n
        area_ids = res[S.AREA_ID] if S.AREA_ID in res.columns else [None] * n
        for name, address, aid in zip(names, addresses, area_ids, strict=True):
            where = -1 if aid is None or pd.isna(aid) else position.get(str(aid), -1)
            rows.append([plain(name), plain(address), where])
    return {"t": panel_text(lang), "cats": cat_texts, "areas": area_rows, "res": rows}


def _resources_json(coverage: Coverage, cat_index: dict[str, int]) -> list[list[Any]]:
    res = _drawn_resources(coverage)
    if res is None:
        return []
    pts = res.geometry.to_crs("EPSG:4326")
    n = len(res)

    def column(name: str) -> list[Any]:
        return list(res[name]) if name in res.columns else [None] * n

    primaries = column(S.CATEGORY)
    all_keys = column(S.CATEGORIES)
    capacities = column(S.CAPACITY)
    out: list[list[Any]] = []
    for i, (x, y) in enumerate(zip(pts.x.round(6), pts.y.round(6), strict=True)):
        keys = all_keys[i]
        if keys is None or (isinstance(keys, float) and math.isnan(keys)):
            keys = (primaries[i],)
        elif isinstance(keys, str):
            keys = (keys,)
        known = [cat_index[k] for k in keys if k in cat_index]
        unknown = [esc(k) for k in keys if k not in cat_index]
        primary = cat_index.get(primaries[i], known[0] if known else 0)
        cap = _fmt_number(capacities[i]) if capacities[i] is not None else ""
        out.append([float(y), float(x), primary, known, "", unknown, "", cap, "", 0])
    for slot, name in ((4, S.NAME), (6, S.ADDRESS), (8, S.SOURCE)):
        for row, value in zip(out, column(name), strict=True):
            row[slot] = esc(value)
    # geocoded to an approximate point (read_resources(geocode=...)): drawn hollow;
    # 1 = a town's point, 2 = the known point of a nearby 番地
    for row, level in zip(out, column(S.GEOCODE_LEVEL), strict=True):
        row[9] = (2 if level == "近隣番地" else 1) if level in S.APPROX_LEVELS else 0
    return out


def _check_options(coverage: Coverage, category: str | None, tiles: str | None, lang: str) -> None:
    """Refuse an unknown ``lang``, ``tiles`` or ``category`` before anything is built."""
    check_choice("lang", lang, tuple(_TEXT))
    check_choice("tiles", tiles, (*TILES, None))
    if coverage.areas is None or coverage.areas.empty:
        raise ChiikimapError("圏域がありません / the coverage has no areas to draw")
    analysed = list(coverage.categories)
    if category is not None and category not in analysed:
        raise ParameterError(
            f"種別 {category!r} は分析されていません / category {category!r} was not analysed; "
            f"choose one of {', '.join(analysed)}",
            param="category",
        )


def _view_keys(coverage: Coverage) -> list[str]:
    """Every category a view or a marker needs: analysed ones first, then those of resources."""
    keys = list(coverage.categories)
    res = coverage.resources
    if res is None or res.empty:
        return keys
    col = res[S.CATEGORIES] if S.CATEGORIES in res.columns else res[S.CATEGORY]
    for v in col:
        for k in (v,) if isinstance(v, str) else tuple(v):
            if k not in keys and k in coverage.taxonomy:
                keys.append(k)
    return keys


def _swatch(colour: str, label: str) -> str:
    return (
        f'<div class="ckm-row"><span class="ckm-sw" style="background:{colour}"></span>'
        f"{label}</div>"
    )


def _legend_html(bins: list[tuple[int, int, str]], t: dict[str, str], n_cat: int) -> dict[str, str]:
    """Legend fragments: overview classes, the coverage ramp, the 空白 hatch and 対象なし."""
    ramp = _style.COVERAGE_RAMP
    overview_rows = "".join(_swatch(c, str(lo) if lo == hi else f"{lo}–{hi}") for lo, hi, c in bins)
    ramp_rows = "".join(
        _swatch(c, f"{lo}–{ramp[i + 1][0] if i + 1 < len(ramp) else 100}%")
        for i, (lo, c) in enumerate(ramp)
    )
    none_row = (
        '<div class="ckm-row"><svg width="18" height="12" style="margin-right:6px">'
        '<rect width="18" height="12" fill="url(#ckm-hatch)" stroke="#b2182b" stroke-width="2" '
        f'stroke-dasharray="4 2"/></svg>{esc(t["none_rule"])}</div>'
    )
    return {
        "overview": f"<h4>{esc(t['overview_legend'])}{esc(t['of_total'].format(n=n_cat))}</h4>"
        + overview_rows,
        "ramp": ramp_rows,
        "none": none_row,
        "empty": _swatch(_style.EMPTY_COLOUR, esc(t["empty_rule"])),
    }


def _title_html(
    coverage: Coverage, title: str | None, note_html: str | None, t: dict[str, str]
) -> tuple[str, str]:
    """The escaped heading, and the title box's HTML (heading, dates, made, the raw note)."""
    info = coverage.info
    heading = esc(title if title is not None else t["default_title"])
    sub = []
    if info.data_dates:
        sub.append(f"{t['dates']}: " + "、".join(esc(d) for d in info.data_dates))
    if info.created:
        sub.append(f"{t['made']}: {esc(info.created)}")
    html = heading + ("<small>" + " ・ ".join(sub) + "</small>" if sub else "")
    if note_html:
        html += "<small>" + note_html + "</small>"
    return heading, html


def sources_box_html(
    source_lines: Sequence[str], data_dates: Sequence[str], t: Mapping[str, str]
) -> str:
    """The escaped sources box: one line per source, then the data dates of every layer.

    Parameters
    ----------
    source_lines
        One line per source: its layer, credit, licence and date (:attr:`Source.dated_line`).
    data_dates
        The reference dates, each with its layer (``"圏域 2023"``).
    t
        The map texts of the language (``sources`` and ``dates`` are used).

    Returns
    -------
    str
        HTML for a ``ckm-info`` box; empty when there are neither sources nor dates.
    """
    # one line per source: its layer, credit, licence and date (never one date for the map)
    source_items = "".join(f"<div>{esc(line)}</div>" for line in source_lines)
    html = f"<h4>{esc(t['sources'])}</h4>{source_items}" if source_items else ""
    if data_dates:
        html += (
            f'<div class="ckm-date">{esc(t["dates"])}: '
            + "、".join(esc(d) for d in data_dates)
            + "</div>"
        )
    return html


def _sources_html(coverage: Coverage, t: dict[str, str], lang: str) -> tuple[str, str]:
    """The sources box (credits, dates, people outside every area) and the attribution line."""
    info = coverage.info
    html = sources_box_html(info.source_lines, info.data_dates, t)
    # the attribution line stays short: the full credit lines are in the sources box
    attribution = esc(t["see_sources"]) if html else ""
    return html + _notes_html(coverage, lang), attribution


def _notes_html(coverage: Coverage, lang: str) -> str:
    """The escaped notes under the sources: people outside every area, approximate points."""
    html = ""
    # people in no area are counted nowhere: say how many, where the sources are read
    outside = outside_note(coverage, lang=lang)
    if outside:
        html += f'<div class="ckm-outside">{esc(outside)}</div>'
    approx = approx_note(coverage, lang=lang)  # town points only: distances are rough
    if approx:
        html += f'<div class="ckm-approx">{esc(approx)}</div>'
    return html


def _tile_spec(tiles: str | None, max_zoom: int | None, lang: str) -> dict[str, Any] | None:
    if tiles is None:
        return None
    spec = TILES[tiles]
    return {
        "url": spec["url"],
        "attribution": spec["attribution"],
        "maxNativeZoom": spec["maxNativeZoom"],
        "maxZoom": max_zoom or 18,
        "name": esc(spec["name"][lang]),
    }


def _catchments_json(
    coverage: Coverage, keys: list[str], lang: str, decimals: int = 5
) -> list[dict[str, Any] | None]:
    """Per category (in ``keys`` order) its walking catchment: an escaped legend label and the
    GeoJSON geometry in lon/lat (``None``: straight-line run, or nobody reached)."""
    out: list[dict[str, Any] | None] = [None] * len(keys)
    if coverage.catchments is None:
        return out
    pos = {k: i for i, k in enumerate(keys)}
    lonlat = coverage.catchments.to_crs("EPSG:4326")
    for key, radius, geom in zip(
        lonlat[S.CATEGORY], lonlat["radius_m"], lonlat.geometry, strict=True
    ):
        if key not in pos or geom is None or geom.is_empty:
            continue
        rounded = shapely.transform(geom, lambda xy: np.round(xy, decimals))
        label = _TEXT[lang]["catchment"].format(r=f"{float(radius):,.0f}")
        out[pos[key]] = {"label": esc(label), "geometry": shapely.geometry.mapping(rounded)}
    return out


def _area_features(coverage: Coverage, simplify_m: float) -> dict[str, Any]:
    geoms = display_geometries(
        coverage.areas, metric_crs=coverage.info.metric_crs or None, tolerance_m=simplify_m
    )
    features = [
        {"type": "Feature", "properties": {"i": i}, "geometry": g}
        for i, g in enumerate(geoms)
        if g is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def gap_map(  # noqa: PLR0913  (keyword-only map options are the documented API)
    coverage: Coverage,
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
    """Interactive gap map of ``coverage``.

    Parameters
    ----------
    coverage
        Result of :func:`chiikimap.analyze`; nothing is recomputed.
    category
        Category key whose view is shown first; ``None`` shows the overview.
    tiles
        Basemap: ``"gsi_pale"`` (地理院タイル 淡色, default), ``"gsi_std"``, ``"osm"``, or ``None``
        for none. Each carries the attribution its terms require.
    lang
        ``"ja"`` (default) or ``"en"`` labels.
    title
        Title shown on the map (escaped); defaults to 「地域資源の空白地図」.
    cluster
        Cluster resource markers; ``None`` clusters when there are more than 200 resources.
    max_zoom
        Highest zoom level (default 18); tiles are upscaled beyond their native zoom.
    simplify_m
        Display simplification tolerance in metres (as a coverage; the analysis geometry is not
        touched). ``0`` keeps every vertex.
    note_html
        Raw HTML put under the title **without escaping** — trusted input only (explicit opt-in).
    width, height
        CSS size of the map.
    offline
        Inline Leaflet when the map is displayed in a notebook, so it draws with no internet
        (files written with :func:`save_html` choose with their own ``offline=``).
    area_legend
        Show the legend of the area colours (coverage classes, 空白, 不足); ``False`` keeps only
        the resource symbols, for views that colour the areas with a legend of their own.

    Returns
    -------
    GapMap
        A :class:`folium.Map` (add layers, ``.save()``, display it in Jupyter).
    """
    _check_options(coverage, category, tiles, lang)
    t = _TEXT[lang]
    analysed = list(coverage.categories)
    keys = _view_keys(coverage)
    cat_index = {k: i for i, k in enumerate(keys)}
    cats, cat_texts = _categories_json(coverage, keys, lang)
    # legend numbers: every resource of each category, as the table counts (issue 9)
    counts = category_counts(coverage, keys)
    for entry, key in zip(cats, keys, strict=True):
        entry["n"] = esc(count_text(*counts[key], lang))
    area_rows, bins = _areas_json(coverage, cat_index, lang)
    resources = _resources_json(coverage, cat_index)
    minx, miny, maxx, maxy = coverage.areas.to_crs("EPSG:4326").total_bounds
    views = [{"name": esc(t["overview"]), "cat": -1}]
    views += [
        {"name": c["label"], "cat": cat_index[k]}
        for k, c in zip(keys, cats, strict=True)
        if k in analysed
    ]
    heading, title_html = _title_html(coverage, title, note_html, t)
    info_html, attribution = _sources_html(coverage, t, lang)
    data = {
        "text": {k: esc(v) for k, v in t.items()},
        "cats": cats,
        "views": views,
        "start": 0 if category is None else 1 + analysed.index(category),
        "areas": _area_features(coverage, simplify_m),
        "catch": _catchments_json(coverage, keys, lang),
        "area": area_rows,
        "res": resources,
        # the resource legend: categories that have markers, and every analysed category that has
        # resources (a secondary category is counted even where another one gives the marker)
        "present": sorted(
            {r[2] for r in resources} | {cat_index[k] for k in analysed if sum(counts[k])}
        ),
        "cluster": bool(len(resources) > _CLUSTER_AUTO if cluster is None else cluster),
        "ramp": [list(step) for step in _style.COVERAGE_RAMP],
        "legend": _legend_html(bins, t, len(analysed)),
        "areaLegend": area_legend,
        "emptyColor": _style.EMPTY_COLOUR,
        "tile": _tile_spec(tiles, max_zoom, lang),
        "attribution": attribution,
        "title": title_html,
        "info": info_html,
        "maxZoom": max_zoom or 18,
        "bounds": [[float(miny), float(minx)], [float(maxy), float(maxx)]],
    }
    m = GapMap(
        location=[float(miny + maxy) / 2, float(minx + maxx) / 2],
        zoom_start=12,
        tiles=None,
        width=width,
        height=height,
        control_scale=False,
        zoom_snap=0.25,
    )
    # only Leaflet itself: no jQuery, Bootstrap, awesome-markers or icon fonts
    m.default_js = [("leaflet", JS_ASSETS["leaflet"][0])]
    m.default_css = [("leaflet_css", CSS_ASSETS["leaflet_css"][0])]
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(f"<title>{heading}</title>"), name="chiikimap_title")
    GapMapLayers(data).add_to(m)
    # search box and area panel: plain texts in a JSON block, put in the page as text only
    AreaSearch(_panel_json(coverage, cat_texts, lang)).add_to(m)
    NoLibraryNote().add_to(m)
    m.offline = offline
    m.fallback_html = functools.partial(coverage_html, coverage)
    return m


class GapMap(folium.Map):
    """The folium map returned by :func:`gap_map`, with a notebook display that stays usable.

    In Jupyter the map is shown in an ``<iframe srcdoc>`` (no data-URI size limit); with
    ``offline=True`` Leaflet is inlined so it also draws with no internet. A map larger than
    :data:`INLINE_LIMIT_BYTES` is not embedded (the notebook would hit the IOPub data-rate limit)
    and nothing is written to disk: the display says how large the map is, how to save it with
    ``save_html`` or make it smaller, and shows the coverage's gap matrix instead.
    """

    offline: bool = False
    #: builds the static HTML shown instead of a map too large to embed (set by :func:`gap_map`)
    fallback_html: Callable[[], str] | None = None

    def _repr_html_(self, **kwargs: Any) -> str:
        html = self.get_root().render()
        if self.offline:
            html = inline_assets(html)
        size = len(html.encode("utf-8"))
        if size > INLINE_LIMIT_BYTES:
            return _too_large_html(size, self.fallback_html() if self.fallback_html else "")
        return (
            '<div class="chiikimap-map" style="width:100%;height:640px">'
            f'<iframe srcdoc="{esc(html)}" style="width:100%;height:100%;border:0" '
            "allowfullscreen></iframe></div>"
        )


def _format_bytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 1_000_000 else f"{size / 1e3:,.0f} KB"


def _too_large_html(size: int, fallback: str) -> str:
    """Message shown in a notebook instead of a map of ``size`` bytes, then ``fallback`` HTML."""
    limit = _format_bytes(INLINE_LIMIT_BYTES)
    lines = [
        f"地図が大きすぎる（{_format_bytes(size)}、上限 {limit}）ため、ノートブックには表示しません。"
        " / The map is too large to show in the notebook "
        f"({_format_bytes(size)}; limit {limit}).",
        "見るには、ファイルに保存してブラウザで開いてください / To see it, save it and open the "
        'file in a browser: cov.save_html("map.html", offline=True)',
        "または、1つの種別だけにするか図形を簡略化して小さくしてください / or make it smaller "
        'with one category or coarser shapes: cov.map(category="…", simplify_m=50)',
    ]
    text = "".join(f"<p style='margin:2px 0'>{esc(line)}</p>" for line in lines)
    return (
        '<div class="chiikimap-map" style="border:1px solid #d9a400;padding:6px;'
        f'background:#fffbe6">{text}</div>{fallback}'
    )


def save_html(  # noqa: PLR0913  (gap_map's keyword-only options, plus offline)
    coverage: Coverage,
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
    """Write the gap map of ``coverage`` to ``path`` as one HTML page.

    The page is written to a temporary file in the same folder and renamed over ``path`` when
    complete, so an interrupted run leaves the old file (or none), never a truncated one.

    Parameters
    ----------
    coverage
        Result of :func:`chiikimap.analyze`.
    path
        Output ``.html`` file.
    offline
        Write ONE self-contained file: Leaflet and Leaflet.markercluster (from the installed XStatic
        packages) are inlined, so the map opens with no network; only the optional tile layer
        would be fetched, and without it areas, labels and markers are still drawn.
    category, tiles, lang, title, cluster, max_zoom, simplify_m, note_html
        As for :func:`gap_map`.

    Raises
    ------
    OutputFileError
        The folder is missing or read-only, or the file cannot be replaced.
    """
    m = gap_map(
        coverage,
        category=category,
        tiles=tiles,
        lang=lang,
        title=title,
        cluster=cluster,
        max_zoom=max_zoom,
        simplify_m=simplify_m,
        note_html=note_html,
    )
    html = m.get_root().render()
    if offline:
        html = inline_assets(html)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
