"""Geocoding in the workflow: alias tables, recipe keys, CLI options, approximate positions.

Real reference files and lists are in tests/data/geocode (see its README for origin and credit).
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from chiikimap import _schema as S
from chiikimap import analyze, rejected_rows
from chiikimap._errors import ChiikimapWarning, InputFileError
from chiikimap.geocode import geocode
from chiikimap.io.aliases import read_aliases, resolve_aliases
from chiikimap.io.reference import read_reference
from chiikimap.io.resources import read_resources

DATA = Path(__file__).parent / "data" / "geocode"
SAMPLE = Path(__file__).parent.parent / "sample_data" / "hirakata"
TAKAMATSU_AREAS = Path(__file__).parent / "data" / "recipe_takamatsu" / "参考学区.geojson"

SALONS = [
    ("サロン東香里", "大阪府枚方市東香里１－２４－３４"),
    ("サロン津田", "枚方市津田北町３丁目３０番１号"),
    ("サロン招堤", "枚方市招堤北町一丁目5-3"),  # 招堤: the city's own spelling of 招提
    ("サロン市内", "大阪府枚方市"),  # the city only: never placed
]


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChiikimapWarning)
        yield


def _folder(tmp_path: Path) -> Path:
    """A council folder: the 枚方 areas, a サロン list with addresses only, the town reference."""
    shutil.copy(SAMPLE / "chiiki_houkatsu.geojson", tmp_path / "圏域.geojson")
    ref = tmp_path / "参照"
    ref.mkdir()
    shutil.copy(DATA / "hirakata_geolonia_town.json", ref / "枚方市.json")
    lines = ["名称,住所", *(f"{n},{a}" for n, a in SALONS)]
    (tmp_path / "salon.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "aliases.csv").write_text("表記,正しい表記\n招堤,招提\n", encoding="utf-8")
    return tmp_path


_RECIPE_HEAD = """
[areas]
path = "圏域.geojson"
id_col = "area_id"
name_col = "center_name"
[[resources]]
path = "salon.csv"
category = "kayoi_no_ba"
"""


# --- the alias table ----------------------------------------------------------------------------


def test_read_aliases_header_comments_and_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("表記,正しい表記\n招堤,招提\n\n# 楠葉 は 樟葉\n楠葉 , 樟葉\n", encoding="utf-8")
    assert read_aliases(path) == {"招堤": "招提", "楠葉": "樟葉"}
    # no header, cp932 (saved by Excel)
    path.write_bytes("招堤,招提\n".encode("cp932"))
    assert read_aliases(path) == {"招堤": "招提"}
    path.write_text("表記,正しい表記\n招堤,招提\n楠葉,\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_aliases(path)
    assert info.value.row == 3
    assert info.value.param == "address_aliases"


def test_read_aliases_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"表記": ["招堤"], "正しい表記": ["招提"]}).to_excel(path, index=False)
    assert read_aliases(path) == {"招堤": "招提"}
    assert resolve_aliases("a.xlsx", base=tmp_path) == {"招堤": "招提"}
    assert resolve_aliases({"a": "b"}) == {"a": "b"}
    assert resolve_aliases(None) is None


def test_read_resources_address_aliases(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    ref = folder / "参照" / "枚方市.json"
    with pytest.warns(ChiikimapWarning):
        plain = read_resources(folder / "salon.csv", category="kayoi_no_ba", geocode=ref)
    assert sorted(plain["name"]) == ["サロン東香里", "サロン津田"]
    with pytest.warns(ChiikimapWarning):
        fixed = read_resources(
            folder / "salon.csv",
            category="kayoi_no_ba",
            geocode=ref,
            address_aliases=folder / "aliases.csv",
        )
    by_name = fixed.set_index("name")
    assert by_name.loc["サロン招堤", "geocode_match"] == "枚方市招提北町一丁目"
    assert by_name.loc["サロン招堤", "geocode_level"] == "町丁目"
    assert len(rejected_rows(fixed)) == 1


# --- the recipe ---------------------------------------------------------------------------------


def test_recipe_geocode_table_and_run_json(tmp_path: Path) -> None:
    from chiikimap.recipe import run_recipe

    folder = _folder(tmp_path)
    (folder / "recipe.toml").write_text(
        _RECIPE_HEAD
        + '[geocode]\nreference = ["参照/*.json"]\naliases = "aliases.csv"\n'
        + '[output]\nformats = ["xlsx"]\n',
        encoding="utf-8",
    )
    with _quiet():
        done = run_recipe(folder / "recipe.toml")
    record = json.loads(done.run_json.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    layers = {i["path"]: i["layer"] for i in record["inputs"]}
    assert layers[str(Path("参照") / "枚方市.json")] == "reference"
    assert layers["aliases.csv"] == "aliases"
    ref_input = next(i for i in record["inputs"] if i["layer"] == "reference")
    import hashlib

    digest = hashlib.sha256((DATA / "hirakata_geolonia_town.json").read_bytes()).hexdigest()
    assert ref_input["sha256"] == digest
    geo = record["geocode"]
    assert geo["references"] == [str(Path("参照") / "枚方市.json")]
    assert geo["tables"] == [{"path": "salon.csv", "levels": {"町丁目": 3}, "unmatched": 1}]
    assert geo["resources"] == {"町丁目": 3}
    assert int(done.coverage.table[S.N_APPROX].sum()) == 3


def test_recipe_geocode_per_table_and_shorthand(tmp_path: Path) -> None:
    from chiikimap.recipe import run_recipe

    folder = _folder(tmp_path)
    own = _RECIPE_HEAD.replace(
        'category = "kayoi_no_ba"\n',
        'category = "kayoi_no_ba"\ngeocode = ["参照/枚方市.json"]\n'
        'address_aliases = { "招堤" = "招提" }\n',
    )
    (folder / "recipe.toml").write_text(own + '[output]\nformats = ["xlsx"]\n', encoding="utf-8")
    with _quiet():
        done = run_recipe(folder / "recipe.toml")
    assert done.record["geocode"]["tables"][0]["levels"] == {"町丁目": 3}
    assert done.record["geocode"]["aliases"] == []  # given inline in the recipe
    short = _RECIPE_HEAD.replace("[areas]", 'geocode = "参照/枚方市.json"\n[areas]')
    (folder / "recipe.toml").write_text(short + '[output]\nformats = ["xlsx"]\n', encoding="utf-8")
    with _quiet():
        done = run_recipe(folder / "recipe.toml")
    assert done.record["geocode"]["tables"][0]["levels"] == {"町丁目": 2}
    assert done.record["geocode"]["tables"][0]["unmatched"] == 2


def test_recipe_geocode_errors_name_the_key(tmp_path: Path) -> None:
    from chiikimap.recipe import RecipeError, load_recipe, run_recipe

    folder = _folder(tmp_path)
    text = _RECIPE_HEAD + '[geocode]\nreference = ["参照/ない.json"]\n'
    (folder / "recipe.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError) as info:
        run_recipe(folder / "recipe.toml")
    assert info.value.param == "geocode.reference"
    text = _RECIPE_HEAD + '[geocode]\nreference = ["参照/枚方市.json"]\nalias = "a.csv"\n'
    (folder / "recipe.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError) as info:
        load_recipe(folder / "recipe.toml")
    assert info.value.param == "geocode.alias"
    (folder / "bad.csv").write_text("招堤\n", encoding="utf-8")
    text = _RECIPE_HEAD + '[geocode]\nreference = ["参照/枚方市.json"]\naliases = "bad.csv"\n'
    (folder / "recipe.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        run_recipe(folder / "recipe.toml")
    assert err.value.param == "geocode.aliases"


def test_init_mentions_geocode_for_address_lists(tmp_path: Path) -> None:
    from chiikimap.recipe import init_recipe, load_recipe

    folder = _folder(tmp_path)
    (folder / "aliases.csv").unlink()
    shutil.rmtree(folder / "参照")
    path, found = init_recipe(folder)
    text = path.read_text(encoding="utf-8")
    assert "salon.csv" in found["resources"]
    assert "座標の列がなく住所の列があります（4 行）" in text
    assert "# geocode = [" in text
    assert "# [geocode]" in text
    load_recipe(path)  # the template is a valid recipe as written


# --- approximate positions: known answers -------------------------------------------------------


def _square(x0: float, y0: float, size: float = 0.01) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + size, y0 + size)


def _synthetic() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two areas; A holds 2 given + 1 町丁目 通いの場 and 1 大字 配食, B 1 街区 通いの場 + 1 町丁目 配食."""
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "area_name": ["北", "南"]},
        geometry=[_square(135.60, 34.80), _square(135.61, 34.80)],
        crs=S.STORAGE_CRS,
    )
    rows = [
        ("r1", "kayoi_no_ba", 135.601, None),
        ("r2", "kayoi_no_ba", 135.602, None),
        ("r3", "kayoi_no_ba", 135.603, "町丁目"),
        ("r4", "haishoku", 135.604, "大字"),
        ("r5", "kayoi_no_ba", 135.611, "街区"),
        ("r6", "haishoku", 135.612, "町丁目"),
    ]
    res = gpd.GeoDataFrame(
        {
            "resource_id": [r[0] for r in rows],
            "name": [f"資源{r[0]}" for r in rows],
            "category": [r[1] for r in rows],
            "categories": [(r[1],) for r in rows],
            "capacity": np.nan,
            "address": "",
            "source": "test",
            "geocode_level": pd.Series([r[3] for r in rows], dtype=object),
        },
        geometry=[shapely.Point(r[2], 34.805) for r in rows],
        crs=S.STORAGE_CRS,
    )
    return areas, res


def test_n_approx_known_answer() -> None:
    areas, res = _synthetic()
    cov = analyze(areas, res)
    got = cov.table.set_index(["area_id", "category"])[S.N_APPROX].to_dict()
    assert got == {
        ("A", "kayoi_no_ba"): 1,
        ("A", "haishoku"): 1,
        ("B", "kayoi_no_ba"): 0,
        ("B", "haishoku"): 1,
    }
    summary = cov.summary().set_index("category")
    assert summary.loc["kayoi_no_ba", S.N_APPROX] == 1
    assert summary.loc["haishoku", S.N_APPROX] == 2
    assert list(summary.columns[:3]) == [S.CATEGORY_LABEL, S.N_RESOURCES, S.N_APPROX]
    plain = analyze(areas, res.drop(columns="geocode_level"))
    assert (plain.table[S.N_APPROX] == 0).all()


def test_excel_counts_and_says_approximate(tmp_path: Path) -> None:
    import openpyxl

    areas, res = _synthetic()
    cov = analyze(areas, res)
    path = tmp_path / "k.xlsx"
    cov.to_excel(path)
    book = openpyxl.load_workbook(path)
    overview = book["概要"]
    heads = [c.value for c in overview[4]]
    col = heads.index("うち概略位置の資源数")
    values = {
        overview.cell(row=r, column=1).value: overview.cell(row=r, column=col + 1).value
        for r in (5, 6)
    }
    assert values == {"通いの場": 1, "配食": 2}
    everything = " ".join(
        str(c.value) for row in book["出典・条件"].iter_rows() for c in row if c.value
    )
    assert "町丁目の代表点" in everything
    assert "800 m" in everything
    assert "3 件" in everything
    listing = book["資源一覧"]
    heads = [c.value for c in listing[1]]
    level = heads.index("位置の水準（住所照合）") + 1
    levels = [listing.cell(row=r, column=level).value for r in range(2, 8)]
    assert levels == [
        "元の座標",
        "元の座標",
        "町丁目（概略）",
        "大字（概略）",
        "街区",
        "町丁目（概略）",
    ]
    karte = next(ws for ws in book.worksheets if ws.title.startswith("北"))
    marked = [row for row in karte.iter_rows(values_only=True) if row and S.APPROX_NOTE_JA in row]
    assert sorted(r[1] for r in marked) == ["資源r3", "資源r4"]


def test_excel_without_geocoding_has_no_approx_column(tmp_path: Path) -> None:
    import openpyxl

    areas, res = _synthetic()
    cov = analyze(areas, res.drop(columns="geocode_level"))
    cov.to_excel(tmp_path / "k.xlsx")
    book = openpyxl.load_workbook(tmp_path / "k.xlsx")
    assert "うち概略位置の資源数" not in [c.value for c in book["概要"][4]]


def test_static_map_draws_town_points_hollow() -> None:
    import matplotlib.pyplot as plt

    from chiikimap.maps.static import static_map

    areas, res = _synthetic()
    cov = analyze(areas, res)
    fig = static_map(cov, category="kayoi_no_ba")
    try:
        texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
        assert S.APPROX_NOTE_JA in texts
        ax = fig.axes[0]
        hollow = [
            c
            for c in ax.collections
            if len(c.get_offsets()) and np.allclose(c.get_facecolor()[:, :3], 1.0)
        ]
        # kayoi_no_ba: r3 (町丁目) hollow; r5 (街区) and r1, r2 filled
        assert sum(len(c.get_offsets()) for c in hollow) == 1
        footer = " ".join(t.get_text() for t in fig.texts)
        assert "800 m" in footer
    finally:
        plt.close(fig)
    plain = static_map(analyze(areas, res.drop(columns="geocode_level")))
    try:
        texts = [t.get_text() for leg in plain.legends for t in leg.get_texts()]
        assert S.APPROX_NOTE_JA not in texts
    finally:
        plt.close(plain)


def test_interactive_sources_box_says_approximate() -> None:
    areas, res = _synthetic()
    html = analyze(areas, res).map().get_root().render()
    assert "ckm-approx" in html
    assert "800 m" in html


def test_booklet_lists_approximate_resources() -> None:
    from chiikimap.booklet import booklet_data

    areas, res = _synthetic()
    books = {b.area_id: b for b in booklet_data(analyze(areas, res))}
    marked = {e.name: e.approx for e in books["A"].entries}
    assert marked == {"資源r1": False, "資源r2": False, "資源r3": True, "資源r4": True}
    assert all(e.address.endswith(f" ※{S.APPROX_NOTE_JA}") for e in books["A"].entries if e.approx)


# --- real lists (coordinates hidden) -------------------------------------------------------------


def _hidden(path: Path, name: str, address: str, out: Path) -> Path:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.DataFrame({"名称": frame[name], "住所": frame[address]}).to_csv(out, index=False)
    return out


@pytest.mark.parametrize(
    ("lst", "name", "address", "refs", "areas"),
    [
        (
            "hirakata_medical_addresses.csv",
            "facility_id",
            "address_full",
            ["hirakata_geolonia_town.json"],
            SAMPLE / "chiiki_houkatsu.geojson",
        ),
        (
            "hirakata_medical_addresses.csv",
            "facility_id",
            "address_full",
            ["hirakata_isj_gaiku.json", "hirakata_geolonia_town.json"],
            SAMPLE / "chiiki_houkatsu.geojson",
        ),
        (
            "takamatsu_hospital_addresses.csv",
            "name",
            "address",
            ["takamatsu_geolonia_town.json"],
            TAKAMATSU_AREAS,
        ),
    ],
)
def test_real_lists_count_approximate(
    tmp_path: Path, lst: str, name: str, address: str, refs: list[str], areas: Path
) -> None:
    """n_approx equals the rows geocode() placed at 町丁目/大字 level that lie in an area."""
    from chiikimap import read_districts

    src = _hidden(DATA / lst, name, address, tmp_path / "list.csv")
    municipality = "枚方市" if "hirakata" in lst else "高松市"
    ref = read_reference([DATA / r for r in refs], municipality=municipality)
    with _quiet():
        res = read_resources(src, category="shinryojo", geocode=ref)
        if "takamatsu" in lst:
            districts = read_districts(areas, id_col="学区ID", name_col="学区名")
        else:
            districts = read_districts(areas, id_col="area_id", name_col="center_name")
        cov = analyze(districts, res, categories=["shinryojo"])
    frame = pd.read_csv(DATA / lst, dtype=str, keep_default_na=False)
    expected = geocode(frame[address], ref)
    n_placed = int(expected["lon"].notna().sum())
    assert n_placed >= 0.95 * len(frame)
    # every row is a resource or rejected: unplaced addresses, else 休止中 rows and identical rows
    reasons = rejected_rows(res)["reason"].astype(str)
    unmatched = reasons.str.startswith("座標がなく、住所を照合できません")
    assert int(unmatched.sum()) == len(frame) - n_placed
    assert reasons[~unmatched].str.contains("休止|重複").all()
    assert len(res) + len(reasons) == len(frame)
    assert len(res) >= 0.95 * n_placed
    # the known answer, counted without analyze: resources at a town point inside an area
    inside = gpd.sjoin(res[["geocode_level", "geometry"]], districts[["geometry"]])
    inside = inside[~inside.index.duplicated()]
    town = inside["geocode_level"].isin(S.APPROX_LEVELS)
    print(  # the figures of the report: pytest tests/test_geocode_workflow.py -s -k real_lists
        f"\n{lst} with {'+'.join(refs)}: {len(frame)} rows, {len(res)} resources "
        f"{res['geocode_level'].value_counts().to_dict()}, {len(inside)} in the areas, "
        f"n_approx {int(cov.table[S.N_APPROX].sum())}"
    )
    assert int(cov.table[S.N_APPROX].sum()) == int(town.sum())
    assert int(cov.table[S.N_RESOURCES].sum()) == len(inside)
    assert len(inside) >= 0.9 * len(res)
    if "hirakata_isj_gaiku.json" in refs:
        assert 0 < town.sum() < 0.2 * len(inside)  # most at 街区 level: few approximate
    else:
        assert town.all()  # town points only: every placed resource is approximate


# --- command line --------------------------------------------------------------------------------


def test_cli_map_geocode_and_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from chiikimap.cli import main

    folder = _folder(tmp_path)
    args = ["map", "--areas", str(folder / "圏域.geojson"), "--id-col", "area_id"]
    args += ["--name-col", "center_name", "--resources", str(folder / "salon.csv")]
    args += ["--category", "kayoi_no_ba", "--geocode", str(folder / "参照" / "枚方市.json")]
    args += ["--aliases", str(folder / "aliases.csv"), "--out", str(tmp_path / "out"), "--xlsx"]
    with _quiet():
        assert main(args) == 0
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "out" / "chiikimap_karte.xlsx")
    heads = [c.value for c in book["資源一覧"][1]]
    assert "位置の水準（住所照合）" in heads
    assert book["資源一覧"].max_row == 4  # 3 placed (招堤 through the alias), 1 city-only rejected
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    bad.write_text("招堤\n", encoding="utf-8")
    with _quiet():
        assert main([*args[:-5], "--aliases", str(bad), "--out", str(tmp_path / "o2")]) == 1
    assert "--aliases" in capsys.readouterr().err


def test_cli_geocode_aliases(tmp_path: Path) -> None:
    from chiikimap.cli import main

    folder = _folder(tmp_path)
    ref = folder / "参照" / "枚方市.json"
    out = tmp_path / "out.csv"
    base = ["geocode", str(folder / "salon.csv"), "--reference", str(ref), "--out", str(out)]
    assert main(base) == 0
    plain = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert plain["geocode_level"].tolist() == ["町丁目", "町丁目", "", ""]
    assert main([*base, "--aliases", str(folder / "aliases.csv")]) == 0
    fixed = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert fixed["geocode_level"].tolist() == ["町丁目", "町丁目", "町丁目", ""]
    assert fixed["geocode_match"][2] == "枚方市招提北町一丁目"


def test_cli_run_geocode_option(tmp_path: Path) -> None:
    from chiikimap.cli import main

    folder = _folder(tmp_path)
    (folder / "recipe.toml").write_text(
        _RECIPE_HEAD + '[output]\nformats = ["xlsx"]\n', encoding="utf-8"
    )
    ref = folder / "参照" / "枚方市.json"
    with _quiet():
        assert main(["run", str(folder / "recipe.toml"), "--geocode", str(ref)]) == 0
    record = json.loads((folder / "出力" / "run.json").read_text(encoding="utf-8"))
    assert record["geocode"]["tables"][0]["levels"] == {"町丁目": 2}
    assert [i["layer"] for i in record["inputs"]].count("reference") == 1


def test_recipe_reference_with_a_point_list(tmp_path: Path) -> None:
    """A point list (care offices with coordinates) among a recipe's references: run.json lists
    it with its hash, and the rows are placed as geocode() places them with the same files."""
    from chiikimap.recipe import run_recipe

    folder = _folder(tmp_path)
    points = DATA.parent / "geocode_points" / "hirakata_jigyosho_points.csv"
    shutil.copy(points, folder / "参照" / "事業所.csv")
    (folder / "recipe.toml").write_text(
        _RECIPE_HEAD
        + '[geocode]\nreference = ["参照/枚方市.json", "参照/事業所.csv"]\naliases = "aliases.csv"\n'
        + '[output]\nformats = ["xlsx"]\n',
        encoding="utf-8",
    )
    with _quiet():
        done = run_recipe(folder / "recipe.toml")
    record = done.record
    assert record["geocode"]["references"] == [
        str(Path("参照") / "枚方市.json"),
        str(Path("参照") / "事業所.csv"),
    ]
    import hashlib

    sha = {i["path"]: i["sha256"] for i in record["inputs"] if i["layer"] == "reference"}
    assert sha[str(Path("参照") / "事業所.csv")] == hashlib.sha256(points.read_bytes()).hexdigest()
    ref = read_reference([DATA / "hirakata_geolonia_town.json", points], municipality="枚方市")
    expected = geocode([a for _, a in SALONS], ref, aliases=resolve_aliases(folder / "aliases.csv"))
    levels = expected["geocode_level"].dropna().value_counts().to_dict()
    assert record["geocode"]["tables"] == [{"path": "salon.csv", "levels": levels, "unmatched": 1}]
    print(levels)
