"""A scenario's description told with the run's real length.

Descriptions name the length the scenario was written for ("ten years", "1999-2018",
"Thirty years of ..."); a run with ``--steps`` may be shorter or longer. The summary's
subtitle says what the run really covered.
"""

from __future__ import annotations

import math
import re

WEEKS_PER_YEAR = 52
NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
WORD_VALUE = {word: n for n, word in enumerate(NUMBER_WORDS)} | TENS
DURATION = re.compile(r"\b(\d+|[A-Za-z]+)([ -])years?\b")
YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-\u2013]\s*((?:19|20)\d\d)\b")


def length_words(weeks: int) -> str:
    """A run's length in words: "two years", "1.5 years", "30 weeks"."""
    if weeks < WEEKS_PER_YEAR:
        return f"{weeks} week" + ("" if weeks == 1 else "s")
    years = weeks / WEEKS_PER_YEAR
    if years == int(years):
        whole = int(years)
        word = NUMBER_WORDS[whole] if whole < len(NUMBER_WORDS) else str(whole)
        word = next((w for w, n in TENS.items() if n == whole), word)
        return word + (" year" if whole == 1 else " years")
    return f"{years:.1f} years"


def described_with_run_length(description: str, weeks: int, start_year: int | None) -> str:
    """The description with any length it names replaced by the run's real one.

    Args:
        description: the scenario's one-line description.
        weeks: weeks the run lasted.
        start_year: calendar year of week 0 (None: no calendar).

    Returns:
        The description; "N years" and "YYYY-YYYY" become the run's length and years.
    """

    def duration(match: re.Match) -> str:
        value = match.group(1)
        if not (value.isdigit() or value.lower() in WORD_VALUE):
            return match.group(0)
        words = length_words(weeks)
        if match.group(2) == "-":  # "ten-year": an adjective
            words = words.replace(" years", "-year").replace(" year", "-year")
            words = words.replace(" weeks", "-week").replace(" week", "-week")
        return words[0].upper() + words[1:] if value[0].isupper() else words

    text = DURATION.sub(duration, description)
    if start_year is not None:
        last = start_year + max(math.ceil(weeks / WEEKS_PER_YEAR), 1) - 1
        text = YEAR_RANGE.sub(f"{start_year}-{last}", text)
    return text
