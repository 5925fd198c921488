"""Resource identity: one resource per 事業所番号, one per facility across sources (issue 9).

Known answers worked out by hand on the metric grid of ``tests.fakes`` (UTM zone 53, where
distances are exact), plus real MHLW open-data files in ``tests/data/identity``.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import chiikimap
from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, ParameterError
from chiikimap._identity import (
    addresses_agree,
    names_agree,
    normalize_address,
    normalize_name,
)
from chiikimap.coverage import analyze
from chiikimap.io.resources import read_resources
from tests.fakes import grid_areas, grid_points

HEADER = "事業所番号,事業所名,サービスの種類,住所,緯度,経度,定員\n"


def _line(number: str, name: str, service: str, xy: tuple[float, float], cap: str = "") -> str:
    p = grid_points([xy]).iloc[0]
    return f"{number},{name},{service},枚方市テスト町1-1,{p.y!r},{p.x!r},{cap}\n"


def _write(path: Path, *lines: str) -> Path:
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _accounting(gdf: gpd.GeoDataFrame) -> tuple[int, int, int, int]:
    """(read, kept, rejected, merged) over every report; asserts read = kept + rejected + merged."""
    reports = S.read_reports(gdf)
    n_read = sum(r["n_read"] for r in reports)
    n_rej = sum(len(r["rejected"]) for r in reports)
    n_dup = sum(len(r["duplicates"]) for r in reports)
    assert n_read == len(gdf) + n_rej + n_dup
    assert len(S.rejected_rows(gdf)) == n_rej + n_dup
    return n_read, len(gdf), n_rej, n_dup


# --- normalisation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("社会福祉法人　聖徳会 ひらかた聖徳園", "聖徳会ひらかた聖徳園"),
        ("株式会社ケア・サポート", "ケアサポート"),
        ("㈱ケアサポート", "ケアサポート"),  # NFKC: ㈱ → (株)
        ("（有）ケアサポート", "ケアサポート"),
        ("医療法人社団 大潤会 よしだ医院", "大潤会よしだ医院"),
        ("ＮＰＯ法人　ふれあい", "ふれあい"),
        ("特定非営利活動法人ふれあい", "ふれあい"),
    ],
)
def test_normalize_name(raw: str, expected: str):
    assert normalize_name(raw) == expected


def test_normalize_address():
    assert normalize_address("大阪府枚方市香里ヶ丘三丁目15番1号") == "枚方市香里ケ丘3-15-1"
    assert normalize_address("枚方市香里ケ丘３丁目１５－１") == "枚方市香里ケ丘3-15-1"
    assert normalize_address("香川県高松市番町一丁目8番15号") == "高松市番町1-8-15"
    assert normalize_address("大阪府枚方市中宮東之町8-15 2階") == "枚方市中宮東之町8-152階"


def test_names_and_addresses_agree():
    assert names_agree("医療法人　大潤会　よしだ医院デイケアセンター", "よしだ医院デイケアセンター")
    assert names_agree("ひらかた聖徳園", "社会福祉法人聖徳会 ひらかた聖徳園")
    assert not names_agree("ひらかた聖徳園", "アーバンナイト")
    assert not names_agree("ケア", "ケアサポート")  # too short to match inside another name
    assert not names_agree("", "")
    assert not names_agree("ケアショップ12", "ケアショップ123")  # inside, but another number
    assert not names_agree("デイサービス第一センター", "デイサービス第二センター")
    assert names_agree("グループホーム1号館", "(株)グループホーム 1号館")
    assert addresses_agree("大阪府枚方市香里ヶ丘3丁目15-1", "枚方市香里ケ丘三丁目15番1号")
    assert addresses_agree("香里ケ丘3丁目15-1", "大阪府枚方市香里ヶ丘3丁目15-1")  # no city
    assert not addresses_agree("枚方市香里ケ丘3丁目15-1", "枚方市香里ケ丘3丁目15-2")
    assert not addresses_agree("", "")


# --- rule 1: one resource per registered service -------------------------------------------------
def test_rows_with_one_office_number_are_one_resource_with_capacities_per_category(tmp_path):
    path = _write(
        tmp_path / "offices.csv",
        # rows 2-3: one 事業所 (老健 100 + its short stay 20), coordinates 3 m apart
        _line("2750000001", "老健さくら", "介護老人保健施設", (100, 100), "100"),
        _line("2750000001", "老健さくら", "短期入所療養介護", (103, 100), "20"),
        # rows 4-5: distinct numbers at one point: a 特養 of 120 and its short stay of 10
        _line("2770000002", "特養もみじ", "介護老人福祉施設", (500, 500), "120"),
        _line("2770000003", "特養もみじ", "短期入所生活介護", (500, 500), "10"),
        # rows 6-7: one number listed twice for one category (定員 add up: 12 + 8)
        _line("2770000004", "デイひまわり", "通所介護", (900, 900), "12"),
        _line("2770000004", "デイひまわり", "地域密着型通所介護", (900, 904), "8"),
    )
    with pytest.warns(ChiikimapWarning, match=r"重複 2 行（行 3, 7）"):
        gdf = read_resources(path)
    assert gdf["resource_id"].tolist() == ["2750000001", "2770000002", "2770000003", "2770000004"]
    by_id = gdf.set_index("resource_id")
    assert by_id.loc["2750000001", "categories"] == ("shisetsu", "tanki_nyusho")
    assert by_id.loc["2750000001", "capacities"] == {"shisetsu": 100.0, "tanki_nyusho": 20.0}
    assert by_id.loc["2750000001", "capacity"] == 100.0  # the first category's
    assert by_id.loc["2770000002", "capacities"] == {"shisetsu": 120.0}
    assert by_id.loc["2770000003", "capacities"] == {"tanki_nyusho": 10.0}
    assert by_id.loc["2770000004", "capacities"] == {"tsusho_kaigo": 20.0}
    # the first row's point is kept
    kept = by_id.loc["2750000001", "geometry"]
    first = grid_points([(100, 100)]).iloc[0]
    assert (kept.x, kept.y) == pytest.approx((first.x, first.y), abs=1e-9)
    # each merge is a rejected_rows row, with the row kept and the distance
    rej = S.rejected_rows(gdf).set_index("row")
    assert rej.index.tolist() == [3, 7]
    assert rej.loc[3, "reason"].startswith("重複（事業所番号 2750000001 が同じ: 行 2 に統合")
    assert rej.loc[3, "kept_row"] == 2
    assert rej.loc[3, "distance_m"] == pytest.approx(3.0, abs=0.05)
    assert rej.loc[7, "distance_m"] == pytest.approx(4.0, abs=0.05)
    assert rej.loc[3, "values"]["サービスの種類"] == "短期入所療養介護"
    assert _accounting(gdf) == (6, 4, 0, 2)


def test_capacity_per_category_in_the_table_is_the_sum_of_its_rows(tmp_path):
    path = _write(
        tmp_path / "offices.csv",
        _line("2750000001", "老健さくら", "介護老人保健施設", (100, 100), "100"),
        _line("2750000001", "老健さくら", "短期入所療養介護", (103, 100), "20"),
        _line("2770000002", "特養もみじ", "介護老人福祉施設", (500, 500), "120"),
        _line("2770000003", "特養もみじ", "短期入所生活介護", (500, 500), "10"),
        _line("2770000005", "ショートかえで", "短期入所生活介護", (2500, 2500), ""),
    )
    with pytest.warns(ChiikimapWarning):
        res = read_resources(path)
    cov = analyze(grid_areas(3), res, weight="area")
    t = cov.table.set_index(["area_id", "category"])
    # area A00 (0-1000 m): 老健 100 + 特養 120 in 施設; short stays 20 + 10
    assert t.loc[("A00", "shisetsu"), "n_resources"] == 2
    assert t.loc[("A00", "shisetsu"), "capacity"] == 220.0
    assert t.loc[("A00", "tanki_nyusho"), "n_resources"] == 2
    assert t.loc[("A00", "tanki_nyusho"), "capacity"] == 30.0
    # A22: one short stay of unknown capacity
    assert t.loc[("A22", "tanki_nyusho"), "n_resources"] == 1
    assert math.isnan(t.loc[("A22", "tanki_nyusho"), "capacity"])


def test_identical_rows_without_a_number_merge_and_near_identical_ones_do_not(tmp_path):
    path = tmp_path / "salons.csv"
    p = grid_points([(100, 100)]).iloc[0]
    path.write_text(
        "名称,種別,緯度,経度,定員\n"
        f"サロンA,通いの場,{p.y!r},{p.x!r},20\n"
        f"サロンA,通いの場,{p.y!r},{p.x!r},20\n"  # identical: merged, capacity not doubled
        f"サロンA,配食,{p.y!r},{p.x!r},20\n"  # another service: its own resource
        f"サロンA,通いの場,{p.y!r},{p.x!r},25\n",  # another 定員: its own resource
        encoding="utf-8",
    )
    with pytest.warns(ChiikimapWarning, match=r"重複 1 行（行 3）"):
        gdf = read_resources(path)
    assert len(gdf) == 3
    assert gdf["capacities"].tolist() == [
        {"kayoi_no_ba": 20.0},
        {"haishoku": 20.0},
        {"kayoi_no_ba": 25.0},
    ]
    assert S.rejected_rows(gdf)["reason"].iloc[0].startswith("重複（全項目が同じ: 行 2 に統合）")
    assert gdf["office_number"].tolist() == ["", "", ""]
    _accounting(gdf)


def test_one_office_in_two_files_is_one_resource_and_a_far_one_is_reported(tmp_path):
    rental = _write(
        tmp_path / "jigyosho_170.csv",
        _line("2770000010", "用具ショップ北", "福祉用具貸与", (100, 100)),
        _line("2770000011", "用具ショップ南", "福祉用具貸与", (2000, 100)),
    )
    sales = _write(
        tmp_path / "jigyosho_410.csv",
        _line("2770000010", "用具ショップ北", "特定福祉用具販売", (100, 106)),  # 6 m
        _line("2770000011", "用具ショップ南", "特定福祉用具販売", (2000, 450)),  # 350 m
    )
    with pytest.warns(ChiikimapWarning) as rec:
        gdf = read_resources([rental, sales])
    text = "\n".join(str(w.message) for w in rec)
    assert len(gdf) == 2
    assert gdf["categories"].tolist() == [("fukushi_yogu",), ("fukushi_yogu",)]
    assert gdf["source"].tolist() == ["jigyosho_170.csv", "jigyosho_170.csv"]
    assert "事業所番号 2770000011（用具ショップ南）の位置がファイル間で 350 m 離れています" in text
    assert "2770000010" not in text  # 6 m apart: no spread warning
    rej = S.rejected_rows(gdf)
    assert rej["file"].tolist() == ["jigyosho_410.csv", "jigyosho_410.csv"]
    assert rej["kept_file"].tolist() == ["jigyosho_170.csv", "jigyosho_170.csv"]
    assert rej["distance_m"].tolist() == pytest.approx([6.0, 350.0], abs=0.05)
    assert _accounting(gdf) == (4, 2, 0, 2)


# --- rule 2: merge_resources ---------------------------------------------------------------------
def _layer(rows: list[dict], source: str) -> gpd.GeoDataFrame:
    pts = grid_points([r.pop("xy") for r in rows]).to_numpy()
    data = {
        S.RESOURCE_ID: [r.get("id", f"{source}-{i}") for i, r in enumerate(rows)],
        S.NAME: [r["name"] for r in rows],
        S.CATEGORY: [r["cats"][0] for r in rows],
        S.CATEGORIES: [tuple(r["cats"]) for r in rows],
        S.CAPACITY: [r.get("cap", np.nan) for r in rows],
        S.ADDRESS: [r.get("address", "") for r in rows],
        S.SOURCE: [source] * len(rows),
        S.OFFICE_NUMBER: [r.get("number", "") for r in rows],
    }
    return gpd.GeoDataFrame(data, geometry=pts, crs=S.STORAGE_CRS)


def _mhlw_and_city() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    mhlw = _layer(
        [
            {"name": "ひらかた聖徳園", "cats": ["shisetsu"], "xy": (100, 100), "cap": 120.0,
             "number": "2772400889", "id": "2772400889", "address": "枚方市香里ケ丘3丁目15-1"},
            {"name": "ひらかた聖徳園", "cats": ["tanki_nyusho"], "xy": (100, 100), "cap": 10.0,
             "number": "2772400970", "id": "2772400970", "address": "枚方市香里ケ丘3丁目15-1"},
            {"name": "デイサービスあおい", "cats": ["tsusho_kaigo"], "xy": (1000, 1000),
             "number": "2770000100", "id": "2770000100", "address": "枚方市青葉町1-2"},
        ],
        "mhlw.csv",
    )  # fmt: skip
    city = _layer(
        [
            # the 特養 again, 12 m away, with its legal form: merged into the MHLW 特養
            {"name": "社会福祉法人聖徳会 ひらかた聖徳園", "cats": ["shisetsu"], "xy": (112, 100),
             "cap": 130.0},
            # another name, same address written otherwise, 30 m away: merged by address
            {"name": "あおいデイ", "cats": ["tsusho_kaigo", "kayoi_no_ba"], "xy": (1030, 1000),
             "address": "大阪府枚方市青葉町一丁目2番", "cap": 25.0},
            # same name but 60 m away: another place
            {"name": "デイサービスあおい", "cats": ["tsusho_kaigo"], "xy": (1000, 1060)},
            # 20 m away, other name and address: another facility
            {"name": "ふれあいサロン", "cats": ["kayoi_no_ba"], "xy": (100, 120),
             "address": "枚方市香里ケ丘3丁目16-2"},
        ],
        "city.xlsx",
    )  # fmt: skip
    return mhlw, city


def test_merge_resources_known_answers():
    mhlw, city = _mhlw_and_city()
    with pytest.warns(ChiikimapWarning, match=r"同じ施設と判断した 2 件") as rec:
        out = chiikimap.merge_resources([mhlw, city])
    assert len(rec) == 1  # one warning gives the count
    assert out["resource_id"].tolist() == [
        "2772400889",
        "2772400970",
        "2770000100",
        "city.xlsx-2",
        "city.xlsx-3",
    ]
    by_id = out.set_index("resource_id")
    # the city's 特養 row adds nothing new; the MHLW capacity is kept (not added up)
    assert by_id.loc["2772400889", "categories"] == ("shisetsu",)
    assert by_id.loc["2772400889", "capacities"] == {"shisetsu": 120.0}
    # the short stay with its own number stays alone, with its own capacity
    assert by_id.loc["2772400970", "capacities"] == {"tanki_nyusho": 10.0}
    # merged by address: union of the categories; the city knows the 通いの場 capacity only
    assert by_id.loc["2770000100", "categories"] == ("tsusho_kaigo", "kayoi_no_ba")
    assert by_id.loc["2770000100", "capacities"] == {"tsusho_kaigo": 25.0, "kayoi_no_ba": 25.0}
    rej = S.rejected_rows(out)
    assert rej["file"].tolist() == ["city.xlsx", "city.xlsx"]
    assert rej["row"].tolist() == [1, 2]
    assert rej["kept_row"].tolist() == [1, 3]
    assert rej["distance_m"].tolist() == pytest.approx([12.0, 30.0], abs=0.05)
    assert rej["values"].iloc[0][S.NAME] == "社会福祉法人聖徳会 ひらかた聖徳園"
    assert rej["kept_values"].iloc[0][S.NAME] == "ひらかた聖徳園"
    assert rej["reason"].str.startswith("重複（別の出典の同じ施設").all()
    S.validate_resources(out)
    assert out.crs.to_epsg() == 6668


def test_merge_resources_within_m_and_distinct_numbers():
    mhlw, city = _mhlw_and_city()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # 10 m: only pairs within 10 m would merge; none is
        out = chiikimap.merge_resources([mhlw, city], within_m=10)
    assert len(out) == len(mhlw) + len(city)
    assert S.rejected_rows(out).empty
    # a city row that carries another 事業所番号 is never merged, however close and alike
    other = _layer(
        [
            {
                "name": "ひらかた聖徳園",
                "cats": ["shisetsu"],
                "xy": (100, 101),
                "number": "2772409999",
            }
        ],
        "other.csv",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = chiikimap.merge_resources([mhlw, other])
    assert len(out) == 4
    # the same 事業所番号 in two layers is one resource, however far apart
    far = _layer(
        [{"name": "別名", "cats": ["haishoku"], "xy": (900, 100), "number": "2772400889"}],
        "far.csv",
    )
    with pytest.warns(ChiikimapWarning) as rec:
        out = chiikimap.merge_resources([mhlw, far])
    assert len(out) == 3
    assert out["categories"].iloc[0] == ("shisetsu", "haishoku")
    assert any("800 m 離れています" in str(w.message) for w in rec)


def test_one_address_without_a_common_category_is_two_facilities():
    # a hospital and the 老健 beside it share an address 4 m apart: not one facility
    hospital = _layer(
        [
            {
                "name": "大寿会病院",
                "cats": ["byoin"],
                "xy": (100, 100),
                "address": "枚方市伊加賀西町47-1",
            }
        ],
        "medical.csv",
    )
    roken = _layer(
        [{"name": "老健ユートピア", "cats": ["shisetsu"], "xy": (104, 100),
          "address": "大阪府枚方市伊加賀西町４７－１"}],
        "care.csv",
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(chiikimap.merge_resources([roken, hospital])) == 2
    # the same address and a category in common: one facility under two names
    day = _layer(
        [{"name": "ユートピア通所", "cats": ["shisetsu", "tsusho_reha"], "xy": (110, 100),
          "address": "枚方市伊加賀西町47番1号"}],
        "city.csv",
    )  # fmt: skip
    with pytest.warns(ChiikimapWarning, match="同じ施設と判断した 1 件"):
        out = chiikimap.merge_resources([roken, day])
    assert out["categories"].tolist() == [("shisetsu", "tsusho_reha")]


def test_merge_resources_keeps_accounting_of_read_layers(tmp_path):
    a = _write(
        tmp_path / "a.csv",
        _line("2770000001", "老健さくら", "介護老人保健施設", (100, 100), "100"),
        _line("2770000001", "老健さくら", "短期入所療養介護", (101, 100), "20"),
        _line("2770000002", "訪問介護ひかり", "訪問介護", (2000, 2000)),
    )
    b = tmp_path / "b.csv"
    p = grid_points([(110, 100)]).iloc[0]
    q = grid_points([(800, 800)]).iloc[0]
    b.write_text(
        "名称,種別,緯度,経度\n"
        f"老健 さくら,介護老人保健施設,{p.y!r},{p.x!r}\n"
        f"サロンすみれ,通いの場,{q.y!r},{q.x!r}\n"
        "座標なしの家,通いの場,,\n",
        encoding="utf-8",
    )
    with pytest.warns(ChiikimapWarning):
        la = read_resources(a)
    with pytest.warns(ChiikimapWarning):
        lb = read_resources(b)
    with pytest.warns(ChiikimapWarning):
        out = chiikimap.merge_resources([la, lb])
    # 6 rows read = 3 resources + 1 rejected + 2 merged (one by number, one across sources)
    assert _accounting(out) == (6, 3, 1, 2)
    # read_resources of both files applies the same rule and gives the same resources
    with pytest.warns(ChiikimapWarning):
        both = read_resources([a, b])
    assert _accounting(both) == (6, 3, 1, 2)
    assert both["categories"].tolist() == out["categories"].tolist()
    assert both["capacities"].tolist() == out["capacities"].tolist()


def test_merge_resources_rejects_bad_arguments():
    mhlw, _ = _mhlw_and_city()
    with pytest.raises(ParameterError) as exc:
        chiikimap.merge_resources([])
    assert exc.value.param == "layers"
    for bad in (-1, math.nan, "50"):
        with pytest.raises(ParameterError) as exc:
            chiikimap.merge_resources([mhlw], within_m=bad)
        assert exc.value.param == "within_m"
    with pytest.raises(chiikimap.SchemaError):
        chiikimap.merge_resources([mhlw.drop(columns="categories")])


# --- item 9: every output counts the same thing ---------------------------------------------------
def test_map_legends_count_what_the_table_counts(tmp_path):
    import json
    import re

    from chiikimap.maps.interactive import gap_map
    from chiikimap.maps.static import static_map

    path = _write(
        tmp_path / "offices.csv",
        # 老健 + its short stay (one 事業所番号): counted under 入所施設 and under 短期入所
        _line("2750000001", "老健さくら", "介護老人保健施設", (100, 100), "100"),
        _line("2750000001", "老健さくら", "短期入所療養介護", (103, 100), "20"),
        _line("2770000002", "特養もみじ", "介護老人福祉施設", (1500, 500), "120"),
        _line("2770000003", "特養もみじ", "短期入所生活介護", (1500, 500), "10"),
        # a short stay east of the 3 × 3 km grid: in no area
        _line("2770000005", "ショートかえで", "短期入所生活介護", (3500, 500)),
    )
    with pytest.warns(ChiikimapWarning):
        res = read_resources(path)
    cov = analyze(grid_areas(3), res, weight="area", categories=["shisetsu", "tanki_nyusho"])
    in_areas = cov.table.groupby("category")["n_resources"].sum().to_dict()
    assert in_areas == {"shisetsu": 2, "tanki_nyusho": 2}
    assert len(cov.unassigned) == 1
    tax = cov.taxonomy

    # print map: one legend row per category with the number of resources that have it
    fig = static_map(cov)
    labels = [t.get_text() for t in fig.legends[-1].get_texts()]
    assert labels == [  # taxonomy order
        f"{tax['tanki_nyusho'].display('ja')}（3、うち圏域外 1）",
        f"{tax['shisetsu'].display('ja')}（2）",
    ]

    page = gap_map(cov, tiles=None).get_root().render()
    match = re.search(r"var D = (\{.*?\});\n", page)
    assert match
    data = json.loads(match.group(1))
    counts = {c["key"]: c["n"] for c in data["cats"]}
    assert counts["shisetsu"] == "（2）"
    assert counts["tanki_nyusho"] == "（3、うち圏域外 1）"


# --- real files: the 枚方市 care offices and the 枚方市 medical list ------------------------------
REAL = Path(__file__).parent / "data"


def test_real_care_offices_and_medical_list_merge_the_same_places():
    from pyproj import Geod

    care = read_resources(REAL / "resources" / "hirakata_jigyosho_slice.geojson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)  # the classifier's notes
        med = read_resources(
            REAL / "identity" / "hirakata_medical_slice.geojson", category_col="category_label"
        )
    assert (len(care), len(med)) == (60, 20)
    with pytest.warns(ChiikimapWarning, match=r"同じ施設と判断した 15 件") as rec:
        out = chiikimap.merge_resources([care, med])
    assert len([w for w in rec if "同じ施設と判断した" in str(w.message)]) == 1
    assert len(out) == 60 + 20 - 15
    assert _accounting(out)[3] == 15
    rej = S.rejected_rows(out)
    pairs = {r["values"]["name"]: r["kept_values"]["name"] for _, r in rej.iterrows()}
    # the same clinic under its legal form or with its care service in the name
    assert pairs["医療法人悠悠堂　高木診療所"] == "医療法人悠悠堂高木診療所"
    assert pairs["医療法人大潤会　よしだ医院"] == "医療法人　大潤会　よしだ医院デイケアセンター"
    assert pairs["東香里病院"] == "東香里病院訪問看護ステーション"
    # kept apart: another facility at the same address, or a same-named one beyond 50 m
    for name in ("医療法人大寿会　大寿会病院", "医療法人城青会　城クリニック", "渚クリニック"):
        assert name not in pairs
        assert name in set(out["name"])
    assert "医療法人内藤会　内藤クリニック" not in pairs
    assert "大島医院" not in pairs
    # the merged resource has both sources' categories
    takagi = out.set_index("resource_id").loc["2712403472"]
    assert takagi["categories"] == ("houmon_kango", "shinryojo")
    # each distance agrees with an independent geodesic computation (GRS80) to 0.5 %
    geod = Geod(ellps="GRS80")
    assert set(rej["kept_file"]) == {"hirakata_jigyosho_slice.geojson"}
    assert set(rej["file"]) == {"hirakata_medical_slice.geojson"}
    for _, r in rej.iterrows():
        a = med.geometry.iloc[r["row"] - 1]  # row: the position in its layer
        b = care.geometry.iloc[r["kept_row"] - 1]
        d = geod.inv(a.x, a.y, b.x, b.y)[2]
        assert r["distance_m"] == pytest.approx(d, rel=5e-3, abs=0.1)
        assert r["distance_m"] <= 50
    # 城クリニック's two entries are 62 m apart: one resource when 70 m are allowed
    with pytest.warns(ChiikimapWarning, match=r"同じ施設と判断した 16 件"):
        wider = chiikimap.merge_resources([care, med], within_m=70)
    assert "医療法人城青会　城クリニック" not in set(wider["name"])


def test_inspect_says_why_rows_were_merged(tmp_path, capsys):
    from chiikimap.cli import main

    path = _write(
        tmp_path / "offices.csv",
        _line("2750000001", "老健さくら", "介護老人保健施設", (100, 100), "100"),
        _line("2750000001", "老健さくら", "短期入所療養介護", (103, 100), "20"),
    )
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "読込 2・採用 1・除外 0" in out
    assert "offices.csv 行 3（老健さくら）: 重複（事業所番号 2750000001 が同じ: 行 2 に統合" in out
