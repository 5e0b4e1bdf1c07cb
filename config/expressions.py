"""The language of topic rules: boolean keyword expressions, parsed into a small tree.

Monitoring schemes in 舆情 systems are written as keyword expressions. Ours:

    (起火 OR 着火 OR 火灾) AND NOT (游戏 OR 演习)        words, AND / OR / NOT, parentheses
    燃气 + 泄漏 | "煤气 泄漏" - 演练                      + AND, | OR, - NOT, "…" a phrase
    电梯 NEAR/8 (困人 OR 被困)                            both within 8 characters of each other

Juxtaposed words are ANDed. Keywords are case-insensitive. Matching is done in ``analysis.rules``;
this module only parses and validates, so a bad rule fails when the config is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<near>NEAR/(?P<dist>\d+))|"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND": "AND", "+": "AND", "&": "AND", "OR": "OR", "|": "OR", "NOT": "NOT", "-": "NOT", "!": "NOT"}


class ExpressionError(ValueError):
    """A topic-rule expression that cannot be parsed; the message says where and what was expected."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: "Node"


@dataclass(frozen=True, slots=True)
class Near:
    left: "Node"
    right: "Node"
    distance: int


Node = Term | And | Or | Not | Near


def terms_of(node: Node) -> set[str]:
    """Every word the expression mentions (for the matching automaton and for search keywords)."""
    if isinstance(node, Term):
        return {node.text}
    if isinstance(node, Not):
        return terms_of(node.part)
    if isinstance(node, Near):
        return terms_of(node.left) | terms_of(node.right)
    return set().union(*(terms_of(part) for part in node.parts))


def sufficient_terms(node: Node) -> set[str]:
    """Words each of which makes the expression true on its own (short of a NOT that excludes the post)."""
    if isinstance(node, Term):
        return {node.text}
    if isinstance(node, Or):
        return set().union(*(sufficient_terms(part) for part in node.parts))
    if isinstance(node, And):
        required = [part for part in node.parts if not isinstance(part, Not)]
        return sufficient_terms(required[0]) if len(required) == 1 else set()
    return set()


def parse_expression(text: str) -> Node:
    """Parse a rule expression; raise :class:`ExpressionError` naming the position of the problem."""
    tokens = _tokenize(text)
    if not tokens:
        raise ExpressionError("empty expression")
    parser = _Parser(text, tokens)
    node = parser.parse_or()
    if parser.pos < len(tokens):
        kind, value, column = tokens[parser.pos]
        raise ExpressionError(f"unexpected {value!r} at column {column} in {text!r}")
    return node


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip():
                column = text.index('"', pos) + 1
                raise ExpressionError(f"unclosed quote at column {column} in {text!r}")
            break
        column = match.start() + len(match.group(0)) - len(match.group(0).lstrip()) + 1
        tokens.append(_classify(match, column))
        pos = match.end()
    return tokens


def _classify(match: re.Match[str], column: int) -> tuple[str, str, int]:
    if match.group("lp"):
        return ("(", "(", column)
    if match.group("rp"):
        return (")", ")", column)
    if match.group("near"):
        return ("NEAR", match.group("dist"), column)
    if match.group("phrase") is not None:
        phrase = " ".join(match.group("phrase").split())
        if not phrase:
            raise ExpressionError(f"empty phrase at column {column}")
        return ("TERM", phrase.replace(" ", ""), column)
    word = match.group("word")
    operator = _OPERATORS.get(word.upper())
    return (operator, word, column) if operator else ("TERM", word.lower(), column)


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str, int]]) -> None:
        self.text, self.tokens, self.pos = text, tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while self.peek() in ("AND", "NOT", "TERM", "("):
            if self.peek() == "AND":
                self.take()
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Not(self.parse_unary())
        return self.parse_near()

    def parse_near(self) -> Node:
        node = self.parse_atom()
        while self.peek() == "NEAR":
            _, distance, column = self.take()
            right = self.parse_atom()
            for side in (node, right):
                if not _positional(side):
                    raise ExpressionError(f"NEAR at column {column} needs words or OR-groups of words on both sides")
            node = Near(node, right, int(distance))
        return node

    def parse_atom(self) -> Node:
        if self.pos >= len(self.tokens):
            raise ExpressionError(f"expression ends where a word or '(' was expected: {self.text!r}")
        kind, value, column = self.take()
        if kind == "TERM":
            return Term(value)
        if kind == "(":
            node = self.parse_or()
            if self.peek() != ")":
                raise ExpressionError(f"'(' at column {column} is never closed in {self.text!r}")
            self.take()
            return node
        raise ExpressionError(f"expected a word or '(' at column {column}, found {value!r} in {self.text!r}")


def _positional(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    return isinstance(node, Or) and all(_positional(part) for part in node.parts)
