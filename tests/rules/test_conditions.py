"""The condition language: every operator, the operands, bounds, and each compile error."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from core.errors import flatten_messages
from core.problems import Problems
from processes.context import Context
from rules.conditions import ConditionCompiler

PAYLOAD = {"country": "Canada", "age": "42", "score": 7.5, "email": "ada@example.com",
           "tags": ["vip", "beta"], "blank": "  ", "none": None, "empty_list": [], "yes": True,
           "items": [{"sku": "A1"}, {"sku": "B2"}], "contact": {"name": "Ada"}}
VALUES = {"Email": "ada@example.com", "Age": 42, "IsEmailConfirmed": False}


def evaluate(condition, payload=PAYLOAD, values=VALUES) -> bool:
    problems = Problems()
    compiled = ConditionCompiler(problems, "Rule 'r'").condition(condition, ["when"])
    problems.check()
    notes: list[str] = []
    return compiled(Context(payload=payload, values=dict(values)), notes)


def errors(condition) -> list[dict]:
    problems = Problems()
    ConditionCompiler(problems, "Rule 'r'").condition(condition, ["when"])
    with pytest.raises(ValidationError) as caught:
        problems.check()
    return flatten_messages(caught.value.messages)


P = lambda path: {"path": path}  # noqa: E731
F = lambda code: {"field": code}  # noqa: E731

TRUTHS = [
    ({"==": [P("$.country"), "Canada"]}, True),
    ({"==": [P("$.country"), "canada"]}, False),
    ({"==": [P("$.age"), 42]}, True),
    ({"==": [P("$.age"), "42"]}, True),
    ({"==": [P("$.age"), "42.0"]}, False),
    ({"==": [P("$.score"), 7.5]}, True),
    ({"==": [F("Age"), 42.0]}, True),
    ({"==": [P("$.yes"), 1]}, False),
    ({"==": [P("$.yes"), True]}, True),
    ({"==": [P("$.missing"), None]}, True),
    ({"==": [P("$.none"), None]}, True),
    ({"==": [P("$.tags"), ["vip", "beta"]]}, True),
    ({"==": [F("IsEmailConfirmed"), False]}, True),
    ({"==": [{"value": "x"}, "x"]}, True),
    ({"!=": [P("$.country"), "France"]}, True),
    ({"!=": [P("$.age"), 42]}, False),
    ({"!=": [P("$.missing"), "x"]}, True),
    ({"<": [P("$.age"), 100]}, True),
    ({"<": [P("$.age"), 42]}, False),
    ({"<=": [P("$.age"), 42]}, True),
    ({">": [P("$.score"), 7]}, True),
    ({">": [P("$.country"), "Brazil"]}, True),
    ({">": [P("$.missing"), 1]}, False),
    ({">": [P("$.country"), 1]}, False),
    ({">": [P("$.age"), "100"]}, True),  # two texts compare as text: "42" > "100"
    ({">=": [F("Age"), 42]}, True),
    ({">=": [P("$.none"), 0]}, False),
    ({"in": [P("$.country"), ["Canada", "Mexico"]]}, True),
    ({"in": [P("$.age"), [41, 42]]}, True),
    ({"in": [P("$.country"), ["France"]]}, False),
    ({"in": ["nad", P("$.country")]}, True),
    ({"in": [P("$.missing"), [None]]}, True),
    ({"contains": [P("$.tags"), "vip"]}, True),
    ({"contains": [P("$.tags"), "vi"]}, False),
    ({"contains": [P("$.email"), "@example."]}, True),
    ({"contains": [P("$.items[*].sku"), "B2"]}, True),
    ({"contains": [P("$.missing"), "x"]}, False),
    ({"starts_with": [P("$.email"), "ada@"]}, True),
    ({"starts_with": [P("$.email"), "bob@"]}, False),
    ({"starts_with": [P("$.tags"), "be"]}, True),
    ({"starts_with": [P("$.age"), 4]}, False),
    ({"ends_with": [F("Email"), ".com"]}, True),
    ({"ends_with": [F("Email"), ".org"]}, False),
    ({"matches": [P("$.email"), r"^[a-z]+@example\.com$"]}, True),
    ({"matches": [P("$.email"), r"^ADA"]}, False),
    ({"matches": [P("$.email"), r"(?i)^ADA"]}, True),
    ({"matches": [P("$.age"), r"^\d+$"]}, True),
    ({"matches": [P("$.tags"), "^be"]}, True),
    ({"matches": [P("$.missing"), ".*"]}, False),
    ({"exists": P("$.contact.name")}, True),
    ({"exists": P("$.none")}, True),
    ({"exists": P("$.missing")}, False),
    ({"exists": [F("Email")]}, True),
    ({"exists": F("MobilePhone")}, False),
    ({"empty": P("$.blank")}, True),
    ({"empty": P("$.none")}, True),
    ({"empty": P("$.empty_list")}, True),
    ({"empty": P("$.missing")}, True),
    ({"empty": P("$.country")}, False),
    ({"empty": F("IsEmailConfirmed")}, False),
    ({"all": [{"exists": P("$.email")}, {"==": [P("$.country"), "Canada"]}]}, True),
    ({"all": [{"exists": P("$.email")}, {"==": [P("$.country"), "Peru"]}]}, False),
    ({"any": [{"exists": P("$.nope")}, {"==": [P("$.country"), "Canada"]}]}, True),
    ({"any": [{"exists": P("$.nope")}, {"==": [P("$.country"), "Peru"]}]}, False),
    ({"not": {"exists": P("$.nope")}}, True),
    ({"not": {"not": {"exists": P("$.nope")}}}, False),
    ({"==": [P("$.items[?(@.sku == 'A1')].sku"), "A1"]}, True),
]


@pytest.mark.parametrize("condition,expected", TRUTHS)
def test_operators(condition, expected):
    assert evaluate(condition) is expected


def test_every_operator_is_covered():
    from rules.conditions import Operator

    used = {next(iter(c)) for c, _ in TRUTHS}
    assert used == {op.value for op in Operator}


def test_a_hostile_pattern_times_out_as_no_match():
    problems = Problems()
    compiled = ConditionCompiler(problems, "Rule 'r'").condition(
        {"matches": [P("$.text"), "(a|aa)+$"]}, ["when"])
    notes: list[str] = []
    assert compiled(Context(payload={"text": "a" * 60 + "b"}), notes) is False
    assert notes == ["pattern '(a|aa)+$' timed out after 50 ms: no match"]


def test_a_subject_over_the_limit_is_no_match():
    problems = Problems()
    compiled = ConditionCompiler(problems, "Rule 'r'").condition({"matches": [P("$.t"), "a"]}, ["w"])
    notes: list[str] = []
    assert compiled(Context(payload={"t": "a" * 10_001}), notes) is False
    assert notes == ["subject longer than 10000 characters: no match"]


@pytest.mark.parametrize("condition,field,message", [
    ({"equals": [1, 1]}, "when.equals",
     "Unknown operator 'equals'; use one of: ==, !=, <, <=, >, >=, in, contains, starts_with, "
     "ends_with, matches, exists, empty, all, any, not."),
    ({"==": [1, 1], "!=": [1, 2]}, "when",
     'A condition is an object with one operator key, e.g. {"==": [{"path": "$.country"}, "Canada"]}.'),
    ("yes", "when",
     'A condition is an object with one operator key, e.g. {"==": [{"path": "$.country"}, "Canada"]}.'),
    ({"==": [1]}, "when.==", "'==' takes a list of two operands."),
    ({"in": 1}, "when.in", "'in' takes a list of two operands."),
    ({"exists": [P("$.a"), P("$.b")]}, "when.exists", "'exists' takes one operand."),
    ({"all": []}, "when.all", "'all' takes a non-empty list of conditions."),
    ({"any": {"exists": P("$.a")}}, "when.any", "'any' takes a non-empty list of conditions."),
    ({"not": []}, "when.not",
     'A condition is an object with one operator key, e.g. {"==": [{"path": "$.country"}, "Canada"]}.'),
    ({"==": [P("$.a#"), 1]}, "when.==.0.path",
     "Rule 'r': invalid JSONPath at column 4: unexpected character '#'."),
    ({"exists": P("$.items[")}, "when.exists.path",
     "Rule 'r': invalid JSONPath at column 9: unexpected end of expression."),
    ({"all": [{"exists": P("$.a")}, {"<": [1, P("$..")]}]}, "when.all.1.<.1.path",
     "Rule 'r': invalid JSONPath at column 4: unexpected end of expression."),
    ({"matches": [P("$.a"), "(ab"]}, "when.matches.1",
     "Rule 'r': invalid regular expression at position 3: missing )."),
    ({"matches": [P("$.a"), "a{2,1}"]}, "when.matches.1",
     "Rule 'r': invalid regular expression at position 2: min repeat greater than max repeat."),
    ({"matches": [P("$.a"), P("$.b")]}, "when.matches.1",
     "'matches' takes a literal pattern string as its second operand."),
    ({"==": [{"path": "$.a", "field": "B"}, 1]}, "when.==.0",
     'An operand is {"path": ...}, {"field": ...}, {"value": ...} or a literal.'),
    ({"==": [{"jsonpath": "$.a"}, 1]}, "when.==.0",
     'An operand is {"path": ...}, {"field": ...}, {"value": ...} or a literal.'),
    ({"==": [{"field": ""}, 1]}, "when.==.0.field", "'field' takes a non-empty string."),
    ({"==": [{"path": 3}, 1]}, "when.==.0.path", "'path' takes a non-empty string."),
    ({"in": [1, [[1]]]}, "when.in.1", "A list literal holds only strings, numbers, booleans and nulls."),
    ({"==": [P("$." + "a" * 500), 1]}, "when.==.0.path",
     "Rule 'r': the JSONPath is 502 characters; the limit is 500."),
    ({"matches": [P("$.a"), "a" * 501]}, "when.matches.1",
     "Rule 'r': the pattern is 501 characters; the limit is 500."),
])
def test_compile_errors(condition, field, message):
    assert errors(condition)[0] == {"field": field, "message": message}


def test_too_many_operators():
    condition = {"all": [{"exists": P("$.a")}] * 100}
    assert errors(condition) == [{"field": "when.all.99",
                                  "message": "Rule 'r': the condition has more than 100 operators."}]


def test_deep_nesting_stops_at_the_operator_limit():
    condition: dict = {"exists": P("$.a")}
    for _ in range(500):
        condition = {"not": condition}
    assert errors(condition)[0]["message"] == "Rule 'r': the condition has more than 100 operators."


def test_every_fault_is_collected():
    assert errors({"all": [{"==": [P("$.a#"), 1]}, {"matches": [P("$.b"), "("]}]}) == [
        {"field": "when.all.0.==.0.path",
         "message": "Rule 'r': invalid JSONPath at column 4: unexpected character '#'."},
        {"field": "when.all.1.matches.1",
         "message": "Rule 'r': invalid regular expression at position 1: missing )."}]
