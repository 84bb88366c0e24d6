"""Wall-clock timing for the benchmark scripts: each step prints its label and seconds."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from anywhere


def timed(label: str, work: Callable[[], T]) -> T:
    """Run ``work``, print ``label`` and the seconds it took, return its result."""
    start = time.perf_counter()
    result = work()
    print(f"{label:<40} {time.perf_counter() - start:8.2f} s", flush=True)
    return result
