"""Shared pytest setup: make the helper modules in tests/ importable.

``user_strategy`` must be importable by its dotted path ``user_strategy:FixedMarkup``
from inside ``sim`` (which resolves strategies with ``importlib``), whatever import
mode pytest runs in.
"""

import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))
