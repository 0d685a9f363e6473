"""A class game's debrief as one self-contained HTML file (``flywheel report CLASS_LOG``).

The page has the final standings by the game's rule with every rule's score and rank
beside it, who won by each rule, one section per seat a student played (its path
against the other firms of its market and against its ghosts, and the quarters where
its decisions departed most from theirs), and each market's flywheel, vitality and
channel figures. Figures are PNG images inlined as base64; the page names no outside
address, so it opens offline. The data come from :mod:`sim.reports.debrief`.
"""

from __future__ import annotations

import html
from pathlib import Path

from sim.classroom.scoring import RULES
from sim.outputs.folders import writable_problem
from sim.outputs.wording import dollars
from sim.reports.debrief import Debrief, SeatRecord, build_debrief, score_of, turning_points
from sim.reports.html import STYLE, _image, _png, write_atomically
from sim.scenario import InputError, Problem

MARKET_FIGURES = (
    ("market_share", "Unit shares"),
    ("flywheel_loop_gain", "The flywheel: loop gain"),
    ("flywheel_links", "The flywheel: each link"),
    ("vitality", "Vitality (Day 1 and Day 2)"),
    ("disintermediation", "Channels: purchases through platforms"),
    ("third_party_share", "Channels: third-party sellers' share"),
    ("platform_take_rate", "Channels: platform take rate"),
    ("connected_strategy", "Channels: connected strategy"),
)
GHOST_LABELS = {
    "customer_obsessed": "customer-obsessed ghost",
    "shareholder_focused": "shareholder-focused ghost",
}
UNITS = {"customers_served": "units", "mix": ""}


def score_text(value: float, rule: str) -> str:
    """A score as the class pages show it: dollars, units, or the mix's share."""
    if rule == "customers_served":
        return f"{value:,.0f} units"
    if rule == "mix":
        return f"{value:.2f}"
    return dollars(value)


def short_dollars(value: float) -> str:
    """An axis label in dollars: ``$35k``, ``-$1.2M``, ``$900``."""
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size >= 1e6:
        return f"{sign}${size / 1e6:.3g}M"
    if size >= 1e3:
        return f"{sign}${size / 1e3:.3g}k"
    return f"{sign}${size:.0f}"


def _cell(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def standings_table(debrief: Debrief) -> str:
    """Every firm at the end, ranked by the game's rule, every rule's score and rank."""
    heads = "".join(f"<th>{html.escape(label)} (rank)</th>" for label, _ in RULES.values())
    rows = []
    for row in debrief.standings:
        cells = [
            _cell(str(row["rank"])),
            _cell(str(row["market"])),
            _cell(row["firm"]),
            _cell(str(row["seat"] or "")),
            _cell(row["player"]),
            _cell(row["mindset"]),
            _cell("in" if row["alive"] else "left"),
        ]
        cells += [
            _cell(f"{score_text(row['scores'][name], name)} ({row['ranks'][name]})")
            for name in RULES
        ]
        style = ' class="student"' if row["seat"] is not None and row["player"] != "bot" else ""
        rows.append(f"<tr{style}>{''.join(cells)}</tr>")
    return (
        '<table id="standings"><tr><th>rank</th><th>market</th><th>firm</th><th>seat</th>'
        f"<th>played by</th><th>mindset</th><th>at the end</th>{heads}</tr>"
        f"{''.join(rows)}</table>"
    )


def winners(debrief: Debrief) -> str:
    """Who came first by each rule: the firm overall, and the best student seat."""
    items = []
    for name, (label, meaning) in RULES.items():
        ordered = sorted(debrief.standings, key=lambda row: row["ranks"][name])
        best = ordered[0]
        students = [row for row in ordered if row["player"] != "bot"]
        text = (
            f"<strong>{html.escape(label)}</strong> ({html.escape(meaning)}): "
            f"{html.escape(best['firm'])} in market {best['market']} "
            f"({html.escape(best['player'])}, {score_text(best['scores'][name], name)})"
        )
        if students and students[0] is not best:
            top = students[0]
            text += (
                f"; best student seat: {html.escape(top['player'])} with "
                f"{html.escape(top['firm'])} ({score_text(top['scores'][name], name)})"
            )
        chosen = " <em>(the game's rule)</em>" if name == debrief.rule else ""
        items.append(f"<li>{text}{chosen}</li>")
    return f"<ul id='winners'>{''.join(items)}</ul>"


def seat_figure(debrief: Debrief, seat: SeatRecord) -> bytes:
    """Two panels, the score by the game's rule and the price, per quarter.

    The seat in black, its ghosts dashed, the other firms of its market thin and grey.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from sim.outputs.figures import STRATEGY_COLOURS

    rule = debrief.rule
    market = debrief.markets[seat.market - 1]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, path in market.paths.items():
        if name == seat.firm:
            continue
        quarters = [row.quarter for row in path]
        left.plot(quarters, [score_of(row, rule) for row in path], color="#bbbbbb", lw=0.8)
        right.plot(quarters, [row.price for row in path], color="#bbbbbb", lw=0.8)
    for strategy, path in seat.ghosts.items():
        quarters = [row.quarter for row in path]
        colour = STRATEGY_COLOURS.get(strategy, "#009E73")
        label = GHOST_LABELS.get(strategy, strategy)
        left.plot(
            quarters, [score_of(r, rule) for r in path], "--", color=colour, lw=2, label=label
        )
        right.plot(quarters, [r.price for r in path], "--", color=colour, lw=2, label=label)
    quarters = [row.quarter for row in seat.path]
    who = seat.student or f"seat {seat.seat}"
    left.plot(quarters, [score_of(r, rule) for r in seat.path], color="black", lw=2.5, label=who)
    right.plot(quarters, [r.price for r in seat.path], color="black", lw=2.5, label=who)
    left.plot([], [], color="#bbbbbb", lw=0.8, label="other firms of the market")
    label = RULES["shareholder_value" if rule == "mix" else rule][0]
    left.set_title(f"{label} at each quarter's end")
    right.set_title("price at each quarter's end ($)")
    for ax in (left, right):
        ax.set_xlabel("quarter")
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if rule != "customers_served":
        left.yaxis.set_major_formatter(FuncFormatter(lambda value, _: short_dollars(value)))
    left.legend(fontsize=9, loc="best")
    fig.suptitle(f"Seat {seat.seat}: {seat.firm} (market {seat.market})", fontsize=11)
    data = _png(fig)
    plt.close(fig)
    return data


def turning_points_list(debrief: Debrief, seat: SeatRecord) -> str:
    """The quarters where the seat's price or spending departed most from a ghost's."""
    points = turning_points(seat, debrief.rule)
    if not points:
        return "<p>No quarter to compare (the firm left the market at once).</p>"
    label = RULES["shareholder_value" if debrief.rule == "mix" else debrief.rule][0]
    items = []
    for point in points:
        ghost = GHOST_LABELS.get(point.ghost, point.ghost)
        text = (
            f"Quarter {point.quarter}: price {dollars(point.price)} against the {ghost}'s "
            f"{dollars(point.ghost_price)}; spending {dollars(point.spend)} a week against "
            f"{dollars(point.ghost_spend)}. {label.capitalize()} gap (seat minus ghost) at "
            f"the quarter's end: {score_text(point.gap, debrief.rule)}"
        )
        if point.gap_next is not None:
            text += f"; a quarter later: {score_text(point.gap_next, debrief.rule)}"
        items.append(f"<li>{html.escape(text)}.</li>")
    return f"<ol class='turning'>{''.join(items)}</ol>"


def seat_section(debrief: Debrief, seat: SeatRecord) -> str:
    """A seat's section: its end against its ghosts and the best bot, figure, turning points.

    The best bot is the firm of the seat's market that no student played with the best
    score by the game's rule at the end.
    """
    rule = debrief.rule
    rows = [("the seat, as played", seat.path)] + [
        (GHOST_LABELS.get(name, name), path) for name, path in seat.ghosts.items()
    ]
    market = debrief.markets[seat.market - 1]
    bots = [
        (name, path)
        for name, path in market.paths.items()
        if path and market.players.get(name, "bot") == "bot" and name != seat.firm
    ]
    if bots:
        name, path = max(bots, key=lambda item: (score_of(item[1][-1], rule), item[0]))
        rows.append((f"the market's best bot ({name})", path))
    body = []
    for label, path in rows:
        last = path[-1]
        body.append(
            f"<tr>{_cell(label)}{_cell(score_text(score_of(last, rule), rule))}"
            f"{_cell(dollars(last.scores['cumulative_profit']))}"
            f"{_cell(f'{last.scores["customers_served"]:,.0f}')}"
            f"{_cell(dollars(last.cash))}{_cell('in' if last.alive else 'left')}</tr>"
        )
    label = RULES["shareholder_value" if rule == "mix" else rule][0]
    who = html.escape(seat.student or "nobody named")
    return (
        f"<section class='seat'><h3>Seat {seat.seat}: {who}, playing {html.escape(seat.firm)} "
        f"({html.escape(seat.mindset)}), market {seat.market}</h3>"
        f"<table><tr><th>at the end</th><th>{html.escape(label)}</th><th>cumulative profit</th>"
        f"<th>customers served</th><th>cash</th><th>in the market</th></tr>{''.join(body)}</table>"
        f"<figure>{_image(seat_figure(debrief, seat), f'Seat {seat.seat} against its ghosts')}"
        "<figcaption>Black: the seat as played. Dashed: the same firm run by each built-in "
        "strategy from the first week, with every other seat's decisions as logged and the "
        "same seed. Grey: the market's other firms.</figcaption></figure>"
        "<h4>Where the decisions made the difference</h4>"
        f"{turning_points_list(debrief, seat)}</section>"
    )


def market_section(debrief: Debrief, number: int) -> str:
    """A market's figures: unit shares, the flywheel, vitality, channels (those drawn)."""
    from sim.outputs.figures import draw_figures
    from sim.runs.runner import result_of

    record = debrief.markets[number]
    figures = draw_figures(result_of(record.model, 0.0))
    parts = [f"<h3>Market {number + 1}</h3>"]
    for name, title in MARKET_FIGURES:
        if name in figures:
            image = _image(_png(figures[name]), f"{title}, market {number + 1}")
            parts.append(f"<figure>{image}<figcaption>{html.escape(title)}</figcaption></figure>")
    missing = [title for name, title in MARKET_FIGURES if name not in figures]
    if missing:
        parts.append(
            "<p class='meta'>Not drawn for this scenario (not modelled or not measured in "
            f"it): {html.escape('; '.join(missing))}.</p>"
        )
    return "\n".join(parts)


def debrief_html(debrief: Debrief) -> str:
    """The whole debrief page."""
    label, meaning = RULES[debrief.rule]
    title = f"Class debrief: {debrief.scenario}"
    seed = "the scenario's" if debrief.seed is None else str(debrief.seed)
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>From the class log <code>{html.escape(debrief.source)}</code>: "
        f"{debrief.quarters} quarters, {len(debrief.markets)} market"
        f"{'s' if len(debrief.markets) > 1 else ''}, seed {seed}"
        + (f", {debrief.consumers:,} consumers" if debrief.consumers else "")
        + f". Scored by {html.escape(label)}: {html.escape(meaning)}.</p>",
        "<h2>Standings</h2>",
        "<p>Every firm at the end, ranked by the game's rule; each rule's score with the "
        "firm's rank by that rule among all firms of all markets (the markets share one "
        "seed). Rows of student seats are shaded.</p>",
        standings_table(debrief),
        "<h2>Who won by each rule</h2>",
        winners(debrief),
        "<h2>Each seat against the bots and its ghosts</h2>",
        "<p>A ghost is the same seat played by a built-in strategy: the class game's "
        "market replayed from the log with that seat's decisions replaced by the "
        "strategy's, same seed. The difference between a seat and its ghost is the "
        "student's decisions. Turning points are the quarters where the seat's price or "
        "weekly spending at the quarter's end departed most from a ghost's "
        "(|price gap| / ghost's price + |spending gap| / the larger spending).</p>",
    ]
    if not debrief.seats:
        parts.append("<p>No student held a seat in this game.</p>")
    parts += [seat_section(debrief, seat) for seat in debrief.seats]
    parts.append("<h2>The markets</h2>")
    parts += [market_section(debrief, number) for number in range(len(debrief.markets))]
    if debrief.events:
        items = "".join(
            f"<li>week {event.get('week')}: {html.escape(str(event.get('action')))}"
            + "".join(
                f", {html.escape(str(k))} {html.escape(str(v))}"
                for k, v in event.items()
                if k not in ("week", "action")
            )
            + "</li>"
            for event in debrief.events
        )
        parts.append(f"<h2>The instructor's actions</h2><ul>{items}</ul>")
    style = STYLE + "tr.student td { background: #eef4fb; } .seat { margin-bottom: 28px; }"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        "<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def write_debrief(log: str | Path, out: Path, workers: int | None = None) -> Path:
    """Replay ``log`` and write its debrief to ``out`` (through a temporary file).

    ``workers`` processes replay the ghosts (None: as many as pay off, see
    :func:`sim.reports.debrief.auto_workers`; the page is the same for any number).

    Raises:
        InputError: for a bad log or an ``out`` that cannot be written.
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError([Problem(str(out), "--out", str(out), "its folder does not exist")])
    if out.is_dir():
        rule = "is a folder; give the HTML file to write, e.g. FOLDER/debrief.html"
        raise InputError([Problem("command line", "--out", str(out), rule)])
    problem = writable_problem(out.parent, "--out")
    if problem is not None:
        raise InputError([problem])
    text = debrief_html(build_debrief(log, workers=workers))
    write_atomically(out, text)
    return out


def default_out(log: str | Path) -> Path:
    """Where a log's debrief goes by default: beside it, ``NAME-debrief.html``."""
    log = Path(log)
    return log.with_name(f"{log.stem}-debrief.html")
