"""Fixtures shared by the test modules.

- ``repo_root`` / ``test_data``: the checkout and ``tests/data`` (never a machine path).
- ``fake_cov``: a fresh hand-made :class:`~chiikimap.Coverage` (``tests/fakes.py``) for renderer
  and CLI tests that must not depend on :func:`chiikimap.analyze`.
- ``run_cli``: runs ``python -m chiikimap …`` in a subprocess as a user would, with this checkout
  on ``PYTHONPATH`` and Python's own warning filters reset.
- ``assert_no_traceback``: checks that a finished command printed no Python traceback.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chiikimap.result import Coverage
from tests.fakes import fake_coverage

ROOT = Path(__file__).resolve().parents[1]

RunCli = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the checkout (where ``pyproject.toml`` is)."""
    return ROOT


@pytest.fixture(scope="session")
def test_data() -> Path:
    """``tests/data``: the small real files the tests read."""
    return ROOT / "tests" / "data"


@pytest.fixture
def fake_cov() -> Coverage:
    """A fresh hand-made coverage (3 × 3 grid areas, three categories); see ``tests/fakes.py``."""
    return fake_coverage()


@pytest.fixture(scope="session")
def run_cli() -> RunCli:
    """Return ``run(*args, cwd=…)``: ``python -m chiikimap *args`` in a subprocess."""

    def run(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": ""}
        return subprocess.run(
            [sys.executable, "-m", "chiikimap", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def assert_no_traceback() -> Callable[[subprocess.CompletedProcess[str]], None]:
    """Return a check that a finished command printed no Python traceback."""

    def check(proc: subprocess.CompletedProcess[str]) -> None:
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stdout, proc.stdout

    return check


@contextlib.contextmanager
def _immutable(folder: Path) -> Iterator[None]:
    """Make ``folder`` immutable (``chattr +i``): nobody, not even root, can add files to it.

    Skips the test where ``chattr`` or the file system's attribute is not available.
    """
    try:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    except FileNotFoundError:
        pytest.skip("chattr is not installed")
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture(scope="session")
def immutable() -> Callable[[Path], contextlib.AbstractContextManager[None]]:
    """Return ``immutable(folder)``, a context in which even root cannot write into ``folder``.

    CI runs as root, which writes into read-only (mode 555) folders; an immutable folder (Linux
    ``chattr +i``) refuses new files to root too, so write errors are tested there as well.
    """
    return _immutable
