"""The error contract of the ``chiikimap`` command, run as a user runs it (a subprocess).

Every failure a user can cause is one message on stderr naming the file or the option and the
fix, never a Python traceback: exit 1 for input and output errors, 130 for Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
READERS = ("read_districts", "read_resources", "read_population")
#: valid areas and resources of the 枚方市 test data (the layout needs its id and name columns)
AREAS = ["--areas", str(DATA / "hirakata_cov" / "areas.geojson"), "--id-col", "area_id"]
AREAS += ["--name-col", "center_name"]
RESOURCES = ["--resources", str(DATA / "hirakata_cov" / "offices.geojson")]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": ""}


def _assert_one_message(proc: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.stderr


#: contents that no reader can use, per suffix
_BROKEN = {
    ".geojson": b'{"type": "FeatureCollection", "features": [',
    ".shp": b"\x00\x00\x27\x0a not a shapefile",
    ".topojson": b"{garbage",
    ".xlsx": b"PK\x03\x04 not really a zip",
}


@pytest.mark.parametrize("suffix", list(_BROKEN))
def test_inspect_an_unreadable_file_reports_every_readers_verdict(tmp_path, suffix, run_cli):
    (tmp_path / f"broken{suffix}").write_bytes(_BROKEN[suffix])
    err = _assert_one_message(run_cli("inspect", f"broken{suffix}", cwd=tmp_path))
    assert f"broken{suffix}: どの形式としても読めませんでした / not recognised by any reader" in err
    for reader in READERS:  # one verdict per reader, each naming the file
        lines = [line for line in err.splitlines() if line.startswith(f"  {reader}: ")]
        assert len(lines) == 1, err
        assert f"broken{suffix}" in lines[0]


def test_map_with_an_unreadable_population_file(tmp_path, run_cli):
    (tmp_path / "pop.xlsx").write_bytes(_BROKEN[".xlsx"])
    argv = ["map", *AREAS, *RESOURCES, "--population", "pop.xlsx", "--xlsx", "--out", "o"]
    err = _assert_one_message(run_cli(*argv, cwd=tmp_path))
    assert "エラー / error: pop.xlsx: " in err
    assert "cannot" in err.split("エラー / error: pop.xlsx: ")[1]
    assert not (tmp_path / "o" / "chiikimap_karte.xlsx").exists()


def test_gpkg_onto_a_folder_is_an_output_error_naming_the_file(tmp_path, run_cli):
    (tmp_path / "o" / "chiikimap.gpkg").mkdir(parents=True)  # the output name is taken by a folder
    argv = ["map", *AREAS, *RESOURCES, "--gpkg", "--out", "o"]
    err = _assert_one_message(run_cli(*argv, cwd=tmp_path))
    assert f"エラー / error: {Path('o') / 'chiikimap.gpkg'}: " in err
    assert "on the command line: --out" in err


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_gpkg_into_a_read_only_folder(tmp_path, run_cli):
    out = tmp_path / "o"
    out.mkdir()
    out.chmod(0o555)
    try:
        argv = ["map", *AREAS, *RESOURCES, "--gpkg", "--out", "o"]
        err = _assert_one_message(run_cli(*argv, cwd=tmp_path))
    finally:
        out.chmod(0o755)
    assert "エラー / error: " in err
    assert "chiikimap.gpkg" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="chattr is Linux's")
def test_gpkg_into_an_immutable_folder_even_as_root(tmp_path, run_cli, immutable):
    # CI runs as root, which writes into read-only (mode 555) folders; an immutable folder
    # refuses new files to root too, so the error path runs there as well
    out = tmp_path / "o"
    out.mkdir()
    with immutable(out):
        argv = ["map", *AREAS, *RESOURCES, "--gpkg", "--out", "o"]
        err = _assert_one_message(run_cli(*argv, cwd=tmp_path))
        assert list(out.iterdir()) == []
    assert "エラー / error: " in err
    assert "chiikimap.gpkg" in err
    assert "read-only" in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is how Ctrl-C arrives on POSIX")
def test_ctrl_c_is_one_line_and_exit_130(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "chiikimap", "demo", "--out", "d"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: the command is running
    assert first.startswith("[chiikimap]")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "Traceback" not in err + out
    assert err.strip().splitlines()[-1] == "中断しました / interrupted"
