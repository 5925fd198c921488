"""Print map (PNG/PDF, A4/A3) of a :class:`chiikimap.Coverage` with matplotlib.

The map carries the same meaning as the interactive map: the overview colours each area by the
number of categories that are 空白 or 不足 there; a single category colours each area by its
coverage share. 空白 areas are hatched so that the difference survives black-and-white printing.

Japanese text is drawn with the IPAex Gothic font shipped by the ``matplotlib-fontja`` package. The
font is registered with matplotlib's font manager on first use and selected inside an
``rc_context``: importing this module changes no global setting. Text that may come from data (area
and category names, source credits, the title) is drawn literally: a ``$`` never starts mathtext.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import _schema as S
from .._errors import ChiikimapError
from .._outside import outside_note

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Colormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    from ..result import Coverage

__all__ = ["save_static", "static_map"]

#: paper sizes in millimetres (portrait width, height)
_PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_MM_PER_INCH = 25.4
#: matplotlib marker for each taxonomy marker shape
_MARKERS = {"circle": "o", "square": "s", "triangle": "^", "diamond": "D", "star": "*"}
#: hatch per status: 空白 dense cross-hatch, 不足 sparse dots, 充足 none
_HATCH = {S.STATUS_NONE: "xxx", S.STATUS_GAP: "..", S.STATUS_OK: "", S.STATUS_EMPTY: ""}
#: fill of an area whose weight is 0 (対象なし) and of an area missing from the table
_EMPTY_FILL = "#bdbdbd"
_NODATA_FILL = "#f0f0f0"
#: blank border kept free on every side of the page (inches; about 7 mm, inside printer margins)
_MARGIN_IN = 0.28
_FONT_FAMILY = "IPAexGothic"
_FONT_FILE = "ipaexg.ttf"

_TEXT = {
    "ja": {
        "title_overview": "圏域別のサービス不足状況（空白・不足の種別数）",
        "title_category": "{label}のカバー率（半径{radius} m・目標{target}）",
        "legend_count": "空白・不足の種別数（全{n}種別中）",
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
        "legend_count": "categories none/gap (of {n})",
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
            # the family itself (not "sans-serif") is stored in every text, so that a figure
            # drawn later, outside this block (e.g. shown in a notebook), keeps the font
            "font.family": [_FONT_FAMILY],
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
            Rectangle(
                (bx + i * half, by),
                half,
                height,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.8,
                zorder=6,
            )
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


def _area_values(
    coverage: Coverage, category: str | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Value and status per area_id, read from the coverage table (nothing recomputed).

    Overview: the value is the number of 空白/不足 categories; the status is ``none`` when at least
    one category is 空白, ``empty`` when every category is 対象なし (weight 0; value NaN), else
    ``ok``. Single category: the coverage share and that category's status.
    """
    t = coverage.table
    if category is None:
        by_area = t.groupby(S.AREA_ID)[S.STATUS]
        values: dict[str, float] = {}
        status: dict[str, str] = {}
        for aid, st in by_area:
            key = str(aid)
            if (st == S.STATUS_EMPTY).all():
                values[key], status[key] = math.nan, S.STATUS_EMPTY
                continue
            values[key] = float(st.isin([S.STATUS_NONE, S.STATUS_GAP]).sum())
            status[key] = S.STATUS_NONE if (st == S.STATUS_NONE).any() else S.STATUS_OK
        return values, status
    rows = t[t[S.CATEGORY] == category]
    values = dict(zip(rows[S.AREA_ID].astype(str), rows[S.COVERAGE].astype(float), strict=True))
    status = dict(zip(rows[S.AREA_ID].astype(str), rows[S.STATUS].astype(str), strict=True))
    return values, status


def _wrap(text: str, width_px: float, fontsize: float, dpi: float) -> str:
    """Break ``text`` into lines no wider than ``width_px`` when drawn at ``fontsize``.

    Widths are the sum of the glyph advances of the Japanese font (a slight over-estimate, as
    kerning is ignored). Lines break preferably after a space, ``/``, ``・`` or ``、`` in their
    second half, otherwise between any two characters (Japanese has no spaces between words).
    """
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties(size=fontsize)))
    font.set_size(fontsize, dpi)
    advance: dict[str, float] = {}

    def width(ch: str) -> float:
        if ch not in advance:
            advance[ch] = font.load_char(ord(ch)).linearHoriAdvance / 65536.0
        return advance[ch]

    out: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for ch in para:
            w = width(ch)
            if line and used + w > width_px:
                cut = max(line.rfind(c) for c in (" ", "/", "・", "、"))
                if cut >= len(line) // 2:
                    out.append(line[: cut + 1].rstrip())
                    line = line[cut + 1 :].lstrip()
                else:
                    out.append(line)
                    line = ""
                used = sum(width(c) for c in line)
            line += ch
            used += w
        out.append(line)
    return "\n".join(out)


class _Panel:
    """Places the legends (and the colour bar) beside or below the map so that all fit the page.

    Sizes are measured with the renderer in pixels; ``side`` is ``"right"`` (landscape: a column
    of legends right of the map) or ``"bottom"`` (portrait: a row of legends under the map).
    """

    def __init__(
        self,
        fig: Figure,
        renderer: RendererBase,
        side: str,
        box_px: tuple[float, float, float, float],
        gap_px: float,
    ) -> None:
        self.fig, self.renderer, self.side = fig, renderer, side
        self.x0, self.y0, self.x1, self.y1 = box_px
        self.gap = gap_px

    def legend(self, handles: list[Artist], title: str, fontsize: float, ncol: int) -> Legend:
        leg = self.fig.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0),
            fontsize=fontsize,
            title_fontsize=fontsize + 1,
            ncol=ncol,
            columnspacing=1.0,
            handletextpad=0.5,
            borderaxespad=0.0,
            alignment="left",
        )
        # labels carry category names from the taxonomy file: never read them as mathtext
        for text in (leg.get_title(), *leg.get_texts()):
            text.set_parse_math(False)
        return leg

    def size(self, artist: Legend) -> tuple[float, float]:
        bb = artist.get_window_extent(self.renderer)
        return bb.width, bb.height

    def move(self, leg: Legend, x_px: float, top_px: float) -> None:
        """Put the upper-left corner of ``leg`` at (``x_px``, ``top_px``) in figure pixels."""
        fw, fh = self.fig.bbox.width, self.fig.bbox.height
        leg.set_bbox_to_anchor((x_px / fw, top_px / fh), transform=self.fig.transFigure)


def _fit_resource_legend(
    panel: _Panel,
    handles: list[Artist],
    title: str,
    fixed: list[tuple[float, float]],
) -> Legend | None:
    """Build the resource legend with the largest font (then the fewest columns) that fits.

    ``fixed`` are the (width, height) of the items placed before it in the panel. At the right
    (landscape) the legend may take 38 % of the page width and the height the others leave; at
    the bottom (portrait) the width the others leave and 32 % of the height. When nothing fits,
    the smallest font with the least overflow is kept.
    """
    if not handles:
        return None
    avail_w, avail_h = panel.x1 - panel.x0, panel.y1 - panel.y0
    if panel.side == "right":
        max_w = 0.38 * avail_w
        max_h = avail_h - sum(h for _, h in fixed) - panel.gap * len(fixed)
    else:
        max_w = avail_w - sum(w for w, _ in fixed) - panel.gap * len(fixed)
        max_h = 0.32 * avail_h
    n = len(handles)
    best: tuple[float, Legend] | None = None

    def attempt(fs: float, ncol: int) -> tuple[Legend, float, float]:
        nonlocal best
        leg = panel.legend(handles, title, fs, ncol)
        w, h = panel.size(leg)
        overflow = max(w - max_w, 0.0) + max(h - max_h, 0.0)
        if best is None or overflow < best[0]:
            if best is not None:
                best[1].remove()
            best = (overflow, leg)
        else:
            leg.remove()
        return leg, w, h

    for fs in (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0):
        _, w1, h1 = attempt(fs, 1)
        if w1 <= max_w and h1 <= max_h:
            break
        if panel.side == "right":
            # more columns: as few as make the height fit, while the width allows
            ncols = list(range(max(2, math.ceil(h1 / max(max_h, 1.0))), min(4, n) + 1))
        else:
            # as many columns as the width allows (each about as wide as the single column)
            k = int(max_w // max(w1, 1.0))
            ncols = list(range(min(k + 1, 6, n), 1, -1))
        for ncol in ncols:
            _, w, h = attempt(fs, ncol)
            if w <= max_w and h <= max_h:
                break
            if panel.side == "right" and w > max_w:
                break
        else:
            continue
        break
    assert best is not None
    return best[1]


def _check_resources_option(resources: object) -> None:
    if not (resources is True or resources is False or resources == "auto"):
        raise ChiikimapError(
            "resources は True・False・'auto' のいずれかです / resources must be True, False or "
            f"'auto', got {resources!r}"
        )


def static_map(  # noqa: C901  (the layer split is under way)
    coverage: Coverage,
    *,
    category: str | None = None,
    paper: Literal["A4", "A3"] | str = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
    resources: bool | Literal["auto"] = "auto",
) -> Figure:
    """Draw the print map of ``coverage`` as a matplotlib Figure sized for paper.

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    category
        ``None`` for the overview (number of 空白/不足 categories per area, in the same five
        classes as the interactive map), or a category key to show that category's coverage share
        on a sequential colour scale.
    paper, orientation
        ``"A4"`` or ``"A3"``; ``"landscape"`` (legends right of the map) or ``"portrait"``
        (legends under the map). Legends shrink their font and add columns until they fit the page.
    lang
        Language of titles and legends (``"ja"`` or ``"en"``); area names are shown as given.
    title
        Title text; by default it says what the map shows.
    resources
        ``"auto"``: in the overview every resource is a small, semi-transparent symbol so that the
        areas stay readable; with ``category`` that category's resources are large symbols.
        ``True``: large symbols in both views. ``False``: no resource symbols and no resource
        legend.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not attached to pyplot; close it with ``plt.close(fig)`` if you opened pyplot.
        Drawing is done in ``coverage.info.metric_crs`` so the scale bar is in metres.
    """
    from matplotlib import colormaps, patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap, Normalize, to_rgba
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .interactive import _overview_bins

    _check_resources_option(resources)
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
    has_empty = S.STATUS_EMPTY in stat

    bins = _overview_bins(len(categories))
    cmap = ListedColormap(colormaps["YlGnBu"](np.linspace(0.0, 0.8, 256)))
    norm = Normalize(vmin=0.0, vmax=1.0)

    def fill(v: float, st: str) -> tuple[float, float, float, float]:
        if st == S.STATUS_EMPTY:
            return to_rgba(_EMPTY_FILL)
        if not np.isfinite(v):
            return to_rgba(_NODATA_FILL)
        if category is None:
            return to_rgba(next((c for lo, hi, c in bins if lo <= v <= hi), bins[-1][2]))
        return to_rgba(cmap(norm(v)))

    a3 = str(paper).upper() == "A3"
    with _japanese_font():
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        px = fig.dpi  # pixels per inch
        fw, fh = fig.bbox.width, fig.bbox.height
        margin, gap = _MARGIN_IN * px, 0.12 * px
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))  # the map: first axes; placed once legends fit

        # title at the top and the footer at the bottom, wrapped to the page width
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
        title_fs = 18.0 if a3 else 15.0
        head = fig.text(
            0.5,
            1 - margin / fh,
            _wrap(title, fw - 2 * margin, title_fs, px),
            ha="center",
            va="top",
            fontsize=title_fs,
            multialignment="center",
            parse_math=False,
        )
        info = coverage.info
        dates = "・".join(info.data_dates) or text["none_data"]
        made = " ".join(x for x in (info.created, f"chiikimap {info.version}".strip()) if x)
        foot_text = (
            f"{text['date']}: {dates}　{text['basis']}: {info.weight_label}　"
            f"{text['categories'].format(n=len(categories))}　{text['made']}: {made}\n"
            f"{text['source']}: {info.attribution or text['none_data']}"
        )
        outside = outside_note(coverage, lang="en" if lang == "en" else "ja")
        if outside:
            foot_text += f"\n{outside}"
        foot_fs = 7.5
        foot = fig.text(
            margin / fw,
            margin / fh,
            _wrap(foot_text, fw - 2 * margin, foot_fs, px),
            ha="left",
            va="bottom",
            fontsize=foot_fs,
            parse_math=False,
        )
        top = head.get_window_extent(renderer).y0 - gap
        bottom = foot.get_window_extent(renderer).y1 + gap
        side = "right" if orientation == "landscape" else "bottom"
        panel = _Panel(fig, renderer, side, (margin, bottom, fw - margin, top), gap)

        # legend of the area colours
        if category is None:
            handles_val: list[Artist] = [
                Patch(
                    facecolor=c, edgecolor="#333333", label=str(lo) if lo == hi else f"{lo}〜{hi}"
                )
                for lo, hi, c in bins
            ]
            handles_val.append(
                Patch(
                    facecolor="white",
                    edgecolor="#333333",
                    hatch=_HATCH[S.STATUS_NONE],
                    label=text["has_none"],
                )
            )
            title_val = text["legend_count"].format(n=len(categories))
        else:
            handles_val = [
                Patch(
                    facecolor=cmap(norm(mid)),
                    edgecolor="#333333",
                    hatch=_HATCH[key],
                    label=S.STATUS_LABELS[key][0 if lang != "en" else 1],
                )
                for key, mid in ((S.STATUS_NONE, 0.0), (S.STATUS_GAP, 0.4), (S.STATUS_OK, 0.9))
            ]
            title_val = text["legend_status"]
        if has_empty:
            handles_val.append(
                Patch(
                    facecolor=_EMPTY_FILL,
                    edgecolor="#333333",
                    label=S.STATUS_LABELS[S.STATUS_EMPTY][0 if lang != "en" else 1],
                )
            )
        val_fs = 10.0 if a3 else 9.0
        leg_val = panel.legend(handles_val, title_val, val_fs, 1)
        fixed = [panel.size(leg_val)]
        cbar_size = (2.4 * px, 0.75 * px)
        if category is not None:
            fixed.append(cbar_size)

        # resources: one symbol per resource, shape and colour of its first shown category
        draw_res = resources is not False
        prominent = resources is True or category is not None
        shown = [category] if category is not None else categories
        res = coverage.resources.to_crs(crs)
        points: list[tuple[Any, str, str, int]] = []
        handles_res: list[Artist] = []
        for key in shown if draw_res else []:
            cat = coverage.taxonomy[key]
            mask = res[S.CATEGORIES].map(lambda cs, key=key: key in tuple(cs))
            if category is None:
                mask &= res[S.CATEGORIES].map(
                    lambda cs, key=key: next((c for c in cs if c in shown), None) == key
                )
            pts = res[mask]
            marker = _MARKERS.get(cat.marker, "o")
            points.append((pts, marker, cat.color, len(pts)))
            handles_res.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    markersize=8,
                    markerfacecolor=cat.color,
                    markeredgecolor="black",
                    label=f"{cat.display(lang)}（{len(pts)}）",
                )
            )
        leg_res = _fit_resource_legend(panel, handles_res, text["legend_resources"], fixed)

        # arrange the panel: a column at the right (landscape) or a row at the bottom (portrait)
        items: list[tuple[str, float, float]] = [("val", *fixed[0])]
        if category is not None:
            items.append(("cbar", *cbar_size))
        if leg_res is not None:
            items.append(("res", *panel.size(leg_res)))
        placed: dict[str, tuple[float, float, float, float]] = {}
        if side == "right":
            width = max(w for _, w, _ in items)
            x, y = fw - margin - width, top
            for name, w, h in items:
                placed[name] = (x, y, w, h)
                y -= h + gap
            map_box = (margin, bottom, x - gap, top)
        else:
            height = max(h for _, _, h in items)
            x, y = margin, bottom + height
            for name, w, h in items:
                placed[name] = (x, y, w, h)
                x += w + gap
            map_box = (margin, bottom + height + gap, fw - margin, top)
        panel.move(leg_val, *placed["val"][:2])
        if leg_res is not None:
            panel.move(leg_res, *placed["res"][:2])
        if category is not None:
            cx, cy, cw, _ch = placed["cbar"]
            # the bar itself is 0.18 in high, under a one-line title, above its tick labels
            cax = fig.add_axes(
                (cx / fw, (cy - 0.42 * px) / fh, (cw - 0.25 * px) / fw, 0.18 * px / fh)
            )
            cb = fig.colorbar(_scalar_mappable(cmap, norm), cax=cax, orientation="horizontal")
            cax.set_title(text["coverage"], fontsize=val_fs, loc="left")
            cb.set_ticks([0.0, 0.25, 0.5, 0.75, 1.0])
            cb.set_ticklabels(["0%", "25%", "50%", "75%", "100%"], fontsize=val_fs - 1)

        # the map
        mx0, my0, mx1, my1 = map_box
        ax.set_position((mx0 / fw, my0 / fh, (mx1 - mx0) / fw, (my1 - my0) / fh))
        ax.set_aspect("equal")
        ax.set_anchor("C")
        ax.set_axis_off()
        colours = [fill(v, st) for v, st in zip(val, stat, strict=True)]
        for hatch in dict.fromkeys(_HATCH.get(st, "") for st in stat):
            idx = [i for i, st in enumerate(stat) if _HATCH.get(st, "") == hatch]
            areas.iloc[idx].plot(
                ax=ax,
                color=[colours[i] for i in idx],
                edgecolor="#333333",
                linewidth=0.8,
                hatch=hatch or None,
                zorder=1,
            )
        n_points = sum(n for *_, n in points)
        # a white ring keeps a dark symbol visible on a dark fill
        ring = [patheffects.withStroke(linewidth=2.0, foreground="white")]
        for pts, marker, colour, n in points:
            if not n:
                continue
            if prominent:
                ax.scatter(
                    pts.geometry.x,
                    pts.geometry.y,
                    marker=marker,
                    s=80 if a3 else 60,
                    c=colour,
                    edgecolors="black",
                    linewidths=0.7,
                    zorder=5,
                    path_effects=ring,
                )
            else:
                # many symbols: small and see-through, so that colours and names stay readable
                size = 14.0 if n_points > 300 else 24.0
                ax.scatter(
                    pts.geometry.x,
                    pts.geometry.y,
                    marker=marker,
                    s=size,
                    c=colour,
                    edgecolors="#333333",
                    linewidths=0.25,
                    alpha=0.55,
                    zorder=3,
                )

        # area names on top of everything, with a white halo
        halo = [patheffects.withStroke(linewidth=3.5, foreground="white")]
        for geom, name in zip(areas.geometry, areas[S.AREA_NAME].astype(str), strict=True):
            p = geom.representative_point()
            # just above the point, so that a resource symbol on the point leaves the name legible
            ax.annotate(
                name,
                xy=(p.x, p.y),
                xytext=(0, 5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=11 if a3 else 9,
                zorder=8,
                path_effects=halo,
                parse_math=False,
            )

        # a margin around the areas, then scale bar and north arrow
        x0, y0, x1, y1 = areas.total_bounds
        pad = 0.06 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad * 1.5, y1 + pad)
        _draw_scale_bar(ax, lang)
        _draw_north_arrow(ax)
    return fig


def _scalar_mappable(cmap: Colormap, norm: Normalize) -> ScalarMappable:
    from matplotlib.cm import ScalarMappable

    sm = ScalarMappable(norm=norm, cmap=cmap)
    sm.set_array([])
    return sm


def save_static(  # noqa: PLR0913  (repeats static_map's keyword-only options)
    coverage: Coverage,
    path: str | PathLike[str],
    *,
    dpi: int = 250,
    category: str | None = None,
    paper: Literal["A4", "A3"] | str = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
    resources: bool | Literal["auto"] = "auto",
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
    category, paper, orientation, lang, title, resources
        As for :func:`static_map`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ChiikimapError(
            f"{p}: 拡張子は .png か .pdf にしてください / the file must end in .png or .pdf, "
            f"got {p.suffix or 'no suffix'!r}"
        )
    fig = static_map(
        coverage,
        category=category,
        paper=paper,
        orientation=orientation,
        lang=lang,
        title=title,
        resources=resources,
    )
    with _japanese_font():
        if suffix == ".pdf":
            fig.savefig(p, format="pdf", metadata={"Creator": "chiikimap"})
        else:
            fig.savefig(p, format="png", dpi=dpi, metadata={"Software": "chiikimap"})
