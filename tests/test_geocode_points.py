"""Point lists (addresses with coordinates) as known points for the offline geocoder.

Known answers on a hand-made reference, then the real 高松 open-data lists of
tests/data/geocode_points (see its README) against the real 高松 医療機関 list.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chiikimap.geocode import NEAR_GAP, geocode, geocode_file, near_gaps
from chiikimap.io.reference import Reference, read_reference

DATA = Path(__file__).parent / "data"
TOWN = DATA / "geocode" / "takamatsu_geolonia_town.json"
POINT_LISTS = sorted((DATA / "geocode_points").glob("*.xlsx"))
HOSPITALS = DATA / "geocode" / "takamatsu_hospital_addresses.csv"


def _reference() -> Reference:
    ref = Reference()
    index = ref.municipality("高松市", "香川県")
    index.add_town("木太町", 134.0, 34.0)
    index.add_town("番町一丁目", 134.05, 34.05)
    ref.add_point("高松市木太町10", 134.010, 34.001)
    ref.add_point("高松市木太町20-3", 134.020, 34.002)
    ref.add_point("香川県高松市木太町３０番地", 134.030, 34.003)
    ref.add_point("高松市木太町30番地1", 134.032, 34.005)
    ref.add_point("高松市木太町500", 134.05, 34.0)
    ref.add_point("高松市番町一丁目5-10", 134.051, 34.051)
    geocode([], ref)  # places the known points; six points are too few to learn a difference:
    assert index.near_gap == {True: 0, False: 0}
    index.near_gap = {True: NEAR_GAP, False: NEAR_GAP}  # the rule at its widest, by hand
    return ref


@pytest.mark.parametrize(
    ("address", "level", "lon", "lat"),
    [
        ("高松市木太町10番地2", "地番", 134.010, 34.001),  # the same 地番
        ("高松市木太町14", "近隣番地", 134.010, 34.001),  # 10 is 4 away, 20 is 6
        ("高松市木太町15", "近隣番地", 134.015, 34.0015),  # 10 and 20 both 5 away: their median
        ("高松市木太町30", "地番", 134.031, 34.004),  # two points of 30: their median
        ("高松市木太町25", "近隣番地", 134.030, 34.003),  # 20, 30, 30: median per axis
        ("高松市木太町300", "町丁目", 134.0, 34.0),  # 200 from 500: beyond NEAR_GAP → the town
        ("高松市木太町", "町丁目", 134.0, 34.0),  # no number
        ("高松市番町一丁目5-2", "街区", 134.051, 34.051),  # same 番 in a 丁目
        ("高松市番町一丁目7-1", "近隣番地", 134.051, 34.051),
    ],
)
def test_known_points_by_hand(address: str, level: str, lon: float, lat: float) -> None:
    out = geocode([address], _reference())
    assert out["geocode_level"][0] == level
    assert out["lon"][0] == pytest.approx(lon, abs=1e-9)
    assert out["lat"][0] == pytest.approx(lat, abs=1e-9)
    assert NEAR_GAP == 100


def test_without_a_learnt_difference_only_the_same_number_is_used() -> None:
    ref = _reference()
    ref.municipalities["高松市"].near_gap = {True: 0, False: 0}
    out = geocode(["高松市木太町10", "高松市木太町14"], ref)
    assert list(out["geocode_level"]) == ["地番", "町丁目"]


def _line_town() -> Reference:
    """A 地番 town whose point lies 5–6.5 km away: numbers 100–119 and 200, 202 … 210 along a
    line, 9 m per number."""
    ref = Reference()
    ref.municipality("高松市", "香川県").add_town("木太町", 134.05, 34.0)
    for n in [*range(100, 120), *range(200, 211, 2)]:
        lon = 134.1 + n * 1e-4
        ref.add_point(f"高松市木太町{n}", lon, 34.0)
    geocode([], ref)
    return ref


def test_near_gaps_learnt_from_the_known_points() -> None:
    """By hand: along the line every point's nearest other number (1 away for 100–119, 2 away
    for 200–210: 20 and 6 points) is closer than the town point, and no point's nearest is 3–5
    away (a class of fewer than 5 points stops the learning): allowed 2. With odd numbers at
    one end and even ones 3 km away, the nearest number (1 away) is always at the other end,
    farther than the town point between them: allowed 0."""
    index = _line_town().municipalities["高松市"]
    assert near_gaps(index) == {True: 0, False: 2}
    assert index.near_gap == {True: 0, False: 2}
    out = geocode(["高松市木太町121", "高松市木太町124"], _line_town())
    assert list(out["geocode_level"]) == ["近隣番地", "町丁目"]  # 2 from 119; 5 from 119
    near = Reference()
    near.municipality("高松市", "香川県").add_town("木太町", 134.1 + 0.015, 34.0)
    for n in range(100, 120):  # odd numbers at one end, even at the other, the town point between
        near.add_point(f"高松市木太町{n}", 134.1 + 0.03 * (n % 2), 34.0)
    geocode([], near)
    assert near.municipalities["高松市"].near_gap == {True: 0, False: 0}


def test_leave_out_ignores_the_same_number() -> None:
    out = geocode(
        ["高松市木太町10", "高松市木太町30", "高松市木太町14"], _reference(), leave_out=True
    )
    assert list(out["geocode_level"]) == ["近隣番地", "近隣番地", "近隣番地"]
    # 10 → nearest other number 20; 30 → 20 (10 away; 500 is far); 14 is not a known number
    assert list(out["lon"]) == pytest.approx([134.020, 134.020, 134.010])
    assert out["geocode_match"][0] == "高松市木太町 10（近くの 20 の既知地点）"


def test_point_list_rows_not_used_say_why(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text(
        "名称,住所,緯度,経度,geocode_level\n"
        "A,高松市木太町10,34.3331,134.0830,\n"
        "B,,34.0,134.0,\n"
        "C,高松市木太町11,abc,134.0,\n"
        "D,高松市木太町12,134.0,34.0,\n"
        "E,高松市木太町13,34.0,134.0,町丁目\n"
        "F,高松市屋島町1,34.0,134.0,\n"
        "G,高松市木太町,34.0,134.0,\n"
        "H,高松市木太町14,34.5,134.0,\n"
        "I,高松市木太町15,34.334,134.084,修正\n",
        encoding="utf-8",
    )
    ref = read_reference([TOWN, path], municipality="高松市")
    geocode([], ref)  # places the pending rows
    rejects = {row: reason for _, row, _, reason in ref.point_rejects}
    assert sorted(rejects) == [3, 4, 5, 6, 7, 8, 9]
    assert "住所が空" in rejects[3]
    assert "数値ではありません" in rejects[4]
    assert "入れ替わり" in rejects[5]
    assert "geocode_level=町丁目" in rejects[6]
    assert "町名が参照データにありません" in rejects[7]
    assert "番地がない" in rejects[8]
    assert "10 km" in rejects[9]
    assert "2 known points" in repr(ref)


def test_point_coordinates_checked_however_given(tmp_path: Path) -> None:
    """Full-width digits are read; NaN, inf, swapped coordinates and short rows are reported,
    from a file or from Reference.add_point (a NaN point once placed an address with no
    position at level 地番)."""
    path = tmp_path / "points.csv"
    path.write_text(
        "住所,緯度,経度\n"
        "高松市木太町10,３４．３３３１,１３４．０８３０\n"
        "高松市木太町11,NaN,134.0\n"
        "高松市木太町12\n"
        "高松市木太町13,34.3331\n",
        encoding="utf-8",
    )
    ref = read_reference([TOWN, path], municipality="高松市")
    ref.add_point("高松市木太町14", float("nan"), float("nan"), "api", 1)
    ref.add_point("高松市木太町15", float("inf"), 34.3, "api", 2)
    ref.add_point("高松市木太町16", 34.3331, 134.0830, "api", 3)
    out = geocode(["高松市木太町10", "高松市木太町14"], ref)
    assert list(out["geocode_level"]) == ["地番", "町丁目"]
    assert (out["lat"][0], out["lon"][0]) == pytest.approx((34.3331, 134.0830))
    rejects = {(source, row): reason for source, row, _, reason in ref.point_rejects}
    assert sorted(rejects) == [("api", 1), ("api", 2), ("api", 3)] + [
        ("points.csv", n) for n in (3, 4, 5)
    ]
    assert all("数値ではありません" in rejects[k] for k in [("api", 1), ("api", 2)])
    assert "入れ替わり" in rejects[("api", 3)]
    assert all("数値ではありません" in rejects[("points.csv", n)] for n in (3, 4, 5))


def test_a_karte_given_as_a_point_list_keeps_its_estimates_out(tmp_path: Path) -> None:
    """The 資源一覧 sheet of an Excel 圏域カルテ has 住所, 緯度, 経度 and the level as
    「町丁目（概略）」 under 「位置の水準（住所照合）」: its estimated rows are not known points."""
    from chiikimap import analyze
    from chiikimap.export import to_excel
    from tests.test_geocode_workflow import _synthetic

    areas, res = _synthetic()  # near 135.60, 34.80: moved to 木太町 of 高松
    areas = areas.set_geometry(areas.translate(134.07 - 135.60, 34.32 - 34.80))
    res = res.set_geometry(res.translate(134.07 - 135.60, 34.32 - 34.80))
    res["address"] = [f"高松市木太町{n}" for n in (101, 102, 103, 104, 105, 106)]
    res.loc[res["resource_id"] == "r3", "geocode_level"] = "近隣番地"
    karte = tmp_path / "karte.xlsx"
    to_excel(analyze(areas, res), karte)
    ref = read_reference([TOWN, karte], municipality="高松市")
    geocode([], ref)
    used = ref.municipalities["高松市"].known[("木太町", 0)][0]
    assert used == [101, 102, 105]  # 元の座標, 元の座標, 街区
    rejected = sorted(address for _, _, address, _ in ref.point_rejects)
    assert rejected == ["高松市木太町103", "高松市木太町104", "高松市木太町106"]
    assert all("推定" in reason for *_, reason in ref.point_rejects)


def test_corrected_geocode_output_becomes_a_reference(tmp_path: Path) -> None:
    """geocode → check and correct in Excel → the corrected list places the address next time."""
    src = tmp_path / "salon.csv"
    src.write_text("名称,住所\nサロン木太,高松市木太町2370番地\nサロン林,高松市林町2217\n", "utf-8")
    out = tmp_path / "salon_geocoded.csv"
    geocode_file(src, read_reference(TOWN, municipality="高松市"), out)
    fixed = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(fixed["geocode_level"]) == ["町丁目", "町丁目"]
    fixed.loc[0, ["緯度", "経度", "geocode_level"]] = ["34.3331", "134.0830", "修正"]
    fixed.to_csv(out, index=False, encoding="utf-8-sig")
    ref = read_reference([TOWN, out], municipality="高松市")
    again = geocode(["高松市木太町2370-5"], ref)
    assert again["geocode_level"][0] == "地番"
    assert (again["lon"][0], again["lat"][0]) == (134.0830, 34.3331)
    # the row left at its town's point is an estimate, not a known point
    assert [r[1] for r in ref.point_rejects] == [3]


def _metres(lon1: pd.Series, lat1: pd.Series, lon2: pd.Series, lat2: pd.Series) -> pd.Series:
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return pd.Series(2 * 6371008.8 * np.arcsin(np.sqrt(h)))


def test_takamatsu_with_the_city_point_lists() -> None:
    """The 高松 医療機関 list, coordinates hidden, placed with the town points + 7 city lists.

    leave_out: no known point of an address's own 番地 is used (several lists hold the same
    clinics), so the figure is that of an address no list holds.
    """
    assert len(POINT_LISTS) == 7
    frame = pd.read_csv(HOSPITALS, dtype=str).dropna(subset=["latitude"])
    frame = frame.astype({"latitude": float, "longitude": float})
    frame = frame[frame["latitude"] != 0].reset_index(drop=True)
    ref = read_reference([TOWN, *POINT_LISTS], municipality="高松市")
    town_only = geocode(frame["address"], read_reference(TOWN, municipality="高松市"))
    result = geocode(frame["address"], ref, leave_out=True)
    errors = _metres(result["lon"], result["lat"], frame["longitude"], frame["latitude"])
    before = _metres(town_only["lon"], town_only["lat"], frame["longitude"], frame["latitude"])
    shares = result["geocode_level"].value_counts(normalize=True)
    print(len(frame), shares.round(4).to_dict(), "median m", round(errors.median(), 1))
    print("town points only: median m", round(before.median(), 1))
    print("mean m", round(before.mean(), 1), "→", round(errors.mean(), 1))
    assert result["lon"].notna().mean() >= 0.95  # placed (value_counts leaves unplaced rows out)
    assert errors.median() <= 300
    assert errors.median() < before.median() - 150  # measured 136 m against 380 m
    # 高松's 地番 towns are large: nearby numbers stay closer than the town point up to 100 apart
    gaps = ref.municipalities["高松市"].near_gap
    print("高松 learnt differences", gaps)
    assert gaps[False] >= 50
    near = result["geocode_level"] == "近隣番地"
    assert near.mean() > 0.75
    assert errors[near].median() < before[near].median()
    # the rows of the lists that are not known points are reported with a reason
    assert ref.point_rejects
    assert all(reason for *_, reason in ref.point_rejects)


def test_a_real_known_point_places_its_own_address() -> None:
    """An AED row of the city (高松市鹿角町903-3, 34.3030048, 134.028818) is that 地番's point."""
    ref = read_reference([TOWN, *POINT_LISTS], municipality="高松市")
    out = geocode(["香川県高松市鹿角町９０３番地３"], ref)
    assert out["geocode_level"][0] == "地番"
    assert (out["lat"][0], out["lon"][0]) == pytest.approx((34.3030048, 134.028818), abs=1e-7)


def test_near_positions_are_drawn_and_counted_as_approximate() -> None:
    """A resource placed at 近隣番地 is approximate everywhere, with its own note."""
    import json
    import re

    import matplotlib.pyplot as plt

    from chiikimap import _schema as S
    from chiikimap import analyze
    from chiikimap._approx import approx_note
    from chiikimap.booklet import booklet_data
    from chiikimap.maps.static import static_map
    from tests.test_geocode_workflow import _synthetic

    areas, res = _synthetic()
    res.loc[res["resource_id"] == "r3", "geocode_level"] = "近隣番地"  # r3 was 町丁目
    cov = analyze(areas, res)
    assert int(cov.table[S.N_APPROX].sum()) == 3  # r3 (近隣番地), r4, r6 (町丁目)
    note = approx_note(cov)
    assert note.startswith(
        "近くの番地の地点から推定した資源 1 件・町丁目の代表点に置いた資源 2 件は、住所から推定した概略の位置です"
    )
    page = cov.map().get_root().render()
    data = json.loads(re.search(r"var D = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    flags = {r[4]: r[9] for r in data["res"]}
    assert flags == {"資源r1": 0, "資源r2": 0, "資源r3": 2, "資源r4": 1, "資源r5": 0, "資源r6": 1}
    assert data["text"]["approx_near"] == S.APPROX_NEAR_NOTE_JA
    books = {e.name: e.address for b in booklet_data(cov) for e in b.entries}
    assert books["資源r3"].endswith(f" ※{S.APPROX_NEAR_NOTE_JA}")
    assert books["資源r4"].endswith(f" ※{S.APPROX_NOTE_JA}")
    # the legend names what the hollow markers of the map are: 通いの場 has only r3 (近隣番地) …
    fig = static_map(cov, category="kayoi_no_ba")
    try:
        texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
        assert S.APPROX_NEAR_NOTE_JA in texts
        assert S.APPROX_ANY_NOTE_JA not in texts
    finally:
        plt.close(fig)
    # … and with r5 at its town's point too, both kinds
    res.loc[res["resource_id"] == "r5", "geocode_level"] = "町丁目"
    fig = static_map(analyze(areas, res), category="kayoi_no_ba")
    try:
        texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
        assert S.APPROX_ANY_NOTE_JA in texts
    finally:
        plt.close(fig)


def test_cli_geocode_reports_the_point_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chiikimap.cli import main

    src = tmp_path / "salon.csv"
    src.write_text(
        "名称,住所\nサロン鹿角,高松市鹿角町903番地\nサロン木太,高松市木太町2370\n", "utf-8"
    )
    refs = [str(TOWN), *map(str, POINT_LISTS)]
    args = ["geocode", str(src), "--reference", *refs, "--municipality", "高松市"]
    assert main(args) == 0
    out = pd.read_csv(tmp_path / "salon_geocoded.csv", dtype=str, encoding="utf-8-sig")
    assert list(out["geocode_level"]) == ["地番", "近隣番地"]
    text = capsys.readouterr().out
    assert "既知地点（住所と緯度・経度の一覧）:" in text
    assert "xlsx" in text.split("使いません")[-1]  # example rows of the lists not used
    # ... and every one of them, with file, row and reason, in a CSV beside the output
    unused = pd.read_csv(tmp_path / "salon_geocoded_unused_points.csv", encoding="utf-8-sig")
    assert list(unused.columns) == ["ファイル", "行", "住所", "理由"]
    ref = read_reference([TOWN, *POINT_LISTS], municipality="高松市")
    geocode([], ref)
    assert len(unused) == len(ref.point_rejects)
    first = ref.point_rejects[0]
    assert (unused["ファイル"][0], int(unused["行"][0]), unused["理由"][0]) == (
        first[0],
        first[1],
        first[3],
    )


def test_hirakata_with_care_offices_as_known_points() -> None:
    """A second municipality, mostly 丁目 towns: the known points are the 779 care offices, the
    addresses the 427 placed medical facilities (coordinates hidden, no same-番地 point used)."""
    geo = DATA / "geocode"
    frame = pd.read_csv(geo / "hirakata_medical_addresses.csv", dtype=str)
    frame = frame.astype({"lat": float, "lon": float})
    frame = frame[(frame["lat"] != 0) & (frame["lon"] != 0)].reset_index(drop=True)
    town = read_reference(geo / "hirakata_geolonia_town.json", municipality="枚方市")
    ref = read_reference(
        [
            geo / "hirakata_geolonia_town.json",
            DATA / "geocode_points" / "hirakata_jigyosho_points.csv",
        ],
        municipality="枚方市",
    )
    before = geocode(frame["address_full"], town)
    after = geocode(frame["address_full"], ref, leave_out=True)
    e0 = _metres(before["lon"], before["lat"], frame["lon"], frame["lat"])
    e1 = _metres(after["lon"], after["lat"], frame["lon"], frame["lat"])
    gaps = ref.municipalities["枚方市"].near_gap
    print(
        "枚方 learnt differences",
        gaps,
        "median m",
        round(e0.median(), 1),
        "→",
        round(e1.median(), 1),
    )
    print("mean m", round(e0.mean(), 1), "→", round(e1.mean(), 1))
    # 枚方's towns are small: the learnt differences are far below the 100 of 高松's 地番 towns
    assert gaps[True] <= 10
    assert gaps[False] <= 10
    assert after["lon"].notna().mean() >= 0.95
    assert e1.median() < e0.median() - 10  # measured 168 → 144 m
    assert e1.mean() <= e0.mean()


def test_read_resources_names_a_renamed_town_file_by_geocode_municipality(tmp_path: Path) -> None:
    """geocode_municipality= (map --geocode-municipality) also names a renamed Geolonia file;
    before, read_resources refused it and told the user to give --municipality, which map lacks."""
    import warnings

    from chiikimap._errors import ChiikimapWarning
    from chiikimap.io.resources import read_resources

    src = tmp_path / "hosp.csv"
    src.write_text("名称,住所\n診療所A,高松市鹿角町903番地\n診療所B,高松市木太町2370\n", "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        gdf = read_resources(
            src,
            category="shinryojo",
            geocode=[TOWN, *POINT_LISTS],
            geocode_municipality="高松市",
        )
    assert list(gdf["geocode_level"]) == ["地番", "近隣番地"]


def test_geocoded_positions_credit_their_reference_files(tmp_path: Path) -> None:
    """Rows placed from the reference credit it (Geolonia / 位置参照情報, and each point list) in the
    layer's sources, which every output lists; a list with no geocoded row credits nothing more."""
    import warnings

    from chiikimap import _schema as S
    from chiikimap._errors import ChiikimapWarning
    from chiikimap.io.resources import read_resources

    src = tmp_path / "hosp.csv"
    src.write_text("名称,住所\n診療所A,高松市鹿角町903番地\n", "utf-8")
    given = tmp_path / "given.csv"
    given.write_text("名称,住所,緯度,経度\n診療所A,高松市鹿角町903番地,34.303,134.0288\n", "utf-8")
    refs = [TOWN, POINT_LISTS[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        gdf = read_resources(src, category="shinryojo", geocode=refs, geocode_municipality="高松市")
        plain = read_resources(
            given, category="shinryojo", geocode=refs, geocode_municipality="高松市"
        )
    sources = S.sources_of(gdf)
    assert [s.title for s in sources] == [
        "hosp.csv",
        "Geolonia 住所データ",
        f"住所の既知地点（{POINT_LISTS[0].name}）",
    ]
    assert (
        sources[1].credit
        == "「Geolonia 住所データ（CC BY 4.0）」（元データ: 位置参照情報（国土交通省））"
    )
    assert [s.title for s in S.sources_of(plain)] == ["given.csv"]


def test_a_list_s_own_wrong_point_is_not_a_known_point() -> None:
    """Real rows of the 高松 lists: 塩上町7番地2 (柔道整復 list, row 107) lies 9.3 km from 塩上町,
    whose other known points lie ~650 m from it (median): not used, with the reason; an AED row
    of a neighbouring town (綾歌郡綾川町, row 4) is said to be of another municipality."""
    ref = read_reference([TOWN, *POINT_LISTS], municipality="高松市")
    geocode([], ref)
    reasons = {(source, row): reason for source, row, _, reason in ref.point_rejects}
    outlier = reasons[("takamatsu_judo_therapy.xlsx", 107)]
    assert outlier.startswith("町の代表点から 9,343 m 離れていて")
    assert "遠すぎる" in outlier
    assert reasons[("takamatsu_aed_location.xlsx", 4)].startswith(
        "綾歌郡綾川町 は参照データの市区町村ではありません"
    )
    # so 塩上町9番地15 is not pulled 9 km away by it: the town point stands
    out = geocode(["香川県高松市塩上町９番地１５"], ref)
    assert out["geocode_level"][0] == "町丁目"


def test_outliers_by_hand() -> None:
    """Town A: four points ~100 m from its point and one 2 km away (limit max(1 km, 4 × 100 m)):
    the far one is dropped. Town B: two points only, one 1.5 km away: the scale is the
    municipality's typical spread of 地番 towns (the median of all town distances, 100 m here)."""
    ref = Reference()
    index = ref.municipality("高松市", "香川県")
    index.add_town("木太町", 134.0, 34.0)
    index.add_town("林町", 134.1, 34.0)
    east = 0.001 / 0.921  # ~100 m of longitude at 34°N, in degrees ≈ 0.0010858
    for n, dx in ((1, 1), (2, 1), (3, 1), (4, 1), (5, 20)):
        ref.add_point(f"高松市木太町{n}", 134.0 + dx * east, 34.0)
    ref.add_point("高松市林町1", 134.1 + east, 34.0)
    ref.add_point("高松市林町2", 134.1 + 15 * east, 34.0)
    geocode([], ref)
    dropped = sorted(address for _, _, address, _ in ref.point_rejects)
    assert dropped == ["高松市木太町5", "高松市林町2"]


def test_a_municipality_name_written_twice_is_read_once() -> None:
    """A real row of the 高松 柔道整復 list (row 193) writes 「香川県高松市高松市塩上町三丁目１３番８号」."""
    ref = read_reference(TOWN, municipality="高松市")
    out = geocode(["香川県高松市高松市塩上町三丁目１３番８号", "高松市塩上町三丁目"], ref)
    assert list(out["geocode_match"]) == ["高松市塩上町三丁目", "高松市塩上町三丁目"]
    assert out["lon"][0] == out["lon"][1]


def test_readme_route_checked_csv_as_reference_keeps_the_approximate_marking(
    tmp_path: Path,
) -> None:
    """README step 4: the list again, with its checked _geocoded.csv as a known-point reference:
    the corrected row lies on its corrected point (地番, drawn solid); the row left at its town's
    point is placed again and stays approximate."""
    import warnings

    from chiikimap._errors import ChiikimapWarning
    from chiikimap.io.resources import read_resources

    src = tmp_path / "salon.csv"
    src.write_text("名称,住所\nサロン木太,高松市木太町2370番地\nサロン林,高松市林町2217\n", "utf-8")
    checked = tmp_path / "salon_geocoded.csv"
    geocode_file(src, read_reference(TOWN, municipality="高松市"), checked)
    table = pd.read_csv(checked, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.loc[0, ["緯度", "経度", "geocode_level"]] = ["34.3331", "134.0830", "修正"]
    table.to_csv(checked, index=False, encoding="utf-8-sig")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        gdf = read_resources(
            src, category="kayoi_no_ba", geocode=[TOWN, checked], geocode_municipality="高松市"
        )
    by_name = gdf.set_index("name")
    assert by_name.loc["サロン木太", "geocode_level"] == "地番"
    point = by_name.loc["サロン木太", "geometry"]
    assert (point.x, point.y) == (134.0830, 34.3331)
    assert by_name.loc["サロン林", "geocode_level"] == "町丁目"


def test_a_koaza_between_town_and_number_is_skipped() -> None:
    """Real rows of the 高松 lists write a 小字 before the 地番: 「高松市屋島西町字丸山440-23」
    (消防団, row 34), 「香川県高松市郷東町字東新開１４８番地３」 (あん摩・はり・きゅう, row 210)."""
    ref = _reference()
    out = geocode(["高松市木太町字丸山10-3", "高松市木太町字東新開１４番地３"], ref)
    assert list(out["geocode_level"]) == ["地番", "近隣番地"]
    real = read_reference([TOWN, *POINT_LISTS], municipality="高松市")
    geocode([], real)
    unused = {(s, r) for s, r, _, _ in real.point_rejects}
    assert ("takamatsu_fire_brigade.xlsx", 34) not in unused
