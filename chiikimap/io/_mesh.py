"""地域メッシュ (JIS X 0410) codes → cell bounds, with validation.

A standard mesh code is a chain of digits, each level dividing the cell of the level above:

=========  ======  =====================  =================================================
level      digits  cell (lat × lon)       digits added
=========  ======  =====================  =================================================
1st order  4       40′ × 1°  (≈ 80 km)    ``pq`` = latitude × 1.5, ``uv`` = longitude − 100
2nd order  6       5′ × 7.5′ (≈ 10 km)    ``q`` (lat, 0–7), ``v`` (lon, 0–7)
3rd order  8       30″ × 45″ (≈ 1 km)     ``r`` (lat, 0–9), ``w`` (lon, 0–9)
1/2        9       15″ × 22.5″ (≈ 500 m)  1 = SW, 2 = SE, 3 = NW, 4 = NE
1/4        10      7.5″ × 11.25″ (250 m)  1–4 as above
1/8        11      3.75″ × 5.625″ (125 m) 1–4 as above
=========  ======  =====================  =================================================

Only 1st-order codes whose cell lies in Japan's extent (latitude code 30–68, longitude code 22–54,
i.e. 20°N–46°N and 122°E–155°E) are accepted: ``00000000`` or ``53994611`` (a cell at 199°E) are
errors, not places. Arithmetic is exact (:class:`fractions.Fraction`) until the final float.

Written for chiikimap instead of depending on ``jismesh`` (last release 2020; it calls
``numpy.asscalar``, removed in NumPy 1.23, for a single code, and places impossible codes).
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["MESH_LEVELS", "MeshCodeError", "mesh_bounds"]

#: number of digits → (name, approximate cell size)
MESH_LEVELS = {
    4: ("1次メッシュ", "80km"),
    6: ("2次メッシュ", "10km"),
    8: ("3次メッシュ", "1km"),
    9: ("2分の1地域メッシュ", "500m"),
    10: ("4分の1地域メッシュ", "250m"),
    11: ("8分の1地域メッシュ", "125m"),
}

_LAT_CODES = range(30, 69)  # 20°N … 46°N (SW corner of the 1st-order cell)
_LON_CODES = range(22, 55)  # 122°E … 154°E


class MeshCodeError(ValueError):
    """The text is not a JIS X 0410 mesh code inside Japan; the message says which digit."""


def mesh_bounds(code: str) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees of the cell of a standard mesh code.

    Parameters
    ----------
    code
        4, 6, 8, 9, 10 or 11 digits (1st, 2nd, 3rd order, 1/2, 1/4, 1/8 mesh).

    Raises
    ------
    MeshCodeError
        Wrong length, a non-digit, a digit that no code can have at its place (8 or 9 in a
        2nd-order code, 0 or 5–9 in a subdivision) or a 1st-order cell outside Japan.

    Examples
    --------
    >>> mesh_bounds("5339")
    (139.0, 35.333333333333336, 140.0, 36.0)
    >>> mesh_bounds("53394611")
    (139.7625, 35.675, 139.775, 35.68333333333333)
    """
    if not code:
        raise MeshCodeError("メッシュコードが空です / the mesh code is empty")
    if not code.isascii() or not code.isdigit():
        raise MeshCodeError(f"数字以外の文字があります / not all digits: {code!r}")
    if len(code) not in MESH_LEVELS:
        raise MeshCodeError(
            f"{len(code)} 桁のメッシュコードはありません（4, 6, 8, 9, 10, 11 桁） / a mesh code has "
            f"4, 6, 8, 9, 10 or 11 digits, not {len(code)}"
        )
    lat_code, lon_code = int(code[0:2]), int(code[2:4])
    if lat_code not in _LAT_CODES or lon_code not in _LON_CODES:
        raise MeshCodeError(
            f"1次メッシュ {code[:4]} は日本の範囲外です（緯度 {Fraction(lat_code * 2, 3).__float__():.2f}°, "
            f"経度 {100 + lon_code}°） / 1st-order cell {code[:4]} lies outside Japan"
        )
    south, west = Fraction(lat_code * 2, 3), Fraction(100 + lon_code)
    height, width = Fraction(2, 3), Fraction(1)
    if len(code) >= 6:
        q, v = int(code[4]), int(code[5])
        if q > 7 or v > 7:
            raise MeshCodeError(
                f"2次メッシュの桁（5・6 桁目 {code[4:6]}）は 0–7 です / 2nd-order digits must be 0-7, "
                f"got {code[4:6]}"
            )
        height, width = height / 8, width / 8
        south, west = south + q * height, west + v * width
    if len(code) >= 8:
        height, width = height / 10, width / 10
        south, west = south + int(code[6]) * height, west + int(code[7]) * width
    for k in range(8, len(code)):
        d = int(code[k])
        if d not in (1, 2, 3, 4):
            raise MeshCodeError(
                f"分割地域メッシュの {k + 1} 桁目は 1–4 です（{d}） / subdivision digit {k + 1} must be "
                f"1-4, got {d}"
            )
        height, width = height / 2, width / 2
        south += height if d in (3, 4) else 0
        west += width if d in (2, 4) else 0
    return float(west), float(south), float(west + width), float(south + height)
