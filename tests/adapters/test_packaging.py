"""The wheel carries everything budge needs at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_wheel_alone_carries_catalog_artwork_and_default_config(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("budge-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("budge/_data/assets/movements.toml", "budge/_data/assets/symbol.png",
                   "budge/_data/config/budge.toml", "budge/__main__.py"):
        assert needed in names
    assert not any("screenshots" in name for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "budge = budge.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = ("from budge.adapters.resources import resource; "
             "from budge.adapters.config import load_builtin;"
             "print(resource('assets/movements.toml')); print(len(load_builtin()))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(unpacked)}, check=True).stdout
    path, count = out.splitlines()
    assert path.startswith(str(unpacked)) and int(count) >= 24
