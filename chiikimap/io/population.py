"""Reader of population layers (placeholder until the coverage issue's reader lands)."""

from __future__ import annotations

from typing import Any


def read_population(path: Any, **kwargs: Any) -> Any:
    raise NotImplementedError
