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
