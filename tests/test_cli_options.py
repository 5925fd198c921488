"""Command-line options are taken only in full: no argparse prefix matching."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from chiikimap.cli import _build_parser, main

LIST = Path(__file__).parent / "data" / "geocode" / "takamatsu_hospital_addresses.csv"


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out.extend(_parsers(sub))
    return out


def test_every_parser_refuses_abbreviations() -> None:
    parsers = _parsers(_build_parser())
    names = {p.prog.removeprefix("chiikimap").strip() for p in parsers}
    assert {"", "map", "inspect", "run", "init", "compare", "geocode", "batch"} <= names
    assert [p.prog for p in parsers if p.allow_abbrev] == []


def test_inspect_category_is_not_taken_as_category_col(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["inspect", "--category", "kayoi_no_ba", str(LIST)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: chiikimap inspect")
    assert "使えない引数です: --category" in err
    assert "省略せず" in err
    assert "もしかして / did you mean: --category → --category-col" in err


def test_map_offline_is_not_taken_as_offline_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["map", "--areas", "a.geojson", "--resources", str(LIST), "--out", str(tmp_path)]
    assert main([*args, "--offline"]) == 2
    err = capsys.readouterr().err
    assert "--offline → --offline-html" in err
    assert list(tmp_path.iterdir()) == []  # nothing was read or written
    assert main([*args, "--ofline-html"]) == 2  # a misspelling gets the near option too
    assert "--ofline-html → --offline-html" in capsys.readouterr().err


def test_a_stray_value_is_not_called_an_abbreviation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(LIST), "extra.csv"]) == 2
    err = capsys.readouterr().err
    assert "使えない引数です: extra.csv（値が余っています。" in err
    assert "省略せず" not in err
