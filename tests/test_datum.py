"""Coordinates in 日本測地系 (Tokyo Datum) are moved to JGD2011, checked on a published point.

日本経緯度原点 (東京都港区麻布台二丁目18番1, the origin of Japanese surveying) is published in both
datums: in the Tokyo Datum it is 東経139度44分40秒5020, 北緯35度39分17秒5148 (測量法施行令, 昭和24年
政令第322号, the datum's own definition), and in JGD2011 東経139度44分28秒8869, 北緯35度39分29秒1572
(測量法施行令 第2条 as amended on 2011-10-21; 国土地理院 「日本の測地系」
https://www.gsi.go.jp/sokuchikijun/datum-main.html). The two are about 450 m apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning
from chiikimap.io._datum import names_tokyo_datum, tokyo_to_jgd2011
from chiikimap.io.resources import read_resources


def _dms(d: int, m: int, s: float) -> float:
    return d + m / 60 + s / 3600


ORIGIN_TOKYO = (_dms(139, 44, 40.5020), _dms(35, 39, 17.5148))  # (lon, lat)
ORIGIN_JGD2011 = (_dms(139, 44, 28.8869), _dms(35, 39, 29.1572))
GEOD = pyproj.Geod(ellps="GRS80")


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def test_published_values_are_450_m_apart():
    # the size of the error a 日本測地系 list read as JGD2011 makes
    assert 400 < _metres(ORIGIN_TOKYO, ORIGIN_JGD2011) < 500


def test_origin_transforms_to_its_published_jgd2011_value():
    lon, lat, operation = tokyo_to_jgd2011(np.array([ORIGIN_TOKYO[0]]), np.array([ORIGIN_TOKYO[1]]))
    assert _metres((float(lon[0]), float(lat[0])), ORIGIN_JGD2011) < 2.0
    # never the ballpark no-op that TransformerGroup offers when the TKY2JGD grid is missing
    assert "Ballpark" not in operation
    assert "Tokyo to JGD" in operation


@pytest.mark.parametrize(
    ("text", "tokyo"),
    [
        ("緯度（日本測地系）", True),
        ("経度(旧日本測地系)", True),
        ("東京測地系", True),
        ("Tokyo Datum", True),
        ("EPSG:4301", True),
        ("緯度（世界測地系）", False),
        ("日本測地系2000", False),  # JGD2000
        ("日本測地系２０１１", False),  # JGD2011, full-width digits
        ("JGD2011", False),
        ("世界測地系（日本測地系から変換済み）", False),  # names both: the world datum wins
        ("WGS84 (Tokyo Datum から変換)", False),
        ("緯度", False),
    ],
)
def test_names_tokyo_datum(text: str, tokyo: bool):
    assert names_tokyo_datum(text) is tokyo


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_reader_transforms_a_tokyo_datum_header(tmp_path: Path):
    lon, lat = ORIGIN_TOKYO
    path = _csv(
        tmp_path / "tokyo.csv",
        "名称,種別,緯度（日本測地系）,経度（日本測地系）",
        [f"日本経緯度原点,通いの場,{lat:.9f},{lon:.9f}"],
    )
    with pytest.warns(ChiikimapWarning, match=r"日本測地系.*1 行を JGD2011 \(EPSG:6668\) に変換"):
        gdf = read_resources(path)
    point = gdf.geometry.iloc[0]
    assert _metres((point.x, point.y), ORIGIN_JGD2011) < 2.0
    assert S.read_reports(gdf)[0]["columns"]["datum"] == "日本測地系 → JGD2011"


def test_reader_leaves_world_datum_alone(tmp_path: Path):
    lon, lat = ORIGIN_JGD2011
    path = _csv(
        tmp_path / "jgd.csv",
        "名称,種別,緯度（世界測地系）,経度（世界測地系）",
        [f"日本経緯度原点,通いの場,{lat:.9f},{lon:.9f}"],
    )
    gdf = read_resources(path)
    point = gdf.geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx(ORIGIN_JGD2011, abs=1e-9)


def test_reader_transforms_rows_whose_datum_cell_says_so(tmp_path: Path):
    t_lon, t_lat = ORIGIN_TOKYO
    j_lon, j_lat = ORIGIN_JGD2011
    path = _csv(
        tmp_path / "mixed.csv",
        "名称,種別,緯度,経度,測地系",
        [
            f"原点（旧）,通いの場,{t_lat:.9f},{t_lon:.9f},日本測地系",
            f"原点（新）,通いの場,{j_lat:.9f},{j_lon:.9f},日本測地系2011",
        ],
    )
    with pytest.warns(ChiikimapWarning, match=r"列 '測地系' の値.*1 行を JGD2011"):
        gdf = read_resources(path)
    for point in gdf.geometry:
        assert _metres((point.x, point.y), ORIGIN_JGD2011) < 2.0
