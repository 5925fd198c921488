"""The one style of every renderer: status colours, overview classes, coverage ramp, marks, fonts.

The interactive map, the print map, the Excel workbook and the notebook display all read their
colours from here, so an area that is 対象なし (``empty``) has the same grey everywhere and the
overview classes mean the same thing on paper and on screen. Nothing here imports a plotting
library.
"""

from __future__ import annotations

import math
import re

from . import _schema as S

__all__ = [
    "COVERAGE_RAMP",
    "EMPTY_COLOUR",
    "FALLBACK_FONT_FAMILY",
    "FONT_FAMILY",
    "FONT_FILE",
    "HATCH",
    "MARKER_SHAPES",
    "MPL_MARKERS",
    "NODATA_COLOUR",
    "OVERVIEW_REDS",
    "OVERVIEW_ZERO",
    "REPLACEMENT_CHAR",
    "STATUS_COLOURS",
    "UNKNOWN_COLOUR",
    "excel_rgb",
    "hex_colour",
    "overview_bins",
    "overview_colour",
    "ramp_colour",
    "text_colour",
]

#: Neutral grey of an area whose status is ``empty`` (weight 0: nobody to serve, nothing judged).
EMPTY_COLOUR = "#cfcfcf"
#: Fill of an area that is missing from the coverage table (should not happen; drawn pale).
NODATA_COLOUR = "#f0f0f0"
#: Colour of each status: 空白 dark enough to tell apart in grey print, 対象なし the neutral grey.
STATUS_COLOURS: dict[str, str] = {
    S.STATUS_NONE: "#f4a6a6",
    S.STATUS_GAP: "#ffe699",
    S.STATUS_OK: "#c6e0b4",
    S.STATUS_EMPTY: EMPTY_COLOUR,
}
#: Overview: 0 lacking categories is pale green; more lacking categories get darker reds.
OVERVIEW_ZERO = "#e5f5e0"
OVERVIEW_REDS = ("#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
#: Classes of the coverage share (lower bound in %, colour), ColorBrewer YlGnBu (5 classes).
COVERAGE_RAMP: tuple[tuple[int, str], ...] = (
    (0, "#ffffcc"),
    (20, "#c7e9b4"),
    (40, "#7fcdbb"),
    (60, "#41b6c4"),
    (80, "#2c7fb8"),
)
#: Hatch of each status on the print map: 空白 dense cross-hatch, 不足 sparse dots, others none.
HATCH: dict[str, str] = {
    S.STATUS_NONE: "xxx",
    S.STATUS_GAP: "..",
    S.STATUS_OK: "",
    S.STATUS_EMPTY: "",
}
#: Marker shapes a taxonomy category may use, and the matplotlib marker drawing each.
MPL_MARKERS: dict[str, str] = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "diamond": "D",
    "star": "*",
}
MARKER_SHAPES: tuple[str, ...] = tuple(MPL_MARKERS)
#: Colour of a category that is not in the taxonomy, or whose colour is not a hex colour.
UNKNOWN_COLOUR = "#666666"

#: The print font: IPAex Gothic, shipped by the ``matplotlib-fontja`` package.
FONT_FAMILY = "IPAexGothic"
FONT_FILE = "ipaexg.ttf"
#: Fallback for characters IPAex Gothic lacks (accented Latin, symbols, some emoji); it ships
#: with matplotlib, so it is always there.
FALLBACK_FONT_FAMILY = "DejaVu Sans"
#: Drawn instead of a character that no print font has (〓, the Japanese printers' "geta" mark).
REPLACEMENT_CHAR = "\u3013"

_HEX = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


def hex_colour(value: object) -> str:
    """``value`` if it is a ``#rgb`` / ``#rrggbb`` colour, else :data:`UNKNOWN_COLOUR`."""
    return value if isinstance(value, str) and _HEX.match(value) else UNKNOWN_COLOUR


def excel_rgb(colour: str) -> str:
    """``"#f4a6a6"`` → ``"F4A6A6"``, the RGB form of an openpyxl fill."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return h.upper()


def text_colour(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (a hex colour)."""
    r, g, b = (int(excel_rgb(colour)[i : i + 2], 16) for i in (0, 2, 4))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def overview_bins(n_categories: int) -> list[tuple[int, int, str]]:
    """Classes of the number of lacking categories: ``(low, high, colour)``, both ends included.

    Class 0 is :data:`OVERVIEW_ZERO`; ``1 … n_categories`` is cut into at most four classes of
    near-equal width, coloured with :data:`OVERVIEW_REDS` spread from lightest to darkest.

    Examples
    --------
    >>> overview_bins(2)
    [(0, 0, '#e5f5e0'), (1, 1, '#fdd49e'), (2, 2, '#7f0000')]
    >>> [(lo, hi) for lo, hi, _ in overview_bins(15)]
    [(0, 0), (1, 4), (5, 8), (9, 12), (13, 15)]
    """
    bins = [(0, 0, OVERVIEW_ZERO)]
    if n_categories <= 0:
        return bins
    n_chunks = min(4, n_categories)
    base, extra = divmod(n_categories, n_chunks)
    last = len(OVERVIEW_REDS) - 1
    low = 1
    for i in range(n_chunks):
        size = base + (1 if i < extra else 0)
        shade = round(i * last / (n_chunks - 1)) if n_chunks > 1 else 0
        bins.append((low, low + size - 1, OVERVIEW_REDS[shade]))
        low += size
    return bins


def overview_colour(n_lacking: float, bins: list[tuple[int, int, str]]) -> str:
    """Colour of the class holding ``n_lacking`` (the last class beyond the range)."""
    return next((c for lo, hi, c in bins if lo <= n_lacking <= hi), bins[-1][2])


def ramp_colour(share: float) -> str:
    """Colour of a coverage share (0–1) on :data:`COVERAGE_RAMP`; NaN gives :data:`NODATA_COLOUR`.

    The share is rounded to a whole percent first, as the interactive map does.

    Examples
    --------
    >>> ramp_colour(0.0), ramp_colour(0.199), ramp_colour(0.2), ramp_colour(1.0)
    ('#ffffcc', '#c7e9b4', '#c7e9b4', '#2c7fb8')
    """
    if not math.isfinite(share):
        return NODATA_COLOUR
    pct = math.floor(share * 100 + 0.5)
    colour = COVERAGE_RAMP[0][1]
    for low, c in COVERAGE_RAMP:
        if pct >= low:
            colour = c
    return colour
