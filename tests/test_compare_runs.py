"""compare on two real dated versions of one list, on run folders, and ``chiikimap compare``.

The list is 高松市's 認知症グループホーム open data at two commits (2023-09-29, 2026-08-05; see
tests/data/change_takamatsu/README.md): by hand, 2 homes closed, 1 renamed at the same
address, 0 opened.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

import chiikimap
from chiikimap._runs import RunFolderError, load_run
from chiikimap.cli import main
from chiikimap.compare import compare_to_excel, resource_changes
from chiikimap.maps import needs as N

DATA = Path(__file__).parent / "data"
OLD = DATA / "change_takamatsu" / "group_home_2023-09-29.xlsx"
NEW = DATA / "change_takamatsu" / "group_home_2026-08-05.xlsx"
CLOSED = {"グループホーム　オアシス香西", "グループホーム　オアシスＫ"}
RADIUS = {"group_home": 1000}


@pytest.fixture(scope="module")
def pair() -> tuple[chiikimap.Coverage, chiikimap.Coverage]:
    s = chiikimap.load_sample("takamatsu")
    old, new = chiikimap.read_resources(OLD), chiikimap.read_resources(NEW)
    assert (len(old), len(new)) == (51, 49)
    kw = {
        "radius_m": RADIUS,
        "weight": "pop_75plus",
    }  # as the recipe of tests/data/recipe_takamatsu
    before = chiikimap.analyze(s.areas, old, s.population, **kw)
    after = chiikimap.analyze(s.areas, new, s.population, **kw)
    return before, after


def _closed_areas(areas: gpd.GeoDataFrame) -> list[str]:
    """Areas of the two closed homes, from the raw file (independent of chiikimap's readers)."""
    raw = pd.read_excel(OLD)
    raw = raw[raw["name"].isin(CLOSED)]
    pts = gpd.GeoDataFrame(
        raw, geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]), crs=6668
    )
    joined = gpd.sjoin(pts, areas[["area_id", "geometry"]].to_crs(6668), predicate="within")
    return sorted(joined["area_id"])


def test_real_versions_every_resource_accounted_for(pair) -> None:  # type: ignore[no-untyped-def]
    before, after = pair
    ch = resource_changes(before, after)
    assert ch["change"].value_counts().to_dict() == {"kept": 49, "closed": 2}
    assert set(ch.loc[ch["change"] == "closed", "name"]) == CLOSED
    # the rename at 伏石町2008-5 is one facility (address and category agree), not two changes
    res_b = before.resources.set_index("resource_id")["name"]
    res_a = after.resources.set_index("resource_id")["name"]
    kept = ch[ch["change"] == "kept"]
    renamed = kept[
        [
            res_b[b] != res_a[a]
            for b, a in zip(kept["resource_id_before"], kept["resource_id_after"], strict=True)
        ]
    ]
    assert [
        (res_b[b], res_a[a])
        for b, a in zip(renamed["resource_id_before"], renamed["resource_id_after"], strict=True)
    ] == [("グループホームすずらん", "グループホームまじゅん高松")]


def test_real_versions_compare_table(pair) -> None:  # type: ignore[no-untyped-def]
    before, after = pair
    cmp = chiikimap.compare(before, after)
    gh = cmp[cmp["category"] == "group_home"].set_index("area_id")
    lost = _closed_areas(before.areas)
    assert len(lost) == 2
    expected = pd.Series(0.0, index=gh.index)
    for aid in lost:
        expected[aid] -= 1
    pd.testing.assert_series_equal(gh["n_resources_change"], expected, check_names=False)
    assert gh["n_closed"].sum() == 2
    assert gh["n_opened"].sum() == 0
    assert (gh["n_other"] == 0).all()
    # nothing opened: coverage can only fall, and only near a closed home (≤ 1000 m)
    assert (gh["coverage_change"] <= 1e-12).all()
    fell = set(gh.index[gh["coverage_change"] < -1e-12])
    raw = pd.read_excel(OLD)
    raw = raw[raw["name"].isin(CLOSED)]
    pts = gpd.GeoSeries(gpd.points_from_xy(raw["longitude"], raw["latitude"]), crs=6668).to_crs(
        6690
    )
    areas = before.areas.set_index("area_id").to_crs(6690)
    near = {aid for aid, g in areas.geometry.items() if pts.distance(g).min() <= 1000}
    assert fell
    assert fell <= near
    assert set(gh.index[gh["trend"] == "worse"]) == fell
    # other categories did not move
    assert (cmp.loc[cmp["category"] != "group_home", "trend"] == "unchanged").all()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two ``run_recipe`` output folders of the 高松市 recipe, with the two group home lists."""
    from chiikimap.recipe import run_recipe

    base = tmp_path_factory.mktemp("runs")
    for f in (DATA / "recipe_takamatsu").iterdir():
        shutil.copy(f, base / f.name)
    text = (base / "recipe.toml").read_text(encoding="utf-8")
    text = text.replace('formats = ["html", "xlsx"]', 'formats = ["gpkg"]')
    text = text.replace(
        "[population]",
        '[[resources]]\npath = "group_home.xlsx"\ncredit = "高松市オープンデータ（高松市, CC BY 4.0）"'
        "\n\n[population]",
    )
    text = text.replace(
        "radius_m = { kyoten = 1200 }", "radius_m = { kyoten = 1200, group_home = 1000 }"
    )
    (base / "recipe.toml").write_text(text, encoding="utf-8")
    for name, source in (("old", OLD), ("new", NEW)):
        shutil.copy(source, base / "group_home.xlsx")
        run_recipe(base / "recipe.toml", out_dir=base / name)
    return base


def test_compare_on_run_folders_matches_the_coverages(runs: Path, pair) -> None:  # type: ignore[no-untyped-def]
    cmp = chiikimap.compare(runs / "old", runs / "new")
    gh = cmp[cmp["category"] == "group_home"].set_index("area_id")
    direct = chiikimap.compare(*pair)
    direct = direct[direct["category"] == "group_home"].set_index("area_id")
    cols = ["n_resources_change", "n_closed", "n_opened", "coverage_change", "trend"]
    # the recipe's areas are the sample's written with coordinates rounded to 1e-6°
    pd.testing.assert_frame_equal(gh[cols], direct[cols], check_exact=False, atol=1e-4)
    old = load_run(runs / "old" / "run.json")
    assert len(old.resources) == 7 + 52 + 47 + 51
    assert old.info.weight == "pop_75plus"
    assert old.info.rules["group_home"]["radius_m"] == 1000


def test_run_folder_errors_name_the_folder(runs: Path, tmp_path: Path) -> None:
    with pytest.raises(RunFolderError, match=r"run\.json") as exc:
        chiikimap.compare(tmp_path, runs / "new")
    assert exc.value.param == "before"
    assert exc.value.path == str(tmp_path)
    with pytest.raises(RunFolderError, match="フォルダがありません") as exc:
        chiikimap.compare(runs / "old", tmp_path / "nope")
    assert exc.value.param == "after"
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run.json").write_text("{", encoding="utf-8")
    with pytest.raises(RunFolderError, match="JSON"):
        load_run(broken)
    nogpkg = tmp_path / "nogpkg"
    nogpkg.mkdir()
    record = json.loads((runs / "old" / "run.json").read_text(encoding="utf-8"))
    (nogpkg / "run.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(RunFolderError, match="gpkg"):
        load_run(nogpkg)
    with pytest.raises(chiikimap.ParameterError) as exc:
        chiikimap.compare(42, runs / "new")  # type: ignore[arg-type]
    assert exc.value.param == "before"


def test_different_categories_are_refused(pair) -> None:  # type: ignore[no-untyped-def]
    before, after = pair
    s = chiikimap.load_sample("takamatsu")
    other = chiikimap.analyze(
        s.areas,
        after.resources,
        s.population,
        radius_m=RADIUS,
        weight="pop_75plus",
        categories=["kayoi_no_ba"],
    )
    with pytest.raises(chiikimap.ParameterError, match="kayoi_no_ba") as exc:
        chiikimap.compare(before, other)
    assert exc.value.param == "after"
    area = chiikimap.analyze(s.areas, after.resources, weight="area", radius_m=RADIUS)
    assert area.info.weight != before.info.weight
    with pytest.raises(chiikimap.ParameterError, match="基準"):
        chiikimap.compare(before, area)


def test_change_map_marks_closed_homes_and_worse_areas(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before, after = pair
    page = tmp_path / "change.html"
    N.save_change_html(before, after, page, category="group_home")
    text = page.read_text(encoding="utf-8")
    assert text.count("廃止 / closed") == 2
    assert "開設 / opened" not in text
    assert "廃止した資源（2）" in text
    assert N.TREND_COLOURS["worse"] in text
    assert "オアシス香西" in text


def test_cli_compare_writes_tables_and_maps(runs: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(runs / "old"),
            str(runs / "new"),
            "--out",
            str(out),
            "--xlsx",
            "--csv",
            "--offline-html",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "開設 0・廃止 2・継続 155" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "compare.csv",
        "compare.xlsx",
        "compare_offline.html",
    ]
    csv = pd.read_csv(out / "compare.csv", encoding="utf-8-sig")
    assert int(csv.loc[csv["category"] == "group_home", "n_closed"].sum()) == 2
    wb = load_workbook(out / "compare.xlsx")
    assert wb.sheetnames == ["前回との比較", "開設・廃止", "出典・条件"]
    heads = [c.value for c in wb["前回との比較"][4]]
    assert heads[:6] == ["圏域", "種別", "判定（前回）", "判定（今回）", "判定の変化", "変化"]
    # rows with a change come first: the two areas that lost a home
    first = [[c.value for c in wb["前回との比較"][r]] for r in (5, 6)]
    assert [r[:2] for r in first] == [
        ["勝賀中学校区（参考）", "認知症グループホーム"],
        ["香東中学校区（参考）", "認知症グループホーム"],
    ]
    assert [r[5] for r in first] == ["変化なし", "悪化"]
    changes = [r[0].value for r in wb["開設・廃止"].iter_rows(min_row=2)]
    assert changes.count("廃止") == 2
    assert changes.count("開設") == 0


def test_cli_compare_error_is_one_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["compare", str(tmp_path), str(tmp_path), "--out", str(tmp_path / "o")])
    assert code == 1
    err = capsys.readouterr().err
    assert "run.json" in err
    assert str(tmp_path) in err
    assert "→ コマンドでは OLD で指定します" in err


def test_cli_compare_unknown_category(runs: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "o"
    code = main(
        ["compare", str(runs / "old"), str(runs / "new"), "--out", str(out), "--category", "nope"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "group_home" in err  # the choices
    assert "--category" in err


def test_japanese_view_and_period_labels(pair) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from chiikimap.compare import japanese_view, period_labels

    before, after = pair
    cmp = chiikimap.compare(before, after)
    view = japanese_view(cmp[cmp["trend"] == "worse"], after)
    assert view.columns[:6].tolist() == [
        "圏域",
        "種別",
        "判定（前回）",
        "判定（今回）",
        "判定の変化",
        "変化",
    ]
    assert view.loc[0, "変化"] == "悪化"
    assert view.loc[0, "種別"] == "認知症グループホーム"
    assert view.loc[0, "判定（前回）"] in {"空白", "不足", "充足"}
    assert period_labels(before, after) == ("前回", "今回")  # same day, no dated resource source

    def dated(cov: chiikimap.Coverage, date: str) -> chiikimap.Coverage:
        src = chiikimap.Source("グループホーム", "高松市", date, layer="resources")
        return chiikimap.Coverage(**{**cov.__dict__, "info": replace(cov.info, sources=(src,))})

    assert period_labels(dated(before, "2023-09-29"), dated(after, "2026-08-05")) == (
        "資源 2023-09-29",
        "資源 2026-08-05",
    )


def _page_data(page: Path) -> dict[str, object]:
    import re

    text = page.read_text(encoding="utf-8")
    match = re.search(r"var D = (\{.*?\});\n", text)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def _dated(cov: chiikimap.Coverage, date: str, credit: str) -> chiikimap.Coverage:
    """``cov`` with its resource list credited as ``credit`` of ``date``."""
    from dataclasses import replace

    sources = tuple(
        replace(s, date=date, credit=credit) if s.layer == "resources" else s
        for s in cov.info.sources
    )
    return replace(cov, info=replace(cov.info, sources=sources))


def test_change_map_sources_box_lists_both_runs(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before, after = pair
    # the two versions of the list, credited with their dates; the older credit is hostile
    before = _dated(before, "2023-09-29", "認知症GH一覧 <img src=x onerror=alert(1)>")
    after = _dated(after, "2026-08-05", "認知症GH一覧 & 最新")
    page = tmp_path / "change.html"
    N.save_change_html(before, after, page, category="group_home")
    info = str(_page_data(page)["info"])
    old, new = (
        info.index("出典（前回、資源 2023-09-29）"),
        info.index("出典（今回、資源 2026-08-05）"),
    )
    assert old < new
    # each run's own resource credit under its own heading, the areas and population in both
    assert old < info.index("認知症GH一覧 &lt;img src=x onerror=alert(1)&gt;") < new
    assert info.index("認知症GH一覧 &amp; 最新") > new
    assert info.count("人口: 高松市") == 2
    assert "<img" not in info
    # as the workbook's 「出典・条件」 does
    compare_xlsx = tmp_path / "change.xlsx"
    compare_to_excel(before, after, compare_xlsx)
    cells = [
        str(c.value) for row in load_workbook(compare_xlsx)["出典・条件"].iter_rows() for c in row
    ]
    assert any("2023-09-29" in c for c in cells)
    assert any("2026-08-05" in c for c in cells)
