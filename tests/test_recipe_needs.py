"""Indicators and priorities in a recipe: ``[indicators]`` and ``[priorities]`` (issue 14)."""

from __future__ import annotations

import hashlib
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

import chiikimap
from chiikimap.recipe import KEYS, RecipeRun, init_recipe, load_recipe, run_recipe

DATA = Path(__file__).resolve().parent / "data"
TAKAMATSU = DATA / "recipe_takamatsu"
NEEDS = DATA / "needs" / "takamatsu_needs_r4_pct.csv"
SHARE = "閉じこもり傾向"

_INDICATORS = f"""
[indicators]
path = "{NEEDS.name}"
credit = "ニーズ調査 圏域別（合成データ）"
date = "2022"
"""

_MINIMAL = """
[areas]
path = "参考学区.geojson"
id_col = "学区ID"
name_col = "学区名"
[[resources]]
path = "regional_comprehensive_support_center.xlsx"
category = "houkatsu"
"""


@contextmanager
def _no_check() -> Iterator[None]:
    """The readers' warnings about the data (checked by their own tests) are not errors here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        yield


def _folder(target: Path, recipe: str) -> Path:
    for path in (*TAKAMATSU.iterdir(), NEEDS):
        if path.name != "recipe.toml":
            shutil.copy(path, target / path.name)
    (target / "recipe.toml").write_text(recipe, encoding="utf-8")
    return target / "recipe.toml"


@pytest.fixture(scope="module")
def needs_run(tmp_path_factory: pytest.TempPathFactory) -> RecipeRun:
    """The 高松 recipe with the synthetic indicator table and one priority pair."""
    text = (TAKAMATSU / "recipe.toml").read_text(encoding="utf-8")
    text = text.replace('formats = ["html", "xlsx"]', 'formats = ["offline_html", "png", "xlsx"]')
    text += _INDICATORS + f'\n[priorities]\nindicator = "{SHARE}"\ncategory = "kyoten"\n'
    path = _folder(tmp_path_factory.mktemp("recipe_needs"), text)
    with _no_check():
        return run_recipe(path, out_dir=path.parent / "out")


def test_indicator_keys_come_from_the_reader() -> None:
    assert set(KEYS["indicators"]) >= {"path", "id_col", "name_col", "sheet", "header_row"}
    assert {"credit", "date"} <= set(KEYS["indicators"])
    assert "source" not in KEYS["indicators"]  # set from credit/date …
    assert KEYS["priorities"] == ("indicator", "category")


def test_priority_outputs_follow_the_formats(needs_run: RecipeRun) -> None:
    names = [p.name for p in needs_run.outputs]
    assert names == [
        "chiikimap_offline.html",
        "chiikimap.png",
        "chiikimap_karte.xlsx",
        "chiikimap_priority_kyoten_offline.html",
        "chiikimap_priority_kyoten.png",
        "chiikimap_priority_kyoten.xlsx",
    ]
    assert all(p.stat().st_size > 0 for p in needs_run.outputs)
    page = needs_run.outputs[3].read_text(encoding="utf-8")
    assert "優先圏域" in page
    assert "高ニーズ×不足" in page
    assert needs_run.record["outputs"] == names


def test_run_json_records_the_indicator_file(needs_run: RecipeRun) -> None:
    record = needs_run.record
    [entry] = [i for i in record["inputs"] if i["layer"] == "indicators"]
    assert entry["path"] == NEEDS.name
    assert entry["sha256"] == hashlib.sha256(NEEDS.read_bytes()).hexdigest()
    # 22 areas + 鬼無 (kept, unmatched) read; 市全体 and the footnote rejected
    assert record["rows"]["indicators"] == {"read": 25, "kept": 23, "rejected": 2, "merged": 0}
    assert record["recipe"]["priorities"] == {"indicator": SHARE, "category": "kyoten"}
    credits = {s["credit"]: s["date"] for s in record["sources"]}
    assert credits["ニーズ調査 圏域別（合成データ）"] == "2022"


def test_priority_sheet_is_the_ranking_of_the_run(needs_run: RecipeRun) -> None:
    ranking = needs_run.coverage.priorities(SHARE, "kyoten")
    assert len(ranking) == 22
    ws = load_workbook(needs_run.outputs[-1])["優先圏域"]
    assert [c.value for c in ws[4]][:3] == ["順位", "圏域", "区分（ニーズ×充足）"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=9)]
    head = ranking.head(5)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert [r[1] for r in rows] == head["area_name"].tolist()
    assert [r[2] for r in rows] == head["quadrant"].tolist()
    assert [r[3] for r in rows] == pytest.approx(head["share"].tolist())
    assert [r[7] for r in rows] == pytest.approx(head["at_risk_uncovered"].tolist())
    assert [r[10] for r in rows] == head["area_id"].tolist()
    # by hand for the first row: the file's share (in %) × the people out of reach of kyoten
    first = rows[0]
    with _no_check():
        table = chiikimap.read_indicators(NEEDS)
    shares = {
        chiikimap.needs.normalize_area_name(n): v
        for n, v in zip(table["area_name"], table[SHARE], strict=True)
    }
    assert first[3] == pytest.approx(shares[chiikimap.needs.normalize_area_name(first[1])])
    cov = needs_run.coverage.table
    row = cov[(cov["area_id"] == first[10]) & (cov["category"] == "kyoten")].iloc[0]
    assert first[7] == pytest.approx(row["uncovered"] * first[3])
    assert "ニーズ調査 圏域別（合成データ）" in str(ws.cell(3, 1).value)


def test_unknown_key_of_the_indicators_table(tmp_path: Path) -> None:
    path = _folder(tmp_path, _MINIMAL + _INDICATORS + 'colum = "圏域"\n')
    with pytest.raises(chiikimap.InputFileError) as info:
        load_recipe(path)
    assert info.value.param == "indicators.colum"
    assert "'colum'" in str(info.value)
    assert "name_col" in str(info.value)


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        (
            f'\n[priorities]\nindicator = "{SHARE}"\ncategory = "houkatsu"\nmap = 1\n',
            "priorities.map",
        ),
        (f'\n[priorities]\nindicator = "{SHARE}"\n', "priorities.category"),
        ('\n[priorities]\nindicator = 3\ncategory = "houkatsu"\n', "priorities.indicator"),
    ],
)
def test_priorities_table_is_checked(tmp_path: Path, extra: str, param: str) -> None:
    path = _folder(tmp_path, _MINIMAL + _INDICATORS + extra)
    with pytest.raises(chiikimap.InputFileError) as info:
        load_recipe(path)
    assert info.value.param == param


def test_priorities_need_an_indicator_file(tmp_path: Path) -> None:
    path = _folder(tmp_path, _MINIMAL + f'[priorities]\nindicator = "{SHARE}"\ncategory = "x"\n')
    with pytest.raises(chiikimap.InputFileError) as info:
        load_recipe(path)
    assert info.value.param == "indicators"


def test_an_indicator_that_is_not_in_the_file_names_the_key(tmp_path: Path) -> None:
    extra = '\n[priorities]\nindicator = "運動不足"\ncategory = "houkatsu"\n'
    path = _folder(tmp_path, _MINIMAL + _INDICATORS + extra)
    with _no_check(), pytest.raises(chiikimap.ChiikimapError) as info:
        run_recipe(path, out_dir=tmp_path / "out", formats=[])
    assert info.value.param == "priorities.indicator"
    assert "閉じこもり傾向" in str(info.value)  # the choices
    assert not (tmp_path / "out" / "run.json").exists()


def test_init_template_documents_indicators_and_priorities(tmp_path: Path) -> None:
    path, _found = init_recipe(tmp_path)  # an empty folder: the template only
    text = path.read_text(encoding="utf-8")
    assert "# [indicators]" in text
    assert "# [priorities]" in text
    # uncommented, the example keys are known keys
    for line in text.splitlines():
        if line.startswith(("# indicator = ", '# name_col = "日常')):
            key = line[2:].split(" =")[0]
            assert key in KEYS["priorities"] or key in KEYS["indicators"]


def test_init_recognises_an_indicator_table(tmp_path: Path) -> None:
    shutil.copy(NEEDS, tmp_path / NEEDS.name)
    path, found = init_recipe(tmp_path)
    assert found["indicators"] == [NEEDS.name]
    text = path.read_text(encoding="utf-8")
    assert f'[indicators]\npath = "{NEEDS.name}"\n' in text
    # the share columns are offered for [priorities]; uncommented, the recipe loads
    assert "# 割合の列: 運動器機能の低下・転倒リスク・閉じこもり傾向" in text.replace(
        '# indicator = "運動器機能の低下"  ', ""
    )
    for line in ("[priorities]", "indicator = ", "category = ["):  # the first: the suggestion
        text = text.replace(f"# {line}", line, 1)
    path.write_text(text, encoding="utf-8")
    recipe = load_recipe(path)
    assert recipe.data["priorities"] == {
        "indicator": "運動器機能の低下",
        "category": ["kayoi_no_ba"],
    }
    assert recipe.data["indicators"]["path"] == NEEDS.name
