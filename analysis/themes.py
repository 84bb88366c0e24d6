"""Complaint themes learnt from customers' own words (ticket texts, survey comments).

Model: TF-IDF of the terms of :class:`analysis.text.Tokenizer` (HTML stripped; Russian, English
and Polish stop words removed; Snowball stems; a shared customer-service lexicon across the three
languages) factorised by non-negative matrix factorisation, ``V ≈ W·H`` (Lee & Seung 1999;
scikit-learn ``NMF`` with the deterministic NNDSVDa start, Boutsidis & Gallopoulos 2008). Each row
of ``H`` is a theme (its highest-weighted terms label it); each text goes to the theme with the
largest weight in its row of ``W``, or to −1 when it has no known term.

Number of themes, when not given: the candidate ``k`` whose themes are most *stable* — fitted on
random 80 % subsamples, the top-10 term sets of the themes are matched to those of the full fit
(Hungarian matching, ``scipy.optimize.linear_sum_assignment``) and their mean Jaccard similarity is
the score (Greene, O'Callaghan & Cunningham 2014, "How many topics? Stability analysis for topic
models", ECML PKDD). Ties go to the smaller ``k``.

Speed: the vocabulary and the factorisation are fitted on at most :data:`FIT_SAMPLE` texts
drawn with ``random_state`` (every text when there are fewer); every distinct text is then
assigned by ``NMF.transform`` with ``H`` held fixed — the same path as :meth:`ThemeModel.assign`
for new texts. Identical texts are tokenised once. BLAS runs on one thread (``threadpoolctl``):
on a busy 2-core server, letting each fit spawn threads made it up to ten times slower.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from analysis.privacy import mask_personal_data
from analysis.text import Tokenizer, clean_texts

#: Signature of a theme that is a helpdesk category (matched exactly, never by overlap).
CATEGORY_PREFIX = "category:"

#: Theme id of a text that fits no theme (no known term, or an unknown category).
NO_THEME = -1
#: Candidate numbers of themes tried when ``n_themes`` is None.
CANDIDATE_THEMES = (5, 6, 8, 10, 12, 15, 20)
#: Texts the vocabulary and factorisation are fitted on (a random sample beyond this).
FIT_SAMPLE = 20_000
#: Texts the stability of each candidate number of themes is measured on.
STABILITY_SAMPLE = 3_000
STABILITY_RUNS = 3
STABILITY_FRACTION = 0.8
#: Terms listed per theme, terms in its signature, terms in its label.
TOP_TERMS = 10
SIGNATURE_TERMS = 5
LABEL_TERMS = 3
PHRASES = 3
PHRASE_CHARS = 160
#: A term must occur in at least this many texts (fewer for tiny inputs) and at most this share:
#: high, so that the topic most complaints are about ("delivery") stays a term; IDF already
#: weighs common terms down and the stop-word lists remove the function words.
MIN_TEXTS_PER_TERM = 3
MAX_TEXT_SHARE = 0.95
MAX_TERMS = 8_000
METHOD = "NMF of TF-IDF terms (ru/en/pl stems and a shared lexicon), k by stability"
CATEGORY_METHOD = "the helpdesk's category field (no text to learn from)"
THEME_COLUMNS = ("theme_id", "label", "top_terms", "size", "share", "signature", "phrases")


@dataclass(frozen=True, eq=False)
class ThemeModel:
    """Themes learnt from texts, and the theme of each text.

    Attributes
    ----------
    themes : DataFrame
        One row per theme, ids 0..k−1 by descending size: ``theme_id``; ``label`` (its top
        :data:`LABEL_TERMS` terms as words); ``top_terms`` (comma-separated words); ``size``
        (texts assigned); ``share`` (size ÷ texts with a theme, 0–1); ``signature`` (its top
        :data:`SIGNATURE_TERMS` terms as stems, sorted, space-separated: what user edits are
        keyed by); ``phrases`` (up to :data:`PHRASES` representative texts joined by " | ").
    assignments : ndarray of int
        Theme id of each input text, :data:`NO_THEME` (−1) where none fits.
    strength : ndarray of float
        Share of the text's weight that falls on its theme (0–1; NaN for −1).
    k_scores : DataFrame
        ``n_themes`` and ``stability`` of each candidate tried (empty when ``n_themes`` given).
    method : str
        How the themes were found.
    """

    themes: pd.DataFrame
    assignments: np.ndarray
    strength: np.ndarray
    k_scores: pd.DataFrame
    method: str = METHOD
    _vectorizer: TfidfVectorizer | None = field(default=None, repr=False)
    _nmf: NMF | None = field(default=None, repr=False)
    _order: np.ndarray | None = field(default=None, repr=False)  # component → theme id
    _categories: tuple[str, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        assigned = int((self.assignments != NO_THEME).sum())
        return (
            f"ThemeModel({len(self.themes)} themes, n = {len(self.assignments):,} texts, "
            f"{assigned:,} assigned)"
        )

    def assign(self, texts: Iterable[object]) -> np.ndarray:
        """Theme id of each new text with the fitted model (no refit); −1 where none fits.

        For a category model (:func:`themes_from_categories`) ``texts`` are category labels.
        """
        if self._nmf is None:
            labels = pd.Series(list(texts), dtype=object)
            codes = pd.Index(self._categories).get_indexer(labels.astype(str))
            return np.where(labels.isna(), NO_THEME, codes).astype(int)
        with threadpool_limits(limits=1, user_api="blas"):
            best, _ = _components(self._vectorizer, self._nmf, clean_texts(texts))
        return _renumbered(best, self._order)


def _components(
    vectorizer: TfidfVectorizer, nmf: NMF, clean: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's strongest NMF component (−1 when its row of ``W`` is all zero) and that
    component's share of the row; every distinct text is tokenised and solved once."""
    codes, uniques = pd.factorize(clean)
    weights = nmf.transform(vectorizer.transform(uniques))
    total = weights.sum(axis=1)
    best = np.where(total > 0, weights.argmax(axis=1), NO_THEME)
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.where(total > 0, weights.max(axis=1) / total, np.nan)
    return best[codes], strength[codes]


def _renumbered(components: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Theme ids of NMF components (``order``: component → id); −1 stays −1."""
    return np.where(components == NO_THEME, NO_THEME, order[np.maximum(components, 0)]).astype(int)


def _vectorizer(n_texts: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=Tokenizer(),
        min_df=min(MIN_TEXTS_PER_TERM, max(1, n_texts // 20)),
        max_df=MAX_TEXT_SHARE if n_texts >= 20 else 1.0,
        max_features=MAX_TERMS,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _nmf(k: int, random_state: int) -> NMF:
    return NMF(n_components=k, init="nndsvda", max_iter=400, tol=1e-4, random_state=random_state)


def _top_sets(components: np.ndarray, top: int = TOP_TERMS) -> list[set[int]]:
    return [set(np.argsort(-row, kind="stable")[:top]) for row in components]


def stability(matrix: sparse.csr_matrix, k: int, random_state: int = 0) -> float:
    """Mean Jaccard similarity of matched top-term sets across subsample fits (Greene 2014).

    The reference fit uses every row of ``matrix``; each of :data:`STABILITY_RUNS` fits uses
    a random :data:`STABILITY_FRACTION` of the rows. Themes are matched one-to-one by
    ``linear_sum_assignment`` on the Jaccard similarity of their top-:data:`TOP_TERMS` term sets.
    """
    rng = np.random.default_rng(random_state)
    with warnings.catch_warnings():  # an unconverged subsample fit still ranks its terms
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = _top_sets(_nmf(k, random_state).fit(matrix).components_)
        scores = []
        for _ in range(STABILITY_RUNS):
            size = int(STABILITY_FRACTION * matrix.shape[0])
            rows = np.sort(rng.choice(matrix.shape[0], size, replace=False))
            sets = _top_sets(_nmf(k, random_state).fit(matrix[rows]).components_)
            similarity = np.array([[len(a & b) / len(a | b) for b in sets] for a in reference])
            row, col = linear_sum_assignment(-similarity)
            scores.append(similarity[row, col].mean())
    return float(np.mean(scores))


def choose_n_themes(
    matrix: sparse.csr_matrix, candidates: Iterable[int], random_state: int = 0
) -> pd.DataFrame:
    """Stability of each candidate number of themes, on up to :data:`STABILITY_SAMPLE` rows."""
    rng = np.random.default_rng(random_state)
    if matrix.shape[0] > STABILITY_SAMPLE:
        matrix = matrix[np.sort(rng.choice(matrix.shape[0], STABILITY_SAMPLE, replace=False))]
    scores = [(k, stability(matrix, k, random_state)) for k in candidates]
    return pd.DataFrame(scores, columns=["n_themes", "stability"])


def _empty_model(n: int, method: str = METHOD) -> ThemeModel:
    return ThemeModel(
        themes=pd.DataFrame({c: pd.Series(dtype=object) for c in THEME_COLUMNS}),
        assignments=np.full(n, NO_THEME, dtype=int),
        strength=np.full(n, np.nan),
        k_scores=pd.DataFrame(columns=["n_themes", "stability"]),
        method=method,
    )


def _check_n_themes(n_themes: object) -> int | None:
    if n_themes is None:
        return None
    if isinstance(n_themes, bool) or not isinstance(n_themes, int | np.integer) or n_themes < 1:
        raise ValueError(f"n_themes must be a positive whole number or None, got {n_themes!r}")
    return int(n_themes)


def learn_themes(
    texts: Iterable[object], n_themes: int | None = None, random_state: int = 0
) -> ThemeModel:
    """Learn themes from free texts and assign each text to one (see the module docstring).

    Parameters
    ----------
    texts : sequence of str
        Ticket subjects/texts or survey comments, in any mix of Russian, English and Polish;
        HTML is stripped; None, empty, emoji-only or non-text values get theme −1.
    n_themes : int, optional
        Number of themes; None chooses it among :data:`CANDIDATE_THEMES` by stability (at most
        two themes when the texts are too few to compare candidates). Capped at what the data
        can support (distinct texts and terms).
    random_state : int
        Seed of the fit sample and the subsamples; the result is deterministic for a given
        input and seed.

    Returns
    -------
    ThemeModel
        ``assignments`` (one theme id per text, −1 where none fits), ``themes`` (id, label,
        top terms, size, …) and ``assign(new_texts)`` for incremental assignment.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _learn(texts, _check_n_themes(n_themes), random_state)


def _learn(texts: Iterable[object], wanted: int | None, random_state: int) -> ThemeModel:
    clean = clean_texts(texts)
    has_text = clean.str.len() > 0
    if not has_text.any():
        return _empty_model(len(clean))
    rng = np.random.default_rng(random_state)
    candidates = np.flatnonzero(has_text.to_numpy())
    if len(candidates) > FIT_SAMPLE:
        candidates = np.sort(rng.choice(candidates, FIT_SAMPLE, replace=False))
    codes, uniques = pd.factorize(clean.iloc[candidates])
    vectorizer = _vectorizer(len(uniques))
    try:
        distinct = vectorizer.fit_transform(uniques)
    except ValueError:  # no term survives: texts without letters, or only stop words
        return _empty_model(len(clean))
    sample = distinct[codes]
    limit = min(len(uniques), distinct.shape[1])
    subsample = int(STABILITY_FRACTION * min(sample.shape[0], STABILITY_SAMPLE))
    options = [k for k in CANDIDATE_THEMES if k < limit and k <= subsample]
    k_scores = pd.DataFrame(columns=["n_themes", "stability"])
    if wanted is not None:
        k = min(wanted, limit)
    elif options:
        k_scores = choose_n_themes(sample, options, random_state)
        k = int(k_scores.loc[k_scores["stability"].idxmax(), "n_themes"])
    else:  # too few texts or terms to compare candidates: at most two themes
        k = min(limit, 2)
    nmf = _nmf(k, random_state).fit(sample)
    components, strength = _components(vectorizer, nmf, clean)
    order = _size_order(components, k)
    assignments = _renumbered(components, order)
    themes = _theme_table(vectorizer, nmf.components_, order, assignments, strength, clean, uniques)
    return ThemeModel(
        themes=themes,
        assignments=assignments.astype(int),
        strength=strength,
        k_scores=k_scores,
        _vectorizer=vectorizer,
        _nmf=nmf,
        _order=order,
    )


def _size_order(components: np.ndarray, k: int) -> np.ndarray:
    """Theme id of each component: 0 for the largest, ties by component index."""
    sizes = np.bincount(components[components >= 0], minlength=k)
    ranking = np.lexsort((np.arange(k), -sizes))
    order = np.empty(k, dtype=int)
    order[ranking] = np.arange(k)
    return order


def _surface_words(uniques: Iterable[str], tokenizer: Tokenizer) -> dict[str, str]:
    """The most frequent word behind each term (ties: alphabetical), for readable labels."""
    counts = Counter(pair for text in uniques for pair in tokenizer.pairs(text))
    best: dict[str, tuple[int, str]] = {}
    for (term, word), count in counts.items():
        if term not in best or (-count, word) < (-best[term][0], best[term][1]):
            best[term] = (count, word)
    return {term: word for term, (_, word) in best.items()}


def _theme_table(
    vectorizer: TfidfVectorizer,
    components: np.ndarray,
    order: np.ndarray,
    assignments: np.ndarray,
    strength: np.ndarray,
    clean: pd.Series,
    uniques: Iterable[str],
) -> pd.DataFrame:
    terms = vectorizer.get_feature_names_out()
    words = _surface_words(uniques, vectorizer.analyzer)
    assigned = int((assignments != NO_THEME).sum())
    rows = []
    for component, theme_id in enumerate(order):
        top = [terms[i] for i in np.argsort(-components[component], kind="stable")[:TOP_TERMS]]
        readable = [words.get(term, term) for term in top]
        size = int((assignments == theme_id).sum())
        rows.append(
            (
                int(theme_id),
                " / ".join(readable[:LABEL_TERMS]),
                ", ".join(readable),
                size,
                size / assigned if assigned else np.nan,
                " ".join(sorted(top[:SIGNATURE_TERMS])),
                _phrases(clean, assignments == theme_id, strength),
            )
        )
    table = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
    return table.sort_values("theme_id", kind="stable").reset_index(drop=True)


def _phrases(clean: pd.Series, inside: np.ndarray, strength: np.ndarray) -> str:
    """Up to :data:`PHRASES` distinct texts of the theme that lean on it most, shortened, with
    e-mail addresses, phone and card numbers masked (:func:`~analysis.privacy.mask_personal_data`).
    """
    chosen = pd.DataFrame({"text": clean[inside].to_numpy(), "strength": strength[inside]})
    chosen = chosen.assign(length=chosen["text"].str.len())
    chosen = chosen.sort_values(["strength", "length", "text"], ascending=[False, True, True])
    texts = mask_personal_data(chosen["text"].drop_duplicates().head(PHRASES))
    shortened = texts.where(texts.str.len() <= PHRASE_CHARS, texts.str[: PHRASE_CHARS - 1] + "…")
    return " | ".join(shortened)


def themes_from_categories(categories: Iterable[object]) -> ThemeModel:
    """One theme per helpdesk category, for data without any text (ids by descending size).

    Missing categories get −1. ``method`` says the themes come from the category field.
    """
    labels = pd.Series(list(categories), dtype=object)
    known = labels.dropna().astype(str)
    if known.empty:
        return _empty_model(len(labels), CATEGORY_METHOD)
    counts = known.value_counts(sort=False).reset_index()
    counts.columns = ["label", "size"]
    counts = counts.sort_values(["size", "label"], ascending=[False, True], kind="stable")
    names = tuple(counts["label"])
    themes = pd.DataFrame(
        {
            "theme_id": np.arange(len(names)),
            "label": list(names),
            "top_terms": list(names),
            "size": counts["size"].to_numpy(),
            "share": counts["size"].to_numpy() / len(known),
            "signature": [f"{CATEGORY_PREFIX}{name}" for name in names],
            "phrases": "",
        }
    )
    codes = pd.Index(names).get_indexer(labels.astype(str))
    return ThemeModel(
        themes=themes,
        assignments=np.where(labels.isna(), NO_THEME, codes).astype(int),
        strength=np.where(labels.isna(), np.nan, 1.0),
        k_scores=pd.DataFrame(columns=["n_themes", "stability"]),
        method=CATEGORY_METHOD,
        _categories=names,
    )


#: A stored edit applies to the current theme sharing at least this share of its signature terms.
EDIT_MATCH_SHARE = 0.6
EDITED_COLUMNS = ("theme_id", "merged_into", "label", "renamed")


def _match(signature: str, themes: pd.DataFrame) -> int | None:
    """Id of the theme whose signature shares the most terms with ``signature``, if enough do."""
    wanted = set(signature.split())
    if not wanted or themes.empty:
        return None
    if signature.startswith(CATEGORY_PREFIX):  # a helpdesk category: only the same one
        same = themes.loc[themes["signature"] == signature, "theme_id"]
        return int(same.iloc[0]) if len(same) else None
    overlap = themes["signature"].map(lambda current: len(wanted & set(current.split())))
    best = int(overlap.to_numpy().argmax())
    if overlap.iloc[best] < np.ceil(EDIT_MATCH_SHARE * len(wanted)):
        return None
    return int(themes["theme_id"].iloc[best])


def apply_edits(themes: pd.DataFrame, edits: pd.DataFrame) -> pd.DataFrame:
    """The users' renames and merges applied to freshly learnt themes.

    ``edits`` has columns ``signature``, ``label`` (new name or missing) and ``merge_into``
    (signature of the theme it was merged into, or missing). Edits are keyed by signature — the
    theme's top stems — rather than by theme id, because ids are re-numbered whenever themes are
    re-learnt on refreshed data, while a theme's top terms barely move: an edit applies to the
    current theme sharing at least :data:`EDIT_MATCH_SHARE` of its signature terms (the most
    shared, first id on ties); an edit matching no theme is kept but has no effect. Merges
    follow chains (A into B into C); a merge that would close a cycle is ignored.

    Returns
    -------
    DataFrame
        One row per theme of ``themes``: ``theme_id``; ``merged_into`` (the id it counts under:
        itself, or the theme it was merged into); ``label`` (of the theme it counts under, after
        renames; " (#id)" appended where two unmerged themes would share one); ``renamed``
        (whether that label is a user's name).
    """
    table = themes[["theme_id", "label"]].copy()
    target = dict(zip(table["theme_id"], table["theme_id"], strict=True))
    names = dict(zip(table["theme_id"], table["label"], strict=True))
    renamed = dict.fromkeys(table["theme_id"], False)
    for edit in edits.itertuples(index=False):
        theme = _match(edit.signature, themes)
        if theme is None:
            continue
        if isinstance(edit.label, str) and edit.label.strip():
            names[theme], renamed[theme] = edit.label.strip(), True
        into = _match(edit.merge_into, themes) if isinstance(edit.merge_into, str) else None
        if into is not None and into != theme:
            target[theme] = into
    final = {theme: _follow(theme, target) for theme in target}
    # Two themes that are not merged never share a label (a rename to another theme's name):
    # both get their id appended, so tables, charts and the committee keep them apart.
    shown = pd.Series({theme: names[theme] for theme in set(final.values())})
    clash = shown.duplicated(keep=False)
    shown[clash] = shown[clash] + " (#" + shown.index[clash].astype(str) + ")"
    table["merged_into"] = table["theme_id"].map(final).astype(int)
    table["label"] = table["merged_into"].map(shown)
    table["renamed"] = table["merged_into"].map(renamed).astype(bool)
    return table[list(EDITED_COLUMNS)]


def _follow(theme: int, target: dict[int, int]) -> int:
    """The end of ``theme``'s merge chain; ``theme`` itself if the chain runs in a circle."""
    seen = {theme}
    current = theme
    while target[current] != current:
        current = target[current]
        if current in seen:
            return theme
        seen.add(current)
    return current
