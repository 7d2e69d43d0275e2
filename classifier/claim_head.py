"""The claim-kind head: which claims a flagged passage makes (multi-label).

A one-vs-rest logistic regression over hashed TF-IDF features (character 1-4-grams plus jieba
words and bigrams, the same featurizers as the linear members in classifier/linear.py) and the
passage's flag label, trained on the corpus's claim kinds (training/claim_head.py) and stored next
to the weights as ``claim_head.npz``: used feature indices, their IDF, coefficients, intercepts,
the kind order and one threshold per kind fitted on challenge-dev.

Why a learned head and not only rules: the claim is in the sentence ("单位交的那部分辞职时一起结出来"
is a pooled-fund claim without the word 统筹), and a negation ("统筹基金不能提取") cancels a keyword.
The evaluation report measures the head against the rule layer (classifier/claims.py) per kind.
A passage where no kind reaches its threshold, and none reaches ``floor`` either, is reported as
``unspecified``; nothing is filled in by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifier.labels import CLAIM_KINDS, FLAG_LABELS, UNSPECIFIED_KIND
from classifier.linear import N_FEATURES, hashed_counts, sublinear_tfidf

FILE_NAME = "claim_head.npz"
_FEATURE_KINDS = ("char", "word")
# Hashed features of both kinds, then one indicator per flag label.
N_INPUTS = len(_FEATURE_KINDS) * N_FEATURES + len(FLAG_LABELS)


def _raw_features(texts: list[str], labels: list[str]) -> sp.csr_matrix:
    blocks = [hashed_counts(kind, texts) for kind in _FEATURE_KINDS]
    flag = np.zeros((len(texts), len(FLAG_LABELS)), dtype=np.float64)
    for i, label in enumerate(labels):
        flag[i, FLAG_LABELS.index(label)] = 1.0
    return sp.hstack([*blocks, sp.csr_matrix(flag)]).tocsr().astype(np.float64)


@dataclass
class ClaimHead:
    idf: np.ndarray  # (N_INPUTS,)
    coef: np.ndarray  # (len(CLAIM_KINDS), N_INPUTS)
    intercept: np.ndarray  # (len(CLAIM_KINDS),)
    thresholds: np.ndarray  # (len(CLAIM_KINDS),) probability a kind needs
    floor: float  # with no kind over its threshold, the best one is kept if it reaches this

    def probabilities(self, texts: list[str], labels: list[str]) -> np.ndarray:
        """P(kind | passage) for normalized texts of flagged passages, shape (n, len(CLAIM_KINDS))."""
        if not texts:
            return np.zeros((0, len(CLAIM_KINDS)))
        unknown = sorted(set(labels) - set(FLAG_LABELS))
        if unknown:
            raise ValueError(f"the claim head reads flagged passages only, not {unknown}")
        z = sublinear_tfidf(_raw_features(texts, labels), self.idf) @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(z)))

    def decide(self, probs: np.ndarray) -> list[list[str]]:
        """Kinds per passage: every kind over its threshold, else the best over ``floor``, else
        ``unspecified``."""
        out = []
        for row in probs:
            kinds = [k for k, p, t in zip(CLAIM_KINDS, row, self.thresholds, strict=True) if p >= t]
            if not kinds:
                best = int(np.argmax(row))
                kinds = [CLAIM_KINDS[best]] if row[best] >= self.floor else [UNSPECIFIED_KIND]
            out.append(kinds)
        return out

    def predict(self, texts: list[str], labels: list[str]) -> list[list[str]]:
        return self.decide(self.probabilities(texts, labels))

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], kinds: list[list[str]], c: float = 16.0) -> ClaimHead:
        """Fit on normalized texts of flagged passages; thresholds start at 0.5 (fit them on dev)."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        counts = _raw_features(texts, labels)
        idf = TfidfTransformer(sublinear_tf=True, norm=None).fit(counts).idf_.astype(np.float32)
        idf[np.asarray(counts.sum(0)).ravel() == 0] = 0.0  # unseen features add nothing
        x = sublinear_tfidf(counts, idf)
        coef = np.zeros((len(CLAIM_KINDS), N_INPUTS), dtype=np.float32)
        intercept = np.zeros(len(CLAIM_KINDS), dtype=np.float32)
        for j, kind in enumerate(CLAIM_KINDS):
            y = np.array([kind in k for k in kinds], dtype=int)
            if y.min() == y.max():
                raise ValueError(f"claim kind {kind!r} needs positive and negative training passages")
            lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
            coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        return cls(idf=idf, coef=coef, intercept=intercept, thresholds=np.full(len(CLAIM_KINDS), 0.5), floor=1.0)

    def save(self, folder: Path) -> None:
        used = np.flatnonzero(self.idf)
        np.savez_compressed(
            Path(folder) / FILE_NAME,
            used=used.astype(np.int64),
            idf=self.idf[used],
            coef=self.coef[:, used].astype(np.float16),
            intercept=self.intercept,
            thresholds=np.asarray(self.thresholds, dtype=np.float32),
            floor=np.float32(self.floor),
            kinds=np.array(CLAIM_KINDS),
        )

    @classmethod
    def load(cls, folder: Path) -> ClaimHead:
        with np.load(Path(folder) / FILE_NAME, allow_pickle=False) as z:
            if tuple(z["kinds"].tolist()) != CLAIM_KINDS:
                raise ValueError(f"{FILE_NAME} was trained for claim kinds {z['kinds'].tolist()}, not {CLAIM_KINDS}")
            idf = np.zeros(N_INPUTS, dtype=np.float32)
            coef = np.zeros((len(CLAIM_KINDS), N_INPUTS), dtype=np.float32)
            idf[z["used"]] = z["idf"]
            coef[:, z["used"]] = z["coef"].astype(np.float32)
            return cls(
                idf, coef, z["intercept"].astype(np.float32), z["thresholds"].astype(np.float64), float(z["floor"])
            )

    def rounded(self) -> ClaimHead:
        """The head as ``save`` stores it (float16 coefficients), for fitting thresholds."""
        return ClaimHead(
            self.idf, self.coef.astype(np.float16).astype(np.float32), self.intercept, self.thresholds, self.floor
        )
