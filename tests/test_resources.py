"""read_resources on real slices (枚方市, 高松市) and on derived files, one case per problem."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from chiikimap import _schema as S
from chiikimap._errors import (
    ChiikimapWarning,
    ColumnNotFoundError,
    EncodingError,
    InputFileError,
    UnknownCategoryError,
)
from chiikimap.io.resources import read_resources

DATA = Path(__file__).parent / "data" / "resources"


def _read(name: str | list[Path], **kwargs: Any) -> gpd.GeoDataFrame:
    """Read a fixture that produces no warning."""
    path = [DATA / n for n in name] if isinstance(name, list) else DATA / name
    return read_resources(path, **kwargs)


def _report(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    return S.read_reports(gdf)[0]


def _assert_accounting(gdf: gpd.GeoDataFrame) -> None:
    """rows in = rows kept + rows rejected + duplicates merged, over every file read."""
    reports = S.read_reports(gdf)
    n_read = sum(r["n_read"] for r in reports)
    n_rejected = sum(len(r["rejected"]) for r in reports)
    n_dup = sum(len(r["duplicates"]) for r in reports)
    assert n_read == len(gdf) + n_rejected + n_dup
    # merged rows are listed by rejected_rows too, after the rejected ones, reason 「重複…」
    rej = S.rejected_rows(gdf)
    assert len(rej) == n_rejected + n_dup
    assert rej["reason"].iloc[n_rejected:].str.startswith("重複").all()


def _xy(gdf: gpd.GeoDataFrame, name: str) -> tuple[float, float]:
    geom = gdf.loc[gdf["name"] == name, "geometry"].iloc[0]
    return float(geom.x), float(geom.y)


# --- real files -----------------------------------------------------------------------------------
def test_hirakata_geojson_slice_classifies_service_type_and_keeps_distinct_offices():
    # every feature has its own 事業所番号: nothing is merged, even at one point
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gdf = _read("hirakata_jigyosho_slice.geojson")
    rep = _report(gdf)
    assert rep["layout"] == "hirakata_fukushi_map"
    # service_type is ours, not the coarse "category" group of the file
    assert rep["columns"]["category"] == "service_type"
    assert rep["n_read"] == 60
    assert len(gdf) == 60
    assert rep["rejected"] == []
    assert rep["duplicates"] == []
    _assert_accounting(gdf)
    S.validate_resources(gdf)
    assert gdf.crs.to_epsg() == 6668
    # feature 2: "訪問リハビリテーション; 訪問看護", capacity "30"
    row = gdf.set_index("resource_id").loc["2712405758"]
    assert row["categories"] == ("houmon_reha", "houmon_kango")
    assert row["category"] == "houmon_reha"
    assert row["capacity"] == 30.0
    assert row["capacities"] == {"houmon_reha": 30.0, "houmon_kango": 30.0}
    assert row["office_number"] == "2712405758"
    # feature 1 has capacity "0", which the file uses for "not given"
    assert math.isnan(gdf.set_index("resource_id").loc["2712403472", "capacity"])
    assert any("定員 0" in w for w in rep["warnings"])
    # ひらかた聖徳園: features 52 (介護老人福祉施設, 定員 120, 2772400889) and 53 (短期入所生活介護,
    # 定員 10, 2772400970) at one point are two registered services: two resources, each with
    # its own capacity (the old "same name and point" rule merged them and lost the 10)
    seitoku = gdf[gdf["name"] == "ひらかた聖徳園"].set_index("resource_id")
    assert seitoku["categories"].to_dict() == {
        "2772400889": ("shisetsu",),
        "2772400970": ("tanki_nyusho",),
    }
    assert seitoku["capacities"].to_dict() == {
        "2772400889": {"shisetsu": 120.0},
        "2772400970": {"tanki_nyusho": 10.0},
    }
    assert gdf["source"].eq("hirakata_jigyosho_slice.geojson").all()
    assert "厚生労働省" in S.sources_of(gdf)[0].attribution
    # every service name of the real slice is known to the taxonomy
    assert rep["unclassified"] == []


def test_takamatsu_csv_quoted_fields_and_embedded_newline():
    gdf = _read("takamatsu_elderly_welfare_facility.csv")
    rep = _report(gdf)
    assert rep["layout"] == "takamatsu_opendata"
    assert rep["columns"]["encoding"] == "utf-8"
    assert len(gdf) == 47
    _assert_accounting(gdf)
    assert gdf["resource_id"].tolist()[:3] == ["1", "2", "3"]
    # rows 44 and 45 hold "…入所者生活介護\n（地域密着型特別養護老人ホーム）" inside quotes
    kocho = gdf[gdf["name"] == "地域密着型特別養護老人ホーム　胡蝶の夢"].iloc[0]
    assert kocho["categories"] == ("shisetsu",)
    assert kocho["capacity"] == 29.0
    counts = gdf["category"].value_counts().to_dict()
    assert counts == {"shisetsu": 35, "tokutei_shisetsu": 12}  # 29 + 2 + 2 + 2 特養/養護, 12 軽費
    assert gdf["capacity"].notna().all()
    (src,) = S.sources_of(gdf)
    assert src.attribution == "高松市"
    assert src.license == "CC BY 4.0"


def test_takamatsu_row_numbers_count_records_not_lines():
    with pytest.warns(ChiikimapWarning, match=r"1 行を取り込めませんでした（座標なし 1; 行 4）"):
        gdf = _read("takamatsu_embedded_newline.csv")
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [4]  # physical line 6: rows 2 and 3 each span two lines
    assert rej["values"].iloc[0]["name"] == "特別養護老人ホーム　弘恩苑"
    assert rej["values"].iloc[0]["latitude"] == ""
    assert "座標が空です" in rej["reason"].iloc[0]
    assert "missing coordinates" in rej["reason"].iloc[0]
    assert gdf["resource_id"].tolist() == ["43", "44", "45"]
    _assert_accounting(gdf)


def test_takamatsu_xlsx_matches_csv():
    xl = _read("takamatsu_elderly_welfare_facility.xlsx")
    csv_ = _read("takamatsu_elderly_welfare_facility.csv")
    assert _report(xl)["layout"] == "takamatsu_opendata"
    assert xl["name"].tolist() == csv_["name"].tolist()
    assert xl["categories"].tolist() == csv_["categories"].tolist()
    assert xl["capacity"].tolist() == csv_["capacity"].tolist()
    assert xl.geometry.x.tolist() == pytest.approx(csv_.geometry.x.tolist(), abs=1e-9)
    assert xl.geometry.y.tolist() == pytest.approx(csv_.geometry.y.tolist(), abs=1e-9)
    _assert_accounting(xl)


def test_takamatsu_xlsx_without_service_column_needs_category():
    with pytest.raises(ColumnNotFoundError) as err:
        _read("takamatsu_regional_comprehensive_support_center.xlsx")
    msg = str(err.value)
    assert msg.startswith(str(DATA / "takamatsu_regional_comprehensive_support_center.xlsx") + ": ")
    assert "種別（サービスの種類）の列が見つかりません" in msg
    assert "サービスの種類" in msg
    assert "#property" in msg
    assert "category_col='…'" in msg
    assert "category='kayoi_no_ba'" in msg
    gdf = _read(
        "takamatsu_regional_comprehensive_support_center.xlsx", category="houkatsu", sheet="Sheet1"
    )
    assert len(gdf) == 7
    assert set(gdf["categories"]) == {("houkatsu",)}
    assert _report(gdf)["columns"]["category"] == "category='houkatsu'"
    with pytest.raises(InputFileError, match=r"シート 'nope' がありません.*Sheet1"):
        _read(
            "takamatsu_regional_comprehensive_support_center.xlsx",
            category="houkatsu",
            sheet="nope",
        )
    with pytest.raises(UnknownCategoryError, match="salon"):
        _read("takamatsu_regional_comprehensive_support_center.xlsx", category="salon")


def test_takamatsu_free_text_service_and_capacity():
    with pytest.warns(ChiikimapWarning) as rec:
        gdf = _read("takamatsu_elderly_welfare_center.xlsx")
    text = "\n".join(str(w.message) for w in rec)
    # row 2: "老人福祉センター、図書コーナー、…" → kyoten; the other parts are reported, not guessed
    assert gdf["categories"].tolist() == [("kyoten",)]
    assert "'図書コーナー'" in text
    assert "'テニスコート'" in text
    assert "定員を数値にできない 1 行（行 2）" in text
    assert math.isnan(gdf["capacity"].iloc[0])
    # row 3 (瓦町健康ステーション) names no known service at all: rejected with the reason
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [3]
    assert "を分類できません" in rej["reason"].iloc[0]
    assert "図書コーナー" in _report(gdf)["unclassified"]
    _assert_accounting(gdf)


# --- MHLW layout ------------------------------------------------------------------------------
def test_mhlw_layout_fixture():
    with pytest.warns(ChiikimapWarning) as rec:
        gdf = _read("mhlw_kaigo_kohyo_layout.csv")
    text = "\n".join(str(w.message) for w in rec)
    rep = _report(gdf)
    assert rep["layout"] == "mhlw_kaigo_kohyo"
    assert rep["columns"]["encoding"] == "utf-8-sig"
    assert rep["columns"]["name"] == "事業所名"
    assert rep["columns"]["id"] == "事業所番号"
    (src,) = S.sources_of(gdf)
    assert src.attribution == "「介護サービス情報公表システム オープンデータ（厚生労働省）」"
    assert src.license == "CC BY 4.0"
    # rows 2 and 3: one point, two services with their own 事業所番号 → two resources
    assert gdf["resource_id"].tolist() == ["2772400889", "2772400970", "2712403472", "2712406038"]
    assert gdf["office_number"].tolist() == gdf["resource_id"].tolist()
    assert gdf["categories"].iloc[0] == ("shisetsu",)
    assert gdf["capacity"].tolist()[:2] == [80.0, 20.0]
    assert math.isnan(gdf["capacity"].iloc[2])  # 訪問看護: 定員 blank
    assert gdf["address"].iloc[3] == "大阪府枚方市磯島元町16-16 ２階"  # 住所 + 方書
    assert "重複" not in text
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [6]
    assert rej["values"].iloc[0]["サービスの種類"] == "訪問リハビリテーション"
    assert "1 行を取り込めませんでした（座標なし 1; 行 6）" in text
    _assert_accounting(gdf)


def test_several_files_concatenate_with_unique_ids(tmp_path: Path):
    # two 高松市 files both number their rows 1, 2, …: ids fall back to <file>-<row>
    # the same 47 places in both files: one resource each (same name, same point, two sources)
    with pytest.warns(ChiikimapWarning, match=r"同じ施設と判断した 47 件"):
        gdf = _read(
            [
                DATA / "takamatsu_elderly_welfare_facility.xlsx",
                DATA / "takamatsu_elderly_welfare_facility.csv",
            ]
        )
    assert len(gdf) == 47  # the same 47 places twice: the second file is all duplicates
    rej = S.rejected_rows(gdf)
    assert rej["reason"].str.contains("別の出典の同じ施設").all()
    assert rej["kept_file"].eq("takamatsu_elderly_welfare_facility.xlsx").all()
    assert rej["distance_m"].max() < 0.01
    assert gdf["resource_id"].is_unique
    reports = S.read_reports(gdf)
    assert [r["file"] for r in reports] == [
        "takamatsu_elderly_welfare_facility.xlsx",
        "takamatsu_elderly_welfare_facility.csv",
    ]
    assert len(reports[1]["duplicates"]) == 47
    _assert_accounting(gdf)


def test_several_files_rejected_rows_from_each():
    with pytest.warns(ChiikimapWarning):
        gdf = _read(["takamatsu_embedded_newline.csv", "location_column.csv"])
    rej = S.rejected_rows(gdf)
    assert list(zip(rej["file"], rej["row"], strict=True)) == [
        ("takamatsu_embedded_newline.csv", 4),
        ("location_column.csv", 4),
    ]
    assert gdf["resource_id"].is_unique
    assert set(gdf["source"]) == {"takamatsu_embedded_newline.csv", "location_column.csv"}
    _assert_accounting(gdf)


# --- encodings ------------------------------------------------------------------------------------
def test_cp932_csv_is_detected():
    with pytest.warns(ChiikimapWarning) as rec:
        gdf = _read("kayoi_cp932.csv")
    assert any("分類表にない種別 1 種類: '囲碁クラブ'" in str(w.message) for w in rec)
    rep = _report(gdf)
    assert rep["columns"]["encoding"] == "cp932"
    assert rep["columns"]["name"] == "施設名"
    assert rep["columns"]["address"] == "所在地"
    assert gdf["name"].iloc[0] == "高松市日新コミュニティセンター"
    assert gdf["category"].tolist() == ["kayoi_no_ba"] * 4
    # "２０名", "15人", "", "３０": full-width digits and units parsed, blank is NaN
    assert gdf["capacity"].tolist()[:2] == [20.0, 15.0]
    assert math.isnan(gdf["capacity"].iloc[2])
    assert gdf["capacity"].iloc[3] == 30.0
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [5]
    assert rej["values"].iloc[0]["種別"] == "囲碁クラブ"
    _assert_accounting(gdf)


def test_wrong_encoding_given_is_an_error():
    with pytest.raises(EncodingError) as err:
        _read("kayoi_cp932.csv", encoding="utf-8")
    msg = str(err.value)
    assert msg.startswith("kayoi_cp932.csv") or "kayoi_cp932.csv" in msg
    assert "encoding='utf-8' では読めません" in msg


def test_undecodable_file_names_the_file_and_the_parameter(tmp_path: Path):
    bad = tmp_path / "broken.csv"
    bad.write_bytes("名称,緯度,経度\n".encode() + b"\xff\xfe\xfd,34.1,134.1\n")
    with pytest.raises(EncodingError) as err:
        read_resources(bad, category="kyoten")
    msg = str(err.value)
    assert msg.startswith(f"{bad}: ")
    assert "壊れたバイトがあります（2 行目）" in msg
    assert "pass encoding='...'" in msg
    # bytes that are neither UTF-8 nor cp932 at all
    worse = tmp_path / "worse.csv"
    worse.write_bytes(b"\x81\x7f,\x80\n")
    with pytest.raises(EncodingError, match=r"worse.csv: 文字コードを判定できません.*encoding="):
        read_resources(worse, category="kyoten")


def test_replacement_characters_are_mojibake(tmp_path: Path):
    bad = tmp_path / "mojibake.csv"
    bad.write_text("名称,緯度,経度\n\ufffd\ufffd館,34.1,134.1\n", encoding="utf-8")
    with pytest.raises(EncodingError, match=r"mojibake.csv.*U\+FFFD.*2 行目"):
        read_resources(bad, category="kyoten")


def test_euc_jp_is_not_read_as_cp932_katakana(tmp_path: Path):
    path = tmp_path / "euc.csv"
    path.write_bytes("名称,緯度,経度,種別\n高松市公民館,34.34,134.04,公民館\n".encode("euc_jp"))
    with pytest.raises(EncodingError, match="encoding='euc_jp'"):
        read_resources(path)
    gdf = read_resources(path, encoding="euc_jp")
    assert gdf["name"].tolist() == ["高松市公民館"]
    assert gdf["category"].tolist() == ["kyoten"]


# --- coordinates, duplicates, capacity ------------------------------------------------------------
def test_messy_coordinates_kept_rejected_and_messages():
    with pytest.warns(ChiikimapWarning) as rec:
        gdf = _read("messy_coordinates.csv")
    text = "\n".join(str(w.message) for w in rec)
    kept_rows = [int(r.rsplit("-", 1)[1]) for r in gdf["resource_id"]]
    assert kept_rows == [2, 3, 4, 5, 11, 14]
    # row 3: full-width digits; row 4: stray spaces (also inside "134.0 6113139")
    assert _xy(gdf, "グループホーム　ひがん") == pytest.approx((134.04691583, 34.33364639))
    assert _xy(gdf, "グループホーム愛の里") == pytest.approx((134.06113139, 34.330325))
    # row 5: lat column holds 134.0…, lon column 34.2…: swapped back
    assert _xy(gdf, "グループホーム春風荘") == pytest.approx((134.01455361, 34.28434611))
    assert "1 行（行 5）で緯度と経度が入れ替わっていた" in text
    # capacities: "18", "１８名", "9 人", "", "約20人" (reported), "18"
    caps = gdf["capacity"].tolist()
    assert caps[:3] == [18.0, 18.0, 9.0]
    assert math.isnan(caps[3])
    assert math.isnan(caps[4])
    assert "定員を数値にできない 1 行（行 11）" in text
    # row 14 names two services in one cell
    assert gdf["categories"].iloc[-1] == ("group_home", "tanki_nyusho")

    rej = S.rejected_rows(gdf).set_index("row")
    # the rejected rows, then row 8 (merged into row 2, which it repeats exactly)
    assert rej.index.tolist() == [6, 7, 9, 10, 12, 13, 8]
    assert rej.loc[8, "reason"].startswith("重複（全項目が同じ: 行 2 に統合）")
    assert "座標が空です" in rej.loc[6, "reason"]
    assert "日本の範囲外" in rej.loc[7, "reason"]
    assert "51.5007" in rej.loc[7, "reason"]
    assert "度だけの値で、位置として粗すぎます" in rej.loc[9, "reason"]  # whole degrees only
    assert "北緯34度" in rej.loc[9, "reason"]
    # row 10: the full-width minus is read as a minus, so the point is outside Japan
    assert "緯度 -34.322645" in rej.loc[10, "reason"]
    assert "名称" in rej.loc[12, "reason"]
    assert "the name is blank" in rej.loc[12, "reason"]
    assert "'謎のサービス' を分類できません" in rej.loc[13, "reason"]
    assert rej.loc[9, "values"] == {
        "名称": "グループホーム　ほおずき",
        "緯度": "北緯34度",
        "経度": "東経134度",
        "住所": "高松市松並町649-1",
        "サービス種別": "認知症対応型共同生活介護",
        "定員": "18",
    }
    assert set(rej["file"]) == {"messy_coordinates.csv"}
    assert re.search(r"6 行を取り込めませんでした（.*; 行 6, 7, 9, 10, 12, 13）", text)
    assert "chiikimap.rejected_rows(gdf)" in text
    assert "'謎のサービス'" in text
    # row 8 repeats row 2 exactly
    (dup,) = _report(gdf)["duplicates"]
    assert (dup["row"], dup["kept_row"], dup["name"]) == (8, 2, "グループホームやすらぎ")
    assert "重複 1 行（行 8）" in text
    _assert_accounting(gdf)
    S.validate_resources(gdf)


def test_whole_file_swapped():
    with pytest.warns(ChiikimapWarning, match="ファイル全体で緯度と経度が入れ替わっていた"):
        gdf = _read("swapped_file.csv")
    assert len(gdf) == 3
    assert (gdf.geometry.x > 133).all()
    assert (gdf.geometry.y < 35).all()
    _assert_accounting(gdf)


def test_location_column():
    with pytest.warns(ChiikimapWarning, match=r"行 4"):
        gdf = _read("location_column.csv")
    assert _report(gdf)["columns"]["location"] == "location"
    assert len(gdf) == 2
    # row 3 is "３４．…，１３４．…" with a full-width comma
    xs = gdf.geometry.x.tolist()
    assert all(133.9 < x < 134.2 for x in xs)
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [4]
    assert "「緯度,経度」として読めません" in rej["reason"].iloc[0]
    _assert_accounting(gdf)


def test_projected_coordinates_get_a_hint(tmp_path: Path):
    path = tmp_path / "plane.csv"
    path.write_text("name,x,y\nA館,-62000.5,-135000.2\n", encoding="utf-8")
    with pytest.warns(ChiikimapWarning, match="1 行を取り込めませんでした"):
        gdf = read_resources(path, category="kyoten")
    assert len(gdf) == 0
    assert list(gdf.columns) == list(S.RESOURCE_COLUMNS)
    assert "平面直角座標" in S.rejected_rows(gdf)["reason"].iloc[0]


# --- text is data -------------------------------------------------------------------------------
def test_malicious_text_survives_unchanged():
    gdf = _read("malicious_text.csv")
    assert gdf["name"].tolist() == [
        "<img src=x onerror=alert(1)>",
        '<script>alert("x")</script>',
        "\"引用\"と'single'と`back`",
    ]
    assert gdf["address"].tolist() == ["'); alert(1); //", "`whoami`", "高松市\n改行入り"]
    assert gdf["category"].tolist() == ["kayoi_no_ba"] * 3
    _assert_accounting(gdf)


# --- errors ---------------------------------------------------------------------------------------
def test_missing_latitude_column_message(tmp_path: Path):
    path = tmp_path / "resources.csv"
    path.write_text("名称,経度,種別\nA,134.1,サロン\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError) as err:
        read_resources(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: 緯度の列が見つかりません")
    assert "looked for 緯度, lat, latitude, y" in msg
    assert "['名称', '経度', '種別']" in msg
    assert "pass lat_col='…'" in msg


def test_missing_name_column_and_explicit_columns(tmp_path: Path):
    path = tmp_path / "list.csv"
    path.write_text("団体,北緯,東経,kind\nいきいき会,34.34,134.04,サロン\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError, match=r"名称の列が見つかりません.*pass name_col='…'"):
        read_resources(path)
    gdf = read_resources(path, name_col="団体", lat_col="北緯", lon_col="東経", category_col="kind")
    assert gdf["name"].tolist() == ["いきいき会"]
    assert gdf["category"].tolist() == ["kayoi_no_ba"]
    with pytest.raises(ColumnNotFoundError, match=r"lat_col='緯度' がありません"):
        read_resources(path, name_col="団体", lat_col="緯度", lon_col="東経", category_col="kind")


def test_empty_and_header_only_files(tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(InputFileError, match=r"empty.csv: ファイルが空です"):
        read_resources(empty)
    header = tmp_path / "header.csv"
    header.write_text("名称,緯度,経度,種別\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"header.csv: データ行がありません"):
        read_resources(header)
    with pytest.raises(InputFileError, match="xls"):
        read_resources(tmp_path / "old.xls")


def test_blank_rows_are_not_rows(tmp_path: Path):
    path = tmp_path / "blank.csv"
    path.write_text("名称,緯度,経度\nA館,34.34,134.04\n,,\nB館,,\n", encoding="utf-8")
    with pytest.warns(ChiikimapWarning, match=r"行 4"):
        gdf = read_resources(path, category="kyoten")
    assert gdf["name"].tolist() == ["A館"]
    assert S.rejected_rows(gdf)["row"].tolist() == [4]  # row 3 is blank, still counted as a row
    assert "空行 1 行" in _report(gdf)["warnings"][0]
    _assert_accounting(gdf)


def test_source_override():
    gdf = _read("malicious_text.csv", source=S.Source(title="テスト", publisher="某市"))
    assert [s.attribution for s in S.sources_of(gdf)] == ["テスト（某市）"]
    gdf = _read("malicious_text.csv", source="サロン一覧 2025")
    assert [s.title for s in S.sources_of(gdf)] == ["サロン一覧 2025"]


def test_digital_agency_layout(tmp_path: Path):
    # header of the 推奨データセット 介護サービス事業所一覧 (デジタル庁); one row from mhlw fixture values
    header = (
        "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,介護サービス事業所名称,"
        "介護サービス事業所名称_カナ,実施サービス,住所,方書,緯度,経度,電話番号,内線番号,FAX番号,"
        "法人番号,法人の名称,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL,備考"
    )
    row = (
        "272108,1,大阪府,枚方市,医療法人悠悠堂高木診療所,,訪問看護,大阪府枚方市東香里南町7-3,,"
        "34.774206,135.652888,072-854-6800,,,,,2712403472,,,,,"
    )
    path = tmp_path / "272108_care_service.csv"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    gdf = read_resources(path)
    rep = _report(gdf)
    assert rep["layout"] == "digital_agency_kaigo"
    assert rep["columns"]["name"] == "介護サービス事業所名称"
    assert rep["columns"]["category"] == "実施サービス"
    assert gdf["resource_id"].tolist() == ["2712403472"]
    assert gdf["category"].tolist() == ["houmon_kango"]
    assert [s.title for s in S.sources_of(gdf)] == ["272108_care_service.csv"]


def test_geopackage_in_a_projected_crs(tmp_path: Path):
    src = _read("hirakata_jigyosho_slice.geojson")
    raw = gpd.read_file(DATA / "hirakata_jigyosho_slice.geojson").to_crs(6674)  # 平面直角 VI系
    path = tmp_path / "offices.gpkg"
    raw.to_file(path, layer="offices", driver="GPKG")
    gdf = read_resources(path, sheet="offices")
    assert gdf.crs.to_epsg() == 6668
    assert gdf["resource_id"].tolist() == src["resource_id"].tolist()
    assert gdf.geometry.x.tolist() == pytest.approx(src.geometry.x.tolist(), abs=1e-7)
    assert gdf.geometry.y.tolist() == pytest.approx(src.geometry.y.tolist(), abs=1e-7)
    _assert_accounting(gdf)
