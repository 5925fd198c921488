"""Reader of resource lists (placeholder until the foundation issue's reader lands)."""

from __future__ import annotations

from typing import Any


def read_resources(path: Any, **kwargs: Any) -> Any:
    raise NotImplementedError
