"""The README's commands and first Python example stay true."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    assert test_cmd in ci


def test_readme_python_example_runs(tmp_path, monkeypatch):
    code = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's duplicate-row warning is tested elsewhere
        exec(compile(code, "README.md", "exec"), namespace)
    for name in ("map.html", "map_A3.pdf", "karte.xlsx", "gaps.gpkg"):
        assert (tmp_path / name).stat().st_size > 10_000, name
    cov = namespace["cov"]
    assert "訪問介護" in cov.missing("東香会")  # type: ignore[attr-defined]


def test_ci_runs_the_style_gate_before_the_tests():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lint = (ROOT / ".ci" / "lint").read_text(encoding="utf-8")
    assert 0 <= ci.index("bash .ci/lint") < ci.index("-m pytest")
    checks = ("ruff format --check", "ruff check", "mypy --strict", "check_docstrings.py")
    for check in (*checks, "check_function_length.py"):
        assert check in lint, check
