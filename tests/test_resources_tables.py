"""read_resources on the table shapes municipalities publish: title rows, notes, sheets, DMS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, ColumnNotFoundError, EncodingError, InputFileError
from chiikimap.io.resources import read_resources


def _csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _reports(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    return S.read_reports(gdf)


def _cats(gdf: gpd.GeoDataFrame) -> dict[str, tuple[str, ...]]:
    return dict(zip(gdf["name"], gdf["categories"], strict=True))


# --- category= only fills files without a category column ------------------------------------
def test_category_fills_only_files_without_a_category_column(tmp_path: Path):
    offices = _csv(
        tmp_path / "houmon.csv",
        [
            "事業所名,サービスの種類,緯度,経度",
            "ひかり訪問介護,訪問介護,34.80,135.65",
        ],
    )
    salons = _csv(
        tmp_path / "salon.csv",
        [
            "名称,緯度,経度",
            "ふれあいサロン,34.81,135.66",
        ],
    )
    with pytest.warns(
        ChiikimapWarning, match=r"houmon.csv: 種別の列「サービスの種類」があるので"
    ) as rec:
        gdf = read_resources([offices, salons], category="kayoi_no_ba")
    assert _cats(gdf) == {"ひかり訪問介護": ("houmon_kaigo",), "ふれあいサロン": ("kayoi_no_ba",)}
    assert len(rec) == 1
    first, second = _reports(gdf)
    assert first["columns"]["category"] == "サービスの種類"
    assert second["columns"]["category"] == "category='kayoi_no_ba'"
    assert "applies only to files without one" in first["warnings"][0]


def test_category_with_an_explicit_category_col_keeps_the_column(tmp_path: Path):
    path = _csv(
        tmp_path / "mixed.csv",
        [
            "名称,内容,緯度,経度",
            "ひかり,訪問介護,34.80,135.65",
        ],
    )
    with pytest.warns(ChiikimapWarning, match="「内容」"):
        gdf = read_resources(path, category="kayoi_no_ba", category_col="内容")
    assert _cats(gdf) == {"ひかり": ("houmon_kaigo",)}


# --- a UTF-8 BOM in front of cp932 text --------------------------------------------------------
@pytest.mark.parametrize("encoding", [None, "cp932", "shift_jis"])
def test_bom_before_cp932_text(tmp_path: Path, encoding: str | None):
    text = "名称,緯度,経度\r\n高齢者サロン「ひだまり」,34.80,135.65\r\n"
    path = tmp_path / "bom_cp932.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp932"))
    gdf = read_resources(path, category="kayoi_no_ba", encoding=encoding)
    assert gdf["name"].tolist() == ["高齢者サロン「ひだまり」"]
    assert _reports(gdf)[0]["columns"]["name"] == "名称"


def test_bom_before_undecodable_bytes_is_still_an_error(tmp_path: Path):
    path = tmp_path / "broken.csv"
    # 0x81 0x20 is no cp932 character: stripping the BOM must not make the decoding lenient
    path.write_bytes(
        b"\xef\xbb\xbf" + "名称,緯度,経度\n".encode("cp932") + b"\x81\x20,34.8,135.6\n"
    )
    with pytest.raises(EncodingError, match="cp932"):
        read_resources(path, category="kayoi_no_ba", encoding="cp932")


# --- title rows above the header -----------------------------------------------------------------
def test_csv_title_row_is_skipped_and_rows_keep_their_numbers(tmp_path: Path):
    path = _csv(
        tmp_path / "kaigo.csv",
        [
            "介護サービス事業所一覧（令和6年4月1日現在）,,,",
            "事業所名,サービスの種類,緯度,経度",
            "ひかり訪問介護,訪問介護,34.80,135.65",
            "みどりデイ,通所介護,,",
        ],
    )
    with pytest.warns(ChiikimapWarning, match=r"行 4"):
        gdf = read_resources(path)
    assert gdf["name"].tolist() == ["ひかり訪問介護"]
    (rep,) = _reports(gdf)
    assert rep["n_read"] == 2  # the title is not a data row
    assert [r["row"] for r in rep["rejected"]] == [4]
    assert rep["columns"]["header_row"] == "2"
    assert any(
        "介護サービス事業所一覧（令和6年4月1日現在）" in w and "行 1" in w for w in rep["warnings"]
    )


def test_csv_two_title_rows_and_a_blank_line(tmp_path: Path):
    path = _csv(
        tmp_path / "salon.csv",
        [
            "〇〇市 通いの場一覧",
            "令和6年4月1日現在",
            "",
            "名称,緯度,経度",
            "サロンA,34.80,135.65",
            "サロンB,34.81,135.66",
        ],
    )
    gdf = read_resources(path, category="kayoi_no_ba")
    assert gdf["name"].tolist() == ["サロンA", "サロンB"]
    assert gdf["resource_id"].tolist() == ["salon-5", "salon-6"]
    (rep,) = _reports(gdf)
    assert rep["columns"]["header_row"] == "4"
    assert any("2 行" in w for w in rep["warnings"])


def test_header_row_override_and_its_errors(tmp_path: Path):
    # the names are not the usual ones, so detection falls back to the first row ...
    path = _csv(
        tmp_path / "odd.csv",
        [
            "一覧表",
            "施設,北,東",
            "サロンA,34.80,135.65",
        ],
    )
    with pytest.raises(ColumnNotFoundError, match=r"header_row=N") as err:
        read_resources(path, category="kayoi_no_ba")
    assert "一覧表" in str(err.value)
    # ... and header_row= with the explicit columns reads it
    gdf = read_resources(
        path, category="kayoi_no_ba", header_row=2, name_col="施設", lat_col="北", lon_col="東"
    )
    assert gdf["resource_id"].tolist() == ["odd-3"]
    with pytest.raises(InputFileError, match=r"header_row=9 の行がありません（3 行）"):
        read_resources(path, category="kayoi_no_ba", header_row=9)


def _workbook(
    path: Path, sheets: dict[str, list[list[Any]]], merge: dict[str, str] | None = None
) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if merge and title in merge:
            ws.merge_cells(merge[title])
    wb.save(path)
    return path


def test_xlsx_merged_title_in_a1(tmp_path: Path):
    path = _workbook(
        tmp_path / "list.xlsx",
        {
            "一覧": [
                ["介護サービス事業所一覧（令和6年4月1日現在）"],
                [None],
                ["事業所名", "サービスの種類", "緯度", "経度"],
                ["ひかり訪問介護", "訪問介護", 34.80, 135.65],
                ["なし", "訪問介護", None, None],
            ]
        },
        merge={"一覧": "A1:D1"},
    )
    with pytest.warns(ChiikimapWarning, match=r"行 5"):
        gdf = read_resources(path)
    assert gdf["name"].tolist() == ["ひかり訪問介護"]
    (rep,) = _reports(gdf)
    assert rep["columns"]["header_row"] == "3"
    assert rep["columns"]["sheet"] == "一覧"
    assert [r["row"] for r in rep["rejected"]] == [5]


def test_real_xlsx_with_title_rows_reads_as_the_original(tmp_path: Path):
    import openpyxl

    src = Path(__file__).parent / "data" / "resources" / "takamatsu_elderly_welfare_facility.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    ws.insert_rows(1, amount=2)
    ws["A1"] = "高松市 高齢者福祉施設一覧"
    ws["A2"] = "令和6年4月1日現在"
    lat_col = [c.value for c in ws[3]].index("latitude") + 1
    ws.cell(row=6, column=lat_col).value = None  # the 3rd data row (sheet row 4 of the original)
    titled = tmp_path / "titled.xlsx"
    wb.save(titled)
    original = read_resources(src)
    with pytest.warns(ChiikimapWarning, match=r"1 行を取り込めませんでした.*行 6"):
        gdf = read_resources(titled)
    keep = original["resource_id"] != original["resource_id"].iloc[2]
    assert gdf["name"].tolist() == original.loc[keep, "name"].tolist()
    assert gdf["categories"].tolist() == original.loc[keep, "categories"].tolist()
    (rep,) = _reports(gdf)
    assert rep["n_read"] == 47
    assert rep["rejected"][0]["values"]["name"] == original["name"].iloc[2]


# --- xlsx notes in columns without a header ----------------------------------------------------
def test_xlsx_note_under_an_empty_header_is_ignored_not_rejected(tmp_path: Path):
    path = _workbook(
        tmp_path / "notes.xlsx",
        {
            "Sheet1": [
                ["名称", "種別", "緯度", "経度"],
                ["サロンA", "通いの場", 34.80, 135.65],
                ["サロンB", "通いの場", 34.81, 135.66, "※休止中"],
                ["サロンC", "通いの場", 34.82, 135.67, None, "※要確認"],
            ]
        },
    )
    gdf = read_resources(path)
    assert gdf["name"].tolist() == ["サロンA", "サロンB", "サロンC"]
    (rep,) = _reports(gdf)
    assert rep["rejected"] == []
    notes = [w for w in rep["warnings"] if "見出しが空の列" in w]
    assert len(notes) == 2
    assert "列 E" in notes[0]
    assert "行 3: '※休止中'" in notes[0]
    assert "列 F" in notes[1]
    assert "行 4: '※要確認'" in notes[1]


def test_csv_extra_field_message_counts_the_rows_own_fields(tmp_path: Path):
    path = _csv(
        tmp_path / "comma.csv",
        [
            "名称,緯度,経度,,,",
            "サロンA,34.80,135.65",
            "サロン,B,34.81,135.66,,",
        ],
    )
    with pytest.warns(ChiikimapWarning, match="1 行を取り込めませんでした"):
        gdf = read_resources(path, category="kayoi_no_ba")
    reason = _reports(gdf)[0]["rejected"][0]["reason"]
    assert "列の数 (4) が見出し (3) より多い" in reason


# --- several sheets --------------------------------------------------------------------------------
def test_xlsx_first_sheet_without_header_tries_the_next(tmp_path: Path):
    path = _workbook(
        tmp_path / "book.xlsx",
        {
            "表紙": [["〇〇市 通いの場一覧"], ["作成: 高齢福祉課"]],
            "集計": [["圏域", "箇所数"], ["北部", 3]],
            "一覧": [["名称", "緯度", "経度"], ["サロンA", 34.80, 135.65]],
        },
    )
    # the sheets not read are named, each in its own warning
    with pytest.warns(ChiikimapWarning) as caught:
        gdf = read_resources(path, category="kayoi_no_ba")
    skipped = [str(w.message) for w in caught if "は読んでいません" in str(w.message)]
    assert len(skipped) == 2
    assert "シート '表紙'" in skipped[0]
    assert "sheet='表紙'" in skipped[0]
    assert "シート '集計'" in skipped[1]
    assert gdf["name"].tolist() == ["サロンA"]
    assert _reports(gdf)[0]["columns"]["sheet"] == "一覧"
    # an explicit sheet is read as given, and the error names the sheet and lists the others
    with pytest.raises(
        ColumnNotFoundError, match=r"シート '集計' を読みました（シート: \['表紙', '集計', '一覧'\]"
    ):
        read_resources(path, category="kayoi_no_ba", sheet="集計")


def test_xlsx_no_sheet_with_a_header_lists_the_sheets(tmp_path: Path):
    sheets = {"表紙": [["〇〇市 通いの場一覧"]], "集計": [["圏域", "箇所数"], ["北部", 3]]}
    path = _workbook(tmp_path / "book.xlsx", sheets)
    # the cover sheet is read (the first one): it has no data rows
    with pytest.raises(
        InputFileError, match=r"シート '表紙' を読みました（シート: \['表紙', '集計'\]"
    ):
        read_resources(path, category="kayoi_no_ba")
    sheets["表紙"].append(["作成: 高齢福祉課"])
    path = _workbook(tmp_path / "book2.xlsx", sheets)
    with pytest.raises(
        ColumnNotFoundError, match=r"シート '表紙' を読みました（シート: \['表紙', '集計'\]"
    ):
        read_resources(path, category="kayoi_no_ba")


# --- column names with a note in brackets ------------------------------------------------------
@pytest.mark.parametrize("name_header", ["施設・事業所名", "事業所・施設名", "施設名（漢字）"])
def test_column_names_with_a_bracketed_note(tmp_path: Path, name_header: str):
    path = _csv(
        tmp_path / "notes.csv",
        [
            f"施設名（フリガナ）,{name_header},種別,緯度（世界測地系）,経度(度),住所[所在地],定員（人）",
            "ヒカリ,ひかり訪問介護,訪問介護,34.80,135.65,枚方市大垣内町1-1,20",
        ],
    )
    gdf = read_resources(path)
    cols = _reports(gdf)[0]["columns"]
    assert cols["name"] == name_header
    assert cols["lat"] == "緯度（世界測地系）"
    assert cols["lon"] == "経度(度)"
    assert cols["address"] == "住所[所在地]"
    assert cols["capacity"] == "定員（人）"
    assert gdf["name"].tolist() == ["ひかり訪問介護"]
    assert gdf["address"].tolist() == ["枚方市大垣内町1-1"]
    assert gdf["capacity"].tolist() == [20.0]


def test_an_exact_name_wins_over_a_name_with_a_note(tmp_path: Path):
    path = _csv(
        tmp_path / "both.csv",
        [
            "所在地座標（緯度）,所在地座標（経度）,緯度（旧）,経度（旧）,名称",
            "34.80,135.65,35.0,136.0,サロンA",
        ],
    )
    gdf = read_resources(path, category="kayoi_no_ba")
    cols = _reports(gdf)[0]["columns"]
    assert (cols["lat"], cols["lon"]) == ("所在地座標（緯度）", "所在地座標（経度）")


# --- degrees-minutes-seconds and hemispheres ---------------------------------------------------
@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("34°48'00\"N", "135°36'36.5\"E"),
        ("34度48分0秒", "135度36分36.5秒"),
        ("北緯34度48分", "東経135度36分36.5秒"),
        ("34°48′00″", "135°36′36.5″"),
        ("N34.8", "E135.61013888888888"),
    ],
)
def test_degrees_minutes_seconds(tmp_path: Path, lat: str, lon: str):
    path = tmp_path / "dms.csv"
    path.write_text(
        f'名称,緯度,経度\nサロンA,"{lat.replace(chr(34), chr(34) * 2)}",{lon}\n', encoding="utf-8"
    )
    gdf = read_resources(path, category="kayoi_no_ba")
    # 34°48' = 34.8; 135°36'36.5" = 135 + 36/60 + 36.5/3600
    assert float(gdf.geometry.y.iloc[0]) == pytest.approx(34.8, abs=1e-9)
    assert float(gdf.geometry.x.iloc[0]) == pytest.approx(135 + 36 / 60 + 36.5 / 3600, abs=1e-9)


@pytest.mark.parametrize(("lat", "lon"), [("34.8N", "135.6E"), ("北緯34.8", "東経135.6")])
def test_hemisphere_letters_and_words(tmp_path: Path, lat: str, lon: str):
    path = _csv(tmp_path / "hemi.csv", ["名称,緯度,経度", f"サロンA,{lat},{lon}"])
    gdf = read_resources(path, category="kayoi_no_ba")
    assert (float(gdf.geometry.x.iloc[0]), float(gdf.geometry.y.iloc[0])) == pytest.approx(
        (135.6, 34.8)
    )


def test_south_west_and_unreadable_coordinates_are_rejected_with_reasons(tmp_path: Path):
    path = _csv(
        tmp_path / "bad.csv",
        [
            "名称,緯度,経度",
            "サロンS,34.8S,135.6E",
            "サロンW,北緯34.8,西経135.6",
            "サロンX,駅の北,135.6",
            "サロンM,34°75'00\",135.6",
        ],
    )
    with pytest.warns(ChiikimapWarning, match="4 行を取り込めませんでした"):
        gdf = read_resources(path, category="kayoi_no_ba")
    reasons = {r["row"]: r["reason"] for r in _reports(gdf)[0]["rejected"]}
    assert "緯度: '34.8S' は南緯 (S)の値です。日本の座標は北緯・東経です" in reasons[2]
    assert "southern hemisphere" in reasons[2]
    assert "経度: '西経135.6' は西経 (W)の値です" in reasons[3]
    assert "'駅の北' を座標として読めません" in reasons[4]
    assert "34°48'44\"N" in reasons[4]
    assert "34度48分44秒" in reasons[4]
    assert "北緯34.8123" in reasons[4]
    assert "60 以上" in reasons[5]
