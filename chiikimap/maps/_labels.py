"""Area names on the print map, placed so that no two overlap.

Names are placed one area at a time, the smallest area (on the page) first, at the largest of a
few font sizes that works:

1. wholly inside the area, as near as possible to its pole of inaccessibility (the inner point
   farthest from the outline, :func:`shapely.ops.polylabel`), on one line or broken in two;
2. otherwise centred on a point of the area, spilling over its outline as little as possible;
3. otherwise the area gets a number at that point, and its name goes in a key beside the map.

A name never covers a name or number placed before it, nor the obstacles given (the scale bar
and the north arrow), and stays inside the map; at each font size it first looks for a place
clear of the resource symbols, then accepts covering some (its white halo keeps both legible). Everything is measured in display pixels with
the figure's renderer, so the map's position and limits must be final before placing. Numbers
are given in the order of the areas (1, 2 … for the numbered areas only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

__all__ = ["LABEL_GID", "NUMBER_GID", "Placement", "name_variants", "place_labels"]

#: ``gid`` of the area-name texts and of the area numbers (tests and callers find them by it)
LABEL_GID = "chiikimap-area-label"
NUMBER_GID = "chiikimap-area-number"
#: candidate centres tried per area (nearest to the pole first)
_MAX_CENTRES = 600
#: share of a name's box that must lie over its own area when it spills over the outline
_MIN_OWN = 0.5
#: brackets before which a long name is broken in two
_BREAK_BEFORE = "（(［[〔「"


@dataclass(frozen=True)
class Placement:
    """Where one area's name (or number) goes: ``kind`` is ``"inside"``, ``"spill"`` or
    ``"number"``; ``x``/``y`` the centre in display pixels."""

    index: int
    kind: str
    text: str
    fontsize: float
    x: float
    y: float


def name_variants(name: str) -> list[str]:
    """``name`` on one line, then (for a long name) broken in two lines.

    A name is broken before its first bracket (「（参考）」), else after a space or 「・」 near
    its middle, else in its middle (Japanese has no spaces between words).

    Examples
    --------
    >>> name_variants("協和中学校区（参考）")
    ['協和中学校区（参考）', '協和中学校区\\n（参考）']
    >>> name_variants("第1区")
    ['第1区']
    >>> name_variants("生駒北小中学校")
    ['生駒北小中学校', '生駒北小\\n中学校']
    """
    text = name.strip()
    if len(text) < 6 or "\n" in text:
        return [text]
    cut = next((i for i, ch in enumerate(text) if ch in _BREAK_BEFORE and i >= 2), -1)
    if cut < 0:
        mid = len(text) / 2
        seps = [i + 1 for i, ch in enumerate(text) if ch in " ・/" and abs(i + 1 - mid) <= 2]
        cut = seps[0] if seps else (len(text) + 1) // 2
    first, second = text[:cut].rstrip(), text[cut:].lstrip()
    return [text, f"{first}\n{second}"] if first and second else [text]


def _largest_part(geom: BaseGeometry) -> Polygon | None:
    """The largest polygon of ``geom`` (after repair), or ``None`` when it has no area."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in getattr(g, "geoms", [g]) if p.area > 0]
    return max(polys, key=lambda p: p.area) if polys else None


def _anchor(poly: Polygon) -> tuple[float, float]:
    """The centroid when it lies nearly as deep inside as the pole of inaccessibility, else the
    pole (a long shape has a whole line of poles; its centre reads best)."""
    pole = polylabel(poly, tolerance=1.0)
    centroid = poly.centroid
    depth = poly.boundary.distance(pole)
    if poly.contains(centroid) and poly.boundary.distance(centroid) >= 0.8 * depth:
        return float(centroid.x), float(centroid.y)
    return float(pole.x), float(pole.y)


def _centres(poly: Polygon, anchor: tuple[float, float]) -> np.ndarray:
    """Points of ``poly`` on a grid, the anchor first, then by distance to the anchor."""
    x0, y0, x1, y1 = poly.bounds
    step = max(2.0, min(x1 - x0, y1 - y0) / 24.0, np.sqrt(poly.area / 4000.0))
    mx, my = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    gx, gy = mx.ravel(), my.ravel()
    inside = shapely.contains_xy(poly, gx, gy)
    pts = np.vstack([np.array([anchor]), np.column_stack([gx[inside], gy[inside]])])
    order = np.argsort(np.hypot(pts[:, 0] - anchor[0], pts[:, 1] - anchor[1]), kind="stable")
    return np.asarray(pts[order][:_MAX_CENTRES])


def _hits(boxes: np.ndarray, cx: np.ndarray, cy: np.ndarray, hw: float, hh: float) -> np.ndarray:
    """Which boxes 2·hw × 2·hh centred at (cx, cy) meet one of ``boxes`` (x0, y0, x1, y1)."""
    if not len(boxes):
        return np.zeros(len(cx), dtype=bool)
    hit = (
        (cx[:, None] - hw < boxes[None, :, 2])
        & (cx[:, None] + hw > boxes[None, :, 0])
        & (cy[:, None] - hh < boxes[None, :, 3])
        & (cy[:, None] + hh > boxes[None, :, 1])
    )
    return np.asarray(hit.any(axis=1))


class _Free:
    """The boxes taken so far (x0, y0, x1, y1 in pixels) and the frame names must stay in.

    ``soft`` boxes (the resource symbols) are avoided while :attr:`avoid_soft` is true.
    """

    def __init__(
        self,
        frame: tuple[float, float, float, float],
        taken: Sequence[Sequence[float]],
        soft: Sequence[Sequence[float]],
        pad: float,
    ) -> None:
        self.frame = frame
        self.pad = pad
        self.boxes = np.array([list(b) for b in taken], dtype=float).reshape(-1, 4)
        self.soft = np.array([list(b) for b in soft], dtype=float).reshape(-1, 4)
        self.avoid_soft = True

    def fits(self, cx: np.ndarray, cy: np.ndarray, w: float, h: float) -> np.ndarray:
        """Which boxes ``w`` × ``h`` centred at (``cx``, ``cy``) are free and inside the frame."""
        hw, hh = w / 2 + self.pad, h / 2 + self.pad
        fx0, fy0, fx1, fy1 = self.frame
        ok = (cx - hw >= fx0) & (cx + hw <= fx1) & (cy - hh >= fy0) & (cy + hh <= fy1)
        ok &= ~_hits(self.boxes, cx, cy, hw, hh)
        if self.avoid_soft:
            ok &= ~_hits(self.soft, cx, cy, w / 2, h / 2)
        return np.asarray(ok)

    def take(self, x: float, y: float, w: float, h: float) -> None:
        hw, hh = w / 2 + self.pad, h / 2 + self.pad
        self.boxes = np.vstack([self.boxes, [x - hw, y - hh, x + hw, y + hh]])


_Variant = tuple[str, float, float, float]


def _first_fit(
    area: _Area,
    free: _Free,
    groups: list[list[_Variant]],
    attempt: Callable[[_Area, _Free, list[_Variant]], Placement | None],
) -> Placement | None:
    """``attempt`` at each font size (largest first), clear of the symbols, then over them."""
    for group in groups:
        for avoid in (True, False):
            free.avoid_soft = avoid
            got = attempt(area, free, group)
            if got is not None:
                return got
    return None


@dataclass
class _Area:
    index: int
    poly: Polygon
    centres: np.ndarray


def _try_inside(area: _Area, free: _Free, variants: list[_Variant]) -> Placement | None:
    """The first variant (largest font first) that fits wholly inside the area, nearest the pole."""
    cx, cy = area.centres[:, 0], area.centres[:, 1]
    for text, fs, w, h in variants:
        ok = free.fits(cx, cy, w, h)
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        boxes = shapely.box(cx[idx] - w / 2, cy[idx] - h / 2, cx[idx] + w / 2, cy[idx] + h / 2)
        inside = shapely.contains(area.poly, boxes)
        if inside.any():
            j = idx[int(np.argmax(inside))]
            return Placement(area.index, "inside", text, fs, float(cx[j]), float(cy[j]))
    return None


def _try_spill(area: _Area, free: _Free, variants: list[_Variant]) -> Placement | None:
    """A name centred on a point of its area, at least :data:`_MIN_OWN` of it over the area.

    At each font size (largest first) the free box with the largest part over the area wins
    (of equal ones, the nearest to the pole).
    """
    pts = area.centres
    best: tuple[float, Placement] | None = None
    for k, (text, fs, w, h) in enumerate(variants):
        ok = free.fits(pts[:, 0], pts[:, 1], w, h)
        if ok.any():
            c = pts[ok]
            boxes = shapely.box(c[:, 0] - w / 2, c[:, 1] - h / 2, c[:, 0] + w / 2, c[:, 1] + h / 2)
            own = shapely.area(shapely.intersection(boxes, area.poly)) / (w * h)
            j = int(np.argmax(own))
            if own[j] >= _MIN_OWN and (best is None or own[j] > best[0]):
                best = (float(own[j]), Placement(area.index, "spill", text, fs, *map(float, c[j])))
        last_of_size = k + 1 == len(variants) or variants[k + 1][1] != fs
        if last_of_size and best is not None:
            return best[1]
    return None


def _try_number(area: _Area, free: _Free, variants: list[_Variant]) -> Placement | None:
    """The number at the free point nearest the pole."""
    pts = area.centres
    ((text, fs, w, h),) = variants
    ok = free.fits(pts[:, 0], pts[:, 1], w, h)
    if not ok.any():
        return None
    j = int(np.argmax(ok))
    return Placement(area.index, "number", text, fs, float(pts[j, 0]), float(pts[j, 1]))


def place_labels(  # noqa: PLR0913  (all needed, keyword-only)
    polygons: Sequence[BaseGeometry],
    names: Sequence[str],
    *,
    measure: Callable[[str, float], tuple[float, float]],
    fontsizes: Sequence[float],
    number_fontsize: float,
    number_box: tuple[float, float],
    frame: tuple[float, float, float, float],
    obstacles: Sequence[Sequence[float]] = (),
    symbols: Sequence[Sequence[float]] = (),
    numbered: Sequence[int] = (),
    pad: float = 2.0,
) -> list[Placement]:
    """Place the name of every area (polygons in display pixels) without overlaps.

    Parameters
    ----------
    polygons
        The areas in display pixels (the map's ``transData`` applied).
    names
        The name of each area (drawable text).
    measure
        ``measure(text, fontsize)`` → (width, height) in pixels of ``text`` as drawn.
    fontsizes
        Font sizes to try, largest first.
    number_fontsize
        Font size of the numbers.
    number_box
        (width, height) in pixels of the widest number as drawn.
    frame
        (x0, y0, x1, y1): every name stays inside (the map axes).
    obstacles
        Boxes (x0, y0, x1, y1) no name may cover (scale bar, north arrow).
    symbols
        Boxes of symbols (resources) a name avoids at each font size where it can.
    numbered
        Indices of areas that get a number whatever the space (their name is in the key).
    pad
        Free space kept around each name and number (pixels; the halo's width).

    Returns
    -------
    list of Placement
        One per area with an outline (an area with no area on the page gets none), in placing
        order. Numbers read ``"#"`` until :func:`number_placements` gives them.
    """
    free = _Free(frame, obstacles, symbols, pad)
    areas = []
    for i, geom in enumerate(polygons):
        poly = _largest_part(geom)
        if poly is None:
            continue
        areas.append(_Area(i, poly, _centres(poly, _anchor(poly))))
    forced = set(numbered)
    areas.sort(key=lambda a: (a.index not in forced, a.poly.area))
    nw, nh = number_box
    out: list[Placement] = []
    for area in areas:
        got = None
        if area.index not in forced:
            variants = [
                (text, fs, *measure(text, fs))
                for text in name_variants(names[area.index])
                for fs in fontsizes
            ]
            groups = [[v for v in variants if v[1] == fs] for fs in fontsizes]
            got = _first_fit(area, free, groups, _try_inside) or _first_fit(
                area, free, groups, _try_spill
            )
        if got is None:
            number = [[("#", number_fontsize, nw, nh)]]
            got = _first_fit(area, free, number, _try_number)
        if got is None:  # no free point at all: the number sits on the pole regardless
            x, y = area.centres[0]
            got = Placement(area.index, "number", "#", number_fontsize, float(x), float(y))
        size = (nw, nh) if got.kind == "number" else measure(got.text, got.fontsize)
        free.take(got.x, got.y, *size)
        out.append(got)
    return number_placements(out)


def number_placements(placements: Sequence[Placement]) -> list[Placement]:
    """Give the numbered areas the numbers 1, 2 … in the order of their index.

    Examples
    --------
    >>> p = [Placement(5, "number", "#", 8, 0, 0), Placement(2, "number", "#", 8, 0, 0),
    ...      Placement(3, "inside", "x", 9, 0, 0)]
    >>> [(q.index, q.text) for q in number_placements(p)]
    [(5, '2'), (2, '1'), (3, 'x')]
    """
    order = sorted(p.index for p in placements if p.kind == "number")
    number = {idx: str(k) for k, idx in enumerate(order, start=1)}
    return [
        Placement(p.index, p.kind, number[p.index], p.fontsize, p.x, p.y)
        if p.kind == "number"
        else p
        for p in placements
    ]


def display_polygons(ax: Axes, geoms: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    """``geoms`` (in the map's data coordinates) in display pixels of ``ax``."""
    transform = ax.transData.transform
    return [
        shapely.transform(g, lambda xy: np.asarray(transform(xy))) if g is not None else Polygon()
        for g in geoms
    ]


def text_measurer(
    ax: Axes, renderer: RendererBase, weight: str = "normal"
) -> Callable[[str, float], tuple[float, float]]:
    """``measure(text, fontsize)`` → the (width, height) in pixels of ``text`` drawn on ``ax``."""
    cache: dict[tuple[str, float], tuple[float, float]] = {}

    def measure(text: str, fontsize: float) -> tuple[float, float]:
        key = (text, fontsize)
        if key not in cache:
            probe = ax.text(
                0,
                0,
                text,
                fontsize=fontsize,
                fontweight=weight,
                ha="center",
                va="center",
                parse_math=False,
            )
            bb = probe.get_window_extent(renderer)
            probe.remove()
            cache[key] = (float(bb.width), float(bb.height))
        return cache[key]

    return measure
