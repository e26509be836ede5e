"""Plugins: an installed package adds a step, a coercer and a rule action through entry points,
and configuration adds parts by dotted path; both are placed in a process like built-in ones."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from marshmallow import Schema, fields

from core import plugins as registry
from processes.models import Record
from tests.processes.helpers import STEPS, definition

PLUGIN_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "hookhub-stamp"
version = "1.0.0"
dependencies = []

[project.entry-points."hookhub.steps"]
stamp = "hookhub_stamp:Stamp"

[project.entry-points."hookhub.coercers"]
"Stamp.Phone" = "hookhub_stamp:phone"

[project.entry-points."hookhub.actions"]
shout = "hookhub_stamp:Shout"

[tool.setuptools]
py-modules = ["hookhub_stamp"]
"""

PLUGIN_MODULE = '''\
"""A hookhub plugin: a step that stamps a field, a phone coercer, an action that shouts."""

from marshmallow import Schema, fields


class Stamp:
    NEEDS_ENTITY = True

    class Options(Schema):
        field = fields.String(required=True)
        value = fields.String(required=True)

    @staticmethod
    def run(ctx, options):
        ctx.values[options["field"]] = options["value"]
        return {"stamped": options["field"]}


def phone(value, options):
    digits = "".join(c for c in str(value) if c.isdigit())
    if len(digits) < 7:
        raise ValueError("Not a valid phone number.")
    return "+" + digits


class Shout:
    class Schema(Schema):
        field = fields.String(required=True)

    def __init__(self, options):
        self.field = options["field"]

    def run(self, ctx, rule):
        ctx.values[self.field] = str(ctx.values.get(self.field, "")).upper() + "!"
        return {"field": self.field, "to": ctx.values[self.field]}
'''


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory):
    """Build and install the plugin package into a directory of its own."""
    source = tmp_path_factory.mktemp("hookhub-stamp")
    (source / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (source / "hookhub_stamp.py").write_text(PLUGIN_MODULE)
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--disable-pip-version-check", "--target", str(site),
                    str(source)], check=True, capture_output=True, timeout=120)
    return site


@pytest.fixture
def installed(app, plugin_site, monkeypatch):
    """The plugin on sys.path and the registry discovered afresh; both undone afterwards."""
    monkeypatch.syspath_prepend(str(plugin_site))
    monkeypatch.delitem(app.extensions, registry.EXTENSION, raising=False)
    yield
    sys.modules.pop("hookhub_stamp", None)


def with_plugins(rules: list | None = None) -> dict:
    draft = definition(rules=rules or [])
    draft["steps"].insert(STEPS.index("typecheck"), {"name": "stamp",
                                                     "options": {"field": "JobTitle", "value": "Engineer"}})
    return draft


def test_an_installed_plugin_is_used_like_built_in_parts(client, admin, source_key, installed):
    assert {"stamp"} <= set(registry.steps()) and "Stamp.Phone" in registry.coercers()
    field = client.post("/api/v1/entities/Contact/fields", headers=admin,
                        json={"code": "Phone", "net_type": "Stamp.Phone"})
    assert field.status_code == 201
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    saved = client.put(f"/api/v1/processes/{process}/definition", headers=admin, json=with_plugins(
        [{"name": "Loud", "actions": [{"action": "shout", "field": "Name"}]}]))
    assert saved.status_code == 201, saved.json

    answer = client.post(f"/webhooks/{source_key}", json={
        "EntityName": "Contact", "Name": "Ada", "Phone": "+1 (617) 221-5187"}).json
    assert answer["status"] == "processed", answer
    assert Record.get_by_id(answer["records"][0]).data == {
        "Name": "ADA!", "Phone": "+16172215187", "JobTitle": "Engineer", "Id": answer["records"][0]}

    bad = client.post(f"/webhooks/{source_key}", json={"EntityName": "Contact", "Name": "A", "Phone": "12"})
    assert bad.json["errors"] == [{"field": "Phone", "value": "12", "message": "Not a valid phone number."}]


def test_a_plugin_validates_its_own_options(client, admin, installed):
    draft = with_plugins([{"name": "Loud", "actions": [{"action": "shout"}]}])
    draft["steps"][3]["options"] = {"field": "JobTitle", "colour": "red"}
    r = client.post("/api/v1/processes/dry-run", headers=admin, json={"definition": draft, "payload": {}})
    assert r.status_code == 400
    assert r.json["errors"] == [
        {"field": "definition.steps.3.options.value", "message": "Missing data for required field."},
        {"field": "definition.steps.3.options.colour", "message": "Unknown field."},
        {"field": "definition.rules.0.actions.0.field", "message": "Missing data for required field."}]


def test_without_the_plugin_its_parts_are_unknown(client, admin):
    r = client.post("/api/v1/entities/Contact/fields", headers=admin,
                    json={"code": "Phone", "net_type": "Stamp.Phone"})
    assert r.status_code == 400
    assert r.json["message"] == ("net_type: Must be one of: System.Guid, System.String, System.Int32, "
                                 "System.Decimal, System.Boolean, System.DateTime, System.Date.")
    r = client.post("/api/v1/processes/dry-run", headers=admin,
                    json={"definition": with_plugins(), "payload": {}})
    assert r.json["message"] == ("definition.steps.3.name: Unknown step 'stamp'; use one of: create, "
                                 "dedupe, map, parse, resolve, rules, typecheck.")


class Tag:
    """A rule action given by dotted path in the configuration."""

    class Schema(Schema):
        text = fields.String(required=True)

    def __init__(self, options):
        self.text = options["text"]

    def run(self, ctx, rule):
        ctx.values["Commentary"] = self.text
        return {"tagged": self.text}


def test_configuration_adds_parts_by_dotted_path(app, client, admin, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "PLUGINS", {"actions": {
        "tag": "tests.core.test_plugins:Tag",
        "missing": "tests.nowhere:Thing",
        "wrong": "tests.core.test_plugins:with_plugins"}})
    monkeypatch.delitem(app.extensions, registry.EXTENSION, raising=False)
    with caplog.at_level(logging.ERROR, logger="core.plugins"):
        actions = registry.actions()
    assert "tag" in actions and "missing" not in actions and "wrong" not in actions
    assert [r.getMessage() for r in caplog.records] == [
        "plugin hookhub.actions 'missing' (tests.nowhere:Thing) could not be loaded; it is left out",
        "plugin hookhub.actions 'wrong' (tests.core.test_plugins:with_plugins) is not a class "
        "with a Schema and run(ctx, rule); it is left out"]
    r = client.post("/api/v1/processes/dry-run", headers=admin, json={
        "definition": definition(rules=[{"name": "t", "actions": [{"action": "tag", "text": "vip"}]}]),
        "payload": {"EntityName": "Lead"}})
    assert r.json["records"][0]["data"]["Commentary"] == "vip"
