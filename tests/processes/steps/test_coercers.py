"""Coercion to every net_type, lenient and strict."""

from __future__ import annotations

import time

import pytest

from processes.steps import coercers
from processes.steps.typecheck import Options

LENIENT = Options().load({})
STRICT = {**LENIENT, "strict_booleans": True}


@pytest.mark.parametrize("raw,expected", [
    (42, 42), ("42", 42), (" 7 ", 7), (3.0, 3), ("-2147483648", -2147483648), ("1e2", 100)])
def test_int32_accepts(raw, expected):
    assert coercers.to_int32(raw, LENIENT) == expected


@pytest.mark.parametrize("raw,message", [
    ("4.5", "Not a valid integer."), ("abc", "Not a valid integer."), (True, "Not a valid integer."),
    ([1], "Not a valid integer."), ("2147483648", "Integer out of range for System.Int32."),
    ("NaN", "Not a valid integer.")])
def test_int32_refuses(raw, message):
    with pytest.raises(ValueError, match=f"^{message}$".replace(".", r"\.")):
        coercers.to_int32(raw, LENIENT)


@pytest.mark.parametrize("raw,expected", [
    ("12.50", "12.50"), (3, "3"), (0.1, "0.1"), ("-0.0001", "-0.0001")])
def test_decimal_keeps_exact_text(raw, expected):
    assert coercers.to_decimal(raw, LENIENT) == expected


def test_decimal_comma_is_an_option():
    assert coercers.to_decimal("12,5", {"decimal_comma": True}) == "12.5"
    with pytest.raises(ValueError, match="Not a valid decimal."):
        coercers.to_decimal("12,5", LENIENT)
    with pytest.raises(ValueError, match="Not a valid decimal."):
        coercers.to_decimal("Infinity", LENIENT)


@pytest.mark.parametrize("raw,expected", [
    (True, True), ("true", True), ("on", True), ("YES", True), ("1", True), (1, True),
    (False, False), ("off", False), ("No", False), ("0", False)])
def test_boolean_lenient(raw, expected):
    assert coercers.to_boolean(raw, LENIENT) is expected


def test_boolean_strict_takes_only_true_and_false():
    assert coercers.to_boolean("false", STRICT) is False
    with pytest.raises(ValueError, match=r"Not a valid boolean \(strict: true or false\)\."):
        coercers.to_boolean("on", STRICT)
    with pytest.raises(ValueError, match="Not a valid boolean."):
        coercers.to_boolean("maybe", LENIENT)


@pytest.mark.parametrize("raw,expected", [
    ("2024-03-01T10:20:30Z", "2024-03-01T10:20:30Z"),
    ("2024-03-01T12:20:30+02:00", "2024-03-01T10:20:30Z"),
    ("2024-03-01", "2024-03-01T00:00:00Z"),
    ("01.03.2024 10:20", "2024-03-01T10:20:00Z"),
    ("03/01/2024", "2024-03-01T00:00:00Z"),
    (0, "1970-01-01T00:00:00Z")])
def test_datetime_formats(raw, expected):
    assert coercers.to_datetime(raw, LENIENT) == expected


@pytest.mark.parametrize("raw,expected", [
    ("2024-03-01", "2024-03-01"), ("01.03.2024", "2024-03-01"), ("2024-03-01T23:00:00Z", "2024-03-01")])
def test_date_formats(raw, expected):
    assert coercers.to_date(raw, LENIENT) == expected


def test_dates_refuse_nonsense_and_respect_configured_formats():
    with pytest.raises(ValueError, match="Not a valid datetime."):
        coercers.to_datetime("yesterday", LENIENT)
    with pytest.raises(ValueError, match="Not a valid date."):
        coercers.to_date("31.02.2024", LENIENT)
    assert coercers.to_date("2024|03|01", {"date_formats": ["%Y|%m|%d"]}) == "2024-03-01"


@pytest.mark.parametrize("raw", ["F8AF0E88-F36B-1410-FA98-00155D043204",
                                 "{f8af0e88-f36b-1410-fa98-00155d043204}",
                                 "f8af0e88f36b1410fa9800155d043204"])
def test_guid_is_canonical(raw):
    assert coercers.to_guid(raw, LENIENT) == "f8af0e88-f36b-1410-fa98-00155d043204"


def test_guid_and_string_refusals():
    with pytest.raises(ValueError, match="Not a valid GUID."):
        coercers.to_guid("Canada", LENIENT)
    with pytest.raises(ValueError, match="Not a valid string."):
        coercers.to_string({"a": 1}, LENIENT)
    with pytest.raises(ValueError, match="Longer than 3 characters."):
        coercers.to_string("abcd", {"max_length": 3})
    assert coercers.to_string(12, LENIENT) == "12" and coercers.to_string(True, LENIENT) == "true"


def bounded(func, raw, options=LENIENT, seconds: float = 1.0):
    """Call a coercer; it must answer within the bound, whatever the input."""
    started = time.monotonic()
    try:
        result = func(raw, options)
    except ValueError as exc:
        result = f"ValueError: {exc}"
    assert time.monotonic() - started < seconds
    return result


@pytest.mark.parametrize("raw,answer", [
    ("1e300000", "ValueError: Integer out of range for System.Int32."),
    ("1e1000000", "ValueError: Integer out of range for System.Int32."),
    ("-9e999999999", "ValueError: Integer out of range for System.Int32."),
    (1e300, "ValueError: Integer out of range for System.Int32."),
    (10**4000, "ValueError: Integer out of range for System.Int32."),
    ("1e-999999999", "ValueError: Not a valid integer."),
    ("1" * 101, "ValueError: Not a valid integer: longer than 100 characters."),
    ("0." + "0" * 500_000 + "1", "ValueError: Not a valid integer: longer than 100 characters."),
    ("2147483648e0", "ValueError: Integer out of range for System.Int32."), ("21474836470e-1", 2147483647),
    ("2.147483647e9", 2147483647), ("-2147483648.000", -2147483648)])
def test_int32_is_bounded_by_its_input(raw, answer):
    assert bounded(coercers.to_int32, raw) == answer


@pytest.mark.parametrize("raw,answer", [
    ("1e999999", "ValueError: Decimal has more than 38 digits."),
    ("1e999999999999", "ValueError: Decimal has more than 38 digits."),
    ("1e-39", "ValueError: Decimal has more than 38 digits."),
    (1e300, "ValueError: Decimal has more than 38 digits."),
    ("9" * 39, "ValueError: Decimal has more than 38 digits."),
    ("9" * 500_000, "ValueError: Not a valid decimal: longer than 100 characters."),
    ("9" * 38, "9" * 38), ("1e37", "1E+37"), ("0.00000000000000000000000000000000000001",
                                              "1E-38"), ("-12.50", "-12.50")])
def test_decimal_is_bounded_by_its_input(raw, answer):
    assert bounded(coercers.to_decimal, raw) == answer


@pytest.mark.parametrize("func,raw,answer", [
    (coercers.to_datetime, "2024-03-01" + " " * 10 + "x" * 500_000,
     "ValueError: Not a valid datetime: longer than 64 characters."),
    (coercers.to_date, "9" * 5000, "ValueError: Not a valid date: longer than 64 characters."),
    (coercers.to_datetime, 10**4000, "ValueError: Not a valid datetime."),
    (coercers.to_datetime, 1e300, "ValueError: Not a valid datetime."),
    (coercers.to_guid, "f" * 500_000, "ValueError: Not a valid GUID."),
    (coercers.to_boolean, "y" * 500_000, "ValueError: Not a valid boolean."),
    (coercers.to_string, "x" * 500_000, "ValueError: Longer than 10000 characters.")])
def test_every_coercer_is_bounded_by_its_input(func, raw, answer):
    assert bounded(func, raw) == answer
