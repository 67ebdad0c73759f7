"""The user's query language, parsed once into a tree of folded tokens (`ParsedQuery`).

Syntax: plain words, "quoted phrases", `OR` between alternatives, `-word` / `-"phrase"` (or
`NOT word` / `NOT "phrase"`) to exclude, `prefix*`. `OR` and `NOT` are operators only in capitals.
Raw user text never reaches the index: every token is re-extracted with the same folding the
index uses (unicode61, diacritics removed), and each store compiles the tree into its own
dialect from those tokens only (`store/fts.py` with the FTS5 dialect of `store/sqlite_fts.py`,
`store/postgres_fts.py` for to_tsquery), so operators or punctuation typed by a user cannot
change the expression's meaning or raise a syntax error.

Caseworkers type questions, not keyword lists, and often in Spanish against an English report.
So plain words are *soft*: function words of either language are dropped (they would otherwise
match almost every paragraph and drown the content words), each content word also matches its
5-character truncation stem (a language-neutral stemmer: `criminales` and `criminal` meet at
`crimi*`), and the lexical ranker first asks for all words and then relaxes to any word.
Phrases and exclusions are *hard* constraints, honoured by every mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corroborate.models import fold

# Function words of English and Spanish (folded). Generic grammar words only — no domain terms.
STOPWORDS: frozenset[str] = frozenset(
    """
    a an the and or but nor so yet if then than that this these those there here of in on at to
    for from by with without within into onto about above below over under between among through
    during before after since until up down out off again further once is are was were be been
    being am do does did doing done have has had having will would shall should can could may
    might must not no yes it its itself they them their theirs we us our ours you your yours he
    him his she her hers i me my mine who whom whose which what when where why how all any both
    each few more most other some such only own same too very just also as per via s t
    el la los las un una unos unas lo al del de en a y e o u ni que qué quien quién quienes
    cual cuál cuales cuáles cuyo cuya como cómo cuando cuándo donde dónde cuanto cuánto cuanta
    cuánta cuantos cuántos cuantas cuántas por para con sin sobre entre hasta desde hacia contra
    segun según tras durante mediante ante bajo se su sus mi mis tu tus nuestro nuestra nuestros
    nuestras le les me te nos os ella ellas ello ellos él yo usted ustedes este esta estos estas
    ese esa esos esas aquel aquella aquellos aquellas esto eso aquello es son ser fue fueron era
    eran sido siendo sea sean está están estar estaba estaban estado estuvo hay había habían
    han ha he has hemos haber hubo puede pueden podía no sí si muy más menos ya también tan
    otro otra otros otras todo toda todos todas algo alguno alguna algunos algunas cada mismo
    misma qual porque pero sino aunque
    """.split()
)
STOPWORDS = frozenset(fold(w) for w in STOPWORDS)

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
STEM_LENGTH = 5  # truncation stemming (McNamee & Mayfield): robust across es/en morphology
MIN_PREFIX = 2

_TOKEN = re.compile(r"\w+", re.UNICODE)


class QueryError(ValueError):
    """A query the search syntax cannot express; the message says what is wrong and how to fix it."""


# every ASCII character that is not a letter or digit, to a space
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def tokens(text: str) -> list[str]:
    """Folded index tokens of `text`, split as the FTS5 unicode61 tokenizer splits them."""
    folded = fold(text)
    if folded.isascii():  # nearly always, once folded: a table and a split beat the regex (~1.4x)
        return folded.translate(_ASCII_SEPARATORS).split()
    return _TOKEN.findall(folded.replace("_", " "))


@dataclass(frozen=True)
class Atom:
    """A word (possibly a prefix) or a phrase, already folded into index tokens."""

    tokens: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False  # typed in quotes by the user: a hard constraint
    stemmed: bool = True  # also match the truncation stem (dropped when the stem is too common)

    def stem(self) -> Atom | None:
        """The truncation-stem alternative of a plain content word (a prefix), if it adds anything."""
        if self.phrase or self.prefix or len(self.tokens) != 1 or not self.stemmed:
            return None
        tok = self.tokens[0]
        if len(tok) <= STEM_LENGTH or tok.isdigit():
            return None
        return Atom((tok[:STEM_LENGTH],), prefix=True, stemmed=False)


@dataclass
class Clause:
    """Alternatives joined by OR; one clause per position in the query."""

    atoms: list[Atom]

    @property
    def hard(self) -> bool:
        return len(self.atoms) == 1 and self.atoms[0].phrase

    def alternatives(self, stems: bool) -> list[Atom]:
        """Its atoms, each followed by its truncation stem when `stems`."""
        out: list[Atom] = []
        for a in self.atoms:
            out.append(a)
            stem = a.stem() if stems else None
            if stem:
                out.append(stem)
        return out


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    exclusions: list[Atom] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # function words left out of the lexical side

    @property
    def required(self) -> list[Clause]:
        return [c for c in self.clauses if c.hard]

    @property
    def soft(self) -> list[Clause]:
        return [c for c in self.clauses if not c.hard]

    @property
    def relaxable(self) -> bool:
        """Whether the relaxed reading (phrases required, any one other clause enough) differs
        from the strict one (every clause required). Backends build both from the clauses."""
        return len(self.soft) >= 2

    def semantic_text(self) -> str:
        """What the embedding model reads: the user's words and phrases, without operators."""
        parts = []
        for c in self.clauses:
            parts.extend(" ".join(a.tokens) for a in c.atoms)
        return self.text if not self.exclusions and not any(
            a.prefix for c in self.clauses for a in c.atoms) else " ".join(parts)

    def pruned(self, cost, budget: float) -> ParsedQuery:
        """A cheaper lexical reading for very large libraries.

        `cost(atom)` estimates how many index postings a term (a word, prefix or phrase) reads. Stems that
        alone exceed the budget are dropped, then soft clauses are kept rarest first while their
        summed cost fits the budget (at least one is always kept). Common words add little to
        BM25 (low IDF) but dominate FTS5's work, since ranking visits every matching row.
        Phrases and exclusions are untouched.
        """
        from dataclasses import replace

        soft: list[tuple[float, int, Clause]] = []
        for i, c in enumerate(self.clauses):
            if c.hard:
                continue
            atoms = []
            for a in c.atoms:
                stem = a.stem()
                if stem and cost(stem) > budget:
                    a = replace(a, stemmed=False)
                atoms.append(a)
            total = sum(cost(t) for t in Clause(atoms).alternatives(stems=True))
            soft.append((total, i, Clause(atoms)))
        soft.sort(key=lambda x: (x[0], x[1]))
        kept: dict[int, Clause] = {}
        spent = 0.0
        for total, i, clause in soft:
            if kept and spent + total > budget:
                break
            kept[i] = clause
            spent += total
        clauses = [kept.get(i, c) if c.hard or i in kept else None for i, c in enumerate(self.clauses)]
        out = ParsedQuery(self.text, [c for c in clauses if c is not None], list(self.exclusions),
                          list(self.dropped))
        return out

    def admits(self, text: str) -> bool:
        """Whether a paragraph satisfies the hard constraints: every phrase present, no excluded
        word or phrase present. Used on a handful of vector hits, where asking FTS5 would make
        it evaluate the whole expression over the index first."""
        toks = tokens(text)
        return all(any(_contains(toks, a) for a in c.atoms) for c in self.required) and not any(
            _contains(toks, a) for a in self.exclusions)

    def cost(self, cost) -> float:
        """Estimated postings the index visits for this query (see `pruned`)."""
        return float(sum(cost(t) for c in self.clauses for t in c.alternatives(stems=True)))

    def highlight_terms(self) -> tuple[set[str], set[str]]:
        """(exact tokens, prefixes) whose occurrences a snippet marks."""
        exact: set[str] = set()
        prefixes: set[str] = set()
        for c in self.clauses:
            for a in c.atoms:
                if a.prefix:
                    exact.update(a.tokens[:-1])
                    prefixes.add(a.tokens[-1])
                else:
                    exact.update(a.tokens)
                    stem = a.stem()
                    if stem:
                        prefixes.add(stem.tokens[0])
        return exact, prefixes

    def content_tokens(self) -> list[str]:
        return [t for c in self.clauses for a in c.atoms for t in a.tokens]


def _contains(toks: list[str], atom: Atom) -> bool:
    n = len(atom.tokens)
    *head, last = atom.tokens
    if not head:
        return any(t.startswith(last) for t in toks) if atom.prefix else last in toks
    # a phrase: try only where its first word occurs (list.index runs in C; a candidate's
    # text can be thousands of tokens)
    i = -1
    while True:
        try:
            i = toks.index(head[0], i + 1)
        except ValueError:
            return False
        if i + n > len(toks):
            return False
        if all(toks[i + j] == head[j] for j in range(1, n - 1)):
            t = toks[i + n - 1]
            if t == last or (atom.prefix and t.startswith(last)):
                return True


# ---- parsing ---------------------------------------------------------------------------------

_LEX = re.compile(r'\s+|(?P<neg>-)?"(?P<phrase>[^"]*)"|(?P<quote>")|(?P<word>[^\s"]+)')


def _raw_items(text: str) -> list[tuple[str, str, bool]]:
    """(kind, value, negated) items: kind is 'phrase', 'word' or 'or'."""
    items: list[tuple[str, str, bool]] = []
    pos = 0
    negate = False  # the previous item was the NOT operator
    while pos < len(text):
        m = _LEX.match(text, pos)
        assert m is not None  # the last alternative matches any non-space, non-quote run
        pos = m.end()
        if m.group("quote") is not None:
            raise QueryError('unbalanced quote: a "phrase" needs a closing " (or remove the quote)')
        if m.group("phrase") is None and m.group("word") is None:
            continue  # whitespace
        w = m.group("word")
        if negate and (w in ("OR", "NOT") or (w or "").startswith("-")):
            raise QueryError("NOT must be followed by a word or \"phrase\" to exclude, e.g. extortion NOT gangs")
        if w == "NOT":
            negate = True
            continue
        if m.group("phrase") is not None:
            items.append(("phrase", m.group("phrase"), bool(m.group("neg")) or negate))
        elif m.group("word") is not None:
            if w == "OR":
                items.append(("or", w, False))
            elif negate:
                items.append(("word", w, True))
            elif w.startswith("-"):
                if w == "-" or not w.strip("-"):
                    raise QueryError("'-' must be followed by a word or \"phrase\" to exclude, e.g. -Lima")
                items.append(("word", w[1:], True))
            else:
                items.append(("word", w, False))
        negate = False
    if negate:
        raise QueryError("NOT must be followed by a word or \"phrase\" to exclude, e.g. extortion NOT gangs")
    return items


def _atom(kind: str, value: str) -> Atom | None:
    if kind == "phrase":
        toks = tokens(value)
        if not toks:
            raise QueryError('empty phrase "": put words between the quotes')
        return Atom(tuple(toks), phrase=True)
    prefix = value.endswith("*")
    core = value.rstrip("*")
    if "*" in core:
        raise QueryError(f"'{value}': * marks a prefix and may only end a word, e.g. elect*")
    toks = tokens(core)
    if not toks:
        if prefix:
            raise QueryError(f"'{value}': * must follow at least {MIN_PREFIX} letters, e.g. elect*")
        return None  # punctuation only: nothing to search for
    if prefix and len(toks[-1]) < MIN_PREFIX:
        raise QueryError(f"'{value}': a prefix needs at least {MIN_PREFIX} letters before *")
    return Atom(tuple(toks), prefix=prefix)


def parse_query(text: str) -> ParsedQuery:
    """Parse the user's query; raise QueryError naming the problem for malformed input."""
    if text is None or not text.strip():
        raise QueryError("empty query: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    items = _raw_items(text.strip())
    q = ParsedQuery(text=text.strip())
    groups: list[list[Atom]] = []
    pending_or = False
    for i, (kind, value, negated) in enumerate(items):
        if kind == "or":
            if not groups or pending_or or i == 0:
                raise QueryError("OR needs a word or phrase on both sides, e.g. police OR army")
            if items[i - 1][2]:
                raise QueryError("an excluded term cannot be part of an OR")
            pending_or = True
            continue
        atom = _atom(kind, value)
        if negated:
            if pending_or:
                raise QueryError("an excluded term cannot be part of an OR")
            if atom is not None:
                q.exclusions.append(atom)
            continue
        if atom is None:
            if pending_or:
                raise QueryError("OR needs a word or phrase on both sides, e.g. police OR army")
            continue
        if pending_or:
            groups[-1].append(atom)
            pending_or = False
        else:
            groups.append([atom])
    if pending_or:
        raise QueryError("OR needs a word or phrase on both sides, e.g. police OR army")
    if not groups:
        if q.exclusions:
            raise QueryError("a query needs at least one word to look for, not only exclusions: "
                             "NOT and - exclude (e.g. extortion NOT gangs)")
        raise QueryError("query has no searchable words")
    # Drop function words standing alone (never inside phrases or OR groups), unless nothing is left.
    def is_stop(g: list[Atom]) -> bool:
        a = g[0]
        return len(g) == 1 and not a.phrase and not a.prefix and len(a.tokens) == 1 and a.tokens[0] in STOPWORDS

    content = [g for g in groups if not is_stop(g)]
    if content:
        q.dropped = [g[0].tokens[0] for g in groups if is_stop(g)]
        groups = content
    if len(groups) + len(q.exclusions) > MAX_CLAUSES:
        raise QueryError(f"query has too many terms ({len(groups) + len(q.exclusions)}; the limit is {MAX_CLAUSES})")
    q.clauses = [Clause(g) for g in groups]
    return q
