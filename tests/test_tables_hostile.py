"""Hostile and odd table files (issue 10 items 2, 3, 7; issue 9 item 8): each failure reproduced.

Long fields, stray quotes, a workbook with a huge declared dimension, formulas without a saved
result, a workbook named .csv, merged cells, several sheets, zips with huge or oddly named
members, and category cells of nested parentheses.
"""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, InputFileError
from chiikimap.io import _archive
from chiikimap.io._table import read_records
from chiikimap.io.districts import read_districts
from chiikimap.io.resources import read_resources
from chiikimap.taxonomy import default_taxonomy

HEADER = "名称,緯度,経度,種別"


def _csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _report(gdf: Any) -> dict[str, Any]:
    return S.read_reports(gdf)[0]


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


# --- CSV text ---------------------------------------------------------------------------------------
def test_a_field_over_128_kb_is_read(tmp_path: Path):
    note = "あ" * 200_000  # the csv module's default limit is 131,072 characters
    path = _csv(
        tmp_path / "long.csv",
        [HEADER + ",備考", f"A,34.8,135.6,訪問介護,{note}", "B,34.81,135.61,通所介護,"],
    )
    gdf = read_resources(path)
    assert gdf["name"].tolist() == ["A", "B"]


def test_the_field_limit_is_restored(tmp_path: Path):
    import csv

    before = csv.field_size_limit()
    read_records(_csv(tmp_path / "a.csv", [HEADER, "A,34.8,135.6,訪問介護"]))
    assert csv.field_size_limit() == before


def test_a_quote_that_never_closes_is_an_error_naming_its_line(tmp_path: Path):
    # before: "read 2" for 5 data lines — the quote on line 3 swallowed lines 3 to 6
    path = _csv(
        tmp_path / "quote.csv",
        [
            HEADER,
            "A,34.80,135.60,訪問介護",
            '"B,34.81,135.61,訪問介護',
            "C,34.82,135.62,訪問介護",
            "D,34.83,135.63,訪問介護",
            "E,34.84,135.64,訪問介護",
        ],
    )
    with pytest.raises(InputFileError, match="3 行目で開いた引用符") as caught:
        read_resources(path)
    assert caught.value.row == 3
    assert "lines 3-6" in str(caught.value)


def test_a_quote_closed_lines_later_rejects_the_swallowed_lines_by_name(tmp_path: Path):
    path = _csv(
        tmp_path / "quote2.csv",
        [
            HEADER,
            "A,34.80,135.60,訪問介護",
            '"B,34.81,135.61,訪問介護',
            "C,34.82,135.62,訪問介護",
            'D",34.83,135.63,訪問介護',
            "E,34.84,135.64,訪問介護",
        ],
    )
    with pytest.warns(ChiikimapWarning, match="1 行を取り込めませんでした"):
        gdf = read_resources(path)
    report = _report(gdf)
    assert gdf["name"].tolist() == ["A", "E"]
    # rows in = kept + rejected: the swallowed lines are one rejected record that names them
    assert report["n_read"] == 3
    (rejected,) = report["rejected"]
    assert "3〜5 行目" in rejected["reason"]
    assert "lines 3-5" in rejected["reason"]


def test_a_cell_with_a_line_break_is_still_one_row(tmp_path: Path):
    path = _csv(
        tmp_path / "multi.csv",
        [
            HEADER + ",備考",
            'A,34.80,135.60,訪問介護,"1 行目',
            '2 行目"',
            "B,34.81,135.61,訪問介護,",
        ],
    )
    gdf = read_resources(path)
    assert gdf["name"].tolist() == ["A", "B"]
    assert _report(gdf)["rejected"] == []


def test_an_xlsx_named_csv_gets_its_own_message(tmp_path: Path):
    book = _workbook(
        tmp_path / "list.xlsx", {"一覧": [HEADER.split(","), ["A", 34.8, 135.6, "訪問介護"]]}
    )
    renamed = tmp_path / "list.csv"
    renamed.write_bytes(book.read_bytes())
    with pytest.raises(InputFileError, match=r"\.xlsx に直して") as caught:
        read_resources(renamed)
    assert "encoding" not in str(caught.value)


def test_an_old_xls_named_csv_gets_its_own_message(tmp_path: Path):
    path = tmp_path / "old.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputFileError, match=r"古い Excel 形式 \(\.xls\)"):
        read_resources(path)


# --- workbooks ----------------------------------------------------------------------------------------
def test_a_formatted_cell_at_xfd1048576_does_not_expand_the_sheet(tmp_path: Path):
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["A", 34.8, 135.6, "訪問介護"])
    ws["XFD1048576"].font = Font(bold=True)
    path = tmp_path / "huge_dimension.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    gdf = read_resources(path)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert gdf["name"].tolist() == ["A"]
    assert _report(gdf)["n_read"] == 1
    # expanding the declared A1:XFD1048576 would need tens of GB; reading it needs almost nothing
    assert grown_mib < 200


def test_formula_cells_without_a_saved_result_get_their_own_message(tmp_path: Path):
    # openpyxl writes formulas without a cached result, as many programs do
    path = _workbook(
        tmp_path / "formulas.xlsx",
        {
            "一覧": [
                [*HEADER.split(","), "備考"],
                ["A", "=34.8+0", "=135.6+0", "訪問介護", None],
                ["B", 34.81, 135.61, "訪問介護", '=IF(1=1,"","x")'],
            ]
        },
    )
    with pytest.warns(ChiikimapWarning, match="数式の結果なし"):
        gdf = read_resources(path)
    # a formula in an unused column does not reject its row
    assert gdf["name"].tolist() == ["B"]
    (rejected,) = _report(gdf)["rejected"]
    assert rejected["row"] == 2
    assert "計算結果が保存されていません" in rejected["reason"]
    assert "緯度, 経度" in rejected["reason"]
    assert "座標が空" not in rejected["reason"]


def test_merged_category_cell_gives_its_value_to_every_row(tmp_path: Path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一覧"
    ws.append(HEADER.split(","))
    ws.append(["A", 34.80, 135.60, "訪問介護"])
    ws.append(["B", 34.81, 135.61, None])
    ws.append(["C", 34.82, 135.62, None])
    ws.append(["D", 34.83, 135.63, "通所介護"])
    ws.merge_cells("D2:D4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    gdf = read_resources(path)
    cats = dict(zip(gdf["name"], gdf["category"], strict=True))
    assert cats == {
        "A": "houmon_kaigo",
        "B": "houmon_kaigo",
        "C": "houmon_kaigo",
        "D": "tsusho_kaigo",
    }


def test_every_sheet_with_the_same_header_is_read_and_rows_keep_their_sheet(tmp_path: Path):
    head = HEADER.split(",")
    path = _workbook(
        tmp_path / "wards.xlsx",
        {
            "北区": [head, ["A", 34.80, 135.60, "訪問介護"], ["X", None, None, "訪問介護"]],
            "南区": [head, ["B", 34.70, 135.50, "通所介護"], ["Y", 34.7, 135.5, None]],
            "集計": [["区", "箇所数"], ["北区", 1]],
        },
    )
    with pytest.warns(ChiikimapWarning) as caught:
        gdf = read_resources(path)
    messages = [str(w.message) for w in caught]
    assert any("シート '集計' は読んでいません" in m for m in messages)
    assert any("北区, 南区" in m for m in messages)
    assert gdf["name"].tolist() == ["A", "B"]
    assert gdf["source"].tolist() == ["wards.xlsx [北区]", "wards.xlsx [南区]"]
    report = _report(gdf)
    assert report["n_read"] == 4
    rejected = {(r["file"], r["row"]) for r in report["rejected"]}
    assert rejected == {("wards.xlsx [北区]", 3), ("wards.xlsx [南区]", 3)}


# --- zips ------------------------------------------------------------------------------------------------
def _district_zip(path: Path, extra: dict[str, bytes]) -> Path:
    data = Path(__file__).parent / "data" / "districts"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            zf.write(data / f"A27-23_29.{ext}", f"A27-23_29/A27-23_29.{ext}")
        for name, payload in extra.items():
            zf.writestr(name, payload)
    return path


@pytest.mark.parametrize("odd", ["a./..", "../escape.txt", "/etc/passwd", "C:/x.txt", "a/../../b"])
def test_odd_member_names_are_refused_with_the_zips_name(tmp_path: Path, odd: str):
    path = _district_zip(tmp_path / "ksj.zip", {odd: b"x"})
    with pytest.raises(InputFileError, match="安全でない名前") as caught:
        read_districts(path)
    assert caught.value.path == str(path)


def test_a_member_over_the_cap_is_refused_before_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # the case is a 2 MB zip holding a 2 GiB member; the cap is lowered to keep it small
    monkeypatch.setattr(_archive, "MAX_MEMBER_BYTES", 1 << 20)
    huge = {"A27-23_29/A27-23_29.qix": b"\0" * (3 << 20)}  # a sidecar, 3 MiB of zeros
    path = _district_zip(tmp_path / "ksj.zip", huge)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InputFileError, match=r"'A27-23_29/A27-23_29\.qix' が大きすぎます"):
        read_districts(path)


def test_the_total_of_the_members_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_archive, "MAX_TOTAL_BYTES", 1000)
    path = _district_zip(tmp_path / "ksj.zip", {})
    with pytest.raises(InputFileError, match="中身の合計が大きすぎます"):
        read_districts(path)


def test_a_plain_ksj_zip_still_reads(tmp_path: Path):
    path = _district_zip(tmp_path / "ksj.zip", {"A27-23_29/KS-META-A27-23_29.xml": b"<x/>"})
    gdf = read_districts(path)
    assert len(gdf) > 0


# --- category cells -----------------------------------------------------------------------------------------
def test_nested_parentheses_are_classified_and_notes_removed_like_before():
    from chiikimap.taxonomy import _base_name

    tax = default_taxonomy()
    # 60 KB of nesting took 17 s (a regex pass per nesting level); now one pass — the time is
    # printed by bench/bench_read.py, here the result is checked
    large = "訪問介護" + "（" * 30_000 + "注" + "）" * 30_000
    assert tax.classify_cell(large).keys == ("houmon_kaigo",)
    assert _base_name("訪問介護(ホーム(ヘルプ))") == "訪問介護"
    assert _base_name("((a)") == "("
    assert _base_name(")(a)(") == ")("
    assert _base_name("a (b) c (d (e)) f") == "acf"


def test_category_cells_are_classified_once_per_distinct_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from chiikimap.taxonomy import Taxonomy

    calls: list[str] = []
    original = Taxonomy.classify_cell

    def counting(self: Taxonomy, text: str, **kwargs: Any) -> Any:
        calls.append(text)
        return original(self, text, **kwargs)

    monkeypatch.setattr(Taxonomy, "classify_cell", counting)
    lines = [HEADER] + [
        f"R{i},34.{i:04d},135.6,{'訪問介護' if i % 2 else '通所介護'}" for i in range(200)
    ]
    gdf = read_resources(_csv(tmp_path / "many.csv", lines))
    assert len(gdf) == 200
    assert sorted(calls) == ["訪問介護", "通所介護"]


def test_a_population_workbook_names_the_sheets_it_does_not_read(tmp_path: Path):
    from chiikimap.io.population import read_population

    table = [["圏域ID", "総人口", "65歳以上", "75歳以上"], ["1", 100, 30, 10]]
    path = _workbook(tmp_path / "pop.xlsx", {"R6": table, "R5": table, "メモ": [["x"]]})
    with pytest.warns(ChiikimapWarning, match="シート 'R6' だけを読みました") as caught:
        gdf = read_population(path, kind="table", id_col="圏域ID")
    assert any("'R5', 'メモ'" in str(w.message) for w in caught)
    assert gdf["pop_total"].tolist() == [100.0]
