"""Transforms and value extraction of manual mappings."""

from __future__ import annotations

import pytest
from marshmallow import Schema

from core.jsonpath import MISSING
from processes.steps.manual_mapping import TransformField, compile_mapping, split_name


class One(Schema):
    t = TransformField()


@pytest.mark.parametrize("transforms,value,expected", [
    (["trim"], "  Ada  ", "Ada"),
    (["lower"], "ADA@Example.COM", "ada@example.com"),
    (["upper"], "ca", "CA"),
    (["trim", "upper"], [" a ", " b"], ["A", "B"]),
    ([{"split_name": "first"}], "Ada King Lovelace", "Ada"),
    ([{"split_name": "last"}], "Ada King Lovelace", "King Lovelace"),
    ([{"split_name": "first"}], "Lovelace, Ada", "Ada"),
    ([{"split_name": "last"}], "Lovelace, Ada", "Lovelace"),
    ([{"split_name": "last"}], "Ada", ""),
    ([{"date_format": "%d/%m/%Y"}], "10/12/1815", "1815-12-10"),
    ([{"date_format": "%d/%m/%Y %H:%M"}], "10/12/1815 08:30", "1815-12-10T08:30:00"),
    ([{"constant": "web form"}], "anything", "web form"),
    (["lower"], 42, 42),
])
def test_transforms(transforms, value, expected):
    mapping = compile_mapping(0, {"from": "x", "to": "F", "transform": transforms})
    assert mapping.transform(value) == expected


def test_a_date_that_does_not_match_the_format_names_both():
    mapping = compile_mapping(0, {"from": "x", "to": "F", "transform": [{"date_format": "%d/%m/%Y"}]})
    with pytest.raises(ValueError, match=r"^'1815-12-10' does not match the date format '%d/%m/%Y'\.$"):
        mapping.transform("1815-12-10")


def test_parameter_and_jsonpath_origins():
    payload = {"contact": {"email": "a@b.c"}, "tags": [{"n": 1}, {"n": 2}]}
    params = {"contact.email": "a@b.c", "name": "Ada"}
    assert compile_mapping(0, {"from": "name", "to": "F"}).extract(payload, params) == ("Ada", ["name"])
    assert compile_mapping(0, {"from": "$.contact.email", "to": "F"}).extract(payload, params) == (
        "a@b.c", ["contact.email"])
    assert compile_mapping(0, {"from": "$.tags[*].n", "to": "F"}).extract(payload, params) == (
        [1, 2], ["tags.[0].n", "tags.[1].n"])
    assert compile_mapping(0, {"from": "$.nope", "to": "F"}).extract(payload, params) == (MISSING, [])
    assert compile_mapping(0, {"from": "nope", "to": "F"}).extract(payload, params) == (MISSING, [])
    assert compile_mapping(0, {"to": "F", "transform": [{"constant": 1}]}).extract(payload, params) == (
        None, [])


def test_scope():
    mapping = compile_mapping(0, {"from": "x", "to": "F", "source": 3, "entity": "Lead"})
    assert mapping.applies(3, "Lead") and not mapping.applies(4, "Lead")
    assert not mapping.applies(3, "Contact")
    assert compile_mapping(0, {"from": "x", "to": "F"}).applies(None, "Order")


def test_split_name_of_blank_text():
    assert split_name("  ", "first") == "" and split_name("  ", "last") == ""


def test_transform_field_keeps_valid_specs():
    assert One().load({"t": "trim"}) == {"t": "trim"}
    assert One().load({"t": {"date_format": "%Y"}}) == {"t": {"date_format": "%Y"}}
