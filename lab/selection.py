"""Choosing work as pytest and nox do: `-k EXPR` over names, `--article NAME`, `--tag TAG`.

One function, `choose`, decides for every command: scenarios for `list`, `run` and
`compare-all`, documents for `verbatim`. A selection that matches nothing is a usage error that
names the closest names there are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, TypeVar

from lab.errors import UsageError

T = TypeVar("T")
Matcher = Callable[[Callable[[str], bool]], bool]

# pytest's identifier: what -k accepts between the operators.
_TOKEN = re.compile(r"\s*(?:(\()|(\))|([\w:+\-.\[\]\\/]+))")
_KEYWORDS = ("and", "or", "not")


@dataclass(frozen=True)
class Names:
    """What a unit of work can be selected by."""

    id: str
    """A scenario id, or a document's file name."""
    article: str = ""
    """The article file it comes from ('002_47706e3e358c726a.txt'), if any."""
    tags: Tuple[str, ...] = ()

    def all(self) -> List[str]:
        return [n for n in (self.id, self.article, *self.tags) if n]


@dataclass(frozen=True)
class Selection:
    """-k, --article and --tag as given; each option narrows what the others chose."""

    keyword: Optional[str] = None
    """A pytest-style expression: words (substrings of an id, article or tag), and, or, not, parentheses."""
    articles: Tuple[str, ...] = ()
    """Article file names or their prefixes ('002'); any of them."""
    tags: Tuple[str, ...] = ()
    """Tags; any of them."""

    def __bool__(self) -> bool:
        return bool(self.keyword or self.articles or self.tags)

    def describe(self) -> str:
        parts = [f"-k {self.keyword!r}"] if self.keyword else []
        parts += [f"--article {a}" for a in self.articles] + [f"--tag {t}" for t in self.tags]
        return " ".join(parts)


def of(keyword: Optional[str] = None, articles: Optional[Iterable[str]] = None,
       tags: Optional[Iterable[str]] = None) -> Selection:
    """A Selection from option values, the expression checked now (a bad one is one usage error)."""
    if keyword is not None and not keyword.strip():
        keyword = None
    if keyword is not None:
        compile_keyword(keyword)
    return Selection(keyword, tuple(articles or ()), tuple(tags or ()))


def compile_keyword(expression: str) -> Matcher:
    """The expression as a function of `has(word)`; a syntax error is a UsageError naming the column."""
    tokens: List[Tuple[str, int]] = []
    position = 0
    while position < len(expression):
        if not expression[position:].strip():
            break
        found = _TOKEN.match(expression, position)
        if found is None:
            raise UsageError(f"-k {expression!r}: unexpected character {expression[position:].lstrip()[0]!r} "
                             f"at column {position + 1}")
        tokens.append((found.group(found.lastindex or 0), found.start(found.lastindex or 0)))
        position = found.end()
    parser = _Parser(expression, tokens)
    matcher = parser.expr()
    if parser.at < len(tokens):
        parser.fail("expected 'and', 'or' or the end")
    return matcher


class _Parser:
    """expr: and ('or' and)*; and: not ('and' not)*; not: 'not' not | '(' expr ')' | word."""

    def __init__(self, text: str, tokens: List[Tuple[str, int]]) -> None:
        self.text, self.tokens, self.at = text, tokens, 0

    def fail(self, what: str) -> None:
        column = self.tokens[self.at][1] + 1 if self.at < len(self.tokens) else len(self.text) + 1
        raise UsageError(f"-k {self.text!r}: {what} at column {column}")

    def peek(self) -> str:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else ""

    def take(self, word: str) -> bool:
        if self.peek() == word:
            self.at += 1
            return True
        return False

    def expr(self) -> Matcher:
        if not self.tokens:
            self.fail("expected a word")
        terms = [self.conjunction()]
        while self.take("or"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda has: any(t(has) for t in terms))

    def conjunction(self) -> Matcher:
        terms = [self.negation()]
        while self.take("and"):
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else (lambda has: all(t(has) for t in terms))

    def negation(self) -> Matcher:
        if self.take("not"):
            inner = self.negation()
            return lambda has: not inner(has)
        if self.take("("):
            inner = self.expr()
            if not self.take(")"):
                self.fail("expected ')'")
            return inner
        word = self.peek()
        if not word or word in _KEYWORDS or word == ")":
            self.fail("expected a word")
        self.at += 1
        return lambda has: has(word)


def words(expression: str) -> List[str]:
    """The words of an expression (not the operators), for suggestions."""
    return [t.group(3) for t in _TOKEN.finditer(expression) if t.group(3) and t.group(3) not in _KEYWORDS]


def matches(names: Names, selection: Selection) -> bool:
    """Whether one unit is selected: every option given holds for it."""
    if selection.keyword:
        lowered = [n.lower() for n in names.all()]
        if not compile_keyword(selection.keyword)(lambda word: any(word.lower() in n for n in lowered)):
            return False
    if selection.articles and not any(names.article.startswith(a) for a in selection.articles):
        return False
    return not selection.tags or any(t in names.tags for t in selection.tags)


def choose(units: Sequence[Tuple[T, Names]], selection: Selection, what: str = "scenario") -> List[T]:
    """The units the selection picks, in their order; picking none is a UsageError with the closest names."""
    if not selection:
        return [unit for unit, _ in units]
    chosen = [unit for unit, names in units if matches(names, selection)]
    if not chosen:
        raise UsageError(f"{selection.describe()} selects no {what}{_closest(units, selection)}")
    return chosen


def _closest(units: Sequence[Tuple[T, Names]], selection: Selection) -> str:
    ids = sorted({n.id for _, n in units})
    articles = sorted({n.article for _, n in units if n.article})
    tags = sorted({t for _, n in units for t in n.tags})
    asked = [(w, ids + articles + tags, "") for w in words(selection.keyword or "")]
    asked += [(a, articles, "articles") for a in selection.articles] + [(t, tags, "tags") for t in selection.tags]
    close: List[str] = []
    for word, pool, kind in asked:
        found = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
        found += [name for name in pool if word.lower() in name.lower() and name not in found]
        if not found and kind:  # nothing like it: say what there is
            found = [f"{kind} are {', '.join(name.split('_')[0] if kind == 'articles' else name for name in pool)}"]
        close += [n for n in found[:3] if n not in close]
    return f"; closest: {', '.join(close[:6])}" if close else ""
