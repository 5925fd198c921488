"""Walking distance along a street network: the :class:`Network`, snapping and one Dijkstra pass.

The snapping rule (the contract of every network distance in chiikimap):

- A point (a person, a lattice point, a resource) is snapped to the **nearest point of the
  nearest edge** (an edge is the straight segment between two consecutive nodes of a way). The
  edge is split there virtually: the point reaches the edge's two end nodes along the edge, at
  ``t`` and ``length − t`` metres, after the straight line of ``off`` metres from the point to the
  edge.
- The walking distance from a resource ``s`` to a person ``p`` is
  ``off_s + (shortest path between the two snapped points along the network) + off_p``. The
  shortest path between two snapped points leaves each edge by one of its end nodes, or, on
  the same edge, runs along it (``|t_s − t_p|``).
- Edges are undirected (people walk both ways along one-way streets) and weighted by their
  length in metres in the metric CRS of the run.

For one category, every resource is a source of **one** multi-source Dijkstra pass
(:func:`scipy.sparse.csgraph.dijkstra` with ``indices=`` the sources and ``min_only=True``): each
resource is a virtual node joined to the two end nodes of its edge, so the pass gives every
street node its distance to the nearest resource; a person's distance then follows from the
two end nodes of the person's own edge. There is never one pass per person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from ._errors import ChiikimapError
from ._schema import Source

__all__ = [
    "Network",
    "Projected",
    "Snapped",
    "network_distance",
    "node_distance",
    "project",
    "query_distance",
    "snap",
]

#: Weight given to a virtual edge of length 0 (a point exactly on a node): sparse graphs treat an
#: explicit 0 as "no edge", so it becomes this instead (far below ``RADIUS_TOL_M``).
_ZERO_M = 1e-9


@dataclass(frozen=True)
class Network:
    """A street network: nodes with coordinates and undirected edges between them.

    Built by :func:`chiikimap.read_network` from an OpenStreetMap file, or from arrays (a
    hand-made or synthetic network). Edge lengths are not stored: they are measured in the
    metric CRS of each :func:`chiikimap.analyze` run, as every other distance.

    Attributes
    ----------
    x, y
        Node coordinates in ``crs`` (longitude/latitude for an OSM file).
    u, v
        End node positions of each edge.
    crs
        CRS of ``x``/``y``.
    source
        The data source to credit (OSM: ``© OpenStreetMap contributors``, ODbL 1.0).
    mode
        What the network is for (``"walk"``).
    path
        The file it was read from (empty for a network built from arrays).
    """

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    crs: pyproj.CRS
    source: Source | None = None
    mode: str = "walk"
    path: str = ""

    def __post_init__(self) -> None:
        n = len(self.x)
        if len(self.y) != n or len(self.u) != len(self.v):
            raise ChiikimapError("Network: x/y and u/v must have equal lengths")
        for ends in (self.u, self.v):
            if len(ends) and (int(np.min(ends)) < 0 or int(np.max(ends)) >= n):
                raise ChiikimapError("Network: an edge refers to a node that does not exist")

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.u)


@dataclass(frozen=True)
class Projected:
    """A network in one metric CRS: node coordinates, simple edges and their lengths (m)."""

    xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    lines: np.ndarray  # one 2-point LineString per edge
    tree: shapely.STRtree
    graph: sparse.csr_matrix  # n_nodes × n_nodes, upper triangle, lengths


@dataclass(frozen=True)
class Snapped:
    """Points snapped to their nearest edge: edge, distance along it from ``u``, straight line."""

    edge: np.ndarray
    t: np.ndarray
    off: np.ndarray


def project(
    net: Network, crs: pyproj.CRS, bounds: tuple[float, float, float, float] | None = None
) -> Projected:
    """The network in ``crs``: self-loops dropped, parallel edges merged (their shortest kept).

    ``bounds`` (``xmin, ymin, xmax, ymax`` in ``crs``) keeps only the edges whose bounding box meets
    it (a prefecture extract clipped to the areas plus the largest radius).
    """
    x, y = np.asarray(net.x, dtype=float), np.asarray(net.y, dtype=float)
    if pyproj.CRS(net.crs) != pyproj.CRS(crs):
        x, y = pyproj.Transformer.from_crs(net.crs, crs, always_xy=True).transform(x, y)
    xy = np.column_stack([x, y])
    u, v = np.asarray(net.u, dtype=np.intp), np.asarray(net.v, dtype=np.intp)
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        keep_edge = (
            (np.minimum(x[u], x[v]) <= x1)
            & (np.maximum(x[u], x[v]) >= x0)
            & (np.minimum(y[u], y[v]) <= y1)
            & (np.maximum(y[u], y[v]) >= y0)
        )
        u, v = u[keep_edge], v[keep_edge]
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    a, b = a[keep], b[keep]
    length = np.hypot(*(xy[b] - xy[a]).T)
    order = np.lexsort((length, b, a))  # shortest of parallel edges first
    a, b, length = a[order], b[order], length[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, length = a[first], b[first], length[first]
    lines = shapely.linestrings(np.stack([xy[a], xy[b]], axis=1))
    n = len(xy)
    graph = sparse.csr_matrix((np.maximum(length, _ZERO_M), (a, b)), shape=(n, n))
    return Projected(xy, a, b, length, lines, shapely.STRtree(lines), graph)


def snap(proj: Projected, xy: np.ndarray) -> Snapped:
    """Snap each point to the nearest point of its nearest edge (ties: the lowest edge)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        z = np.zeros(0)
        return Snapped(np.zeros(0, dtype=np.intp), z, z)
    if len(proj.lines) == 0:
        raise ChiikimapError("道路網に辺がありません / the network has no edges", param="network")
    pts = shapely.points(xy)
    (i_pt, i_edge), dist = proj.tree.query_nearest(pts, return_distance=True, all_matches=True)
    order = np.lexsort((i_edge, i_pt))
    i_pt, i_edge, dist = i_pt[order], i_edge[order], dist[order]
    _, first = np.unique(i_pt, return_index=True)
    edge = i_edge[first].astype(np.intp)
    t = shapely.line_locate_point(proj.lines[edge], pts)
    return Snapped(edge, np.clip(t, 0.0, proj.length[edge]), dist[first])


def network_distance(
    proj: Projected, sources: Snapped, queries: Snapped, *, limit: float | None = None
) -> np.ndarray:
    """Walking distance from each query point to the nearest source (``inf``: none reachable).

    One multi-source Dijkstra pass (:func:`node_distance`), then :func:`query_distance`;
    ``limit`` stops the search there (then distances beyond it are ``inf``).
    """
    if len(sources.edge) == 0 or len(queries.edge) == 0:
        return np.full(len(queries.edge), np.inf)
    return query_distance(proj, node_distance(proj, sources, limit=limit), sources, queries)


def node_distance(proj: Projected, sources: Snapped, *, limit: float | None = None) -> np.ndarray:
    """Walking distance from every street node to the nearest source (``inf``: none reachable).

    One multi-source Dijkstra pass: each source is a virtual node joined to both end nodes of
    its edge (by ``off + t`` and ``off + length − t``); ``limit`` stops the search there.
    """
    n, k = len(proj.xy), len(sources.edge)
    if k == 0:
        return np.full(n, np.inf)
    se = sources.edge
    virt = n + np.arange(k)
    rows = np.concatenate([virt, virt])
    cols = np.concatenate([proj.u[se], proj.v[se]])
    w = np.concatenate([sources.off + sources.t, sources.off + proj.length[se] - sources.t])
    g = proj.graph.tocoo()
    graph = sparse.csr_matrix(
        (
            np.concatenate([g.data, np.maximum(w, _ZERO_M)]),
            (np.concatenate([g.row, rows]), np.concatenate([g.col, cols])),
        ),
        shape=(n + k, n + k),
    )
    dist = dijkstra(
        graph, directed=False, indices=virt, min_only=True, limit=np.inf if limit is None else limit
    )
    out: np.ndarray = np.asarray(dist[:n], dtype=float)
    return out


def query_distance(
    proj: Projected, node_dist: np.ndarray, sources: Snapped, queries: Snapped
) -> np.ndarray:
    """Walking distance of snapped points given every node's distance (:func:`node_distance`).

    A point leaves its edge by one of the two end nodes, or meets a source on the same edge
    along it.
    """
    if len(queries.edge) == 0:
        return np.zeros(0)
    qe = queries.edge
    via_u = node_dist[proj.u[qe]] + queries.t
    via_v = node_dist[proj.v[qe]] + proj.length[qe] - queries.t
    d = np.minimum(via_u, via_v) + queries.off
    out: np.ndarray = np.minimum(d, _same_edge(sources, queries))
    return out


def _same_edge(sources: Snapped, queries: Snapped) -> np.ndarray:
    """Distance to the nearest source on the query's own edge, along that edge (``inf``: none)."""
    out = np.full(len(queries.edge), np.inf)
    order = np.argsort(sources.edge, kind="stable")
    s_edge = sources.edge[order]
    lo = np.searchsorted(s_edge, queries.edge, side="left")
    hi = np.searchsorted(s_edge, queries.edge, side="right")
    count = hi - lo
    has = np.flatnonzero(count)
    if has.size == 0:
        return out
    q = np.repeat(has, count[has])
    starts = np.repeat(lo[has] - np.cumsum(count[has]) + count[has], count[has])
    s = order[starts + np.arange(len(q))]
    d = np.abs(sources.t[s] - queries.t[q]) + sources.off[s] + queries.off[q]
    np.minimum.at(out, q, d)
    return out
