"""Medical facilities: ナビイ 施設票 + 診療科目, municipal 医療機関 lists, the 医療 categories.

Real slices: tests/data/medical (ナビイ layout, 枚方市 facilities) and
tests/data/resources/takamatsu_hospital_slice.csv (高松市 open data); see their READMEs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from chiikimap import _schema as S
from chiikimap import analyze, read_districts, rejected_rows
from chiikimap._errors import ChiikimapWarning, ColumnNotFoundError, InputFileError
from chiikimap.io.medical import read_medical
from chiikimap.io.reference import read_reference

DATA = Path(__file__).parent / "data"
NAVII = DATA / "medical" / "navii_layout_hirakata.csv"
TAKAMATSU = DATA / "resources" / "takamatsu_hospital_slice.csv"
HIRAKATA_DERIVED = DATA / "resources" / "hirakata_medical_slice.geojson"
SAMPLE = Path(__file__).parent.parent / "sample_data" / "hirakata"

#: a 診療科目・診療時間 file in the ナビイ layout (one row per facility × 科目 × 時間帯)
SUBJECTS_CSV = (
    "ID,診療科目名,診療時間帯\n"
    "2711270003190,内科,1\n"
    "2711270003190,内科,2\n"  # the same 科目 in a second time band
    "2711270003190,整形外科,1\n"
    "2711270003190,訪問診療,1\n"
    "2722270053530,内科,1\n"
    "2722270053530,往診,1\n"
    "2733270033750,歯科,1\n"
    "9999999999999,内科,1\n"  # a facility of another city: ignored
)


def _subjects(tmp_path: Path) -> Path:
    path = tmp_path / "02-2_clinic_speciality_hours.csv"
    path.write_text(SUBJECTS_CSV, encoding="utf-8-sig")
    return path


def test_navii_facility_file_with_subjects(tmp_path: Path) -> None:
    res = read_medical(NAVII, subjects=_subjects(tmp_path))
    by_id = res.set_index(S.RESOURCE_ID)
    assert len(res) == 9
    assert list(by_id.loc["2711270003190", S.CATEGORIES]) == ["byoin", "homon_shinryo"]
    assert list(by_id.loc["2722270053530", S.CATEGORIES]) == ["shinryojo", "homon_shinryo"]
    assert list(by_id.loc["2733270033750", S.CATEGORIES]) == ["shika"]
    kinds = res[S.CATEGORY].value_counts().to_dict()
    assert kinds == {"byoin": 3, "shinryojo": 3, "shika": 3}
    assert by_id.loc["2711270003190", "subjects"] == "内科、整形外科、訪問診療"
    assert by_id.loc["2733270033780", "subjects"] == ""
    assert by_id.loc["2711270003190", S.NAME] == "医療法人大寿会　大寿会病院"
    assert by_id.loc["2711270003190", S.URL] == "https://daijukai.net"
    assert set(res[S.SOURCE]) == {NAVII.name}
    sources = S.sources_of(res)
    assert sources[0].publisher == "厚生労働省"
    assert "ナビイ" in sources[0].title


def test_navii_rejected_rows_name_the_file_and_its_rows(tmp_path: Path) -> None:
    text = NAVII.read_text(encoding="utf-8-sig").splitlines()
    broken = [*text[:3], text[3].replace('"34.', '"'), *text[4:]]  # row 4: latitude gone bad
    path = tmp_path / "01-1_hospital_facility_info.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8-sig")
    with pytest.warns(ChiikimapWarning):
        res = read_medical(path)
    rejected = rejected_rows(res)
    assert len(res) == 8
    assert rejected["file"].tolist() == [path.name]
    assert rejected["row"].tolist() == [4]
    values = rejected["values"].iloc[0]
    assert values["ID"] == "2711270003220"
    assert not any(k.startswith("_chiikimap") for k in values)


def test_takamatsu_list_kinds_and_subjects() -> None:
    res = read_medical(TAKAMATSU)
    frame = pd.read_csv(TAKAMATSU, dtype=str, keep_default_na=False)
    assert len(res) == len(frame) == 20
    expected = {
        "病院": "byoin",
        "有床診療所": "shinryojo",
        "無床診療所": "shinryojo",
        "歯科": "shika",
    }
    want = frame["alternativeName"].map(expected).tolist()
    assert res[S.CATEGORY].tolist() == want
    assert res["subjects"].tolist() == frame["medicalSubjects"].tolist()
    # the real list says nothing of 在宅療養支援 or 訪問診療: no such category is made up
    flat = {k for cs in res[S.CATEGORIES] for k in cs}
    assert flat == {"byoin", "shinryojo", "shika"}


def test_fukushi_map_derived_list() -> None:
    res = read_medical(HIRAKATA_DERIVED)
    assert res[S.CATEGORY].value_counts().to_dict() == {"byoin": 4, "shinryojo": 4, "shika": 4}
    assert (res["subjects"] == "").all()


def test_home_care_support_when_the_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "医療機関.csv"
    path.write_text(
        "名称,種別,在宅療養支援診療所・病院の届出,診療科目,緯度,経度\n"
        "A医院,無床診療所,○,内科,34.80,135.64\n"
        "B病院,病院,有,内科、外科,34.81,135.65\n"
        "C医院,無床診療所,,内科、訪問診療,34.82,135.66\n"
        "D歯科,歯科,○,歯科,34.83,135.67\n"  # a dental clinic: 在宅療養支援歯科診療所 is another standard
        "E在宅クリニック,在宅療養支援診療所,,内科,34.84,135.68\n",
        encoding="utf-8",
    )
    res = read_medical(path).set_index(S.NAME)
    got = {name: list(cs) for name, cs in res[S.CATEGORIES].items()}
    assert got == {
        "A医院": ["shinryojo", "zaitaku_shien"],
        "B病院": ["byoin", "zaitaku_shien"],
        "C医院": ["shinryojo", "homon_shinryo"],
        "D歯科": ["shika"],
        "E在宅クリニック": ["zaitaku_shien", "shinryojo"],
    }


def test_medical_categories_shown_only_when_named() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        areas = read_districts(
            SAMPLE / "chiiki_houkatsu.geojson", id_col="area_id", name_col="center_name"
        )
        res = read_medical(NAVII)
        care = read_medical(HIRAKATA_DERIVED, category_col="category_label")
        both = pd.concat([res, care], ignore_index=True)
        both = both.assign(**{S.RESOURCE_ID: [f"r{i}" for i in range(len(both))]})
    from chiikimap.taxonomy import default_taxonomy

    tax = default_taxonomy()
    assert not tax.in_overview("zaitaku_shien")
    assert not tax.in_overview("homon_shinryo")
    assert tax["zaitaku_shien"].group == tax["homon_shinryo"].group == "医療"
    named = analyze(areas, both, categories=["byoin", "zaitaku_shien", "homon_shinryo"])
    assert list(named.categories) == ["byoin", "zaitaku_shien", "homon_shinryo"]
    n = named.table.groupby(S.CATEGORY)[S.N_RESOURCES].sum().to_dict()
    assert n["zaitaku_shien"] == n["homon_shinryo"] == 0  # named, none listed: 空白 everywhere
    assert n["byoin"] == 7  # 3 + 4 hospitals, all inside the 枚方 areas


def test_errors(tmp_path: Path) -> None:
    bad = tmp_path / "subjects.csv"
    bad.write_text("施設,科目\n1,内科\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_medical(NAVII, subjects=bad)
    assert info.value.param == "subjects"
    with pytest.raises(ColumnNotFoundError) as col:
        read_medical(NAVII, category_col="種類")
    assert col.value.param == "category_col"
    with pytest.raises(InputFileError):
        read_medical(tmp_path / "none.csv")


def test_geocoded_municipal_list(tmp_path: Path) -> None:
    """A 医療機関 list without coordinates: placed from its addresses, town points marked."""
    frame = pd.read_csv(TAKAMATSU, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["latitude", "longitude"])
    path = tmp_path / "hospital_no_coordinates.csv"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        ref = read_reference(
            DATA / "geocode" / "takamatsu_geolonia_town.json", municipality="高松市"
        )
        res = read_medical(path, geocode=ref)
    placed = len(res)
    assert placed + len(rejected_rows(res, merged=False)) == 20
    assert placed >= 18
    assert set(res[S.GEOCODE_LEVEL]) <= {"町丁目", "大字"}
    assert S.approximate(res).all()


def test_recipe_reads_medical_lists(tmp_path: Path) -> None:
    import shutil

    from chiikimap.recipe import run_recipe

    shutil.copy(SAMPLE / "chiiki_houkatsu.geojson", tmp_path / "圏域.geojson")
    shutil.copy(NAVII, tmp_path / "01-1_hospital_facility_info.csv")
    _subjects(tmp_path)
    (tmp_path / "recipe.toml").write_text(
        '[areas]\npath = "圏域.geojson"\nid_col = "area_id"\nname_col = "center_name"\n'
        '[[resources]]\npath = "01-1_*.csv"\nsubjects = ["02-2_*.csv"]\n'
        '[analysis]\ncategories = ["byoin", "homon_shinryo"]\n'
        '[output]\nformats = ["xlsx"]\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        done = run_recipe(tmp_path / "recipe.toml")
    n = done.coverage.table.groupby(S.CATEGORY)[S.N_RESOURCES].sum().to_dict()
    assert n == {"byoin": 3, "homon_shinryo": 2}
    layers = [i["layer"] for i in done.record["inputs"]]
    assert layers.count("subjects") == 1
    assert "subjects" in done.coverage.resources.columns


# --- 届出受理医療機関名簿 (地方厚生（支）局), real slices -------------------------------------------
KAGAWA = DATA / "medical" / "kagawa_meibo_ika_202510_takamatsu.xlsx"
NARA = DATA / "medical" / "nara_meibo_ika_202510_ikoma.xlsx"


def _town_points(name: str, municipality: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        return read_reference(name, municipality=municipality)


def _ids(res: pd.DataFrame, key: str) -> set[str]:
    return {rid for rid, cs in zip(res[S.RESOURCE_ID], res[S.CATEGORIES], strict=True) if key in cs}


def test_meibo_takamatsu_one_facility_per_number() -> None:
    """四国厚生支局 香川 医科 2025-10: 224 rows of 9 高松市 facilities (counted in the file)."""
    ref = _town_points(DATA / "geocode" / "takamatsu_geolonia_town.json", "高松市")
    res = read_medical(KAGAWA, geocode=ref)
    assert len(res) == 9
    assert len(rejected_rows(res)) == 0
    by_id = res.set_index(S.RESOURCE_ID)
    # the 10-digit 医療機関コード: 香川 37 + 医科 1 + 医療機関番号
    assert by_id.loc["3710116322", S.NAME] == "医療法人社団啓友会　久米川病院"
    # 病院: 20 beds or more (療養 49, 一般 49 + 支援病１, 一般 52 + 支援病３); 寺井山内医院 has 19
    assert _ids(res, "byoin") == {"3710116306", "3710116322", "3710118849"}
    assert by_id.loc["3710115266", S.CATEGORY] == "shinryojo"
    assert res[S.CATEGORY].value_counts().to_dict() == {"shinryojo": 6, "byoin": 3}
    # 支援診２ わき外科・内科, 支援診３ 佐々木内科; 支援病１ 久米川, 支援病３ オサカ
    assert _ids(res, "zaitaku_shien") == {"3710115571", "3710117072", "3710116322", "3710118849"}
    # 在宅時医学総合管理料 / 在宅がん医療総合診療料 filed: the four above and 小谷医院 (在医総管１)
    assert _ids(res, "homon_shinryo") == _ids(res, "zaitaku_shien") | {"3710118864"}
    assert list(by_id.loc["3710116322", S.CATEGORIES]) == [
        "byoin",
        "zaitaku_shien",
        "homon_shinryo",
    ]
    assert (res[S.GEOCODE_LEVEL] == "町丁目").all()
    assert by_id.loc["3710118864", "geocode_match"] == "高松市香川町安原下第三号"
    assert set(res[S.SOURCE]) == {KAGAWA.name}
    source = S.sources_of(res)[0]
    assert source.publisher == "地方厚生（支）局"
    assert "届出受理医療機関名簿" in source.title
    assert S.read_reports(res)[0]["n_read"] == 9


def test_meibo_rejected_facility_names_its_first_row(tmp_path: Path) -> None:
    """A facility whose address is not found: rejected with the row of its first line (xlsx)."""
    import openpyxl

    book = openpyxl.load_workbook(KAGAWA)
    sheet = book.active
    for row in sheet.iter_rows(min_row=223):  # 小谷医院: rows 223–228 of the slice
        row[9].value = "高松市存在しない町１番地"
    path = tmp_path / "02_01 香川 医科 届出受理医療機関名簿.xlsx"
    book.save(path)
    ref = _town_points(DATA / "geocode" / "takamatsu_geolonia_town.json", "高松市")
    with pytest.warns(
        ChiikimapWarning, match=r"香川 医科 届出受理医療機関名簿\.xlsx: 1 行.*行 223"
    ):
        res = read_medical(path, geocode=ref)
    rejected = rejected_rows(res)
    assert len(res) == 8
    assert rejected["row"].tolist() == [223]
    assert rejected["file"].tolist() == [path.name]
    values = rejected["values"].iloc[0]
    assert values["医療機関名称"] == "小谷医院"
    assert "名称" not in values
    assert not any(k.startswith("_chiikimap") for k in values)


def test_meibo_nara_whole_list_and_csv(tmp_path: Path) -> None:
    """近畿厚生局 奈良 医科 2025-10 「全医療機関出力」: facilities without any 届出 are listed too."""
    ref = _town_points(DATA / "medical" / "ikoma_geolonia_town.json", "生駒市")
    with pytest.warns(ChiikimapWarning, match="行 5"):
        res = read_medical(NARA, geocode=ref)
    # 9 facilities; 医療法人坪村診療所 (row 5, 奈良市) is outside the 生駒市 reference
    assert len(res) == 8
    assert rejected_rows(res)["row"].tolist() == [5]
    assert _ids(res, "byoin") == {"2910301031", "2910301502"}  # 一般 60; 一般 150 + 支援病３
    # 支援診３ 友岡, 支援診２ 生駒さくら, 支援診２ うえはら訪問診療所, 支援病３ 白庭病院
    support = {"2910301239", "2910301353", "2910302658", "2910301502"}
    assert _ids(res, "zaitaku_shien") == support
    assert _ids(res, "homon_shinryo") == support
    # 竹内小児科 (no beds), 杉江産婦人科 (一般 9), 林産婦人科登美ヶ丘 (一般 19): 診療所 only
    for rid in ("2910300512", "2910300843", "2910301452"):
        assert list(res.set_index(S.RESOURCE_ID).loc[rid, S.CATEGORIES]) == ["shinryojo"]
    # the same rows as a cp932 CSV with the title block: the same facilities
    frame = pd.read_excel(NARA, header=None, dtype=str, keep_default_na=False)
    path = tmp_path / "nara_ika.csv"
    frame.to_csv(path, index=False, header=False, encoding="cp932")
    with pytest.warns(ChiikimapWarning, match="nara_ika.csv: 1 行.*行 5"):
        again = read_medical(path, geocode=ref)
    assert again[S.RESOURCE_ID].tolist() == res[S.RESOURCE_ID].tolist()
    assert [list(c) for c in again[S.CATEGORIES]] == [list(c) for c in res[S.CATEGORIES]]


def test_meibo_needs_a_reference() -> None:
    with pytest.raises(InputFileError, match="geocode") as info:
        read_medical(KAGAWA)
    assert info.value.param == "geocode"
    assert "chiikimap-medical" not in str(info.value)


# --- the command line: chiikimap map --medical, chiikimap inspect --medical -------------------------
def _ikoma_reference(tmp_path: Path) -> Path:
    """The 生駒市 town points under the municipality's name (the name says which city)."""
    import shutil

    return Path(
        shutil.copy(DATA / "medical" / "ikoma_geolonia_town.json", tmp_path / "生駒市.json")
    )


def test_cli_map_reads_medical_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    ref = _ikoma_reference(tmp_path)
    areas = SAMPLE.parent / "ikoma" / "A32-23_29209.geojson"
    out = tmp_path / "out"
    checks = ["--check", "zaitaku_shien", "--check", "homon_shinryo", "--check", "byoin"]
    medical = ["--medical", str(NARA), "--geocode", str(ref)]
    code = main(["map", "--areas", str(areas), *medical, *checks, "--xlsx", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # the 名簿's warning names its own file and row
    assert "nara_meibo_ika_202510_ikoma.xlsx: 1 行を取り込めませんでした" in captured.err
    assert "行 5" in captured.err
    assert "在宅療養支援診療所・病院" in captured.out
    table = pd.read_excel(out / "chiikimap_karte.xlsx", sheet_name=None)
    text = "\n".join(frame.to_csv() for frame in table.values())
    assert "在宅療養支援診療所・病院" in text
    assert "訪問診療" in text


def test_cli_map_medical_beside_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--resources and --medical together: one layer; the 医療 categories only when named."""
    from chiikimap.cli import main

    out = tmp_path / "out"
    areas = ["--areas", str(SAMPLE / "chiiki_houkatsu.geojson"), "--id-col", "area_id"]
    lists = ["--resources", str(SAMPLE / "jigyosho.geojson"), "--medical", str(NAVII)]
    subjects = ["--medical-subjects", str(_subjects(tmp_path)), "--check", "homon_shinryo"]
    code = main(
        ["map", *areas, "--name-col", "center_name", *lists, *subjects, "--xlsx", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "訪問診療" in captured.out  # named: 2 facilities (訪問診療, 往診 in the 診療科目 file)
    assert "病院:" not in captured.out  # not named


def test_cli_medical_usage_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    areas = ["--areas", str(SAMPLE / "chiiki_houkatsu.geojson"), "--id-col", "area_id"]
    assert main(["map", *areas, "--out", str(tmp_path / "o")]) == 2
    assert "--medical" in capsys.readouterr().err
    # a 名簿 without a reference: exit 1, the message names the option to use
    assert main(["map", *areas, "--medical", str(KAGAWA), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "届出受理医療機関名簿には座標がなく" in err
    assert "--geocode" in err
    assert "chiikimap-medical" not in err


def test_cli_inspect_medical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    ref = _ikoma_reference(tmp_path)
    assert main(["inspect", str(NARA), "--medical", "--geocode", str(ref)]) == 0
    out = capsys.readouterr().out
    assert "recognised by read_medical" in out
    assert "読込 9・採用 8・除外 1" in out
    assert "行 / row 5" in out
    # without --medical: not recognised, with the hint to use it
    assert main(["inspect", str(NARA)]) == 1
    assert "--medical と --geocode" in capsys.readouterr().err


def test_meibo_flags_go_to_the_listed_facilities() -> None:
    """名簿 + the city's own list with coordinates (real rows of both, the same 9 facilities).

    The 名簿 facilities sit at town points, up to about a km from the building: the one whose
    name agrees in the city's list (within 3 km) is the same facility. It keeps the city's point,
    id and kind (病院/有床診療所/無床診療所) and gains 在宅療養支援/訪問診療; the 名簿 row is
    reported as merged. The city lists 松田胃腸科外科医院 as 「（休止中）」 (rejected); the 名簿
    still lists it, so it stays at its town point.
    """
    city = DATA / "medical" / "takamatsu_hospital_data_meibo_rows.csv"
    ref = _town_points(DATA / "geocode" / "takamatsu_geolonia_town.json", "高松市")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = read_medical([city, KAGAWA], geocode=ref)
    texts = [str(w.message) for w in caught]
    assert any("8 件を 1 つの資源にまとめました" in t for t in texts)
    assert any(t.startswith(f"{city.name}: 1 行を取り込めませんでした") for t in texts)
    assert len(res) == 9
    by_name = {name: tuple(c) for name, c in zip(res[S.NAME], res[S.CATEGORIES], strict=True)}
    assert by_name["医療法人社団啓友会久米川病院"] == ("byoin", "zaitaku_shien", "homon_shinryo")
    assert by_name["医療法人社団わき外科・内科クリニック"] == (
        "shinryojo",
        "zaitaku_shien",
        "homon_shinryo",
    )
    assert by_name["小谷医院"] == ("shinryojo", "homon_shinryo")
    assert by_name["医療法人社団康生会高松大林病院"] == ("byoin",)
    assert by_name["松田胃腸科外科医院"] == ("shinryojo",)  # the 名簿's own facility
    assert int(S.approximate(res).sum()) == 1
    assert (res[S.SOURCE] == city.name).sum() == 8
    rejected = rejected_rows(res)
    merged = rejected[rejected["reason"].str.startswith("重複")]
    # each 名簿 facility merged is named by the row of its first line, the kept one by its row
    assert sorted(merged["row"]) == [6, 8, 14, 66, 87, 147, 159, 223]
    assert set(merged["file"]) == {KAGAWA.name}
    kotani = merged[merged["row"] == 223].iloc[0]
    assert kotani["kept_row"] == 7
    assert "の行 7「小谷医院」" in kotani["reason"]
    assert 1000 < kotani["distance_m"] < 3000
    closed = rejected[~rejected["reason"].str.startswith("重複")]
    assert closed["row"].tolist() == [10]


def test_recipe_reads_a_meibo_with_the_recipe_reference(tmp_path: Path) -> None:
    """medical = true and the recipe's [geocode] reference: run.json counts the 名簿's levels."""
    import shutil

    from chiikimap.recipe import run_recipe

    shutil.copy(SAMPLE.parent / "ikoma" / "A32-23_29209.geojson", tmp_path / "圏域.geojson")
    shutil.copy(NARA, tmp_path / NARA.name)
    _ikoma_reference(tmp_path)
    (tmp_path / "recipe.toml").write_text(
        f'[areas]\npath = "圏域.geojson"\n[[resources]]\npath = "{NARA.name}"\nmedical = true\n'
        '[geocode]\nreference = ["生駒市.json"]\n'
        '[analysis]\ncategories = ["zaitaku_shien"]\n[output]\nformats = ["xlsx"]\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        done = run_recipe(tmp_path / "recipe.toml")
    n = done.coverage.table.groupby(S.CATEGORY)[S.N_RESOURCES].sum().to_dict()
    assert n == {"zaitaku_shien": 4}
    tables = done.record["geocode"]["tables"]
    assert tables == [{"path": NARA.name, "levels": {"町丁目": 8}, "unmatched": 1}]
