"""The ``python -m data_connectors.demo`` command: build a demo database from the shell.

``--customers N --months M --out PATH [--seed S] [--end YYYY-MM]`` builds the SQLite file with
:func:`~data_connectors.demo.database.build_database`, printing progress as it goes and the
row count of every table at the end; an invalid argument (such as an ``--end`` after the current
month) is reported as a usage error with exit status 2.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from data_connectors.demo.database import build_database, read_info
from data_connectors.schema import TABLES


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m data_connectors.demo``: build a demo database, print progress and row counts."""
    parser = argparse.ArgumentParser(
        prog="python -m data_connectors.demo",
        description="Build the demo helpdesk SQLite database.",
    )
    parser.add_argument("--customers", type=int, default=8000, help="number of customers (8000)")
    parser.add_argument("--months", type=int, default=24, help="length of the period (24)")
    parser.add_argument("--out", type=Path, required=True, help="SQLite file to write")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--end", help="last month, YYYY-MM (default: the current month)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = build_database(
            args.out, args.customers, args.months, args.end, args.seed, _print_progress
        )
    except ValueError as error:
        parser.error(str(error))
    info = read_info(path)
    for name in TABLES:
        print(f"{name:<12} {int(info[f'rows.{name}']):>12,} rows")
    print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return 0


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", flush=True)
