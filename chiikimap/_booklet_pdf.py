"""The PDF booklet, drawn page by page with matplotlib and written with ``PdfPages``.

Every page is a matplotlib Figure of the paper's size; positions are in points from the top-left
corner. Data text goes through the print map's :class:`~chiikimap.maps.static._PrintText`
(control characters removed, characters no print font has drawn as 〓, one warning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _schema as S
from . import _style
from ._atomic import atomic_path
from .booklet import NEARBY_HEADING, AreaBook, Entry, lack_text, paper_mm, source_lines
from .maps.static import (
    _draw_north_arrow,
    _draw_scale_bar,
    _font_files,
    _japanese_font,
    _PrintText,
    _wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .result import Coverage

_PT_PER_MM = 72.0 / 25.4
_MARGIN_MM = 12.0
#: (key, heading, share of the text width) of the list columns
_COLUMNS = (
    ("number", "番号", 0.06),
    ("name", "名称", 0.23),
    ("categories", "種別", 0.13),
    ("address", "住所", 0.22),
    ("phone", "電話", 0.15),
    ("hours", "利用日・時間", 0.21),
)
#: the columns when no resource of the area has opening hours (the space goes to name/address)
_COLUMNS_NO_HOURS = (
    ("number", "番号", 0.06),
    ("name", "名称", 0.31),
    ("categories", "種別", 0.16),
    ("address", "住所", 0.31),
    ("phone", "電話", 0.16),
)
#: a cell is cut after this many lines (with …) so that one row never outgrows a page
_MAX_LINES = 6


@dataclass
class _Doc:
    """The document being written: page size, font sizes, the cleaner of data text."""

    width: float  # points
    height: float
    body: float  # font size of list rows (points)
    large: bool
    clean: _PrintText = field(default_factory=_PrintText)
    pages: list[Figure] = field(default_factory=list)
    measure: _Measure = field(init=False)

    def __post_init__(self) -> None:
        self.measure = _Measure(self.body)

    @property
    def margin(self) -> float:
        return _MARGIN_MM * _PT_PER_MM

    @property
    def line(self) -> float:
        return self.body * 1.35

    def page(self) -> Figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(self.width / 72.0, self.height / 72.0), dpi=72)
        FigureCanvasAgg(fig)
        self.pages.append(fig)
        return fig

    def text(self, fig: Figure, x: float, y: float, s: str, size: float, **kw: Any) -> None:
        """Draw ``s`` with its top-left corner at (x, y) points from the page's top-left."""
        fig.text(
            x / self.width,
            1.0 - y / self.height,
            s,
            fontsize=size,
            va=kw.pop("va", "top"),
            ha=kw.pop("ha", "left"),
            parse_math=False,
            **kw,
        )


class _Measure:
    """Glyph advances of the print font (or its fallback) at one size, cached per character."""

    def __init__(self, size: float) -> None:
        from matplotlib.font_manager import get_font

        self.size = size
        self.fonts = []
        for path in _font_files():
            font = get_font(path)
            font.set_size(size, 72.0)
            self.fonts.append((font, frozenset(font.get_charmap())))
        self.advance: dict[str, float] = {}

    def width(self, ch: str) -> float:
        w = self.advance.get(ch)
        if w is None:
            font = next((f for f, codes in self.fonts if ord(ch) in codes), None)
            if font is not None:
                # matplotlib shares font objects and sizes them as it draws: size it each time
                font.set_size(self.size, 72.0)
            glyph = font.load_char(ord(ch)) if font is not None else None
            w = glyph.linearHoriAdvance / 65536.0 if glyph is not None else self.size
            self.advance[ch] = w
        return w

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines no wider than ``width`` points; breaks after a space, ・ or 、 when it can."""
        out: list[str] = []
        line, used = "", 0.0
        for ch in text:
            w = self.width(ch)
            if line and used + w > width:
                cut = max(line.rfind(c) for c in (" ", "・", "、"))
                if cut >= len(line) // 2:
                    out.append(line[: cut + 1].rstrip())
                    line = line[cut + 1 :].lstrip()
                else:
                    out.append(line)
                    line = ""
                used = sum(self.width(c) for c in line)
            line += ch
            used += w
        out.append(line)
        return out


def _cell_lines(doc: _Doc, text: str, width: float, where: str) -> list[str]:
    clean = doc.clean(text, where)
    if not clean:
        return [""]
    lines = doc.measure.wrap(clean, width - 4.0)
    if len(lines) > _MAX_LINES:
        lines = [*lines[: _MAX_LINES - 1], lines[_MAX_LINES - 1][:-1] + "…"]
    return lines


def columns_of(book: AreaBook) -> tuple[tuple[str, str, float], ...]:
    """The list columns of an area: 利用日・時間 only when some resource has them."""
    return _COLUMNS if any(e.hours for e in book.entries) else _COLUMNS_NO_HOURS


def list_widths(doc: _Doc, book: AreaBook) -> list[float]:
    """Column widths (points): the phone column as wide as the longest number, so that a phone
    number never breaks; the other columns share the rest in their proportions."""
    columns = columns_of(book)
    text_w = doc.width - 2 * doc.margin
    shares = [share for _, _, share in columns]
    j = [key for key, _, _ in columns].index("phone")
    longest = max((sum(doc.measure.width(c) for c in e.phone) for e in book.entries), default=0.0)
    phone = min(max(shares[j] * text_w, longest + 6.0), 0.3 * text_w)
    rest = text_w - phone
    others = sum(shares) - shares[j]
    return [phone if i == j else share / others * rest for i, share in enumerate(shares)]


def _row_cells(
    doc: _Doc, e: Entry, widths: list[float], columns: tuple[tuple[str, str, float], ...]
) -> list[list[str]]:
    values = {
        "number": str(e.number),
        "name": e.name,
        "categories": e.categories,
        "address": e.address,
        "phone": e.phone,
        "hours": e.hours,
    }
    return [
        _cell_lines(doc, values[key], w, f"資源 {e.resource_id}")
        for (key, _, _), w in zip(columns, widths, strict=True)
    ]


# --- cover and contents ------------------------------------------------------------------------
def _cover(doc: _Doc, coverage: Coverage, municipality: str, books: list[AreaBook]) -> None:
    fig = doc.page()
    m = doc.margin
    title = f"{municipality} 地域資源マップ" if municipality else "地域資源マップ"
    doc.text(fig, m, doc.height * 0.22, doc.clean(title, "表紙"), 28)
    info = coverage.info
    dates = "・".join(info.data_dates) or "（記載なし）"
    sub = [
        f"作成日: {info.created or '―'}",
        f"データ時点: {dates}",
        f"圏域: {len(books)}　種別: {len(coverage.categories)}",
        "地図の番号は、一覧の番号と同じ資源を指します。",
    ]
    y = doc.height * 0.32
    for line in sub:
        doc.text(fig, m, y, doc.clean(line, "表紙"), 14 if doc.large else 12)
        y += (14 if doc.large else 12) * 1.8
    y = doc.height * 0.62
    doc.text(fig, m, y, "出典", 14 if doc.large else 11)
    y += 20
    size = 12 if doc.large else 9
    for credit in source_lines(coverage) or ["（記載なし）"]:
        lines = _wrap(doc.clean(credit, "出典"), doc.width - 2 * m, size, 72.0).split("\n")
        for line in lines:
            doc.text(fig, m, y, line, size)
            y += size * 1.4
    made = f"chiikimap {info.version}".strip()
    doc.text(fig, m, doc.height - m, f"作成: {made}", 8, va="bottom", color="#555555")


def _contents(doc: _Doc, books: list[AreaBook], first_pages: list[int]) -> None:
    fig = doc.pages[1]
    m = doc.margin
    size = 14 if doc.large else 12
    doc.text(fig, m, m, "目次", 20)
    y = m + 40
    for book, page in zip(books, first_pages, strict=True):
        n = len(book.entries)
        label = doc.clean(f"{book.area_name}（資源 {n} か所）", "目次")
        doc.text(fig, m, y, label, size)
        doc.text(fig, doc.width - m, y, f"{page} ページ", size, ha="right")
        y += size * 1.7
        if y > doc.height - m:
            break  # more than one contents page of areas: shown in the page headers only


# --- map page -------------------------------------------------------------------------------------
def _map_page(doc: _Doc, coverage: Coverage, book: AreaBook, page_no: int) -> None:
    fig = doc.page()
    m = doc.margin
    head = 18.0
    doc.text(fig, m, m, doc.clean(f"{book.area_name}　地図", "見出し"), head)
    doc.text(fig, doc.width - m, m, f"{page_no}", max(10.0, doc.body), ha="right")
    box_lines = _lack_lines(doc, coverage, book)
    box_size = doc.body
    box_h = (len(box_lines) + 1) * box_size * 1.45 + 12
    top = m + head * 1.8
    n_keys = len(book.groups) + (1 if book.nearby else 0)
    leg_size = 11.0 if doc.large else 8.0
    ncol = 1 if n_keys <= 4 else 2
    leg_h = (math.ceil(n_keys / ncol) + 1) * leg_size * 1.55 + 12 if n_keys else 0.0
    bottom = doc.height - m - box_h - 8 - leg_h
    ax = fig.add_axes(
        (
            m / doc.width,
            1.0 - bottom / doc.height,
            (doc.width - 2 * m) / doc.width,
            (bottom - top) / doc.height,
        )
    )
    _draw_map(ax, coverage, book)
    # the map keeps its shape: put it at the top and the legend right under it
    ax.set_anchor("N")
    ax.apply_aspect()
    below = ax.get_position().y0 - 4 / doc.height
    _map_legend(fig, coverage, book, (m / doc.width, below), leg_size)
    y = bottom + leg_h + 8
    from matplotlib.patches import Rectangle

    fig.add_artist(
        Rectangle(
            (m / doc.width, 1.0 - (y + box_h) / doc.height),
            (doc.width - 2 * m) / doc.width,
            box_h / doc.height,
            transform=fig.transFigure,
            facecolor="#fff7f0",
            edgecolor="#aa3333",
            linewidth=1.0,
        )
    )
    doc.text(fig, m + 6, y + 5, "この圏域で足りないもの（空白・不足）", box_size)
    for i, line in enumerate(box_lines):
        doc.text(fig, m + 6, y + 5 + (i + 1) * box_size * 1.45, line, box_size)


def _lack_lines(doc: _Doc, coverage: Coverage, book: AreaBook) -> list[str]:
    if not book.lacks:
        return ["空白・不足の種別はありません。"]
    width = doc.width - 2 * doc.margin - 12
    lines: list[str] = []
    for lack in book.lacks:
        text = doc.clean(lack_text(lack, coverage.info.weight_label), "不足")
        lines.extend(_wrap(text, width, doc.body, 72.0).split("\n"))
    if len(lines) > 8:
        lines = [*lines[:7], f"…ほか（全 {len(book.lacks)} 種別。一覧は表を参照）"]
    return lines


def _draw_map(ax: Any, coverage: Coverage, book: AreaBook) -> None:
    areas = coverage.areas.to_crs(book.metric_crs)
    mine = areas[S.AREA_ID].astype(str) == book.area_id
    ax.set_aspect("equal")
    ax.set_axis_off()
    areas[~mine].plot(ax=ax, facecolor="#eeeeee", edgecolor="#bbbbbb", linewidth=0.6)
    areas[mine].plot(ax=ax, facecolor="#fdfbe6", edgecolor="#333333", linewidth=1.6)
    entries = book.entries
    xs = [e.x for e in entries]
    ys = [e.y for e in entries]
    x0, y0, x1, y1 = areas[mine].total_bounds
    if xs:
        x0, x1 = min(x0, min(xs)), max(x1, max(xs))
        y0, y1 = min(y0, min(ys)), max(y1, max(ys))
    pad = 0.06 * max(x1 - x0, y1 - y0, 1.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad * 1.6, y1 + pad)
    for _, row in areas[~mine].iterrows():
        c = row.geometry.representative_point()
        if x0 - pad <= c.x <= x1 + pad and y0 - pad <= c.y <= y1 + pad:
            ax.text(
                c.x,
                c.y,
                str(row[S.AREA_NAME]),
                fontsize=8,
                color="#999999",
                ha="center",
                va="center",
                parse_math=False,
            )
    size = 9.0 if len(entries) <= 60 else 7.0
    for e in entries:
        ax.plot(
            e.x,
            e.y,
            marker="s" if e.outside else "o",
            markersize=size * (1.6 if e.number < 100 else 1.9),
            markerfacecolor="white",
            markeredgecolor=e.colour,
            markeredgewidth=1.6,
            linestyle="none",
            zorder=5,
        )
        ax.text(
            e.x,
            e.y,
            str(e.number),
            fontsize=size * 0.72,
            ha="center",
            va="center",
            zorder=6,
            parse_math=False,
        )
    _draw_scale_bar(ax, "ja")
    _draw_north_arrow(ax)


def _map_legend(
    fig: Figure, coverage: Coverage, book: AreaBook, where: tuple[float, float], size: float
) -> None:
    """The marker colours and counts per category, under the map (never over a marker)."""
    from matplotlib.lines import Line2D

    handles = []
    for key, group in book.groups.items():
        colour = _style.hex_colour(coverage.taxonomy[key].color)
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor=colour,
                markeredgewidth=1.6,
                markersize=8,
                label=f"{coverage.taxonomy.label(key)}（{len(group)}）",
            )
        )
    if book.nearby:
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor="#666666",
                markersize=8,
                label=NEARBY_HEADING,
            )
        )
    if handles:
        leg = fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=where,
            fontsize=size,
            frameon=False,
            ncol=1 if len(handles) <= 4 else 2,
            title="番号の色: 種別（この圏域の資源数）",
            title_fontsize=size,
            alignment="left",
        )
        for t in leg.get_texts():
            t.set_parse_math(False)


# --- list pages -----------------------------------------------------------------------------------
@dataclass
class _Item:
    """One block of a list page: a category heading or a resource row."""

    kind: str  # "section", "heading" or "row"
    text: str = ""
    cells: list[list[str]] = field(default_factory=list)

    def height(self, doc: _Doc) -> float:
        if self.kind == "row":
            return max(len(c) for c in self.cells) * doc.line + 6.0
        if self.kind == "section":
            return doc.body * 2.6
        return doc.body * 2.2


def _items(doc: _Doc, coverage: Coverage, book: AreaBook, widths: list[float]) -> list[_Item]:
    items: list[_Item] = []
    tax = coverage.taxonomy
    for title, groups in (("", book.groups), (NEARBY_HEADING, book.nearby)):
        if not groups:
            continue
        if title:
            items.append(_Item("section", f"{title}（圏域の外にあり、半径内に届く資源）"))
        for key, entries in groups.items():
            items.append(_Item("heading", f"■ {tax.label(key)}（{len(entries)} か所）"))
            items.extend(
                _Item("row", cells=_row_cells(doc, e, widths, columns_of(book))) for e in entries
            )
    return items


def _list_top(doc: _Doc) -> float:
    """Where the first item of a list page starts (below the title and the column heads)."""
    return doc.margin + 30.0 + doc.line + 8.0


def _list_bottom(doc: _Doc) -> float:
    return doc.height - doc.margin - 14.0


def _paginate(doc: _Doc, items: list[_Item]) -> list[list[_Item]]:
    """Items per page: a row is never split, a heading never ends a page, and a category
    continued on a new page starts with its heading marked 「（続き）」."""
    top, bottom = _list_top(doc), _list_bottom(doc)
    pages: list[list[_Item]] = [[]]
    y = top
    current = ""
    for i, item in enumerate(items):
        h = item.height(doc)
        following = items[i + 1].height(doc) if item.kind != "row" and i + 1 < len(items) else 0
        if pages[-1] and y + h + following > bottom:
            pages.append([])
            y = top
            if item.kind == "row" and current:
                pages[-1].append(_Item("heading", f"{current}（続き）"))
                y += pages[-1][-1].height(doc)
        if item.kind == "heading":
            current = item.text
        elif item.kind == "section":
            current = ""
        pages[-1].append(item)
        y += h
    return pages


def _list_pages(doc: _Doc, coverage: Coverage, book: AreaBook, first_no: int) -> int:
    """Draw the list pages of one area; return the number of pages drawn."""
    columns = columns_of(book)
    widths = list_widths(doc, book)
    items = _items(doc, coverage, book, widths)
    if not items:
        items = [_Item("heading", "この圏域にある資源はありません。")]
    pages = _paginate(doc, items)
    for k, page_items in enumerate(pages):
        _draw_list_page(doc, book, page_items, columns, first_no + k, (k + 1, len(pages)))
    return len(pages)


def _draw_list_page(
    doc: _Doc,
    book: AreaBook,
    items: list[_Item],
    columns: tuple[tuple[str, str, float], ...],
    page_no: int,
    k_of_n: tuple[int, int],
) -> None:
    fig = doc.page()
    k, n = k_of_n
    widths = list_widths(doc, book)
    m = doc.margin
    title = f"{book.area_name}　資源一覧（{k}/{n}）"
    doc.text(fig, m, m, doc.clean(title, "見出し"), 16)
    doc.text(fig, doc.width - m, m, f"{page_no}", max(10.0, doc.body), ha="right")
    y = m + 28.0
    x = m
    for (_, head, _), w in zip(columns, widths, strict=True):
        doc.text(fig, x + 2, y, head, doc.body)
        x += w
    y += doc.line + 4
    _rule(doc, fig, y - 2, 1.0)
    y = _list_top(doc)
    for item in items:
        if item.kind == "row":
            x = m
            for cell, w in zip(item.cells, widths, strict=True):
                doc.text(fig, x + 2, y + 3, "\n".join(cell), doc.body, linespacing=1.35)
                x += w
            y += item.height(doc)
            _rule(doc, fig, y, 0.4)
        else:
            size = doc.body * (1.15 if item.kind == "section" else 1.05)
            doc.text(
                fig,
                m,
                y + doc.body * 0.6,
                doc.clean(item.text, "見出し"),
                size,
                color="#1f3864" if item.kind == "section" else "black",
            )
            y += item.height(doc)


def _rule(doc: _Doc, fig: Figure, y: float, width: float) -> None:
    from matplotlib.lines import Line2D

    yy = 1.0 - y / doc.height
    fig.add_artist(
        Line2D(
            [doc.margin / doc.width, 1.0 - doc.margin / doc.width],
            [yy, yy],
            transform=fig.transFigure,
            color="#888888",
            linewidth=width,
        )
    )


# --- the document ---------------------------------------------------------------------------------
def write_pdf(
    coverage: Coverage,
    books: list[AreaBook],
    path: Path,
    *,
    paper: str,
    large_print: bool,
    municipality: str,
) -> None:
    """Draw every page and write them to ``path`` (atomically) with ``PdfPages``."""
    from matplotlib.backends.backend_pdf import PdfPages

    w_mm, h_mm = paper_mm(paper)
    doc = _Doc(
        width=w_mm * _PT_PER_MM,
        height=h_mm * _PT_PER_MM,
        body=14.0 if large_print else 8.5,
        large=large_print,
    )
    import matplotlib as mpl

    # TrueType (Type 42) subsets: smaller, quicker files whose text can be searched and copied
    with _japanese_font(), mpl.rc_context({"pdf.fonttype": 42}):
        _cover(doc, coverage, municipality, books)
        doc.page()  # contents, filled in once the page numbers are known
        first_pages: list[int] = []
        for book in books:
            first_pages.append(len(doc.pages) + 1)
            _map_page(doc, coverage, book, len(doc.pages) + 1)
            _list_pages(doc, coverage, book, len(doc.pages) + 1)
        _contents(doc, books, first_pages)
        with atomic_path(path) as tmp, PdfPages(tmp, metadata=_metadata(municipality)) as pdf:
            for fig in doc.pages:
                pdf.savefig(fig)
    doc.clean.warn()


def _metadata(municipality: str) -> dict[str, Any]:
    title = f"{municipality} 地域資源マップ".strip()
    return {"Title": title, "Creator": "chiikimap"}
