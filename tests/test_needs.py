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


# --- needs in the analysis: a hand-made case ----------------------------------------------------
def _hand_made(tmp_path: Path) -> chiikimap.Coverage:
    """2 × 2 areas of 1 km; 65+ people and two 訪問介護 offices, radius 300 m, target 0.8.

    A00 (第1区): 100 at the office (250, 250), 100 at (750, 750) → weight 200, uncovered 100
    A01 (第2区): 200 at (1500, 500), 1 km from either office → uncovered 200
    A10 (第3区): 50 at (500, 1500) → uncovered 50
    A11 (第4区): 80 at the second office (1500, 1500) → covered, status ok
    """
    from tests.fakes import grid_areas, grid_population, grid_resources

    areas = grid_areas(2)
    pop = grid_population(
        [(250, 250), (750, 750), (1500, 500), (500, 1500), (1500, 1500)], [100, 100, 200, 50, 80]
    )
    res = grid_resources([(250, 250, ("houmon_kaigo",)), (1500, 1500, ("houmon_kaigo",))])
    p = tmp_path / "needs.csv"
    p.write_text(
        "圏域名,閉じこもり傾向(%),認定者数\n第1区,20.0,30\n第2区,15.0,12\n第3区,40.0,9\n第4区,30.0,7\n",
        encoding="utf-8",
    )
    with pytest.warns(chiikimap.ChiikimapWarning, match="割合"):
        table = read_indicators(p)
    return chiikimap.analyze(
        areas,
        res,
        pop,
        radius_m=300,
        target=0.8,
        categories="houmon_kaigo",
        indicators=table,
    )


def test_at_risk_columns_known_answer(tmp_path: Path) -> None:
    cov = _hand_made(tmp_path)
    t = cov.table[cov.table["category"] == "houmon_kaigo"].set_index("area_id")
    share = "閉じこもり傾向(%)"
    assert t[share].to_dict() == pytest.approx({"A00": 0.2, "A01": 0.15, "A10": 0.4, "A11": 0.3})
    assert t["uncovered"].to_dict() == pytest.approx({"A00": 100, "A01": 200, "A10": 50, "A11": 0})
    # people at risk = weight × share; out of reach = uncovered × share
    assert t[f"{share}_at_risk"].to_dict() == pytest.approx(
        {"A00": 40, "A01": 30, "A10": 20, "A11": 24}
    )
    assert t[f"{share}_at_risk_uncovered"].to_dict() == pytest.approx(
        {"A00": 20, "A01": 30, "A10": 20, "A11": 0}
    )
    assert t["認定者数"].to_dict() == {"A00": 30, "A01": 12, "A10": 9, "A11": 7}
    assert "認定者数_at_risk" not in t.columns  # a count is carried, not multiplied
    assert cov.indicators is not None
    assert list(cov.indicators["area_id"]) == list(cov.areas["area_id"])


def test_priorities_ranking_and_quadrants_known_answer(tmp_path: Path) -> None:
    cov = _hand_made(tmp_path)
    pr = cov.priorities("閉じこもり傾向(%)", "houmon_kaigo")
    # median share 0.25: 高 = A10 (0.40), A11 (0.30); A11 is 充足 (its office covers it)
    assert pr["area_id"].tolist() == ["A10", "A11", "A01", "A00"]
    assert pr["quadrant"].tolist() == [
        "高ニーズ×不足",
        "高ニーズ×充足",
        "低ニーズ×不足",
        "低ニーズ×不足",
    ]
    assert pr["rank"].tolist() == [1, 2, 3, 4]
    assert pr["at_risk_uncovered"].tolist() == pytest.approx([20, 0, 30, 20])
    assert pr["at_risk"].tolist() == pytest.approx([20, 24, 30, 40])
    assert pr["area_name"].tolist() == ["第3区", "第4区", "第2区", "第1区"]


def test_priorities_needs_a_share_indicator(tmp_path: Path) -> None:
    cov = _hand_made(tmp_path)
    with pytest.raises(chiikimap.ParameterError):
        cov.priorities("認定者数", "houmon_kaigo")
    with pytest.raises(chiikimap.ParameterError):
        cov.priorities("閉じこもり傾向(%)", "no_such_category")


def test_indicators_on_the_takamatsu_sample() -> None:
    s = chiikimap.load_sample("takamatsu")
    t = _read(CSV)
    with pytest.warns(chiikimap.ChiikimapWarning, match="鬼無"):
        cov = chiikimap.analyze(s.areas, s.resources, s.population, indicators=t)
    pr = cov.priorities("閉じこもり傾向", "houkatsu")
    assert len(pr) == len(s.areas)
    rows = cov.table[cov.table["category"] == "houkatsu"].set_index("area_id")
    expected = rows["uncovered"] * rows["閉じこもり傾向"]
    got = pr.set_index("area_id")["at_risk_uncovered"]
    assert got.to_dict() == pytest.approx(expected.to_dict())
    assert set(pr["quadrant"]) <= {
        "高ニーズ×不足",
        "高ニーズ×充足",
        "低ニーズ×不足",
        "低ニーズ×充足",
    }
