#!/usr/bin/env bash
# Refresh the translation catalogs after changing user-facing strings:
#   scripts/i18n.sh          extract strings, merge them into the catalogs, compile
# New or changed strings arrive in translations/zh/LC_MESSAGES/messages.po without a
# translation (or marked fuzzy): translate them, then run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m babel.messages.frontend -q extract -F babel.cfg -k _l -k both --no-location \
  --sort-output --omit-header -o translations/messages.pot .
"$PY" -m babel.messages.frontend -q update -i translations/messages.pot -d translations \
  --no-fuzzy-matching
"$PY" -m babel.messages.frontend -q compile -d translations
