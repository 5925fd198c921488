"""What the columns and rows of a population table mean (issue 9 item 6, issue 10 item 4).

Subtotal columns are never added to the 5-year bands, totals rows are not places, an area listed
twice and impossible numbers are errors or rejected rows with the file's row number, and the row
accounting adds up. The e-Stat file is a real slice (see tests/data/population/README.md); the
small tables written here are built by hand so that every expected count can be checked by eye.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from shapely.geometry import box

from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, InputFileError, UnknownLayoutError
from chiikimap.io import _ages
from chiikimap.io.population import KEY_CODE, read_population

DATA = Path(__file__).parent / "data" / "population"
BANDS = [f"{a}-{a + 4}歳" for a in range(0, 85, 5)] + ["85歳以上"]  # 18 bands, 0-4 … 85+


def _quiet(path: Path, **kw: object) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        return read_population(path, **kw)  # type: ignore[arg-type]


def _csv(tmp_path: Path, header: list[str], rows: list[list[object]], name: str = "t.csv") -> Path:
    p = tmp_path / name
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _accounting(gdf: gpd.GeoDataFrame) -> tuple[int, int, int, int]:
    rep = S.read_reports(gdf)[0]
    return rep["n_read"], len(gdf), len(rep["rejected"]), len(rep["duplicates"])


# one row per band: 1, 2, … 18 people, so 65+ = 14+15+16+17+18 = 80, 75+ = 16+17+18 = 51, all = 171
ROW_BANDS = list(range(1, 19))


# --- subtotals are not bands ----------------------------------------------------------------------


def test_subtotal_columns_next_to_bands_are_not_added(tmp_path: Path) -> None:
    # the case: 65歳以上 and 75歳以上 next to the bands were summed on top of them
    header = ["地域名", "緯度", "経度", "総数", *BANDS, "0-64歳", "65歳以上", "75歳以上"]
    row = ["甲町", 34.8, 135.6, 171, *ROW_BANDS, 91, 80, 51]
    gdf = read_population(_csv(tmp_path, header, [row]))
    assert gdf[[S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS]].iloc[0].tolist() == [171, 80, 51]
    rep = S.read_reports(gdf)[0]
    assert rep["columns"][S.POP_65PLUS] == "65-69歳 + 70-74歳 + 75-79歳 + 80-84歳 + 85歳以上"
    assert "65歳以上" in rep["warnings"][0]  # the subtotals recognised are named


def test_subtotals_used_only_where_bands_are_absent_and_75_counted_once(tmp_path: Path) -> None:
    # 0-64 / 65+ / 75+ × 男/女: 65+ is the subtotal column, 75+ is never added to it again
    header = ["地域名", "緯度", "経度", "0-64歳男", "0-64歳女", "65歳以上男", "65歳以上女"]
    header += ["75歳以上男", "75歳以上女"]
    gdf = read_population(_csv(tmp_path, header, [["乙町", 34.8, 135.6, 100, 110, 30, 40, 12, 20]]))
    assert gdf[[S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS]].iloc[0].tolist() == [280, 70, 32]


def test_missing_band_inside_65_plus_is_an_error_naming_it(tmp_path: Path) -> None:
    header = ["地域名", "緯度", "経度", *(b for b in BANDS if b != "70-74歳")]
    p = _csv(tmp_path, header, [["丙町", 34.8, 135.6, *range(1, 18)]])
    with pytest.raises(UnknownLayoutError, match="70-74歳"):
        read_population(p)


def test_a_missing_band_is_filled_by_a_subtotal_that_covers_it(tmp_path: Path) -> None:
    # no 75-79 band, but 75歳以上 is there: 65+ = 65-69 + 70-74 + 75歳以上 (the e-Stat 小地域 shape)
    header = ["地域名", "緯度", "経度", *BANDS[:15], "65歳以上", "75歳以上"]
    gdf = read_population(_csv(tmp_path, header, [["丁町", 34.8, 135.6, *range(1, 16), 80, 51]]))
    assert gdf[[S.POP_65PLUS, S.POP_75PLUS]].iloc[0].tolist() == [14 + 15 + 51, 51]


# --- sexes and two-row headers --------------------------------------------------------------------


def _two_row_xlsx(tmp_path: Path, sexes: list[str]) -> Path:
    """Bands merged over 男/女(/計) cells, as a municipal xlsx lays them out."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, "地域名")
    ws.cell(1, 2, "緯度")
    ws.cell(1, 3, "経度")
    col = 4
    for band in BANDS:
        ws.cell(1, col, band)
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + len(sexes) - 1)
        for k, sex in enumerate(sexes):
            ws.cell(2, col + k, sex)
        col += len(sexes)
    # band k (0-based): men k+1, women 2(k+1), 計 3(k+1)
    values: list[object] = ["戊町", 34.8, 135.6]
    for k in range(len(BANDS)):
        per = {"男": k + 1, "女": 2 * (k + 1), "計": 3 * (k + 1)}
        values += [per[s] for s in sexes]
    for j, v in enumerate(values, start=1):
        ws.cell(3, j, v)
    p = tmp_path / f"two_rows_{len(sexes)}.xlsx"
    wb.save(p)
    return p


@pytest.mark.parametrize("sexes", [["男", "女", "計"], ["男", "女"]])
def test_two_row_header_reads_both_sexes(tmp_path: Path, sexes: list[str]) -> None:
    # 65+ = 3 × (14+15+16+17+18) = 240 whether read from 計 or from 男 + 女 (it was halved before)
    gdf = read_population(_two_row_xlsx(tmp_path, sexes))
    assert gdf[[S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS]].iloc[0].tolist() == [513, 240, 153]
    used = S.read_reports(gdf)[0]["columns"][S.POP_65PLUS]
    assert ("計" in used) == ("計" in sexes)
    assert S.read_reports(gdf)[0]["n_read"] == 1  # the second header row is no data row


# --- rows: totals, duplicates, bad numbers, accounting --------------------------------------------


def test_total_rows_are_not_places(tmp_path: Path) -> None:
    header = ["地域名", "市区町村名", "緯度", "経度", *BANDS]
    rows = [
        ["樟葉", "枚方市", 34.86, 135.68, *ROW_BANDS],
        ["枚方市 計", "枚方市", 34.81, 135.65, *ROW_BANDS],
        ["全体", "枚方市", 34.81, 135.65, *ROW_BANDS],
        ["合計", "枚方市", 34.81, 135.65, *ROW_BANDS],
        ["枚方市", "枚方市", 34.81, 135.65, *ROW_BANDS],
        ["牧野（大字計）", "枚方市", 34.81, 135.65, *ROW_BANDS],
    ]
    gdf = _quiet(_csv(tmp_path, header, rows))
    assert gdf[S.NAME].tolist() == ["樟葉"]
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [3, 4, 5, 6, 7]
    assert rej["reason"].str.startswith("合計行").all()


def test_an_area_listed_twice_is_an_error(tmp_path: Path) -> None:
    header = ["地域名", "緯度", "経度", *BANDS]
    rows = [
        ["青山台", 34.66, 135.70, *ROW_BANDS],
        ["有里町", 34.67, 135.70, *ROW_BANDS],
        ["青山台", 34.66, 135.70, *ROW_BANDS],
    ]
    with pytest.raises(InputFileError, match="行 2 と 行 4") as info:
        read_population(_csv(tmp_path, header, rows))
    assert info.value.row == 4


def test_area_table_id_listed_twice_is_an_error(tmp_path: Path) -> None:
    p = _csv(tmp_path, ["圏域ID", "65歳以上"], [["A", 10], ["B", 20], ["A", 30]])
    with pytest.raises(InputFileError, match="行 2 と 行 4"):
        read_population(p, id_col="圏域ID")


@pytest.mark.parametrize(
    ("cell", "word"),
    [("inf", "人数ではありません"), ("NaN", "人数ではありません"), ("-3", "負の数")],
)
def test_inf_nan_text_and_negatives_are_rejected_with_the_file_row(
    tmp_path: Path, cell: str, word: str
) -> None:
    header = ["地域名", "緯度", "経度", *BANDS]
    bad = [*ROW_BANDS]
    bad[14] = cell  # the 70-74 band
    rows = [
        ["甲", 34.8, 135.6, *ROW_BANDS],
        ["乙", 34.8, 135.61, *bad],
        ["丙", 34.8, 135.62, *ROW_BANDS],
    ]
    gdf = _quiet(_csv(tmp_path, header, rows))
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [3]  # file row 3 (header = row 1), not a frame index
    assert word in rej["reason"].iloc[0]
    assert "70-74歳" in rej["reason"].iloc[0]
    assert _accounting(gdf) == (3, 2, 1, 0)


def test_area_table_negative_count_names_the_file_row(tmp_path: Path) -> None:
    # the issue: a negative was reported later by analyze as "行 [0]" (a frame index)
    p = _csv(tmp_path, ["圏域ID", "65歳以上"], [["A", -5], ["B", 20]])
    gdf = _quiet(p, id_col="圏域ID")
    assert S.rejected_rows(gdf)["row"].tolist() == [2]
    assert gdf[S.AREA_ID].tolist() == ["B"]


def test_accounting_adds_up_for_seven_rows(tmp_path: Path) -> None:
    # the issue: "read 6, kept 6, rejected 1" for 7 rows
    header = ["地域名", "緯度", "経度", *BANDS]
    rows: list[list[object]] = [[f"町{k}", 34.8, 135.6 + k / 100, *ROW_BANDS] for k in range(6)]
    rows.append(["合計", 34.8, 135.6, *ROW_BANDS])
    gdf = _quiet(_csv(tmp_path, header, rows))
    assert _accounting(gdf) == (7, 6, 1, 0)


def test_area_table_accounting_counts_the_total_row() -> None:
    gdf = _quiet(DATA / "synthetic_area_table.csv", id_col="圏域ID")
    assert _accounting(gdf) == (4, 3, 1, 0)


@pytest.mark.parametrize(
    "name", ["population_0066_202602_head20.xlsx", "population_0066_202305_cp932_head20.csv"]
)
def test_takamatsu_accounting(name: str) -> None:
    gdf = read_population(DATA / name)
    assert _accounting(gdf) == (20, 20, 0, 0)


def test_census_parts_are_counted_as_merged() -> None:
    # 23 features, 19 KEY_CODEs (壱分町 230 and 231 in 2 parts each, 上町 1012 in 3): 4 parts merged
    gdf = read_population(DATA / "r2ka29209_town_slice.topojson")
    assert _accounting(gdf) == (23, 19, 0, 4)
    dups = S.read_reports(gdf)[0]["duplicates"]
    assert all(d["row"] > d["kept_row"] for d in dups)
    assert sorted({d["name"] for d in dups}) == sorted({"壱分町", "上町"})


# --- e-Stat 国勢調査 小地域 年齢（5歳階級、4区分）別 (real rows) ------------------------------------------


def _aoba_boundary() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"KEY_CODE": ["041010010"]}, geometry=[box(140.86, 38.26, 140.87, 38.27)], crs="EPSG:6668"
    )


def test_estat_small_area_age_table_uses_bands_and_the_75_plus_subtotal() -> None:
    # bands stop at 70-74; 75歳以上 is only a subtotal, 65歳以上 a subtotal over both.
    # 青葉町: 65-69 = 38, 70-74 = 38, 75+ = 67 → 65+ = 143 (= the file's own 65歳以上); total 649.
    gdf = _quiet(DATA / "estat_tblT001082C04_head.txt", boundaries=_aoba_boundary())
    assert gdf[S.NAME].tolist() == ["青葉町"]
    assert gdf[[S.POP_TOTAL, S.POP_65PLUS, S.POP_75PLUS]].iloc[0].tolist() == [649, 143, 67]
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [3]  # the 仙台市青葉区 row (HYOSYO 1) is the ward's total
    assert _accounting(gdf) == (2, 1, 1, 0)
    cols = S.read_reports(gdf)[0]["columns"]
    assert cols[S.POP_65PLUS] == "総数65~69歳 + 総数70~74歳 + 総数75歳以上"


def test_estat_parent_rows_are_totals_of_their_children(tmp_path: Path) -> None:
    # synthetic rows in the e-Stat layout: 町 041010020 (HYOSYO 2) is the sum of its two 丁目
    src = (DATA / "estat_tblT001082C04_head.txt").read_bytes().decode("cp932").splitlines()
    head = src[:2]
    n = 60

    def line(code: str, level: int, name: str, v: int) -> str:
        return f"{code},{level},仙台市青葉区,{name},0,,," + ",".join([str(v)] * n)

    rows = [line("041010020", 2, "甲町", 2), line("04101002001", 3, "甲町1丁目", 1)]
    rows.append(line("04101002002", 3, "甲町2丁目", 1))
    p = tmp_path / "estat.txt"
    p.write_bytes("\r\n".join([*head, *rows]).encode("cp932"))
    parts = gpd.GeoDataFrame(
        {"KEY_CODE": ["04101002001", "04101002002"]},
        geometry=[box(140.0, 38.0, 140.01, 38.01), box(140.01, 38.0, 140.02, 38.01)],
        crs="EPSG:6668",
    )
    gdf = _quiet(p, boundaries=parts)
    assert gdf[KEY_CODE].tolist() == [
        "04101002001",
        "04101002002",
    ]
    assert S.rejected_rows(gdf)["row"].tolist() == [3]


# --- the age-label parser -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "parsed"),
    [
        ("65-69歳の男性", (65, 69, "m")),
        ("85歳以上の女性", (85, np.inf, "f")),
        ("85歳の男性以上", (85, np.inf, "m")),  # as one published file spells it
        ("男０～４歳", (0, 4, "m")),
        ("総数７５歳以上", (75, np.inf, "t")),
        ("女性計", None),
        ("６５歳以上人口　総数", (65, np.inf, "t")),
        ("15歳未満", (0, 14, "t")),
        ("うち75歳以上", (75, np.inf, "t")),
        ("female_85_plus", (85, np.inf, "f")),
        ("2020-10", None),
        ("世帯数", None),
        ("年齢不詳の男性", None),
    ],
)
def test_age_labels(label: str, parsed: tuple[int, float, str] | None) -> None:
    assert _ages.parse_age_label(label) == parsed


def test_census_file_whose_crs_contradicts_its_coordinates_is_refused(tmp_path: Path) -> None:
    from chiikimap._errors import CRSError

    src = gpd.read_file(DATA / "r2ka29209_town_slice.topojson", layer="town").set_crs("EPSG:6668")
    bad = src.to_crs("EPSG:6674").set_crs("EPSG:6668", allow_override=True)
    path = tmp_path / "r2ka_metres.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(CRSError, match=r"r2ka_metres\.geojson"):
        read_population(path)


def test_resource_points_whose_crs_contradicts_their_coordinates_are_refused(
    tmp_path: Path,
) -> None:
    from chiikimap._errors import CRSError
    from chiikimap.io.resources import read_resources

    pts = gpd.GeoDataFrame(
        {"name": ["A", "B"], "category": ["通所介護", "訪問介護"]},
        geometry=gpd.points_from_xy([135.70, 135.71], [34.69, 34.70]),
        crs="EPSG:6668",
    ).set_crs("EPSG:6674", allow_override=True)
    path = tmp_path / "points.geojson"
    pts.to_file(path, driver="GeoJSON")
    with pytest.raises(CRSError, match=r"points\.geojson"):
        read_resources(path)


# the header of the e-Stat 小地域 age table with every band to 100歳以上 and the subtotals 15歳未満,
# 15～64歳, 65歳以上, 75歳以上, 85歳以上, plus 総年齢 and 平均年齢 (not counts), as public code writes it
_ESTAT_FULL = "総数,{b},100歳以上,年齢「不詳」,総年齢,平均年齢,15歳未満,15～64歳,65歳以上,75歳以上,85歳以上,外国人"
_BANDS_FW = ",".join(f"{a}～{a + 4}歳" for a in range(0, 100, 5))


def test_estat_full_band_header_prefers_bands_over_every_subtotal() -> None:
    header = ["市区町村コード", "町丁字コード", "大字・町名", "字・丁目名"]
    for sex in ("", "男", "女"):
        header += [sex + h for h in _ESTAT_FULL.format(b=_BANDS_FW).split(",")]
    cols = _ages.age_columns(header)
    unknown = {j: s for j, h in enumerate(header) if (s := _ages.unknown_age_sex(h)) is not None}
    plan = _ages.plan_counts(cols, unknown)
    labels = {start: [header[j] for j in plan.used(start)] for start in (0, 65, 75)}
    assert labels[65] == [f"{a}～{a + 4}歳" for a in range(65, 100, 5)] + ["100歳以上"]
    assert labels[75] == [f"{a}～{a + 4}歳" for a in range(75, 100, 5)] + ["100歳以上"]
    assert len(labels[0]) == 21
    assert [header[j] for j in plan.unknown] == ["年齢「不詳」"]
    subtotal_labels = {c.label for c in plan.subtotals}
    assert {"65歳以上", "75歳以上", "85歳以上", "15歳未満", "男65歳以上"} <= subtotal_labels
    assert not any("平均" in h or "総年齢" in h for h in (c.label for c in cols))


def test_census_negative_or_infinite_jinko_is_rejected_with_its_row(tmp_path: Path) -> None:
    from tests.test_population import _census_file

    path = _census_file(tmp_path / "c.geojson", ["1", "2", "3"], [10.0, -4.0, 7.0])
    gdf = _quiet(path)
    assert gdf["key_code"].tolist() == ["1", "3"]
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [2]
    assert "JINKO" in rej["reason"].iloc[0]
    assert _accounting(gdf) == (3, 2, 1, 0)


def test_a_subtotal_that_disagrees_with_its_bands_is_reported(tmp_path: Path) -> None:
    # 65歳以上 says 81 where the bands add up to 80: the bands are used and the row is named
    header = ["地域名", "緯度", "経度", *BANDS, "65歳以上"]
    rows = [["甲町", 34.8, 135.6, *ROW_BANDS, 80], ["乙町", 34.8, 135.61, *ROW_BANDS, 81]]
    with pytest.warns(ChiikimapWarning, match=r"65歳以上: 行 \[3\]"):
        gdf = read_population(_csv(tmp_path, header, rows))
    assert gdf[S.POP_65PLUS].tolist() == [80, 80]


def test_estat_subtotals_agree_with_the_bands() -> None:
    # the real rows: 65歳以上 = 65-69 + 70-74 + 75歳以上 in every sex, so no note is written
    gdf = _quiet(DATA / "estat_tblT001082C04_head.txt", boundaries=_aoba_boundary())
    assert not any("一致しない" in w for w in S.read_reports(gdf)[0]["warnings"])


def test_two_columns_for_the_same_ages_are_an_error(tmp_path: Path) -> None:
    header = ["地域名", "緯度", "経度", *BANDS, "65～69歳"]
    p = _csv(tmp_path, header, [["甲町", 34.8, 135.6, *ROW_BANDS, 14]])
    with pytest.raises(UnknownLayoutError, match="同じ年齢区分の列が 2 つ"):
        read_population(p)


def test_one_sex_missing_a_band_is_named_with_its_sex(tmp_path: Path) -> None:
    header = ["地域名", "緯度", "経度"]
    header += [f"{b}の男性" for b in BANDS] + [f"{b}の女性" for b in BANDS if b != "80-84歳"]
    p = _csv(tmp_path, header, [["甲町", 34.8, 135.6, *ROW_BANDS, *range(1, 18)]])
    with pytest.raises(UnknownLayoutError, match="女: 80-84歳"):
        read_population(p)


def test_area_table_nan_text_is_rejected(tmp_path: Path) -> None:
    p = _csv(tmp_path, ["圏域ID", "総人口", "65歳以上"], [["A", 100, "NaN"], ["B", 200, 20]])
    gdf = _quiet(p, id_col="圏域ID")
    rej = S.rejected_rows(gdf)
    assert rej["row"].tolist() == [2]
    assert "'NaN'" in rej["reason"].iloc[0]


def test_analyze_names_a_hand_built_negative_by_index_label_not_as_a_file_row() -> None:
    # the issue: "行 [0]" read as a file row; files never get here (the reader rejects them)
    from chiikimap._errors import SchemaError
    from chiikimap.coverage import analyze
    from tests.fakes import grid_areas, grid_population, grid_resources

    pop = grid_population([(500, 500), (1500, 500)], [10.0, -2.0]).set_axis(["町a", "町b"])
    with pytest.raises(SchemaError, match=r"index \['町b'\]"):
        analyze(grid_areas(), grid_resources([(500, 500, ("kayoi_no_ba",))]), pop)
