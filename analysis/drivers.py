"""Driver analysis: how much of a loyalty outcome each service experience accounts for.

Relative importance splits the R² of a linear model of the outcome on correlated drivers into
one non-negative share per driver that adds up to R². Two recognised decompositions:

* **Relative weights** (Johnson 2000, Multivariate Behavioral Research 35(1):1–19; the default,
  as in Qualtrics and the R package ``rwa``). With the drivers' correlation matrix
  ``Rxx = V Λ V'`` and ``Λ½ = V Λ^{1/2} V'`` (the correlations of the drivers with their
  closest orthogonal counterparts), ``β = Λ½⁻¹ rxy`` and ``ε_j = Σ_k (Λ½)_{jk}² β_k²``.
* **Shapley values / LMG / general dominance** (Lindeman, Merenda & Gold 1980; Budescu 1993;
  Grömping 2006, R ``relaimpo`` type ``"lmg"``): the average gain in R² from adding driver j,
  over every subset S of the others, weighted ``|S|! (p − |S| − 1)! / p!``, with
  ``R²(S) = r_S' R_SS⁻¹ r_S``. Exact, over all 2^p subsets (at most
  :data:`MAX_SHAPLEY_DRIVERS` drivers).

Both need only the correlation matrix of drivers and outcome, so the bootstrap (rows resampled
with replacement, :data:`DEFAULT_RESAMPLES` times) recomputes the weighted cross-products of
all resamples at once (a matrix product) and the decompositions on the stacked matrices.
Intervals are bootstrap percentile intervals (Efron & Tibshirani 1993, ch. 13).

For a binary outcome (promoter vs detractor, churned or not) R² is that of the **linear
probability model** (ordinary least squares on the 0/1 outcome), for which both decompositions
stay exact and additive; the weights are then shares of that R². Logistic pseudo-R² variants
(Tonidandel & LeBreton 2010) are not used.

Every weight is an **association** in the user's data, not a proven cause.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.experience import DRIVER_BY_KEY
from analysis.loyalty import PASSIVE_MIN, PROMOTER_MIN
from analysis.rates import DEFAULT_CONFIDENCE, check_confidence, wilson_interval
from analysis.results import Estimate, sample_warnings

METHODS: dict[str, str] = {
    "relative_weights": "Johnson's relative weights (Johnson 2000)",
    "shapley": "Shapley-value decomposition of R² (LMG / general dominance)",
}
DEFAULT_RESAMPLES = 1000
MAX_SHAPLEY_DRIVERS = 12
#: Below this many complete rows per driver a note warns that R² is inflated by chance.
ROWS_PER_DRIVER = 10
#: Two drivers correlated beyond this share most of their weight: a note says so.
HIGH_CORRELATION = 0.9
#: A driver whose R² on the drivers kept before it exceeds this is collinear with them.
_COLLINEAR_R2 = 1 - 1e-9
#: Resampling units of the bootstrap: rows, or this many random blocks of rows (see _units).
MAX_UNITS = 10_000
#: Resample weights formed at once in the bootstrap (bounds its memory).
_CHUNK_CELLS = 4_000_000

#: Columns of :func:`relative_importance`, in order.
IMPORTANCE_COLUMNS = (
    "driver",
    "raw_weight",
    "rescaled_weight",
    "ci_low",
    "ci_high",
    "rescaled_ci_low",
    "rescaled_ci_high",
    "slope",
    "slope_ci_low",
    "slope_ci_high",
    "rank",
)
BOOTSTRAP_METHOD = (
    f"bootstrap percentile interval (rows resampled with replacement; beyond {MAX_UNITS:,} rows, "
    f"at most {MAX_UNITS:,} random blocks of rows)"
)
CLUSTER_BOOTSTRAP_METHOD = (
    "cluster bootstrap percentile interval (each customer's answers resampled together; beyond "
    f"{MAX_UNITS:,} customers, {MAX_UNITS:,} random groups of customers)"
)
WHAT_IF_METHOD = (
    "least-squares slope of the per-answer NPS contribution (+100 promoter, 0 passive, "
    "−100 detractor) on all drivers × Δ; " + BOOTSTRAP_METHOD
)


@dataclass(frozen=True)
class Outcome:
    """A loyalty outcome the drivers are related to."""

    key: str
    label: str
    table: str  # "answers" (survey answers of ``survey_type``) or "customers"
    survey_type: str | None
    binary: bool
    description: str


OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome("nps", "NPS score", "answers", "nps", False, "The 0–10 recommend score."),
        Outcome(
            "promoter",
            "Promoter vs detractor",
            "answers",
            "nps",
            True,
            f"1 for promoters ({PROMOTER_MIN}–10), 0 for detractors (0–{PASSIVE_MIN - 1}); "
            "passives are left out.",
        ),
        Outcome("csat", "CSAT score", "answers", "csat", False, "The 1–5 CSAT score."),
        Outcome(
            "churn",
            "Churn",
            "customers",
            None,
            True,
            "1 when the customer churned within the follow-up days after the snapshot.",
        ),
    )
}


def outcome_values(table: pd.DataFrame, outcome: str) -> pd.Series:
    """The outcome per row of an experience table (NaN where it is left out).

    ``nps``/``csat``: the score; ``promoter``: 1 promoter, 0 detractor, NaN passive;
    ``churn``: the ``churned`` column. ValueError for an unknown outcome.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    if outcome == "churn":
        return table["churned"].astype("float64")
    score = pd.to_numeric(table["score"], errors="coerce")
    if outcome == "promoter":
        return (
            (score >= PROMOTER_MIN)
            .astype("float64")
            .where((score >= PROMOTER_MIN) | (score < PASSIVE_MIN))
            .where(score.notna())
        )
    return score.astype("float64")


def complete_rows(table: pd.DataFrame, drivers: list[str], outcome: str) -> pd.DataFrame:
    """The rows of an experience table the analysis rests on: outcome and every driver known."""
    known = table[drivers].notna().all(axis=1) & outcome_values(table, outcome).notna()
    return table.loc[known]


def nps_points(scores: pd.Series) -> pd.Series:
    """Each answer's contribution to NPS: +100 promoter, 0 passive, −100 detractor (NaN kept).

    The mean of these is the NPS, so a least-squares slope on them is in NPS points.
    """
    score = pd.to_numeric(scores, errors="coerce")
    points = np.select([score >= PROMOTER_MIN, score >= PASSIVE_MIN], [100.0, 0.0], -100.0)
    return pd.Series(points, index=scores.index).where(score.notna())


# ------------------------------------------------------------------------- preparing data


@dataclass(frozen=True)
class _Prepared:
    data: np.ndarray  # kept drivers then the outcome, complete rows
    names: list[str]
    scale: np.ndarray  # standard deviations of the columns (drivers, outcome)
    excluded: int
    notes: tuple[str, ...]
    groups: np.ndarray | None = None  # cluster code per complete row (e.g. the customer)


def _label(key: str) -> str:
    return DRIVER_BY_KEY[key].label if key in DRIVER_BY_KEY else key


def _prepare(X: pd.DataFrame, y: pd.Series, groups: object = None) -> _Prepared:
    """Complete rows, constant and collinear drivers removed (each with a note)."""
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"X must be a DataFrame of drivers, got {type(X).__name__}")
    if len(X) != len(y):
        raise ValueError(f"X ({len(X)} rows) and y ({len(y)} values) differ in length")
    try:
        frame = X.apply(pd.to_numeric).astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"every driver must be numeric: {error}") from error
    frame["__y"] = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").to_numpy()
    finite = frame.replace([np.inf, -np.inf], np.nan).notna().all(axis=1).to_numpy()
    complete = frame.loc[finite]
    excluded = len(frame) - len(complete)
    codes = None
    if groups is not None:
        keys = pd.Series(np.asarray(groups, dtype=object))
        if len(keys) != len(X):
            raise ValueError(f"groups ({len(keys)}) and X ({len(X)} rows) differ in length")
        codes = pd.factorize(keys[finite], use_na_sentinel=False)[0]
    notes: list[str] = []
    if excluded:
        notes.append(f"{excluded:,} rows left out: the outcome or a driver is missing.")
    values = complete.to_numpy()
    if not len(values):
        notes.append("No complete rows: every row misses the outcome or a driver.")
        return _Prepared(values[:, -1:], [], np.zeros(1), excluded, tuple(notes))
    scale = values.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(values.T) if len(values) > 1 else np.eye(values.shape[1])
    names: list[str] = []
    kept: list[int] = []
    for position, name in enumerate(X.columns):
        if not scale[position] > 0:
            notes.append(f"{_label(name)} is the same for every row: it cannot explain anything.")
            continue
        if kept and _r2_on(corr, kept, position) > _COLLINEAR_R2:
            notes.append(
                f"{_label(name)} is an exact combination of other drivers (collinear): left out."
            )
            continue
        names.append(name)
        kept.append(position)
    columns = [*kept, values.shape[1] - 1]
    data = values[:, columns]
    return _Prepared(data, names, scale[columns], excluded, tuple(notes), codes)


def _r2_on(corr: np.ndarray, kept: list[int], target: int) -> float:
    """R² of column ``target`` regressed on columns ``kept``: ``r' R⁻¹ r`` from correlations."""
    r = corr[kept, target]
    return float(r @ np.linalg.solve(corr[np.ix_(kept, kept)], r))


# -------------------------------------------------------------------------------- bootstrap


def _units(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The resampling units' sums, cross-products and sizes, from columns (k × n).

    Up to :data:`MAX_UNITS` rows each row is a unit. Beyond, the (already shuffled) rows are cut
    into at most :data:`MAX_UNITS` consecutive blocks of ⌈n / MAX_UNITS⌉ rows (the last one
    shorter);
    the rows being independent, so are the blocks, and resampling blocks is a bootstrap of
    independent units whose pooled moments are the sample's. Returns the units' sums
    (units × k), cross-products (units × k × k, one batched matrix product) and sizes.
    """
    k, n = columns.shape
    size = max(1, -(-n // MAX_UNITS))
    count = -(-n // size)
    padded = np.zeros((k, count * size))
    padded[:, :n] = columns
    blocks = padded.reshape(k, count, size).transpose(1, 0, 2)
    sizes = np.minimum(size, n - np.arange(count) * size).astype("float64")
    return blocks.sum(axis=2), blocks @ blocks.transpose(0, 2, 1), sizes


def _cluster_units(
    columns: np.ndarray, codes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`_units`, with clusters (e.g. one customer's answers) as the units.

    Answers of one customer share their service history, so they are resampled together (a
    cluster bootstrap; Davison & Hinkley 1997, §3.8). Beyond :data:`MAX_UNITS` clusters, they
    are dealt at random into :data:`MAX_UNITS` groups of clusters, which stay independent.
    """
    k, n = columns.shape
    clusters = int(codes.max()) + 1 if n else 0
    unit = rng.permutation(clusters)[codes] % MAX_UNITS if clusters > MAX_UNITS else codes
    count = int(unit.max()) + 1 if n else 0
    indicator = sparse.csr_matrix((np.ones(n), (unit, np.arange(n))), shape=(count, n))
    sums = np.asarray(indicator @ columns.T)
    cross = np.empty((count, k, k))
    for a in range(k):
        for b in range(a, k):
            cross[:, a, b] = cross[:, b, a] = indicator @ (columns[a] * columns[b])
    return sums, cross, np.bincount(unit, minlength=count).astype("float64")


def _covariances(
    data: np.ndarray, resamples: int, seed: int, groups: np.ndarray | None = None
) -> np.ndarray:
    """Covariance matrices of the sample (index 0) and of ``resamples`` bootstrap resamples.

    Each resample draws its units (:func:`_units`; rows are shuffled first when they are
    grouped into blocks) with replacement (``Generator.integers``, counted by
    ``numpy.bincount``); the weighted moments of all resamples of a chunk are one matrix
    product, so no loop runs over rows. Columns are standardised first for precision.
    """
    n, k = data.shape
    mean, std = data.mean(axis=0), data.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    rng = np.random.default_rng(seed)
    columns = np.ascontiguousarray(((data - mean) / std).T)
    if groups is not None:
        sums, cross, sizes = _cluster_units(columns, groups, rng)
    else:
        if n > MAX_UNITS:
            columns = columns[:, rng.permutation(n)]
        sums, cross, sizes = _units(columns)
    count = len(sizes)
    moments = np.hstack([sums, cross.reshape(count, k * k)])
    stacked = [moments.sum(axis=0)[None, :] / n]
    chunk = max(1, _CHUNK_CELLS // count)
    for first in range(0, resamples, chunk):
        size = min(chunk, resamples - first)
        drawn = rng.integers(0, count, size=(size, count)) + (np.arange(size) * count)[:, None]
        weights = np.bincount(drawn.ravel(), minlength=size * count).reshape(size, count)
        weights = weights.astype("float64")
        stacked.append((weights @ moments) / (weights @ sizes)[:, None])
    pooled = np.vstack(stacked)
    means = pooled[:, :k]
    covariance = pooled[:, k:].reshape(-1, k, k) - means[:, :, None] * means[:, None, :]
    return covariance * std[None, :, None] * std[None, None, :]


def _correlations(covariance: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.clip(np.diagonal(covariance, axis1=1, axis2=2), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        return covariance / (sd[:, :, None] * sd[:, None, :])


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Batched ``matrix⁻¹ vector``; the pseudo-inverse where a resample is singular."""
    try:
        return np.linalg.solve(matrix, vector[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(matrix) @ vector[..., None])[..., 0]


def _relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights per resample, shape (B, p); they sum to R²."""
    p = corr.shape[1] - 1
    rxx, rxy = corr[:, :p, :p], corr[:, :p, p]
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 0, None)
    root = np.sqrt(values)
    lam_half = (vectors * root[:, None, :]) @ np.swapaxes(vectors, 1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse_root = np.where(root > 1e-12, 1 / root, 0.0)
    beta = ((vectors * inverse_root[:, None, :]) @ np.swapaxes(vectors, 1, 2) @ rxy[..., None])[
        ..., 0
    ]
    return np.einsum("bjk,bk->bj", lam_half**2, beta**2)


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of the drivers per resample, shape (B, 2^p), indexed by bit mask.

    Depth-first over the subsets: a child conditions its parent's matrix on one more driver
    ``t`` (the Schur complement ``A − a_t a_t' / a_tt``, i.e. the partial correlation matrix
    given the subset), keeping only the drivers after ``t`` and the outcome; the outcome's
    remaining variance is ``1 − R²(S)``. Every subset costs one small update of all resamples.
    """
    p = corr.shape[1] - 1
    r2 = np.zeros((corr.shape[0], 2**p))

    def visit(matrix: np.ndarray, drivers: list[int], mask: int) -> None:
        for t, driver in enumerate(drivers):
            column = matrix[:, t + 1 :, t]
            rest = matrix[:, t + 1 :, t + 1 :]
            given = rest - column[:, :, None] * column[:, None, :] / matrix[:, t, t, None, None]
            r2[:, mask | 1 << driver] = 1 - given[:, -1, -1]
            visit(given, drivers[t + 1 :], mask | 1 << driver)

    with np.errstate(divide="ignore", invalid="ignore"):
        visit(corr, list(range(p)), 0)
    return r2


def _shapley(corr: np.ndarray) -> np.ndarray:
    """Shapley values of R² per resample, shape (B, p).

    ``φ_j = Σ_{S ∌ j} |S|! (p − |S| − 1)! / p! · (R²(S ∪ {j}) − R²(S))`` over bit masks S.
    """
    p = corr.shape[1] - 1
    r2 = _subset_r2(corr)
    masks = np.arange(2**p)
    sizes = np.array([bin(mask).count("1") for mask in masks])
    weight = np.array(
        [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    )
    values = np.empty((corr.shape[0], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gains = r2[:, without | 1 << j] - r2[:, without]
        values[:, j] = gains @ weight[sizes[without]]
    return values


def _slopes(covariance: np.ndarray) -> np.ndarray:
    """Least-squares slopes of the outcome on all drivers per resample, shape (B, p)."""
    p = covariance.shape[1] - 1
    return _solve(covariance[:, :p, :p], covariance[:, :p, p])


# ---------------------------------------------------------------------------- public API


def _empty(notes: tuple[str, ...], n: int, excluded: int, method: str) -> pd.DataFrame:
    table = pd.DataFrame({column: [] for column in IMPORTANCE_COLUMNS})
    table.attrs.update(
        r2=math.nan,
        r2_ci_low=math.nan,
        r2_ci_high=math.nan,
        n=n,
        excluded=excluded,
        method=METHODS[method],
        interval_method=BOOTSTRAP_METHOD,
        notes=notes,
    )
    return table


def relative_importance(
    X: pd.DataFrame,
    y: pd.Series,
    method: str = "relative_weights",
    *,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    groups: object = None,
) -> pd.DataFrame:
    """Share of the outcome's R² each driver accounts for, with bootstrap intervals.

    Parameters
    ----------
    X : DataFrame
        One numeric column per driver.
    y : Series or array
        The outcome, aligned with ``X`` by position (0/1 for a binary outcome).
    method : {"relative_weights", "shapley"}
        Johnson's relative weights (default) or the Shapley/LMG decomposition (module doc).
    resamples : int
        Bootstrap resamples (0: no intervals).
    confidence : float
        Coverage of the percentile intervals.
    seed : int
        Seed of the resampling (the same seed gives the same intervals).
    groups : array-like, optional
        A cluster per row, aligned with ``X`` by position (e.g. ``customer_id``): the rows of
        one cluster are resampled together (cluster bootstrap), because one customer's answers
        are not independent. Without it, rows are resampled.

    Returns
    -------
    DataFrame
        One row per kept driver, ranked by weight: ``driver``, ``raw_weight`` (its part of R²;
        the parts add up to R²), ``rescaled_weight`` (percent of R²), ``ci_low``/``ci_high``
        (interval of ``raw_weight``), ``rescaled_ci_low``/``rescaled_ci_high``, ``slope``
        (least-squares coefficient in the model with every driver, outcome units per driver
        unit) with ``slope_ci_low``/``slope_ci_high``, and ``rank``. ``attrs``: ``r2`` with
        ``r2_ci_low``/``r2_ci_high``, ``n`` (complete rows), ``excluded`` (rows with a missing
        value), ``method``, ``interval_method``, ``resamples``, ``seed``, ``notes``.

    Notes
    -----
    Rows with a missing driver or outcome are left out (listwise). A constant driver, or one
    that is an exact linear combination of drivers before it, is left out with a note; pairs
    correlated beyond :data:`HIGH_CORRELATION` are named in a note (their weight is shared).
    With fewer than ``p + 2`` complete rows, or an outcome with one value only, the table is
    empty and a note says why. Fewer than 30 rows add a small-sample note.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise ValueError(f"resamples must be a whole number >= 0, got {resamples!r}")
    check_confidence(confidence)
    prepared = _prepare(X, y, groups)
    n, p = len(prepared.data), len(prepared.names)
    notes = list(prepared.notes)
    if method == "shapley" and p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"the Shapley decomposition needs 2^p models: at most {MAX_SHAPLEY_DRIVERS} "
            f"drivers, got {p}"
        )
    if n and not prepared.scale[-1] > 0:
        notes.append("The outcome has one value only in these rows: nothing to explain.")
        return _empty(tuple(notes), n, prepared.excluded, method)
    if n and p == 0:
        notes.append("No driver varies in these rows: there is nothing to split.")
    elif n and n < p + 2:
        notes.append(
            f"Too few complete rows ({n:,}) for {p} driver(s): at least {p + 2} are needed."
        )
    if p == 0 or n < p + 2:
        return _empty(tuple(notes), n, prepared.excluded, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        notes.extend(sample_warnings(n, 0, "complete rows"))
    if n < ROWS_PER_DRIVER * p:
        notes.append(
            f"Fewer than {ROWS_PER_DRIVER} rows per driver ({n:,} for {p}): R² and the weights "
            "are inflated by chance; read the intervals, not the ranking."
        )
    covariance = _covariances(prepared.data, resamples, seed, prepared.groups)
    corr = _correlations(covariance)
    usable = np.isfinite(corr).all(axis=(1, 2))
    weights, slopes = np.full((len(corr), p), math.nan), np.full((len(corr), p), math.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        decompose = _relative_weights if method == "relative_weights" else _shapley
        weights[usable] = decompose(corr[usable])
        slopes[usable] = _slopes(covariance[usable])
        r2 = weights.sum(axis=1)
        rescaled = 100 * weights / r2[:, None]
    skipped = int((~usable[1:]).sum())
    if skipped:
        notes.append(
            f"{skipped:,} of {resamples:,} bootstrap resamples had a driver or the outcome "
            "constant and were skipped: the intervals rest on the others."
        )
    notes.extend(_correlation_notes(corr[0], prepared.names))
    alpha = (1 - confidence) / 2

    def interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if resamples == 0:
            nan = np.full(values.shape[1:], math.nan)
            return nan, nan
        low, high = np.nanquantile(values[1:], [alpha, 1 - alpha], axis=0)
        return low, high

    low, high = interval(weights)
    rescaled_low, rescaled_high = interval(rescaled)
    slope_low, slope_high = interval(slopes)
    r2_low, r2_high = interval(r2[:, None])
    table = pd.DataFrame(
        {
            "driver": prepared.names,
            "raw_weight": weights[0],
            "rescaled_weight": rescaled[0],
            "ci_low": low,
            "ci_high": high,
            "rescaled_ci_low": rescaled_low,
            "rescaled_ci_high": rescaled_high,
            "slope": slopes[0],
            "slope_ci_low": slope_low,
            "slope_ci_high": slope_high,
        }
    )
    table = table.sort_values("raw_weight", ascending=False, kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table.attrs.update(
        r2=float(r2[0]),
        r2_ci_low=float(r2_low[0]),
        r2_ci_high=float(r2_high[0]),
        n=n,
        excluded=prepared.excluded,
        method=METHODS[method],
        interval_method=BOOTSTRAP_METHOD if groups is None else CLUSTER_BOOTSTRAP_METHOD,
        resamples=resamples,
        seed=seed,
        confidence=confidence,
        notes=tuple(notes),
    )
    return table


def _correlation_notes(corr: np.ndarray, names: list[str]) -> list[str]:
    """A note for every pair of drivers correlated beyond :data:`HIGH_CORRELATION`."""
    notes = []
    for i, j in combinations(range(len(names)), 2):
        if abs(corr[i, j]) > HIGH_CORRELATION:
            notes.append(
                f"{_label(names[i])} and {_label(names[j])} move together (r = "
                f"{corr[i, j]:.2f}): their weights share what either explains."
            )
    return notes


def what_if(importance: pd.DataFrame, driver: str, delta: float) -> Estimate:
    """Expected change of the outcome if ``driver`` changed by ``delta`` for every row.

    ``change = slope × delta`` with the slope's bootstrap interval scaled by ``delta`` (from
    :func:`relative_importance`; for NPS points fit it on :func:`nps_points`). The model holds
    the other drivers fixed; it describes an association in these data, **not** a proven
    effect of changing the driver. ValueError for a driver not in the table.
    """
    rows = importance.loc[importance["driver"] == driver]
    if rows.empty:
        raise ValueError(f"driver {driver!r} is not in the importance table")
    if not math.isfinite(delta):
        raise ValueError(f"delta must be a finite number, got {delta!r}")
    row = rows.iloc[0]
    low, high = sorted((row["slope_ci_low"] * delta, row["slope_ci_high"] * delta))
    return Estimate(
        value=float(row["slope"] * delta),
        ci_low=float(low),
        ci_high=float(high),
        n=int(importance.attrs.get("n", 0)),
        confidence=float(importance.attrs.get("confidence", DEFAULT_CONFIDENCE)),
        method=WHAT_IF_METHOD,
        warnings=tuple(importance.attrs.get("notes", ())),
    )


#: Columns of :func:`importance_performance`.
IPA_COLUMNS = (
    "driver",
    "label",
    "importance",
    "importance_ci_low",
    "importance_ci_high",
    "performance",
    "performance_ci_low",
    "performance_ci_high",
    "n",
    "good",
    "quadrant",
)
QUADRANTS = {
    (True, False): "fix first",
    (True, True): "keep up",
    (False, False): "lower priority",
    (False, True): "possible overkill",
}


def good_experience(table: pd.DataFrame, driver: str) -> pd.Series:
    """True where the row's experience on ``driver`` is good (its :class:`Driver` rule),
    False where it is not, NA where the judged value is unknown."""
    rule = DRIVER_BY_KEY[driver]
    if rule.judged_column not in table:  # e.g. speed misses need tickets.channel as well
        return pd.Series(pd.NA, index=table.index, dtype="boolean")
    values = table[rule.judged_column]
    good = values >= rule.good_threshold if rule.higher_is_better else values <= rule.good_threshold
    return good.astype("boolean").mask(values.isna())


def importance_performance(
    importance: pd.DataFrame, experience: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """Importance–performance matrix (Martilla & James 1977) of the analysed drivers.

    ``importance``: the rescaled weight (percent of R²) and its interval. ``performance``:
    percent of rows of ``experience`` with a good experience on the driver
    (:func:`good_experience`), Wilson interval, ``n`` rows judged. The cross-hairs are the
    mean importance and the mean performance over the drivers (``attrs``); ``quadrant``:
    "fix first" (above-average importance, below-average performance — where effort pays
    most), "keep up", "lower priority", "possible overkill", or "cannot judge" when the data
    lacks what the driver's standard needs. Only rows with at least one contact are judged.
    """
    # Performance is judged on the rows that had service to judge: a window without contacts
    # is neither a good nor a bad experience.
    served = experience.loc[experience["contacts"] > 0] if "contacts" in experience else experience
    rows = []
    for _, row in importance.iterrows():
        good = good_experience(served, row["driver"]).dropna()
        k, n = int(good.sum()), len(good)
        low, high = wilson_interval(k, n, confidence)
        rows.append(
            {
                "driver": row["driver"],
                "label": _label(row["driver"]),
                "importance": row["rescaled_weight"],
                "importance_ci_low": row["rescaled_ci_low"],
                "importance_ci_high": row["rescaled_ci_high"],
                "performance": 100 * k / n if n else math.nan,
                "performance_ci_low": 100 * low,
                "performance_ci_high": 100 * high,
                "n": n,
                "good": DRIVER_BY_KEY[row["driver"]].good_text,
            }
        )
    table = pd.DataFrame(rows, columns=list(IPA_COLUMNS[:-1]))
    mean_importance = float(table["importance"].mean()) if len(table) else math.nan
    mean_performance = float(table["performance"].mean()) if len(table) else math.nan
    table["quadrant"] = [
        "cannot judge"
        if math.isnan(perf)
        else QUADRANTS[(imp >= mean_importance, perf >= mean_performance)]
        for imp, perf in zip(table["importance"], table["performance"], strict=True)
    ]
    table.attrs.update(mean_importance=mean_importance, mean_performance=mean_performance)
    return table
