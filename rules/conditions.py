"""The condition language: JSON conditions compiled once into Python closures.

A condition is an object with one operator key:
    {"==": [{"path": "$.country"}, "Canada"]}          comparisons: == != < <= > >=
    {"in": [{"field": "CountryId"}, ["a", "b"]]}        in, contains, starts_with, ends_with
    {"matches": [{"path": "$.email"}, "@example\\.com$"]}  regular expression (a literal pattern)
    {"exists": {"path": "$.utm_source"}}                 exists, empty (one operand)
    {"all": [...]}, {"any": [...]}, {"not": {...}}       combinators
An operand is {"path": JSONPath over the raw payload}, {"field": a value of the typed record},
{"value": a literal}, or a bare literal (string, number, boolean, null, list).
Numbers compare as numbers, also when one side is numeric text ("42" > 18); a path that
selects nothing is missing, which equals null and is empty.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from core.jsonpath import MISSING
from core.problems import Path, Problems
from rules import expressions

Condition = Callable[[Any, list[str]], bool]
Operand = Callable[[Any], Any]


class Operator(StrEnum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    MATCHES = "matches"
    EXISTS = "exists"
    EMPTY = "empty"
    ALL = "all"
    ANY = "any"
    NOT = "not"


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _numbers(a: Any, b: Any) -> tuple[Decimal, Decimal] | None:
    if isinstance(a, str) and isinstance(b, str):
        return None
    na, nb = _number(a), _number(b)
    return (na, nb) if na is not None and nb is not None else None


def equal(a: Any, b: Any) -> bool:
    """Equality with missing as null, numbers by value and booleans never equal to numbers."""
    a, b = (None if a is MISSING else a), (None if b is MISSING else b)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    pair = _numbers(a, b)
    return pair[0] == pair[1] if pair else a == b


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(a: Any, b: Any) -> bool:
        if a is MISSING or a is None or b is MISSING or b is None:
            return False
        pair = _numbers(a, b)
        if pair:
            return compare(*pair)
        return isinstance(a, str) and isinstance(b, str) and compare(a, b)

    return test


def _in(a: Any, b: Any) -> bool:
    if isinstance(b, list):
        return any(equal(a, item) for item in b)
    return isinstance(a, str) and isinstance(b, str) and a in b


def _contains(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return any(equal(item, b) for item in a)
    return isinstance(a, str) and isinstance(b, str) and b in a


def _on_text(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def apply(a: Any, b: Any) -> bool:
        if isinstance(a, list):
            return any(apply(item, b) for item in a)
        return isinstance(a, str) and isinstance(b, str) and test(a, b)

    return apply


def is_empty(value: Any) -> bool:
    """Missing, null, blank text, an empty list or object."""
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return value in ([], {})


BINARY: dict[str, Callable[[Any, Any], bool]] = {
    Operator.EQ: equal,
    Operator.NE: lambda a, b: not equal(a, b),
    Operator.LT: _ordered(operator.lt),
    Operator.LE: _ordered(operator.le),
    Operator.GT: _ordered(operator.gt),
    Operator.GE: _ordered(operator.ge),
    Operator.IN: _in,
    Operator.CONTAINS: _contains,
    Operator.STARTS_WITH: _on_text(str.startswith),
    Operator.ENDS_WITH: _on_text(str.endswith),
}
NAMES = ", ".join(op.value for op in Operator)
VALUES = frozenset(op.value for op in Operator)


class ConditionCompiler:
    """Compile one rule's condition, collecting every fault with its path."""

    def __init__(self, problems: Problems, label: str):
        self.problems, self.label = problems, label
        self.nodes, self.most = 0, expressions.limit("RULES_MAX_CONDITION_NODES")

    def fault(self, path: Path, message: str) -> None:
        self.problems.add(path, message)

    def expression_fault(self, path: Path, exc: expressions.ExpressionError) -> None:
        self.problems.add(path, str(exc), self.label)

    def condition(self, node: Any, path: Path) -> Condition | None:
        """A compiled condition, or None after recording why not."""
        self.nodes += 1
        if self.nodes == self.most + 1:
            self.problems.add(path, f"The condition has more than {self.most} operators.", self.label)
        if self.nodes > self.most:
            return None
        if not isinstance(node, dict) or len(node) != 1:
            self.fault(path, 'A condition is an object with one operator key, e.g. '
                             '{"==": [{"path": "$.country"}, "Canada"]}.')
            return None
        [(op, args)] = node.items()
        here = [*path, op]
        if op not in VALUES:
            self.fault(here, f"Unknown operator '{op}'; use one of: {NAMES}.")
            return None
        if op in (Operator.ALL, Operator.ANY):
            return self._combine(op, args, here)
        if op == Operator.NOT:
            inner = self.condition(args, here)
            return None if inner is None else (lambda ctx, notes: not inner(ctx, notes))
        if op in (Operator.EXISTS, Operator.EMPTY):
            return self._unary(op, args, here)
        if not isinstance(args, list) or len(args) != 2:
            self.fault(here, f"'{op}' takes a list of two operands.")
            return None
        if op == Operator.MATCHES:
            return self._matches(args, here)
        left, right = self.operand(args[0], [*here, 0]), self.operand(args[1], [*here, 1])
        if left is None or right is None:
            return None
        test = BINARY[op]
        return lambda ctx, notes: test(left(ctx), right(ctx))

    def _combine(self, op: str, args: Any, here: Path) -> Condition | None:
        if not isinstance(args, list) or not args:
            self.fault(here, f"'{op}' takes a non-empty list of conditions.")
            return None
        parts = [self.condition(arg, [*here, i]) for i, arg in enumerate(args)]
        if any(p is None for p in parts):
            return None
        if op == Operator.ALL:
            return lambda ctx, notes: all(p(ctx, notes) for p in parts)
        return lambda ctx, notes: any(p(ctx, notes) for p in parts)

    def _unary(self, op: str, args: Any, here: Path) -> Condition | None:
        if isinstance(args, list):
            if len(args) != 1:
                self.fault(here, f"'{op}' takes one operand.")
                return None
            args, here = args[0], [*here, 0]
        value = self.operand(args, here)
        if value is None:
            return None
        if op == Operator.EXISTS:
            return lambda ctx, notes: value(ctx) is not MISSING
        return lambda ctx, notes: is_empty(value(ctx))

    def _matches(self, args: list, here: Path) -> Condition | None:
        subject = self.operand(args[0], [*here, 0])
        if not isinstance(args[1], str):
            self.fault([*here, 1], "'matches' takes a literal pattern string as its second operand.")
            return None
        try:
            compiled = expressions.pattern(args[1])
        except expressions.ExpressionError as exc:
            self.expression_fault([*here, 1], exc)
            return None
        if subject is None:
            return None

        def test(ctx: Any, notes: list[str]) -> bool:
            value = subject(ctx)
            values = value if isinstance(value, list) else [value]
            return compiled.search([str(v) for v in values if isinstance(v, (str, int, float))
                                    and not isinstance(v, bool)], notes, ctx.deadline)

        return test

    def operand(self, node: Any, path: Path) -> Operand | None:
        """A compiled operand, or None after recording why not."""
        if not isinstance(node, dict):
            if isinstance(node, list) and any(isinstance(v, (dict, list)) for v in node):
                self.fault(path, "A list literal holds only strings, numbers, booleans and nulls.")
                return None
            return lambda ctx: node
        if len(node) != 1 or next(iter(node)) not in ("path", "field", "value"):
            self.fault(path, 'An operand is {"path": ...}, {"field": ...}, {"value": ...} or a literal.')
            return None
        [(kind, arg)] = node.items()
        if kind == "value":
            return lambda ctx: arg
        if not isinstance(arg, str) or not arg:
            self.fault([*path, kind], f"'{kind}' takes a non-empty string.")
            return None
        if kind == "field":
            return lambda ctx: ctx.values.get(arg, MISSING)
        try:
            expr = expressions.jsonpath(arg)
        except expressions.ExpressionError as exc:
            self.expression_fault([*path, kind], exc)
            return None
        return lambda ctx: expressions.path_value(expr, ctx)
