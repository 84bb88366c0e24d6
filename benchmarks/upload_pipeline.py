"""Benchmark: a 1-million-row ticket export through the whole upload path, with figures.

Writes a ~1M-row, 15-column ticket CSV (semicolon-delimited, like a Russian-locale Excel export,
with dd.mm.yyyy HH:MM dates, decimal commas, quoted text with commas and line breaks, Cyrillic)
into a temporary directory, then times each step: reading it (:func:`files.read_file`), parsing
one date and one number column (:mod:`values`), mapping, typing and validating every column
(:func:`uploads.load_export`), and storing the rows in a SQLite workspace (and storing the same
file again, which must add nothing). Prints rows, megabytes and seconds for each step.

Run from the repository root::

    .venv/bin/python benchmarks/upload_pipeline.py [rows]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from data_connectors.file_mapping import FileMapping  # noqa: E402
from data_connectors.files import read_file  # noqa: E402
from data_connectors.uploads import load_export  # noqa: E402
from data_connectors.values import parse_dates, parse_numbers  # noqa: E402
from data_connectors.workspace import Workspace  # noqa: E402

SEED = 20240105
T = TypeVar("T")


def ticket_frame(rows: int, seed: int = SEED) -> pd.DataFrame:
    """A synthetic ticket export of ``rows`` rows and 15 text columns."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, rows), "s")
    responded = created + pd.to_timedelta(rng.integers(60, 86400, rows), "s")
    resolved = responded + pd.to_timedelta(rng.integers(60, 5 * 86400, rows), "s")

    def pick(options: list[str]) -> np.ndarray:
        return np.array(options)[rng.integers(0, len(options), rows)]

    return pd.DataFrame(
        {
            "Номер": pd.Series(np.arange(1, rows + 1)).map("{:08d}".format),
            "Клиент": pd.Series(rng.integers(1, 50_000, rows)).map("C{:06d}".format),
            "Создан": created.strftime("%d.%m.%Y %H:%M"),
            "Канал": pick(["phone", "chat", "email", "web"]),
            "Отдел": pick(["Billing", "Доставка", "Support L1", "Support L2"]),
            "Категория": pick(["Оплата", "Login", "Delivery", "Refund", "Other"]),
            "Тема": pick(["Вопрос", "Problem", "Жалоба", "Request"]),
            "Текст": pick(
                [
                    "Не могу войти в личный кабинет",
                    'Invoice wrong, "again" — please check,\nthen call me back',
                    "Доставка задерживается, курьер не звонил",
                    "Password reset link expired",
                ]
            ),
            "Приоритет": pick(["low", "normal", "high"]),
            "Агент": pd.Series(rng.integers(1, 200, rows)).map("agent {}".format),
            "Первый ответ": responded.strftime("%d.%m.%Y %H:%M"),
            "Решён": resolved.strftime("%d.%m.%Y %H:%M"),
            "Ожидание, с": pd.Series(rng.gamma(2.0, 30.0, rows).round(1))
            .map(str)
            .str.replace(".", ","),
            "Переводы": rng.poisson(0.4, rows).astype(str),
            "Жалоба": pick(["да", "нет"]),
        }
    )


def timed(step: Callable[..., T], *args: object, **kwargs: object) -> tuple[T, float]:
    """The step's result and its wall-clock seconds."""
    start = time.perf_counter()
    result = step(*args, **kwargs)
    return result, time.perf_counter() - start


#: How a user maps the synthetic export's Russian headers (as the upload page would save it).
MAPPING = FileMapping(
    "tickets",
    {
        "ticket_id": "Номер",
        "customer_id": "Клиент",
        "created_at": "Создан",
        "channel": "Канал",
        "department": "Отдел",
        "category": "Категория",
        "subject": "Тема",
        "text": "Текст",
        "priority": "Приоритет",
        "agent": "Агент",
        "first_response_at": "Первый ответ",
        "resolved_at": "Решён",
        "wait_seconds": "Ожидание, с",
        "transfers": "Переводы",
        "is_complaint": "Жалоба",
    },
)


def main(rows: int = 1_000_000) -> None:
    """Write, read, parse, validate and store a ``rows``-row export; print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tickets.csv"
        ticket_frame(rows).to_csv(path, sep=";", index=False, encoding="utf-8")
        megabytes = path.stat().st_size / 1e6
        raw, seconds = timed(read_file, path)
        store_figures(raw, Path(folder))
    frame = raw.frame
    print(
        f"read_file:     {len(frame):>9,} rows x {frame.shape[1]} columns, "
        f"{megabytes:,.1f} MB, {seconds:.2f} s ({raw.encoding}, delimiter {raw.delimiter!r})"
    )
    (dates, bad_dates), seconds = timed(parse_dates, frame["Создан"], column="Создан")
    print(f"parse_dates:   {len(dates):>9,} values, {int(bad_dates.sum())} bad, {seconds:.2f} s")
    (numbers, bad_numbers), seconds = timed(parse_numbers, frame["Ожидание, с"])
    print(
        f"parse_numbers: {len(numbers):>9,} values, {int(bad_numbers.sum())} bad, {seconds:.2f} s"
    )


def store_figures(raw: object, folder: Path) -> None:
    """load_export and the workspace store (twice: the second must be a duplicate)."""
    result, seconds = timed(load_export, raw, "tickets", MAPPING)
    summary = result.report.summary().iloc[0]
    print(
        f"load_export:   {len(result.rows):>9,} rows accepted, {int(summary['rejected'])} "
        f"rejected, {seconds:.2f} s (map, type and validate every column)"
    )
    workspace = Workspace.open(f"sqlite:///{folder / 'workspace.sqlite'}")
    columns = [c for c in result.rows.columns if c in MAPPING.columns]
    store = dict(
        file_name="tickets.csv",
        sha256=raw.sha256,
        mapping_json=MAPPING.to_json(),
        rows_rejected=int(summary["rejected"]),
    )
    stored, seconds = timed(workspace.store, "tickets", result.rows[columns], **store)
    print(f"store:         {stored.inserted:>9,} rows inserted into SQLite, {seconds:.2f} s")
    again, seconds = timed(workspace.store, "tickets", result.rows[columns], **store)
    print(f"store again:   duplicate={again.duplicate}, {again.inserted} inserted, {seconds:.2f} s")
    workspace.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
