"""The column-wise reading of large plain CSV files (issue 10 item 7).

``chiikimap.io._columnar`` parses plain UTF-8 CSV files with pyarrow and keeps the cells in
arrow arrays; anything it cannot read exactly like the careful parser goes to that parser. These
tests check that both give the same layer, the same rejected and merged rows and the same
messages, on hand-made files and on hypothesis-generated ones, and that every file the fast
parser must not take is left to the careful one.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapError, ChiikimapWarning
from chiikimap.io import _columnar as C
from chiikimap.io import _table as T
from chiikimap.io import resources as R
from chiikimap.io.resources import read_resources

HEADER = "事業所番号,事業所名,サービスの種類,住所,緯度,経度,定員,電話番号"


@contextlib.contextmanager
def fast(enabled: bool) -> Iterator[None]:
    """Let every CSV file (``enabled``) or none go through the column-wise parser."""
    old = C.FAST_MIN_BYTES
    C.FAST_MIN_BYTES = 0 if enabled else 1 << 62
    try:
        yield
    finally:
        C.FAST_MIN_BYTES = old


def _looks(columns: list[str]) -> bool:
    return "事業所名" in columns


def _read(path: Path, enabled: bool, **kwargs: Any) -> tuple[Any, list[str]]:
    """(the layer or the error's type and text, the warnings) with the fast path on or off."""
    with fast(enabled), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: Any = read_resources(path, **kwargs)
        except ChiikimapError as exc:
            out = (type(exc).__name__, str(exc))
    return out, [str(w.message) for w in caught if issubclass(w.category, ChiikimapWarning)]


def _same(path: Path, **kwargs: Any) -> Any:
    """Read ``path`` both ways and check that everything agrees; return the fast result."""
    fast_out, fast_warnings = _read(path, True, **kwargs)
    slow_out, slow_warnings = _read(path, False, **kwargs)
    assert fast_warnings == slow_warnings
    if isinstance(slow_out, tuple):
        assert fast_out == slow_out
        return fast_out
    assert isinstance(fast_out, pd.DataFrame)
    pd.testing.assert_frame_equal(
        pd.DataFrame(fast_out.drop(columns="geometry")),
        pd.DataFrame(slow_out.drop(columns="geometry")),
    )
    assert list(fast_out.geometry.to_wkb()) == list(slow_out.geometry.to_wkb())
    assert fast_out.attrs == slow_out.attrs
    pd.testing.assert_frame_equal(S.rejected_rows(fast_out), S.rejected_rows(slow_out))
    return fast_out


def _write(
    tmp: Path, text: str, *, bom: bool = False, newline: str = "\n", encoding: str = "utf-8"
) -> Path:
    path = tmp / "offices.csv"
    data = text.replace("\n", newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# --- white space as Python counts it -------------------------------------------------------------
def test_spaces_are_pythons_white_space() -> None:
    python = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert python == C.SPACES


SPACEY = st.text(
    alphabet=st.sampled_from([*C.SPACES, "a", "あ", "-", "𠮷", "\u200b", "0"]), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(st.lists(SPACEY, max_size=8))
def test_strip_and_squeeze_are_pythons(texts: list[str]) -> None:
    column = pa.chunked_array([pa.array(texts, type=pa.large_string())])
    assert C.strip(column).to_pylist() == [t.strip() for t in texts]
    assert R._squeeze(column).to_pylist() == [" ".join(t.split()) for t in texts]


# --- which files the fast parser takes -----------------------------------------------------------
ROWS = (
    "2710000001,ケア一号,訪問介護,枚方市岡東町1-1,34.81,135.64,20,072-000-0001\n"
    "2710000002,ケア二号,通所介護,枚方市岡東町1-2,34.82,135.65,,072-000-0002\n"
)


def test_plain_file_is_read_column_wise_with_the_same_rows(tmp_path: Path) -> None:
    text = "介護事業所一覧（令和6年）\n,,,\n" + HEADER + "\n" + ROWS + ",,,,,,,\n" + ROWS
    path = _write(tmp_path, text, bom=True, newline="\r\n")
    with fast(True):
        table = T.load_table(path, _looks, columnar=True)
    assert table.arrow is not None
    assert table.header_row == 3
    assert table.row_numbers == [4, 5, 7, 8]  # row 6 holds only commas: blank
    assert table.n_blank == 1
    assert table.above == [(1, "介護事業所一覧（令和6年）")]
    assert table.encoding == "utf-8-sig"
    assert table.row(2)[1] == "ケア一号"
    careful = T.load_table(path, _looks)  # the careful parser, its rows as lists
    assert careful.arrow is None
    with fast(False):
        converted = T.load_table(path, _looks, columnar=True)  # the same, kept as columns
    assert converted.arrow is not None
    assert [converted.row(i) for i in range(4)] == [table.row(i) for i in range(4)]
    assert [careful.row(i) for i in range(4)] == [table.row(i) for i in range(4)]
    assert (careful.row_numbers, careful.n_blank, careful.above) == (
        table.row_numbers,
        table.n_blank,
        table.above,
    )


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("quote mid-field", ROWS.replace("ケア一号", 'ケア"一号')),
        ("text after a closing quote", ROWS.replace("ケア一号", '"ケア"一号')),
        ("space before a quote", ROWS.replace("ケア一号", ' "ケア一号"')),
        ("line break in quotes", ROWS.replace("ケア一号", '"ケア\n一号"')),
        ("quote never closed", ROWS.replace("ケア一号", '"ケア一号')),
        ("lone CR", ROWS.replace("\n", "\r", 1)),
        ("NUL", ROWS.replace("ケア一号", "ケア\x00一号")),
        ("U+FFFD", ROWS.replace("ケア一号", "ケア\ufffd一号")),
        ("too many fields", ROWS.replace("072-000-0001", "072-000-0001,余分")),
        ("too few fields", ROWS.replace(",072-000-0001", "")),
    ],
)
def test_other_files_go_to_the_careful_parser(tmp_path: Path, name: str, body: str) -> None:
    path = _write(tmp_path, HEADER + "\n" + body)
    with fast(True):
        assert C.read_plain_csv(path, _looks, None, None) is None, name
    _same(path)


def test_whole_quoted_fields_are_read_column_wise(tmp_path: Path) -> None:
    quoted = ROWS.replace("ケア一号", '"ケア,一号 ""本館"""').replace("ケア二号", '""')
    header = ",".join(f'"{h}"' for h in HEADER.split(","))
    path = _write(tmp_path, header + "\n" + quoted, bom=True, newline="\r\n")
    with fast(True):
        table = C.read_plain_csv(path, _looks, None, None)
    assert table is not None
    assert table.columns[1] == "事業所名"
    assert [table.cell(i, 1) for i in range(2)] == ['ケア,一号 "本館"', ""]
    _same(path)


def test_empty_lines_are_blank_rows_with_their_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "\n" + ROWS.replace("\n", "\n\n", 1) + "\n" + ROWS)
    with fast(True):
        table = C.read_plain_csv(path, _looks, None, None)
    assert table is not None
    assert table.row_numbers == [2, 4, 6, 7]
    assert table.n_blank == 2
    _same(path)


def test_cp932_is_read_column_wise(tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes((HEADER + "\n" + ROWS).encode("cp932"))
    with fast(True):
        detected = C.read_plain_csv(path, _looks, None, None)
        given = C.read_plain_csv(path, _looks, "CP932", None)
    assert detected is not None
    assert given is not None
    assert detected.encoding == "cp932"
    assert given.encoding == "CP932"
    assert detected.columns == HEADER.split(",")
    assert list(detected.rows) == list(given.rows)
    assert list(detected.rows) == [r.split(",") for r in ROWS.splitlines() if r.strip(",")]
    layer = _same(path)
    assert S.read_reports(layer)[0]["columns"]["encoding"] == "cp932"
    _same(path, encoding="cp932")


def test_other_encodings_and_bad_cp932_go_to_the_careful_parser(tmp_path: Path) -> None:
    text = HEADER + "\n" + ROWS
    cases = {
        "euc.csv": (text.encode("euc_jp"), None),
        "euc_given.csv": (text.encode("euc_jp"), "euc_jp"),
        "sjis_given.csv": (text.encode("cp932"), "shift_jis"),
        "bom.csv": (b"\xef\xbb\xbf" + text.encode("cp932"), None),
        "bom_given.csv": (b"\xef\xbb\xbf" + text.encode("cp932"), "cp932"),
        # a lead byte without its trail byte on the last line: cp932 does not decode it
        "broken.csv": (text.encode("cp932") + b"2710000009,\x82\n", "cp932"),
        # and one cut at the end of the file (the decoder's last flush)
        "cut.csv": (text.encode("cp932") + "2710000009,ケア".encode("cp932") + b"\x82", None),
    }
    for name, (data, encoding) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with fast(True):
            assert C.read_plain_csv(path, _looks, encoding, None) is None, name
        _same(path, encoding=encoding)


def test_duplicates_merge_on_columns_like_row_by_row(tmp_path: Path) -> None:
    rows = (
        "2710000001,ケア一号,訪問介護,枚方市岡東町1-1,34.81,135.64,20,072-000-0001\n"
        "2710000002,ケア二号,通所介護,枚方市岡東町1-2,34.82,135.65,,072-000-0002\n"
        "2710000001,ケア一号,通所介護,枚方市岡東町1-1,34.8101,135.6401,10,072-000-0001\n"
        "2710000001,ケア一号,訪問介護,枚方市岡東町1-1,34.81,135.64,5,072-000-0001\n"
        ",サロン,通所介護,枚方市岡東町2-1,34.83,135.66,,\n"
        ",サロン,通所介護,枚方市岡東町2-1,34.83,135.66,,\n"
        ",サロン,通所介護,枚方市岡東町2-1,34.83,135.66,12,\n"
    )
    layer = _same(_write(tmp_path, HEADER + "\n" + rows))
    assert len(layer) == 4  # 2710000001, 2710000002, サロン, サロン with 定員 12
    first = layer.iloc[0]
    assert first["categories"] == ("houmon_kaigo", "tsusho_kaigo")
    assert first["capacities"] == {"houmon_kaigo": 25.0, "tsusho_kaigo": 10.0}
    report = S.read_reports(layer)[0]
    assert report["n_read"] == 7
    assert len(report["duplicates"]) == 3
    assert [d["row"] for d in report["duplicates"]] == [4, 5, 7]


# --- hypothesis: both parsers agree on any plain file ----------------------------------------------
CELL = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "訪問介護",
        "通所介護",
        "短期入所",
        "休止中",
        "ケア",
        " ケア一号 ",
        "34.8",
        "34.81",
        "-34.8",
        "135.6",
        "135.65",
        "1e3",
        "34°48'N",
        "北緯34.8",
        "nan",
        "20",
        "20名",
        "0",
        "2710000001",
        "2710000002",
        "２７１０００００１",
        "a b\tc",
        '"ケア,一号"',
        '"引用 ""符"""',
        '""',
        'ケア"一号',
        '"ケア"一号',
        '"ケア\n一号"',
    ]
)


@st.composite
def plain_csv(draw: st.DrawFn) -> tuple[str, bool, str, str]:
    """A CSV text: maybe titles, a header, rows of cells (some quoted), comma-only rows."""
    header = draw(st.sampled_from([HEADER, "名称,緯度,経度,種別,定員,事業所番号,", "名称,lat,lon"]))
    width = header.count(",") + 1
    lines = [draw(st.sampled_from(["介護事業所一覧", "令和6年4月1日現在"]))] * draw(
        st.integers(0, 2)
    )
    lines.append(header)
    n = draw(st.integers(1, 8))
    for _ in range(n):
        if draw(st.integers(0, 9)) == 0:
            lines.append("," * (width - 1))
        else:
            lines.append(",".join(draw(CELL) for _ in range(width)))
    if draw(st.booleans()) and len(lines) > 2:
        lines.append(lines[-1])  # an identical row
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "cp932"]))
    bom = encoding == "utf-8" and draw(st.booleans())
    return "\n".join(lines) + "\n", bom, newline, encoding


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(plain_csv())
def test_fast_and_careful_parsers_agree(case: tuple[str, bool, str, str]) -> None:
    text, bom, newline, encoding = case
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), text, bom=bom, newline=newline, encoding=encoding)
        out = _same(path, category="kayoi_no_ba" if "種別" not in text else None)
        if not isinstance(out, tuple):
            report = S.read_reports(out)[0]
            n_read = report["n_read"]
            assert n_read == len(out) + len(report["rejected"]) + len(report["duplicates"])
            assert np.all(out["name"].str.len() > 0)
