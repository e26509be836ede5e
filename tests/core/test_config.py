"""Configuration: every key of the defaults is in README's table."""

from __future__ import annotations

import pathlib
import re

from core.config import DEFAULTS

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def readme_keys() -> set[str]:
    """The keys README's configuration table names (first column)."""
    text = README.read_text()
    table = text[text.index("| key | default | meaning |"):]
    rows = table[:table.index("\n\n")].splitlines()[2:]
    return {key for row in rows for key in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_readme_lists_every_configuration_key():
    assert sorted(set(DEFAULTS) - readme_keys()) == []

