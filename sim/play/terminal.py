"""Play in the terminal: the briefing, then one question per decision, every quarter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.play.briefing import render_briefing
from sim.play.decisions import (
    ALL_FIELDS,
    FIELDS,
    FREE_RETURNS_RULE,
    NO_ACQUISITION,
    OPTIONAL_FIELDS,
    SAME_PRICE,
    SeatDecision,
    parse_value,
    price_note,
)

COMMANDS = ("help", "undo", "save", "quit", "keep")

HELP = """\
Each quarter you set your firm's decisions; press Enter to keep the value in [brackets].
Spends are $ per week and hold until you change them; the payout is a dividend paid
once, this quarter (capped by your cash). Type plain numbers: 34.5, not 34,5. Decisions:
{fields}
{optional}Commands at any question:
  help  this text           keep  keep every remaining value and play the quarter
  undo  take back the last quarter      save  write the game so far (resume later)
  quit  save and stop
Money entries accept 1200, 1,200 or $1200."""


class EndOfGame(Exception):
    """The player asked to quit."""


def help_text(rules=None) -> str:
    """The help shown by ``help`` (with the optional decisions the game has)."""
    names = () if rules is None else rules.names
    shown = FIELDS + tuple(f for f in OPTIONAL_FIELDS if f.name in names)
    width = max(len(f.name) for f in shown) + 1
    fields = "\n".join(f"  {f.name:<{width}} {f.unit:<14} {f.meaning}" for f in shown)
    return HELP.format(fields=fields, optional=OPTIONAL_HELP if names else "")


OPTIONAL_HELP = f"""\
platform_price: {SAME_PRICE!r} lists at your direct price; acquire: {NO_ACQUISITION!r} buys
nothing (an acquisition is asked for one quarter only).
"""


def default_text(name: str, value) -> str:
    """A value as the terminal offers it in [brackets] (and the browser form pre-fills)."""
    if name == "channels":
        return ", ".join(value)
    if name == "platform_price" and value is None:
        return SAME_PRICE
    if name == "acquire":
        return NO_ACQUISITION if value is None else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("price", "platform_price"):
        return f"{value:.2f}"
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


def ask_decision(
    briefing, channel_names, ask: Callable[[str], str], say: Callable[[str], None]
) -> SeatDecision | str:
    """Ask for each decision in turn; return the decision or a command word.

    Every entry is checked; a wrong one is explained and asked again.
    """
    decision = briefing.defaults
    rules = briefing.rules
    names = [f.name for f in FIELDS if f.name != "channels"]
    if channel_names is not None and briefing.channels_open:
        names.append("channels")
    names += rules.names
    units = {f.name: f.unit for f in ALL_FIELDS}
    entries: dict[str, Any] = {}
    for name in names:
        default = getattr(decision, name)
        while True:
            raw = ask(f"{name} ({units[name]}) [{default_text(name, default)}]: ").strip()
            word = raw.lower()
            if word in ("help", "?"):
                say(help_text(rules))
                continue
            if word in ("undo", "save", "quit"):
                return word
            if word == "keep":
                problem = decision.with_entries(entries).problem
                if problem is None:
                    return decision.with_entries(entries)
                say(f"  ! {problem}. Answer free_returns: no, or set guarantee: yes first.")
                continue
            try:
                value = default if raw == "" else parse_value(name, raw, channel_names, rules)
            except ValueError as exc:
                say(f"  ! {exc}. Try again (or type help).")
                continue
            guarantee = entries.get("guarantee", decision.guarantee)
            if name == "free_returns" and value and not guarantee:
                say(f"  ! {FREE_RETURNS_RULE}. Try again (or type help).")
                continue
            if raw == "":
                break
            entries[name] = value
            priced = name in ("price", "platform_price") and entries[name] is not None
            note = price_note(entries[name], briefing.unit_cost) if priced else None
            if note:
                say(f"  note: {note}")
            break
    return decision.with_entries(entries)


def save_game_so_far(game, path: Path) -> Path:
    """Write the decisions so far (a decision file with the game's settings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(game.decision_log(), encoding="utf-8")
    return path


def play_in_terminal(
    game,
    save_path: Path,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] | None = None,
) -> bool:
    """Play the game's remaining quarters with a person at the keyboard.

    Args:
        game: a started :class:`~sim.play.engine.Game`.
        save_path: where ``save`` and ``quit`` write the game so far.
        ask: reads one answer (default ``input``; tests pass scripted answers).
        say: shows text (default ``print``).

    Returns:
        True if the game reached its end, False if the player quit.
    """
    ask = input if ask is None else ask
    say = print if say is None else say
    say("Type help at any question for the decisions and commands.")
    while game.briefing is not None:
        briefing = game.briefing
        say(render_briefing(briefing))
        try:
            answer = ask_decision(briefing, game.channel_names, ask, say)
        except (EOFError, KeyboardInterrupt):
            answer = "quit"
        if answer == "undo":
            try:
                game.undo()
                say("Took back the last quarter; it is yours to decide again.")
            except ValueError as exc:
                say(f"  ! {exc}")
            continue
        if answer in ("save", "quit"):
            save_game_so_far(game, save_path)
            resume = f"flywheel play {game.base.name} --resume {save_path}"
            say(f"Saved {len(game.log)} quarters to {save_path}; resume with: {resume}")
            if answer == "quit":
                game.abandon()
                return False
            continue
        game.submit(answer)
    return True
