"""Hashed TF-IDF + logistic regression members of the ensemble, stored as plain arrays (no pickle).

Two kinds of features of the normalized passage: ``char`` (character 1-4-grams) and ``word``
(jieba words and word bigrams, the domain dictionary included). Features are hashed with
scikit-learn's HashingVectorizer (murmurhash3, stable across versions) and weighted by IDF learned
on the training units; the classifier is a multinomial logistic regression. Everything needed to
score a text sits in ``linear_<kind>.npz``: the used feature indices, their IDF and coefficients,
the intercepts and the label order.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifier.labels import LABELS

N_FEATURES = 2**18
KINDS = ("char", "word")


def file_name(kind: str) -> str:
    return f"linear_{kind}.npz"


def _words_and_bigrams(text: str) -> list[str]:
    from classifier.words import word_spans

    words = [w for w, _, _ in word_spans(text.lower()) if w.strip()]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _vectorizer(kind: str):
    from sklearn.feature_extraction.text import HashingVectorizer

    if kind == "char":
        return HashingVectorizer(
            analyzer="char", ngram_range=(1, 4), n_features=N_FEATURES, alternate_sign=False, norm=None
        )
    if kind == "word":
        return HashingVectorizer(analyzer=_words_and_bigrams, n_features=N_FEATURES, alternate_sign=False, norm=None)
    raise ValueError(f"unknown linear member kind {kind!r}; expected one of {KINDS}")


_WHITESPACE_RUN = re.compile(r"\s\s+")


def _lowered(text: str) -> tuple[str, list[int]]:
    """``text.lower()`` and, per character of it, the index of the character it came from (a few
    characters lower to two)."""
    chars, where = [], []
    for i, ch in enumerate(text):
        low = ch.lower()
        chars.append(low)
        where.extend([i] * len(low))
    return "".join(chars), where


@lru_cache(maxsize=200_000)
def _hash(feature: str) -> int:
    from sklearn.utils import murmurhash3_32

    # As sklearn's HashingVectorizer indexes a feature (alternate_sign=False); cached because the
    # same short n-grams recur in every passage.
    return abs(int(murmurhash3_32(feature, seed=0))) % N_FEATURES


def feature_spans(kind: str, text: str) -> list[tuple[int, int, int]]:
    """Every feature occurrence of a normalized text as (start, end, hashed index), offsets in
    ``text``: what the vectorizer counts, with where it was found."""
    lowered, where = _lowered(text)
    spans: list[tuple[int, int, int]] = []
    if kind == "char":
        # The char analyzer first collapses whitespace runs to one space; keep where each kept
        # character was.
        kept: list[int] = []
        out: list[str] = []
        last = 0
        for m in _WHITESPACE_RUN.finditer(lowered):
            out.append(lowered[last : m.start()])
            kept.extend(range(last, m.start()))
            out.append(" ")
            kept.append(m.start())
            last = m.end()
        out.append(lowered[last:])
        kept.extend(range(last, len(lowered)))
        collapsed = "".join(out)
        for n in range(1, 5):
            for i in range(len(collapsed) - n + 1):
                start, end = where[kept[i]], where[kept[i + n - 1]] + 1
                spans.append((start, end, _hash(collapsed[i : i + n])))
        return spans
    if kind == "word":
        from classifier.words import word_spans

        words = [(w, where[s], where[e - 1] + 1) for w, s, e in word_spans(lowered) if w.strip()]
        spans = [(s, e, _hash(w)) for w, s, e in words]
        spans += [(a[1], b[2], _hash(f"{a[0]} {b[0]}")) for a, b in itertools.pairwise(words)]
        return spans
    raise ValueError(f"unknown linear member kind {kind!r}; expected one of {KINDS}")


def sublinear_tfidf(counts, idf: np.ndarray):
    """Hashed counts weighted as every model here reads them: (1 + log tf) x idf, each row
    L2-normalized. Works on the stored entries only (a new CSR matrix; ``counts`` is not changed)."""
    from sklearn.preprocessing import normalize

    x = counts.tocsr(copy=True).astype(np.float64)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    return normalize(x)


def hashed_counts(kind: str, texts: list[str]):
    """Hashed n-gram counts (sparse CSR, ``N_FEATURES`` columns) of normalized texts."""
    return _vectorizer(kind).transform([t.lower() for t in texts]).tocsr()


@dataclass
class HashedLinear:
    kind: str
    idf: np.ndarray  # (N_FEATURES,)
    coef: np.ndarray  # (len(LABELS), N_FEATURES), rows in LABELS order
    intercept: np.ndarray  # (len(LABELS),)

    def features(self, texts: list[str]):
        return sublinear_tfidf(hashed_counts(self.kind, texts), self.idf)

    def char_attribution(self, text: str, direction: np.ndarray) -> np.ndarray:
        """Per character of ``text``, its share of ``direction @ logits``: each feature's term
        (value x coefficient) split evenly over its occurrences and their characters. The shares
        sum to the feature part of ``direction @ logits(text)`` (the intercept aside)."""
        out = np.zeros(len(text))
        spans = feature_spans(self.kind, text)
        count: dict[int, int] = {}
        for _, _, f in spans:
            count[f] = count.get(f, 0) + 1
        # The features as ``features`` computes them (sublinear tf x idf, L2-normalized), from the
        # counted spans rather than a second pass of the vectorizer.
        index = np.fromiter(count, dtype=np.int64, count=len(count))
        tfidf = (1.0 + np.log(np.fromiter(count.values(), dtype=np.float64, count=len(count)))) * self.idf[index]
        norm = np.linalg.norm(tfidf)
        if norm == 0:
            return out
        terms = tfidf / norm * (direction @ self.coef[:, index])
        value = dict(zip(index.tolist(), terms.tolist(), strict=True))
        for start, end, f in spans:
            out[start:end] += value[f] / count[f] / (end - start)
        return out

    def logits(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return np.asarray(self.features(texts) @ self.coef.T + self.intercept, dtype=np.float32)

    @classmethod
    def fit(cls, kind: str, texts: list[str], labels: np.ndarray, c: float = 8.0) -> HashedLinear:
        """Fit on normalized texts; ``labels`` are indices into LABELS."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        counts = hashed_counts(kind, texts)
        tfidf = TfidfTransformer(sublinear_tf=True, norm=None).fit(counts)
        idf = tfidf.idf_.astype(np.float32)
        # Features never seen in training get weight 0, so an unseen n-gram adds nothing.
        idf[np.asarray(counts.sum(0)).ravel() == 0] = 0.0
        x = sublinear_tfidf(counts, idf)
        lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, labels)
        coef = np.zeros((len(LABELS), N_FEATURES), dtype=np.float32)
        intercept = np.zeros(len(LABELS), dtype=np.float32)
        coef[lr.classes_] = lr.coef_
        intercept[lr.classes_] = lr.intercept_
        missing = sorted(set(range(len(LABELS))) - set(lr.classes_.tolist()))
        intercept[missing] = -1e4  # a label absent from training is never predicted
        return cls(kind=kind, idf=idf, coef=coef, intercept=intercept)

    def save(self, folder: Path) -> None:
        # Store the weights sparsely: most hashed features never occur.
        used = np.flatnonzero(self.idf)
        np.savez_compressed(
            Path(folder) / file_name(self.kind),
            used=used.astype(np.int32),
            idf=self.idf[used],
            coef=self.coef[:, used].astype(np.float16),
            intercept=self.intercept,
            labels=np.array(LABELS),
        )

    @classmethod
    def load(cls, folder: Path, kind: str) -> HashedLinear:
        _vectorizer(kind)  # refuses an unknown kind
        with np.load(Path(folder) / file_name(kind), allow_pickle=False) as z:
            if tuple(z["labels"].tolist()) != LABELS:
                raise ValueError(f"{file_name(kind)} was trained for labels {z['labels'].tolist()}, not {LABELS}")
            idf = np.zeros(N_FEATURES, dtype=np.float32)
            coef = np.zeros((len(LABELS), N_FEATURES), dtype=np.float32)
            idf[z["used"]] = z["idf"]
            coef[:, z["used"]] = z["coef"].astype(np.float32)
            return cls(kind=kind, idf=idf, coef=coef, intercept=z["intercept"].astype(np.float32))

    def rounded(self) -> HashedLinear:
        """The same model with coefficients rounded as ``save`` stores them (for calibration)."""
        return HashedLinear(self.kind, self.idf, self.coef.astype(np.float16).astype(np.float32), self.intercept)
