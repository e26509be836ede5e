"""Problems: errors collected by path and raised together in marshmallow's shape."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from core.problems import Problems


def test_collects_by_path_in_order_and_raises_once():
    problems = Problems()
    assert not problems
    problems.add(["rules", 0, "when"], "first")
    problems.add(["rules", 0, "when"], "second")
    problems.add(["steps"], "third", label="Rule 'x'")
    problems.merge(["rules", 1], ValidationError({"name": ["Missing data for required field."]}))
    with pytest.raises(ValidationError) as caught:
        problems.check()
    assert caught.value.messages == {
        "rules": {0: {"when": ["first", "second"]}, 1: {"name": ["Missing data for required field."]}},
        "steps": ["Rule 'x': third"]}


def test_a_message_beside_nested_ones_goes_under_schema():
    problems = Problems()
    problems.add(["a"], "whole")
    problems.add(["a", "b"], "part")
    problems.add(["c", "d"], "part")
    problems.add(["c"], "whole")
    assert problems.messages == {"a": {"_schema": ["whole"], "b": ["part"]},
                                 "c": {"d": ["part"], "_schema": ["whole"]}}


def test_nothing_collected_raises_nothing():
    Problems().check()
