"""Column builders shared by the demo's tables: codes to labels, identifiers, timestamps.

The simulation works with positions and epoch seconds; these helpers turn them into what the
canonical tables hold (labels with None for "none", zero-padded identifiers, datetime64 with NaT
for missing) and :func:`canonical_frame` puts the columns in canonical order and dtypes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_connectors.dataset import DTYPES
from data_connectors.schema import TABLES


@dataclass(frozen=True)
class Ids:
    """Identifiers of the customers and contacts, by position."""

    customers: np.ndarray
    tickets: np.ndarray


def labels(names: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """``names[code]`` per code, None where the code is -1 (object array)."""
    return np.append(np.array(names, dtype=object), None)[codes]


def prefixed(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + each number padded with zeros to ``width`` digits (object array of str)."""
    padded = pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)
    return prefix + padded.to_numpy(object)


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN for missing) as datetime64[ns] (NaT for missing)."""
    missing = np.isnan(seconds)
    ns = np.where(missing, 0, seconds).astype(np.int64) * 10**9
    return np.where(missing, np.iinfo(np.int64).min, ns).view("datetime64[ns]")


def canonical_frame(name: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """A frame with exactly the canonical columns of ``name``, in canonical order and dtypes."""
    frame = pd.DataFrame({c: columns[c] for c in TABLES[name].column_names})
    return frame.astype({column.name: DTYPES[column.kind] for column in TABLES[name].columns})
