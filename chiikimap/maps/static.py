"""Print map (PNG/PDF, A4/A3) of a :class:`chiikimap.Coverage` with matplotlib.

The map carries the same meaning as the interactive map: the overview colours each area by the
number of categories that are 空白 or 不足 there; a single category colours each area by its
coverage share. 空白 areas are hatched so that the difference survives black-and-white printing.

Japanese text is drawn with the IPAex Gothic font shipped by the ``matplotlib-fontja`` package. The
font is registered with matplotlib's font manager on first use and selected inside an
``rc_context``: importing this module changes no global setting.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from .. import _schema as S
from .._errors import ChiikimapError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure

    from ..coverage import Coverage

__all__ = ["save_static", "static_map"]

#: paper sizes in millimetres (portrait width, height)
_PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_MM_PER_INCH = 25.4
#: matplotlib marker for each taxonomy marker shape
_MARKERS = {"circle": "o", "square": "s", "triangle": "^", "diamond": "D", "star": "*"}
#: hatch per status: 空白 dense cross-hatch, 不足 sparse dots, 充足 none
_HATCH = {S.STATUS_NONE: "xxx", S.STATUS_GAP: "..", S.STATUS_OK: ""}
_FONT_FAMILY = "IPAexGothic"
_FONT_FILE = "ipaexg.ttf"

_TEXT = {
    "ja": {
        "title_overview": "圏域別のサービス不足状況（空白・不足の種別数）",
        "title_category": "{label}のカバー率（半径{radius} m・目標{target}）",
        "legend_count": "空白・不足の種別数",
        "legend_status": "判定",
        "legend_resources": "資源",
        "has_none": "空白を含む圏域",
        "coverage": "カバー率",
        "date": "データ時点",
        "source": "出典",
        "basis": "基準",
        "made": "作成",
        "none_data": "不明",
        "categories": "{n}種別",
    },
    "en": {
        "title_overview": "Missing services per area (categories with none/gap)",
        "title_category": "{label}: coverage (radius {radius} m, target {target})",
        "legend_count": "categories none/gap",
        "legend_status": "status",
        "legend_resources": "resources",
        "has_none": "area with a 'none' category",
        "coverage": "coverage",
        "date": "data date",
        "source": "source",
        "basis": "basis",
        "made": "made",
        "none_data": "unknown",
        "categories": "{n} categories",
    },
}


@lru_cache(maxsize=1)
def _font_path() -> str:
    """Path of the Japanese font shipped by ``matplotlib-fontja`` (found without importing it).

    Importing ``matplotlib_fontja`` would change the global rcParams, so only its location is used.
    """
    spec = importlib.util.find_spec("matplotlib_fontja")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        path = Path(loc) / "fonts" / _FONT_FILE
        if path.is_file():
            return str(path)
    raise ChiikimapError(
        "日本語フォントが見つかりません。pip install matplotlib-fontja を実行してください / "
        "the Japanese font of matplotlib-fontja was not found; install matplotlib-fontja"
    )


@contextmanager
def _japanese_font() -> Iterator[None]:
    """Select the bundled Japanese font for the duration of the block (no global change)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = _font_path()
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    with mpl.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [_FONT_FAMILY],
            "axes.unicode_minus": False,
            "hatch.linewidth": 0.6,
        }
    ):
        yield


def _figsize(paper: str, orientation: str) -> tuple[float, float]:
    try:
        w, h = _PAPER_MM[paper.upper()]
    except KeyError:
        raise ChiikimapError(
            f"paper は A4 か A3 です / paper must be 'A4' or 'A3', got {paper!r}"
        ) from None
    if orientation not in ("landscape", "portrait"):
        raise ChiikimapError(
            "orientation は landscape か portrait です / orientation must be 'landscape' or "
            f"'portrait', got {orientation!r}"
        )
    if orientation == "landscape":
        w, h = h, w
    return w / _MM_PER_INCH, h / _MM_PER_INCH


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k metres) of about a fifth of ``span_m``."""
    raw = max(span_m / 5.0, 1.0)
    exp = 10.0 ** math.floor(math.log10(raw))
    for step in (5.0, 2.0, 1.0):
        if step * exp <= raw:
            return step * exp
    return exp  # pragma: no cover - raw >= exp always


def _format_length(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


def _draw_scale_bar(ax: Axes, lang: str) -> None:
    """Scale bar in the lower-left corner; the axes are in a metric CRS (units: metres)."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx = x0 + 0.04 * (x1 - x0)
    by = y0 + 0.04 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    half = length / 2.0
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle((bx + i * half, by), half, height, facecolor=colour, edgecolor="black",
                      linewidth=0.8, zorder=6)
        )
    for pos, text in ((0.0, "0"), (half, _format_length(half)), (length, _format_length(length))):
        ax.text(bx + pos, by + height * 1.6, text, ha="center", va="bottom", fontsize=8, zorder=6)


def _draw_north_arrow(ax: Axes) -> None:
    """North arrow in the upper-right corner (grid north of the metric CRS)."""
    ax.annotate(
        "N",
        xy=(0.955, 0.95),
        xytext=(0.955, 0.86),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=13,
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 4, "headwidth": 12},
        zorder=7,
    )


def _area_values(coverage: Coverage, category: str | None) -> tuple[dict[str, float], dict[str, str]]:
    """Value and hatch status per area_id, read from the coverage table (nothing recomputed)."""
    t = coverage.table
    if category is None:
        bad = t[S.STATUS].isin([S.STATUS_NONE, S.STATUS_GAP])
        counts = bad.groupby(t[S.AREA_ID]).sum()
        has_none = (t[S.STATUS] == S.STATUS_NONE).groupby(t[S.AREA_ID]).any()
        values = {str(k): float(v) for k, v in counts.items()}
        status = {str(k): (S.STATUS_NONE if v else S.STATUS_OK) for k, v in has_none.items()}
        return values, status
    rows = t[t[S.CATEGORY] == category]
    values = dict(zip(rows[S.AREA_ID].astype(str), rows[S.COVERAGE].astype(float), strict=True))
    status = dict(zip(rows[S.AREA_ID].astype(str), rows[S.STATUS].astype(str), strict=True))
    return values, status


def static_map(
    coverage: Coverage,
    *,
    category: str | None = None,
    paper: Literal["A4", "A3"] | str = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
) -> Figure:
    """Draw the print map of ``coverage`` as a matplotlib Figure sized for paper.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    category
        ``None`` for the overview (number of 空白/不足 categories per area), or a category key to
        show that category's coverage share on a sequential colour scale.
    paper, orientation
        ``"A4"`` or ``"A3"``; ``"landscape"`` or ``"portrait"``.
    lang
        Language of titles and legends (``"ja"`` or ``"en"``); area names are shown as given.
    title
        Title text; by default it says what the map shows.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not attached to pyplot; close it with ``plt.close(fig)`` if you opened pyplot.
        Drawing is done in ``coverage.info.metric_crs`` so the scale bar is in metres.
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    text = _TEXT["en" if lang == "en" else "ja"]
    categories = list(coverage.categories)
    if category is not None and category not in categories:
        raise ChiikimapError(
            f"種別 {category!r} はこの結果にありません / category {category!r} is not in this "
            f"coverage; available: {', '.join(categories)}"
        )
    figsize = _figsize(str(paper), orientation)
    crs = coverage.info.metric_crs
    areas = coverage.areas.to_crs(crs)
    values, status = _area_values(coverage, category)
    ids = areas[S.AREA_ID].astype(str)
    val = np.array([values.get(i, np.nan) for i in ids], dtype=float)
    stat = [status.get(i, "") for i in ids]

    if category is None:
        n = len(categories)
        base = colormaps["OrRd"]
        cmap = ListedColormap([base(x) for x in np.linspace(0.05, 0.75, n + 1)])
        norm: Normalize = BoundaryNorm(np.arange(-0.5, n + 1.5), cmap.N)
    else:
        cmap = ListedColormap(colormaps["YlGnBu"](np.linspace(0.0, 0.8, 256)))
        norm = Normalize(vmin=0.0, vmax=1.0)

    with _japanese_font():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.add_subplot()
        ax.set_aspect("equal")
        ax.set_axis_off()
        colours = [cmap(norm(v)) if np.isfinite(v) else (0.87, 0.87, 0.87, 1.0) for v in val]
        for hatch in dict.fromkeys(_HATCH.get(st, "") for st in stat):
            idx = [i for i, st in enumerate(stat) if _HATCH.get(st, "") == hatch]
            areas.iloc[idx].plot(ax=ax, color=[colours[i] for i in idx], edgecolor="#333333",
                                 linewidth=0.8, hatch=hatch or None, zorder=1)

        # resources: one symbol per resource, shape and colour of its first shown category
        shown = [category] if category is not None else categories
        res = coverage.resources.to_crs(crs)
        handles_res = []
        for key in shown:
            cat = coverage.taxonomy[key]
            mask = res[S.CATEGORIES].map(lambda cs, key=key: key in tuple(cs))
            if category is None:
                mask &= res[S.CATEGORIES].map(
                    lambda cs, key=key: next((c for c in cs if c in shown), None) == key
                )
            pts = res[mask]
            marker = _MARKERS.get(cat.marker, "o")
            if len(pts):
                ax.scatter(pts.geometry.x, pts.geometry.y, marker=marker, s=80, c=cat.color,
                           edgecolors="black", linewidths=0.6, zorder=5)
            handles_res.append(
                Line2D([], [], linestyle="none", marker=marker, markersize=8,
                       markerfacecolor=cat.color, markeredgecolor="black",
                       label=f"{cat.display(lang)}（{len(pts)}）")
            )

        # area names at a point inside each area, with a white halo
        from matplotlib import patheffects

        halo = [patheffects.withStroke(linewidth=3, foreground="white")]
        for geom, name in zip(areas.geometry, areas[S.AREA_NAME].astype(str), strict=True):
            p = geom.representative_point()
            # just above the point, so that a resource symbol on the point leaves the name legible
            ax.annotate(name, xy=(p.x, p.y), xytext=(0, 5), textcoords="offset points",
                        ha="center", va="bottom", fontsize=9, zorder=4, path_effects=halo)

        # legends
        if category is None:
            handles_val = [
                Patch(facecolor=cmap(norm(i)), edgecolor="#333333", label=str(i))
                for i in range(len(categories) + 1)
            ]
            handles_val.append(
                Patch(facecolor="white", edgecolor="#333333", hatch=_HATCH[S.STATUS_NONE],
                      label=text["has_none"])
            )
            title_val = text["legend_count"]
        else:
            handles_val = [
                Patch(facecolor=cmap(norm(mid)), edgecolor="#333333", hatch=_HATCH[key],
                      label=S.STATUS_LABELS[key][0 if lang != "en" else 1])
                for key, mid in ((S.STATUS_NONE, 0.0), (S.STATUS_GAP, 0.4), (S.STATUS_OK, 0.9))
            ]
            title_val = text["legend_status"]
            sm = _scalar_mappable(cmap, norm)
            cb = fig.colorbar(sm, ax=ax, location="left", shrink=0.35, pad=0.01)
            cb.set_label(text["coverage"])
            cb.set_ticks([0.0, 0.25, 0.5, 0.75, 1.0])
            cb.set_ticklabels(["0%", "25%", "50%", "75%", "100%"])
        leg1 = ax.legend(handles=handles_val, title=title_val, loc="upper left",
                         bbox_to_anchor=(1.01, 1.0), fontsize=9, title_fontsize=10)
        ax.add_artist(leg1)
        ax.legend(handles=handles_res, title=text["legend_resources"], loc="lower left",
                  bbox_to_anchor=(1.01, 0.0), fontsize=8, title_fontsize=9,
                  ncol=1 if len(handles_res) <= 14 else 2)

        # a margin around the areas, then scale bar and north arrow
        x0, y0, x1, y1 = areas.total_bounds
        pad = 0.06 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad * 1.5, y1 + pad)
        _draw_scale_bar(ax, lang)
        _draw_north_arrow(ax)

        if title is None:
            if category is None:
                title = text["title_overview"]
            else:
                rule = coverage.info.rules.get(category, {})
                title = text["title_category"].format(
                    label=coverage.taxonomy.label(category, lang),
                    radius=f"{float(rule.get('radius_m', float('nan'))):,.0f}",
                    target=f"{float(rule.get('target', float('nan'))):.0%}",
                )
        fig.suptitle(title, fontsize=16)
        info = coverage.info
        dates = "・".join(info.data_dates) or text["none_data"]
        made = " ".join(x for x in (info.created, f"chiikimap {info.version}".strip()) if x)
        foot = (
            f"{text['date']}: {dates}　{text['basis']}: {info.weight_label}　"
            f"{text['categories'].format(n=len(categories))}　{text['made']}: {made}\n"
            f"{text['source']}: {info.attribution or text['none_data']}"
        )
        fig.text(0.01, 0.005, foot, ha="left", va="bottom", fontsize=7.5, wrap=True)
        fig.get_layout_engine().set(rect=(0, 0.035, 1, 0.965))  # type: ignore[call-arg,union-attr]
    return fig


def _scalar_mappable(cmap: Colormap, norm: Normalize) -> ScalarMappable:
    from matplotlib.cm import ScalarMappable

    sm = ScalarMappable(norm=norm, cmap=cmap)
    sm.set_array([])
    return sm


def save_static(
    coverage: Coverage,
    path: str | PathLike[str],
    *,
    dpi: int = 250,
    category: str | None = None,
    paper: Literal["A4", "A3"] | str = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
) -> None:
    """Write the print map to ``path``: PNG (``dpi`` dots per inch) or PDF, chosen by the suffix.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    path
        Output file ending in ``.png`` or ``.pdf``.
    dpi
        Resolution of a PNG (250 dpi prints sharply on A3); PDF text and shapes are vector.
    category, paper, orientation, lang, title
        As for :func:`static_map`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ChiikimapError(
            f"{p}: 拡張子は .png か .pdf にしてください / the file must end in .png or .pdf, "
            f"got {p.suffix or 'no suffix'!r}"
        )
    fig = static_map(coverage, category=category, paper=paper, orientation=orientation,
                     lang=lang, title=title)
    with _japanese_font():
        if suffix == ".pdf":
            fig.savefig(p, format="pdf", metadata={"Creator": "chiikimap"})
        else:
            fig.savefig(p, format="png", dpi=dpi, metadata={"Software": "chiikimap"})
