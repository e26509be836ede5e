"""JSONPath (jsonpath-ng, extended syntax) compiled once per source text, with errors that name the column."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext import parse
from jsonpath_ng.jsonpath import Child, Fields, Root

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()
_LEXER_AT = re.compile(r"^Error on line \d+, col (\d+).*Unexpected character: (.)")
_PARSER_AT = re.compile(r"^Parse error at \d+:(\d+) near token (.*) \(\w+\)$")


class JsonPathSyntaxError(ValueError):
    """A JSONPath that does not parse; `column` is 1-based, `detail` is jsonpath-ng's message."""

    def __init__(self, message: str, column: int, detail: str):
        super().__init__(message)
        self.column = column
        self.detail = detail


def is_path(text: str) -> bool:
    """Tell a JSONPath ("$...") from a plain parameter name."""
    return text.startswith("$")


def _plain_keys(expr: Any) -> tuple[str, ...] | None:
    keys = []
    while isinstance(expr, Child) and type(expr.right) is Fields and len(expr.right.fields) == 1 \
            and expr.right.fields[0] != "*":
        keys.append(expr.right.fields[0])
        expr = expr.left
    return tuple(reversed(keys)) if type(expr) is Root else None


@dataclass(frozen=True)
class JsonPath:
    """A compiled JSONPath; a plain "$.a.b" path is read with dictionary lookups, as
    jsonpath-ng would read it, without building its match objects."""

    text: str
    expr: Any
    keys: tuple[str, ...] | None

    def value(self, data: Any) -> Any:
        """What the path selects: one match's value, a list for several, or MISSING."""
        if self.keys is not None:
            for key in self.keys:
                if not isinstance(data, dict) or key not in data:
                    return MISSING
                data = data[key]
            return data
        matches = self.expr.find(data)
        if not matches:
            return MISSING
        return matches[0].value if len(matches) == 1 else [m.value for m in matches]

    def values(self, data: Any) -> list[Any]:
        """The value of every match, in order."""
        if self.keys is None:
            return [m.value for m in self.expr.find(data)]
        value = self.value(data)
        return [] if value is MISSING else [value]

    def find(self, data: Any) -> tuple[Any, list[str]]:
        """The value, and the dotted paths of the matches (to tell which parameters were used)."""
        matches = self.expr.find(data)
        if not matches:
            return MISSING, []
        paths = [str(m.full_path) for m in matches]
        return (matches[0].value if len(matches) == 1 else [m.value for m in matches]), paths


@functools.lru_cache(maxsize=4096)
def compile_path(text: str) -> JsonPath:
    """Parse a JSONPath once; every later call with the same text is a dictionary hit."""
    try:
        expr = parse(text)
    except JSONPathError as exc:
        raise _syntax_error(text, exc) from None
    return JsonPath(text, expr, _plain_keys(expr))


def _syntax_error(text: str, exc: Exception) -> JsonPathSyntaxError:
    detail = str(exc)
    lexer, parser = _LEXER_AT.match(detail), _PARSER_AT.match(detail)
    if lexer:
        column, reason = int(lexer.group(1)) + 1, f"unexpected character '{lexer.group(2)}'"
    elif parser:
        column, reason = int(parser.group(1)) + 1, f"unexpected token '{parser.group(2)}'"
    else:
        column, reason = len(text) + 1, "unexpected end of expression"
    return JsonPathSyntaxError(f"Invalid JSONPath at column {column}: {reason}.", column, detail)
