"""Check that no function in the package is longer than 80 lines of code.

Code lines are the lines of a function's body that are neither blank, nor comments, nor its
docstring (nested functions count in their parent too). A function over the cap needs a named
exemption in :data:`EXEMPT` with the reason.

Usage: ``python tools/check_function_length.py``; exits 1 and lists ``path:line name (n lines)``
for every function over the cap.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

#: the house cap (STYLE: keep functions ≤ 80 lines)
MAX_LINES = 80
PACKAGE = Path(__file__).resolve().parent.parent / "chiikimap"

#: "path/inside/package.py:function" → reason (named exemptions; keep this short)
EXEMPT: dict[str, str] = {}


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Count the code lines of one function body.

    Parameters
    ----------
    node
        The function's AST node.
    lines
        The source file's lines.

    Returns
    -------
    int
        Lines of the body that are not blank, not comments and not the docstring.
    """
    body = node.body
    first = body[0]
    start = first.lineno
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        start = (first.end_lineno or first.lineno) + 1
    end = node.end_lineno or node.lineno
    return sum(
        1 for text in lines[start - 1 : end] if text.strip() and not text.strip().startswith("#")
    )


def long_functions(root: Path = PACKAGE) -> list[tuple[str, int, int]]:
    """Find the functions over :data:`MAX_LINES`.

    Parameters
    ----------
    root
        The package folder.

    Returns
    -------
    list of tuple
        ``(path:function, line, code lines)`` for each function over the cap.
    """
    found: list[tuple[str, int, int]] = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = code_lines(node, lines)
                if n > MAX_LINES:
                    found.append(
                        (f"{path.relative_to(root).as_posix()}:{node.name}", node.lineno, n)
                    )
    return found


def main() -> int:
    """Print the functions over the cap that are not exempt.

    Returns
    -------
    int
        0 when every long function is exempt, 1 otherwise.
    """
    found = long_functions()
    bad = [(name, line, n) for name, line, n in found if name not in EXEMPT]
    for name, line, n in bad:
        path, func = name.split(":")
        print(f"chiikimap/{path}:{line}: {func} has {n} lines of code (> {MAX_LINES})")
    stale = sorted(set(EXEMPT) - {name for name, _, _ in found})
    for name in stale:  # a stale exemption fails too, so the list stays true
        print(f"{name}: within {MAX_LINES} lines now; remove it from EXEMPT")
    print(f"function length: {len(found)} over {MAX_LINES} lines, {len(found) - len(bad)} exempt")
    return 1 if bad or stale else 0


if __name__ == "__main__":
    sys.exit(main())
