"""The one table pipeline of the CSV and xlsx readers: reading, header rows, header names, cells.

:func:`read_records` turns a CSV/TSV/text file or the sheets of a workbook into
:class:`Records` — the non-blank rows with the file's own row numbers and an account of every
other row (blank rows, rows a stray quote swallowed). :func:`locate_header` finds the header
row, :func:`norm_header` is the one normalisation of column names, :func:`cell_text` the one
conversion of a cell to text, and :func:`load_table` puts them together into one
:class:`Table` (the header and the data rows of a file, or of every sheet with the same header).

:mod:`chiikimap.io.resources`, :mod:`chiikimap.io.population`, :mod:`chiikimap.needs`, the
medical lists (:mod:`chiikimap.io.medical`, through :func:`read_frame`), the lists of
:func:`chiikimap.geocode.geocode_file` and the alias tables read through this module, so a fix
to how a file is read lands once.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import InputFileError
from ._text import BOM, decode_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EXCEL_SUFFIXES",
    "TEXT_SUFFIXES",
    "Records",
    "Table",
    "base_header",
    "blank",
    "bulk",
    "cell_text",
    "formula_problem",
    "header_cells",
    "load_table",
    "locate_header",
    "norm_header",
    "read_frame",
    "read_records",
    "table_from_records",
]

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

#: a trailing note in a column name: 「緯度（世界測地系）」, 「経度(度)」, 「住所[所在地]」
_NOTE = re.compile(r"^(.+?)\s*[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]$")
#: a note that names the reading of the column (事業所名（カナ）): that column is not the name
_READING = re.compile(
    r"カナ|かな|ｶﾅ|ふりがな|フリガナ|よみ|読み|ローマ字|英字|english", re.IGNORECASE
)
_SPACES = re.compile(r"\s+")
#: line ends as the csv module counts lines (StringIO with newline="")
_LINE_END = re.compile(r"\r\n|\r|\n")

#: first bytes of files that are not text (a workbook or an old .xls renamed to .csv)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- names and cells ------------------------------------------------------------------------------
def norm_header(name: Any) -> str:
    """The one normalisation of a column name: NFKC, lower case, no spaces, no leading ``#``/BOM.

    Examples
    --------
    >>> norm_header(" 緯度（世界測地系） ")
    '緯度(世界測地系)'
    >>> norm_header("#Property")
    'property'
    """
    if name is None:
        return ""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return _SPACES.sub("", text).lstrip("#\ufeff")


def base_header(name: Any) -> str:
    """The normalised name without a trailing bracketed note (``""`` when there is none).

    A note naming a reading (（カナ）, （ふりがな）) does not count: 「事業所名（カナ）」 is not a name.
    Header cells longer than 200 characters are not column names and give ``""``.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip()
    if len(text) > 200:
        return ""
    m = _NOTE.match(text)
    if m is None or _READING.search(m.group(2)):
        return ""
    return norm_header(m.group(1))


def blank(value: Any) -> bool:
    """True for a cell with nothing in it (``None``, NaN, or text of spaces only)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: Any) -> str:
    """A cell as text: ``""`` for nothing, ``repr`` for floats, ISO text for dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def header_cells(record: list[Any]) -> list[str]:
    """Column names of a header record: stripped, trailing blanks dropped, blanks named 列N."""
    header = [cell_text(c).strip().removeprefix("\ufeff") for c in record]
    while header and not header[-1]:
        header.pop()
    return [h or f"列{j + 1}" for j, h in enumerate(header)]


@contextmanager
def bulk() -> Iterator[None]:
    """Pause Python's cycle collector while a reader builds millions of small objects.

    Nothing a reader builds holds reference cycles; the collector would only rescan the growing
    heap again and again (nearly half the time of reading a million rows). Its state is
    restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- records ----------------------------------------------------------------------------------------
@dataclass
class Records:
    """The non-blank rows of one CSV file or one worksheet.

    ``rows[i]`` is the file's row ``numbers[i]`` (1-based, as the file counts rows: CSV records,
    sheet rows). Blank rows are not stored; ``n_rows`` is the number of the last row.
    """

    path: Path
    kind: str  # "csv" or "xlsx"
    rows: list[list[Any]]
    numbers: list[int]
    n_rows: int
    encoding: str = ""
    delimiter: str = ","
    sheet: str = ""
    #: every sheet of the workbook, in order
    book_sheets: list[str] = field(default_factory=list)
    #: record number → (first, last) physical line of a CSV record spanning several lines
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: row number → 0-based columns of formula cells whose result was never saved (xlsx)
    formulas: dict[int, list[int]] = field(default_factory=dict)


def read_records(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    all_sheets: bool = False,
) -> list[Records]:
    """The records of a CSV/TSV/text file (one item) or of the sheets of a workbook.

    For a workbook, ``sheet`` (name or 0-based position) selects one sheet; without it every
    sheet is returned when ``all_sheets`` is true, else the first. Cells of xlsx files keep their
    types (numbers, dates); CSV cells are text.

    Raises
    ------
    InputFileError
        Missing or empty file, a workbook with another suffix, an unknown sheet, a quote that
        never closes.
    EncodingError
        The text cannot be decoded.
    """
    if not path.is_file():
        raise InputFileError("ファイルがありません / no such file", path=path)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(path, sheet, all_sheets)
    return [_read_text(path, encoding)]


def _read_text(path: Path, encoding: str | None) -> Records:
    data = path.read_bytes()
    if not data.removeprefix(BOM).strip():
        raise InputFileError("ファイルが空です / the file is empty", path=path)
    _refuse_binary(path, data)
    text, used = decode_text(path, data, encoding)
    del data
    first = text.split("\n", 1)[0]
    tab = path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first)
    delimiter = "\t" if tab else ","
    rows, numbers, spans, n_rows = _parse_csv(path, text, delimiter)
    return Records(
        path=path,
        kind="csv",
        rows=rows,
        numbers=numbers,
        n_rows=n_rows,
        encoding=used,
        delimiter=delimiter,
        spans=spans,
    )


def _refuse_binary(path: Path, data: bytes) -> None:
    """A workbook or an old .xls named .csv gets its own message, not an encoding hint."""
    if data.startswith(_ZIP_MAGIC):
        raise InputFileError(
            "このファイルは CSV ではなく Excel (xlsx) か zip です。拡張子を .xlsx に直して読み込んで"
            "ください / the file is an xlsx workbook (or a zip), not text: rename it to .xlsx",
            path=path,
        )
    if data.startswith(_OLE_MAGIC):
        raise InputFileError(
            "このファイルは CSV ではなく古い Excel 形式 (.xls) です。Excel で .xlsx として保存し直して"
            "ください / the file is an old Excel .xls workbook, not text: save it as .xlsx",
            path=path,
        )


@contextmanager
def _field_limit(size: int) -> Iterator[None]:
    """Let the csv module read fields of any length up to ``size`` characters (restored after)."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _parse_csv(
    path: Path, text: str, delimiter: str
) -> tuple[list[list[str]], list[int], dict[int, tuple[int, int]], int]:
    """(non-blank records, their numbers, the line spans of multi-line ones, number of records).

    Every physical line is accounted for: a record that spans several lines is checked, and a
    quote that opens and never closes is an error naming the line where it opens.
    """
    rows: list[list[str]] = []
    numbers: list[int] = []
    spans: dict[int, tuple[int, int]] = {}
    n = 0
    with _field_limit(len(text)):
        # lines are sliced from the text one at a time: io.StringIO would hold a second copy
        # of the whole file at four bytes a character
        reader = csv.reader(_lines(text), delimiter=delimiter)
        line = 0
        try:
            for rec in reader:
                n += 1
                start, line = line + 1, reader.line_num
                if line > start:
                    spans[n] = (start, line)
                if (rec and rec[0].strip()) or any(c.strip() for c in rec):
                    rows.append(rec)
                    numbers.append(n)
        except csv.Error as exc:
            raise InputFileError(
                f"CSV として読めません（{reader.line_num} 行目）: {exc} / cannot parse the CSV at line "
                f"{reader.line_num}: {exc}",
                path=path,
            ) from None
    if spans and n in spans:
        _check_last_quote(path, text, delimiter, spans[n])
    return rows, numbers, spans, n


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line ends, split as ``io.StringIO(newline="")`` does."""
    start = 0
    for m in _LINE_END.finditer(text):
        yield text[start : m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


def _check_last_quote(path: Path, text: str, delimiter: str, span: tuple[int, int]) -> None:
    """Raise when the last record runs to the end of the file inside an open quote."""
    start, end = span
    offset = 0
    if start > 1:
        for k, m in enumerate(_LINE_END.finditer(text), start=2):
            if k == start:
                offset = m.end()
                break
    try:
        tail = io.StringIO(text[offset:], newline="")
        for _ in csv.reader(tail, delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        raise InputFileError(
            f'{start} 行目で開いた引用符 (") がファイルの終わりまで閉じていません。{start}〜{end} 行目'
            f'（{end - start + 1} 行）が 1 つの値として読まれてしまいます。その行の " を直してください'
            f' / a quote (") opened on line {start} never closes: lines {start}-{end} would be '
            "read as one value; fix the quote on that line",
            path=path,
            row=start,
        ) from None


def _swallowed(rec: list[str], width: int, delimiter: str) -> bool:
    """Whether a multi-line record holds whole lines of data that a stray quote swallowed.

    A cell with a line break is normal. A record with more fields than the header, or one where a line after the first splits into as many fields as the header (the rows a
    quote opened on one line and closed on a later one took in), is not.
    """
    if len(rec) > width:
        return True
    if width < 2:
        return False
    lines = _LINE_END.split(delimiter.join(rec))
    return any(len(line.split(delimiter)) == width for line in lines[1:])


def _swallowed_problem(start: int, end: int, n_fields: int) -> tuple[str, str]:
    return (
        "引用符",
        f'引用符 (") が {start} 行目で開き {end} 行目で閉じているため、{start}〜{end} 行目の '
        f'{end - start + 1} 行が 1 行として読まれました（列 {n_fields} 個）。" を直してください'
        f" / a quote opened on line {start} closes on line {end}: lines {start}-{end} were read "
        f"as one row ({n_fields} fields); fix the quote",
    )


# --- workbooks --------------------------------------------------------------------------------------
def _read_workbook(path: Path, sheet: str | int | None, all_sheets: bool) -> list[Records]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(
            f"Excel (xlsx) ファイルとして開けません / cannot open as xlsx: {exc}", path=path
        ) from None
    try:
        names = list(wb.sheetnames)
        positions = _sheet_positions(path, names, sheet, all_sheets)
        parts = [_read_sheet(path, wb, names[i]) for i in positions]
    finally:
        wb.close()
    for part in parts:
        part.book_sheets = names
    return parts


def _sheet_positions(
    path: Path, names: list[str], sheet: str | int | None, all_sheets: bool
) -> list[int]:
    if sheet is None:
        return list(range(len(names))) if all_sheets else [0]
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
        return [sheet]
    if isinstance(sheet, str) and sheet in names:
        return [names.index(sheet)]
    raise InputFileError(
        f"シート {sheet!r} がありません。シート: {names} / no sheet {sheet!r}; sheets: "
        f"{names}; pass sheet='…' (name) or sheet=0 (position)",
        path=path,
        param="sheet",
    )


def _read_sheet(path: Path, wb: Any, name: str) -> Records:
    """The non-blank rows of one sheet, streamed without expanding its declared dimension.

    Merged cells give their value to every row they cover; formula cells whose result was never
    saved (a file written by a program, not by Excel) are listed in ``formulas``.
    """
    ws = wb[name]
    # a formatted cell at XFD1048576 declares a dimension of 17 billion cells: ignore it
    ws.reset_dimensions()
    rows: list[list[Any]] = []
    numbers: list[int] = []
    n_rows = 0
    for n_rows, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if any(not blank(v) for v in values):
            row = list(values)
            while row and blank(row[-1]):
                row.pop()
            rows.append(row)
            numbers.append(n_rows)
    records = Records(path=path, kind="xlsx", rows=rows, numbers=numbers, n_rows=n_rows)
    records.sheet = name
    has_formulas, merged = _scan_sheet_xml(wb, ws)
    if merged:
        _fill_merged(records, merged)
    if has_formulas:
        records.formulas = _unsaved_formulas(path, name, records)
    return records


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _scan_sheet_xml(wb: Any, ws: Any) -> tuple[bool, list[tuple[int, int, int, int]]]:
    """(whether the sheet holds formulas, its merged ranges as (row1, col1, row2, col2)).

    The sheet's XML is scanned in chunks, so a huge sheet does not sit in memory.
    """
    from openpyxl.utils import column_index_from_string

    has_formulas = False
    merged: list[tuple[int, int, int, int]] = []
    tail = b""
    with wb._archive.open(ws._worksheet_path) as src:  # the part openpyxl itself reads
        while chunk := src.read(1 << 20):
            buf = tail + chunk
            has_formulas = has_formulas or _FORMULA.search(buf) is not None
            for m in _MERGE.finditer(buf):
                c1, r1, c2, r2 = m.groups()
                merged.append(
                    (
                        int(r1),
                        column_index_from_string(c1.decode()) - 1,
                        int(r2),
                        column_index_from_string(c2.decode()) - 1,
                    )
                )
            tail = buf[-256:]  # a tag cut by the chunk boundary is found with the next chunk
    return has_formulas, sorted(set(merged))


def _fill_merged(records: Records, merged: list[tuple[int, int, int, int]]) -> None:
    """Give the value of a merged range's first cell to the rows below it in the range.

    Only rows with data of their own are filled (a merged cell alone does not make a row).
    """
    index = {n: i for i, n in enumerate(records.numbers)}
    for r1, c1, r2, _ in merged:
        top = index.get(r1)
        if top is None or c1 >= len(records.rows[top]) or r2 <= r1:
            continue
        value = records.rows[top][c1]
        for r in range(r1 + 1, min(r2, records.n_rows) + 1):
            i = index.get(r)
            if i is None:
                continue
            row = records.rows[i]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            if blank(row[c1]):
                row[c1] = value


def _unsaved_formulas(path: Path, name: str, records: Records) -> dict[int, list[int]]:
    """Row number → columns of formula cells that have no saved result (blank when read)."""
    import openpyxl

    index = {n: i for i, n in enumerate(records.numbers)}
    out: dict[int, list[int]] = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[name]
        ws.reset_dimensions()
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cols = [j for j, v in enumerate(values) if isinstance(v, str) and v.startswith("=")]
            if not cols:
                continue
            i = index.get(number)
            row = records.rows[i] if i is not None else []
            unsaved = [j for j in cols if j >= len(row) or blank(row[j])]
            if unsaved:
                out[number] = unsaved
    finally:
        wb.close()
    return out


# --- header ------------------------------------------------------------------------------------------
#: how many non-blank rows are searched for the header row
HEADER_SCAN = 10


def locate_header(
    records: Records,
    looks_like_header: Callable[[list[str]], bool],
    header_row: int | None,
) -> tuple[int, bool]:
    """(index in ``records.rows`` of the header row, whether it was recognised).

    ``header_row`` (the file's own 1-based row number) wins; otherwise the first of the first
    :data:`HEADER_SCAN` non-blank rows for which ``looks_like_header(header_cells(row))`` holds;
    when none does, the first non-blank row (the missing column is then reported by the caller).
    """
    path = records.path
    if header_row is not None:
        if header_row in records.numbers:
            return records.numbers.index(header_row), True
        if 1 <= header_row <= records.n_rows:
            raise InputFileError(
                f"header_row={header_row} の行は空行です / row {header_row} given as "
                "header_row is blank; pass the row number of the column names",
                path=path,
                param="header_row",
            )
        raise InputFileError(
            f"header_row={header_row} の行がありません（{records.n_rows} 行）/ the file has no row "
            f"{header_row} ({records.n_rows} rows)",
            path=path,
            param="header_row",
        )
    if not records.rows:
        raise InputFileError("ファイルが空です / the file is empty", path=path)
    for i, rec in enumerate(records.rows[:HEADER_SCAN]):
        if looks_like_header(header_cells(rec)):
            return i, True
    return 0, False


# --- one table -----------------------------------------------------------------------------------------
@dataclass
class Table:
    """Header and data rows of one file, every cell as text.

    ``rows[i]`` is the file's row ``row_numbers[i]`` (in sheet ``row_sheets[i]`` when several
    sheets were read), padded or cut to the header's width. Every non-blank row below the header
    is in ``rows``; a row with a problem as a record (too many fields, lines swallowed by a
    quote, a formula without its result) has it in ``row_errors``.
    """

    path: Path
    kind: str  # "csv", "xlsx" or "vector"
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str = ""
    points: list[tuple[float, float] | str] | None = None  # (lon, lat) or a reason (vector only)
    #: row index → (short kind, reason) of a problem of the row as a record
    row_errors: dict[int, tuple[str, str]] = field(default_factory=dict)
    n_blank: int = 0
    #: the file's own number of the header row (CSV record / sheet row); 0 for vector files
    header_row: int = 0
    #: False when no row of the first ones held the columns looked for (first row used)
    header_found: bool = True
    #: non-blank rows above the header (titles): (row number, their text)
    above: list[tuple[int, str]] = field(default_factory=list)
    #: xlsx cells right of the last titled column: column letter → [(row number, value)]
    untitled: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    #: row index → columns whose cell is a formula without a saved result (xlsx)
    formulas: dict[int, list[str]] = field(default_factory=dict)
    #: the sheet of each row when several sheets with the same header were read
    row_sheets: list[str] | None = None
    #: sheets not read (name, reason) — a different header, or no data
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)
    #: the cells column by column (pyarrow string arrays) when the file was read column-wise;
    #: ``rows`` then reads its rows from them
    arrow: list[Any] | None = None

    def where(self, i: int) -> str:
        """The file (and sheet, when several were read) of row ``i``, for reports."""
        if self.row_sheets is None:
            return self.path.name
        return f"{self.path.name} [{self.row_sheets[i]}]"

    def to_columns(self) -> None:
        """Keep the cells column by column (pyarrow strings) and let the row lists go."""
        if self.arrow is not None:
            return
        import pyarrow as pa

        from ._columnar import ArrowRows

        rows = self.rows
        columns = [
            pa.chunked_array([pa.array([r[j] for r in rows], type=pa.large_string())])
            for j in range(len(self.columns))
        ]
        self.arrow = columns
        self.rows = ArrowRows(columns, len(rows))  # type: ignore[assignment]

    def row(self, i: int) -> list[str]:
        """The cells of row ``i`` (as wide as the header)."""
        return list(self.rows[i])

    def cell(self, i: int, j: int) -> str:
        """The cell of row ``i`` in column ``j``."""
        if self.arrow is not None:
            return str(self.arrow[j][i].as_py())
        return self.rows[i][j]

    def text_column(self, j: int) -> Any:
        """Column ``j`` as a pyarrow string array (built from the rows of a row-wise table)."""
        import pyarrow as pa

        if self.arrow is not None:
            return self.arrow[j]
        return pa.chunked_array([pa.array([r[j] for r in self.rows], type=pa.large_string())])

    def rows_at(self, indices: Sequence[int]) -> list[list[str]]:
        """The cells of the rows at ``indices``, built column by column."""
        if self.arrow is None:
            return [self.rows[i] for i in indices]
        import pyarrow as pa

        take = pa.array(indices, type=pa.int64())
        columns = [c.take(take).to_pylist() for c in self.arrow]
        return [list(r) for r in zip(*columns, strict=True)] if columns else []


def load_table(
    path: Path,
    looks_like_header: Callable[[list[str]], bool],
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    columnar: bool = False,
) -> Table:
    """Read a CSV or xlsx file into a :class:`Table` (header found by ``looks_like_header``).

    In a workbook read without ``sheet``, the first sheet whose header is recognised is read
    (else the first sheet with data), followed by every other sheet with the same header; the
    sheets not read are listed in ``skipped_sheets`` with the reason. With ``columnar``, a
    large plain CSV file is read column-wise by pyarrow (:mod:`chiikimap.io._columnar`):
    the same table, its cells in ``arrow``.
    """
    if columnar and path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
        from ._columnar import read_plain_csv

        fast: Table | None = read_plain_csv(path, looks_like_header, encoding, header_row)
        if fast is not None:
            return fast
    parts = read_records(path, encoding=encoding, sheet=sheet, all_sheets=sheet is None)
    if parts[0].kind == "csv":
        start, found = locate_header(parts[0], looks_like_header, header_row)
        table = table_from_records(parts[0], start)
        table.header_found = found
    else:
        table = _table_from_sheets(path, parts, looks_like_header, header_row)
    del parts
    if columnar:
        table.to_columns()
    return table


def read_frame(
    path: Path,
    looks_like_header: Callable[[list[str]], bool] | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, Table]:
    """A CSV or xlsx list as a DataFrame of text cells, read by :func:`load_table`.

    For the modules that work on a whole list with pandas: the file is decoded, its header
    found and its sheets read exactly as :func:`chiikimap.read_resources` reads them. Empty
    cells are ``""``; a column name that repeats gets ``.1``, ``.2`` (as pandas names them).
    Row ``i`` of the frame is the file's row ``table.row_numbers[i]`` (``table.where(i)`` names
    the file and sheet).

    Raises
    ------
    InputFileError
        Every error of :func:`read_records`, and a row that is not one record (a stray quote
        swallowed lines, more fields than the header): a frame would silently lose or shift it.
    """
    import pandas as pd

    def first_row(cells: list[str]) -> bool:
        return False

    table = load_table(path, looks_like_header or first_row, encoding=encoding, sheet=sheet)
    if table.row_errors:
        i = min(table.row_errors)
        ja, _, en = table.row_errors[i][1].partition(" / ")
        fix = "" if "直して" in ja else "。この行を直してください"
        raise InputFileError(f"{ja}{fix} / {en}; fix this row", path=path, row=table.row_numbers[i])
    frame = pd.DataFrame(table.rows, columns=_unique_names(table.columns), dtype=object)
    return frame, table


def _unique_names(columns: list[str]) -> list[str]:
    """Column names with repeats suffixed ``.1``, ``.2`` … (as :func:`pandas.read_csv` does)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in columns:
        new = name
        while new in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
        seen.setdefault(new, 0)
        out.append(new)
    return out


def _table_from_sheets(
    path: Path,
    parts: list[Records],
    looks_like_header: Callable[[list[str]], bool],
    header_row: int | None,
) -> Table:
    names = parts[0].book_sheets
    found_at: list[tuple[Records, int, bool]] = []
    skipped: list[tuple[str, str]] = []
    for part in parts:
        if not part.rows:
            skipped.append((part.sheet, "空のシート / empty sheet"))
            continue
        start, found = locate_header(part, looks_like_header, header_row)
        found_at.append((part, start, found))
    if not found_at:
        where = f"シート {parts[0].sheet!r} " if len(parts) == 1 else ""
        raise InputFileError(
            f"{where}ファイルが空です（シート: {names}）/ the file is empty (sheets: {names})",
            path=path,
        )
    first = next((f for f in found_at if f[2]), found_at[0])
    table = table_from_records(first[0], first[1], names)
    table.header_found = first[2]
    table.sheets = names
    header = [norm_header(c) for c in table.columns]
    extra: list[Table] = []
    for part, start, found in found_at:
        if part is first[0]:
            continue
        other = [norm_header(c) for c in header_cells(part.rows[start])]
        if found and other == header and len(part.rows) > start + 1:
            extra.append(table_from_records(part, start))
        else:
            skipped.append((part.sheet, "見出しが違う / a different header"))
    table.skipped_sheets = skipped
    if extra:
        _append_sheets(table, extra)
    return table


def _append_sheets(table: Table, extra: list[Table]) -> None:
    """Stack the rows of other sheets with the same header under ``table``'s."""
    sheets = [table.sheet] * len(table.rows)
    for other in extra:
        offset = len(table.rows)
        table.rows.extend(other.rows)
        table.row_numbers.extend(other.row_numbers)
        sheets.extend([other.sheet] * len(other.rows))
        table.row_errors.update({offset + i: e for i, e in other.row_errors.items()})
        table.formulas.update({offset + i: f for i, f in other.formulas.items()})
        table.n_blank += other.n_blank
        table.above.extend(other.above)
        for letter, cells in other.untitled.items():
            table.untitled.setdefault(letter, []).extend(cells)
    table.row_sheets = sheets
    table.sheet = ", ".join(dict.fromkeys(sheets))


def table_from_records(records: Records, start: int, sheets: list[str] | None = None) -> Table:
    """The :class:`Table` of ``records`` whose header is ``records.rows[start]``."""
    columns = header_cells(records.rows[start])
    numbers = records.numbers
    table = Table(
        path=records.path,
        kind=records.kind,
        columns=columns,
        rows=[],
        row_numbers=[],
        encoding=records.encoding,
        header_row=numbers[start],
        sheet=records.sheet,
    )
    table.above = [
        (number, " ".join(cell_text(c).strip() for c in rec if not blank(c)))
        for rec, number in zip(records.rows[:start], numbers[:start], strict=True)
    ]
    # blank rows between the header and the last data row (not the empty tail of a sheet)
    table.n_blank = numbers[-1] - numbers[start] - (len(numbers) - start - 1)
    width = len(columns)
    xlsx = records.kind == "xlsx"
    data = records.rows[start + 1 :]
    if xlsx:
        data = [[cell_text(c) for c in rec] for rec in data]
    table.rows = data
    table.row_numbers = numbers[start + 1 :]
    # the rows that are not simply as wide as the header, then the few marked ones
    for i in [i for i, rec in enumerate(data) if len(rec) != width]:
        row = data[i]
        if len(row) > width:
            _extra_cells(table, row, width, table.row_numbers[i], i)
            data[i] = row[:width]
        else:
            data[i] = row + [""] * (width - len(row))
    if records.spans or records.formulas:
        _mark_rows(table, records, data if xlsx else records.rows[start + 1 :])
    if not table.rows:
        context = ""
        if xlsx:
            names = sheets or [records.sheet]
            context = (
                f"; シート {records.sheet!r} を読みました（シート: {names}）/ read sheet "
                f"{records.sheet!r} of {names}; pass sheet='…' for another"
            )
        raise InputFileError(
            f"データ行がありません（見出しだけです）/ the file has no data rows, only a header"
            f"{context}",
            path=records.path,
        )
    return table


def _mark_rows(table: Table, records: Records, raw: list[list[Any]]) -> None:
    """Rows a stray quote swallowed, and formula cells without a saved result."""
    position = {n: i for i, n in enumerate(table.row_numbers)}
    width = len(table.columns)
    for number, (first, last) in records.spans.items():
        i = position.get(number)
        if i is not None and _swallowed(raw[i], width, records.delimiter):
            table.row_errors[i] = _swallowed_problem(first, last, len(raw[i]))
    for number, cols in records.formulas.items():
        i = position.get(number)
        named = [table.columns[c] for c in cols if c < width]
        if i is not None and named:
            table.formulas[i] = named


def _extra_cells(table: Table, row: list[str], width: int, number: int, i: int) -> None:
    """Cells right of the header: a note beside an xlsx table, or a CSV row with too many fields."""
    extra = [(j, c) for j, c in enumerate(row[width:], start=width) if c.strip()]
    if not extra:
        return
    if table.kind == "xlsx":
        # a note typed next to the table (E3 = "※休止中" under an empty E1): not data
        from openpyxl.utils import get_column_letter

        for j, value in extra:
            table.untitled.setdefault(get_column_letter(j + 1), []).append((number, value))
        return
    n_fields = extra[-1][0] + 1
    table.row_errors[i] = (
        "列数",
        f"列の数 ({n_fields}) が見出し ({width}) より多い / the row has {n_fields} fields "
        f"but the header has {width} (an unquoted comma?)",
    )


def formula_problem(columns: list[str]) -> tuple[str, str]:
    """(short kind, reason) for a row whose needed ``columns`` are formulas without a result."""
    shown = ", ".join(columns)
    return (
        "数式の結果なし",
        f"数式のセル（{shown}）に計算結果が保存されていません。Excel で開いて保存し直してください / "
        f"formula cells ({shown}) have no saved result; open the file in Excel and save it again",
    )
