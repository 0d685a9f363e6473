"""A player's decisions: their names, units and rules, and decision files.

A decision file is a YAML mapping with ``quarters:``, a list with one mapping of decision
names to values per decision quarter::

    quarters:
      - {price: 38, experience: 2000, marketing: 500}
      - {}                       # keeps the previous quarter's decisions
      - {price: 36, payout: 0}

A name missing from a quarter keeps its previous value (but a payout is paid once, in
the quarter that names it), and a quarter missing at the end keeps the previous
quarter's decisions, so ``quarters: []`` plays the seat's starting decisions throughout.
Numbers are typed plainly (:func:`sim.play.rules.plain_number`): ``34,5`` is an error,
not 345. An optional ``game:`` mapping records the scenario, seed, seat and
steps a log was played with (every game's log carries it).

Where the scenario switches a mechanic on, the player decides it too (:class:`SeatRules`):
``spend_research`` (research with noise), ``platform_price``, ``direct_incentive`` and
``loyalty_rebate`` (channel defences), ``acquire`` (acquisitions: a rival's name, or
``none``; a one-off that does not carry over to the next quarter), ``guarantee``,
``free_returns``, ``try_on``, ``reviews`` (yes/no) and ``referral_reward`` (trust before
buying). A scenario without the mechanic rejects the name with a message saying so.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.play.rules import plain_number
from sim.scenario import InputError, Problem
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml
from sim.strategies.base import MAX_DECISION_DOLLARS

MONEY_FIELDS = ("experience", "selection", "efficiency", "marketing", "innovation", "payout")
GAME_KEYS = ("scenario", "seed", "seat", "steps")
SAME_PRICE = "same"
NO_ACQUISITION = "none"


@dataclass(frozen=True)
class DecisionField:
    """One decision a player makes each quarter."""

    name: str
    unit: str
    meaning: str


FIELDS: tuple[DecisionField, ...] = (
    DecisionField("price", "$ per unit", "the posted price, above zero"),
    DecisionField(
        "experience", "$ per week", "spend on customer experience (service, delivery, quality)"
    ),
    DecisionField("selection", "$ per week", "spend on assortment breadth"),
    DecisionField("efficiency", "$ per week", "spend on process efficiency (lowers unit cost)"),
    DecisionField("marketing", "$ per week", "spend on marketing contacts (buys awareness)"),
    DecisionField("innovation", "$ per week", "spend on experiments (most fail, a few win big)"),
    DecisionField(
        "payout", "$, once", "dividend paid to shareholders this quarter only (capped by cash)"
    ),
    DecisionField(
        "channels",
        "list",
        "where to sell: direct and/or platforms, e.g. direct, Marketplace (reviewed once a year)",
    ),
)
OPTIONAL_FIELDS: tuple[DecisionField, ...] = (
    DecisionField(
        "spend_research",
        "$ per week",
        "spend on surveys: more respondents, more precise research next quarter",
    ),
    DecisionField(
        "platform_price",
        "$ per unit",
        "the price asked on platforms, above zero, or 'same' for the direct price",
    ),
    DecisionField(
        "direct_incentive", "$ per unit", "value given to every buyer who buys direct (a perk)"
    ),
    DecisionField(
        "loyalty_rebate",
        "$ per unit",
        "returned to loyalty members per unit bought direct (0: no programme)",
    ),
    DecisionField(
        "acquire", "rival", "buy a rival now at its asking price, or 'none' (this quarter only)"
    ),
    DecisionField(
        "guarantee", "yes/no", "a money-back trial: a disappointed buyer returns for a refund"
    ),
    DecisionField(
        "free_returns", "yes/no", "you pay the collection of returned units (needs guarantee)"
    ),
    DecisionField("try_on", "yes/no", "home try-on: an unsure shopper sees before buying"),
    DecisionField("reviews", "yes/no", "publish your buyers' reviews"),
    DecisionField(
        "referral_reward", "$ per customer", "paid per new customer a customer refers (0: none)"
    ),
)
TRUST_SWITCHES = ("guarantee", "free_returns", "try_on", "reviews")
TRIAL = ("guarantee", "free_returns")
YES = ("yes", "y", "true", "on", "1")
NO = ("no", "n", "false", "off", "0")
MECHANIC_OF = {
    "spend_research": "research",
    "platform_price": "defences",
    "direct_incentive": "defences",
    "loyalty_rebate": "defences",
    "acquire": "acquisition",
    "guarantee": "trust",
    "free_returns": "trust",
    "try_on": "trust",
    "reviews": "trust",
    "referral_reward": "trust",
}
SWITCH_OF = {
    "research": "research with noise is off (research.enabled)",
    "defences": "channel defences are off for this firm (defences.enabled)",
    "acquisition": "acquisitions are off (acquisition.enabled)",
    "trust": "trust before buying is off (trust.enabled)",
}
FREE_RETURNS_RULE = "free_returns needs guarantee: yes (without a trial nothing is returned)"
FIELD_NAMES = tuple(f.name for f in FIELDS)
ALL_FIELDS = FIELDS + OPTIONAL_FIELDS
ALL_NAMES = tuple(f.name for f in ALL_FIELDS)


@dataclass(frozen=True)
class SeatRules:
    """Which optional decisions a seat has, and what an acquisition may name now.

    Attributes:
        research: research with noise is on (``spend_research``).
        defences: channel defences are on for the seat (``platform_price``,
            ``direct_incentive``, ``loyalty_rebate``).
        acquisition: acquisitions are on (``acquire``).
        trust: trust before buying is on (``guarantee``, ``free_returns``, ``try_on``,
            ``reviews``, ``referral_reward``).
        rivals: the other firms' names at the start (what ``acquire`` may name in a
            decision file).
        entrants: firms may enter during the game (a decision file may then name any
            firm but the seat; the model refuses a name that is not a live rival).
        asking_prices: in a briefing, each live rival's asking price ($; None: cannot
            be bought now); None when not known (a decision file read before the game).
        budget: in a briefing, the most the seat can pay for an acquisition now ($).
    """

    research: bool = False
    defences: bool = False
    acquisition: bool = False
    trust: bool = False
    rivals: tuple[str, ...] = ()
    entrants: bool = False
    asking_prices: dict[str, float | None] | None = None
    budget: float | None = None

    def allows(self, name: str) -> bool:
        """Whether the decision ``name`` is the seat's in this game."""
        mechanic = MECHANIC_OF.get(name)
        return mechanic is None or bool(getattr(self, mechanic))

    @property
    def names(self) -> tuple[str, ...]:
        """The optional decisions the seat has, in form order."""
        return tuple(f.name for f in OPTIONAL_FIELDS if self.allows(f.name))


NO_RULES = SeatRules()


@dataclass(frozen=True)
class SeatDecision:
    """Everything a player decides for one quarter (spends are weekly rates).

    ``marketing`` None keeps the marketing spend in force (a class game's form has no
    marketing).
    """

    price: float
    experience: float = 0.0
    selection: float = 0.0
    efficiency: float = 0.0
    marketing: float | None = 0.0
    innovation: float = 0.0
    payout: float = 0.0
    channels: tuple[str, ...] | None = None
    spend_research: float = 0.0
    platform_price: float | None = None
    direct_incentive: float = 0.0
    loyalty_rebate: float = 0.0
    acquire: str | None = None
    guarantee: bool = False
    free_returns: bool = False
    try_on: bool = False
    reviews: bool = False
    referral_reward: float = 0.0

    @property
    def problem(self) -> str | None:
        """What is wrong with the decisions taken together (None: nothing)."""
        if self.free_returns and not self.guarantee:
            return FREE_RETURNS_RULE
        return None

    def with_entries(self, entries: dict[str, Any]) -> SeatDecision:
        """This decision with some entries replaced (already validated values)."""
        return dataclasses.replace(self, **entries)

    def as_entries(self) -> dict[str, Any]:
        """Every entry as a plain mapping (the form a decision file holds)."""
        entries: dict[str, Any] = {"price": self.price}
        entries.update({name: getattr(self, name) for name in MONEY_FIELDS})
        if self.channels is not None:
            entries["channels"] = list(self.channels)
        if self.spend_research:
            entries["spend_research"] = self.spend_research
        if self.platform_price is not None:
            entries["platform_price"] = self.platform_price
        for name in ("direct_incentive", "loyalty_rebate", *TRUST_SWITCHES, "referral_reward"):
            if getattr(self, name):
                entries[name] = getattr(self, name)
        if self.acquire is not None:
            entries["acquire"] = self.acquire
        return entries

    def entries_for(self, rules: SeatRules) -> dict[str, Any]:
        """Every entry, the optional decisions the seat has included (a whole log quarter).

        Optional decisions of a mechanic that is off are left out, so a game without the
        new mechanics logs exactly what it logged before them.
        """
        entries = {name: value for name, value in self.as_entries().items() if name in FIELD_NAMES}
        for name in rules.names:
            value = getattr(self, name)
            if name == "platform_price":
                value = SAME_PRICE if value is None else value
            elif name == "acquire":
                value = NO_ACQUISITION if value is None else value
            entries[name] = value
        return entries

    def values(self) -> dict[str, Any]:
        """Every field's parsed value (entries that rebuild this decision exactly)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def next_quarter(self) -> SeatDecision:
        """The decision carried into the next quarter: no payout, no acquisition (one-offs)."""
        if self.acquire is None and not self.payout:
            return self
        return dataclasses.replace(self, acquire=None, payout=0.0)


def parse_value(
    name: str,
    raw: Any,
    channel_names: tuple[str, ...] | None = None,
    rules: SeatRules | None = None,
) -> Any:
    """Check one entry and return its value.

    Args:
        name: the decision name (one of ``ALL_NAMES``).
        raw: the value typed or read from a file (text, number or list).
        channel_names: channels the player may choose (None: channels cannot be chosen).
        rules: the optional decisions the seat has (None: none of them).

    Returns:
        A float; a tuple of channel names for ``channels``; None or a float for
        ``platform_price``; None or a rival's name for ``acquire``.

    Raises:
        ValueError: with a message saying what is wrong and what is expected.
    """
    rules = NO_RULES if rules is None else rules
    known = FIELD_NAMES + rules.names
    if name not in ALL_NAMES:
        hint = difflib.get_close_matches(name, known, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ValueError(f"unknown decision {name!r}{extra}; known: {', '.join(known)}")
    if not rules.allows(name):
        raise ValueError(f"{name} is not a decision in this game: {SWITCH_OF[MECHANIC_OF[name]]}")
    if name == "channels":
        return _parse_channels(raw, channel_names)
    if name == "acquire":
        return _parse_acquire(raw, rules)
    if name == "platform_price" and isinstance(raw, str) and raw.strip().lower() == SAME_PRICE:
        return None
    if name in TRUST_SWITCHES:
        return _parse_yes_no(name, raw)
    unit = next(f.unit for f in ALL_FIELDS if f.name == name)
    try:
        value = plain_number(name, raw)
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[1]
        if reason.startswith("must be"):
            raise ValueError(f"{name} {reason} ({unit})") from None
        raise ValueError(f"{name} must be a number ({unit}): {reason}") from None
    if name == "price" and value <= 0:
        raise ValueError("price must be above 0 ($ per unit)")
    if name == "platform_price" and value <= 0:
        raise ValueError(
            f"platform_price must be above 0 ($ per unit), or {SAME_PRICE!r} for the direct price"
        )
    if value < 0:
        raise ValueError(f"{name} cannot be negative ({unit}); use 0 to spend nothing")
    if value > MAX_DECISION_DOLLARS:
        raise ValueError(f"{name} must be at most ${MAX_DECISION_DOLLARS:,.0f} ({unit})")
    return value


def price_note(price: float, unit_cost: float) -> str | None:
    """A warning (not an error) for a price below unit cost, or None."""
    if price < unit_cost:
        return f"below your unit cost (${unit_cost:,.2f}): every unit sold loses money."
    return None


def check_entries(
    raw: dict[str, Any],
    channel_names: tuple[str, ...] | None = None,
    channels_open: bool = True,
    rules: SeatRules | None = None,
    defaults: SeatDecision | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a whole form of entries at once (a browser's decision form).

    A blank entry keeps the value in force, as Enter does in the terminal. Each message
    is the one the terminal shows for that entry.

    Args:
        raw: decision name -> the value typed.
        channel_names: channels the player may choose (None: channels cannot be chosen).
        channels_open: whether channels may be changed this quarter (the yearly review).
        rules: the optional decisions the seat has now (None: none of them).
        defaults: the decisions in force (to check the entries taken together with them).

    Returns:
        The valid entries (parsed) and a message per invalid entry, by name.
    """
    entries: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in raw.items():
        name = str(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "channels" and channel_names is not None and not channels_open:
            problems[name] = "channels can be changed only at the yearly review"
            continue
        try:
            entries[name] = parse_value(name, value, channel_names, rules)
        except ValueError as exc:
            problems[name] = str(exc)
    if defaults is not None and not problems:
        problem = defaults.with_entries(entries).problem
        if problem:
            problems["free_returns"] = problem
    return entries, problems


def _parse_yes_no(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(f"{name} must be yes or no")


def _parse_acquire(raw: Any, rules: SeatRules) -> str | None:
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str):
        raise ValueError(f"acquire must be a rival's name or {NO_ACQUISITION!r}")
    text = raw.strip()
    if text.lower() == NO_ACQUISITION:
        return None
    names = tuple(rules.asking_prices) if rules.asking_prices is not None else rules.rivals
    by_lower = {name.lower(): name for name in names}
    found = by_lower.get(text.lower())
    if found is None and rules.asking_prices is None and rules.entrants:
        return text
    if found is None:
        hint = difflib.get_close_matches(text, names, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        choices = ", ".join(names) if names else "no rival is left"
        raise ValueError(
            f"no live rival named {text!r}{extra}; choose from {choices}, or {NO_ACQUISITION!r}"
        )
    if rules.asking_prices is None:
        return found
    price = rules.asking_prices[found]
    if price is None:
        raise ValueError(f"{found} cannot be bought now (it is not for sale to you)")
    if rules.budget is not None and price > rules.budget:
        raise ValueError(
            f"{found} asks ${price:,.0f} and you can pay at most ${rules.budget:,.0f} "
            "(cash, credit and shares)"
        )
    return found


def _parse_channels(raw: Any, channel_names: tuple[str, ...] | None) -> tuple[str, ...]:
    if channel_names is None:
        raise ValueError("channels cannot be chosen in this game (no platforms, or fixed)")
    if isinstance(raw, str):
        items = [part.strip() for part in raw.replace("+", ",").split(",")]
    elif isinstance(raw, (list, tuple)):
        items = [str(part).strip() for part in raw]
    else:
        raise ValueError("channels must be a list of channel names, e.g. direct, Marketplace")
    items = [item for item in items if item]
    if not items:
        raise ValueError("choose at least one channel: " + ", ".join(channel_names))
    by_lower = {name.lower(): name for name in channel_names}
    chosen = []
    for item in items:
        found = by_lower.get(item.lower())
        if found is None:
            hint = difflib.get_close_matches(item, channel_names, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(
                f"unknown channel {item!r}{extra}; choose from {', '.join(channel_names)}"
            )
        if found not in chosen:
            chosen.append(found)
    return tuple(sorted(chosen, key=channel_names.index))


@dataclass(frozen=True)
class DecisionFile:
    """A decision file's content: quarter entries and the game it was played in."""

    quarters: tuple[dict[str, Any], ...]
    game: dict[str, Any]


def read_decision_file(
    path: str | os.PathLike,
    channel_names: tuple[str, ...] | None = None,
    max_quarters: int | None = None,
    rules: SeatRules | None = None,
    check_quarters: bool = True,
) -> DecisionFile:
    """Read and check a decision file; every problem is reported at once.

    Args:
        path: the YAML file.
        channel_names: channels the seat may choose (None: no ``channels`` entries allowed).
        max_quarters: decision quarters in the game (more entries are a problem).
        rules: the optional decisions the seat has (None: none of them).
        check_quarters: check each quarter's entries (False: only the file's shape and
            ``game:``, to learn the game before its channels and rules are known).

    Returns:
        The validated entries (values parsed) and the ``game`` mapping.

    Raises:
        InputError: listing every problem (file, path, value, rule).
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(file, "", str(path), f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(file, "", "(bytes)", "not a UTF-8 text file")]) from None
    return parse_decision_text(text, file, channel_names, max_quarters, rules, check_quarters)


def parse_decision_text(
    text: str,
    file: str = "<decisions>",
    channel_names: tuple[str, ...] | None = None,
    max_quarters: int | None = None,
    rules: SeatRules | None = None,
    check_quarters: bool = True,
) -> DecisionFile:
    """Check a decision file's text (see :func:`read_decision_file`).

    Args:
        text: the YAML text.
        file: the name problems are reported under.
        channel_names: channels the seat may choose (None: no ``channels`` entries allowed).
        max_quarters: decision quarters in the game (more entries are a problem).
        rules: the optional decisions the seat has (None: none of them).
        check_quarters: check each quarter's entries (see :func:`read_decision_file`).

    Raises:
        InputError: listing every problem.
    """
    try:
        data = load_yaml(text)
    except UnsafeYaml as exc:
        problems = [Problem(file, i.path, i.value, i.rule) for i in exc.issues]
        raise InputError(problems) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, "", "(YAML)", f"not valid YAML: {exc}")]) from None
    problems = []
    if not isinstance(data, dict):
        rule = "a decision file is a mapping with quarters: [...]"
        raise InputError([Problem(file, "", type(data).__name__, rule)])
    for key in data:
        if key not in ("quarters", "game"):
            hint = difflib.get_close_matches(str(key), ["quarters", "game"], n=1)
            rule = "unknown key; a decision file has quarters: and optionally game:"
            problems.append(
                Problem(
                    file, str(key), key, rule + (f" (did you mean {hint[0]!r}?)" if hint else "")
                )
            )
    quarters = data.get("quarters")
    entries: list[dict[str, Any]] = []
    if "quarters" not in data:
        problems.append(
            Problem(file, "quarters", None, "required: a list, one mapping per quarter")
        )
    elif not isinstance(quarters, list):
        problems.append(Problem(file, "quarters", quarters, "must be a list of mappings"))
    else:
        if max_quarters is not None and len(quarters) > max_quarters:
            rule = f"the game has {max_quarters} decision quarters; remove the extra entries"
            problems.append(Problem(file, "quarters", len(quarters), rule))
        trial: dict[str, bool] = {}  # guarantee and free returns in force (none at start)
        for index, quarter in enumerate(quarters):
            where = f"quarters.{index}"
            if quarter is None:
                quarter = {}
            if not isinstance(quarter, dict):
                problems.append(Problem(file, where, quarter, "must be a mapping of decisions"))
                entries.append({})
                continue
            parsed = {}
            for name, raw in quarter.items() if check_quarters else ():
                try:
                    parsed[str(name)] = parse_value(str(name), raw, channel_names, rules)
                except ValueError as exc:
                    problems.append(Problem(file, f"{where}.{name}", raw, str(exc)))
            trial = {name: parsed.get(name, trial.get(name, False)) for name in TRIAL}
            if trial["free_returns"] and not trial["guarantee"]:
                value = quarter.get("free_returns", "(kept from before)")
                problems.append(Problem(file, f"{where}.free_returns", value, FREE_RETURNS_RULE))
            entries.append(parsed)
    game = data.get("game", {})
    if game is None:
        game = {}
    if not isinstance(game, dict):
        problems.append(Problem(file, "game", game, "must be a mapping"))
        game = {}
    for key in game:
        if key not in GAME_KEYS:
            rule = f"unknown key; game: may hold {', '.join(GAME_KEYS)}"
            problems.append(Problem(file, f"game.{key}", game[key], rule))
    if problems:
        raise InputError(problems)
    return DecisionFile(tuple(entries), dict(game))


def dump_decision_file(
    decisions: list[SeatDecision], game: dict[str, Any], rules: SeatRules | None = None
) -> str:
    """The decision log of a game as YAML (a decision file that replays it).

    Args:
        decisions: one decision per quarter played, in order.
        game: scenario, seed, seat and steps of the game.
        rules: the optional decisions the seat has (logged every quarter).

    Returns:
        The YAML text.
    """
    document = {
        "game": {key: game[key] for key in GAME_KEYS if key in game},
        "quarters": [decision.entries_for(rules or NO_RULES) for decision in decisions],
    }
    header = "# Decision log: replay with `flywheel play SCENARIO --decisions THIS_FILE`\n"
    return header + yaml.safe_dump(document, sort_keys=False, default_flow_style=None)
