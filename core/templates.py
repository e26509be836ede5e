"""{name} templates in string.Formatter's syntax: {record.Field} reads the record, any other
name a variable; parsed once per text, each user naming its own variables and messages."""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

RECORD = "record."


class Refusal(StrEnum):
    MALFORMED = "malformed"
    FORMATTED = "formatted"
    UNKNOWN = "unknown"


class TemplateError(ValueError):
    """A template refused: malformed (the message is string.Formatter's), a placeholder with a
    format spec or conversion, or one whose name is not known; `name` is the placeholder's."""

    def __init__(self, refusal: Refusal, detail: str, name: str | None = None):
        super().__init__(detail)
        self.refusal = refusal
        self.name = name


@dataclass(frozen=True)
class Template:
    """A parsed template: (literal, name, from the record) parts."""

    text: str
    parts: tuple[tuple[str, str | None, bool], ...]

    def render(self, variables: Mapping[str, Any], record: Mapping[str, Any],
               text_of: Callable[[Any], str]) -> str:
        """Fill the template, each value (None when absent) turned to text by text_of."""
        out = []
        for literal, name, from_record in self.parts:
            out.append(literal)
            if name is not None:
                out.append(text_of((record if from_record else variables).get(name)))
        return "".join(out)


@functools.lru_cache(maxsize=2048)
def parse(text: str, known: Callable[[str], bool] | None = None) -> Template:
    """Parse a template once per text; TemplateError for the first placeholder refused, in order.

    `known` tells the names a template may use (any when None).
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(Refusal.MALFORMED, str(exc)) from None
    parts = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (spec or conversion):
            raise TemplateError(Refusal.FORMATTED, f"{{{name}}} has a format spec or conversion",
                                name)
        if name is not None and known is not None and not known(name):
            raise TemplateError(Refusal.UNKNOWN, f"{{{name}}} is not known", name)
        if name is not None and name.startswith(RECORD):
            parts.append((literal, name[len(RECORD):], True))
        else:
            parts.append((literal, name, False))
    return Template(text, tuple(parts))
