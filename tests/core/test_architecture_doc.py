"""The written map matches the code: every path the docs name exists, and
docs/architecture.md names every folder of code under src/budge.

The docs speak of the source tree, not of the installed package, so these
tests read the repository this file sits in.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "budge"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
DOCS = (ROOT / "README.md", ARCHITECTURE, ROOT / "bench" / "README.md")

# An inline code span; fenced blocks are commands, not names, and are left out.
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
# The layers, as the architecture names their folders and modules.
LAYERED = re.compile(r"^(?:src/budge/)?((?:core|adapters|app|cli)(?:/[\w.]+)*/?)$")
# Other parts of the repository the docs may name.
REPOSITORY = re.compile(r"^(?:assets|bench|config|docs|src|\.ci)/[\w./-]*$")
TEST_FILE = re.compile(r"^(?:tests/(?:[\w]+/)*)?(test_\w+\.py)$")


def spans(doc: Path) -> list[str]:
    return CODE_SPAN.findall(FENCE.sub("", doc.read_text(encoding="utf-8")))


def named_tests(doc: Path) -> set[str]:
    """The test files a doc names, by file name alone: the folder a test sits
    in may change, and its name is unique across them."""
    return {m.group(1) for span in spans(doc) if (m := TEST_FILE.match(span))}


def missing_paths(doc: Path) -> list[str]:
    """Each path ``doc`` names in code or links to that is not there."""
    missing = []
    for span in spans(doc):
        layered, elsewhere = LAYERED.match(span), REPOSITORY.match(span)
        if layered:
            path = SOURCE / layered.group(1)
        elif elsewhere:
            path = ROOT / span
        else:
            continue
        if not (path.is_dir() if span.endswith("/") else path.exists()):
            missing.append(span)
    text = FENCE.sub("", doc.read_text(encoding="utf-8"))
    for target in LINK.findall(text):
        if "://" not in target and not (doc.parent / target).exists():
            missing.append(target)
    tests = {path.name for path in (ROOT / "tests").rglob("test_*.py")}
    missing += sorted(name for name in named_tests(doc) if name not in tests)
    return missing


def code_folders() -> list[str]:
    """Every folder of Python code in the package: the layers and their subpackages."""
    return sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*")
                  if path.is_dir() and any(path.glob("*.py")))


def test_every_path_the_docs_name_exists() -> None:
    assert {doc.name if doc.parent == ROOT else str(doc.relative_to(ROOT)): missing_paths(doc)
            for doc in DOCS} == {"README.md": [], "docs/architecture.md": [],
                                 "bench/README.md": []}


def test_the_architecture_names_every_folder_of_code() -> None:
    named = {m.group(1).rstrip("/") for span in spans(ARCHITECTURE)
             if (m := LAYERED.match(span))}
    assert [folder for folder in code_folders() if folder not in named] == []


def test_the_checks_see_a_wrong_path_and_an_unnamed_folder(tmp_path: Path) -> None:
    """The two checks above would catch drift: a stale path is reported, and so
    is a folder of code the map leaves out."""
    doc = tmp_path / "map.md"
    doc.write_text("`core/ports.py` and `src/budge/timer.py`, `assets/nowhere.png`, "
                   "`tests/test_no_such_thing.py`, [here](missing.md)\n"
                   "```sh\n`cli/not-checked.py`\n```\n", encoding="utf-8")
    assert missing_paths(doc) == ["src/budge/timer.py", "assets/nowhere.png", "missing.md",
                                  "test_no_such_thing.py"]
    assert "core" in code_folders() and "adapters/tray" in code_folders()
