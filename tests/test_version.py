"""chiikimap._version: the version from the metadata, else from pyproject.toml next to the package."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from chiikimap import _version

ROOT = Path(__file__).resolve().parent.parent


def _not_installed(name: str) -> str:
    raise metadata.PackageNotFoundError(name)


def test_source_tree_without_install_reads_pyproject(monkeypatch):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    monkeypatch.setattr(metadata, "version", _not_installed)
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert _version.version() == expected
    assert _version.version() != _version.UNKNOWN_VERSION


def test_installed_metadata_wins(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda name: "9.8.7")
    assert _version.version() == "9.8.7"


def test_no_pyproject_or_another_project_is_unknown(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(metadata, "version", _not_installed)
    monkeypatch.setattr(_version, "_PYPROJECT", tmp_path / "missing.toml")
    assert _version.version() == _version.UNKNOWN_VERSION
    other = tmp_path / "pyproject.toml"
    other.write_text(
        '[tool.x]\nversion = "5"\n[project]\nname = "other"\nversion = "1.2"\n', encoding="utf-8"
    )
    assert _version._from_pyproject(other) is None


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "chiikimap"\nversion = "0.3.1"  # bumped\n',
        "[build-system]\nversion = '9'\n\n[project]\nversion = '0.3.1'\nname = 'chiikimap'\n[tool]\n",
    ],
)
def test_version_of_the_project_table_only(tmp_path: Path, text: str):
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    assert _version._from_pyproject(path) == "0.3.1"


@pytest.mark.parametrize(
    "text",
    [
        "[project\nname = 'chiikimap'\n",  # not TOML
        "[project]\nname = 'chiikimap'\nversion = 3\n",  # not a string
        "project = 'chiikimap'\n",  # not a table
    ],
)
def test_a_broken_pyproject_gives_no_version(tmp_path: Path, text: str):
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    assert _version._from_pyproject(path) is None


def test_the_version_module_parses_toml_with_the_standard_library():
    source = Path(_version.__file__).read_text(encoding="utf-8")
    assert "import tomllib" in source
    assert "import re" not in source
