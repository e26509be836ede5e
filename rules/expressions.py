"""The expressions a rule holds: JSONPath, regular expressions and templates, each compiled
once per source text and bounded so that a hostile rule cannot stall a worker.

Regular expressions run on the `regex` module with a timeout per `matches` test, however
many values it tests (its backtracking engine is Python's, plus a clock); the subject length
is bounded as well, and all of a webhook's rules share one time budget.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex
from flask import current_app, has_app_context

from core import templates
from core.config import DEFAULTS
from core.jsonpath import MISSING, JsonPath, JsonPathSyntaxError, compile_path
from core.templates import Refusal, TemplateError


class ExpressionError(ValueError):
    """An expression that does not compile; the message names the position."""


def limit(name: str) -> int:
    """A rules limit from the configuration (the default outside an app)."""
    return current_app.config[name] if has_app_context() else DEFAULTS[name]


def _bounded(text: str, kind: str) -> None:
    most = limit("RULES_MAX_EXPRESSION")
    if len(text) > most:
        raise ExpressionError(f"The {kind} is {len(text)} characters; the limit is {most}.")


def jsonpath(text: str) -> JsonPath:
    """A compiled JSONPath, or ExpressionError naming the column."""
    _bounded(text, "JSONPath")
    try:
        return compile_path(text)
    except JsonPathSyntaxError as exc:
        raise ExpressionError(str(exc)) from None


@functools.lru_cache(maxsize=1024)
def _regex(text: str) -> regex.Pattern:
    return regex.compile(text)


class BudgetSpent(Exception):
    """The webhook's time budget for rules ran out during a rule."""


def time_left(deadline: float | None) -> float | None:
    """Seconds until the rules' deadline (None: no deadline); BudgetSpent when none is left."""
    if deadline is None:
        return None
    left = deadline - time.perf_counter()
    if left <= 0:
        raise BudgetSpent()
    return left


@dataclass(frozen=True)
class Pattern:
    """A compiled regular expression with its time and subject bounds."""

    text: str
    compiled: regex.Pattern
    timeout: float
    max_subject: int

    def search(self, subjects: list[str], notes: list[str], deadline: float | None = None) -> bool:
        """Tell whether the pattern occurs in any of the subjects; too long or too slow is no
        match. One timeout covers all the subjects, and the rules' deadline bounds it."""
        until = time.perf_counter() + self.timeout
        for subject in subjects:
            if len(subject) > self.max_subject:
                notes.append(f"subject longer than {self.max_subject} characters: no match")
                continue
            budget = time_left(deadline)
            left = until - time.perf_counter()
            by_budget = budget is not None and budget < left
            try:
                if left <= 0:
                    raise TimeoutError()
                if self.compiled.search(subject, timeout=budget if by_budget else left) is not None:
                    return True
            except TimeoutError:
                if by_budget:
                    raise BudgetSpent() from None
                notes.append(f"pattern {self.text!r} timed out after {self.timeout * 1000:g} ms: no match")
                return False
        return False


def pattern(text: str) -> Pattern:
    """A compiled regular expression, or ExpressionError naming the position."""
    _bounded(text, "pattern")
    try:
        compiled = _regex(text)
    except regex.error as exc:
        raise ExpressionError(f"Invalid regular expression at position {exc.pos}: {exc.msg}.") from None
    return Pattern(text, compiled, limit("RULES_REGEX_TIMEOUT_MS") / 1000, limit("RULES_REGEX_MAX_SUBJECT"))


def text_of(value: Any) -> str:
    """A value as template text: booleans as true/false, nothing as empty, lists joined."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(text_of(v) for v in value)
    return str(value)


def template(text: str) -> Callable[[Any], str]:
    """A compiled template: {name} is a parameter, {record.Field} a value of the record."""
    _bounded(text, "template")
    try:
        compiled = templates.parse(text, _named)
    except TemplateError as exc:
        if exc.refusal is Refusal.MALFORMED:
            raise ExpressionError(f"Invalid template: {exc}.") from None
        if exc.refusal is Refusal.FORMATTED:
            raise ExpressionError(
                f"Invalid template: {{{exc.name}}} takes no format spec or conversion.") from None
        raise ExpressionError(
            "Invalid template: {} needs a name, e.g. {first_name} or {record.Email}.") from None

    def render(ctx: Any) -> str:
        return compiled.render(ctx.params, ctx.values, text_of)

    return render


def _named(name: str) -> bool:
    return name != ""


def path_value(expr: JsonPath, ctx: Any) -> Any:
    """What a compiled JSONPath selects in the raw payload (MISSING when nothing)."""
    return expr.value(ctx.payload)
