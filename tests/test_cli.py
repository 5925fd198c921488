"""The CLI's own logic (parsing, exit codes, error text, output selection) with stand-in readers.

The readers and ``analyze`` are replaced by fakes that record their arguments, so these tests pin
what the CLI passes and how it reports, independent of the analysis.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

import chiikimap
from chiikimap import _schema as S
from chiikimap._errors import ChiikimapWarning, ColumnNotFoundError, UnknownLayoutError
from chiikimap.cli import DEMO_TITLE, main
from chiikimap.result import Coverage
from tests.fakes import fake_resources, grid_areas


@pytest.fixture
def calls(monkeypatch, fake_cov):
    """Replace the public readers and analyze; return the list of recorded calls."""
    record: list[tuple[str, tuple, dict]] = []

    def reader(name, result):
        def fn(*args, **kwargs):
            record.append((name, args, kwargs))
            if name == "read_resources":
                warnings.warn(
                    "2 行を除外しました / 2 rows rejected", ChiikimapWarning, stacklevel=2
                )
            return result

        return fn

    monkeypatch.setattr(chiikimap, "read_districts", reader("read_districts", grid_areas()))
    monkeypatch.setattr(chiikimap, "read_resources", reader("read_resources", fake_resources()))
    monkeypatch.setattr(chiikimap, "read_population", reader("read_population", None))
    monkeypatch.setattr(chiikimap, "analyze", reader("analyze", fake_cov))

    def save_html(self, path, **kwargs):
        record.append(("save_html", (str(path),), kwargs))
        path.write_text("<html></html>", encoding="utf-8")

    monkeypatch.setattr(Coverage, "save_html", save_html)
    return record


@pytest.fixture
def inputs(tmp_path):
    for name in ("areas.geojson", "a.csv", "b.xlsx", "pop.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    return tmp_path


def test_help_is_bilingual(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "空白" in out
    assert "Finds which community-care services" in out
    assert main(["map", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--offline-html" in out
    assert "資源一覧" in out
    assert "resource list" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["map", "--areas", "a"],  # --resources missing
        ["map", "--areas", "a", "--resources", "b", "--radius", "kayoi_no_ba"],
        ["map", "--areas", "a", "--resources", "b", "--radius", "kayoi_no_ba=-5"],
        ["map", "--areas", "a", "--resources", "b", "--target", "haishoku=1.5"],
        ["map", "--areas", "a", "--resources", "b", "--weight", "pop_90plus"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_missing_file_is_an_input_error_without_traceback(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "nothere.csv")]) == 1
    err = capsys.readouterr().err
    assert "ファイルがありません" in err
    assert "nothere.csv" in err
    assert "Traceback" not in err
    assert main(["--debug", "inspect", str(tmp_path / "nothere.csv")]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["inspect", "--debug", str(tmp_path / "nothere.csv")]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_map_passes_options_and_writes_selected_outputs(calls, inputs, capsys):
    out = inputs / "out"
    code = main(
        [
            "map",
            "--areas",
            str(inputs / "areas.geojson"),
            "--resources",
            str(inputs / "a.csv"),
            "--resources",
            str(inputs / "b.xlsx"),
            "--population",
            str(inputs / "pop.csv"),
            "--municipality",
            "27210",
            "--id-col",
            "A32_001",
            "--name-col",
            "A32_003",
            "--category",
            "kayoi_no_ba",
            "--radius",
            "kayoi_no_ba=600",
            "--radius",
            "haishoku=2500",
            "--target",
            "kayoi_no_ba=70%",
            "--weight",
            "pop_75plus",
            "--out",
            str(out),
            "--xlsx",
            "--gpkg",
        ]
    )
    assert code == 0
    by_name = {name: (args, kwargs) for name, args, kwargs in calls}
    assert by_name["read_districts"] == (
        (str(inputs / "areas.geojson"),),
        {"municipality": "27210", "id_col": "A32_001", "name_col": "A32_003"},
    )
    assert by_name["read_resources"] == (
        ([str(inputs / "a.csv"), str(inputs / "b.xlsx")],),
        {"category": "kayoi_no_ba"},
    )
    assert by_name["read_population"][0] == (str(inputs / "pop.csv"),)
    assert by_name["analyze"][1] == {
        "radius_m": {"kayoi_no_ba": 600.0, "haishoku": 2500.0},
        "target": {"kayoi_no_ba": 0.7},
        "weight": "pop_75plus",
    }
    assert sorted(p.name for p in out.iterdir()) == ["chiikimap.gpkg", "chiikimap_karte.xlsx"]
    captured = capsys.readouterr()
    assert str(out / "chiikimap_karte.xlsx") in captured.out
    assert "通いの場: カバー率 31.1%、空白 5・不足 2 圏域" in captured.out
    assert "[chiikimap] 計算中" in captured.err  # progress on stderr
    assert "注意 / warning: 2 行を除外しました" in captured.err


def test_map_population_table_and_encoding_reach_read_population(calls, inputs):
    code = main(
        [
            "map",
            "--areas",
            str(inputs / "areas.geojson"),
            "--resources",
            str(inputs / "a.csv"),
            "--population",
            str(inputs / "pop.csv"),
            "--population-id-col",
            "圏域ID",
            "--encoding",
            "cp932",
            "--out",
            str(inputs / "out"),
            "--xlsx",
        ]
    )
    assert code == 0
    by_name = {name: (args, kwargs) for name, args, kwargs in calls}
    args, kwargs = by_name["read_population"]
    assert args == (str(inputs / "pop.csv"),)
    # the table is joined to the areas that read_districts returned
    areas = kwargs.pop("boundaries")
    assert list(areas[S.AREA_ID]) == list(grid_areas()[S.AREA_ID])
    assert kwargs == {"kind": "table", "id_col": "圏域ID", "encoding": "cp932"}
    assert by_name["read_districts"][1] == {}  # GeoJSON is UTF-8 by definition
    assert by_name["read_resources"][1] == {"encoding": "cp932"}


def test_population_id_col_needs_population(inputs, capsys):
    code = main(
        [
            "map",
            "--areas",
            str(inputs / "areas.geojson"),
            "--resources",
            str(inputs / "a.csv"),
            "--population-id-col",
            "圏域ID",
        ]
    )
    assert code == 2
    assert "--population-id-col" in capsys.readouterr().err


def test_map_help_documents_population_options(capsys):
    assert main(["map", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--population-id-col COL" in out
    assert "圏域ごとの人口表" in out
    assert "table of counts per area" in out
    assert "CSV と shapefile に使います" in out


def test_map_reader_error_exits_1(calls, inputs, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ColumnNotFoundError(
            "緯度の列がありません / no latitude column; pass lat_col=", path="a.csv"
        )

    monkeypatch.setattr(chiikimap, "read_resources", broken)
    code = main(
        [
            "map",
            "--areas",
            str(inputs / "areas.geojson"),
            "--resources",
            str(inputs / "a.csv"),
            "--out",
            str(inputs / "o"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "エラー / error: a.csv: 緯度の列がありません" in err
    assert "Traceback" not in err
    assert not (inputs / "o").exists()


def test_map_missing_input_names_the_file(calls, inputs, capsys):
    code = main(
        [
            "map",
            "--areas",
            str(inputs / "areas.geojson"),
            "--resources",
            str(inputs / "missing.csv"),
        ]
    )
    assert code == 1
    assert "missing.csv" in capsys.readouterr().err
    assert [c[0] for c in calls] == []  # nothing was read


def test_demo_writes_every_output(calls, monkeypatch, tmp_path, capsys):
    sample = SimpleNamespace(areas="A", resources="R", population="P", sources=())
    monkeypatch.setattr(
        chiikimap, "load_sample", lambda name: calls.append(("load_sample", (name,), {})) or sample
    )
    assert main(["demo", "--out", str(tmp_path / "d")]) == 0
    files = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert files == [
        "hirakata.gpkg",
        "hirakata.html",
        "hirakata.pdf",
        "hirakata.png",
        "hirakata_karte.xlsx",
        "hirakata_offline.html",
    ]
    html_calls = [kw for name, _, kw in calls if name == "save_html"]
    assert html_calls == [{"title": DEMO_TITLE}, {"offline": True, "title": DEMO_TITLE}]
    assert DEMO_TITLE == "枚方市 日常生活圏域別 介護資源の空白・不足"
    assert ("analyze", ("A", "R", "P"), {}) in calls
    assert ("load_sample", ("hirakata",), {}) in calls
    out = capsys.readouterr().out
    assert str(tmp_path / "d" / "hirakata.pdf") in out


def test_demo_offline_skips_the_online_html(calls, monkeypatch, tmp_path):
    sample = SimpleNamespace(areas="A", resources="R", population=None, sources=())
    monkeypatch.setattr(chiikimap, "load_sample", lambda name: sample)
    monkeypatch.setattr(Coverage, "save_static", lambda self, path, **kw: path.write_bytes(b"x"))
    assert main(["demo", "--offline", "--out", str(tmp_path / "d")]) == 0
    assert not (tmp_path / "d" / "hirakata.html").exists()
    assert (tmp_path / "d" / "hirakata_offline.html").exists()


def test_inspect_reports_the_recognising_reader(calls, inputs, monkeypatch, capsys):
    def not_districts(*args, **kwargs):
        raise UnknownLayoutError(
            "中学校区の形式ではありません / not a district layout", path=args[0]
        )

    res = fake_resources()
    res.attrs[S.ATTRS_KEY] = {
        "file": "a.csv",
        "layout": "MHLW 介護サービス情報公表 CSV",
        "columns": {"name": "事業所名", "lat": "緯度", "lon": "経度"},
        "n_read": 6,
        "rejected": [
            {"file": "a.csv", "row": 3, "reason": "緯度が空です", "values": {"事業所名": "甲"}},
            {"file": "a.csv", "row": 5, "reason": "緯度が空です", "values": {"事業所名": "乙"}},
        ],
        "duplicates": [],
        "warnings": [],
        "sources": [],
    }
    monkeypatch.setattr(chiikimap, "read_districts", not_districts)
    monkeypatch.setattr(chiikimap, "read_resources", lambda *a, **k: res)
    assert main(["inspect", str(inputs / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "資源一覧 / resources として認識しました / recognised by read_resources" in out
    assert "MHLW 介護サービス情報公表 CSV" in out
    assert "lat ← 緯度" in out
    assert "読込 6・採用 4・除外 2" in out
    assert "2 行 / rows: 緯度が空です" in out
    assert "read_districts では読めませんでした" in out


def test_inspect_nothing_recognised_exits_1(inputs, monkeypatch, capsys):
    def refuse(what):
        def fn(*args, **kwargs):
            if what == "read_population":  # a reader's bug is a verdict too, not a traceback
                raise KeyError("band")
            raise chiikimap.InputFileError(f"{what} ではありません", param="encoding")

        return fn

    for name in ("read_districts", "read_resources", "read_population"):
        monkeypatch.setattr(chiikimap, name, refuse(name))
    assert main(["inspect", str(inputs / "a.csv")]) == 1
    err = capsys.readouterr().err
    assert "どの形式としても読めませんでした" in err
    for name in ("read_districts", "read_resources"):
        assert f"{name}: {name} ではありません → コマンドでは --encoding で指定します" in err
    assert "read_population: 予期しないエラー / unexpected error: KeyError: 'band'" in err
    assert "Traceback" not in err


def test_inspect_prints_each_note_once(inputs, monkeypatch, capsys):
    # the reader records a note in its report and warns with the same text, as the real ones do
    note = "a.csv: 1 行を取り込めませんでした / 1 rows rejected"
    res = fake_resources()
    res.attrs[S.ATTRS_KEY] = {
        "file": "a.csv",
        "layout": "generic",
        "columns": {},
        "n_read": 4,
        "rejected": [],
        "duplicates": [
            {
                "file": "a.csv",
                "row": 9,
                "kept_file": "a.csv",
                "kept_row": 2,
                "name": "サロン東",
                "added_categories": ["haishoku"],
                "values": {},
            }
        ],
        "warnings": [note],
        "sources": [],
    }

    def reader(*args, **kwargs):
        warnings.warn(note, ChiikimapWarning, stacklevel=2)
        warnings.warn("別の注意 / another warning", ChiikimapWarning, stacklevel=2)
        return res

    monkeypatch.setattr(chiikimap, "read_districts", reader)
    assert main(["inspect", str(inputs / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert out.count("1 行を取り込めませんでした") == 1
    assert out.count("別の注意 / another warning") == 1
    assert "/ warning:" not in out
    assert "a.csv 行 9 を 行 2 にまとめました（サロン東）、種別を追加: 配食" in out


def test_map_title_option(calls, inputs, monkeypatch):
    seen = []
    monkeypatch.setattr(Coverage, "save_static", lambda self, path, **kw: seen.append(kw))
    base = [
        "map",
        "--areas",
        str(inputs / "areas.geojson"),
        "--resources",
        str(inputs / "a.csv"),
        "--png",
        "--html",
    ]
    assert main([*base, "--out", str(inputs / "o1"), "--title", "生駒市 中学校区別"]) == 0
    assert main([*base, "--out", str(inputs / "o2")]) == 0
    html = [kw for name, _, kw in calls if name == "save_html"]
    assert html == [{"title": "生駒市 中学校区別"}, {}]
    assert seen == [{"title": "生駒市 中学校区別"}, {}]


# --- option values, keys and hints ------------------------------------------------------------
def _map_args(inputs, *extra):
    return [
        "map",
        "--areas",
        str(inputs / "areas.geojson"),
        "--resources",
        str(inputs / "a.csv"),
        "--out",
        str(inputs / "out"),
        *extra,
    ]


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--radius", "kayoi_no_ba=-5", "半径は 0 より大きいメートルで指定してください"),
        ("--radius", "kayoi_no_ba=0", "the radius must be > 0 m"),
        ("--target", "kayoi_no_ba=150%", "目標カバー率は 0–1 または 0–100% で指定してください"),
        ("--target", "kayoi_no_ba=-0.1", "the target must be 0–1 or 0–100%"),
    ],
)
def test_out_of_range_numbers_say_the_range(calls, inputs, capsys, option, value, expected):
    assert main(_map_args(inputs, option, value)) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "not a number" not in err
    assert calls == []


@pytest.mark.parametrize(
    "extra",
    [
        ["--radius", "salon=800"],
        ["--target", "salon=0.5"],
        ["--check", "salon"],
        ["--category", "salon"],
    ],
)
def test_unknown_category_key_is_a_usage_error_before_reading(calls, inputs, capsys, extra):
    assert main(_map_args(inputs, *extra)) == 2
    err = capsys.readouterr().err
    assert f"{extra[0]} salon" in err
    assert "kayoi_no_ba" in err  # the valid keys are listed
    assert "houmon_kaigo" in err
    assert calls == []


def test_population_weight_without_population_is_a_usage_error(calls, inputs, capsys):
    assert main(_map_args(inputs, "--weight", "pop_75plus")) == 2
    err = capsys.readouterr().err
    assert "--weight pop_75plus には --population 人口ファイル が必要です" in err
    assert "--weight area" in err
    assert calls == []
    assert main(_map_args(inputs, "--weight", "area", "--xlsx")) == 0


def test_out_naming_an_existing_file(calls, inputs, capsys):
    (inputs / "out").write_text("x", encoding="utf-8")
    assert main(_map_args(inputs)) == 1
    err = capsys.readouterr().err
    assert "同じ名前のファイルがあります" in err
    assert "--out names an existing file" in err
    assert "Traceback" not in err
    assert calls == []
    assert main(["demo", "--out", str(inputs / "out")]) == 1
    assert "同じ名前のファイルがあります" in capsys.readouterr().err


def test_resource_column_options_reach_read_resources(calls, inputs):
    assert (
        main(
            _map_args(
                inputs,
                "--lat-col",
                "北緯",
                "--lon-col",
                "東経",
                "--resource-name-col",
                "施設",
                "--category-col",
                "内容",
                "--sheet",
                "2",
                "--header-row",
                "3",
                "--xlsx",
            )
        )
        == 0
    )
    (kwargs,) = [kw for name, _, kw in calls if name == "read_resources"]
    assert kwargs == {
        "lat_col": "北緯",
        "lon_col": "東経",
        "name_col": "施設",
        "category_col": "内容",
        "sheet": 2,
        "header_row": 3,
    }
    # --name-col stays the areas' option
    assert main(_map_args(inputs, "--name-col", "A32_003", "--sheet", "一覧", "--xlsx")) == 0
    districts = [kw for name, _, kw in calls if name == "read_districts"]
    assert districts[-1] == {"name_col": "A32_003"}
    assert [kw for name, _, kw in calls if name == "read_resources"][-1] == {"sheet": "一覧"}


def test_inspect_resource_options_go_to_read_resources_only(inputs, monkeypatch, capsys):
    seen: dict[str, dict] = {}

    def refuse(name):
        def fn(path, **kwargs):
            seen[name] = kwargs
            raise ColumnNotFoundError(f"{name} は読めません")

        return fn

    monkeypatch.setattr(chiikimap, "read_districts", refuse("read_districts"))
    monkeypatch.setattr(chiikimap, "read_resources", refuse("read_resources"))
    monkeypatch.setattr(chiikimap, "read_population", refuse("read_population"))
    assert main(["inspect", str(inputs / "b.xlsx"), "--sheet", "一覧", "--lat-col", "Y"]) == 1
    assert seen == {
        "read_districts": {},
        "read_resources": {"sheet": "一覧", "lat_col": "Y"},
        "read_population": {},
    }


def test_reader_hints_name_the_command_line_options(calls, inputs, monkeypatch, capsys):
    # the real reader on a list without coordinates: its error names lat_col
    monkeypatch.setattr(chiikimap, "read_resources", chiikimap.io.resources.read_resources)
    (inputs / "a.csv").write_text("名称,住所\nサロンA,枚方市\n", encoding="utf-8")
    assert main(_map_args(inputs, "--category", "kayoi_no_ba")) == 1
    err = capsys.readouterr().err
    assert "緯度の列が見つかりません" in err
    assert "→ コマンドでは --lat-col で指定します / on the command line: --lat-col" in err


@pytest.mark.parametrize(
    ("stage", "params", "options"),
    [
        ("areas", ("id_col", "name_col"), "--id-col / --name-col"),
        ("areas", ("municipality",), "--municipality"),
        ("resources", ("name_col",), "--resource-name-col"),
        ("population", ("id_col",), "--population-id-col"),
        ("population", ("encoding",), "--encoding"),
        ("analyze", ("weight", "population"), "--weight / --population"),
        ("analyze", ("radius_m",), "--radius"),
        ("analyze", ("categories",), "--check"),
        ("outputs", ("out",), "--out"),
    ],
)
def test_error_parameters_map_to_options(stage, params, options):
    from chiikimap.cli import _option_hint

    hint = _option_hint(stage, params)
    assert hint == f"→ コマンドでは {options} で指定します / on the command line: {options}"


def test_a_parameter_without_an_option_adds_no_hint():
    from chiikimap.cli import _option_hint

    assert _option_hint("population", ("join_on",)) == ""
    assert _option_hint("areas", ()) == ""


def test_every_option_of_the_table_exists():
    from chiikimap.cli import OPTIONS, _build_parser

    helps = [
        p.format_help() for p in _build_parser()._subparsers._group_actions[0].choices.values()
    ]
    for table in OPTIONS.values():
        for option in table.values():
            assert any(option in h for h in helps), option


def test_hints_of_the_other_stages_come_from_the_parameter(tmp_path):
    from chiikimap.cli import _with_hint

    # real errors of read_districts and analyze carry their parameters
    with pytest.raises(UnknownLayoutError) as layout_err:
        chiikimap.read_districts(_no_columns_geojson(tmp_path))
    assert set(layout_err.value.params) >= {"id_col", "name_col"}
    assert "--id-col / --name-col" in _with_hint(layout_err.value, "areas")
    with pytest.raises(chiikimap.ChiikimapError, match="population=") as weight_err:
        chiikimap.analyze(grid_areas(), fake_resources(), None, weight="pop_65plus")
    assert "--population" in _with_hint(weight_err.value, "analyze")


def _no_columns_geojson(folder):
    import json

    path = folder / "areas.geojson"
    square = [[[135.6, 34.8], [135.61, 34.8], [135.61, 34.81], [135.6, 34.81], [135.6, 34.8]]]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"foo": 1},
                        "geometry": {"type": "Polygon", "coordinates": square},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def test_help_third_example_keeps_its_line_break(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--resources 事業所.csv \\\n      --population 圏域別人口.csv --population-id-col" in out


@pytest.mark.parametrize("command", ["run", "batch"])
def test_format_choices_are_the_recipe_formats(command, monkeypatch, tmp_path, capsys):
    import sys

    import chiikimap.recipe
    from chiikimap.recipe import FORMATS

    # every recipe format, the booklets included, is a --format choice (and nothing else is)
    assert main([command, "x.toml", "--format", "docx"]) == 2
    err = capsys.readouterr().err
    for name in FORMATS:
        assert repr(name) in err
    # booklet and booklet-html reach the run as recipe formats
    seen: list[object] = []

    def fake_run(recipe, out_dir=None, formats=None, **kwargs):
        seen.append(formats)
        raise chiikimap.recipe.RecipeError("stop / stop")

    recipe = tmp_path / "recipe.toml"
    recipe.write_text("", encoding="utf-8")
    monkeypatch.setattr(chiikimap.recipe, "load_recipe", lambda path: SimpleNamespace(data={}))
    monkeypatch.setattr(chiikimap.recipe, "run_recipe", fake_run)
    monkeypatch.setattr(sys.modules["chiikimap.batch"], "batch", fake_run)
    args = [command, str(recipe), "--format", "booklet", "--format", "booklet-html"]
    assert main(args) == 1
    assert seen == [["booklet", "booklet_html"]]
