"""JSONPath compiled once per text, with syntax errors that name the column."""

from __future__ import annotations

import pytest

from core.jsonpath import MISSING, JsonPath, JsonPathSyntaxError, compile_path, is_path


def test_the_same_text_compiles_once():
    assert compile_path("$.contact.email") is compile_path("$.contact.email")


@pytest.mark.parametrize("text,column,message", [
    ("$.a#", 4, "Invalid JSONPath at column 4: unexpected character '#'."),
    ("$.a b", 5, "Invalid JSONPath at column 5: unexpected token 'b'."),
    ("$.a[", 5, "Invalid JSONPath at column 5: unexpected end of expression."),
    ("", 1, "Invalid JSONPath at column 1: unexpected end of expression."),
])
def test_syntax_errors_name_the_column(text, column, message):
    with pytest.raises(JsonPathSyntaxError) as caught:
        compile_path(text)
    assert (str(caught.value), caught.value.column) == (message, column)


def test_find_gives_one_value_a_list_or_missing():
    data = {"a": {"b": 1}, "l": [{"x": 1}, {"x": 2}]}
    assert compile_path("$.a.b").find(data) == (1, ["a.b"])
    assert compile_path("$.l[*].x").find(data) == ([1, 2], ["l.[0].x", "l.[1].x"])
    assert compile_path("$.nope").find(data) == (MISSING, [])
    assert not MISSING and repr(MISSING) == "MISSING"


DATA = {"a": {"b": 1, "n": None, "l": [1, 2]}, "x y": "space", "s": "text", "l": [{"b": 5}]}


@pytest.mark.parametrize("text,plain", [
    ("$.a.b", True), ("$.a.n", True), ("$.a.missing", True), ("$.s.b", True), ("$.l.b", True),
    ('$."x y"', True), ("$.a.l", True), ("$.a.l[0]", False), ("$.a.*", False), ("$..b", False),
    ("$.l[*].b", False), ("$.a.b,n", False), ("a.b", False),
])
def test_plain_paths_read_as_jsonpath_ng_reads_them(text, plain):
    path = compile_path(text)
    assert (path.keys is not None) is plain
    assert path.value(DATA) == JsonPath(text, path.expr, None).value(DATA)
    assert path.values(DATA) == [m.value for m in path.expr.find(DATA)]


def test_paths_start_with_a_dollar():
    assert is_path("$.a") and not is_path("first_name")
