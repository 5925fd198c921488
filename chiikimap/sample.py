"""Bundled sample data (placeholder until the foundation issue's loader lands)."""

from __future__ import annotations

from typing import Any


class Sample:
    pass


def load_sample(name: str) -> Any:
    raise NotImplementedError
