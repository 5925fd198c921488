"""Contact fields of the resources layer: phone, fax, hours, url, operator (issue 17 item 1)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import chiikimap
from chiikimap import _schema as S
from chiikimap._errors import ColumnNotFoundError

DATA = Path(__file__).parent / "data" / "resources"


def _read(path: Path, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
        return chiikimap.read_resources(path, **kwargs)


def test_mhlw_layout_keeps_phone() -> None:
    gdf = _read(DATA / "mhlw_kaigo_kohyo_layout.csv")
    row = gdf[gdf[S.NAME] == "ひらかた聖徳園"].iloc[0]
    assert row[S.PHONE] == "072-854-5826"
    # the file's FAX番号, 利用可能曜日, URL and 法人の名称 cells are blank for this row
    assert row[S.FAX] == row[S.URL] == row[S.OPERATOR] == ""
    assert all(c in gdf.columns for c in S.CONTACT_COLUMNS)


def test_wam_layout_composes_hours() -> None:
    gdf = _read(DATA / "wam_shogai_chiyoda.csv")
    row = gdf[gdf[S.NAME] == "相談支援センターＡｋｉｂａ"].iloc[0]
    assert row[S.PHONE] == "03-5577-5280"
    assert row[S.FAX] == "03-5829-9792"
    assert row[S.OPERATOR] == "株式会社ＣＬＡＺｅｃｔ．Ｐｌｕｓ"
    # 利用可能な時間帯（平日） then 定休日
    assert row[S.HOURS] == "10:00-19:00 定休日: 土日祝日及び12月29日〜1月3日"


def test_takamatsu_layout_days_note_and_url() -> None:
    gdf = _read(DATA / "takamatsu_elderly_welfare_facility.csv")
    row = gdf[gdf[S.NAME] == "特別養護老人ホーム　シオンの丘ホーム"].iloc[0]
    assert row[S.PHONE] == "087-881-4531"
    assert row[S.URL] == "http://www.bokuyoukai.or.jp/qhm/sion/"
    assert row[S.HOURS] == "月火水木金土日 （24時間対応）"


def test_hirakata_sample_tel_column() -> None:
    s = chiikimap.load_sample("hirakata")
    offices = s.resources[s.resources[S.NAME] == "医療法人悠悠堂高木診療所"]
    assert offices[S.PHONE].iloc[0] == "072-854-6800"


def test_named_columns(tmp_path: Path) -> None:
    path = tmp_path / "salons.csv"
    path.write_text(
        "名称,緯度,経度,連絡先番号,開催日,世話人\n"
        "ふれあいサロン,34.81,135.65,072-000-1111,毎週火曜 10時〜12時,ひらかた地区福祉委員会\n",
        encoding="utf-8",
    )
    gdf = _read(
        path,
        category="kayoi_no_ba",
        phone_col="連絡先番号",
        hours_col="開催日",
        operator_col="世話人",
    )
    row = gdf.iloc[0]
    assert (row[S.PHONE], row[S.HOURS], row[S.OPERATOR]) == (
        "072-000-1111",
        "毎週火曜 10時〜12時",
        "ひらかた地区福祉委員会",
    )
    assert row[S.URL] == row[S.FAX] == ""
    with pytest.raises(ColumnNotFoundError) as info:
        _read(path, category="kayoi_no_ba", phone_col="電話")
    assert info.value.params == ("phone_col",) or "phone_col" in str(info.value)
