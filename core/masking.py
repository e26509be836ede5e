"""What hookhub never shows or logs in clear, and how it shows it instead.

One policy for everything: stored inbound headers and query, the inbox, push connection
settings, the delivery log, and the server's logs. A header or query parameter is secret
when its name says so (auth, token, secret, key, password, cookie, session, credential),
except the few names that only say which request this is (idempotency and Standard Webhooks
ids, timestamps and signatures); the API key in a webhook or Creatio path is secret too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

MASK = "***"
SECRET_NAME = re.compile(r"auth|token|secret|key|passw|pwd|cookie|session|credential", re.IGNORECASE)
PUBLIC_NAMES = frozenset({"idempotency-key", "webhook-id", "webhook-timestamp",
                          "webhook-signature"})
# The value keeps its scheme ("Bearer ***"): which kind of credential was sent is no secret.
SCHEMED = frozenset({"authorization", "proxy-authorization"})
KEY_IN_PATH = re.compile(r"/(webhooks|get_entities|get_entity_description)/[^/?#\s]+")
QUERY = re.compile(r"\?([^\s#]*)")


def is_secret(name: str) -> bool:
    """Whether a header or query parameter of this name carries a credential."""
    return name.lower() not in PUBLIC_NAMES and bool(SECRET_NAME.search(name))


def value(name: str, text: str) -> str:
    """A header value as hookhub shows it: the mask instead of a credential."""
    if not is_secret(name):
        return text
    scheme, sep, _ = str(text).partition(" ")
    return f"{scheme} {MASK}" if sep and name.lower() in SCHEMED else MASK


def headers(items: Mapping[str, str]) -> dict[str, str]:
    """Headers with every credential masked."""
    return {name: value(name, text) for name, text in items.items()}


def header_list(items: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """A list of {name, value} headers with every credential masked."""
    return [{**h, "value": value(h["name"], h["value"])} for h in items]


def query(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters (a value or a list of values each) with every credential masked."""
    out: dict[str, Any] = {}
    for name, given in params.items():
        if not is_secret(name):
            out[name] = given
        else:
            out[name] = [MASK for _ in given] if isinstance(given, list) else MASK
    return out


def _query_string(match: re.Match) -> str:
    pairs = parse_qsl(match.group(1), keep_blank_values=True)
    if not any(is_secret(name) for name, _ in pairs):
        return match.group(0)
    masked = [(name, MASK if is_secret(name) else text) for name, text in pairs]
    return "?" + urlencode(masked, safe=MASK, quote_via=quote)


def path(text: str) -> str:
    """A request line, path or URL with API keys and secret query parameters masked."""
    return QUERY.sub(_query_string, KEY_IN_PATH.sub(rf"/\1/{MASK}", text))


def hint(start: str) -> str:
    """How a stored secret is named on screen: its first characters and an ellipsis."""
    return start + "…" if start else ""


class LogFilter(logging.Filter):
    """Mask API keys and secret query parameters in every record a logger passes on."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = path(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = path(logging.Formatter().formatException(record.exc_info))
        return True
