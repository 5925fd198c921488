"""Read a walking network from an OpenStreetMap file (``.osm`` XML or ``.osm.pbf``), offline.

Parsing is done by `pyosmium <https://osmcode.org/pyosmium/>`_ (the Python bindings of
libosmium), which reads both formats. Every way with a ``highway`` tag that people may walk is
kept; each pair of consecutive nodes of a way becomes one straight edge (no simplification, so
snapping to an edge is exact and a length is the length of a straight segment).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj

from .._atomic import atomic_path
from .._errors import ChiikimapError, InputFileError, ParameterError, check_choice
from .._network import Network
from .._schema import Source

__all__ = ["CLIP_MARGIN_M", "NOT_WALKABLE", "OSM_CREDIT", "read_network"]

#: The attribution line OpenStreetMap data requires (ODbL 1.0).
OSM_CREDIT = "© OpenStreetMap contributors"

#: ``highway`` values that are not walked on (motorways and ways that are not streets yet or any
#: more). Every other ``highway`` way is walkable unless ``foot``/``access`` forbid it.
NOT_WALKABLE = frozenset(
    {
        "motorway",
        "motorway_link",
        "construction",
        "proposed",
        "abandoned",
        "disused",
        "razed",
        "raceway",
        "bus_guideway",
        "busway",
        "escape",
        "platform",
        "rest_area",
        "services",
    }
)

_NO = frozenset({"no", "private"})


def _walkable(tags: object) -> bool:
    get = tags.get  # type: ignore[attr-defined]
    hw = get("highway")
    if hw is None or hw in NOT_WALKABLE or get("area") == "yes":
        return False
    foot = get("foot")
    if foot in _NO:
        return False
    return not (get("access") in _NO and foot not in ("yes", "designated", "permissive"))


#: Default margin (m) around ``clip_to``: the longest walking radius a run is expected to use.
CLIP_MARGIN_M = 2000.0

_CACHE_VERSION = 1
_M_PER_DEG_LAT = 111_320.0

BBox = tuple[float, float, float, float]


def read_network(
    path: str | PathLike[str],
    *,
    mode: str = "walk",
    bbox: BBox | None = None,
    clip_to: gpd.GeoDataFrame | None = None,
    margin_m: float = CLIP_MARGIN_M,
    cache: bool = False,
) -> Network:
    """Walking network of an OpenStreetMap file.

    Parameters
    ----------
    path
        An OpenStreetMap extract: ``.osm`` (XML, e.g. the "Export" of openstreetmap.org) or
        ``.osm.pbf`` (e.g. a prefecture extract of Geofabrik); read offline.
    mode
        ``"walk"``: ways with a ``highway`` tag except motorways (:data:`NOT_WALKABLE`), areas and
        ways with ``foot=no`` or ``access=no/private`` (unless ``foot=yes``). Footways, steps,
        paths, pedestrian, residential, service and the larger streets are kept.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)``: keep only the edges whose bounding box meets it.
    clip_to
        A layer (the areas): keep only the edges whose bounding box meets its bounding box
        widened by ``margin_m`` metres on every side. Every walk that starts inside the areas
        and is no longer than ``margin_m`` stays inside the clip, so its length is unchanged.
        With ``bbox`` too, the two boxes are combined (their union).
    margin_m
        The margin around ``clip_to`` (default :data:`CLIP_MARGIN_M`); at least the largest
        radius of the run.
    cache
        Keep the parsed network in ``<file>.chiikimap-network.npz`` next to the file and reuse
        it while the file's SHA-256, ``mode`` and the clip are unchanged: a prefecture extract is
        parsed once. The cache holds arrays only (read with ``allow_pickle=False``); one that
        cannot be written (read-only folder) is skipped silently.

    Returns
    -------
    Network
        Nodes in longitude/latitude (EPSG:4326), one edge per pair of consecutive way nodes,
        ``source`` crediting ``© OpenStreetMap contributors`` (ODbL 1.0) with the date of the
        newest way read.

    Raises
    ------
    InputFileError
        The file is missing, not an OpenStreetMap file, or has no walkable way (in the clip).

    Notes
    -----
    Ways are joined only where they share a node, as OpenStreetMap models junctions: a bridge
    or tunnel (``bridge=yes``, ``tunnel=yes``, ``layer=*``) that crosses a street without a
    common node does not connect to it, whatever the drawing looks like.

    The whole file is streamed once (libosmium decodes every block and keeps the node
    locations); the clip decides which edges are kept, so the network and everything after it
    are as small as the clip. To cut a prefecture file itself, use ``osmium extract``.

    Examples
    --------
    >>> net = chiikimap.read_network("nakameguro.osm")  # doctest: +SKIP
    >>> cov = chiikimap.analyze(areas, resources, population, network=net)  # doctest: +SKIP
    """
    check_choice("mode", mode, ("walk",))
    p = Path(path)
    if not p.is_file():
        raise InputFileError("ファイルがありません / file not found", path=p, param="path")
    box = _clip_box(bbox, clip_to, margin_m)
    if not cache:
        return _parse(p, mode, box)
    cache_file = p.with_name(p.name + ".chiikimap-network.npz")
    key = _cache_key(p, mode, box)
    net = _load_cache(cache_file, key, p, mode)
    if net is None:
        net = _parse(p, mode, box)
        _save_cache(cache_file, key, net)
    return net


def _clip_box(bbox: BBox | None, clip_to: gpd.GeoDataFrame | None, margin_m: float) -> BBox | None:
    """The lon/lat box to keep (``None``: everything)."""
    boxes: list[BBox] = []
    if bbox is not None:
        x0, y0, x1, y1 = (float(b) for b in bbox)
        if not (x0 <= x1 and y0 <= y1):
            raise ParameterError(
                "bbox は (最小経度, 最小緯度, 最大経度, 最大緯度) です / bbox is "
                "(min_lon, min_lat, max_lon, max_lat)",
                param="bbox",
            )
        boxes.append((x0, y0, x1, y1))
    if clip_to is not None:
        if not margin_m >= 0:
            raise ParameterError("margin_m は 0 以上 / margin_m must be ≥ 0", param="margin_m")
        x0, y0, x1, y1 = (float(b) for b in clip_to.to_crs("EPSG:4326").total_bounds)
        dlat = margin_m / _M_PER_DEG_LAT
        dlon = margin_m / (
            _M_PER_DEG_LAT * max(math.cos(math.radians(max(abs(y0), abs(y1)))), 0.01)
        )
        boxes.append((x0 - dlon, y0 - dlat, x1 + dlon, y1 + dlat))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _cache_key(path: Path, mode: str, box: BBox | None) -> str:
    digest = hashlib.sha256(f"{_CACHE_VERSION}|{mode}|{box}".encode())
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_cache(cache_file: Path, key: str, path: Path, mode: str) -> Network | None:
    """The cached network when the cache exists and its key matches, else ``None``."""
    if not cache_file.exists():
        return None
    try:
        with np.load(cache_file, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            x, y, u, v = (np.asarray(z[k]) for k in ("x", "y", "u", "v"))
            date = str(z["date"])
    except (OSError, ValueError, KeyError):
        return None
    return _network(x, y, u, v, date, mode, path)


def _save_cache(cache_file: Path, key: str, net: Network) -> None:
    date = net.source.date if net.source else ""
    try:
        with atomic_path(cache_file) as tmp, tmp.open("wb") as f:
            np.savez(f, key=key, date=date, x=net.x, y=net.y, u=net.u, v=net.v)
    except (OSError, ChiikimapError):
        pass


def _network(
    x: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray, date: str, mode: str, path: Path
) -> Network:
    source = Source(
        title="OpenStreetMap",
        publisher="OpenStreetMap contributors",
        date=date,
        license="ODbL 1.0",
        url="https://www.openstreetmap.org/copyright",
        credit=OSM_CREDIT,
    )
    return Network(
        x=np.asarray(x, dtype=float),
        y=np.asarray(y, dtype=float),
        u=np.asarray(u, dtype=np.intp),
        v=np.asarray(v, dtype=np.intp),
        crs=pyproj.CRS("EPSG:4326"),
        source=source,
        mode=mode,
        path=str(path),
    )


def _parse(p: Path, mode: str, box: BBox | None) -> Network:
    """Stream the file once and build the network (edges meeting ``box`` only, when given)."""
    import osmium  # a dependency; imported here so that importing chiikimap stays fast

    ids: dict[int, int] = {}
    lon: list[float] = []
    lat: list[float] = []
    u: list[int] = []
    v: list[int] = []
    newest = ""
    try:
        proc = osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for obj in proc.with_filter(osmium.filter.KeyFilter("highway")):
            if not isinstance(obj, osmium.osm.Way) or not _walkable(obj.tags):
                continue
            # a node without a location (outside an API export) breaks the way there
            locs = [(n.ref, n.location) if n.location.valid() else None for n in obj.nodes]
            pairs = [
                (a, b)
                for a, b in itertools.pairwise(locs)
                if a is not None and b is not None and _meets(a[1], b[1], box)
            ]
            if not pairs:
                continue
            for a, b in pairs:
                u.append(_node(a, ids, lon, lat))
                v.append(_node(b, ids, lon, lat))
            newest = max(newest, obj.timestamp.date().isoformat() if obj.timestamp else "")
    except RuntimeError as exc:  # libosmium: not an OSM file, truncated, unknown format
        raise InputFileError(
            f"OpenStreetMap ファイルとして読めません / not a readable OpenStreetMap file: {exc}",
            path=p,
        ) from exc
    if not u:
        where = "" if box is None else "（切り出した範囲 / in the clip）"
        raise InputFileError(
            f"歩ける道 (highway) がありません{where} / no walkable ways (highway=*) in the file",
            path=p,
        )
    return _network(np.asarray(lon), np.asarray(lat), np.asarray(u), np.asarray(v), newest, mode, p)


def _meets(a: object, b: object, box: BBox | None) -> bool:
    """Whether the bounding box of the segment between locations ``a`` and ``b`` meets ``box``."""
    if box is None:
        return True
    ax, ay = float(a.lon), float(a.lat)  # type: ignore[attr-defined]
    bx, by = float(b.lon), float(b.lat)  # type: ignore[attr-defined]
    return bool(
        min(ax, bx) <= box[2]
        and max(ax, bx) >= box[0]
        and min(ay, by) <= box[3]
        and max(ay, by) >= box[1]
    )


def _node(item: tuple[int, object], ids: dict[int, int], lon: list[float], lat: list[float]) -> int:
    """Position of the way node ``(ref, location)`` (added on first sight)."""
    ref, loc = item
    pos = ids.get(ref)
    if pos is None:
        pos = len(lon)
        ids[ref] = pos
        lon.append(loc.lon)  # type: ignore[attr-defined]
        lat.append(loc.lat)  # type: ignore[attr-defined]
    return pos
