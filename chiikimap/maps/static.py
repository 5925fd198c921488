"""Print map (PNG/PDF, A4/A3) of a :class:`chiikimap.Coverage` with matplotlib.

The map carries the same meaning as the interactive map: the overview colours each area by the
number of categories that are 空白 or 不足 there; a single category colours each area by its
coverage share, in the same five classes. 空白 areas are hatched so that the difference survives
black-and-white printing. Colours, classes and fonts come from :mod:`chiikimap._style`.

Japanese text is drawn with the IPAex Gothic font shipped by the ``matplotlib-fontja`` package,
with matplotlib's DejaVu Sans as the fallback for characters IPAex lacks. The font is registered
with matplotlib's font manager on first use and selected inside an ``rc_context``: importing this
module changes no global setting. Text that may come from data (area and category names, source
credits, the title) is drawn literally (a ``$`` never starts mathtext); control and invisible
formatting characters are removed and characters no print font has are drawn as 〓, with one
warning. Drawing imports neither folium nor the interactive map.
"""

from __future__ import annotations

import importlib.util
import math
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import _schema as S
from .. import _style
from .._approx import approx_note
from .._atomic import atomic_path
from .._errors import (
    ChiikimapError,
    ChiikimapWarning,
    ParameterError,
    check_choice,
    user_stacklevel,
)
from .._outside import outside_note
from ._counts import category_counts, count_text

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.cm import ScalarMappable
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Bbox

    from ..result import Coverage

__all__ = ["save_static", "static_map"]

#: width of the white halo around area names (points)
_HALO_PT = 3.5
#: ``gid`` of the scale bar's labels
SCALE_GID = "chiikimap-scale-label"
#: paper sizes in millimetres (portrait width, height)
_PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_ORIENTATIONS = ("landscape", "portrait")
_LANGS = ("ja", "en")
_MM_PER_INCH = 25.4
#: blank border kept free on every side of the page (inches; about 7 mm, inside printer margins)
_MARGIN_IN = 0.28
#: outline of areas and of legend swatches
_EDGE = "#333333"
#: the class bounds of the coverage ramp as shares (0, 0.2 … 1.0)
_RAMP_BOUNDS = [lo / 100 for lo, _ in _style.COVERAGE_RAMP] + [1.0]

_TEXT = {
    "ja": {
        "title_overview": "圏域別のサービス不足状況（空白・不足の種別数）",
        "title_category": "{label}のカバー率（半径{radius} m・目標{target}）",
        "title_category_network": "{label}のカバー率（道のり{radius} m・目標{target}）",
        "legend_count": "空白・不足の種別数（全{n}種別中）",
        "legend_status": "判定",
        "legend_resources": "資源（種別ごとの数）",
        "legend_key": "番号の圏域",
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
        "title_category_network": "{label}: coverage ({radius} m on foot, target {target})",
        "legend_count": "categories none/gap (of {n})",
        "legend_status": "status",
        "legend_resources": "resources (count per category)",
        "legend_key": "numbered areas",
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
        path = Path(loc) / "fonts" / _style.FONT_FILE
        if path.is_file():
            return str(path)
    raise ChiikimapError(
        "日本語フォントが見つかりません。pip install matplotlib-fontja を実行してください / "
        "the Japanese font of matplotlib-fontja was not found; install matplotlib-fontja"
    )


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, str]:
    """The print font and its fallback (DejaVu Sans, shipped with matplotlib)."""
    from matplotlib import font_manager

    fallback = font_manager.findfont(
        font_manager.FontProperties(family=_style.FALLBACK_FONT_FAMILY), fallback_to_default=True
    )
    return _font_path(), fallback


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points that the print font or its fallback can draw."""
    from matplotlib.ft2font import FT2Font

    codes: set[int] = set()
    for path in _font_files():
        codes.update(FT2Font(path).get_charmap())
    return frozenset(codes)


@contextmanager
def _japanese_font() -> Iterator[None]:
    """Select the bundled Japanese font, then the fallback, for the block (no global change)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = _font_files()[0]
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    families = [_style.FONT_FAMILY, _style.FALLBACK_FONT_FAMILY]
    with mpl.rc_context(
        {
            # the families themselves (not "sans-serif") are stored in every text, so that a
            # figure drawn later, outside this block (e.g. shown in a notebook), keeps the font
            "font.family": families,
            "font.sans-serif": families,
            "axes.unicode_minus": False,
            "hatch.linewidth": 0.6,
        }
    ):
        yield


#: invisible characters that only steer layout: removed without a word (they carry no content)
_SILENT = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass
class _PrintText:
    """Makes data text drawable: removes control and formatting characters, replaces the rest.

    Every changed character is remembered with where it was found, and :meth:`warn` reports them
    all in one :class:`ChiikimapWarning` (zero-width spaces, joiners and soft hyphens are dropped
    silently: they change nothing that is printed).
    """

    changed: dict[str, set[str]] = field(default_factory=dict)

    def __call__(self, text: object, where: str) -> str:
        drawable = _drawable()
        out: list[str] = []
        for ch in str(text):
            if ch == "\n" or (ord(ch) in drawable and unicodedata.category(ch)[0] != "C"):
                out.append(ch)
            elif ch in _SILENT:
                continue
            elif ch in "\t\r\u2028\u2029":
                out.append(" ")
            else:
                kind = unicodedata.category(ch)
                # controls, bidi and other format characters, and marks no font has, go; a
                # visible character no font has (or a private-use one) keeps its place as 〓
                if kind not in ("Cc", "Cf") and kind[0] != "M":
                    out.append(_style.REPLACEMENT_CHAR)
                self.changed.setdefault(ch, set()).add(where)
        return "".join(out)

    def warn(self) -> None:
        if not self.changed:
            return
        listed = "; ".join(
            f"U+{ord(ch):04X} ({'、'.join(sorted(places))})"
            for ch, places in list(self.changed.items())[:12]
        )
        more = f" … (+{len(self.changed) - 12})" if len(self.changed) > 12 else ""
        warnings.warn(
            f"印刷用地図のフォントにない文字・制御文字を、〓 に置き換えるか取り除きました / "
            f"characters the print fonts lack were drawn as {_style.REPLACEMENT_CHAR}, and "
            f"control or bidi formatting characters were removed: {listed}{more}",
            ChiikimapWarning,
            stacklevel=user_stacklevel(),
        )


def _figsize(paper: str, orientation: str) -> tuple[float, float]:
    key = paper.upper() if isinstance(paper, str) else paper
    if key not in _PAPER_MM:
        check_choice("paper", paper, tuple(_PAPER_MM))
    check_choice("orientation", orientation, _ORIENTATIONS)
    w, h = _PAPER_MM[key]
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


def _next_nice(length: float) -> float:
    """The next round length after ``length`` (1 → 2 → 5 → 10 × 10^k).

    Examples
    --------
    >>> [_next_nice(x) for x in (1.0, 200.0, 500.0, 5000.0)]
    [2.0, 500.0, 1000.0, 10000.0]
    """
    exp = 10.0 ** math.floor(math.log10(length) + 1e-9)
    step = round(length / exp)
    return {1: 2.0, 2: 5.0}.get(step, 10.0) * exp


#: font size of the scale bar's labels
_SCALE_FONTSIZE = 8.0


def _scale_marks(
    span_m: float, m_per_px: float, width: Callable[[str], float]
) -> tuple[float, list[tuple[float, str, str]]]:
    """Length of the scale bar and its labels (position in metres, text, alignment).

    The bar starts near a fifth of ``span_m`` (:func:`_nice_length`) and carries 0, half and
    the whole length when the three labels (``width(text)`` pixels wide, centred on their marks)
    leave at least a digit's width between each other; else 0 and the length only; else the next
    round length is tried, up to half the span. If even that is too short, the length is written
    after the bar's end. ``m_per_px`` is the map scale (metres per display pixel).

    Examples
    --------
    >>> w = lambda text: 6.0 * len(text)  # 6 pixels per character
    >>> _scale_marks(3360, 10.0, w)  # 500 m = 50 px: "250 m" and "500 m" would touch
    (500.0, [(0.0, '0', 'center'), (500.0, '500 m', 'center')])
    >>> _scale_marks(3360, 2.0, w)[1]  # 250 px
    [(0.0, '0', 'center'), (250.0, '250 m', 'center'), (500.0, '500 m', 'center')]
    >>> _scale_marks(3360, 80.0, w)  # 1 km = 12.5 px; 2 km is over half the span
    (1000.0, [(0.0, '0', 'center'), (1720.0, '1 km', 'left')])
    """
    gap = width("0")
    length = _nice_length(span_m)
    while True:
        half = length / 2.0
        bar = length / m_per_px
        texts = ("0", _format_length(half), _format_length(length))
        w0, wh, wl = (width(t) for t in texts)
        if bar / 2 >= (w0 + wh) / 2 + gap and bar / 2 >= (wh + wl) / 2 + gap:
            return length, [(0.0, texts[0], "center"), (half, texts[1], "center"),
                            (length, texts[2], "center")]  # fmt: skip
        if bar >= (w0 + wl) / 2 + gap:
            return length, [(0.0, texts[0], "center"), (length, texts[2], "center")]
        longer = _next_nice(length)
        if longer > 0.5 * span_m:
            after = length + (w0 / 2 + gap) * m_per_px
            return length, [(0.0, texts[0], "center"), (after, texts[2], "left")]
        length = longer


def _draw_scale_bar(ax: Axes, lang: str) -> list[Artist]:
    """Scale bar in the lower-left corner; the axes are in a metric CRS (units: metres).

    The map's position and limits must be final: the labels are measured in display pixels so
    that they never touch (:func:`_scale_marks`). Returns the bar's artists.
    """
    from matplotlib.patches import Rectangle

    from ._labels import text_measurer

    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    m_per_px = (x1 - x0) / max(ax.get_window_extent(renderer).width, 1.0)
    measure = text_measurer(ax, renderer)
    length, marks = _scale_marks(x1 - x0, m_per_px, lambda text: measure(text, _SCALE_FONTSIZE)[0])
    bx = x0 + 0.04 * (x1 - x0)
    by = y0 + 0.04 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    half = length / 2.0
    artists: list[Artist] = []
    for i, colour in enumerate(("black", "white")):
        bar = Rectangle(
            (bx + i * half, by),
            half,
            height,
            facecolor=colour,
            edgecolor="black",
            linewidth=0.8,
            zorder=6,
        )
        ax.add_patch(bar)
        artists.append(bar)
    for pos, text, ha in marks:
        artists.append(
            ax.text(
                bx + pos,
                by + height * 1.6,
                text,
                ha=ha,
                va="bottom",
                fontsize=_SCALE_FONTSIZE,
                zorder=6,
                gid=SCALE_GID,
            )
        )
    del lang
    return artists


def _draw_north_arrow(ax: Axes) -> Artist:
    """North arrow in the upper-right corner (grid north of the metric CRS)."""
    return ax.annotate(
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


def _area_fill(value: float, status: str, category: str | None, bins: list[Any]) -> str:
    """Fill of one area: 対象なし grey, the overview class, or the coverage class."""
    if status == S.STATUS_EMPTY:
        return _style.EMPTY_COLOUR
    if not np.isfinite(value):
        return _style.NODATA_COLOUR
    if category is None:
        return _style.overview_colour(value, bins)
    return _style.ramp_colour(value)


def _wrap(text: str, width_px: float, fontsize: float, dpi: float) -> str:
    """Break ``text`` into lines no wider than ``width_px`` when drawn at ``fontsize``.

    Widths are the sum of the glyph advances of the print font, or of its fallback for a
    character it lacks (a slight over-estimate, as kerning is ignored). ``text`` holds only
    drawable characters (see :class:`_PrintText`). Lines break preferably after a space, ``/``,
    ``・`` or ``、`` in their second half, otherwise between any two characters (Japanese has no
    spaces between words).
    """
    from matplotlib.font_manager import get_font

    fonts = [get_font(path) for path in _font_files()]
    charmaps = []
    for font in fonts:
        font.set_size(fontsize, dpi)
        charmaps.append(font.get_charmap())
    advance: dict[str, float] = {}

    def width(ch: str) -> float:
        if ch not in advance:
            font = next((f for f, cm in zip(fonts, charmaps, strict=True) if ord(ch) in cm), None)
            glyph = font.load_char(ord(ch)) if font is not None else None
            advance[ch] = glyph.linearHoriAdvance / 65536.0 if glyph is not None else fontsize
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
        raise ParameterError(
            "resources は True・False・'auto' のいずれかです / resources must be True, False or "
            f"'auto', got {resources!r}",
            param="resources",
        )


def _check_category(coverage: Coverage, category: str | None) -> None:
    categories = list(coverage.categories)
    if category is not None and category not in categories:
        raise ParameterError(
            f"種別 {category!r} はこの結果にありません / category {category!r} is not in this "
            f"coverage; available: {', '.join(categories)}",
            param="category",
        )


@dataclass
class _Page:
    """The figure being drawn and what every layer function needs to know about it."""

    fig: Figure
    renderer: RendererBase
    lang: str
    a3: bool
    clean: _PrintText

    @property
    def text(self) -> dict[str, str]:
        return _TEXT[self.lang]

    @property
    def px(self) -> float:
        """Pixels per inch."""
        return float(self.fig.dpi)

    @property
    def margin(self) -> float:
        return _MARGIN_IN * self.px

    @property
    def gap(self) -> float:
        return 0.12 * self.px

    @property
    def size(self) -> tuple[float, float]:
        return float(self.fig.bbox.width), float(self.fig.bbox.height)


def _default_title(coverage: Coverage, category: str | None, lang: str) -> str:
    """What the map shows: the overview, or one category with its radius and target."""
    text = _TEXT[lang]
    if category is None:
        return text["title_overview"]
    rule = coverage.info.rules.get(category, {})
    key = "title_category_network" if coverage.info.distance == "network" else "title_category"
    return text[key].format(
        label=coverage.taxonomy.label(category, lang),
        radius=f"{float(rule.get('radius_m', float('nan'))):,.0f}",
        target=f"{float(rule.get('target', float('nan'))):.0%}",
    )


def _footer_text(coverage: Coverage, lang: str) -> str:
    """Data dates, basis, number of categories, maker, credits and the people outside."""
    text = _TEXT[lang]
    info = coverage.info
    dates = "・".join(info.data_dates) or text["none_data"]
    made = " ".join(x for x in (info.created, f"chiikimap {info.version}".strip()) if x)
    foot = (
        f"{text['date']}: {dates}　{text['basis']}: {info.weight_label}　"
        f"{text['categories'].format(n=len(coverage.categories))}　{text['made']}: {made}\n"
        + "\n".join(
            f"{text['source']}: {line}" for line in info.source_lines or [text["none_data"]]
        )
    )
    notes = [n for n in (outside_note(coverage, lang=lang), approx_note(coverage, lang=lang)) if n]
    return "\n".join([foot, *notes])


def _draw_title_and_footer(page: _Page, title: str, footer: str) -> tuple[float, float]:
    """Title at the top and footer at the bottom, wrapped to the page; the space left between."""
    fw, fh = page.size
    margin, width = page.margin, fw - 2 * page.margin
    title_fs = 18.0 if page.a3 else 15.0
    head = page.fig.text(
        0.5,
        1 - margin / fh,
        _wrap(page.clean(title, "title"), width, title_fs, page.px),
        ha="center",
        va="top",
        fontsize=title_fs,
        multialignment="center",
        parse_math=False,
    )
    foot = page.fig.text(
        margin / fw,
        margin / fh,
        _wrap(page.clean(footer, "footer/credits"), width, 7.5, page.px),
        ha="left",
        va="bottom",
        fontsize=7.5,
        parse_math=False,
    )
    top = head.get_window_extent(page.renderer).y0 - page.gap
    bottom = foot.get_window_extent(page.renderer).y1 + page.gap
    return top, bottom


def _value_legend(
    page: _Page, category: str | None, n_categories: int, has_empty: bool
) -> tuple[list[Artist], str]:
    """Legend of the area fills: the overview classes and the 空白 hatch, or the three statuses."""
    from matplotlib.patches import Patch

    text, idx = page.text, 1 if page.lang == "en" else 0
    handles: list[Artist]
    if category is None:
        handles = [
            Patch(facecolor=c, edgecolor=_EDGE, label=str(lo) if lo == hi else f"{lo}〜{hi}")
            for lo, hi, c in _style.overview_bins(n_categories)
        ]
        hatch = _style.HATCH[S.STATUS_NONE]
        handles.append(
            Patch(facecolor="white", edgecolor=_EDGE, hatch=hatch, label=text["has_none"])
        )
        title = text["legend_count"].format(n=n_categories)
    else:
        handles = [
            Patch(
                facecolor=_style.ramp_colour(mid),
                edgecolor=_EDGE,
                hatch=_style.HATCH[key],
                label=S.STATUS_LABELS[key][idx],
            )
            for key, mid in ((S.STATUS_NONE, 0.0), (S.STATUS_GAP, 0.4), (S.STATUS_OK, 0.9))
        ]
        title = text["legend_status"]
    if has_empty:
        label = S.STATUS_LABELS[S.STATUS_EMPTY][idx]
        handles.append(Patch(facecolor=_style.EMPTY_COLOUR, edgecolor=_EDGE, label=label))
    return handles, title


#: The walking catchment: a translucent purple with a dark outline (as on the interactive map),
#: apart from the yellow–blue coverage ramp of the areas.
_CATCHMENT_STYLE: dict[str, Any] = {
    "facecolor": (0.62, 0.50, 0.82, 0.35),
    "edgecolor": "#54278f",
    "linewidth": 1.2,
}


def _catchment_of(coverage: Coverage, category: str | None, crs: Any) -> gpd.GeoDataFrame | None:
    """The category's walking catchment in ``crs`` (``None``: overview, straight line, empty)."""
    if category is None or coverage.catchments is None:
        return None
    rows = coverage.catchments[coverage.catchments[S.CATEGORY] == category]
    rows = rows[~rows.geometry.is_empty & rows.geometry.notna()]
    return rows.to_crs(crs) if len(rows) else None


def _catchment_handle(catchment: gpd.GeoDataFrame, lang: str) -> Artist:
    """Legend entry 「道のりで800m以内」 of the drawn catchment."""
    from matplotlib.patches import Patch

    radius = float(catchment["radius_m"].iloc[0])
    text = "道のりで{r}m以内" if lang == "ja" else "within {r} m on foot"
    return Patch(label=text.format(r=f"{radius:,.0f}"), **_CATCHMENT_STYLE)


@dataclass
class _ResourceLayer:
    """The resources drawn with one category's symbol."""

    points: gpd.GeoDataFrame
    marker: str
    colour: str
    #: placed only at a town's point (geocoded at 町丁目/大字 level): drawn hollow
    hollow: bool = False


def _resource_layers(
    coverage: Coverage, category: str | None, crs: Any, page: _Page
) -> tuple[list[_ResourceLayer], list[Artist]]:
    """One layer and one legend entry per shown category (each resource under its first one).

    The legend counts every resource of each category, as the table does (issue 9): a resource
    drawn under its first category counts under its others too, and those in no area are said.
    """
    from matplotlib.lines import Line2D

    categories = list(coverage.categories)
    shown = [category] if category is not None else categories
    counts = category_counts(coverage, shown)
    res = coverage.resources.to_crs(crs)
    layers: list[_ResourceLayer] = []
    handles: list[Artist] = []
    for key in shown:
        cat = coverage.taxonomy[key]
        mask = res[S.CATEGORIES].map(lambda cs, key=key: key in tuple(cs))
        if category is None:
            mask &= res[S.CATEGORIES].map(
                lambda cs, key=key: next((c for c in cs if c in shown), None) == key
            )
        marker = _style.MPL_MARKERS.get(cat.marker, "o")
        colour = _style.hex_colour(cat.color)
        approx = S.approximate(res) & mask.to_numpy(dtype=bool)
        layers.append(_ResourceLayer(res[mask & ~approx], marker, colour))
        if approx.any():
            layers.append(_ResourceLayer(res[approx], marker, colour, hollow=True))
        number = count_text(*counts[key], page.lang)
        label = page.clean(f"{cat.display(page.lang)}{number}", "category labels")
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markersize=8,
                markerfacecolor=colour,
                markeredgecolor="black",
                label=label,
            )
        )
    if any(layer.hollow and len(layer.points) for layer in layers):
        hollow = [layer.points[S.GEOCODE_LEVEL] == "近隣番地" for layer in layers if layer.hollow]
        near, town = any(m.any() for m in hollow), any((~m).any() for m in hollow)
        if near and town:
            note = S.APPROX_ANY_NOTE_EN if page.lang == "en" else S.APPROX_ANY_NOTE_JA
        else:
            note = S.approx_note_of("近隣番地" if near else "町丁目", page.lang)
        note = note[0].upper() + note[1:]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=1.4,
                label=page.clean(note, "legend"),
            )
        )
    return layers, handles


def _arrange(
    items: list[tuple[str, float, float]],
    side: str,
    box: tuple[float, float, float, float],
    gap: float,
) -> tuple[dict[str, tuple[float, float, float, float]], tuple[float, float, float, float]]:
    """Place the legend items beside (``"right"``) or below (``"bottom"``) the map.

    ``items`` are ``(name, width, height)`` in figure pixels; ``box`` is ``(x0, y0, x1, y1)``,
    the space between the title and the footer. Returns each item's ``(x, top, width, height)``
    (its upper-left corner, then its size) and the box left for the map. At the right the
    items form a column at the right edge, aligned on their left sides; at the bottom a row
    starting at the left edge, aligned on their tops.

    Examples
    --------
    >>> placed, rest = _arrange([("a", 10, 5), ("b", 20, 8)], "right", (0, 0, 100, 50), 2)
    >>> placed["a"], placed["b"], rest
    ((80, 50, 10, 5), (80, 43, 20, 8), (0, 0, 78, 50))
    >>> placed, rest = _arrange([("a", 10, 5), ("b", 20, 8)], "bottom", (0, 0, 100, 50), 2)
    >>> placed["a"], placed["b"], rest
    ((0, 8, 10, 5), (12, 8, 20, 8), (0, 10, 100, 50))
    """
    x0, y0, x1, y1 = box
    placed: dict[str, tuple[float, float, float, float]] = {}
    if side == "right":
        x, y = x1 - max(w for _, w, _ in items), y1
        for name, w, h in items:
            placed[name] = (x, y, w, h)
            y -= h + gap
        return placed, (x0, y0, x - gap, y1)
    height = max(h for _, _, h in items)
    x, y = x0, y0 + height
    for name, w, h in items:
        placed[name] = (x, y, w, h)
        x += w + gap
    return placed, (x0, y0 + height + gap, x1, y1)


def _draw_colorbar(page: _Page, where: tuple[float, float, float, float], fontsize: float) -> None:
    """The coverage classes as a bar with percentage ticks, under a one-line title."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    fw, fh = page.size
    px = page.px
    cx, cy, cw, _ch = where
    # the bar itself is 0.18 in high, under a one-line title, above its tick labels
    cax = page.fig.add_axes((cx / fw, (cy - 0.42 * px) / fh, (cw - 0.25 * px) / fw, 0.18 * px / fh))
    cmap = ListedColormap([c for _, c in _style.COVERAGE_RAMP])
    norm = BoundaryNorm(_RAMP_BOUNDS, cmap.N)
    cb = page.fig.colorbar(_scalar_mappable(cmap, norm), cax=cax, orientation="horizontal")
    cax.set_title(page.text["coverage"], fontsize=fontsize, loc="left")
    cb.set_ticks(_RAMP_BOUNDS)
    cb.set_ticklabels([f"{b:.0%}" for b in _RAMP_BOUNDS], fontsize=fontsize - 1)


def _draw_areas(ax: Axes, areas: gpd.GeoDataFrame, colours: list[str], status: list[str]) -> None:
    """Area polygons, one collection per hatch (空白 cross-hatched, 不足 dotted)."""
    hatches = [_style.HATCH.get(st, "") for st in status]
    for hatch in dict.fromkeys(hatches):
        idx = [i for i, h in enumerate(hatches) if h == hatch]
        areas.iloc[idx].plot(
            ax=ax,
            color=[colours[i] for i in idx],
            edgecolor=_EDGE,
            linewidth=0.8,
            hatch=hatch or None,
            zorder=1,
        )


def _draw_resources(ax: Axes, layers: list[_ResourceLayer], prominent: bool, a3: bool) -> None:
    """Resource symbols: large with a white ring, or small and see-through in the overview."""
    from matplotlib import patheffects

    n_points = sum(len(layer.points) for layer in layers)
    # a white ring keeps a dark symbol visible on a dark fill
    ring = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for layer in layers:
        if not len(layer.points):
            continue
        xy = (layer.points.geometry.x, layer.points.geometry.y)
        if layer.hollow:
            # placed at a town's point only (概略): an outline in the category's colour
            ax.scatter(
                *xy,
                marker=layer.marker,
                s=(80 if a3 else 60) if prominent else 30.0,
                facecolors="white",
                edgecolors=layer.colour,
                linewidths=1.6 if prominent else 1.1,
                zorder=5 if prominent else 3,
                path_effects=ring if prominent else [],
            )
        elif prominent:
            ax.scatter(
                *xy,
                marker=layer.marker,
                s=80 if a3 else 60,
                c=layer.colour,
                edgecolors="black",
                linewidths=0.7,
                zorder=5,
                path_effects=ring,
            )
        else:
            # many symbols: small and see-through, so that colours and names stay readable
            ax.scatter(
                *xy,
                marker=layer.marker,
                s=14.0 if n_points > 300 else 24.0,
                c=layer.colour,
                edgecolors=_EDGE,
                linewidths=0.25,
                alpha=0.55,
                zorder=3,
            )


def _draw_labels(
    ax: Axes,
    areas: gpd.GeoDataFrame,
    page: _Page,
    numbered: Sequence[int],
    obstacles: Sequence[Sequence[float]],
) -> list[int]:
    """Area names on top of everything, with a white halo, never over each other.

    Placed by :func:`chiikimap.maps._labels.place_labels` in display pixels (the map's position
    and limits are final): inside the area where a name fits, else centred on it, else as a
    number. ``numbered`` areas get a number whatever the space. Returns the numbered areas'
    positions in ``areas``.
    """
    from matplotlib import patheffects

    from ._labels import LABEL_GID, NUMBER_GID, display_polygons, place_labels, text_measurer

    ax.apply_aspect()
    names = [page.clean(n, "area names") for n in areas[S.AREA_NAME].astype(str)]
    base = 11.0 if page.a3 else 9.0
    number_fs = base
    widest = "8" * len(str(max(len(names), 1)))
    placements = place_labels(
        display_polygons(ax, list(areas.geometry)),
        names,
        measure=text_measurer(ax, page.renderer),
        fontsizes=(base, base - 1.5, base - 3.0),
        number_fontsize=number_fs,
        number_box=text_measurer(ax, page.renderer)(widest, number_fs),
        frame=_extents(ax.get_window_extent(page.renderer)),
        obstacles=obstacles,
        symbols=_symbol_boxes(ax),
        numbered=numbered,
        pad=_HALO_PT / 2 * page.px / 72.0,
    )
    halo = [patheffects.withStroke(linewidth=_HALO_PT, foreground="white")]
    to_data = ax.transData.inverted()
    for p in placements:
        x, y = to_data.transform((p.x, p.y))
        number = p.kind == "number"
        ax.text(
            x,
            y,
            p.text,
            ha="center",
            va="center",
            multialignment="center",
            fontsize=p.fontsize,
            zorder=8,
            path_effects=halo,
            parse_math=False,
            gid=NUMBER_GID if number else LABEL_GID,
        )
    return sorted(p.index for p in placements if p.kind == "number")


def _symbol_boxes(ax: Axes) -> list[tuple[float, float, float, float]]:
    """Display boxes of the symbols drawn on ``ax`` (the resources), for names to avoid."""
    from matplotlib.collections import PathCollection

    boxes: list[tuple[float, float, float, float]] = []
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if not isinstance(coll, PathCollection) or not len(offsets):
            continue
        xy = ax.transData.transform(offsets)
        sizes = np.resize(np.asarray(coll.get_sizes(), dtype=float), len(xy))
        # a marker of size s (points²) spans about √s points
        r = np.sqrt(sizes) / 2 * ax.figure.dpi / 72.0
        boxes.extend(zip(xy[:, 0] - r, xy[:, 1] - r, xy[:, 0] + r, xy[:, 1] + r, strict=True))
    return boxes


def _frame(ax: Axes, areas: gpd.GeoDataFrame, lang: str) -> list[tuple[float, float, float, float]]:
    """A margin around the areas, then the scale bar and the north arrow (their boxes, pixels)."""
    x0, y0, x1, y1 = areas.total_bounds
    pad = 0.06 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad * 1.5, y1 + pad)
    artists = [*_draw_scale_bar(ax, lang), _draw_north_arrow(ax)]
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [_extents(a.get_window_extent(renderer)) for a in artists]


def _extents(box: Bbox) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a matplotlib box."""
    return float(box.x0), float(box.y0), float(box.x1), float(box.y1)


def _new_page(figsize: tuple[float, float], lang: str, a3: bool) -> tuple[_Page, Axes]:
    """A figure not attached to pyplot, and the map axes (its first axes, placed later)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect("equal")
    ax.set_anchor("C")
    ax.set_axis_off()
    return _Page(fig, renderer, lang, a3, _PrintText()), ax


def static_map(
    coverage: Coverage,
    *,
    category: str | None = None,
    paper: Literal["A4", "A3"] = "A3",
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
        in the interactive map's five coverage classes.
    paper
        ``"A4"`` or ``"A3"``.
    orientation
        ``"landscape"`` (legends right of the map) or ``"portrait"`` (legends under the map).
        Legends shrink their font and add columns until they fit the page.
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

    Warns
    -----
    ChiikimapWarning
        Once, when a title, name or credit holds characters no print font has (drawn as 〓) or
        control and bidi formatting characters (removed).
    """
    return _static_map(
        coverage,
        category=category,
        paper=paper,
        orientation=orientation,
        lang=lang,
        title=title,
        resources=resources,
    )


def _static_map(  # noqa: PLR0913  (static_map's options, plus the value legend)
    coverage: Coverage,
    *,
    category: str | None = None,
    paper: Literal["A4", "A3"] = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
    resources: bool | Literal["auto"] = "auto",
    value_legend: tuple[str, list[Artist]] | None = None,
    overlay: Callable[[Axes], None] | None = None,
) -> Figure:
    """:func:`static_map`, with ``value_legend`` (title, handles) in place of the fills' legend
    and colour bar when given (the priority and change maps colour the areas otherwise), and
    ``overlay(ax)`` drawing on the map before the names are placed (names avoid its symbols)."""
    check_choice("lang", lang, _LANGS)
    _check_resources_option(resources)
    _check_category(coverage, category)
    crs = coverage.info.metric_crs
    areas = coverage.areas.to_crs(crs)
    values, status = _area_values(coverage, category)
    ids = areas[S.AREA_ID].astype(str)
    stat = [status.get(i, "") for i in ids]
    bins = _style.overview_bins(len(coverage.categories))
    spec = _MapSpec(
        coverage=coverage,
        category=category,
        areas=areas,
        colours=[
            _area_fill(values.get(i, np.nan), st, category, bins)
            for i, st in zip(ids, stat, strict=True)
        ],
        status=stat,
        figsize=_figsize(paper, orientation),
        a3=str(paper).upper() == "A3",
        side="right" if orientation == "landscape" else "bottom",
        lang=lang,
        title=_default_title(coverage, category, lang) if title is None else title,
        resources=resources,
        value_legend=value_legend,
        overlay=overlay,
    )
    numbered: list[int] = []
    with _japanese_font():
        # names that find no place are numbered, with a key beside the map; the key takes room
        # from the map, so the page is laid out again with those areas numbered from the start
        for _ in range(4):
            page, got = _compose(spec, numbered)
            if set(got) <= set(numbered):
                break
            numbered = sorted(set(numbered) | set(got))
    page.clean.warn()
    return page.fig


@dataclass
class _MapSpec:
    """What :func:`static_map` draws, worked out once for every layout attempt."""

    coverage: Coverage
    category: str | None
    areas: gpd.GeoDataFrame
    colours: list[str]
    status: list[str]
    figsize: tuple[float, float]
    a3: bool
    side: str
    lang: str
    title: str
    resources: bool | str
    value_legend: tuple[str, list[Artist]] | None = None
    overlay: Callable[[Axes], None] | None = None


def _key_legend(
    panel: _Panel, page: _Page, names: list[str], fixed: list[tuple[float, float]]
) -> Legend | None:
    """The key of the numbered areas: 「1 ○○中学校区」 …, fitted into the panel like the resources."""
    from matplotlib.lines import Line2D

    handles: list[Artist] = [
        Line2D([], [], linestyle="none", marker=f"${k}$", markersize=9 if k < 10 else 12,
               color="black", label=name)
        for k, name in enumerate(names, start=1)
    ]  # fmt: skip
    return _fit_resource_legend(panel, handles, page.text["legend_key"], fixed)


def _compose(spec: _MapSpec, numbered: list[int]) -> tuple[_Page, list[int]]:
    """Lay out and draw one page; ``numbered`` areas get a number and a line in the key.

    Returns the page and the areas whose names found no place (numbered on this page).
    """
    coverage, category = spec.coverage, spec.category
    crs = coverage.info.metric_crs
    page, ax = _new_page(spec.figsize, spec.lang, spec.a3)
    top, bottom = _draw_title_and_footer(page, spec.title, _footer_text(coverage, spec.lang))
    fw, fh = page.size
    box = (page.margin, bottom, fw - page.margin, top)
    panel = _Panel(page.fig, page.renderer, spec.side, box, page.gap)
    if spec.value_legend is None:
        handles, legend_title = _value_legend(
            page, category, len(coverage.categories), S.STATUS_EMPTY in spec.status
        )
    else:
        legend_title, handles = spec.value_legend[0], list(spec.value_legend[1])
    catchment = _catchment_of(coverage, category, crs)
    if catchment is not None:
        handles.append(_catchment_handle(catchment, spec.lang))
    val_fs = 10.0 if page.a3 else 9.0
    legends = {"val": panel.legend(handles, page.clean(legend_title, "legend"), val_fs, 1)}
    items = [("val", *panel.size(legends["val"]))]
    if category is not None and spec.value_legend is None:
        items.append(("cbar", 2.4 * page.px, 0.75 * page.px))
    layers: list[_ResourceLayer] = []
    if spec.resources is not False:
        layers, res_handles = _resource_layers(coverage, category, crs, page)
        fixed = [(w, h) for _, w, h in items]
        leg = _fit_resource_legend(panel, res_handles, page.text["legend_resources"], fixed)
        if leg is not None:
            legends["res"] = leg
            items.append(("res", *panel.size(leg)))
    names = [page.clean(n, "area names") for n in spec.areas[S.AREA_NAME].astype(str)]
    if numbered:
        fixed = [(w, h) for _, w, h in items]
        leg = _key_legend(panel, page, [names[i] for i in numbered], fixed)
        if leg is not None:
            legends["key"] = leg
            items.append(("key", *panel.size(leg)))
    placed, (mx0, my0, mx1, my1) = _arrange(items, spec.side, box, page.gap)
    for key, leg in legends.items():
        panel.move(leg, *placed[key][:2])
    if "cbar" in placed:
        _draw_colorbar(page, placed["cbar"], val_fs)
    ax.set_position((mx0 / fw, my0 / fh, (mx1 - mx0) / fw, (my1 - my0) / fh))
    _draw_areas(ax, spec.areas, spec.colours, spec.status)
    if catchment is not None:
        catchment.plot(ax=ax, zorder=2, **_CATCHMENT_STYLE)
    _draw_resources(ax, layers, spec.resources is True or category is not None, page.a3)
    obstacles = _frame(ax, spec.areas, spec.lang)
    if spec.overlay is not None:
        limits = ax.get_xlim(), ax.get_ylim()
        spec.overlay(ax)
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
    got = _draw_labels(ax, spec.areas, page, numbered, obstacles)
    return page, got


def _scalar_mappable(cmap: Any, norm: Any) -> ScalarMappable:
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
    paper: Literal["A4", "A3"] = "A3",
    orientation: Literal["landscape", "portrait"] = "landscape",
    lang: Literal["ja", "en"] = "ja",
    title: str | None = None,
    resources: bool | Literal["auto"] = "auto",
) -> None:
    """Write the print map to ``path``: PNG (``dpi`` dots per inch) or PDF, chosen by the suffix.

    The file is written to a temporary file in the same folder and renamed over ``path`` when
    complete, so an interrupted run leaves the old file (or none), never a truncated one.

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

    Raises
    ------
    OutputFileError
        The folder is missing or read-only, or the file cannot be replaced.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ParameterError(
            f"{p}: 拡張子は .png か .pdf にしてください / the file must end in .png or .pdf, "
            f"got {p.suffix or 'no suffix'!r}",
            param="path",
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
    with _japanese_font(), atomic_path(p) as tmp:
        if suffix == ".pdf":
            fig.savefig(tmp, format="pdf", metadata={"Creator": "chiikimap"})
        else:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": "chiikimap"})
