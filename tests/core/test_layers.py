"""The folders are the architecture: each layer imports only from itself and the
layers below it, and the core imports nothing but the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import budge

PACKAGE = Path(budge.__file__).parent
# Each layer, and what it may import from budge besides itself.
LAYERS = {
    "core": set(),
    "adapters": {"core"},
    "app": {"core", "adapters"},
    "cli": {"core", "adapters", "app"},
}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "budge":  # from budge import core: the names are modules
                found.update(f"budge.{alias.name}" for alias in node.names
                             if not alias.name.startswith("__"))  # but __version__
    return found


def test_every_module_is_in_a_layer() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py")
             if p.name not in ("__init__.py", "__main__.py")]
    assert loose == []
    # An installed budge also has _data/ (the packaged files): no code in it.
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.rglob("*.py"))} \
        == set(LAYERS)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = []
    for layer, allowed in LAYERS.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            for module in imports(path):
                parts = module.split(".")
                if parts[0] == "budge" and len(parts) > 1 and parts[1] not in {layer, *allowed}:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_the_core_imports_only_the_standard_library() -> None:
    outside = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in imports(path):
            top = module.split(".")[0]
            if top not in ("budge", "__future__") and top not in sys.stdlib_module_names:
                outside.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert outside == []
