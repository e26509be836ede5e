"""JSONPath (jsonpath-ng, extended syntax) compiled once per source text, with errors that name the column."""

from __future__ import annotations

import functools
import re
from typing import Any

from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext import parse

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()
_LEXER_AT = re.compile(r"^Error on line \d+, col (\d+).*Unexpected character: (.)")
_PARSER_AT = re.compile(r"^Parse error at \d+:(\d+) near token (.*) \(\w+\)$")


class JsonPathSyntaxError(ValueError):
    """A JSONPath that does not parse; `column` is 1-based."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


def is_path(text: str) -> bool:
    """Tell a JSONPath ("$...") from a plain parameter name."""
    return text.startswith("$")


@functools.lru_cache(maxsize=4096)
def compile_path(text: str):
    """Parse a JSONPath once; every later call with the same text is a dictionary hit."""
    try:
        return parse(text)
    except JSONPathError as exc:
        raise _syntax_error(text, exc) from None


def _syntax_error(text: str, exc: Exception) -> JsonPathSyntaxError:
    detail = str(exc)
    lexer, parser = _LEXER_AT.match(detail), _PARSER_AT.match(detail)
    if lexer:
        column, reason = int(lexer.group(1)) + 1, f"unexpected character '{lexer.group(2)}'"
    elif parser:
        column, reason = int(parser.group(1)) + 1, f"unexpected token '{parser.group(2)}'"
    else:
        column, reason = len(text) + 1, "unexpected end of expression"
    return JsonPathSyntaxError(f"Invalid JSONPath at column {column}: {reason}.", column)


def find(expr, data: Any) -> tuple[Any, list[str]]:
    """The value an expression selects (one match: the value; several: a list; none: MISSING)
    and the dotted paths of the matches."""
    matches = expr.find(data)
    if not matches:
        return MISSING, []
    paths = [str(m.full_path) for m in matches]
    if len(matches) == 1:
        return matches[0].value, paths
    return [m.value for m in matches], paths
