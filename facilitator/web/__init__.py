"""The web edge: one blueprint per area (principle 3, docs/architecture.md: handlers stay
thin). `pages` (start, share, console, screen, phone), `outcome` (the report, its public link,
erasure) and `api` (JSON, under /api, with JSON errors); `common` holds what they share.
"""

from __future__ import annotations

from flask import Flask

from . import api, outcome, pages
from .common import http_budget, make_budgets

__all__ = ["api", "make_budgets", "outcome", "pages", "register"]

BLUEPRINTS = (pages.bp, outcome.bp, api.bp)
for _bp in BLUEPRINTS:
    # Every page and API request spends from its address's budget, before anything runs.
    _bp.before_request(http_budget)


def register(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
