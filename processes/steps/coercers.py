"""Coercers per net_type (entry-point group hookhub.coercers); each raises ValueError with the message."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

TRUE = {"true", "1", "yes", "y", "on", "t"}
FALSE = {"false", "0", "no", "n", "off", "f"}
INT32 = (-(2**31), 2**31 - 1)
INT32_DIGITS = 9  # Decimal.adjusted() of the largest Int32, 2147483647
MAX_STRING = 10_000
# Bounds that keep each coercer's work proportional to a short input: a number longer than
# this is no Int32 or decimal; 38 digits is the widest DECIMAL of SQL databases.
MAX_NUMBER_TEXT = 100
MAX_DECIMAL_DIGITS = 38
MAX_DATE_TEXT = 64
MAX_GUID_TEXT = 64


def is_blank(value: Any) -> bool:
    """None, or text that is empty once stripped: a value not given (a required field lacks it)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _scalar(value: Any, kind: str) -> Any:
    if isinstance(value, (dict, list)):
        raise ValueError(f"Not a valid {kind}.")
    return value.strip() if isinstance(value, str) else value


def to_string(value: Any, options: dict[str, Any]) -> str:
    """Any scalar as text; objects and lists are refused."""
    value = _scalar(value, "string")
    text = value if isinstance(value, str) else ("true" if value is True else
                                                  "false" if value is False else str(value))
    if len(text) > options.get("max_length", MAX_STRING):
        raise ValueError(f"Longer than {options.get('max_length', MAX_STRING)} characters.")
    return text


def to_int32(value: Any, options: dict[str, Any]) -> int:
    """Integers, integral floats and digit strings, within Int32."""
    value = _scalar(value, "integer")
    if isinstance(value, bool):
        raise ValueError("Not a valid integer.")
    if isinstance(value, int):
        return _in_int32(value)
    number = _decimal(value, "integer")
    # Checked before the number is built: "1e1000000" is short text for a million digits.
    if number.adjusted() > INT32_DIGITS:
        raise ValueError("Integer out of range for System.Int32.")
    if number != number.to_integral_value():
        raise ValueError("Not a valid integer.")
    return _in_int32(int(number))


def _in_int32(number: int) -> int:
    if not INT32[0] <= number <= INT32[1]:
        raise ValueError("Integer out of range for System.Int32.")
    return number


def _decimal(value: Any, kind: str, decimal_comma: bool = False) -> Decimal:
    """A finite Decimal from a number or short text (Decimal keeps a huge exponent as is)."""
    text = str(value).replace(",", ".") if decimal_comma else str(value)
    if len(text) > MAX_NUMBER_TEXT:
        raise ValueError(f"Not a valid {kind}: longer than {MAX_NUMBER_TEXT} characters.")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"Not a valid {kind}.") from exc
    if not number.is_finite():
        raise ValueError(f"Not a valid {kind}.")
    return number


def to_decimal(value: Any, options: dict[str, Any]) -> str:
    """A finite decimal of at most MAX_DECIMAL_DIGITS digits, kept as its exact text ("12.50")."""
    value = _scalar(value, "decimal")
    if isinstance(value, bool):
        raise ValueError("Not a valid decimal.")
    number = _decimal(value, "decimal", options.get("decimal_comma", False))
    _, digits, exponent = number.as_tuple()
    # Digits as written out in full: 1E+5 has six, 0.001 three.
    if max(len(digits), -exponent) + max(exponent, 0) > MAX_DECIMAL_DIGITS:
        raise ValueError(f"Decimal has more than {MAX_DECIMAL_DIGITS} digits.")
    return str(number)


def to_boolean(value: Any, options: dict[str, Any]) -> bool:
    """JSON booleans; leniently also true/on/yes/1 and false/off/no/0."""
    value = _scalar(value, "boolean")
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if options.get("strict_booleans"):
        if text in ("true", "false"):
            return text == "true"
        raise ValueError("Not a valid boolean (strict: true or false).")
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError("Not a valid boolean.")


def _parse_datetime(value: Any, options: dict[str, Any], kind: str) -> dt.datetime:
    value = _scalar(value, kind)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"Not a valid {kind}.") from exc
    text = str(value)
    if len(text) > MAX_DATE_TEXT:
        raise ValueError(f"Not a valid {kind}: longer than {MAX_DATE_TEXT} characters.")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in options.get("date_formats", []):
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"Not a valid {kind}.") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def to_datetime(value: Any, options: dict[str, Any]) -> str:
    """ISO 8601, epoch seconds, or one of the process's date formats; stored as UTC ISO."""
    return _parse_datetime(value, options, "datetime").isoformat() + "Z"


def to_date(value: Any, options: dict[str, Any]) -> str:
    """A calendar date, from the same formats as datetimes."""
    return _parse_datetime(value, options, "date").date().isoformat()


def to_guid(value: Any, options: dict[str, Any]) -> str:
    """A GUID in canonical lower-case form (braces and missing hyphens accepted)."""
    value = _scalar(value, "GUID")
    if len(str(value)) > MAX_GUID_TEXT:
        raise ValueError("Not a valid GUID.")
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ValueError("Not a valid GUID.") from exc

