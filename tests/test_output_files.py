"""Output files are written atomically, into writable folders only, and Excel cells stay valid.

Every writer (HTML, PNG, PDF, xlsx, GeoPackage) fills a temporary file next to the target and
renames it over the target when complete. The kill tests run a writer in a subprocess whose
low-level writer stops half-way (after the first GeoPackage layer, after half of the bytes) and
kill it there: the old file must still be there, byte for byte.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chiikimap import ChiikimapError, ChiikimapWarning, OutputFileError
from chiikimap import _schema as S
from chiikimap._atomic import atomic_path
from chiikimap.result import Coverage
from tests.fakes import fake_coverage

ROOT = Path(__file__).resolve().parents[1]
OLD = b"the previous output, which must survive\n" * 50

#: run in a subprocess: write ``kind`` to ``target``, stopping half-way in the low-level writer
_WRITER = r"""
import sys, time
from pathlib import Path

kind, target, flag = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])


def stop_here():
    flag.write_text("writing")
    time.sleep(600)  # killed here


def half(data, path):
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
    stop_here()


from tests.fakes import fake_coverage

cov = fake_coverage()
if kind == "html":
    real = Path.write_text
    Path.write_text = lambda self, text, encoding=None: half(text.encode("utf-8"), self)
    cov.save_html(target)
elif kind == "png":
    import io
    from matplotlib.figure import Figure

    real = Figure.savefig

    def savefig(self, fname, **kw):
        buf = io.BytesIO()
        real(self, buf, **kw)
        half(buf.getvalue(), fname)

    Figure.savefig = savefig
    cov.save_static(target, dpi=20)
elif kind == "xlsx":
    import io
    from openpyxl.workbook.workbook import Workbook

    real = Workbook.save

    def save(self, filename):
        buf = io.BytesIO()
        real(self, buf)
        half(buf.getvalue(), filename)

    Workbook.save = save
    cov.to_excel(target)
elif kind == "gpkg":
    import geopandas as gpd

    real = gpd.GeoDataFrame.to_file
    layers = []

    def to_file(self, filename, **kw):
        real(self, filename, **kw)
        layers.append(kw.get("layer"))
        if len(layers) == 1:  # the areas layer is complete, the others are not written yet
            stop_here()

    gpd.GeoDataFrame.to_file = to_file
    cov.to_geopackage(target)
"""


def _kill_mid_write(tmp_path: Path, kind: str) -> subprocess.Popen[bytes]:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    target = tmp_path / f"out.{kind}"
    target.write_bytes(OLD)
    flag = tmp_path / "flag"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    with (tmp_path / "stderr.txt").open("wb") as err:
        return subprocess.Popen(
            [sys.executable, str(script), kind, str(target), str(flag)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def test_a_writer_killed_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    kinds = ["html", "png", "xlsx", "gpkg"]
    folders = {kind: tmp_path / kind for kind in kinds}
    procs = {}
    for kind, folder in folders.items():
        folder.mkdir()
        procs[kind] = _kill_mid_write(folder, kind)
    try:
        for kind, proc in procs.items():
            flag = folders[kind] / "flag"
            deadline = time.monotonic() + 180  # a guard against a hung run, not a measurement
            while not flag.exists():
                if proc.poll() is not None:
                    err = (folders[kind] / "stderr.txt").read_text(encoding="utf-8")
                    pytest.fail(f"{kind} writer ended before the stop: {err[-2000:]}")
                assert time.monotonic() < deadline, f"{kind} writer never reached the stop"
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for kind, folder in folders.items():
        target = folder / f"out.{kind}"
        assert target.read_bytes() == OLD, kind
        # the half-written file is the temporary one, next to the target, with its suffix
        (partial,) = folder.glob(f".out.{kind}.*.tmp.{kind}")
        assert partial.stat().st_size > 0, kind


def _break_after_half(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make openpyxl write half of the workbook to the path it is given, then fail."""
    import io

    from openpyxl.workbook.workbook import Workbook

    real = Workbook.save

    def save(self: Workbook, filename: str) -> None:
        buf = io.BytesIO()
        real(self, buf)
        Path(filename).write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
        raise exc

    monkeypatch.setattr(Workbook, "save", save)


@pytest.mark.parametrize(
    ("exc", "raised"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), OutputFileError),
        (KeyboardInterrupt(), KeyboardInterrupt),
    ],
)
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, raised: type
) -> None:
    target = tmp_path / "karte.xlsx"
    target.write_bytes(OLD)
    _break_after_half(monkeypatch, exc)
    with pytest.raises(raised) as info:
        fake_coverage().to_excel(target)
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["karte.xlsx"]
    if raised is OutputFileError:
        assert str(target) in str(info.value)
        assert "No space left" in str(info.value)


@pytest.mark.parametrize("suffix", [".html", ".png", ".pdf", ".xlsx", ".gpkg"])
def test_every_writer_replaces_the_old_file_and_keeps_its_mode(tmp_path: Path, suffix: str) -> None:
    cov = fake_coverage()
    target = tmp_path / f"out{suffix}"
    target.write_bytes(OLD)
    target.chmod(0o640)
    _write(cov, target)
    assert target.read_bytes() != OLD
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    if suffix == ".gpkg":
        import pyogrio

        names = [name for name, _ in pyogrio.list_layers(target)]
        assert names == ["areas", "resources", "gaps", "sources"]


def _write(cov: Coverage, target: Path) -> None:
    suffix = target.suffix
    if suffix == ".html":
        cov.save_html(target)
    elif suffix in (".png", ".pdf"):
        cov.save_static(target, dpi=20)
    elif suffix == ".xlsx":
        cov.to_excel(target)
    else:
        cov.to_geopackage(target)


@pytest.mark.parametrize("suffix", [".html", ".png", ".xlsx", ".gpkg"])
def test_a_read_only_folder_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # the tests may run as root, which writes anywhere: the folder refuses like a read-only one
    import chiikimap._atomic as atomic

    real_open = os.open

    def refuse(path: str, flags: int, mode: int = 0o777) -> int:
        if Path(path).parent == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(atomic.os, "open", refuse)
    target = tmp_path / f"out{suffix}"
    with pytest.raises(OutputFileError, match=r"書き込めません.*read-only") as info:
        _write(fake_coverage(), target)
    assert info.value.path == str(target)
    assert info.value.param == "path"
    assert str(target) in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_really_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputFileError, match="read-only"):
            fake_coverage().to_geopackage(folder / "out.gpkg")
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="chattr is Linux's")
@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".gpkg"])
def test_an_immutable_folder_is_a_clear_error_even_for_root(
    tmp_path: Path, immutable: Any, suffix: str
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / f"out{suffix}"
    with immutable(folder):
        with pytest.raises(OutputFileError, match=r"書き込めません.*read-only") as info:
            _write(fake_coverage(), target)
        assert list(folder.iterdir()) == []
    assert info.value.path == str(target)


def test_a_missing_folder_and_a_folder_as_target_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match="does not exist"):
        fake_coverage().to_excel(tmp_path / "nope" / "karte.xlsx")
    (tmp_path / "map.html").mkdir()
    with pytest.raises(ChiikimapError, match="this is a folder"):
        fake_coverage().save_html(tmp_path / "map.html")


def test_atomic_path_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_path(link) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


# --- text an xlsx file cannot hold ---------------------------------------------------------------

_CONTROL = "\x0b\x1b\x00"


def _control_coverage() -> Coverage:
    cov = fake_coverage(["ふれあいサロン中央", f"配食{_CONTROL}みどり", "サロン東", "配食ひかり"])
    areas = cov.areas.copy()
    areas.loc[0, S.AREA_NAME] = f"第1区{_CONTROL}"
    info = dataclasses.replace(cov.info, sources=(S.Source("出典\x1b市", "市\x00"),))
    return dataclasses.replace(cov, areas=areas, info=info)


def test_control_characters_are_removed_from_excel_cells_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "karte.xlsx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _control_coverage().to_excel(path)
    ours = [w for w in caught if issubclass(w.category, ChiikimapWarning)]
    assert len(ours) == 1
    message = str(ours[0].message)
    assert "制御文字" in message
    assert "資源一覧!B" in message  # the resource name's cell is named
    assert ours[0].filename == __file__  # reported at the caller's line
    wb = openpyxl.load_workbook(path)
    assert "第1区" in wb.sheetnames
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("配食みどり" in t for t in texts)
    assert any("出典市" in t for t in texts)
    assert not any(ch in t for t in texts for ch in _CONTROL)


def test_clean_text_gives_no_excel_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fake_coverage().to_excel(tmp_path / "karte.xlsx")


def test_the_sites_csv_is_written_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from chiikimap.cli import main
    from chiikimap.sample import sample_path

    root = sample_path("ikoma")
    venues = tmp_path / "venues.csv"
    venues.write_text("名称,緯度,経度\n生駒市役所,34.6918,135.7006\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sites.csv").write_bytes(OLD)
    real = pd.DataFrame.to_csv

    def half_then_fail(self: pd.DataFrame, path: object, **kw: object) -> None:
        real(self, path, **kw)
        Path(str(path)).write_bytes(Path(str(path)).read_bytes()[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    argv = ["sites", "--areas", str(root / "A32-23_29209.geojson"), "--category", "kayoi_no_ba"]
    argv += ["--candidates", str(venues), "-k", "1", "--csv", "--out", str(out)]
    assert main(argv) == 1
    assert (out / "sites.csv").read_bytes() == OLD
    assert sorted(p.name for p in out.iterdir()) == ["sites.csv"]
