"""Coordinates in the old Japanese datum (日本測地系, Tokyo Datum, EPSG:4301) → JGD2011 (EPSG:6668).

Lists made before 2002 (and some still published) give latitude and longitude in 日本測地系 (the
Bessel-ellipsoid Tokyo Datum), about 400–500 m from the same point in JGD2011. A header or value
that says so — 「緯度（日本測地系）」, 「旧日本測地系」, 「東京測地系」, "Tokyo Datum", "EPSG:4301" —
marks the coordinates for transformation. 「日本測地系2000」 and 「日本測地系2011」 are the names of
JGD2000 and JGD2011 themselves (世界測地系) and are not transformed.

Which transformation pyproj uses
--------------------------------
``pyproj.transformer.TransformerGroup("EPSG:4301", "EPSG:6668")`` lists two direct operations,
"Tokyo to JGD2011 (2)" (0.2 m) and "Tokyo to JGD2011 (1)" (0.3 m), both built on the GSI
TKY2JGD grid ``tky2jgd.gsb``, which pyproj's wheels do not ship and which needs PROJ's network or
the proj-data package; the only other direct operation is a "Ballpark geographic offset", a no-op
that would leave the 450 m error in place. Ballpark operations are therefore refused
(``allow_ballpark=False``). Without the grid PROJ goes through JGD2000: EPSG "Tokyo to JGD2000
(1)" — a geocentric translation of the Bessel ellipsoid by dX = −146.414 m, dY = +507.337 m,
dZ = +680.507 m — then "JGD2000 to JGD2011 (2)", a null transformation (outside the area of the
2011 Tōhoku earthquake JGD2000 and JGD2011 coordinates agree). At 日本経緯度原点 this gives the
published JGD2011 values within 1 m; elsewhere the 3-parameter translation is good to a few metres
(the grid is used automatically where it is installed). The warning of the reader names the
operation actually used.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

import numpy as np
import pyproj

__all__ = ["names_tokyo_datum", "tokyo_to_jgd2011"]

#: texts naming the old datum: 日本測地系 not followed by 2000/2011, 旧日本測地系, 旧測地系,
#: 東京測地系, Tokyo (Datum), EPSG:4301
_TOKYO = re.compile(
    r"旧日本測地系|旧測地系|東京測地系|日本測地系(?!\s*(?:2000|2011|20\d\d))|tokyo|epsg:?4301",
    re.IGNORECASE,
)
#: texts naming a world datum: they win over a mention of the old one (「世界測地系（日本測地系から変換）」)
_WORLD = re.compile(
    r"世界測地系|jgd\s*20(?:00|11)|wgs\s*-?\s*84|epsg:?(?:6668|4612|4326)", re.IGNORECASE
)


def names_tokyo_datum(text: str) -> bool:
    """Whether ``text`` (a header or a cell) names the old Japanese datum (Tokyo Datum).

    Examples
    --------
    >>> names_tokyo_datum("緯度（日本測地系）")
    True
    >>> names_tokyo_datum("緯度（世界測地系）"), names_tokyo_datum("日本測地系2011")
    (False, False)
    >>> names_tokyo_datum("世界測地系（日本測地系から変換済み）")
    False
    """
    norm = unicodedata.normalize("NFKC", str(text))
    return bool(_TOKYO.search(norm)) and not _WORLD.search(norm)


@lru_cache(maxsize=1)
def _transformer() -> pyproj.Transformer:
    with warnings.catch_warnings():
        # "Best transformation is not available due to missing Grid (tky2jgd.gsb)": expected
        # without the grid; the operation used is reported by tokyo_to_jgd2011
        warnings.simplefilter("ignore", UserWarning)
        return pyproj.Transformer.from_crs(
            "EPSG:4301", "EPSG:6668", always_xy=True, allow_ballpark=False
        )


def tokyo_to_jgd2011(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Transform Tokyo Datum longitudes/latitudes (degrees) to JGD2011.

    Parameters
    ----------
    lon, lat
        Arrays of degrees in EPSG:4301.

    Returns
    -------
    tuple
        ``(lon, lat, operation)``: arrays in EPSG:6668 and the name of the operation PROJ used
        (see the module docstring).
    """
    transformer = _transformer()
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("Tokyo Datum → JGD2011 failed for some points (outside Japan?)")
    used = transformer.get_last_used_operation()
    return x, y, used.description if used is not None else transformer.description
