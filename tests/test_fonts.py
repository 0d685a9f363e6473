"""Names in any script: figures draw them without a flood of missing-glyph warnings."""

import warnings

import sim
from sim.outputs.figures import save_figures
from sim.outputs.fonts import MISSING, MissingGlyphWarning, drawable, shown

NOWHERE = "\U0010fffd"  # a private-use code point: no font draws it


def test_characters_no_font_has_are_shown_as_squares():
    assert drawable("A") and drawable(" ")
    assert not drawable(NOWHERE)
    assert shown(f"Acme {NOWHERE}{NOWHERE}") == f"Acme {MISSING}{MISSING}"


def test_figures_warn_once_for_undrawable_names(tmp_path):
    scenario = {
        "name": f"unicode {NOWHERE}",
        "steps": 80,
        "consumers": {"count": 300},
        "firms": [
            {"name": f"Tokyo {NOWHERE}", "strategy": "customer_obsessed"},
            {"name": "Ελληνική", "strategy": "shareholder_focused"},
            {"name": f"{NOWHERE} Works", "strategy": "shareholder_focused"},
        ],
    }
    result = sim.run(scenario)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = save_figures(result, tmp_path)
    messages = [str(w.message) for w in caught]
    assert written and not [m for m in messages if "Glyph" in m]
    glyph_warnings = [w for w in caught if issubclass(w.category, MissingGlyphWarning)]
    assert len(glyph_warnings) == 1
    assert f"Tokyo {NOWHERE}" in str(glyph_warnings[0].message)
    assert "Ελληνική" not in str(glyph_warnings[0].message)  # Greek is drawable
    assert result.firms["name"].str.contains(NOWHERE).any()  # the result itself is untouched
