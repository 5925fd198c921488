"""Indicator tables per area (issue 14): reading, joining, at-risk people, priorities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import chiikimap
from chiikimap.needs import join_indicators, normalize_area_name, read_indicators

DATA = Path(__file__).parent / "data" / "needs"
CSV = DATA / "takamatsu_needs_r4_pct.csv"
XLSX = DATA / "takamatsu_needs_mixed.xlsx"


def _read(path: Path, **kw: object) -> pd.DataFrame:
    with pytest.warns(chiikimap.ChiikimapWarning, match="割合として読み"):
        return read_indicators(path, **kw)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("紫雲中", "紫雲中学校区（参考）"),
        ("玉藻中学校", "玉藻中学校区（参考）"),
        ("髙松第一中学校区", "高松第一中学校区（参考）"),
        ("屋島 中学校区", "屋島中学校区"),
        ("龍雲圏域", "竜雲地区"),
        ("緑ヶ丘", "緑ケ丘"),
    ],
)
def test_area_names_normalise_alike(a: str, b: str) -> None:
    assert normalize_area_name(a) == normalize_area_name(b)


def test_short_names_keep_their_last_character() -> None:
    # 「田中」 must not become 「田」
    assert normalize_area_name("田中") == "田中"


def test_percent_csv_layout_with_title_total_and_footnote() -> None:
    t = _read(CSV)
    kinds = t.attrs["chiikimap_indicators"]
    assert kinds["回答者数"]["kind"] == "count"
    assert kinds["運動器機能の低下"] == {
        "kind": "share",
        "scale": "percent",
        "label": "運動器機能の低下",
    }
    first = t.iloc[0]
    assert first["area_name"] == "桜町中学校区"
    assert first["運動器機能の低下"] == pytest.approx(0.090)
    assert first["回答者数"] == 289
    rej = chiikimap.rejected_rows(t)
    assert rej["row"].tolist() == [26, 28]  # 市全体, the footnote
    assert "合計" in rej["reason"].iloc[0]
    # rows read = kept + rejected: 22 areas + 鬼無 (kept, unmatched later) + 2 rejected
    assert len(t) == 23
    assert t.attrs["chiikimap"]["n_read"] == len(t) + len(rej)


def test_mixed_xlsx_fractions_percent_cells_counts_and_bad_rows() -> None:
    t = _read(XLSX, id_col="圏域ID")
    kinds = t.attrs["chiikimap_indicators"]
    assert kinds["運動器機能低下者の割合"]["scale"] == "fraction"
    assert kinds["転倒リスク"]["scale"] == "percent"
    assert kinds["要支援・要介護認定者数"]["kind"] == "count"
    csv = _read(CSV).set_index("area_name")
    row = t.set_index("area_id").loc["T01"]
    # the same shares, written as 0.09 in one file and 9.0 / 26.5% in the other
    assert row["運動器機能低下者の割合"] == pytest.approx(
        csv.loc["桜町中学校区", "運動器機能の低下"]
    )
    assert row["転倒リスク"] == pytest.approx(csv.loc["桜町中学校区", "転倒リスク"])
    rej = chiikimap.rejected_rows(t)
    assert rej["row"].tolist() == [26, 27, 28, 29]
    assert ["重複" in r for r in rej["reason"]] == [True, False, False, False]
    assert "範囲" in rej["reason"].iloc[1]
    assert "負" in rej["reason"].iloc[2]
    assert "数値ではありません" in rej["reason"].iloc[3]
    assert len(t) == 23  # T01-T22 and T99
    assert t.attrs["chiikimap"]["n_read"] == len(t) + len(rej)


def test_join_by_name_reports_unmatched_with_the_available_names() -> None:
    s = chiikimap.load_sample("takamatsu")
    t = _read(CSV)
    with pytest.warns(chiikimap.ChiikimapWarning, match="鬼無中学校区") as rec:
        joined = join_indicators(s.areas, t)
    assert "桜町中学校区（参考）" in str(rec[0].message)  # the available names are listed
    assert joined["運動器機能の低下"].notna().all()
    assert joined.loc[1, "回答者数"] == 657  # 紫雲中 → 紫雲中学校区（参考）


def test_join_by_id() -> None:
    s = chiikimap.load_sample("takamatsu")
    t = _read(XLSX, id_col="圏域ID")
    with pytest.warns(chiikimap.ChiikimapWarning, match="T99"):
        joined = join_indicators(s.areas, t)
    assert joined["転倒リスク"].notna().all()


def test_no_match_at_all_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("圏域名,認定者数\nどこか,10\nほか,20\n", encoding="utf-8")
    t = read_indicators(p)
    s = chiikimap.load_sample("takamatsu")
    with pytest.raises(chiikimap.SchemaError, match="一致しません"):
        join_indicators(s.areas, t)


def test_no_name_column_names_the_parameters(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(chiikimap.ColumnNotFoundError) as err:
        read_indicators(p)
    assert "name_col" in str(err.value)
