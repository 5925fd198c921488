"""住居, 地番 and 街区 levels: ABR 位置参照拡張 tables and MLIT 街区レベル (see the data READMEs).

Known answers are the coordinates of the real rows in tests/data/geocode_abr, read by hand.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from chiikimap._errors import ChiikimapError, InputFileError
from chiikimap.geocode import GEOCODE_LEVELS, geocode
from chiikimap.io.reference import Reference, read_reference

ABR = Path(__file__).parent / "data" / "geocode_abr"
ISJ = Path(__file__).parent / "data" / "geocode_isj"
TOWN = ABR / "mt_town_pref30_302015_slice.csv"
TOWN_POS = ABR / "mt_town_pos_pref30_302015_slice.csv"
RSDT_POS = ABR / "mt_rsdtdsp_rsdt_pos_pref30_302015_slice.csv"
RSDT = ABR / "mt_rsdtdsp_rsdt_pref30_302015_slice.csv"
PARCEL_POS = ABR / "mt_parcel_pos_city302015_slice.csv"
PARCEL = ABR / "mt_parcel_city302015_slice.csv"
BLK_POS = ABR / "mt_rsdtdsp_blk_pos_constructed_302015.csv"
TOWNS = Path(__file__).parent / "data" / "geocode"

ADDRESSES = [
    # 住居表示 丁目-街区符号-住居番号, written three ways
    "和歌山県和歌山市和歌浦西２丁目１番５号",
    "和歌山市和歌浦西二丁目1-5",
    "和歌山市松ヶ丘３－２－７　松ヶ丘ハイツ１階",
    # 住居番号 not in the table: the 街区 (mean of its 住居 points), then the 丁目
    "和歌山市和歌浦西2-3-99",
    "和歌山市和歌浦西2丁目",
    # 地番 with 枝番 (番地の / hyphen / 番地), 地番 without 枝番, unknown 枝番 → the 地番
    "和歌山市磯ノ浦２５１番地の３",
    "和歌山市磯の浦251-2",
    "和歌山市上野町一丁目３番地",
    "和歌山市磯の浦251-77",
    # 地番 unknown: the town point
    "和歌山市磯の浦9999",
]


def _expected() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (135.167952827, 34.193199352, "住居", "和歌山市和歌浦西2丁目 1-5"),
            (135.167952827, 34.193199352, "住居", "和歌山市和歌浦西2丁目 1-5"),
            (135.162197211, 34.202711955, "住居", "和歌山市松ケ丘3丁目 2-7"),
            (None, None, "街区", "和歌山市和歌浦西2丁目 3"),
            (135.164877, 34.192122, "町丁目", "和歌山市和歌浦西２丁目"),
            (135.093271333, 34.270318599, "地番", "和歌山市磯の浦 251-3"),
            (135.093157127, 34.270454466, "地番", "和歌山市磯の浦 251-2"),
            (135.167984029, 34.226738577, "地番", "和歌山市上野町1丁目 3"),
            (135.092974615, 34.270212273, "地番", "和歌山市磯の浦 251"),
            (135.091693, 34.268912, "町丁目", "和歌山市磯の浦"),
        ],
        columns=["lon", "lat", "geocode_level", "geocode_match"],
    )


def _check(result: pd.DataFrame) -> None:
    want = _expected()
    assert list(result["geocode_level"]) == list(want["geocode_level"])
    assert list(result["geocode_match"]) == list(want["geocode_match"])
    given = want["lon"].notna()
    assert list(result.loc[given, "lon"]) == list(want.loc[given, "lon"])
    assert list(result.loc[given, "lat"]) == list(want.loc[given, "lat"])
    # 2丁目 街区 3 has no point of its own: the mean of its 住居 points
    rows = pd.read_csv(RSDT_POS, dtype=str)
    rows = rows[(rows["machiaza_id"] == "0425002") & (rows["blk_id"] == "003")]
    assert len(rows) >= 8
    assert rows["rsdt2_id"].isna().all()
    block = result.iloc[3]
    assert block["lon"] == pytest.approx(rows["rep_lon"].astype(float).mean(), abs=1e-12)
    assert block["lat"] == pytest.approx(rows["rep_lat"].astype(float).mean(), abs=1e-12)


def test_abr_house_parcel_and_block_levels() -> None:
    ref = read_reference([TOWN, TOWN_POS, RSDT_POS, RSDT, PARCEL_POS, PARCEL])
    _check(geocode(ADDRESSES, ref))
    assert GEOCODE_LEVELS == ("住居", "地番", "街区", "近隣番地", "町丁目", "大字")
    assert "128 houses, 108 parcels" in repr(ref)


def test_abr_numbers_read_from_ids_without_the_number_tables() -> None:
    with_numbers = read_reference([TOWN, TOWN_POS, RSDT_POS, RSDT, PARCEL_POS, PARCEL])
    from_ids = read_reference([TOWN, TOWN_POS, RSDT_POS, PARCEL_POS])
    a = with_numbers.municipalities["和歌山市"]
    b = from_ids.municipalities["和歌山市"]
    assert a.houses == b.houses
    assert a.parcels == b.parcels
    assert a.blocks == b.blocks
    _check(geocode(ADDRESSES, from_ids))


def test_abr_zips_as_downloaded(tmp_path: Path) -> None:
    zips = []
    for src, member in (
        (TOWN, "mt_town_pref30.csv"),
        (TOWN_POS, "mt_town_pos_pref30.csv"),
        (RSDT_POS, "mt_rsdtdsp_rsdt_pos_pref30.csv"),
        (PARCEL_POS, "mt_parcel_pos_city302015.csv"),
    ):
        path = tmp_path / f"{member}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(src, member)
        zips.append(path)
    _check(geocode(ADDRESSES, read_reference(zips)))
    # a nationwide *_all.csv.zip holds one csv.zip per prefecture
    nested = tmp_path / "mt_rsdtdsp_rsdt_pos_all.csv.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        archive.write(zips[2], "mt_rsdtdsp_rsdt_pos_pref30.csv.zip")
    _check(geocode(ADDRESSES, read_reference([zips[0], zips[1], nested, zips[3]])))


def test_abr_block_positions() -> None:
    ref = read_reference([TOWN, TOWN_POS, BLK_POS])
    out = geocode(
        ["和歌山市和歌浦西２丁目１番５号", "和歌山市和歌浦西2-2", "和歌山市松ケ丘3-2-7"], ref
    )
    assert list(out["geocode_level"]) == ["街区", "街区", "町丁目"]
    assert (out["lon"][0], out["lat"][0]) == (135.1677564, 34.192808955)
    assert (out["lon"][1], out["lat"][1]) == (135.164213215, 34.189867712)
    # with the 住居 table too, the 住居 point wins and the given 街区 point is kept
    both = read_reference([TOWN, TOWN_POS, BLK_POS, RSDT_POS])
    out = geocode(["和歌山市和歌浦西２丁目１番５号", "和歌山市和歌浦西2-1-999"], both)
    assert list(out["geocode_level"]) == ["住居", "街区"]
    assert (out["lon"][1], out["lat"][1]) == (135.1677564, 34.192808955)


def test_abr_positions_need_town_names_and_degrees(tmp_path: Path) -> None:
    for table in (RSDT_POS, PARCEL_POS, BLK_POS):
        with pytest.raises(InputFileError, match="mt_town"):
            read_reference([table])
    plane = tmp_path / "mt_parcel_pos_city302015.csv"
    text = PARCEL_POS.read_text(encoding="utf-8").replace("EPSG:6668,500", "EPSG:6674,500")
    plane.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match="EPSG:6674"):
        read_reference([TOWN, plane])


def test_isj_block_file_real_layout(tmp_path: Path) -> None:
    """MLIT 街区レベル layout (cp932, quoted, CRLF): 地番 rows and 住居表示 rows, flags honoured."""
    src = ISJ / "27_2024_constructed.csv"
    archive = tmp_path / "27000-23.0a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(src, "27000-23.0a/27_2024.csv")
    for given in (src, archive):
        ref = read_reference(given)
        out = geocode(
            [
                "大阪府枚方市伊加賀西町４７－１",  # 地番 47 (住居表示フラグ 0)
                "枚方市堂山３丁目１３番５号",  # 街区 13
            ],
            ref,
        )
        assert list(out["geocode_level"]) == ["街区", "街区"]
        # the representative point (代表フラグ 1) of the current data (更新前履歴フラグ 0)
        assert (out["lon"][0], out["lat"][0]) == (135.623507, 34.804186)
        assert (out["lon"][1], out["lat"][1]) == (135.672438, 34.818786)
        assert out["geocode_match"][1] == "枚方市堂山3丁目 13"


def _two_cities(tmp_path: Path) -> Reference:
    """The Geolonia town files of 枚方市 and 高松市 under their published names."""
    files = []
    for name, city in (("hirakata", "枚方市"), ("takamatsu", "高松市")):
        files.append(tmp_path / f"{city}.json")
        shutil.copy(TOWNS / f"{name}_geolonia_town.json", files[-1])
    return read_reference(files)


def test_default_municipality_for_addresses_without_city(tmp_path: Path) -> None:
    ref = _two_cities(tmp_path)
    assert len(ref.municipalities) == 2
    # real addresses of the 高松 list with 「香川県高松市」 removed, as a list kept in the city writes them
    bare = ["新田町乙８番地", "朝日町二丁目２番７号　Ｌ−ビルディング２階", "香西本町１−１"]
    assert geocode(bare, ref)["lon"].isna().all()
    out = geocode(bare, ref, municipality="高松市")
    full = geocode([f"香川県高松市{a}" for a in bare], ref)
    assert out["geocode_match"].tolist() == full["geocode_match"].tolist()
    assert out["geocode_match"][0] == "高松市新田町乙"
    # an address naming another municipality of the reference is read there
    other = geocode(["大阪府枚方市東香里１－２４－３４"], ref, municipality="高松市")
    assert other["geocode_match"][0] == "枚方市東香里一丁目"
    with pytest.raises(ChiikimapError, match="municipality"):
        geocode(bare, ref, municipality="生駒市")


def test_whole_takamatsu_list_without_the_city_name(tmp_path: Path) -> None:
    ref = _two_cities(tmp_path)
    frame = pd.read_csv(TOWNS / "takamatsu_hospital_addresses.csv", dtype=str)
    full = geocode(frame["address"], ref)
    bare = frame["address"].str.replace(r"^(香川県)?高松市", "", regex=True)
    assert not bare.str.contains("高松市").any()
    out = geocode(bare, ref, municipality="高松市")
    assert out["geocode_match"].tolist() == full["geocode_match"].tolist()


def test_seirei_city_wards_and_gun(tmp_path: Path) -> None:
    wards = Path(__file__).parent / "data" / "geocode_wards"
    files = sorted(wards.glob("*/*.json"))
    ref = read_reference(files)
    assert {"大阪市北区", "堺市北区", "大阪市都島区", "大和郡山市"} <= set(ref.municipalities)
    out = geocode(
        [
            "大阪府大阪市北区中之島１丁目３番２０号",  # 大阪市役所
            "大阪市北区中之島1-3-20",
            "北区中之島1-3-20",  # two 北区 in the reference: which one is not known
        ],
        ref,
    )
    assert out["geocode_match"].tolist()[:2] == ["大阪市北区中之島一丁目"] * 2
    assert pd.isna(out["lon"][2])
    placed = geocode(["北区中之島1-3-20"], ref, municipality="大阪市北区")
    assert placed["geocode_match"][0] == "大阪市北区中之島一丁目"
    # the ward left out: the one ward of the reference that has the town
    no_ward = geocode(["大阪市中之島1-3-20", "大阪市都島本通3丁目", "大阪市存在しない町1"], ref)
    assert no_ward["geocode_match"].tolist()[:2] == [
        "大阪市北区中之島一丁目",
        "大阪市都島区都島本通三丁目",
    ]
    assert pd.isna(no_ward["lon"][2])
    # 郡: the 45 real school addresses of 奈良県's 郡 (KSJ A27), written with the 郡, without it
    schools = pd.read_csv(wards / "nara_a27_school_addresses.csv", dtype=str)["A27_005"]
    with_gun = geocode(schools, ref)
    assert with_gun["geocode_level"].isin(["町丁目", "大字"]).all()
    assert with_gun["geocode_match"][4] == "北葛城郡王寺町太子二丁目"  # 王寺町太子2-1-30
    assert with_gun["geocode_match"][0] == "吉野郡天川村大字沢谷"  # 天川村沢谷92
    without = geocode(schools.str.replace(r"^[^郡]+郡", "", regex=True), ref)
    assert without["geocode_match"].tolist() == with_gun["geocode_match"].tolist()
    # a municipality named without its 郡 in the reference (municipality= on a renamed file)
    single = tmp_path / "x.json"
    shutil.copy(wards / "奈良県" / "北葛城郡王寺町.json", single)
    bare = read_reference(single, municipality="王寺町")
    hit = geocode(["奈良県北葛城郡王寺町太子2-1-30", "王寺町本町2-6-16"], bare)
    assert hit["geocode_match"].tolist() == ["王寺町太子二丁目", "王寺町本町二丁目"]


def test_abr_gun_municipality_parcels() -> None:
    """ABR names a 郡 町村 county + city (熊毛郡屋久島町); the 郡 is optional in the address."""
    ref = read_reference(
        [ABR / "mt_town_all_465054_slice.csv", ABR / "mt_parcel_pos_city465054_slice.csv"]
    )
    assert set(ref.municipalities) == {"熊毛郡屋久島町"}
    out = geocode(
        [
            "鹿児島県熊毛郡屋久島町吉田２番地２",
            "屋久島町吉田2-2",
            "熊毛郡屋久島町吉田１番地",
            "屋久島町吉田",  # no town point in these tables: not placed
        ],
        ref,
    )
    assert list(out["geocode_level"][:3]) == ["地番"] * 3
    assert (out["lon"][0], out["lat"][0]) == (130.46412916, 30.435814431)
    assert out["geocode_match"][1] == "熊毛郡屋久島町吉田 2-2"
    assert (out["lon"][2], out["lat"][2]) == (130.464509574, 30.435647309)
    assert pd.isna(out["lon"][3])
    assert "町の代表点もありません" in out["geocode_reason"][3]


def test_abr_index_cache(tmp_path: Path) -> None:
    files = []
    for src in (TOWN, TOWN_POS, RSDT_POS, PARCEL_POS):
        files.append(tmp_path / src.name)
        shutil.copy(src, files[-1])
    first = read_reference(files, cache=True)
    assert (tmp_path / f"{TOWN.name}.chiikimap-index.pickle").exists()
    again = read_reference(files, cache=True)
    assert repr(again) == repr(first)
    _check(geocode(ADDRESSES, again))
