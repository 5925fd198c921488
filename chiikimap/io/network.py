"""Read a walking network from an OpenStreetMap file (``.osm`` XML or ``.osm.pbf``), offline.

Parsing is done by `pyosmium <https://osmcode.org/pyosmium/>`_ (the Python bindings of
libosmium), which reads both formats. Every way with a ``highway`` tag that people may walk is
kept; each pair of consecutive nodes of a way becomes one straight edge (no simplification, so
snapping to an edge is exact and a length is the length of a straight segment).
"""

from __future__ import annotations

import itertools
from os import PathLike
from pathlib import Path

import numpy as np
import pyproj

from .._errors import InputFileError, check_choice
from .._network import Network
from .._schema import Source

__all__ = ["NOT_WALKABLE", "OSM_CREDIT", "read_network"]

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


def read_network(path: str | PathLike[str], *, mode: str = "walk") -> Network:
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

    Returns
    -------
    Network
        Nodes in longitude/latitude (EPSG:4326), one edge per pair of consecutive way nodes,
        ``source`` crediting ``© OpenStreetMap contributors`` (ODbL 1.0) with the date of the
        newest way read.

    Examples
    --------
    >>> net = chiikimap.read_network("nakameguro.osm")  # doctest: +SKIP
    >>> cov = chiikimap.analyze(areas, resources, population, network=net)  # doctest: +SKIP
    """
    check_choice("mode", mode, ("walk",))
    p = Path(path)
    if not p.is_file():
        raise InputFileError("ファイルがありません / file not found", path=p, param="path")
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
            pos = [_node(n, ids, lon, lat) for n in obj.nodes]
            pairs = [(a, b) for a, b in itertools.pairwise(pos) if a >= 0 and b >= 0]
            u.extend(a for a, _ in pairs)
            v.extend(b for _, b in pairs)
            newest = max(newest, obj.timestamp.date().isoformat() if obj.timestamp else "")
    except RuntimeError as exc:  # libosmium: not an OSM file, truncated, unknown format
        raise InputFileError(
            f"OpenStreetMap ファイルとして読めません / not a readable OpenStreetMap file: {exc}",
            path=p,
        ) from exc
    if not u:
        raise InputFileError(
            "歩ける道 (highway) がありません / no walkable ways (highway=*) in the file", path=p
        )
    source = Source(
        title="OpenStreetMap",
        publisher="OpenStreetMap contributors",
        date=newest,
        license="ODbL 1.0",
        url="https://www.openstreetmap.org/copyright",
        credit=OSM_CREDIT,
    )
    return Network(
        x=np.asarray(lon),
        y=np.asarray(lat),
        u=np.asarray(u, dtype=np.intp),
        v=np.asarray(v, dtype=np.intp),
        crs=pyproj.CRS("EPSG:4326"),
        source=source,
        mode=mode,
        path=str(p),
    )


def _node(n: object, ids: dict[int, int], lon: list[float], lat: list[float]) -> int:
    """Position of way node ``n`` (added on first sight); −1 when its location is missing."""
    ref = n.ref  # type: ignore[attr-defined]
    pos = ids.get(ref)
    if pos is None:
        loc = n.location  # type: ignore[attr-defined]
        if not loc.valid():
            return -1
        pos = len(lon)
        ids[ref] = pos
        lon.append(loc.lon)
        lat.append(loc.lat)
    return pos
