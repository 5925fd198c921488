"""Readers: files as people have them → the documented GeoDataFrame layers."""
