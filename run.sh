#!/usr/bin/env bash
# Install hookhub in .venv and run it on the embedded default (SQLite file + embedded Redis).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
exec .venv/bin/python app.py serve --demo "$@"
