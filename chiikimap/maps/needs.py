"""Maps of needs and change: the priority view (need × gap quadrants) and the 「変化」 view.

Both draw an existing gap map (:func:`chiikimap.maps.interactive.gap_map`, or the print map of
:func:`chiikimap.maps.static.static_map`) and put one layer on top:

- **優先圏域** (:func:`priority_map`, :func:`priority_static_map`): each area filled with its
  quadrant of :meth:`chiikimap.Coverage.priorities` (高ニーズ×不足 dark red …), the tooltip
  giving its rank, share, people at risk and at-risk people out of reach.
- **変化** (:func:`change_map`, :func:`change_static_map`): each area filled with its trend of
  :func:`chiikimap.compare` (改善 / 悪化 / 変化なし / 改善と悪化 / 境界が変わった), the tooltip
  giving each category's status change and figures; resources opened (＋, green) and closed
  (×, red) are marked.

Every text from data files (area, resource and indicator names) is escaped before it reaches
the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import _schema as S
from .._atomic import atomic_path
from .._errors import ParameterError
from .._html import esc

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Coverage

__all__ = [
    "QUADRANT_COLOURS",
    "TREND_COLOURS",
    "TREND_LABELS",
    "area_trends",
    "change_map",
    "change_static_map",
    "priority_map",
    "priority_static_map",
    "save_change_html",
    "save_change_static",
    "save_priority_html",
    "save_priority_static",
]

#: Fill of each need × gap quadrant (:data:`chiikimap.needs.QUADRANTS`): reds where the
#: category falls short, blues where it is 充足, darker for high need; grey when unknown.
QUADRANT_COLOURS: dict[str, str] = {
    "高ニーズ×不足": "#b2182b",
    "低ニーズ×不足": "#f4a582",
    "高ニーズ×充足": "#4393c3",
    "低ニーズ×充足": "#d1e5f0",
    "不明": "#e0e0e0",
}
_QUADRANT_EN = {
    "高ニーズ×不足": "high need × short",
    "低ニーズ×不足": "low need × short",
    "高ニーズ×充足": "high need × served",
    "低ニーズ×充足": "low need × served",
    "不明": "unknown",
}
#: Fill of each trend of an area (:func:`area_trends`).
TREND_COLOURS: dict[str, str] = {
    "improved": "#1a9850",
    "worse": "#d73027",
    "mixed": "#fdae61",
    "unchanged": "#e0e0e0",
    "boundary_changed": "#9e9ac8",
    "new_area": "#80cdc1",
    "removed_area": "#80cdc1",
}
#: Trend key → (Japanese, English) label.
TREND_LABELS: dict[str, tuple[str, str]] = {
    "improved": ("改善", "improved"),
    "worse": ("悪化", "worse"),
    "mixed": ("改善と悪化", "some better, some worse"),
    "unchanged": ("変化なし", "unchanged"),
    "boundary_changed": ("境界が変わった（比較しない）", "boundary changed (not compared)"),
    "new_area": ("新しい圏域", "new area"),
    "removed_area": ("なくなった圏域", "removed area"),
}
OPENED_COLOUR = "#1a9850"
CLOSED_COLOUR = "#d73027"
_FILL_OPACITY = 0.85


# --- shared pieces ------------------------------------------------------------------------------
def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.1%}"


def _num(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def _signed(value: Any, *, pct: bool = False) -> str:
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    return f"{v * 100:+.1f}pt" if pct else f"{v:+,.0f}"


def _legend_html(
    title: str, items: Sequence[tuple[str, str, str]], toggle: Sequence[str] = ()
) -> str:
    """A fixed box in the lower right: escaped title, (colour, shape, label) rows, and a check
    box that shows or hides the layers ``toggle`` (their JavaScript names, map first)."""
    rows = []
    for colour, shape, label in items:
        if shape == "area":
            mark = (
                f'<span style="display:inline-block;width:16px;height:12px;background:{colour};'
                'border:1px solid #555;margin-right:6px;vertical-align:middle"></span>'
            )
        else:
            mark = (
                f'<span style="display:inline-block;width:16px;height:16px;line-height:15px;'
                f"border-radius:50%;background:{colour};color:#fff;text-align:center;"
                f'font-weight:bold;margin-right:6px;vertical-align:middle">{shape}</span>'
            )
        rows.append(f'<div style="margin:2px 0">{mark}{esc(label)}</div>')
    if toggle:
        # folium's generated identifiers (letters, digits, _), never data text
        layers = ",".join(toggle[1:])
        rows.append(
            '<label style="display:block;margin-top:4px;cursor:pointer"><input type="checkbox" '
            f'checked onchange="var m={toggle[0]};[{layers}].forEach(function(g){{'
            'this.checked?m.addLayer(g):m.removeLayer(g)}, this)"> 塗り分けを表示 / show</label>'
        )
    return (
        '<div class="ckm-needs-legend" style="position:fixed;z-index:1000;right:10px;'
        "bottom:28px;background:rgba(255,255,255,.95);padding:6px 10px;border:1px solid #999;"
        'border-radius:4px;font:12px sans-serif;max-width:260px">'
        f'<div style="font-weight:bold;margin-bottom:3px">{esc(title)}</div>{"".join(rows)}</div>'
    )


def _add_legend(m: folium.Map, html: str) -> None:
    import folium
    from branca.element import Figure

    root = m.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(folium.Element(html))


def _area_layer(
    m: folium.Map,
    coverage: Coverage,
    name: str,
    fills: Mapping[str, str],
    tips: Mapping[str, str],
) -> folium.FeatureGroup:
    """One GeoJSON per area, filled with ``fills[area_id]``, tooltip ``tips[area_id]`` (HTML)."""
    import folium

    from ._geometry import display_geometries

    geoms = display_geometries(coverage.areas, metric_crs=coverage.info.metric_crs or None)
    group = folium.FeatureGroup(name=name, show=True)
    for aid, geom in zip(coverage.areas[S.AREA_ID].astype(str), geoms, strict=True):
        if geom is None or aid not in fills:
            continue
        colour = fills[aid]
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": geom},
            style_function=lambda _f, c=colour: {
                "color": "#333333",
                "weight": 1.5,
                "fillColor": c,
                "fillOpacity": _FILL_OPACITY,
            },
            highlight_function=lambda _f: {"weight": 3},
            tooltip=folium.Tooltip(tips.get(aid, ""), sticky=True),
        ).add_to(group)
    group.add_to(m)
    return group


def _write_html(m: folium.Map, path: str | PathLike[str], offline: bool) -> None:
    from ._offline import inline_assets

    html = m.get_root().render()
    if offline:
        html = inline_assets(html)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def _write_figure(fig: Figure, path: str | PathLike[str], dpi: int) -> None:
    from .static import _japanese_font

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ParameterError(
            f"{p}: 拡張子は .png か .pdf にしてください / the file must end in .png or .pdf",
            param="path",
        )
    with _japanese_font(), atomic_path(p) as tmp:
        if suffix == ".pdf":
            fig.savefig(tmp, format="pdf", metadata={"Creator": "chiikimap"})
        else:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": "chiikimap"})


def _legend_handles(items: Sequence[tuple[str, str, str]]) -> list[Any]:
    """Legend entries of ``items`` (colour, ``"area"``/``"＋"``/``"×"``, label) for the print map."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for colour, shape, label in items:
        if shape == "area":
            handles.append(Patch(facecolor=colour, edgecolor="#333333", label=label))
        else:
            marker = "P" if shape == "＋" else "X"
            handles.append(
                Line2D([], [], marker=marker, color="none", markerfacecolor=colour,
                       markeredgecolor="white", markersize=11, label=label)
            )  # fmt: skip
    return handles


def _fill_areas(ax: Axes, coverage: Coverage, fills: Mapping[str, str]) -> None:
    areas = coverage.areas.to_crs(coverage.info.metric_crs)
    ids = areas[S.AREA_ID].astype(str)
    keep = ids.isin(list(fills)).to_numpy()
    if keep.any():
        part = areas[keep]
        part.plot(
            ax=ax,
            color=[fills[i] for i in ids[keep]],
            edgecolor="#333333",
            linewidth=0.8,
            zorder=1.5,
        )


# --- priority view ------------------------------------------------------------------------------
def _priority_texts(
    coverage: Coverage, indicator: str, category: str, table: pd.DataFrame
) -> dict[str, str]:
    label = coverage.taxonomy.label(category) if category in coverage.taxonomy else category
    people = coverage.info.basis == "population"
    unit = "人" if people else "m²"
    tips = {}
    for r in table.to_dict("records"):
        status = S.STATUS_LABELS.get(str(r[S.STATUS]), (str(r[S.STATUS]),))[0]
        tips[str(r[S.AREA_ID])] = (
            f"<b>{int(r['rank'])}. {esc(r[S.AREA_NAME])}</b><br>{esc(r['quadrant'])}<br>"
            f"{esc(indicator)}: {_pct(r['share'])}<br>"
            f"{esc(coverage.info.weight_label)}: {_num(r[S.WEIGHT])} {unit}<br>"
            f"該当者（推計） / at risk: {_num(r['at_risk'])} {unit}<br>"
            f"うち{esc(label)}に届かない / of them out of reach: "
            f"<b>{_num(r['at_risk_uncovered'])}</b> {unit}<br>"
            f"カバー率 / coverage: {_pct(r[S.COVERAGE])}・判定 / status: {esc(status)}"
        )
    return tips


def _quadrant_items(table: pd.DataFrame, lang: str) -> list[tuple[str, str, str]]:
    present = set(table["quadrant"])
    return [
        (colour, "area", q if lang == "ja" else f"{q} / {_QUADRANT_EN[q]}")
        for q, colour in QUADRANT_COLOURS.items()
        if q in present
    ]


def _priority_title(coverage: Coverage, indicator: str, category: str) -> str:
    label = coverage.taxonomy.label(category) if category in coverage.taxonomy else category
    return f"優先圏域：{indicator} × {label}"


def priority_map(coverage: Coverage, indicator: str, category: str, **kwargs: Any) -> folium.Map:
    """Interactive priority view: areas filled by need × gap quadrant, figures in the tooltip.

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    indicator
        A share indicator (e.g. 「閉じこもり傾向」).
    category
        Category key.
    **kwargs
        Options of :func:`chiikimap.maps.interactive.gap_map` (``tiles``, ``lang``, ``title``
        …); the gap map of ``category`` lies under the layer 「優先圏域」.

    Returns
    -------
    folium.Map
        The map with the layer 「優先圏域」 and its legend (lower right). High need = a share at
        or above the median of the areas (as :meth:`chiikimap.Coverage.priorities`).
    """

    from .interactive import gap_map

    table = coverage.priorities(indicator, category)
    kwargs.setdefault("title", _priority_title(coverage, indicator, category))
    lang = str(kwargs.get("lang", "ja"))
    # the quadrant legend replaces the coverage one: its blue is not a coverage class
    kwargs.setdefault("area_legend", False)
    m = gap_map(coverage, category=category, **kwargs)
    fills = {
        str(a): QUADRANT_COLOURS[q]
        for a, q in zip(table[S.AREA_ID], table["quadrant"], strict=True)
    }
    tips = _priority_texts(coverage, indicator, category, table)
    layer = _area_layer(m, coverage, "優先圏域 / priority", fills, tips)
    median = table.attrs.get("median_share", np.nan)
    title = f"優先圏域（{indicator} の中央値 {_pct(median)} 以上＝高ニーズ）"
    toggle = (m.get_name(), layer.get_name())
    _add_legend(m, _legend_html(title, _quadrant_items(table, lang), toggle))
    return m


def save_priority_html(
    coverage: Coverage,
    path: str | PathLike[str],
    indicator: str,
    category: str,
    *,
    offline: bool = False,
    **kwargs: Any,
) -> None:
    """Write :func:`priority_map` to one HTML file (atomically; ``offline=True`` inlines Leaflet).

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    path
        Output ``.html`` file.
    indicator, category
        As for :func:`priority_map`.
    offline
        One self-contained file that opens with no network (as ``Coverage.save_html``).
    **kwargs
        Options of :func:`priority_map`.
    """
    _write_html(priority_map(coverage, indicator, category, **kwargs), path, offline)


def priority_static_map(coverage: Coverage, indicator: str, category: str, **kwargs: Any) -> Figure:
    """Print map of the priority view: areas filled by quadrant, legend in the value legend's place.

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    indicator, category
        As for :func:`priority_map`.
    **kwargs
        Options of :func:`chiikimap.maps.static.static_map` (``paper``, ``orientation``,
        ``lang``, ``title``, ``resources``). The category's resources are drawn as on its
        gap print map (hollow symbols for those placed only at a town's point, each kind in the
        legend) unless ``resources=False``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (map axes first).
    """
    from .static import _static_map

    table = coverage.priorities(indicator, category)
    kwargs.setdefault("title", _priority_title(coverage, indicator, category))
    lang = str(kwargs.get("lang", "ja"))
    median = table.attrs.get("median_share", np.nan)
    name = "\n".join(indicator[i : i + 12] for i in range(0, len(indicator), 12))
    title = f"優先圏域\n高ニーズ＝\n{name}\nが中央値 {_pct(median)} 以上"
    legend = (title, _legend_handles(_quadrant_items(table, lang)))
    fills = {
        str(a): QUADRANT_COLOURS[q]
        for a, q in zip(table[S.AREA_ID], table["quadrant"], strict=True)
    }
    return _static_map(
        coverage,
        category=category,
        value_legend=legend,
        overlay=lambda ax: _fill_areas(ax, coverage, fills),
        **kwargs,
    )


def save_priority_static(
    coverage: Coverage,
    path: str | PathLike[str],
    indicator: str,
    category: str,
    *,
    dpi: int = 250,
    **kwargs: Any,
) -> None:
    """Write :func:`priority_static_map` to ``path`` (``.png`` or ``.pdf``, atomically).

    Parameters
    ----------
    coverage
        A result of ``analyze(..., indicators=...)``.
    path
        Output ``.png`` or ``.pdf`` file.
    indicator, category
        As for :func:`priority_map`.
    dpi
        Resolution of a PNG.
    **kwargs
        Options of :func:`priority_static_map`.
    """
    import matplotlib.pyplot as plt

    fig = priority_static_map(coverage, indicator, category, **kwargs)
    try:
        _write_figure(fig, path, dpi)
    finally:
        plt.close(fig)


# --- change view --------------------------------------------------------------------------------
def area_trends(changes: pd.DataFrame, category: str | None = None) -> dict[str, str]:
    """One trend per area from a :func:`chiikimap.compare` table.

    With ``category`` the trend of that category; otherwise ``boundary_changed``, ``new_area`` or
    ``removed_area`` when any row says so, ``mixed`` (改善と悪化) when some categories improved
    and others got worse, else ``improved``, ``worse`` or ``unchanged``.
    """
    rows = changes if category is None else changes[changes[S.CATEGORY] == category]
    out: dict[str, str] = {}
    for aid, part in rows.groupby(S.AREA_ID, sort=False):
        trends = set(part["trend"])
        for special in ("boundary_changed", "new_area", "removed_area"):
            if special in trends:
                out[str(aid)] = special
                break
        else:
            if {"improved", "worse"} <= trends:
                out[str(aid)] = "mixed"
            elif "improved" in trends:
                out[str(aid)] = "improved"
            elif "worse" in trends:
                out[str(aid)] = "worse"
            else:
                out[str(aid)] = "unchanged"
    return out


def _change_line(r: Mapping[Any, Any], label: str) -> str:
    status = r["status_change"] or (
        S.STATUS_LABELS.get(str(r["status_after"]), ("",))[0] + "（変化なし）"
    )
    moves = []
    if r["n_opened"]:
        moves.append(f"開設 {int(r['n_opened'])}")
    if r["n_closed"]:
        moves.append(f"廃止 {int(r['n_closed'])}")
    return (
        f"{esc(label)}: <b>{esc(status)}</b>　カバー率 {_pct(r['coverage_before'])}→"
        f"{_pct(r['coverage_after'])}（{_signed(r['coverage_change'], pct=True)}）　資源 "
        f"{_num(r['n_resources_before'])}→{_num(r['n_resources_after'])}"
        + (f"（{esc('・'.join(moves))}）" if moves else "")
    )


def _change_texts(
    after: Coverage, changes: pd.DataFrame, trends: Mapping[str, str], category: str | None
) -> dict[str, str]:
    rows = changes if category is None else changes[changes[S.CATEGORY] == category]
    tips = {}
    for aid, part in rows.groupby(S.AREA_ID, sort=False):
        trend = TREND_LABELS[trends[str(aid)]][0]
        name = part[S.AREA_NAME].iloc[0]
        lines = [
            _change_line(
                r,
                after.taxonomy.label(r[S.CATEGORY])
                if r[S.CATEGORY] in after.taxonomy
                else str(r[S.CATEGORY]),
            )
            for r in part.to_dict("records")
            if category is not None or r["trend"] != "unchanged" or r["n_opened"] or r["n_closed"]
        ]
        body = "<br>".join(lines) if lines else "どの種別も変化なし / no change"
        tips[str(aid)] = f"<b>{esc(name)}</b>（{esc(trend)}）<br>{body}"
    return tips


def _moved_resources(
    before: Coverage, after: Coverage, category: str | None, within_m: float
) -> gpd.GeoDataFrame:
    """Resources opened (from ``after``) and closed (from ``before``), with ``change``."""
    import geopandas as gpd

    from ..compare import resource_changes

    ch = resource_changes(before, after, within_m=within_m)
    parts = []
    for kind, cov, side in (("opened", after, "after"), ("closed", before, "before")):
        rows = ch[ch["change"] == kind]
        if category is not None:
            keep = np.array([category in (c or ()) for c in rows[f"categories_{side}"]], dtype=bool)
            rows = rows.loc[keep]
        res = cov.resources.set_index(S.RESOURCE_ID)
        pts = res.loc[list(rows[f"resource_id_{side}"])].reset_index()
        pts = pts[[S.RESOURCE_ID, S.NAME, S.CATEGORIES, S.GEOMETRY]].copy()
        pts["change"] = kind
        parts.append(pts.to_crs(S.STORAGE_CRS))
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=S.GEOMETRY, crs=S.STORAGE_CRS)


def _resource_tip(row: Mapping[str, Any], cov: Coverage) -> str:
    kind = "開設 / opened" if row["change"] == "opened" else "廃止 / closed"
    cats = row[S.CATEGORIES] if isinstance(row[S.CATEGORIES], tuple | list) else ()
    labels = "、".join(cov.taxonomy.label(c) if c in cov.taxonomy else str(c) for c in cats)
    return f"<b>{esc(kind)}</b><br>{esc(row[S.NAME])}<br>{esc(labels)}"


def _change_items(
    trends: Mapping[str, str], moved: pd.DataFrame, lang: str
) -> list[tuple[str, str, str]]:
    present = set(trends.values())
    items = [
        (TREND_COLOURS[k], "area", ja if lang == "ja" else f"{ja} / {en}")
        for k, (ja, en) in TREND_LABELS.items()
        if k in present
    ]
    n = moved["change"].value_counts()
    if n.get("opened", 0):
        items.append((OPENED_COLOUR, "＋", f"開設した資源（{n['opened']}）"))
    if n.get("closed", 0):
        items.append((CLOSED_COLOUR, "×", f"廃止した資源（{n['closed']}）"))
    return items


def _change_title(before: Coverage, after: Coverage, category: str | None) -> str:
    from ..compare import period_labels

    what = "全種別" if category is None else after.taxonomy.label(category)
    old, new = period_labels(before, after)
    return f"前回との比較：{what}（{old} → {new}）"


def change_map(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    *,
    category: str | None = None,
    within_m: float = 50.0,
    **kwargs: Any,
) -> folium.Map:
    """Interactive 「変化」 view: areas filled by trend, resources opened and closed marked.

    Parameters
    ----------
    before, after
        Two results of :func:`chiikimap.analyze` or two ``chiikimap run`` output folders (as for
        :func:`chiikimap.compare`).
    category
        One category key, or ``None`` for every category (an area is 改善と悪化 when some
        categories improved and others got worse).
    within_m
        As for :func:`chiikimap.compare`.
    **kwargs
        Options of :func:`chiikimap.maps.interactive.gap_map`; the gap map of ``after`` lies
        under the layer 「変化」.

    Returns
    -------
    folium.Map
        The map with the layers 「変化」 and 「開設・廃止」 and their legend (lower right).
    """
    import folium

    from ..compare import comparable_pair, compare
    from .interactive import gap_map

    b, a = comparable_pair(before, after)
    if category is not None and category not in a.categories:
        from .._errors import check_choice

        check_choice("category", category, a.categories)
    changes = compare(b, a, within_m=within_m)
    trends = area_trends(changes, category)
    kwargs.setdefault("title", _change_title(b, a, category))
    lang = str(kwargs.get("lang", "ja"))
    kwargs.setdefault("area_legend", False)  # the change legend replaces the coverage one
    m = gap_map(a, category=category, **kwargs)
    fills = {aid: TREND_COLOURS[t] for aid, t in trends.items()}
    layer = _area_layer(m, a, "変化 / change", fills, _change_texts(a, changes, trends, category))
    moved = _moved_resources(b, a, category, within_m)
    group = folium.FeatureGroup(name="開設・廃止 / opened and closed", show=True)
    for row in moved.to_dict("records"):
        opened = row["change"] == "opened"
        colour, mark = (OPENED_COLOUR, "＋") if opened else (CLOSED_COLOUR, "×")
        icon = folium.DivIcon(
            html=(
                f'<div style="background:{colour};color:#fff;border:2px solid #fff;'
                "border-radius:50%;width:20px;height:20px;line-height:17px;text-align:center;"
                f'font:bold 14px sans-serif;box-shadow:0 0 3px #000">{mark}</div>'
            ),
            icon_size=(20, 20),
            icon_anchor=(10, 10),
        )
        folium.Marker(
            location=(float(row[S.GEOMETRY].y), float(row[S.GEOMETRY].x)),
            icon=icon,
            tooltip=folium.Tooltip(_resource_tip(row, a if opened else b)),
        ).add_to(group)
    group.add_to(m)
    legend = _legend_html(
        "変化（前回→今回）", _change_items(trends, moved, lang), (m.get_name(), layer.get_name())
    )
    _add_legend(m, legend)
    _set_sources_box(m, _two_run_sources(b, a, lang), lang)
    return m


def _two_run_sources(before: Coverage, after: Coverage, lang: str) -> str:
    """The change map's sources box: each run's sources and dates under 前回 / 今回 (escaped).

    As the sheet 「出典・条件」 of :func:`chiikimap.compare.compare_to_excel`: the older run's
    sources first, then the newer run's; then the notes of ``after`` (people outside every area,
    approximate points), the run the map draws.
    """
    from ..compare import period_labels
    from .interactive import _TEXT, _notes_html, sources_box_html

    t = _TEXT[lang]
    periods = period_labels(before, after)
    parts = []
    for (label, en), cov, when in zip(
        (("前回", "before"), ("今回", "after")), (before, after), periods, strict=True
    ):
        name = label if lang == "ja" else f"{label} / {en}"
        heading = f"{t['sources']}（{name}{'' if when == label else '、' + when}）"
        box = sources_box_html(
            cov.info.source_lines, cov.info.data_dates, {**t, "sources": heading}
        )
        parts.append(box or f"<h4>{esc(heading)}</h4><div>記録なし / none recorded</div>")
    return "".join(parts) + _notes_html(after, lang)


def _set_sources_box(m: folium.Map, html: str, lang: str) -> None:
    """Put ``html`` (escaped) in the sources box of the gap map under ``m``."""
    from ._element import GapMapLayers
    from .interactive import _TEXT

    layers = next(c for c in m._children.values() if isinstance(c, GapMapLayers))
    layers.fields["info"] = html
    layers.fields["attribution"] = esc(_TEXT[lang]["see_sources"])


def save_change_html(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    path: str | PathLike[str],
    *,
    offline: bool = False,
    **kwargs: Any,
) -> None:
    """Write :func:`change_map` to one HTML file (atomically; ``offline=True`` inlines Leaflet).

    Parameters
    ----------
    before, after
        As for :func:`change_map`.
    path
        Output ``.html`` file.
    offline
        One self-contained file that opens with no network.
    **kwargs
        Options of :func:`change_map`.
    """
    _write_html(change_map(before, after, **kwargs), path, offline)


def change_static_map(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    *,
    category: str | None = None,
    within_m: float = 50.0,
    **kwargs: Any,
) -> Figure:
    """Print map of the 「変化」 view: areas filled by trend, opened ＋ and closed × marked.

    Parameters
    ----------
    before, after, category, within_m
        As for :func:`change_map`.
    **kwargs
        Options of :func:`chiikimap.maps.static.static_map` (``paper``, ``orientation``,
        ``lang``, ``title``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (map axes first).
    """
    from ..compare import comparable_pair, compare
    from .static import _static_map

    b, a = comparable_pair(before, after)
    changes = compare(b, a, within_m=within_m)
    trends = area_trends(changes, category)
    kwargs.setdefault("title", _change_title(b, a, category))
    kwargs["resources"] = False
    lang = str(kwargs.get("lang", "ja"))
    moved = _moved_resources(b, a, category, within_m).to_crs(a.info.metric_crs)

    def overlay(ax: Axes) -> None:
        _fill_areas(ax, a, {aid: TREND_COLOURS[t] for aid, t in trends.items()})
        for kind, colour, mark in (("opened", OPENED_COLOUR, "P"), ("closed", CLOSED_COLOUR, "X")):
            pts = moved[moved["change"] == kind]
            ax.scatter(
                pts.geometry.x, pts.geometry.y, s=90, marker=mark, c=colour,
                edgecolors="white", linewidths=0.8, zorder=20,
            )  # fmt: skip

    legend = ("変化（前回→今回）", _legend_handles(_change_items(trends, moved, lang)))
    return _static_map(a, category=category, value_legend=legend, overlay=overlay, **kwargs)


def save_change_static(
    before: Coverage | str | PathLike[str],
    after: Coverage | str | PathLike[str],
    path: str | PathLike[str],
    *,
    dpi: int = 250,
    **kwargs: Any,
) -> None:
    """Write :func:`change_static_map` to ``path`` (``.png`` or ``.pdf``, atomically).

    Parameters
    ----------
    before, after
        As for :func:`change_map`.
    path
        Output ``.png`` or ``.pdf`` file.
    dpi
        Resolution of a PNG.
    **kwargs
        Options of :func:`change_static_map`.
    """
    import matplotlib.pyplot as plt

    fig = change_static_map(before, after, **kwargs)
    try:
        _write_figure(fig, path, dpi)
    finally:
        plt.close(fig)
