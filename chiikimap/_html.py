"""Escaping of data values on their way into HTML and into inline ``<script>`` blocks.

Shared by every HTML renderer (the interactive map and the notebook display).
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

__all__ = ["esc", "plain", "script_json"]


def plain(value: Any) -> str:
    """``value`` as text, not escaped; ``None``, NaN and pandas' missing values become ``""``.

    For text that is put into the page with ``textContent`` (never parsed as HTML).
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def esc(value: Any) -> str:
    """``value`` as HTML-escaped text; ``None`` and NaN become ``""``.

    Quotes are escaped too, so the result is safe inside element content and attribute values.
    """
    return html.escape(plain(value), quote=True)


def script_json(obj: Any) -> str:
    """JSON for a JavaScript literal inside an HTML ``<script>`` element.

    The result is valid JavaScript; ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are
    written as ``\\u`` escapes so that no value can close the script element or open a comment.
    Non-ASCII text is kept as UTF-8 (Japanese would triple in size as ``\\u`` escapes).
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
