"""JIS X 0410 mesh codes → cell bounds, and the mesh statistics reader (issue 10 item 5).

The bounds are pinned against the definition of the standard as the Statistics Bureau publishes it
(「地域メッシュ統計の概要」): the 1st-order cell 5339 spans 北緯35度20分–36度, 東経139度–140度; each
2nd-order cell is 5′ × 7.5′, each 3rd-order cell 30″ × 45″, and the 1/2, 1/4, 1/8 subdivisions halve
both sides, numbered 1 = SW, 2 = SE, 3 = NW, 4 = NE.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, InputFileError
from chiikimap.io._mesh import MeshCodeError, mesh_bounds
from chiikimap.io.population import read_population

DATA = Path(__file__).parent / "data" / "population"


def dms(d: int, m: int = 0, s: float = 0.0) -> float:
    return d + m / 60 + s / 3600


@pytest.mark.parametrize(
    ("code", "west", "south", "east", "north"),
    [
        # 1st order: 53 / 1.5 = 35°20', 39 + 100 = 139°
        ("5339", dms(139), dms(35, 20), dms(140), dms(36)),
        # 2nd order 5339-46: +4 × 5' lat, +6 × 7.5' lon
        ("533946", dms(139, 45), dms(35, 40), dms(139, 52, 30), dms(35, 45)),
        # 3rd order 5339-46-11: +30" lat, +45" lon
        ("53394611", dms(139, 45, 45), dms(35, 40, 30), dms(139, 46, 30), dms(35, 41)),
        # 1/2 mesh: 1 = SW quarter, 4 = NE quarter (15" × 22.5")
        ("533946111", dms(139, 45, 45), dms(35, 40, 30), dms(139, 46, 7.5), dms(35, 40, 45)),
        ("533946114", dms(139, 46, 7.5), dms(35, 40, 45), dms(139, 46, 30), dms(35, 41)),
        # 1/4 mesh 2 = SE of the SW 1/2 cell (7.5" × 11.25")
        ("5339461112", dms(139, 45, 56.25), dms(35, 40, 30), dms(139, 46, 7.5), dms(35, 40, 37.5)),
        # 1/8 mesh 3 = NW of that (3.75" × 5.625")
        (
            "53394611123",
            dms(139, 45, 56.25),
            dms(35, 40, 33.75),
            dms(139, 46, 1.875),
            dms(35, 40, 37.5),
        ),
        # the corners of Japan's extent: 沖ノ鳥島 (3036) and 宗谷岬 (6841)
        ("3036", dms(136), dms(20), dms(137), dms(20, 40)),
        ("6841", dms(141), dms(45, 20), dms(142), dms(46)),
    ],
)
def test_published_cell_bounds(
    code: str, west: float, south: float, east: float, north: float
) -> None:
    assert mesh_bounds(code) == pytest.approx((west, south, east, north), abs=1e-12)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("00000000", "範囲外"),  # the "Unsupported level" code
        ("53994611", "範囲外"),  # 99 + 100 = 199°E: jismesh placed it at 200°E
        ("12394611", "範囲外"),  # 8°N
        ("53394811", "0–7"),  # a 2nd-order digit of 8
        ("53399611", "0–7"),
        ("533946115", "1–4"),  # subdivision digits are 1–4
        ("533946110", "1–4"),
        ("5339461", "7 桁"),
        ("5339-46-11", "数字以外"),
        ("", "空です"),
    ],
)
def test_impossible_codes_are_refused(code: str, why: str) -> None:
    with pytest.raises(MeshCodeError, match=why):
        mesh_bounds(code)


def _mesh_file(tmp_path: Path, rows: list[str]) -> Path:
    head = (DATA / "synthetic_mesh_cp932.txt").read_bytes().decode("cp932").splitlines()[:2]
    p = tmp_path / "mesh.txt"
    p.write_bytes("\r\n".join([*head, *rows]).encode("cp932"))
    return p


def test_a_one_row_mesh_file_works(tmp_path: Path) -> None:
    # jismesh called numpy.asscalar (removed from NumPy) for a single code
    gdf = read_population(_mesh_file(tmp_path, ["53394611,0,,,1200,580,620,150,300,140"]))
    assert len(gdf) == 1
    assert gdf.geometry.iloc[0].bounds == pytest.approx(mesh_bounds("53394611"))
    assert gdf[S.POP_65PLUS].iloc[0] == 300


def test_impossible_codes_in_a_file_are_rejected_with_file_and_row(tmp_path: Path) -> None:
    rows = [
        "53394611,0,,,1200,580,620,150,300,140",
        "00000000,0,,,5,2,3,1,1,1",
        "53994611,0,,,5,2,3,1,1,1",
        "53394612,0,,,-5,2,3,1,1,1",
    ]
    with pytest.warns(ChiikimapWarning, match="mesh.txt: 3 行"):
        gdf = read_population(_mesh_file(tmp_path, rows))
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [4, 5, 6]
    assert (rej["file"] == "mesh.txt").all()
    assert "00000000" in rej["reason"].iloc[0]
    assert "負の数" in rej["reason"].iloc[2]
    assert gdf["key_code"].tolist() == ["53394611"]
    rep = S.read_reports(gdf)[0]
    assert rep["n_read"] == 4


def test_a_mesh_code_listed_twice_is_an_error(tmp_path: Path) -> None:
    rows = ["53394611,0,,,1,1,0,0,0,0", "53394612,0,,,1,1,0,0,0,0", "53394611,0,,,1,1,0,0,0,0"]
    with pytest.raises(InputFileError, match="行 3 と 行 5"):
        read_population(_mesh_file(tmp_path, rows))


def test_mixed_levels_are_named_in_the_layout() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        gdf = read_population(DATA / "synthetic_mesh_cp932.txt")
    assert S.read_reports(gdf)[0]["layout"] == "地域メッシュ統計 (1km, 500m, 250m)"
