"""JavaScript/CSS assets of the map: CDN links for the online file, inline copies for offline use.

Leaflet and Leaflet.markercluster are read from the XStatic packages (``xstatic-leaflet``,
``xstatic-leaflet-markercluster``), so the offline file carries the versions installed with
chiikimap; nothing is copied into this repository.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from .._errors import ChiikimapError

__all__ = ["CSS_ASSETS", "JS_ASSETS", "inline_assets"]

#: name → (CDN URL used in the online file, XStatic package, file inside its ``data`` directory)
JS_ASSETS: dict[str, tuple[str, str, str]] = {
    "leaflet": (
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
        "leaflet",
        "leaflet.js",
    ),
    "markercluster": (
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js",
        "leaflet_markercluster",
        "leaflet.markercluster.js",
    ),
}
CSS_ASSETS: dict[str, tuple[str, str, str]] = {
    "leaflet_css": (
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        "leaflet",
        "leaflet.css",
    ),
    "markercluster_css": (
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/MarkerCluster.css",
        "leaflet_markercluster",
        "MarkerCluster.css",
    ),
    "markercluster_default_css": (
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/MarkerCluster.Default.css",
        "leaflet_markercluster",
        "MarkerCluster.Default.css",
    ),
}

_EXTERNAL = re.compile(
    r'<script\s+src="(?P<js>[^"]+)"\s*>\s*</script>|<link\s+rel="stylesheet"\s+href="(?P<css>[^"]+)"\s*/?>',
    re.IGNORECASE,
)
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _data_dir(package: str) -> Path:
    try:
        if package == "leaflet":
            import xstatic.pkg.leaflet as pkg
        else:
            import xstatic.pkg.leaflet_markercluster as pkg
    except ImportError as err:  # pragma: no cover - both are dependencies
        raise ChiikimapError(
            f"オフライン地図には xstatic-{package.replace('_', '-')} が必要です / offline maps need "
            f"the package xstatic-{package.replace('_', '-')}; install it with pip"
        ) from err
    return Path(pkg.BASE_DIR)


def _read_js(package: str, filename: str) -> str:
    text = (_data_dir(package) / filename).read_text(encoding="utf-8")
    # a closing script tag inside the library would end the inline element early
    return _SOURCE_MAP.sub("", text).replace("</script", "<\\/script")


def _read_css(package: str, filename: str) -> str:
    base = _data_dir(package)
    text = (base / filename).read_text(encoding="utf-8")

    def data_uri(m: re.Match[str]) -> str:
        path = base / m.group(1)
        if not path.is_file():  # pragma: no cover - depends on the packaged files
            return "url(data:,)"
        b64 = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{b64})"

    return _CSS_URL.sub(data_uri, text).replace("</style", "<\\/style")


def inline_assets(html: str) -> str:
    """Replace the known CDN ``<script src>``/``<link>`` elements in ``html`` by inline copies.

    Raises
    ------
    ChiikimapError
        If any other external script or stylesheet remains (the file would need the network).
    """
    js = {url: (pkg, fn) for url, pkg, fn in JS_ASSETS.values()}
    css = {url: (pkg, fn) for url, pkg, fn in CSS_ASSETS.values()}

    def replace(m: re.Match[str]) -> str:
        if m.group("js") is not None:
            src = m.group("js")
            if src not in js:
                raise ChiikimapError(
                    f"オフライン用に埋め込めないスクリプトがあります / cannot inline script {src!r}"
                )
            return "<script>" + _read_js(*js[src]) + "</script>"
        href = m.group("css")
        if href not in css:
            raise ChiikimapError(
                f"オフライン用に埋め込めないスタイルシートがあります / cannot inline stylesheet {href!r}"
            )
        return "<style>" + _read_css(*css[href]) + "</style>"

    # one pass over the page: text inside the inlined libraries is never re-scanned
    return _EXTERNAL.sub(replace, html)
