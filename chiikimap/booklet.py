"""資源マップ booklet: per 圏域 a numbered map and a contact list, as PDF or one HTML file.

The booklet is what a 生活支援コーディネーター hands to a 協議体 member or a resident: a cover
(municipality, date, sources), a contents page, then for each area a map page (the area, its
neighbours faded, numbered markers, scale bar, north arrow, and a box of what the area lacks)
followed by list pages (number, name, category, address, phone, hours), grouped by category.

Numbers agree with the coverage table: a resource has one number in its area, the same on the
map and in the list; it is listed under each of its categories, so that the count under a
category heading is the table's ``n_resources`` for that area. Resources in no area that lie
within a category's radius of the area are listed after them under 「圏域外の近隣資源」.

The PDF is drawn with matplotlib (its PDF backend is already a dependency and embeds the bundled
IPAex Gothic font, with the same fallback and 〓 replacement as the print map); the HTML version
is one self-contained file whose data is escaped with :mod:`chiikimap._html`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _schema as S
from . import _style
from ._errors import ParameterError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from .result import Coverage

__all__ = ["AreaBook", "Entry", "booklet_data", "to_booklet"]

PAPERS = ("A4", "A3", "B5")
_PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "B5": (182.0, 257.0)}
NEARBY_HEADING = "圏域外の近隣資源"
_STATUS_JA = {S.STATUS_NONE: "空白", S.STATUS_GAP: "不足", S.STATUS_OK: "充足", "empty": "対象なし"}


# --- data ---------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One resource of an area's list: its number (the marker's) and what a resident needs."""

    number: int
    resource_id: str
    name: str
    categories: str
    address: str
    phone: str
    hours: str
    x: float
    y: float
    colour: str
    outside: bool = False
    #: placed only at a town's point (geocoded at 町丁目/大字 level); the address says so
    approx: bool = False


@dataclass
class AreaBook:
    """Everything one area's pages show."""

    area_id: str
    area_name: str
    metric_crs: str
    #: category key → entries inside the area (their count is the table's n_resources)
    groups: dict[str, list[Entry]] = field(default_factory=dict)
    #: category key → resources in no area within the category's radius of the area
    nearby: dict[str, list[Entry]] = field(default_factory=dict)
    #: (category label, status, n_resources, coverage, uncovered) of the 空白/不足 categories
    lacks: list[tuple[str, str, int, float, float]] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        """Each numbered resource once, in number order."""
        seen: dict[int, Entry] = {}
        for group in (*self.groups.values(), *self.nearby.values()):
            for e in group:
                seen.setdefault(e.number, e)
        return [seen[n] for n in sorted(seen)]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def _keys_of(row: pd.Series) -> list[str]:
    cats = row.get(S.CATEGORIES)
    if isinstance(cats, (tuple, list, np.ndarray)) and len(cats):
        return [str(k) for k in cats]
    cat = row.get(S.CATEGORY)
    return [str(cat)] if isinstance(cat, str) and cat else []


def _check_selection(
    coverage: Coverage, areas: Any, categories: Any
) -> tuple[list[str], list[str]]:
    all_areas = [str(a) for a in coverage.areas[S.AREA_ID]]
    if areas is None:
        area_ids = all_areas
    else:
        wanted = [areas] if isinstance(areas, str) else [str(a) for a in areas]
        unknown = [a for a in wanted if a not in all_areas]
        if unknown or not wanted:
            raise ParameterError(
                f"areas に知らない圏域 ID があります: {unknown}（圏域: {all_areas[:20]}）/ unknown "
                f"area ids {unknown}; known: {all_areas[:20]}",
                param="areas",
            )
        area_ids = list(dict.fromkeys(wanted))
    if categories is None:
        keys = list(coverage.categories)
    else:
        keys = [categories] if isinstance(categories, str) else [str(c) for c in categories]
        for key in keys:
            check_choice("categories", key, tuple(coverage.categories))
    return area_ids, keys


def _metric(coverage: Coverage, area_id: str) -> str:
    info = coverage.info
    return str(info.metric_crs_by_area.get(area_id, info.metric_crs))


def _entry(row: pd.Series, number: int, keys: list[str], coverage: Coverage, xy: Any) -> Entry:
    tax = coverage.taxonomy
    mine = [k for k in _keys_of(row) if k in keys] or _keys_of(row)
    try:
        colour = _style.hex_colour(tax[mine[0]].color) if mine else _style.UNKNOWN_COLOUR
    except KeyError:
        colour = _style.UNKNOWN_COLOUR
    approx = row.get(S.GEOCODE_LEVEL) in S.APPROX_LEVELS
    address = _text(row.get(S.ADDRESS))
    return Entry(
        number=number,
        resource_id=_text(row.get(S.RESOURCE_ID)),
        name=_text(row.get(S.NAME)),
        categories="・".join(tax.label(k) for k in mine),
        address=f"{address} ※{S.approx_note_of(row.get(S.GEOCODE_LEVEL))}" if approx else address,
        phone=unicodedata.normalize("NFKC", _text(row.get(S.PHONE))),
        hours=_text(row.get(S.HOURS)),
        x=float(xy.x),
        y=float(xy.y),
        colour=colour,
        approx=approx,
    )


def _area_book(coverage: Coverage, area_id: str, keys: list[str]) -> AreaBook:
    areas = coverage.areas
    area_row = areas[areas[S.AREA_ID].astype(str) == area_id].iloc[0]
    crs = _metric(coverage, area_id)
    book = AreaBook(area_id, _text(area_row[S.AREA_NAME]) or area_id, crs)
    res = coverage.resources
    inside = res[res[S.AREA_ID].astype(str) == area_id] if S.AREA_ID in res.columns else res[:0]
    order = {k: i for i, k in enumerate(keys)}
    inside = inside.assign(
        _first=[
            min((order[k] for k in _keys_of(r) if k in order), default=len(keys))
            for _, r in inside.iterrows()
        ]
    )
    inside = inside[inside["_first"] < len(keys)].sort_values(["_first", S.NAME], kind="stable")
    pts = inside.geometry.to_crs(crs)
    number = 0
    for (_, row), pt in zip(inside.iterrows(), pts, strict=True):
        number += 1
        entry = _entry(row, number, keys, coverage, pt)
        for k in _keys_of(row):
            if k in order:
                book.groups.setdefault(k, []).append(entry)
    book.groups = {k: book.groups[k] for k in keys if k in book.groups}
    _add_nearby(coverage, book, area_row.geometry, keys, number)
    _add_lacks(coverage, book, keys)
    return book


def _unassigned(coverage: Coverage) -> gpd.GeoDataFrame:
    res = coverage.resources
    if S.AREA_ID in res.columns:
        return res[res[S.AREA_ID].isna()]
    return coverage.unassigned


def _add_nearby(
    coverage: Coverage, book: AreaBook, geometry: Any, keys: list[str], number: int
) -> None:
    import geopandas as gpd

    out = _unassigned(coverage)
    if out.empty:
        return
    shape = gpd.GeoSeries([geometry], crs=coverage.areas.crs).to_crs(book.metric_crs).iloc[0]
    pts = out.geometry.to_crs(book.metric_crs)
    dist = pts.distance(shape).to_numpy()
    rows = []
    for (_, row), d, pt in zip(out.iterrows(), dist, pts, strict=True):
        near = [
            k
            for k in _keys_of(row)
            if k in keys and d <= float(coverage.info.rules.get(k, {}).get("radius_m", 0.0))
        ]
        if near:
            rows.append((min(keys.index(k) for k in near), _text(row.get(S.NAME)), row, pt, near))
    for _, _, row, pt, near in sorted(rows, key=lambda t: (t[0], t[1])):
        number += 1
        entry = _entry(row, number, keys, coverage, pt)
        entry.outside = True
        for k in near:
            book.nearby.setdefault(k, []).append(entry)
    book.nearby = {k: book.nearby[k] for k in keys if k in book.nearby}


def _add_lacks(coverage: Coverage, book: AreaBook, keys: list[str]) -> None:
    t = coverage.table
    t = t[(t[S.AREA_ID].astype(str) == book.area_id) & t[S.CATEGORY].isin(keys)]
    order = {k: i for i, k in enumerate(keys)}
    rows = sorted(t.itertuples(index=False), key=lambda r: order[getattr(r, S.CATEGORY)])
    for r in rows:
        status = str(getattr(r, S.STATUS))
        if status in (S.STATUS_NONE, S.STATUS_GAP):
            book.lacks.append(
                (
                    str(getattr(r, S.CATEGORY_LABEL)),
                    status,
                    int(getattr(r, S.N_RESOURCES)),
                    float(getattr(r, S.COVERAGE)),
                    float(getattr(r, S.UNCOVERED)),
                )
            )


def booklet_data(
    coverage: Coverage,
    *,
    areas: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
) -> list[AreaBook]:
    """The numbered lists of the booklet, one :class:`AreaBook` per area (what both outputs draw).

    Parameters
    ----------
    coverage
        The result of :func:`chiikimap.analyze`.
    areas
        Area ids to include (default: every area, in table order).
    categories
        Category keys to list (default: every category of the analysis).

    Returns
    -------
    list of AreaBook
        Per area: ``groups`` (category key → entries; the count equals the coverage table's
        ``n_resources``), ``nearby`` (resources in no area within the category's radius),
        ``lacks`` (the 空白/不足 categories with their figures).
    """
    area_ids, keys = _check_selection(coverage, areas, categories)
    return [_area_book(coverage, a, keys) for a in area_ids]


# --- cover facts --------------------------------------------------------------------------------
_MUNICIPALITY = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}県)?(.+?[市区町村])")


def municipality_of(coverage: Coverage) -> str:
    """The municipality most resource addresses name (「大阪府枚方市」), or ``""``."""
    res = coverage.resources
    if S.ADDRESS not in res.columns:
        return ""
    found: Counter[str] = Counter()
    for address in res[S.ADDRESS].dropna().astype(str).head(2000):
        m = _MUNICIPALITY.match(address.strip())
        if m:
            found[m.group(0)] += 1
    if not found:
        return ""
    top, n = found.most_common(1)[0]
    return top if n * 2 >= sum(found.values()) else ""


def source_lines(coverage: Coverage) -> list[str]:
    """One credit line per source of the analysis."""
    return list(dict.fromkeys(s.attribution for s in coverage.info.sources if s.attribution))


def lack_text(lack: tuple[str, str, int, float, float], weight_label: str) -> str:
    """「訪問介護: 空白（資源 0 か所、カバー率 0%、届かない面積 …）」."""
    label, status, n, share, uncovered = lack
    pct = "–" if not math.isfinite(share) else f"{share:.0%}"
    far = "" if not math.isfinite(uncovered) else f"、届かない{weight_label} {uncovered:,.0f}"
    return f"{label}: {_STATUS_JA.get(status, status)}（資源 {n} か所、カバー率 {pct}{far}）"


def to_booklet(
    coverage: Coverage,
    path: str | PathLike[str],
    *,
    areas: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
    paper: str = "A4",
    large_print: bool = False,
    municipality: str | None = None,
) -> None:
    """Write the booklet: PDF or (for a path ending in ``.html``) one self-contained HTML file.

    See :meth:`chiikimap.Coverage.to_booklet`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise ParameterError(
            f"{p}: 拡張子は .pdf か .html にしてください / the booklet must end in .pdf or .html",
            param="path",
        )
    key = paper.upper() if isinstance(paper, str) else paper
    check_choice("paper", key, PAPERS)
    books = booklet_data(coverage, areas=areas, categories=categories)
    town = municipality if municipality is not None else municipality_of(coverage)
    if suffix == ".pdf":
        from ._booklet_pdf import write_pdf

        write_pdf(coverage, books, p, paper=key, large_print=large_print, municipality=town)
    else:
        from ._booklet_html import write_html

        write_html(coverage, books, p, paper=key, large_print=large_print, municipality=town)


def paper_mm(paper: str) -> tuple[float, float]:
    """(width, height) of ``paper`` in millimetres, portrait."""
    return _PAPER_MM[paper]
