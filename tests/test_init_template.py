"""``chiikimap init``: one table per section, and outputs that ``compare`` can read back.

Real files: tests/data/recipe_takamatsu (高松市 areas, 高齢者福祉施設, population; see its
README) and the ニーズ調査 table of tests/data/needs.
"""

from __future__ import annotations

import re
import shutil
import sys
import warnings
from collections import Counter
from pathlib import Path

import chiikimap
from chiikimap._errors import ChiikimapWarning
from chiikimap.recipe import DEFAULT_FORMATS, init_recipe, run_recipe

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = Path(__file__).resolve().parent / "data"
TAKAMATSU = DATA / "recipe_takamatsu"
NEEDS = DATA / "needs" / "takamatsu_needs_r4_pct.csv"


def _tables(text: str) -> Counter[str]:
    """Each ``[table]`` header, commented or not (a commented one is meant to be uncommented)."""
    return Counter(re.findall(r"^(?:#\s*)?\[(\w+)\]", text, flags=re.MULTILINE))


def test_init_with_an_indicator_table_writes_one_indicators_section(tmp_path: Path) -> None:
    shutil.copy(NEEDS, tmp_path / NEEDS.name)
    path, found = init_recipe(tmp_path)
    assert found["indicators"] == [NEEDS.name]
    text = path.read_text(encoding="utf-8")
    tables = _tables(text)
    assert tables["indicators"] == 1  # the entry only, no commented template besides it
    assert tables["priorities"] == 1  # the entry's commented suggestion only
    assert [t for t, n in tables.items() if n > 1] == []
    # uncommenting the suggestion gives a recipe with one [indicators] and one [priorities]
    for line in ("[priorities]", "indicator = ", "category = ["):
        text = text.replace(f"# {line}", line, 1)
    data = tomllib.loads(text)
    assert data["indicators"]["path"] == NEEDS.name
    assert data["priorities"]["category"] == ["kayoi_no_ba"]


def test_init_without_indicators_keeps_the_commented_template(tmp_path: Path) -> None:
    text = init_recipe(tmp_path)[0].read_text(encoding="utf-8")
    assert "# [indicators]" in text
    assert "# [priorities]" in text
    assert [t for t, n in _tables(text).items() if n > 1] == []


def test_init_formats_write_the_geopackage_compare_needs(tmp_path: Path) -> None:
    for name in ("参考学区.geojson", "elderly_welfare_facility.csv", "population_0066_202602.xlsx"):
        shutil.copy(TAKAMATSU / name, tmp_path / name)
    path, _found = init_recipe(tmp_path)
    text = path.read_text(encoding="utf-8")
    formats = tomllib.loads(text)["output"]["formats"]
    assert "gpkg" in formats
    assert set(formats) <= set(DEFAULT_FORMATS)
    text = text.replace(
        '[areas]  # 圏域ファイルが見つかりません / no area file found\npath = ""',
        '[areas]\npath = "参考学区.geojson"\nid_col = "学区ID"\nname_col = "学区名"',
    )
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        done = run_recipe(path, formats=[f for f in formats if f in ("xlsx", "gpkg")])
    # the template's outputs are a run folder compare reads: compared with itself, nothing moved
    assert done.run_json is not None
    cmp = chiikimap.compare(done.run_json.parent, done.run_json.parent)
    assert len(cmp) == len(done.coverage.table)
    assert (cmp["trend"] == "unchanged").all()
