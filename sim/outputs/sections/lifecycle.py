"""The summary's sections on Day 1 and Day 2, entry, exit, tenure and long-run value.

Written for every run whose tables carry the life-cycle columns (``sim/components/lifecycle.py``):
:func:`day_one_and_tenure_lines` before the lines on imitation and acquisitions
(:mod:`sim.outputs.sections.rivalry`), :func:`long_run_value_lines` after them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sim.mechanics.value import shareholder_value
from sim.outputs.plots.lifecycle import plot_awareness, plot_tenure, plot_value, plot_vitality
from sim.outputs.wording import WEEKS_PER_YEAR, count, dollars, in_years, label

STAGE_WORDS = {
    "stasis": "stasis (Day 2 begins)",
    "irrelevance": "irrelevance",
    "decline": "decline",
    "death": "death",
}
SP500_TENURE = "33 years in 1964, 24 in 2016, about 12 forecast for 2027 (Innosight 2018)"
BEZOS_ORDER = ("stasis", "irrelevance", "decline", "death")
NO_STAGES = "- No firm went through stasis, irrelevance, decline or death."


def has_lifecycle(result) -> bool:
    """Whether the run has an events table and the firms' vitality."""
    return result.tables.get("events") is not None and "vitality" in result.firms.columns


def stage_stories(events: pd.DataFrame) -> list[str]:
    """One line per firm that went through any Day 2 stage, stages in order of time.

    Args:
        events: the events table.

    Returns:
        Markdown bullet lines.
    """
    stages = events[events["event"].isin([*STAGE_WORDS, "renewal"])]
    lines = []
    for (_, name), group in stages.groupby(["firm_id", "name"], sort=False):
        parts = []
        for _, row in group.sort_values("step", kind="stable").iterrows():
            if row["event"] == "death":
                parts.append(f"death in {in_years(row['step'])} ({row['detail']})")
            elif row["event"] == "renewal":
                parts.append(
                    f"back to Day 1 in {in_years(row['step'])} (vitality {row['value']:.2f})"
                )
            elif row["event"] == "stasis":
                parts.append(
                    f"{STAGE_WORDS['stasis']} in {in_years(row['step'])} "
                    f"(vitality {row['value']:.2f})"
                )
            else:
                parts.append(f"{STAGE_WORDS[row['event']]} in {in_years(row['step'])}")
        strategy = label(group["strategy"].iloc[0])
        lines.append(f"- **{name}** ({strategy}): " + "; ".join(parts) + ".")
    return lines


def follows_bezos(stages: list[str]) -> bool:
    """True when a firm's Day-2 stages came in Bezos' order, as far as it went.

    Args:
        stages: the firm's stage events in time order (``renewal`` and repeats allowed).

    Returns:
        Whether the first time of each stage it reached was stasis, then irrelevance,
        then decline, then death, with none skipped.
    """
    first = list(dict.fromkeys(stage for stage in stages if stage in BEZOS_ORDER))
    return first == list(BEZOS_ORDER[: len(first)])


def bezos_sequence_line(events: pd.DataFrame) -> str:
    """How many firms went through Day 2 in Bezos' order, and how many never in stasis.

    Args:
        events: the events table.

    Returns:
        One Markdown bullet introducing the per-firm stage stories.
    """
    stages = events[events["event"].isin(BEZOS_ORDER)].sort_values("step", kind="stable")
    by_firm = stages.groupby("firm_id", sort=False)["event"].agg(list)
    followed = sum(follows_bezos(firm) for firm in by_firm)
    without_stasis = sum("stasis" not in firm for firm in by_firm)
    n = len(by_firm)
    text = (
        "- Bezos' sequence is stasis, then irrelevance, then decline, then death. "
        f"Of the {count(n, 'firm')} that reached any of these stages, {followed} "
        f"went through them in that order (as far as they got)"
    )
    if without_stasis:
        text += f"; {without_stasis} reached a later stage without ever being in stasis"
    return text + ". Each firm's stages, in the order they happened:"


def value_by_mindset(firms: pd.DataFrame) -> pd.DataFrame:
    """Per-firm means by strategy at every quarter end, for the long-run value comparison.

    Shareholder value of a firm is what its shareholders have received, less what they
    put in, plus what their shares are worth (payouts - equity raised + market value);
    customer value is the
    consumer surplus attributed to it so far. Firms count from their entry on, dead
    firms with a market value of zero.

    Args:
        firms: the firm table.

    Returns:
        Columns ``step, strategy, shareholder_value, customer_value, firms``.
    """
    ends = firms[(firms["step"] % 13 == 0) & (firms["step"] > 0)].copy()
    ends["shareholder_value"] = shareholder_value(
        ends["cumulative_payout"], ends["market_value"], ends.get("cumulative_equity", 0.0)
    )
    grouped = ends.groupby(["step", "strategy"])
    table = grouped.agg(
        shareholder_value=("shareholder_value", "mean"),
        customer_value=("cumulative_customer_value", "mean"),
        firms=("firm_id", "nunique"),
    )
    return table.reset_index()


def leader_flip(table: pd.DataFrame, column: str) -> tuple[str, float | None, str | None, int]:
    """Which strategy leads on ``column`` at the end, and when the lead last changed.

    Args:
        table: output of :func:`value_by_mindset`.
        column: ``shareholder_value`` or ``customer_value``.

    Returns:
        ``(leader at the end, step from which it has led (None if it always led),
        the leader just before that (or None), number of changes of lead)``.
    """
    pivot = table.pivot(index="step", columns="strategy", values=column)
    pivot = pivot.dropna(how="all")
    leaders = pivot.idxmax(axis=1)
    final = leaders.iloc[-1]
    changes = int((leaders != leaders.shift()).iloc[1:].sum())
    differing = leaders[leaders != final]
    if differing.empty:
        return final, None, None, changes
    last_other = differing.index.max()
    later = leaders.index[leaders.index > last_other]
    return final, float(later.min()), differing.loc[last_other], changes


def _last_alive(firms: pd.DataFrame) -> pd.DataFrame:
    """Each firm's last row in the market."""
    return firms[firms["alive"]].sort_values("step").groupby("firm_id").tail(1)


def day_one_and_tenure_lines(result) -> list[str]:
    """Sections on Day 1 and Day 2 (vitality, stages, experiments) and on entry, exit and tenure.

    Args:
        result: a :class:`~sim.runs.runner.RunResult` with the life-cycle columns.

    Returns:
        Markdown lines.
    """
    firms, scenario = result.firms, result.scenario
    events = result.tables["events"]
    lines = ["", "## Day 1 and Day 2", ""]
    threshold = scenario.vitality.stasis_threshold
    start = firms[firms["step"] == firms.groupby("firm_id")["step"].transform("min")]
    last_alive = _last_alive(firms)
    for strategy in sorted(firms["strategy"].unique()):
        before = start[start["strategy"] == strategy]["vitality"].mean()
        after = last_alive[last_alive["strategy"] == strategy]["vitality"].mean()
        lines.append(
            f"- **{label(strategy)}** firms: mean vitality {before:.2f} at start, "
            f"{after:.2f} at the end (or when they left)."
        )
    stories = stage_stories(events)
    n_firms = firms["firm_id"].nunique()
    in_stasis = events[events["event"] == "stasis"]["firm_id"].nunique()
    lines.append(
        f"- {in_stasis} of {n_firms} firms fell below vitality {threshold:.2f} into Day 2 (stasis)."
    )
    lines.append(bezos_sequence_line(events) if stories else NO_STAGES)
    if stories:
        lines += ["", *stories]
    breakthroughs = events[events["event"] == "breakthrough"]
    experiments = last_alive.groupby("strategy")[["experiments", "successes"]].sum()
    if experiments["experiments"].sum() > 0:
        lines.append("")
        for strategy, row in experiments.iterrows():
            if row["experiments"] == 0:
                continue
            wins = breakthroughs[breakthroughs["strategy"] == strategy]
            lines.append(
                f"- **{label(strategy)}** firms ran {int(row['experiments'])} experiments; "
                f"{int(row['successes'])} succeeded, {len(wins)} of them breakthroughs "
                "(10x the typical gain or more)."
            )
    return lines + entry_exit_and_tenure(result)


def entry_exit_and_tenure(result) -> list[str]:
    """Who entered and who left, and how long the top firms held their place."""
    firms, model, scenario = result.firms, result.model, result.scenario
    events = result.tables["events"]
    steps = int(model["step"].max())
    lines = ["", "## Entry, exit and tenure at the top", ""]
    entries = events[events["event"] == "entry"]
    deaths = events[events["event"] == "death"]
    if len(entries):
        final = firms[firms["step"] == steps]
        survivors = final[final["firm_id"].isin(entries["firm_id"]) & final["alive"]]
        by_strategy = entries.groupby("strategy").size()
        described = ", ".join(f"{n} {label(s)}" for s, n in by_strategy.items())
        lines.append(
            f"- {count(len(entries), 'firm')} entered ({described}); {len(survivors)} "
            f"{'was' if len(survivors) == 1 else 'were'} still "
            "in the market at the end."
        )
    else:
        lines.append("- No firm entered.")
    if len(deaths):
        reasons = deaths.groupby("detail").size()
        described = ", ".join(f"{n} by {reason}" for reason, n in reasons.items())
        lines.append(f"- {count(len(deaths), 'firm')} left the market: {described}.")
    k = scenario.lifecycle.top_k
    half = model[model["step"] > steps / 2]
    spells = events[events["event"] == "left_top_k"]["value"]
    tenure_line = (
        f"- Tenure at the top (the {k} firms with the highest trailing-year revenue): at "
        f"the end they had held their place {model['tenure_top_k'].iloc[-1]:.1f} years on "
        f"average, {half['tenure_top_k'].mean():.1f} years over the second half of the run"
    )
    if len(spells):
        tenure_line += (
            f"; the {len(spells)} spells that ended lasted {spells.mean():.1f} years on average"
        )
    lines.append(
        tenure_line + f". The run lasts {steps / WEEKS_PER_YEAR:.0f} years, which caps "
        f"every tenure. S&P 500 average tenure: {SP500_TENURE}."
    )
    return lines


def long_run_value_lines(result) -> list[str]:
    """Section on long-run value: what each mindset delivered to customers and shareholders.

    Args:
        result: a :class:`~sim.runs.runner.RunResult` with the life-cycle columns.

    Returns:
        Markdown lines, with who led at every horizon when two mindsets compete.
    """
    firms, scenario = result.firms, result.scenario
    steps = int(result.model["step"].max())
    lines = ["", "## Long-run value: customers and shareholders", ""]
    rate = scenario.lifecycle.discount_rate
    lines.append(
        "Shareholder value of a firm = payouts received - equity put in + market value, "
        "with market value "
        f"= cash + trailing-year operating profit / {rate:.0%} (earnings power, no growth "
        "assumed; never below zero). Customer value = the consumer surplus (logit "
        "log-sum, in $) attributed to the firm by each shopper's purchase chances. Both "
        "are per firm, averaged over the firms of each mindset, exited firms included."
    )
    lines.append("")
    table = value_by_mindset(firms)
    if table.empty:
        return lines
    last_alive = _last_alive(firms)
    end = table[table["step"] == table["step"].max()].set_index("strategy")
    for strategy, row in end.iterrows():
        tsr = last_alive[last_alive["strategy"] == strategy]["tsr"]
        final_tsr = firms[(firms["step"] == steps) & (firms["strategy"] == strategy)]["tsr"]
        lines.append(
            f"- **{label(strategy)}** ({int(row['firms'])} "
            f"{'firm' if int(row['firms']) == 1 else 'firms'}): "
            f"{dollars(row['customer_value'])} to customers and "
            f"{dollars(row['shareholder_value'])} to shareholders per firm; median total "
            f"shareholder return {final_tsr.median():.0%}."
            if tsr.notna().any()
            else f"- **{label(strategy)}**: no valuation yet."
        )
    if len(end) > 1:
        lines += [leader_sentence(table, column, audience) for column, audience in AUDIENCES]
    return lines


AUDIENCES = (("customer_value", "customers"), ("shareholder_value", "shareholders"))


def leader_sentence(table: pd.DataFrame, column: str, audience: str) -> str:
    """Which mindset delivered more to ``audience`` over the run, and from when."""
    leader, since, before, changes = leader_flip(table, column)
    sentence = (
        f"- Over the whole run, **{label(leader)}** firms delivered more to "
        f"{audience} (dollars per firm)"
    )
    if since is None or before is None:
        return sentence + ", judged at any horizon."
    sentence += (
        f", but the answer depends on the horizon: judged at {in_years(since - 13)} "
        f"{label(before)} firms were ahead; from {in_years(since)} on, "
        f"{label(leader)} firms"
    )
    return sentence + (f" (the lead changed hands {changes} times)." if changes > 1 else ".")


def draw_vitality(result):
    """``vitality.png``: each firm's vitality with its Day 2 stages marked."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_vitality(
        result.firms, result.tables["events"], ax, result.scenario.vitality.stasis_threshold
    )
    return fig


def draw_awareness(result):
    """``awareness.png``: the share of consumers who know each firm."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_awareness(result.firms, result.model, ax)
    return fig


def draw_tenure(result):
    """``tenure.png``: tenure at the top against the S&P 500's."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_tenure(result.model, ax, result.scenario.lifecycle.top_k)
    return fig


def draw_value(result):
    """``value.png``: shareholder and customer value by mindset (two panels)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_value(result.firms, axes)
    return fig
