"""Fuzz test of the table readers (issue 10 item 8).

Hypothesis writes CSV bytes (several encodings, quotes, separators, widths, line breaks, stray
bytes) and xlsx workbooks (several sheets, merged cells, typed cells); ``read_resources`` and
``read_population`` must either raise a :class:`chiikimap.ChiikimapError` or return a layer whose
rows are all accounted for: rows read = kept + rejected + merged.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapError, ChiikimapWarning
from chiikimap.io.population import read_population
from chiikimap.io.resources import read_resources

HEADERS = (
    "名称",
    "事業所名",
    "緯度",
    "経度",
    "lat",
    "lon",
    "種別",
    "サービスの種類",
    "定員",
    "住所",
    "事業所番号",
    "location",
    "備考",
    "総人口",
    "65歳以上",
    "圏域ID",
    "",
)
CELLS = (
    "訪問介護",
    "通所介護",
    "短期入所",
    "休止中",
    "訪問介護（ホームヘルプ（送迎））",
    "34.8",
    "135.6",
    "34°48'N",
    "北緯34.8",
    "1e400",
    "nan",
    "-1",
    "0",
    "20名",
    "1,200",
    "=1+1",
    "合計",
    "枚方市",
    "2712345678",
    "34.8,135.6",
    "",
    " ",
    "𠮷",
    "\u202e",
    "（",
)
FUZZ = settings(
    # more examples for a longer hunt: CHIIKIMAP_FUZZ_EXAMPLES=1000 pytest tests/test_fuzz_tables.py
    max_examples=int(os.environ.get("CHIIKIMAP_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text_cell = st.one_of(
    st.sampled_from(CELLS),
    st.text(max_size=12),
    st.text(alphabet='",\t;\n\r ()（）あ0123456789.', max_size=10),
)
#: cells that make sense in a column of each role, so that many rows get far enough to count
ROLE_CELLS = {
    "名称": st.sampled_from(["A", "ケアセンター", "サロン（休止中）", "合計", "", "全体"]),
    "緯度": st.one_of(st.floats(33.0, 36.0).map(lambda v: f"{v:.5f}"), st.sampled_from(CELLS)),
    "経度": st.one_of(st.floats(133.0, 137.0).map(lambda v: f"{v:.5f}"), st.sampled_from(CELLS)),
    "種別": st.sampled_from(["訪問介護", "通所介護", "短期入所", "訪問介護・通所介護", "", "x"]),
    "事業所番号": st.sampled_from(["2712345678", "2712345679", "", "27-1"]),
    "圏域ID": st.sampled_from(["1", "2", "3", "合計", "", "1"]),
    "総人口": st.sampled_from(["100", "1,200", "-5", "inf", "", "*"]),
    "65歳以上": st.sampled_from(["30", "50", "nan", "", "70"]),
    "75歳以上": st.sampled_from(["10", "20", "x", ""]),
}
LAYOUTS = (
    ("名称", "緯度", "経度", "種別"),
    ("事業所番号", "名称", "種別", "緯度", "経度"),
    ("圏域ID", "総人口", "65歳以上", "75歳以上"),
)


def _accounted(gdf: Any) -> None:
    reports = S.read_reports(gdf)
    assert reports, "a layer without its read report"
    n_read = sum(r["n_read"] for r in reports)
    rejected = sum(len(r["rejected"]) for r in reports)
    merged = sum(len(r.get("duplicates", [])) for r in reports)
    assert n_read == len(gdf) + rejected + merged, (n_read, len(gdf), rejected, merged)


def _read_all(path: Path) -> None:
    """Every reader on one file: a ChiikimapError or an accounted-for layer, nothing else."""
    calls = (
        lambda: read_resources(path),
        lambda: read_resources(path, category="kayoi_no_ba"),
        lambda: read_population(path, kind="table", id_col="圏域ID"),
        lambda: read_population(path),
    )
    for call in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ChiikimapWarning)
            try:
                gdf = call()
            except ChiikimapError:
                continue
        _accounted(gdf)


def _cell(draw: st.DrawFn, column: str) -> str:
    role = ROLE_CELLS.get(column)
    if role is not None and draw(st.integers(0, 9)) > 1:
        return str(draw(role))
    return str(draw(text_cell))


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 3)) > 0:
        header = list(draw(st.sampled_from(LAYOUTS)))
        header += [draw(st.sampled_from(HEADERS)) for _ in range(draw(st.integers(0, 2)))]
    else:
        header = [draw(st.sampled_from(HEADERS)) for _ in range(draw(st.integers(1, 6)))]
    width = len(header)
    sep = draw(st.sampled_from([",", ",", "\t", ";"]))
    lines = [sep.join(header)]
    for _ in range(draw(st.integers(0, 8))):
        n = width if draw(st.integers(0, 4)) else draw(st.integers(0, width + 2))
        cells = [_cell(draw, header[j] if j < width else "") for j in range(n)]
        if draw(st.integers(0, 3)) == 0:
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        lines.append(sep.join(cells))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline, '"']))
    encoding = draw(st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "cp932", "euc_jp", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 5)) == 0:
        junk = draw(st.binary(max_size=6))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    return data


@FUZZ
@given(data=csv_bytes())
def test_csv_bytes_give_a_chiikimap_error_or_accounted_rows(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        _read_all(path)


def _clean(text: str) -> str:
    """Text openpyxl can store (no control characters other than tab and line breaks)."""
    return "".join(c for c in text if ord(c) >= 32 or c in "\t\n\r")


typed_cell = st.one_of(
    st.none(),
    text_cell.map(_clean),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)


@st.composite
def workbook_sheets(draw: st.DrawFn) -> list[tuple[list[list[Any]], list[str]]]:
    sheets = []
    layout = list(draw(st.sampled_from(LAYOUTS)))
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 3)) > 0:
            header = layout
        else:
            header = [draw(st.sampled_from(HEADERS)) for _ in range(draw(st.integers(1, 5)))]
        width = len(header)
        rows: list[list[Any]] = [list(header)]
        for _ in range(draw(st.integers(0, 6))):
            n = width if draw(st.integers(0, 4)) else draw(st.integers(0, width + 1))
            rows.append(
                [
                    _clean(_cell(draw, header[j]))
                    if j < width and draw(st.booleans())
                    else draw(typed_cell)
                    for j in range(n)
                ]
            )
        merges = []
        if draw(st.booleans()) and len(rows) > 1:
            col = draw(st.integers(1, width))
            first = draw(st.integers(1, len(rows)))
            last = draw(st.integers(first, len(rows) + 1))
            letter = chr(ord("A") + col - 1)
            merges.append(f"{letter}{first}:{letter}{last}")
        sheets.append((rows, merges))
    return sheets


@FUZZ
@given(sheets=workbook_sheets())
def test_xlsx_sheets_give_a_chiikimap_error_or_accounted_rows(
    sheets: list[tuple[list[list[Any]], list[str]]],
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k, (rows, merges) in enumerate(sheets):
        ws = wb.create_sheet(f"S{k}")
        for row in rows:
            ws.append(row)
        for ref in merges:
            ws.merge_cells(ref)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.xlsx"
        wb.save(path)
        _read_all(path)
