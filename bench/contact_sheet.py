"""Draw the contact sheet of every movement's picture for the README.

    .venv/bin/python bench/contact_sheet.py [--size 128] [--theme light] [--out FILE]

Each movement shows its usual picture and, beside it, its gentler form.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from budge.adapters.config import load_builtin
from budge.adapters.pictures import THEMES, contact_sheet, save_png

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assets" / "movements-sheet.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--theme", choices=tuple(THEMES), default="light")
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    entries = [(movement.id, movement.figure) for movement in load_builtin()]
    save_png(contact_sheet(entries, args.size, args.columns, args.theme), args.out)
    print(f"{len(entries)} movements drawn to {args.out}")


if __name__ == "__main__":
    main()
