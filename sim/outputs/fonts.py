"""Names in figures: drawn with whatever installed font has their characters.

Firm, platform and scenario names may be in any script. Matplotlib draws with one font
family by default (DejaVu Sans) and warns once per missing character and figure, dozens
of times a run. Here the installed fonts' character maps are read once; the figures use
DejaVu Sans with, as fallbacks, the installed families that cover the names'
characters; a character no installed font has is drawn as a white square, and one
warning per run says which names are affected and what to install.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings
from collections.abc import Iterable, Iterator

import pandas as pd

PRIMARY = "DejaVu Sans"
MISSING = "\u25a1"  # WHITE SQUARE, in DejaVu Sans
PLACEHOLDER_FONTS = ("Last Resort",)  # boxes with code points for every character
NAME_COLUMNS = ("name", "owner", "platform", "firm", "strategy")


class MissingGlyphWarning(UserWarning):
    """Some names have characters that no installed font can draw."""


@functools.cache
def _coverage() -> tuple[tuple[str, frozenset[int]], ...]:
    """Installed font families with the characters each covers, DejaVu Sans first."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    found: dict[str, set[int]] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name.startswith(PLACEHOLDER_FONTS):
            continue
        try:
            charmap = FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        found.setdefault(entry.name, set()).update(charmap)
    ordered = sorted(found.items(), key=lambda item: (item[0] != PRIMARY, item[0]))
    return tuple((name, frozenset(codes)) for name, codes in ordered)


def drawable(character: str) -> bool:
    """Whether an installed font has ``character`` (whitespace always counts)."""
    return character.isspace() or any(ord(character) in codes for _, codes in _coverage())


def families_for(texts: Iterable[str]) -> list[str]:
    """DejaVu Sans, then the installed families needed for the characters of ``texts``."""
    needed = {ord(c) for text in texts for c in text if not c.isspace()}
    families = [PRIMARY]
    coverage = dict(_coverage())
    needed -= coverage.get(PRIMARY, frozenset())
    for name, codes in _coverage():
        if needed & codes and name not in families:
            families.append(name)
            needed -= codes
    return families


def shown(text: str) -> str:
    """``text`` with each character no installed font has replaced by a white square."""
    return "".join(c if drawable(c) else MISSING for c in text)


def _textual(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)


def _texts(result) -> list[str]:
    texts = [str(result.scenario.name)]
    for table in result.all_tables().values():
        for column in NAME_COLUMNS:
            if column in table.columns and _textual(table[column]):
                texts += [str(v) for v in pd.unique(table[column].dropna())]
    return texts


def _replace_names(table: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    changed = {
        column: table[column].map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)
        for column in NAME_COLUMNS
        if column in table.columns and _textual(table[column])
    }
    return table.assign(**changed) if changed else table


@contextlib.contextmanager
def drawable_names(result) -> Iterator[tuple[object, dict[str, str]]]:
    """Figures of ``result`` with every name drawable.

    Inside the block the font fallbacks are set and matplotlib's own missing-glyph
    warnings are silenced; names with characters no font has are shown with white
    squares in the yielded result, and one :class:`MissingGlyphWarning` lists them.

    Yields:
        ``(result_to_draw, renamed)``: the result with names replaced where needed, and
        the replacements ``{name: shown}``.
    """
    import matplotlib as mpl

    texts = _texts(result)
    mapping = {text: shown(text) for text in set(texts)}
    mapping = {text: new for text, new in mapping.items() if new != text}
    if mapping:
        names = ", ".join(sorted(mapping)[:5]) + (" ..." if len(mapping) > 5 else "")
        warnings.warn(
            f"no installed font can draw some characters of {names}; the figures show them "
            f"as {MISSING}. Install a font that has them (e.g. Noto Sans CJK, Noto Color "
            "Emoji) to see them.",
            MissingGlyphWarning,
            stacklevel=3,
        )
        tables = {key: _replace_names(t, mapping) for key, t in result.tables.items()}
        result = dataclasses.replace(
            result,
            firms=_replace_names(result.firms, mapping),
            model=result.model,
            tables=tables,
        )
    families = families_for(texts)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="Matplotlib currently does not support")
        with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": families}):
            yield result, mapping
