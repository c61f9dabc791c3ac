"""Each OS's code is reached through ``sys.platform`` checks, which the type
checker follows (``mypy --platform win32 src`` checks the Windows branches
against Windows's stubs). A probe such as ``hasattr(signal, "pthread_sigmask")``
or an ``except AttributeError`` around ``os.statvfs`` works at run time but
hides the branch from the checker."""

from __future__ import annotations

import ast
from pathlib import Path

import budge

PACKAGE = Path(budge.__file__).parent
# The standard modules whose contents differ from one OS to another.
PER_OS = {"os", "signal", "time", "socket", "fcntl", "msvcrt", "select"}


def _probes(tree: ast.AST) -> list[tuple[int, str]]:
    """``hasattr(os, ...)`` on a module that differs per OS, and ``except
    AttributeError`` around a call into one."""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "hasattr" and node.args
                and isinstance(node.args[0], ast.Name) and node.args[0].id in PER_OS):
            found.append((node.lineno, ast.unparse(node)))
        if isinstance(node, ast.Try):
            caught = [h for h in node.handlers if h.type is not None
                      and "AttributeError" in ast.unparse(h.type)]
            reaches = any(isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                          and inner.value.id in PER_OS
                          for statement in node.body for inner in ast.walk(statement))
            if caught and reaches:
                found.append((caught[0].lineno, "except AttributeError"))
    return found


def test_platform_branches_are_sys_platform_checks() -> None:
    probes = [f"{path.relative_to(PACKAGE)}:{line}: {text}"
              for path in sorted(PACKAGE.rglob("*.py"))
              for line, text in _probes(ast.parse(path.read_text(encoding="utf-8")))]
    assert probes == []


def test_the_probes_are_found() -> None:
    # The two shapes this guards against, as they were written.
    sample = ast.parse(
        "if hasattr(signal, 'pthread_sigmask'):\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, set())\n"
        "try:\n"
        "    fs = os.statvfs(place)\n"
        "except (OSError, AttributeError):\n"
        "    pass\n")
    assert sorted(line for line, _ in _probes(sample)) == [1, 5]
