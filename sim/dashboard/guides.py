"""What the dashboard tells students: one guide per scenario and one per panel.

Plain text written for strategy students: what they are looking at and what to watch.
"""

from __future__ import annotations

from sim.outputs.firm_groups import declared_group

SCENARIO_GUIDES = {
    "baseline": (
        "Five customer-obsessed firms against five shareholder-focused ones, ten years. "
        "Watch the obsessed firms' price follow their falling cost while the others keep "
        "margins: does the share curve turn, and when?"
    ),
    "amazon_flywheel": (
        "One customer-obsessed retailer with its own marketplace enters against four "
        "shareholder-focused retailers in 1999; a membership programme starts in year 6. "
        "Watch purchases move to the marketplace and third-party sellers take a growing "
        "share of its units."
    ),
    "connected_strategy": (
        "Five customer-obsessed firms, alike except for the connected experience each "
        "offers (respond to desire, curated offering, coach behaviour, automatic "
        "execution, none). Repeat interactions teach a firm what fits its customers: "
        "watch which experience builds the lead."
    ),
    "day1_vs_day2": (
        "Six identical customer-obsessed firms; three of them drift to managing proxies "
        "(metrics instead of customers) as they grow. Watch the drifting firms' vitality "
        "fall below the Day-2 line, then their share."
    ),
    "dtc_disruption": (
        "A consolidated four-brand incumbent with high markups against one "
        "direct-to-consumer entrant that grows by word of mouth. Watch the entrant's share "
        "and the price gap."
    ),
    "platform_disintermediation": (
        "Six shareholder-focused brands; three join a price-comparison aggregator, three "
        "sell only direct. Joiners gain volume first; watch what happens to their margin "
        "and customer relationships later."
    ),
    "short_termism": (
        "Five quarterly-earnings incumbents; about one new firm a year enters, either a "
        "patient customer-obsessed start-up or one run like the incumbents. Watch whether "
        "a patient entrant climbs past the incumbents."
    ),
    "validation/logit_nash": (
        "A check of the model: four profit-maximising firms with different costs. Prices "
        "should settle at the textbook logit price equilibrium, low-cost firm cheapest "
        "and biggest."
    ),
}

PANEL_GUIDES = {
    "share": (
        "Market share",
        "Share of the units sold each week, one line per firm group (thin: weekly, thick: "
        "13-week average). Lines sum to 100% of what was bought.",
    ),
    "price": (
        "Prices",
        "Dashed: average price each group posts. Black: average price shoppers actually "
        "paid. A falling line means cheaper for customers.",
    ),
    "surplus": (
        "Consumer surplus",
        "How much better off a shopper with a need is, in dollars, given the offers "
        "(value of the best choices minus their price). Up means customers gain.",
    ),
    "concentration": (
        "Concentration",
        "Black: HHI, the sum of squared shares (near 0: many equal firms, 1: a "
        "monopoly). Green steps: firms still in the market.",
    ),
    "vitality": (
        "Vitality: Day 1 and Day 2",
        "Average vitality of each group's live firms (1 = Day 1, fresh and fast). Below "
        "the dashed line a firm is in Day 2: stasis, then irrelevance, decline, death.",
    ),
    "flywheel": (
        "Flywheel meter",
        "Loop gain each quarter (median of the group's firms, and each platform's): the "
        "sum over the loops of the product of each loop's links. A firm has the scale "
        "loop volume > lower cost > lower price > traffic; a marketplace also the "
        "selection loop traffic > sellers > selection > traffic. Above 0 the wheel turns "
        "itself; blank where a link could not be measured.",
    ),
    "channels": (
        "Channels and disintermediation",
        "Solid: share of purchases made through platforms. Dashed: share of each group's "
        "units sold through platforms. Dotted: third-party sellers' share of a "
        "marketplace's units.",
    ),
    "connected": (
        "Connected experiences",
        "Customers each group has a direct, connected relationship with. The more "
        "repeat interactions, the better a firm learns what fits its customers.",
    ),
}


def scenario_guide(scenario: str, description: str) -> str:
    """The student guide of a scenario (its description when it has none)."""
    return SCENARIO_GUIDES.get(scenario, description)


def panel_guides() -> dict[str, list[str]]:
    """``{panel: [title, text]}`` for every panel."""
    return {key: list(value) for key, value in PANEL_GUIDES.items()}


def display_group(scenario: str, firm_group: str) -> str:
    """The line a firm group is drawn in (see :data:`sim.outputs.firm_groups.DECLARED_GROUPS`)."""
    return declared_group(scenario, firm_group)
