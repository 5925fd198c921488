"""The taxonomy on real 区分・種別 strings of several municipalities (tests/data/taxonomy)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from chiikimap.taxonomy import default_taxonomy

CORPUS = Path(__file__).parent / "data" / "taxonomy" / "service_types.csv"


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['source']}:{r['text'][:20]}:{r['context']}" for r in ROWS]
)
def test_corpus_row(row: dict[str, str]):
    tax = default_taxonomy()
    result = tax.classify_cell(row["text"], domain=row["context"] or None)
    if row["expected"] == "?":
        assert result.ambiguous
        assert result.keys == ()
    else:
        assert result.ambiguous == ()
        assert "|".join(result.keys) == row["expected"]


def test_corpus_covers_several_municipalities_and_negatives():
    sources = Counter(r["source"] for r in ROWS)
    assert {"hirakata", "takamatsu", "yuzawa", "chiyoda_wam"} <= set(sources)
    expected = Counter(r["expected"] for r in ROWS)
    assert expected[""] >= 15  # strings that must not be filed anywhere
    assert expected["?"] >= 1
    tax = default_taxonomy()
    keys = {k for r in ROWS for k in r["expected"].split("|") if k not in ("", "?")}
    # every domain is represented
    assert {tax[k].domain for k in keys} >= {"kaigo", "shogai", "jido", "gakko"}
    readme = (CORPUS.parent / "README.md").read_text(encoding="utf-8")
    for source in sources:
        assert f"`{source}`" in readme
