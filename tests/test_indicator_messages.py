"""The warning of read_indicators says how each column was read, in plain Japanese, and the fix.

Real slices of tests/data/needs (see its README): a workbook with a fraction column
(0.09), a percent column (「26.5%」) and a count column, and the cp932 CSV in percent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chiikimap._errors import ChiikimapWarning
from chiikimap.needs import read_indicators

DATA = Path(__file__).parent / "data" / "needs"


def _message(path: Path) -> str:
    with pytest.warns(ChiikimapWarning) as record:
        read_indicators(path)
    (text,) = [str(w.message) for w in record if "割合として読み" in str(w.message)]
    return text


def test_share_warning_names_each_kind_with_an_example_and_the_fix() -> None:
    text = _message(DATA / "takamatsu_needs_mixed.xlsx")
    ja, en = text.split(" / ", 1)
    assert ja.startswith(
        "takamatsu_needs_mixed.xlsx: 次の 2 列を割合として読み、0〜1 で保持しました。"
    )
    assert "百分率で書かれた列（例: 「転倒リスク」の 26.5 は 26.5%）: 転倒リスク。" in ja
    assert (
        "小数で書かれた列（例: 「運動器機能低下者の割合」の 0.09 は 9%）: 運動器機能低下者の割合。"
        in ja
    )
    assert "人数・件数として読んだ列: 要支援・要介護認定者数。" in ja
    assert "見出しに「率」「割合」を入れるか値に % を付け" in ja  # how to change a column's kind
    assert "% 表記" not in text
    assert "（0〜1）" not in text
    assert "written in fractions (e.g. 運動器機能低下者の割合 0.09 = 9%)" in en


def test_share_warning_of_a_percent_table_lists_every_share_once() -> None:
    text = _message(DATA / "takamatsu_needs_r4_pct.csv")
    ja = text.split(" / ", 1)[0]
    assert "次の 8 列を割合として読み" in ja
    assert "小数で書かれた列" not in ja
    assert ja.count("閉じこもり傾向") == 1
    assert "人数・件数として読んだ列: 回答者数。" in ja
