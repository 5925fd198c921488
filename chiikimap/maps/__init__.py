"""Renderers that take a :class:`chiikimap.Coverage` (interactive folium map, print map)."""
