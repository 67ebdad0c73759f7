"""Second-stage ranking of hybrid search: a small logistic model over the signals the two
rankers already produce, fitted on the tuning half of the library questions.

Reciprocal rank fusion weighs the word-match and the embedding rankings by hand-set weights and
throws their scores away. Here every candidate of either ranking gets features (its cosine, its
cosine relative to the other candidates', its ranks, the IDF-weighted share of the question's
clauses it holds — each clause with the cross-lingual alternatives the lexical ranker read it
with — in the whole paragraph and in its best single sentence, its length, their interactions
with the question's language), and a logistic regression turns them into the probability that
the paragraph answers. More signals are computed (ALL_FEATURES) than the fitted model uses:
benchmarks/fit_rank.py measures which ones hold by cross-validation.
The coefficients are data (`rank_weights.json`), written by `benchmarks/fit_rank.py` from the
tuning half only; the frozen half measures them (benchmarks/results/peers.md).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corroborate.search.stem import stems

WEIGHTS_FILE = Path(__file__).with_name("rank_weights.json")
FEATURES = ("cos", "cos_z", "sem_rr", "lex_rr", "bm25_rel", "cover", "stem_cover", "es", "es_cos", "es_cos_z",
            "es_lex_rr", "es_cover", "es_stem_cover")
# Signals computed beside FEATURES; a model names the columns it uses (`Model.names`).
EXTRA = ("clause_cover", "sent_cover", "log_len", "es_clause_cover", "es_sent_cover",
         "e5_cos", "e5_cos_z", "es_e5_cos_z")
ALL_FEATURES = FEATURES + EXTRA

_ES_HINT = re.compile(r"[¿¡ñáéíóú]", re.IGNORECASE)
_ES_WORDS = frozenset("""el la los las del de en y que por para con una un se su es son hay está están cómo
    cuál cuáles cuántos cuántas cuánto qué quién dónde pueden puede sin sobre entre tiene tienen""".split())
_EN_WORDS = frozenset("""the of and to in is are was were what who how which does do did can could many much
    there their with for from by on be been has have""".split())


def question_language(text: str) -> str:
    """'es' or 'en', from the question's function words (and Spanish punctuation or accents)."""
    words = re.findall(r"\w+", text.lower())
    es = sum(w in _ES_WORDS for w in words) + (2 if _ES_HINT.search(text) else 0)
    en = sum(w in _EN_WORDS for w in words)
    return "es" if es > en else "en"


@dataclass
class Model:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    bias: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        """`x`: one column per name of the model, in its order."""
        z = ((x - self.mean) / self.scale) @ self.coef + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def probability_of(self, x_all: np.ndarray) -> np.ndarray:
        """`x_all`: the full matrix of `features` (ALL_FEATURES columns)."""
        return self.probability(x_all[:, [ALL_FEATURES.index(n) for n in self.names]])

    def to_json(self) -> dict:
        return {"features": list(self.names), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "bias": round(float(self.bias), 6)}


def _load(d: dict) -> Model | None:
    names = tuple(d.get("features", ()))
    if not names or not set(names) <= set(ALL_FEATURES):  # fitted for features no longer computed
        return None
    return Model(names, np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]), float(d["bias"]))


@lru_cache(maxsize=1)
def _weights() -> dict:
    return json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")) if WEIGHTS_FILE.exists() else {}


def model(e5: bool = False) -> Model | None:
    """The fitted ranker: with the second encoder's features when every candidate has its
    vector (`e5`), else the one fitted without them. Both come from the same tuning half."""
    if e5:
        fitted = _load(_weights().get("ranking_e5", {}))
        if fitted is not None:
            return fitted
    fitted = _load(_weights().get("ranking", {}))
    return fitted if fitted is None or not any(n.startswith(("e5", "es_e5")) for n in fitted.names) else None


def cosines_for(index, qv: np.ndarray, pks: list[int]) -> np.ndarray:
    """Cosine of the query to the stored vectors of `pks` (0 for a paragraph without one)."""
    out = np.zeros(len(pks), dtype=np.float32)
    if len(index) == 0 or not pks:
        return out
    arr = np.asarray(pks, dtype=np.int64)
    pos = np.minimum(np.searchsorted(index.pks, arr), len(index.pks) - 1)
    ok = index.pks[pos] == arr
    if ok.any():
        out[ok] = index.matrix[pos[ok]].astype(np.float32) @ qv.astype(np.float32)
    return out


@lru_cache(maxsize=50_000)
def _words_and_stems(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A candidate paragraph's folded words and their stems. Folding is most of a query's
    ranking cost, and the same paragraphs come back query after query: remembered per text."""
    from corroborate.search.query import tokens

    words = frozenset(tokens(text))
    return words, frozenset().union(*(stems(t) for t in words)) if words else frozenset()


@lru_cache(maxsize=50_000)
def _sentence_words(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Words and stems of each sentence of a paragraph (remembered per text, like the above)."""
    from corroborate.search.sentences import split_sentences

    return tuple(_words_and_stems(text[s:e]) for s, e in split_sentences(text)) or ((frozenset(), frozenset()),)


def _holds(words: frozenset[str], wstems: frozenset[str], alts: frozenset[str], astems: frozenset[str]) -> bool:
    return not alts.isdisjoint(words) or not astems.isdisjoint(wstems)


def features(question: str, content: list[str], pks: list[int], texts: dict[int, str],
             lex: list[tuple[int, float]], sem_rank: dict[int, int], cos: np.ndarray,
             clauses: list[list[str]] | None = None, e5_cos: np.ndarray | None = None) -> np.ndarray:
    """Feature matrix (len(pks) x len(ALL_FEATURES)) of the candidate paragraphs `pks`.

    `content`: the question's folded content tokens; `lex`: the lexical ranking with its BM25
    (larger is better); `sem_rank`: rank in the embedding ranking; `cos`: cosine of each pk;
    `clauses`: the question's clauses as the lexical ranker read them, each a list of
    alternatives (a Spanish word with its nearest English library terms, search/expand.py);
    `e5_cos`: the second encoder's cosine of each pk (search/e5.py), or None (its columns are 0).
    """
    es = 1.0 if question_language(question) == "es" else 0.0
    lex_rank = {pk: i for i, (pk, _) in enumerate(lex)}
    best_bm25 = max((s for _, s in lex), default=0.0)
    bm25 = dict(lex)
    mu, sd = _top_half(cos)
    e5 = np.zeros(len(pks)) if e5_cos is None else np.asarray(e5_cos, dtype=np.float64)
    e5_mu, e5_sd = _top_half(e5)
    qwords = list(dict.fromkeys(content))
    qstems = [stems(w) for w in qwords]
    toks, tstems = zip(*(_words_and_stems(texts.get(pk, "")) for pk in pks), strict=True) if pks else ((), ())
    # IDF over the candidates: a word every candidate holds does not tell them apart
    n = len(pks)
    df = np.array([sum(w in ts for ts in toks) for w in qwords], dtype=np.float64)
    sdf = np.array([sum(bool(s & ts) for ts in tstems) for s in qstems], dtype=np.float64)
    idf, sidf = np.log1p(n / (1.0 + df)), np.log1p(n / (1.0 + sdf))
    # clauses: a clause is held when any alternative (or a Snowball stem of one) is
    if clauses is None:
        clauses = [[w] for w in qwords]
    alts = [(frozenset(c), frozenset().union(*(stems(t) for t in c))) for c in clauses if c]
    held = [[j for j, (a, s) in enumerate(alts) if _holds(toks[i], tstems[i], a, s)] for i in range(n)]
    cdf = [0] * len(alts)
    for mine in held:
        for j in mine:
            cdf[j] += 1
    cidf = [math.log1p(n / (1.0 + d)) for d in cdf]
    ctotal = sum(cidf) or 1.0
    x = np.zeros((n, len(ALL_FEATURES)), dtype=np.float64)
    for i, pk in enumerate(pks):
        c = float(cos[i])
        cz = (c - mu) / (sd + 1e-6)
        sr = 1.0 / (1.0 + sem_rank[pk]) if pk in sem_rank else 0.0
        lr = 1.0 / (1.0 + lex_rank[pk]) if pk in lex_rank else 0.0
        b = bm25.get(pk, 0.0) / best_bm25 if best_bm25 > 0 else 0.0
        cover = float(sum(idf[j] for j, w in enumerate(qwords) if w in toks[i]) / idf.sum()) if qwords else 0.0
        scover = float(sum(sidf[j] for j, s in enumerate(qstems) if s & tstems[i]) / sidf.sum()) if qwords else 0.0
        mine = held[i]
        ccover = sum(cidf[j] for j in mine) / ctotal
        # the best single sentence: the question's clauses together in one statement (a
        # paragraph holding at most one clause holds it in some sentence: no need to look)
        sent = ccover if len(mine) <= 1 else max(
            sum(cidf[j] for j in mine if _holds(w, st, *alts[j])) for w, st in _sentence_words(texts.get(pk, ""))
        ) / ctotal
        loglen = math.log1p(len(toks[i]))
        e5z = (e5[i] - e5_mu) / (e5_sd + 1e-6) if e5_cos is not None else 0.0
        x[i] = (c, cz, sr, lr, b, cover, scover, es, es * c, es * cz, es * lr, es * cover, es * scover,
                ccover, sent, loglen, es * ccover, es * sent, e5[i], e5z, es * e5z)
    return x


def _top_half(cos: np.ndarray) -> tuple[float, float]:
    """Mean and spread of the better half of the candidates' cosines (at least 10): a
    candidate's cosine is read relative to the question's, whose scale varies."""
    top = np.sort(cos)[::-1][: max(10, len(cos) // 2)]
    return (float(top.mean()), float(top.std())) if len(top) else (0.0, 1.0)


def candidate_texts(store, pks: list[int]) -> dict[int, str]:
    rows = store.paragraph_texts(pks)
    return {pk: rows[pk] for pk in pks if pk in rows}


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 200,
        names: tuple[str, ...] = FEATURES) -> Model:
    """L2-regularised logistic regression by Newton's method (a few hundred rows x a dozen
    features: exact and instant)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    a = np.hstack([z, np.ones((len(z), 1))])
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + reg * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if math.sqrt(float(step @ step)) < 1e-8:
            break
    return Model(names, mean, scale, w[:-1], float(w[-1]))

