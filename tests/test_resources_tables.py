"""read_resources on the table shapes municipalities publish: title rows, notes, sheets, DMS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning
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
    offices = _csv(tmp_path / "houmon.csv", [
        "事業所名,サービスの種類,緯度,経度",
        "ひかり訪問介護,訪問介護,34.80,135.65",
    ])
    salons = _csv(tmp_path / "salon.csv", [
        "名称,緯度,経度",
        "ふれあいサロン,34.81,135.66",
    ])
    with pytest.warns(ChiikimapWarning, match=r"houmon.csv: 種別の列「サービスの種類」があるので") as rec:
        gdf = read_resources([offices, salons], category="kayoi_no_ba")
    assert _cats(gdf) == {"ひかり訪問介護": ("houmon_kaigo",), "ふれあいサロン": ("kayoi_no_ba",)}
    assert len(rec) == 1
    first, second = _reports(gdf)
    assert first["columns"]["category"] == "サービスの種類"
    assert second["columns"]["category"] == "category='kayoi_no_ba'"
    assert "applies only to files without one" in first["warnings"][0]


def test_category_with_an_explicit_category_col_keeps_the_column(tmp_path: Path):
    path = _csv(tmp_path / "mixed.csv", [
        "名称,内容,緯度,経度",
        "ひかり,訪問介護,34.80,135.65",
    ])
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
    from chiikimap._errors import EncodingError

    path = tmp_path / "broken.csv"
    # 0x81 0x20 is no cp932 character: stripping the BOM must not make the decoding lenient
    path.write_bytes(b"\xef\xbb\xbf" + "名称,緯度,経度\n".encode("cp932") + b"\x81\x20,34.8,135.6\n")
    with pytest.raises(EncodingError, match="cp932"):
        read_resources(path, category="kayoi_no_ba", encoding="cp932")
