"""Column-wise reading of large, plain CSV files with pyarrow's C parser.

:func:`read_plain_csv` reads a CSV file into a :class:`chiikimap.io._table.Table` whose cells
stay in pyarrow string arrays (about the size of the file) instead of one Python string per
cell. It only takes files where that parser and the careful one of :mod:`chiikimap.io._table`
cannot disagree: UTF-8 text without NUL, lone CR or U+FFFD, whose quotes (if any) each enclose
a whole field within one line, and where every data line has exactly as many fields as the
header line. cp932 text (``encoding="cp932"``, or detected by the same strict decoding as the
careful parser, :func:`chiikimap.io._text.decode_text`) is read alike, transcoded by pyarrow
while it parses (strictly: a byte that does not decode sends the file back); in cp932 no byte
of a two-byte character is a quote, comma, tab, CR or LF, so the byte checks hold as they are.
Anything else — a stray quote, a line break inside quotes, other encodings, a BOM in front of
cp932, ragged lines, a parse error — returns ``None`` and the caller reads the file
with the careful parser, which gives the same rows, row numbers and messages for every file this
one accepts. Title rows above the header are found by the same :func:`locate_header` from the
first lines.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._text import BOM

__all__ = ["FAST_MIN_BYTES", "SPACES", "ArrowRows", "read_plain_csv", "strip"]

#: files smaller than this are read by the careful parser alone (tests lower it)
FAST_MIN_BYTES = 4 << 20
#: the characters Python's ``str.strip()`` and ``str.split()`` treat as white space
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SCAN_CHUNK = 1 << 23
#: bytes of the file start read to find the header (titles above it included)
_PREFIX = 1 << 16
#: the parser's block: a line longer than this sends the file to the careful parser
_BLOCK = 1 << 24
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class ArrowRows(Sequence[list[str]]):
    """The rows of a column-wise table, read from its columns one row at a time."""

    def __init__(self, columns: list[Any], n: int) -> None:
        self._columns = columns
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        return [str(c[i].as_py()) for c in self._columns]


#: a cell that starts or ends with white space (RE2 syntax)
_EDGE_SPACE = "^[{0}]|[{0}]$".format("".join(f"\\x{{{ord(c):x}}}" for c in SPACES))


def strip(column: Any) -> Any:
    """``str.strip()`` of every cell of a pyarrow string array (Python's white space).

    The column itself is returned when no cell has white space at either end.
    """
    import pyarrow.compute as pc

    if not pc.any(pc.match_substring_regex(column, _EDGE_SPACE)).as_py():
        return column
    return pc.utf8_trim(column, characters=SPACES)


def _given_encoding(encoding: str | None) -> str | None:
    """``"utf-8"``, ``"cp932"``, ``"detect"`` (none given) or ``None`` (not for this parser)."""
    if encoding is None:
        return "detect"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    return "cp932" if name == "cp932" else None


def _detect(path: Path, head: bytes, given: str) -> str | None:
    """The encoding of the file's text: ``"utf-8"`` or ``"cp932"``, else ``None``.

    Without an encoding given, a file whose start is not UTF-8 is decoded whole as the careful
    parser does (:func:`chiikimap.io._text.decode_text`: UTF-8, then cp932 unless the bytes
    look like broken UTF-8 or EUC-JP); a file that is not cp932 then, or raises, is left to it.
    """
    if given != "detect":
        return None if given == "cp932" and head.startswith(BOM) else given
    try:
        head[: head.rfind(b"\n") + 1].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from .._errors import ChiikimapError
    from ._text import decode_text

    try:
        _text, used = decode_text(path, path.read_bytes(), None)
    except ChiikimapError:
        return None
    return "cp932" if used == "cp932" and not head.startswith(BOM) else None


def _clean_line(delimiter: str) -> re.Pattern[bytes]:
    """A line of fields, each unquoted (no quote, no delimiter) or wholly quoted ("" inside).

    On such lines the csv module and pyarrow's parser split and unquote alike; a quote
    anywhere else (mid-field, after a closing quote, around a line break) is not one.
    """
    d = re.escape(delimiter.encode())
    field = rb'(?:"[^"\n]*(?:""[^"\n]*)*"|[^"\n' + d + rb"]*)"  # runs, not characters: fast
    return re.compile(field + rb"(?:" + d + field + rb")*\r?")


def _plain(path: Path, delimiter: str) -> tuple[int, bool] | None:
    """(number of lines, whether any holds a quote) of a file the fast parser reads alike.

    ``None`` when the bytes hold a NUL, a lone CR, U+FFFD or a quote that does not wholly
    enclose a field of one line. The file is scanned in chunks.
    """
    clean = _clean_line(delimiter)
    quoted = False
    with path.open("rb") as f:
        carry = f.read(len(BOM)).removeprefix(BOM)  # the BOM is not part of the first field
        lines = carry.count(b"\n")
        tail = carry[-2:]
        if b"\x00" in carry or carry == b"\xef\xbf\xbd":
            return None
        while chunk := f.read(_SCAN_CHUNK):
            buf = tail + chunk  # a sequence cut by the chunk boundary is seen whole
            if b"\x00" in chunk or b"\xef\xbf\xbd" in buf:
                return None
            lone = b"\r" in buf and buf.count(b"\r") != buf.count(b"\r\n") + buf.endswith(b"\r")
            if lone:
                return None
            lines += chunk.count(b"\n")
            tail = buf[-2:]
            text = carry + chunk
            cut = text.rfind(b"\n") + 1
            carry = text[cut:]
            if b'"' in text[:cut]:
                quoted = True
                if not _quotes_clean(text[:cut], clean):
                    return None
    if tail.endswith(b"\r") or (b'"' in carry and not _quotes_clean(carry, clean)):
        return None
    return lines + (bool(tail) and not tail.endswith(b"\n")), quoted or b'"' in carry


def _quotes_clean(text: bytes, clean: re.Pattern[bytes]) -> bool:
    """Whether every line of ``text`` that holds a quote is a line of clean fields."""
    return all(clean.fullmatch(line) for line in text.split(b"\n") if b'"' in line)


def _prefix_lines(path: Path, given: str) -> tuple[list[str], bool, str] | None:
    """(the complete lines of the start of the file, whether they are the whole file, the
    file's encoding: ``"utf-8"`` or ``"cp932"``).

    ``None`` when they do not decode or the file is a workbook.
    """
    with path.open("rb") as f:
        head = f.read(_PREFIX + 1)
    if head.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return None
    enc = _detect(path, head[:_PREFIX], given)
    if enc is None:
        return None
    whole = len(head) <= _PREFIX and head.endswith(b"\n")
    head = head[:_PREFIX].removeprefix(BOM)
    cut = head.rfind(b"\n")
    if cut < 0:
        return None
    try:
        text = head[: cut + 1].decode(enc)
    except UnicodeDecodeError:
        return None
    # the csv module's line ends (no lone CR: the file was checked); not str.splitlines()
    return [line + "\n" for line in text.split("\n")[:-1]], whole, enc


def read_plain_csv(
    path: Path,
    looks_like_header: Callable[[list[str]], bool],
    encoding: str | None,
    header_row: int | None,
) -> Any:
    """The :class:`Table` of a plain CSV file read column-wise, or ``None`` (see the module)."""
    from . import _table as T

    given = _given_encoding(encoding)
    if path.stat().st_size < FAST_MIN_BYTES or given is None:
        return None
    prefix = _prefix_lines(path, given)
    if prefix is None:
        return None
    lines, whole, enc = prefix
    first = lines[0] if lines else ""
    tab = path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first)
    delimiter = "\t" if tab else ","
    scanned = _plain(path, delimiter)
    if scanned is None:
        return None
    n_lines, quoted = scanned
    head = _head_records(path, lines, delimiter)
    if header_row is not None and header_row >= len(lines):
        return None
    if len(head.rows) <= T.HEADER_SCAN and not whole:
        return None  # the careful parser looks further for the header
    start, found = T.locate_header(head, looks_like_header, header_row)
    header_number = head.numbers[start]
    raw_width = len(head.rows[start])
    columns = T.header_cells(head.rows[start])
    if len(columns) < 2:
        return None
    # every line below the header is one row of the parser (an empty line would be skipped)
    data = _parse(path, header_number, raw_width, (delimiter, quoted, enc), n_lines - header_number)
    if data is None or not _extra_blank(data[0][len(columns) :]):
        return None
    cells, numbers = data
    named = cells[: len(columns)]
    del cells, data
    used = encoding or ("utf-8-sig" if enc == "utf-8" and _starts_with_bom(path) else enc)
    table = T.Table(
        path=path,
        kind="csv",
        columns=columns,
        rows=ArrowRows(named, len(numbers)),  # type: ignore[arg-type]
        row_numbers=numbers.tolist(),
        encoding=used,
        header_row=header_number,
        arrow=named,  # one list: a column let go by the reader is gone from the rows too
    )
    table.header_found = found
    table.above = [
        (number, " ".join(c.strip() for c in rec if c.strip()))
        for rec, number in zip(head.rows[:start], head.numbers[:start], strict=True)
    ]
    table.n_blank = int(numbers[-1]) - header_number - len(numbers)
    return table


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(3) == BOM


def _head_records(path: Path, lines: list[str], delimiter: str) -> Any:
    """The records of the first lines (every line one record: no quotes span lines)."""
    from . import _table as T

    rows: list[list[str]] = []
    numbers: list[int] = []
    for n, rec in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        if (rec and rec[0].strip()) or any(c.strip() for c in rec):
            rows.append(rec)
            numbers.append(n)
    return T.Records(path=path, kind="csv", rows=rows, numbers=numbers, n_rows=len(lines))


def _parse(
    path: Path, header_number: int, width: int, dialect: tuple[str, bool, str], n_lines: int
) -> tuple[list[Any], np.ndarray] | None:
    """(the data columns without blank rows, the file's row number of each row), or ``None``.

    ``dialect``: the delimiter, whether any field is quoted and the file's encoding.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                skip_rows=header_number,
                column_names=names,
                block_size=_BLOCK,
                encoding=dialect[2],
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect[0],
                quote_char='"' if dialect[1] else False,
                double_quote=dialect[1],
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, UnicodeDecodeError):
        return None  # a cp932 byte that does not decode: the careful parser says where
    n = table.num_rows
    if n == 0 or n != n_lines:
        return None
    columns = [table.column(j) for j in range(width)]
    del table
    # a row is blank when every cell is white space: look beyond the first cell only where
    # that one is blank
    keep = np.asarray(pc.greater(pc.utf8_length(strip(columns[0])), 0), dtype=bool)
    unsure = np.flatnonzero(~keep)
    if len(unsure):
        at = pa.array(unsure)
        for column in columns[1:]:
            keep[unsure] |= np.asarray(
                pc.greater(pc.utf8_length(strip(column.take(at))), 0), dtype=bool
            )
    numbers = np.flatnonzero(keep) + header_number + 1
    if len(numbers) == 0:
        return None
    if not keep.all():
        mask = pa.array(keep)
        columns = [c.filter(mask) for c in columns]
    return columns, numbers


def _extra_blank(columns: list[Any]) -> bool:
    """Whether the columns right of the named ones (blank header cells) are empty."""
    import pyarrow.compute as pc

    return all(pc.max(pc.utf8_length(strip(c))).as_py() in (None, 0) for c in columns)
