"""デジタル庁 アドレス・ベース・レジストリ (ABR) tables, joined into the reference index.

The tables are told apart by their columns (the file names vary: ``_pref13``, ``_city302015``,
``_all``):

========================  ==========================================================  ===========
table                     key columns                                                 gives
========================  ==========================================================  ===========
``mt_town``               lg_code, machiaza_id, pref, county, city, ward, oaza_cho,   town names
                          chome, koaza
``mt_town_pos``           lg_code, machiaza_id, rep_lon, rep_lat, rep_srid            町丁目 point
``mt_rsdtdsp_blk_pos``    … blk_id, rep_lon, rep_lat                                  街区 point
``mt_rsdtdsp_rsdt_pos``   … blk_id, rsdt_id, rsdt2_id, rep_lon, rep_lat               住居 point
``mt_parcel_pos``         … prc_id, rep_lon, rep_lat                                  地番 point
``mt_rsdtdsp_blk``        … blk_id, blk_num                                           (numbers)
``mt_rsdtdsp_rsdt``       … blk_id, rsdt_id, rsdt2_id, blk_num, rsdt_num              (numbers)
``mt_parcel``             … prc_id, prc_num1, prc_num2, prc_num3                      (numbers)
========================  ==========================================================  ===========

Every position table is joined to ``mt_town`` on ``lg_code`` + ``machiaza_id`` for the town
name. The 街区符号, 住居番号 and 地番 are read from the optional number tables when given;
otherwise from the IDs themselves: ``blk_id``/``rsdt_id`` are the zero-padded 街区符号/住居番号
and ``prc_id`` is 地番1, 地番2, 地番3 in five digits each (``000120000300000`` = 12-3). This held
for every row of the real 和歌山市 tables (34,015 住居; 367,514 of 367,519 地番, the five others
having a kana or 甲/乙 地番2 that the ID codes differently).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chiikimap._errors import InputFileError

__all__ = ["AbrTables", "abr_kind"]

Key = tuple[str, ...]
_DEGREES = {"", "EPSG:6668", "EPSG:4612", "EPSG:4326"}


def abr_kind(columns: set[str]) -> str | None:
    """Which ABR table a header belongs to (None: not an ABR table)."""
    if "machiaza_id" not in columns or "lg_code" not in columns:
        return None
    pos = "rep_lon" in columns and "rep_lat" in columns
    for id_col, name in (("prc_id", "parcel"), ("rsdt_id", "rsdt"), ("blk_id", "blk")):
        if id_col in columns:
            return f"{name}_pos" if pos else name
    if pos:
        return "town_pos"
    return "town" if "oaza_cho" in columns else None


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


@dataclass
class AbrTables:
    """The ABR rows of all files given, collected before they are joined."""

    names: dict[Key, tuple[str, str, str]] = field(default_factory=dict)
    points: dict[str, list[tuple[Key, float, float]]] = field(default_factory=dict)
    numbers: dict[str, dict[Key, tuple[int | None, ...]]] = field(default_factory=dict)
    first_path: Path | None = None
    srids: set[str] = field(default_factory=set)

    def add(self, kind: str, path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
        """Collect the rows of one table of ``kind`` (see :func:`abr_kind`)."""
        idx = {h: i for i, h in enumerate(header)}
        if kind == "town":
            self._add_names(idx, rows)
        elif kind.endswith("_pos"):
            if self.first_path is None:
                self.first_path = path
            self._add_points(kind[:-4], idx, rows)
        else:
            self._add_numbers(kind, idx, rows)

    def _add_names(self, idx: dict[str, int], rows: Iterable[list[str]]) -> None:
        def col(row: list[str], name: str) -> str:
            i = idx.get(name)
            return row[i] if i is not None and i < len(row) else ""

        for row in rows:
            city = col(row, "county") + col(row, "city") + col(row, "ward")
            town = col(row, "oaza_cho") + col(row, "chome") + col(row, "koaza")
            key = (col(row, "lg_code"), col(row, "machiaza_id"))
            self.names[key] = (col(row, "pref"), city, town)

    def _add_points(self, kind: str, idx: dict[str, int], rows: Iterable[list[str]]) -> None:
        keys = [idx["lg_code"], idx["machiaza_id"]] + [idx[c] for c in _ID_COLUMNS[kind]]
        lon_i, lat_i, srid_i = idx["rep_lon"], idx["rep_lat"], idx.get("rep_srid")
        out = self.points.setdefault(kind, [])
        width = max([*keys, lon_i, lat_i]) + 1
        for row in rows:
            if len(row) < width or not row[lon_i] or not row[lat_i]:
                continue
            srid = row[srid_i] if srid_i is not None and srid_i < len(row) else ""
            if srid not in _DEGREES:
                self.srids.add(srid)
                continue
            out.append((tuple(row[k] for k in keys), float(row[lon_i]), float(row[lat_i])))

    def _add_numbers(self, kind: str, idx: dict[str, int], rows: Iterable[list[str]]) -> None:
        keys = [idx["lg_code"], idx["machiaza_id"]] + [idx[c] for c in _ID_COLUMNS[kind]]
        cols = [idx[c] for c in _NUMBER_COLUMNS[kind] if c in idx]
        out = self.numbers.setdefault(kind, {})
        width = max([*keys, *cols]) + 1
        for row in rows:
            if len(row) >= width:
                out[tuple(row[k] for k in keys)] = tuple(_number(row[c]) for c in cols)

    def check(self) -> None:
        """Raise when positions were given without the ``mt_town`` names they need."""
        if self.points and not self.names:
            raise InputFileError(
                "ABR の位置参照拡張 (mt_*_pos) には町字の名前の表 mt_town も必要です / "
                "ABR position tables (mt_*_pos) need the mt_town file too",
                path=self.first_path,
            )
        if self.srids:
            raise InputFileError(
                "ABR の座標参照系が経緯度ではありません / ABR positions not in longitude/latitude: "
                f"{sorted(self.srids)[:3]}",
                path=self.first_path,
            )

    def town_of(self, key: Key) -> tuple[str, str, str] | None:
        """(prefecture, municipality, town) of the position row ``key``."""
        return self.names.get(key[:2])

    def block_number(self, key: Key) -> int | None:
        """街区符号 of a ``blk_pos``/``rsdt_pos`` row key (lg, machiaza, blk_id, …)."""
        given = self.numbers.get("blk", {}).get(key[:3])
        return given[0] if given else _number(key[2])

    def house_numbers(self, key: Key) -> tuple[int | None, int | None]:
        """(街区符号, 住居番号) of an ``rsdt_pos`` row key; (None, None) for a 住居番号2 row."""
        if key[4]:  # 住居2ID: a sub-number (「1-2-3-4」); the plain 住居番号 row is kept
            return None, None
        given = self.numbers.get("rsdt", {}).get(key)
        if given:
            return given[0], given[1]
        return _number(key[2]), _number(key[3])

    def parcel_numbers(self, key: Key) -> tuple[int | None, int]:
        """(地番1, 地番2 or 0) of a ``parcel_pos`` row key (lg, machiaza, prc_id)."""
        given = self.numbers.get("parcel", {}).get(key)
        if given and given[0] is not None:
            return given[0], given[1] or 0
        prc = key[2]  # no number table, or a 地番1 that is not a plain number: read the ID
        if len(prc) != 15 or not prc.isdigit():
            return None, 0
        return int(prc[:5]), int(prc[5:10])


_ID_COLUMNS = {
    "town": (),
    "blk": ("blk_id",),
    "rsdt": ("blk_id", "rsdt_id", "rsdt2_id"),
    "parcel": ("prc_id",),
}
_NUMBER_COLUMNS = {
    "blk": ("blk_num",),
    "rsdt": ("blk_num", "rsdt_num"),
    "parcel": ("prc_num1", "prc_num2"),
}
