"""Reader of 中学校区 / 圏域 polygons (placeholder until the foundation issue's reader lands)."""

from __future__ import annotations

from typing import Any


def read_districts(path: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def merge_areas(districts: Any, mapping: Any) -> Any:
    raise NotImplementedError
