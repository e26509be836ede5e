"""Decode JSON bodies strictly and within bounds, so that no body can crash or stall a worker.

Python's decoder accepts `NaN` and `Infinity` (which are not JSON), turns `1e999999` into an
infinite float (which no encoder can write back as JSON), recurses in C until the recursion
limit (a `RecursionError`), and refuses integers longer than the interpreter's digit limit
with a `ValueError` (CVE-2020-10735, 4300 digits by default). Here each of these is a fault
with its position, and nesting is bounded well below the recursion limit, since hookhub's own
code (the parse step, JSONPath `..`, the JSON encoders) walks payloads recursively.

Every scan below runs after the decoder has checked the text up to the fault it reports, so
its regular expressions only ever meet well-formed strings (no backtracking blow-up).
"""

from __future__ import annotations

import json
import math
import re
import sys
from itertools import accumulate
from typing import Any

from flask import current_app

STRING = r'"(?:[^"\\]|\\.)*+"'
_STRINGS = re.compile(STRING)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKETS = re.compile(rf"{STRING}|(?P<open>[\[{{])|(?P<close>[\]}}])")
_CONSTANTS = re.compile(rf"{STRING}|(?P<constant>NaN|-?Infinity)")
_NUMBERS = re.compile(rf"{STRING}|(?P<int>-?\d+)(?P<rest>(?:\.\d+)?(?:[eE][-+]?\d+)?)")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonFault(json.JSONDecodeError):
    """JSON that parses but is not acceptable; like JSONDecodeError it has msg, pos, lineno, colno."""

    def __init__(self, message: str, text: str, pos: int, reason: str = "malformed_json"):
        super().__init__(message, text, pos)
        self.reason = reason


class _Constant(Exception):
    pass


class _LongInteger(Exception):
    pass


def _constant(name: str) -> Any:
    raise _Constant(name)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _LongInteger(text) from None


def _float(text: str) -> float | str:
    number = float(text)
    # A number beyond a float's range is kept as its text: the stored payload stays valid JSON
    # and nothing is lost, while a number field refuses it as out of range when processed.
    return number if math.isfinite(number) else text


def loads(text: str, max_depth: int) -> Any:
    """Decode JSON text; JsonFault (or json.JSONDecodeError) names the fault and its position."""
    parsed = True
    try:
        data = json.loads(text, parse_constant=_constant, parse_int=_integer, parse_float=_float)
    except _Constant as exc:
        raise JsonFault(f"{exc.args[0]} is not a JSON value", text, _first(_CONSTANTS, text,
                                                                          "constant")) from None
    except _LongInteger as exc:
        most = sys.get_int_max_str_digits()
        digits = len(exc.args[0].lstrip("-"))
        raise JsonFault(f"An integer of {digits} digits is longer than the limit of {most} digits",
                        text, _long_integer(text, most), reason="number_too_long") from None
    except RecursionError:
        data, parsed = None, False
    _check_depth(text, max_depth, parsed)
    if _SURROGATE.search(text):
        _check_surrogates(text)
    return data


def read_json(text: str) -> Any:
    """Decode JSON text nested at most MAX_JSON_DEPTH deep; a ValueError names the fault."""
    return loads(text, current_app.config["MAX_JSON_DEPTH"])


def _first(pattern: re.Pattern, text: str, group: str) -> int:
    for match in pattern.finditer(text):
        if match.group(group) is not None:
            return match.start()
    return len(text)


def _long_integer(text: str, most: int) -> int:
    for match in _NUMBERS.finditer(text):
        digits = match.group("int")
        if digits is not None and not match.group("rest") and len(digits.lstrip("-")) > most:
            return match.start()
    return len(text)


def _check_depth(text: str, most: int, parsed: bool) -> None:
    """Refuse nesting deeper than `most`, naming the first bracket too deep."""
    if parsed:
        if text.count("[") + text.count("{") <= most:
            return
        # Text the decoder took whole: strip its strings and follow the brackets at C speed.
        brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
        if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= most:
            return
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group("open") is not None:
            depth += 1
            if depth > most:
                raise JsonFault(f"The JSON nests deeper than {most} levels", text, match.start(),
                                reason="json_too_deep")
        elif match.group("close") is not None:
            depth -= 1
    raise JsonFault(f"The JSON nests deeper than {most} levels", text, len(text),
                    reason="json_too_deep")


def _check_surrogates(text: str) -> None:
    """Refuse a string escape of half a surrogate pair: it is not a character and no UTF-8
    encoder (PostgreSQL's, an HTTP response's) can write it."""
    for match in _STRINGS.finditer(text):
        if _SURROGATE.search(match.group()):
            try:
                json.loads(match.group()).encode("utf-8")
            except UnicodeEncodeError:
                raise JsonFault("A string holds an unpaired surrogate escape, which is not a "
                                "character", text, match.start()) from None
