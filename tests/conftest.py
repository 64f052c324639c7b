"""Markers by directory: each test gets the marker of the directory it lives in, so that no
test file has to name one and `-m` can pick a kind of test (pytest.ini lists them).

    python -m pytest -m "unit or service" -q      # the fast loop (tests/unit, tests/service)
    python -m pytest -m "not slow" -q             # the same plus tests/integration
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# Directory under tests/ -> its markers. "slow": starts real servers, browsers or processes.
MARKERS = {
    "unit": ("unit",),
    "service": ("service",),
    "integration": ("integration",),
    "e2e": ("browser", "slow"),
    "abuse": ("abuse", "slow"),
    "faults": ("faults", "slow"),
    "cluster": ("cluster", "slow"),
    "bench": ("bench", "slow"),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            part = Path(str(item.path)).resolve().relative_to(HERE).parts[0]
        except (ValueError, IndexError):
            continue
        for name in MARKERS.get(part, ()):
            item.add_marker(getattr(pytest.mark, name))
