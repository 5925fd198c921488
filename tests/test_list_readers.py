"""geocode_file and read_medical read their lists through the shared table reader.

Real lists: the 高松市 hospital list (tests/data/geocode/takamatsu_hospital_addresses.csv and
tests/data/resources/takamatsu_hospital_slice.csv; see the READMEs of those folders), saved
here as a municipality would: cp932, with title rows above the header, or as a workbook.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from chiikimap import _schema as S
from chiikimap import rejected_rows
from chiikimap._errors import ChiikimapWarning, EncodingError, InputFileError
from chiikimap.geocode import geocode, geocode_file
from chiikimap.io.aliases import read_aliases
from chiikimap.io.medical import read_medical
from chiikimap.io.reference import read_reference

DATA = Path(__file__).parent / "data"
ADDRESSES = DATA / "geocode" / "takamatsu_hospital_addresses.csv"
TOWNS = DATA / "geocode" / "takamatsu_geolonia_town.json"
HOSPITALS = DATA / "resources" / "takamatsu_hospital_slice.csv"
TITLE = "高松市 病院・診療所一覧（令和6年4月1日現在）\n※座標のない行は住所から位置を付けます\n\n"


def _address_list(n: int) -> pd.DataFrame:
    """The first ``n`` hospitals: the first two keep their coordinates, the others have none."""
    frame = pd.read_csv(ADDRESSES, dtype=str, keep_default_na=False).iloc[:n].copy()
    frame.loc[frame.index[2:], ["latitude", "longitude"]] = ""
    return frame.rename(columns={"name": "名称", "address": "住所"})


def _workbook(path: Path, frame: pd.DataFrame, title: str = "") -> Path:
    """Rows 0-2 of ``frame`` in sheet 病院, the others in sheet 診療所 (with the same header)."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "病院"
    second = wb.create_sheet("診療所")
    for ws, part in ((first, frame.iloc[:3]), (second, frame.iloc[3:])):
        if title:
            ws.append([title])
        ws.append(list(frame.columns))
        for row in part.itertuples(index=False):
            ws.append([v or None for v in row])  # empty cells, as Excel stores them
    wb.save(path)
    return path


def test_geocode_file_reads_a_cp932_list_below_title_rows(tmp_path: Path) -> None:
    frame = _address_list(6)
    src = tmp_path / "病院.csv"
    src.write_bytes((TITLE + frame.to_csv(index=False)).encode("cp932"))
    ref = read_reference(TOWNS, municipality="高松市")
    out = geocode_file(src, ref, tmp_path / "out.csv")
    assert out["名称"].tolist() == frame["名称"].tolist()
    assert out["geocode_level"].tolist()[:2] == ["元の座標 / given"] * 2
    # the known answer: the rows without coordinates lie where geocode puts their address
    want = geocode(frame["住所"].iloc[2:], ref)
    assert out["latitude"].iloc[2:].tolist() == [f"{v:.6f}" for v in want["lat"]]
    assert out["latitude"].iloc[:2].tolist() == frame["latitude"].iloc[:2].tolist()
    written = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert written.shape == (6, 7)


def test_geocode_file_reads_every_sheet_of_a_workbook_with_titles(tmp_path: Path) -> None:
    frame = _address_list(5)
    src = _workbook(tmp_path / "病院.xlsx", frame, title="高松市 医療機関一覧")
    out = geocode_file(src, read_reference(TOWNS, municipality="高松市"), tmp_path / "o.csv")
    assert out["名称"].tolist() == frame["名称"].tolist()
    assert out["geocode_reason"].tolist() == [""] * 5  # no 'nan' address for an empty cell
    assert out["geocode_level"].tolist()[2:] == ["町丁目"] * 3


def test_geocode_file_refuses_a_row_a_stray_quote_broke(tmp_path: Path) -> None:
    src = tmp_path / "list.csv"
    src.write_text(
        "名称,住所\nA病院,香川県高松市番町四丁目1番3号\nB医院,香川県高松市,番町1丁目\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as info:
        geocode_file(src, read_reference(TOWNS, municipality="高松市"), tmp_path / "o.csv")
    assert info.value.row == 3
    assert "見出し" in str(info.value)
    assert "直して" in str(info.value)


def test_read_medical_cp932_list_below_titles_reports_the_files_rows(tmp_path: Path) -> None:
    text = HOSPITALS.read_text(encoding="utf-8").splitlines()
    text[4] = text[4].replace('"34.295549"', '"不明"')  # the 4th hospital: latitude gone bad
    src = tmp_path / "医療機関.csv"
    src.write_bytes((TITLE + "\n".join(text) + "\n").encode("cp932"))
    with pytest.warns(ChiikimapWarning):
        res = read_medical(src)
    rejected = rejected_rows(res)
    assert len(res) == 19
    # title (2 rows) + blank + header: the 4th hospital is row 8 of the file
    assert rejected["row"].tolist() == [8]
    assert rejected["file"].tolist() == [src.name]
    assert rejected["values"].iloc[0]["#property"].endswith(".Hospital.4")
    assert set(res[S.SOURCE]) == {src.name}


def test_read_medical_reads_every_sheet_with_the_same_header(tmp_path: Path) -> None:
    frame = pd.read_csv(HOSPITALS, dtype=str, keep_default_na=False).iloc[:6]
    frame.loc[4, "latitude"] = "不明"
    src = _workbook(tmp_path / "医療機関.xlsx", frame)
    with pytest.warns(ChiikimapWarning):
        res = read_medical(src)
    assert len(res) == 5
    rejected = rejected_rows(res)
    assert rejected["file"].tolist() == [src.name]
    assert rejected["row"].tolist() == [3]  # its row in the second sheet (header on row 1)


def test_read_medical_refuses_an_euc_jp_list_instead_of_mojibake(tmp_path: Path) -> None:
    src = tmp_path / "医療機関.csv"
    src.write_bytes(HOSPITALS.read_text(encoding="utf-8").encode("euc_jp"))
    with pytest.raises(EncodingError) as info:
        read_medical(src)
    assert "encoding='euc_jp'" in str(info.value)
    assert info.value.path == str(src)


def test_alias_table_is_decoded_like_every_list(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_bytes("表記,正しい表記\n招堤,招提\n\n楠葉,\n".encode("cp932"))
    with pytest.raises(InputFileError) as info:
        read_aliases(path)
    assert info.value.row == 4  # the file's own row: the blank row 3 counts
    path.write_bytes("表記,正しい表記\n招堤,招提\n".encode("euc_jp"))
    with pytest.raises(EncodingError) as info:
        read_aliases(path)  # not read as cp932 mojibake
    assert info.value.param == "address_aliases"
    path.write_bytes(b"")
    assert read_aliases(path) == {}
