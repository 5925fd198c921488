"""The bundled samples load through the public readers, from a checkout and from a built wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import chiikimap

ROOT = Path(__file__).resolve().parent.parent


def test_hirakata_sample():
    # 779 offices with 779 distinct 事業所番号: no two are one service, even the 7 pairs that share
    # a name and a point (a 特養 and its short stay are two registered services)
    s = chiikimap.load_sample("hirakata")
    assert len(s.areas) == 13
    assert set(s.areas["municipality_code"]) == {"27210"}
    # 779 offices + 13 地域包括支援センター
    assert len(s.resources) == 779 + 13
    assert s.resources["resource_id"].is_unique
    assert (s.resources["category"] == "houkatsu").sum() == 13
    assert s.population is None
    assert "介護サービス情報公表システム オープンデータ（厚生労働省）" in s.attribution
    assert "houkatsu_centers.geojson" not in s.attribution


def test_ikoma_sample():
    s = chiikimap.load_sample("ikoma")
    assert len(s.areas) == 8
    assert s.resources is None
    assert len(s.population) == 119
    assert s.population["pop_total"].sum() == 116675
    assert "国土数値情報（中学校区データ）（国土交通省）" in s.attribution


def test_takamatsu_sample_reference_areas():
    s = chiikimap.load_sample("takamatsu")
    # 22 高松市立 schools (2 分校 and 4 non-municipal schools excluded) → 22 reference areas
    assert len(s.areas) == 22
    assert s.areas["area_name"].str.endswith("区（参考）").all()
    assert len(s.resources) == 7 + 52 + 47
    # every 町丁 point lies in exactly one reference area (cells are clipped to extent + 1 km)
    joined = s.population.sjoin(s.areas, predicate="within")
    assert len(joined) == len(s.population)
    assert s.population["pop_65plus"].sum() == 120999


def test_unknown_sample_lists_names():
    with pytest.raises(ValueError, match="hirakata"):
        chiikimap.load_sample("osaka")


def test_wheel_carries_sample_data_and_taxonomy(tmp_path):
    pytest.importorskip("hatchling")
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheel_dir.glob("chiikimap-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "chiikimap/categories.toml",
        "chiikimap/py.typed",
        "chiikimap/sample_data/hirakata/jigyosho.geojson",
        "chiikimap/sample_data/ikoma/r2ka29209.topojson",
        "chiikimap/sample_data/takamatsu/population_0066_202602.xlsx",
    ):
        assert needed in names
    # install the wheel alone into a folder and load a sample from there, away from the checkout
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    code = (
        "import warnings, chiikimap, chiikimap.sample as m;"
        "warnings.simplefilter('ignore');"
        f"assert str(m.sample_path('ikoma')).startswith({str(site)!r}), m.sample_path('ikoma');"
        "print(len(chiikimap.load_sample('ikoma').areas))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "8"


def test_hirakata_sources_name_their_layers() -> None:
    s = chiikimap.load_sample("hirakata")
    layers = {src.title: src.layer for src in s.sources}
    assert layers["介護サービス情報公表システム オープンデータ"] == "resources"
    assert layers["国土数値情報（小学校区データ）"] == "areas"
