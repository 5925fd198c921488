"""The note an online map shows when Leaflet could not be loaded (a PC with no internet).

The online HTML loads Leaflet from a CDN; on an LGWAN PC that request fails and the page would stay
blank. The note is a plain ``<div>`` in the page body, visible by default; the inline script right
after it hides it when Leaflet is defined. That script is part of the page itself, so it runs even
when every CDN request failed. In the offline file Leaflet is inlined and the note is hidden at once.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

__all__ = ["NO_LIBRARY_TEXT", "NoLibraryNote"]

#: What the note says, Japanese first (the file names are those the CLI writes).
NO_LIBRARY_TEXT = (
    "地図を表示できません。インターネットに接続できないため、地図の部品（Leaflet）を読み込めません"
    "でした。インターネットに接続できないパソコン（LGWAN 端末など）では、オフライン版の地図"
    "（ファイル名が「_offline.html」で終わるファイル）を開いてください。",
    "The map cannot be shown: its map library (Leaflet) could not be loaded from the internet. "
    "On a PC without internet access, open the offline map instead (the file whose name ends in "
    "_offline.html; from Python: save_html(..., offline=True)).",
)

_HTML = (
    '<div class="ckm-nolib" role="alert" style="position:fixed;top:20%;left:50%;'
    "transform:translateX(-50%);z-index:10000;max-width:min(640px,90vw);box-sizing:border-box;"
    "background:#fffbe6;border:2px solid #d9a400;border-radius:6px;padding:14px 18px;"
    'font:15px/1.6 sans-serif;color:#222">'
    '<p style="margin:0 0 8px;font-weight:bold">' + NO_LIBRARY_TEXT[0] + "</p>"
    '<p lang="en" style="margin:0;font-size:13px">' + NO_LIBRARY_TEXT[1] + "</p></div>"
    "<script>(function () {"
    " if (typeof L === 'undefined') { return; }"
    " var notes = document.querySelectorAll('.ckm-nolib');"
    " for (var i = 0; i < notes.length; i++) { notes[i].style.display = 'none'; }"
    " })();</script>"
)


class NoLibraryNote(MacroElement):
    """Static note shown while Leaflet is missing; fixed text only, no data."""

    _template = Template("{% macro html(this, kwargs) %}" + _HTML + "{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's constructor is unannotated
        self._name = "ChiikimapNoLibraryNote"
