"""The quarterly briefing a player reads before deciding, and its text form."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from sim.play.decisions import NO_RULES, SeatDecision, SeatRules
from sim.play.rules import forced_exit_in, forced_exit_warning, quarter_label
from sim.strategies.base import FirmView, MarketView, QuarterReport
from sim.strategies.research_terms import ResearchTerms

WEEKS_PER_QUARTER = 13
RESEARCH_PRICE_STEP = 0.10
LINK_LABELS = {
    "e_price_to_traffic": "lower price -> traffic",
    "e_selection_to_traffic": "selection -> traffic",
    "e_traffic_to_sellers": "traffic -> sellers",
    "e_sellers_to_selection": "sellers -> selection",
    "e_volume_to_cost": "volume -> lower cost",
    "e_cost_to_price": "lower cost -> lower price",
    "loop_gain": "loop gain (sum of loops)",
}


@dataclass(frozen=True)
class RivalFacts:
    """What is public about a rival: its price and an approximate share."""

    name: str
    strategy: str
    price: float
    approximate_share: float
    alive: bool
    asking_price: float | None = None


@dataclass(frozen=True)
class Research:
    """What the firm's market research says: estimates from a sample, not the truth."""

    sample_size: int
    weekly_needs: float
    units_at_price: dict[float, float]
    best_price: float


@dataclass(frozen=True)
class DefenceFacts:
    """The seat's channel defences: what is in force, what they cost, who is enrolled.

    Costs and units are sums over the last quarter's weeks (0 before the first quarter).
    """

    platform_price: float | None
    direct_incentive: float
    loyalty_rebate: float
    loyalty_members: int
    owned_customers: int
    incentive_cost: float
    loyalty_cost: float
    loyalty_units: float
    loyalty_cost_per_member: float
    incentive_cost_ratio: float
    brand_strength: float


@dataclass(frozen=True)
class TrustFacts:
    """Consumers' doubt about the seat and what its remedies cost.

    The gap, beliefs and reviews are those of the last week in the firm table (NaN
    before the first week, or where nobody is aware of the firm); returns, their cost
    and referred customers are last quarter's.
    """

    trust_gap: float
    belief_mean: float
    review_count: float
    review_mean: float
    returns: float
    trust_cost: float
    referred_customers: float
    guarantee: bool
    free_returns: bool
    try_on: bool
    reviews: bool
    referral_reward: float
    return_cost: float
    try_on_cost: float
    review_cost: float
    referral_half_reward: float


@dataclass(frozen=True)
class Briefing:
    """Everything a player sees before a quarter's decisions."""

    scenario: str
    seat: str
    quarter: int
    quarters: int
    week: int
    steps: int
    price: float
    unit_cost: float
    fixed_cost: float
    cash: float
    experience: float
    selection: float
    efficiency: float
    vitality: float
    stage: str
    decision_lag_weeks: int
    last: QuarterReport
    share: float
    payout_last_quarter: float
    rivals: tuple[RivalFacts, ...]
    research: Research
    flywheel: dict[str, float]
    defaults: SeatDecision
    channels_open: bool
    channel_names: tuple[str, ...] | None
    current_channels: tuple[str, ...]
    take_rates: dict[str, float] = field(default_factory=dict)
    rules: SeatRules = NO_RULES
    research_terms: ResearchTerms | None = None
    defences: DefenceFacts | None = None
    trust: TrustFacts | None = None
    exit_warning: str | None = None
    label: str = ""


def stage_of(firm, threshold: float) -> str:
    """Day 1 or Day 2, with the stage a Day 2 firm is in."""
    if not firm.alive:
        return "out of the market"
    if firm.declining:
        return "Day 2: decline"
    if firm.irrelevant:
        return "Day 2: irrelevance"
    if firm.in_stasis or firm.vitality < threshold:
        return "Day 2: stasis"
    return "Day 1"


def research_estimates(firm: FirmView, view: MarketView) -> Research:
    """Demand the research sample implies at the current price and 10% either side."""
    research = view.research
    prices = [firm.price * (1.0 - RESEARCH_PRICE_STEP), firm.price]
    prices.append(firm.price * (1.0 + RESEARCH_PRICE_STEP))
    units = {price: research.demand(price=price) for price in prices}
    best = research.best_response_price(firm.unit_cost + firm.connected_unit_cost, firm.price)
    return Research(
        sample_size=len(research.weights),
        weekly_needs=float(research.weights.sum()),
        units_at_price=units,
        best_price=float(best),
    )


def latest_flywheel_links(model, firm_name: str) -> dict[str, float]:
    """The flywheel meter's latest links of the firm (empty if the meter is off)."""
    table = model.datacollector.tables.get("flywheel")
    if not table or not table.get("name"):
        return {}
    rows = [i for i, name in enumerate(table["name"]) if name == firm_name]
    rows = [i for i in rows if table["agent"][i] == "firm"]
    if not rows:
        return {}
    last = rows[-1]
    return {key: float(table[key][last]) for key in LINK_LABELS}


def last_quarter_defences(model, seat) -> dict[str, list]:
    """The seat's defence columns for each week of the quarter just closed.

    A quarter's last week is collected into the firm table after the decisions, so it
    is read from the model (the row it is about to collect); the 12 weeks before it
    from the firm table. Empty lists before the first quarter.
    """
    columns = ("incentive_cost", "loyalty_cost", "loyalty_units", "loyalty_members")
    if model.week == 0:
        return {column: [] for column in columns}
    table = model.datacollector.tables.get("firms") or {}
    first = model.week - WEEKS_PER_QUARTER + 1
    ids, steps = table.get("firm_id", []), table.get("step", [])
    rows = [
        i
        for i, (seen, step) in enumerate(zip(ids, steps, strict=True))
        if seen == seat.unique_id and first <= step < model.week
    ]
    now = model.defences.firm_row(model, seat)
    return {column: [table[column][i] for i in rows] + [now[column]] for column in columns}


def defence_facts(model, firm: FirmView) -> DefenceFacts:
    """What the seat's defences are and did last quarter (from its view and the model)."""
    seat = next(f for f in model.firms if f.unique_id == firm.firm_id)
    rows = last_quarter_defences(model, seat)
    return DefenceFacts(
        platform_price=firm.platform_price,
        direct_incentive=firm.direct_incentive,
        loyalty_rebate=firm.loyalty_rebate,
        loyalty_members=int(rows["loyalty_members"][-1]) if rows["loyalty_members"] else 0,
        owned_customers=firm.owned_customers,
        incentive_cost=float(sum(rows["incentive_cost"])),
        loyalty_cost=float(sum(rows["loyalty_cost"])),
        loyalty_units=float(sum(rows["loyalty_units"])),
        loyalty_cost_per_member=firm.loyalty_cost_per_member,
        incentive_cost_ratio=firm.incentive_cost_ratio,
        brand_strength=firm.brand_strength,
    )


def trust_facts(model, firm: FirmView) -> TrustFacts:
    """The seat's trust gap, beliefs and reviews last week, and its remedies' terms."""
    table = model.datacollector.tables.get("firms") or {}
    ids = table.get("firm_id", [])
    last = next((i for i in range(len(ids) - 1, -1, -1) if ids[i] == firm.firm_id), None)
    measured = ("trust_gap", "belief_mean", "review_count", "review_mean")
    values = {
        name: math.nan if last is None or name not in table else float(table[name][last])
        for name in measured
    }
    spec, policy, report = model.spec.trust, firm.trust_policy, firm.last_quarter
    return TrustFacts(
        **values,
        returns=report.returns,
        trust_cost=report.trust_cost,
        referred_customers=report.referred_customers,
        guarantee=policy.guarantee,
        free_returns=policy.free_returns,
        try_on=policy.try_on,
        reviews=policy.reviews,
        referral_reward=policy.referral_reward,
        return_cost=spec.return_cost,
        try_on_cost=spec.try_on_cost,
        review_cost=spec.review_cost,
        referral_half_reward=spec.referral_half_reward,
    )


def rules_now(rules: SeatRules, firm: FirmView, view: MarketView) -> SeatRules:
    """The seat's rules with each live rival's asking price and the seat's budget now."""
    if not rules.acquisition:
        return rules
    asking = {rival.name: rival.asking_price for rival in view.rivals if rival.alive}
    return dataclasses.replace(rules, asking_prices=asking, budget=firm.acquisition_budget)


def build_briefing(
    model,
    firm: FirmView,
    view: MarketView,
    defaults: SeatDecision,
    channels_open: bool,
    channel_names: tuple[str, ...] | None,
    quarters: int,
    rules: SeatRules = NO_RULES,
    last_payout: float = 0.0,
) -> Briefing:
    """Assemble the briefing from the seat's snapshot, its market view and public facts.

    Args:
        model: the running model (read only: public facts, vitality, flywheel meter).
        firm: the seat's snapshot.
        view: the seat's market view (with its research sample).
        defaults: the decisions in force (offered as defaults).
        channels_open: whether channels may be changed now (the yearly review).
        channel_names: the channels the seat may choose from (None: not a choice).
        quarters: decision quarters in the game.
        rules: the optional decisions the seat has (their facts join the briefing).
        last_payout: the payout decided last quarter (payouts are one-off).
    """
    seat = next(f for f in model.firms if f.unique_id == firm.firm_id)
    units = {f.unique_id: f.last_quarter.units for f in model.firms}
    total = sum(units.values())
    rivals = tuple(
        RivalFacts(
            rival.name,
            rival.strategy,
            rival.price,
            round(units[rival.firm_id] / total, 2) if total else math.nan,
            rival.alive,
            rival.asking_price if rules.acquisition else None,
        )
        for rival in view.rivals
    )
    platforms = {p.name: p.take_rate for p in view.platforms}
    return Briefing(
        scenario=model.spec.name,
        seat=firm.name,
        quarter=firm.quarter,
        quarters=quarters,
        week=firm.week,
        steps=model.spec.steps,
        price=firm.price,
        unit_cost=firm.unit_cost,
        fixed_cost=firm.fixed_cost,
        cash=firm.cash,
        experience=firm.experience,
        selection=firm.selection,
        efficiency=firm.efficiency,
        vitality=seat.vitality,
        stage=stage_of(seat, model.spec.vitality.stasis_threshold),
        decision_lag_weeks=int(seat.decision_lag),
        last=firm.last_quarter,
        share=units[firm.firm_id] / total if total else math.nan,
        payout_last_quarter=last_payout if firm.week else 0.0,
        rivals=rivals,
        research=research_estimates(firm, view),
        flywheel=latest_flywheel_links(model, firm.name),
        defaults=defaults,
        channels_open=channels_open,
        channel_names=channel_names,
        current_channels=tuple(seat.channel_names),
        take_rates=platforms,
        rules=rules_now(rules, firm, view),
        research_terms=view.research.terms if rules.research else None,
        defences=defence_facts(model, firm) if rules.defences else None,
        trust=trust_facts(model, firm) if rules.trust else None,
        exit_warning=exit_warning(model, seat, firm, last_payout),
        label=quarter_label(firm.week, model.spec.steps),
    )


def exit_warning(model, seat, firm: FirmView, last_payout: float) -> str | None:
    """The shared forced-out warning (:func:`sim.play.rules.forced_exit_in`).

    Last quarter's profit less its payout is taken as the quarter's cash flow (interest
    aside).
    """
    if not seat.alive or not firm.week:
        return None
    last = firm.last_quarter
    account = model.finance.account(seat)
    flow = last.operating_profit - last.investment - last_payout
    quarters = forced_exit_in(
        seat.cash,
        account.credit_limit,
        flow,
        account.beyond_limit_quarters,
        model.spec.market.insolvency_quarters,
    )
    return forced_exit_warning(quarters)


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}"


def _price(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def render_briefing(b: Briefing) -> str:
    """The briefing as text for a terminal (about 40 lines)."""
    year, week_in_year = divmod(b.week, 52)
    lines = [
        "",
        f"=== {b.seat} | quarter {b.quarter + 1} of {b.quarters} "
        f"(year {year + 1}, week {week_in_year + 1}) | {b.scenario} ===",
    ]
    last = b.last
    if b.exit_warning:
        lines.append(b.exit_warning)
    if b.week == 0:
        lines.append("No quarter played yet: these are your starting position and market.")
    else:
        profit = last.operating_profit - last.investment
        lines += [
            "Last quarter (13 weeks):",
            f"  revenue {_money(last.revenue)}  - variable cost {_money(last.variable_cost)}"
            f"  - fixed cost {_money(last.fixed_cost)}"
            + (f"  - platform fees {_money(last.platform_fees)}" if last.platform_fees else ""),
            f"  = operating profit {_money(last.operating_profit)}"
            f"  - investment {_money(last.investment)}  = profit {_money(profit)}",
            f"  units {last.units:,.0f}  share {_percent(b.share)}  customers "
            f"{last.customers:,} ({last.customer_growth:+.1%})  repeat rate "
            f"{last.repeat_rate:.0%}  satisfaction {last.satisfaction:+.2f}",
        ]
    lines += [
        f"Cash {_money(b.cash)}  |  unit cost ${b.unit_cost:,.2f}  fixed cost "
        f"{_money(b.fixed_cost)}/week  |  price ${b.price:,.2f}",
        f"Stocks: experience {b.experience:.2f}  selection {b.selection:,.0f} items  "
        f"efficiency {b.efficiency:.2f}",
        f"Vitality {b.vitality:.2f} ({b.stage})"
        + (
            f"; decisions take effect after {b.decision_lag_weeks} weeks"
            if b.decision_lag_weeks
            else "; decisions take effect at once"
        ),
    ]
    if b.flywheel:
        links = [
            f"{label} {b.flywheel[key]:+.2f}"
            for key, label in LINK_LABELS.items()
            if not math.isnan(b.flywheel[key])
        ]
        lines.append("Flywheel meter: " + ("; ".join(links) if links else "not measured yet"))
    lines.append("Rivals (public prices, approximate unit shares last quarter):")
    for rival in b.rivals:
        status = "" if rival.alive else " (left the market)"
        share = "" if math.isnan(rival.approximate_share) else f" ~{rival.approximate_share:.0%}"
        asks = "" if rival.asking_price is None else f"  asks ${rival.asking_price:,.0f}"
        if b.rules.acquisition and rival.alive and rival.asking_price is None:
            asks = "  not for sale"
        lines.append(
            f"  {rival.name:<22} {rival.strategy:<20} ${rival.price:,.2f}{share}{status}{asks}"
        )
    if b.rules.acquisition:
        budget = b.rules.budget or 0.0
        lines.append(
            f"Acquisitions: buy a live rival at its asking price (acquire NAME); you can pay "
            f"at most {_money(budget)} now (cash, credit and shares)"
        )
    r = b.research
    estimates = ", ".join(
        f"${price:,.2f}: {units:,.0f}" for price, units in r.units_at_price.items()
    )
    lines += [
        f"Market research (a sample of {r.sample_size:,} consumers; estimates, not the truth):",
        f"  about {r.weekly_needs:,.0f} needs a week in the market; your units a week at "
        f"{estimates}",
        f"  the price that would maximise this week's profit against rivals' prices: "
        f"${r.best_price:,.2f}",
    ]
    if b.research_terms is not None:
        lines += research_lines(b.research_terms)
    if b.defences is not None:
        lines += defence_lines(b.defences, b.price)
    if b.trust is not None:
        lines += trust_lines(b.trust, b.experience)
    if b.channel_names is not None:
        rates = ", ".join(f"{name} takes {rate:.0%}" for name, rate in b.take_rates.items())
        when = "open now (yearly review)" if b.channels_open else "next yearly review"
        lines.append(f"Channels: {' + '.join(b.current_channels)} ({rates}); changes: {when}")
    return "\n".join(lines)


def research_lines(t: ResearchTerms) -> list[str]:
    """What the research in hand is worth and what more would cost."""
    return [
        f"  precision: {t.owned_sample:,} of your {t.owned:,} owned customers and "
        f"{t.survey_sample:,} surveyed; error sd of taste estimates {t.error_sd:.3f}",
        f"  it cost ${t.weekly_spend:,.0f}/week last quarter; {t.free_respondents} respondents "
        f"are free, more cost ${t.cost_per_respondent:,.2f} each (spend_research, $/week; "
        f"at most {t.max_sample:,} per sample)",
    ]


def defence_lines(d: DefenceFacts, price: float) -> list[str]:
    """The seat's defences in force, what they cost last quarter, and brand strength."""
    listed = "same as direct" if d.platform_price is None else f"${d.platform_price:,.2f}"
    return [
        f"Channel defences: platform price {listed} (direct ${price:,.2f}); direct incentive "
        f"${d.direct_incentive:,.2f}/unit; loyalty rebate ${d.loyalty_rebate:,.2f}/unit",
        f"  last quarter: incentives cost {_money(d.incentive_cost)} (each $ of perk costs you "
        f"${d.incentive_cost_ratio:,.2f}); loyalty cost {_money(d.loyalty_cost)} for "
        f"{d.loyalty_members:,} members ({d.loyalty_units:,.0f} units; "
        f"${d.loyalty_cost_per_member:,.2f} per member a week to run)",
        f"  owned customers {d.owned_customers:,}; brand strength {_price(d.brand_strength)} "
        "per consumer (awareness x the premium they would pay for your brand)",
    ]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def trust_lines(t: TrustFacts, experience: float) -> list[str]:
    """The trust gap, what consumers believe, the remedies in force and their terms."""
    if math.isnan(t.trust_gap):
        gap = "  trust gap: not measured yet (or nobody knows your brand)"
    else:
        gap = (
            f"  trust gap {_price(t.trust_gap)} per aware consumer (what doubt takes off "
            f"your offer); they believe your experience is {t.belief_mean:.2f} "
            f"(it is {experience:.2f})"
        )
    reviews = (
        f"reviews: {t.review_count:,.1f} (weighted by age), mean {t.review_mean:.2f}"
        if t.review_count > 0 and not math.isnan(t.review_mean)
        else "no reviews yet"
    )
    return [
        "Trust (buyers judge an unfamiliar brand before they know it):",
        gap,
        f"  {reviews}; last quarter {t.returns:,.0f} units returned, "
        f"{t.referred_customers:,.0f} customers referred, remedies cost {_money(t.trust_cost)}",
        f"  in force: guarantee {_yes(t.guarantee)}, free returns {_yes(t.free_returns)}, "
        f"try-on {_yes(t.try_on)}, reviews {_yes(t.reviews)}, referral reward "
        f"{_price(t.referral_reward)}",
        f"  terms: a return's collection {_price(t.return_cost)} (refund on top), a try-on "
        f"kit {_price(t.try_on_cost)}, publishing reviews {_price(t.review_cost)}/week; "
        f"a {_price(t.referral_half_reward)} reward gives half the largest lift in referrals",
    ]
