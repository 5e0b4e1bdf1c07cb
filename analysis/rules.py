"""Topic-rule matching: every rule's words in one Aho-Corasick automaton, expressions evaluated on the hits.

One pass over a post finds every occurrence of every word any rule mentions (plus exclusion phrases);
each rule's expression (``config.expressions``) is then evaluated on those positions, so adding
rules costs nothing per post beyond their evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from config.analysis import TopicRule
from config.expressions import And, Near, Node, Not, Or, Term, parse_expression, positive_terms, terms_of

Hits = dict[str, list[tuple[int, int]]]
"""word → (start, end) character spans where it occurs."""


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A rule that fired on a post, with the words that made it fire."""

    rule: TopicRule
    terms: tuple[str, ...]


class RuleSet:
    """A compiled monitoring scheme."""

    def __init__(self, rules: Sequence[TopicRule], exclude: Iterable[str] = ()) -> None:
        self.rules = list(rules)
        self._trees: list[Node] = [parse_expression(rule.expression) for rule in self.rules]
        self.exclude = sorted({phrase.lower() for phrase in exclude if phrase})
        words = set(self.exclude).union(*(terms_of(tree) for tree in self._trees))
        self._automaton = _build_automaton(words)

    def scan(self, text: str) -> Hits:
        """Every rule word's spans in ``text``, minus spans lying inside an exclusion phrase."""
        hits: Hits = defaultdict(list)
        if not text or not len(self._automaton):
            return hits
        for end, word in self._automaton.iter(text.lower()):
            hits[word].append((end - len(word) + 1, end + 1))
        return _mask_excluded(hits, self.exclude)

    def match(self, text: str) -> list[RuleMatch]:
        """The rules whose expressions hold for ``text``, in config order."""
        hits = self.scan(text)
        matches = []
        for rule, tree in zip(self.rules, self._trees):
            if evaluate(tree, hits):
                found = tuple(sorted(term for term in positive_terms(tree) if term in hits))
                matches.append(RuleMatch(rule, found))
        return matches

    def search_keywords(self) -> list[str]:
        """Words of the rules marked ``search``, for spiders' keyword searches."""
        words: set[str] = set()
        for rule, tree in zip(self.rules, self._trees):
            if rule.search:
                words |= positive_terms(tree)
        return sorted(words)


def evaluate(node: Node, hits: Hits) -> bool:
    """Whether an expression tree holds, given the word spans found in a text."""
    if isinstance(node, Term):
        return node.text in hits
    if isinstance(node, And):
        return all(evaluate(part, hits) for part in node.parts)
    if isinstance(node, Or):
        return any(evaluate(part, hits) for part in node.parts)
    if isinstance(node, Not):
        return not evaluate(node.part, hits)
    return _near(node, hits)


def _near(node: Near, hits: Hits) -> bool:
    left = [span for term in terms_of(node.left) for span in hits.get(term, ())]
    right = [span for term in terms_of(node.right) for span in hits.get(term, ())]
    return any(_gap(a, b) <= node.distance for a in left for b in right)


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _build_automaton(words: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _mask_excluded(hits: Hits, exclude: Sequence[str]) -> Hits:
    masks = [span for phrase in exclude for span in hits.pop(phrase, ())]
    if not masks:
        return hits
    kept: Hits = defaultdict(list)
    for word, spans in hits.items():
        for span in spans:
            if not any(m[0] <= span[0] and span[1] <= m[1] for m in masks):
                kept[word].append(span)
    return kept
