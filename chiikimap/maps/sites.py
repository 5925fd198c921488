"""Maps of a siting plan: the ``after`` gap map plus the ranked sites and their newly covered zones.

Both maps draw the plan's ``after`` Coverage for the sited category with the existing renderers
(:func:`chiikimap.maps.interactive.gap_map`, :func:`chiikimap.maps.static.static_map`) and add
two layers on top: the newly covered zone of each site (its disc minus every disc before it,
orange) and the sites as numbered markers (their rank), with name, area, new and cumulative
weight in the tooltip.
"""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _schema as S
from .._atomic import atomic_path
from .._html import esc

if TYPE_CHECKING:  # pragma: no cover
    import folium
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..result import Coverage
    from ..siting import SiteSuggestion

__all__ = ["closure_map", "save_site_html", "site_map", "site_static_map"]

#: Colour of the newly covered zones and of the site markers.
ZONE_COLOUR = "#ff7f00"
SITE_COLOUR = "#6a3d9a"


def _tooltip(row: Any, unit: str) -> str:
    area = row[S.AREA_NAME] if isinstance(row[S.AREA_NAME], str) else "（圏域外）"
    return (
        f"<b>{int(row['rank'])}. {esc(str(row[S.NAME]))}</b><br>{esc(area)}<br>"
        f"新たに届く / newly reached: {row['new_weight']:,.0f} {esc(unit)}<br>"
        f"累計 / cumulative: {row['cumulative_weight']:,.0f} {esc(unit)}"
    )


def site_map(plan: SiteSuggestion, **kwargs: Any) -> folium.Map:
    """Interactive map of a plan: ``plan.after``'s gap map of the category, zones and sites.

    Parameters
    ----------
    plan
        A result of :func:`chiikimap.siting.suggest_sites`.
    **kwargs
        Options of :func:`chiikimap.maps.interactive.gap_map` (``tiles``, ``lang``, ``title``
        …); ``category`` defaults to the plan's category.

    Returns
    -------
    folium.Map
        The map with two extra layers: 「新たに届く範囲」 and 「候補地」.
    """
    import folium

    from .interactive import gap_map

    kwargs.setdefault("category", plan.category)
    m = gap_map(plan.after, **kwargs)
    unit = "人" if plan.before.info.basis == "population" else "m²"
    zones = folium.FeatureGroup(name="新たに届く範囲 / newly covered", show=True)
    # GeoJsonTooltip puts property values into the page as HTML: the names go in escaped.
    zone_data = plan.zones[["rank", S.NAME, "geometry"]].copy()
    zone_data[S.NAME] = [esc(str(name)) for name in zone_data[S.NAME]]
    folium.GeoJson(
        zone_data.to_json(),
        style_function=lambda _f: {
            "color": ZONE_COLOUR,
            "weight": 1,
            "fillColor": ZONE_COLOUR,
            "fillOpacity": 0.35,
        },
        tooltip=folium.GeoJsonTooltip(fields=["rank", S.NAME], aliases=["順位", "候補地"]),
    ).add_to(zones)
    zones.add_to(m)
    sites = folium.FeatureGroup(name="候補地 / suggested sites", show=True)
    for _, row in plan.table.iterrows():
        icon = folium.DivIcon(
            html=(
                f'<div style="background:{SITE_COLOUR};color:#fff;border:2px solid #fff;'
                "border-radius:50%;width:24px;height:24px;line-height:20px;text-align:center;"
                f'font:bold 13px sans-serif;box-shadow:0 0 3px #000">{int(row["rank"])}</div>'
            ),
            icon_size=(24, 24),
            icon_anchor=(12, 12),
        )
        folium.Marker(
            location=(float(row["lat"]), float(row["lon"])),
            icon=icon,
            tooltip=folium.Tooltip(_tooltip(row, unit)),
        ).add_to(sites)
    sites.add_to(m)
    return m


def save_site_html(
    plan: SiteSuggestion, path: str | PathLike[str], *, offline: bool = False, **kwargs: Any
) -> None:
    """Write :func:`site_map` to one HTML file (atomically; ``offline=True`` inlines Leaflet).

    Parameters
    ----------
    plan
        A result of :func:`chiikimap.siting.suggest_sites`.
    path
        Output ``.html`` file.
    offline
        Inline Leaflet so the page opens with no network (as ``Coverage.save_html``).
    **kwargs
        Options of :func:`site_map`.
    """
    from ._offline import inline_assets

    html = site_map(plan, **kwargs).get_root().render()
    if offline:
        html = inline_assets(html)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def site_static_map(plan: SiteSuggestion, **kwargs: Any) -> Figure:
    """Print map of a plan: ``plan.after``'s print map of the category, zones and numbered sites.

    Parameters
    ----------
    plan
        A result of :func:`chiikimap.siting.suggest_sites`.
    **kwargs
        Options of :func:`chiikimap.maps.static.static_map` (``paper``, ``orientation``,
        ``lang``, ``title`` …); ``category`` defaults to the plan's category.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; its map axes (the first) carry the zones and the numbered sites.
    """
    from .static import _static_map

    kwargs.setdefault("category", plan.category)
    if "title" not in kwargs:
        label = plan.before.taxonomy.label(plan.category)
        kwargs["title"] = f"{label}の候補地 {len(plan.table)} か所（{plan.radius_m:,.0f} m 圏）"
    crs = plan.after.info.metric_crs

    def overlay(ax: Axes) -> None:
        # drawn before the area names are placed, so that the names avoid the sites
        zones = plan.zones.to_crs(crs)
        if len(zones):
            zones.plot(ax=ax, color=ZONE_COLOUR, alpha=0.35, edgecolor=ZONE_COLOUR, linewidth=0.6)
        sites = plan.sites.to_crs(crs)
        xy = (
            np.column_stack([sites.geometry.x, sites.geometry.y])
            if len(sites)
            else np.zeros((0, 2))
        )
        ax.scatter(xy[:, 0], xy[:, 1], s=180, c=SITE_COLOUR, edgecolors="white", zorder=20)
        for (x, y), rank in zip(xy, plan.table["rank"], strict=True):
            ax.annotate(
                str(int(rank)),
                (x, y),
                ha="center",
                va="center",
                color="white",
                fontsize=8,
                fontweight="bold",
                zorder=21,
            )

    return _static_map(plan.after, overlay=overlay, **kwargs)


def closure_map(coverage: Coverage, category: str, **kwargs: Any) -> folium.Map:
    """Gap map of ``category`` with each of its resources marked by what its closure would cost.

    Every resource of the category gets a circle whose tooltip gives 「閉鎖で届かなくなる」 (the
    weight only it reaches, :func:`chiikimap.siting.closure_impact`) and, when that is above 0,
    the flag 唯一の資源; those resources are drawn larger and in red.

    Parameters
    ----------
    coverage
        A result of :func:`chiikimap.analyze`.
    category
        Category key.
    **kwargs
        Options of :func:`chiikimap.maps.interactive.gap_map`.

    Returns
    -------
    folium.Map
        The map with the layer 「閉鎖の影響」.
    """
    import folium

    from ..siting import closure_impact
    from .interactive import gap_map

    impact = closure_impact(coverage, category)
    kwargs.setdefault("category", category)
    m = gap_map(coverage, **kwargs)
    unit = "人" if coverage.info.basis == "population" else "m²"
    top = float(impact["lost_weight"].max()) if len(impact) else 0.0
    layer = folium.FeatureGroup(name="閉鎖の影響 / closure impact", show=True)
    for _, row in impact.iterrows():
        sole = bool(row["sole"])
        lost = float(row["lost_weight"])
        tip = (
            f"<b>{esc(str(row[S.NAME]))}</b><br>"
            f"閉鎖で届かなくなる / lost if closed: {lost:,.0f} {esc(unit)}"
            + ("<br><b>唯一の資源 / the only one in reach</b>" if sole else "")
        )
        folium.CircleMarker(
            location=(float(row.geometry.y), float(row.geometry.x)),
            radius=6 + (10 * np.sqrt(lost / top) if top > 0 else 0),
            color="#b2182b" if sole else "#555555",
            fill=True,
            fill_opacity=0.7,
            weight=1,
            tooltip=folium.Tooltip(tip),
        ).add_to(layer)
    layer.add_to(m)
    return m
