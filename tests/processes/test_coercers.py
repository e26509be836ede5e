"""Coercion to every net_type, lenient and strict."""

from __future__ import annotations

import pytest

from processes import coercers
from processes.typecheck import Options

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
