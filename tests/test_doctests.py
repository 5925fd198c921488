"""The Examples sections of the public docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

from chiikimap import ChiikimapWarning

MODULES = [
    "chiikimap._identity",
    "chiikimap._metrics",
    "chiikimap._style",
    "chiikimap.coverage",
    "chiikimap.maps.static",
    "chiikimap.sample",
    "chiikimap.taxonomy",
    "chiikimap.io._ages",
    "chiikimap.io._mesh",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        # the samples' reading notes (merged duplicate rows) are tested in test_sample.py
        warnings.simplefilter("ignore", ChiikimapWarning)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
