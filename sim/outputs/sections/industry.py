"""The industry-dynamics figures of a run, set beside published ones, in plain words.

:func:`industry_statistics` computes the headline statistics of
:mod:`sim.outputs.industry_statistics` from a firm table; :data:`PUBLISHED` holds the figures
reported for real industries; :func:`comparison_table` sets the two side by side with a verdict per
row; :func:`industry_summary` writes the section of the run summary (``summary.md``), for
runs with entry (:func:`has_entry`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.outputs import industry_statistics as industry

LEADER_YEARS = 10
TOP_K = 4
SURVIVAL_YEARS = 5


def industry_statistics(firms: pd.DataFrame, measure: str = "units") -> dict[str, float]:
    """The headline industry-dynamics statistics of one run.

    Sizes are yearly ``measure`` (units by default) of firms alive all year; the size
    distribution is the last complete year's, pooled with every other year for the
    tail estimates when the last year has few firms.

    Args:
        firms: the firm table.
        measure: ``units`` or ``revenue``.

    Returns:
        A mapping of statistic name to value (NaN where the run cannot tell).
    """
    panel = industry.annual_panel(firms, measure)
    last = industry.sizes_in_year(panel)
    grown = industry.growth_table(panel)
    growth = grown["growth"].to_numpy(dtype=float)
    ranks = industry.ranking(panel)
    rates = industry.profit_rates(panel)
    flows = industry.entry_exit_by_year(firms)
    drift = industry.monopoly_drift(industry.hhi_by_year(panel))
    _, sigma = industry.lognormal_fit(last)
    return {
        "years": float(panel["year"].nunique()) if len(panel) else 0.0,
        "firms_last_year": float(len(last)),
        "size_skewness": industry.skewness(last),
        "top1_share": industry.top_share(last, 1) if len(last) else float("nan"),
        "top4_share": industry.top_share(last, TOP_K) if len(last) else float("nan"),
        "mean_median_ratio": industry.mean_median_ratio(last),
        "hill_tail_index": industry.hill_tail_index(last),
        "zipf_slope": industry.zipf_slope(last),
        "lognormal_sigma": sigma,
        "growth_observations": float(len(growth)),
        "growth_excess_kurtosis": industry.excess_kurtosis(growth),
        "growth_subbotin_shape": industry.subbotin_shape(growth),
        "growth_size_beta": industry.growth_size_scaling(grown["size"], growth),
        "top4_turnover_per_year": industry.top_k_turnover(ranks, TOP_K),
        "top4_mean_rank_change": industry.mean_rank_change(ranks, TOP_K),
        "leader_displaced_10y": industry.leader_displacement_probability(ranks, LEADER_YEARS),
        "profit_persistence": industry.profit_persistence(rates),
        "entry_rate_per_year": float(flows["entry_rate"].mean()) if len(flows) else float("nan"),
        "exit_rate_per_year": float(flows["exit_rate"].mean()) if len(flows) else float("nan"),
        "entrant_survival_5y": industry.entrant_survival(firms, SURVIVAL_YEARS),
        "hhi_first_year": drift["hhi_first"],
        "hhi_last_year": drift["hhi_last"],
        "hhi_slope_per_decade": drift["slope_per_decade"],
        "share_of_years_near_monopoly": drift["share_of_years_above"],
    }


@dataclass(frozen=True)
class Published:
    """A statistic as reported for real industries.

    Attributes:
        statistic: key of :func:`industry_statistics`.
        label: what it is, in words.
        low: lowest value that counts as matching.
        high: highest value that counts as matching.
        reported: the published figure as written in the source.
        source: who reported it, on which data.
    """

    statistic: str
    label: str
    low: float
    high: float
    reported: str
    source: str


PUBLISHED: tuple[Published, ...] = (
    Published(
        "size_skewness",
        "skewness of firm sizes",
        1.0,
        np.inf,
        "strongly right-skewed (mean > median > mode)",
        "Gibrat 1931; Axtell 2001, all US tax-paying firms 1997",
    ),
    Published(
        "mean_median_ratio",
        "mean size / median size",
        1.5,
        np.inf,
        "well above 1 (a few large firms, many small ones)",
        "Axtell 2001; Stanley et al. 1995 (Compustat)",
    ),
    Published(
        "hill_tail_index",
        "Pareto tail index of sizes (Hill)",
        0.8,
        1.3,
        "1.059 +/- 0.054 (Zipf's law: 1)",
        "Axtell 2001, US Census 1997, firms by employees",
    ),
    Published(
        "zipf_slope",
        "Pareto tail index of sizes (rank-size)",
        0.8,
        1.3,
        "1.059 +/- 0.054 (Zipf's law: 1)",
        "Axtell 2001; Gabaix and Ibragimov 2011 for the estimator",
    ),
    Published(
        "growth_excess_kurtosis",
        "excess kurtosis of annual log growth",
        1.5,
        np.inf,
        "Laplace 'tent' (excess kurtosis 3), not normal (0)",
        "Stanley et al. 1996, Nature, Compustat US manufacturing 1974-93",
    ),
    Published(
        "growth_subbotin_shape",
        "Subbotin shape of annual log growth",
        0.6,
        1.4,
        "close to 1 (Laplace); normal would be 2",
        "Bottazzi and Secchi 2003, 2006 (Compustat; Italian manufacturing)",
    ),
    Published(
        "growth_size_beta",
        "size-variance exponent beta of growth",
        0.1,
        0.3,
        "sd of growth ~ size^-beta, beta 0.15 +/- 0.03 (0.20 for sales, Amaral et al. 1997)",
        "Stanley et al. 1996; Amaral et al. 1997, Compustat US manufacturing 1974-93",
    ),
    Published(
        "leader_displaced_10y",
        "P(leader displaced within 10 years)",
        0.1,
        0.5,
        "half of leaders lose the lead within 12-52 years (about 13-44% per decade)",
        "Golder, Irwin and Mitra 2013, 125 US consumer categories 1921-2010",
    ),
    Published(
        "profit_persistence",
        "AR(1) persistence of profit-rate differences",
        0.3,
        0.7,
        "mean lambda about 0.41-0.49 (UK 0.49, France 0.41, Germany 0.41)",
        "Mueller 1986 (US, 600 firms 1950-72); Geroski and Jacquemin 1988",
    ),
    Published(
        "entry_rate_per_year",
        "entrants per incumbent per year",
        0.04,
        0.12,
        "0.31-0.41 per five-year census interval (about 6-8% a year)",
        "Dunne, Roberts and Samuelson 1988, US manufacturing 1963-82",
    ),
    Published(
        "exit_rate_per_year",
        "exits per incumbent per year",
        0.04,
        0.12,
        "0.31-0.39 per five-year census interval (about 6-8% a year)",
        "Dunne, Roberts and Samuelson 1988, US manufacturing 1963-82",
    ),
    Published(
        "entrant_survival_5y",
        "entrants surviving five years",
        0.25,
        0.55,
        "about 40% (61.5% of entrants exit within five years)",
        "Dunne, Roberts and Samuelson 1988",
    ),
    Published(
        "share_of_years_near_monopoly",
        "share of years with HHI above 0.9",
        0.0,
        0.05,
        "no drift to monopoly in industries with free entry",
        "Sutton 2007 (leadership is lost); Stanley et al. 1996 (stable size distribution)",
    ),
)
"""Published figures with the band that counts as a match (the band is this project's
reading of the source, stated so a reader can disagree)."""


def comparison_table(statistics: dict[str, float]) -> pd.DataFrame:
    """The model's figures beside the published ones, with a verdict per row.

    Args:
        statistics: output of :func:`industry_statistics` (or means over seeds).

    Returns:
        Columns ``statistic, label, model, published, band, matches, source``;
        ``matches`` is ``yes``, ``no`` or ``n/a`` (the run cannot tell).
    """
    rows = []
    for item in PUBLISHED:
        value = statistics.get(item.statistic, float("nan"))
        if value is None or not np.isfinite(value):
            verdict = "n/a"
        else:
            verdict = "yes" if item.low <= value <= item.high else "no"
        high = "inf" if not np.isfinite(item.high) else f"{item.high:g}"
        rows.append(
            {
                "statistic": item.statistic,
                "label": item.label,
                "model": value,
                "published": item.reported,
                "band": f"[{item.low:g}, {high}]",
                "matches": verdict,
                "source": item.source,
            }
        )
    return pd.DataFrame(rows)


def comparison_markdown(table: pd.DataFrame) -> str:
    """A Markdown table of :func:`comparison_table`."""
    lines = [
        "| statistic | model | published | counts as a match | matches | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        model = "-" if not np.isfinite(row.model) else f"{row.model:.3g}"
        lines.append(
            f"| {row.label} | {model} | {row.published} | {row.band} | {row.matches} | "
            f"{row.source} |"
        )
    return "\n".join(lines)


def _fmt(value: float, pattern: str = "{:.2f}") -> str:
    return "not measurable in this run" if not np.isfinite(value) else pattern.format(value)


def leader_sentence(probability: float) -> str:
    """The summary's sentence on the leader's displacement within ten years."""
    real = "real leaders: roughly 13-44% per decade"
    if not np.isfinite(probability):
        return f"The run is too short to see whether leaders last {LEADER_YEARS} years ({real})."
    return (
        f"The largest firm of a year had been overtaken or had left {LEADER_YEARS} years "
        f"later in {probability:.0%} of the years that can be checked ({real})."
    )


def shape_text(shape: float) -> str:
    """The Subbotin shape in words (values above 10 mean flatter than a normal)."""
    if not np.isfinite(shape):
        return "not measurable in this run (fewer than 30 growth rates)"
    if shape > 10:
        return "above 10 (flatter than a bell curve)"
    return f"{shape:.2f}"


def has_entry(result) -> bool:
    """Whether firms enter during the run (the industry's dynamics are then worth telling)."""
    return result.scenario.entry.rate_per_year > 0


def industry_lines(result) -> list[str]:
    """The section on industry dynamics as summary lines (see :func:`industry_summary`)."""
    return ["", industry_summary(result.firms)]


def industry_summary(firms: pd.DataFrame) -> str:
    """The run summary's section on industry dynamics, in plain words.

    Args:
        firms: the firm table.

    Returns:
        Markdown text (a level-2 heading, bullets and the comparison table).
    """
    s = industry_statistics(firms)
    table = comparison_table(s)
    matched = table[table["matches"] == "yes"]
    judged = table[table["matches"] != "n/a"]
    lines = [
        "## Does this industry look like a real one?",
        "",
        f"Measured over {int(s['years'])} complete years, firm size = units sold in a year "
        "(firms alive the whole year).",
        "",
        f"- **Firm sizes** in the last year ({int(s['firms_last_year'])} firms): the largest "
        f"firm sold {_fmt(s['top1_share'], '{:.0%}')} of the units, the largest four "
        f"{_fmt(s['top4_share'], '{:.0%}')}; mean size is "
        f"{_fmt(s['mean_median_ratio'])} times the median (skewness "
        f"{_fmt(s['size_skewness'])}). Real industries have many small firms and a few "
        "large ones: skewness well above 1, the mean far above the median.",
        f"- **The tail**: Pareto tail index {_fmt(s['hill_tail_index'])} (Hill), "
        f"{_fmt(s['zipf_slope'])} (rank-size). Across all US firms it is about 1 "
        "(Zipf's law, Axtell 2001); a larger index means a thinner tail, fewer giants.",
        f"- **Growth rates** ({int(s['growth_observations'])} firm-years): excess kurtosis "
        f"{_fmt(s['growth_excess_kurtosis'])}, Subbotin shape "
        f"{shape_text(s['growth_subbotin_shape'])}. Real firms' yearly growth has fat tails, a "
        "Laplace 'tent' (kurtosis 3, shape 1) rather than a bell curve (0 and 2). "
        f"Larger firms' growth is steadier by the exponent {_fmt(s['growth_size_beta'])} "
        "(real firms: about 0.15-0.2; 0 means size makes no difference).",
        f"- **Turnover at the top**: each year {_fmt(s['top4_turnover_per_year'], '{:.0%}')} "
        f"of the top {TOP_K} were new to it. {leader_sentence(s['leader_displaced_10y'])}",
        f"- **Profits**: a firm's lead in profit rate carries over to the next year with "
        f"coefficient {_fmt(s['profit_persistence'])} (0 = gone in a year, 1 = permanent; "
        "real firms: about 0.4-0.5).",
        f"- **Entry and exit**: {_fmt(s['entry_rate_per_year'], '{:.1%}')} entrants and "
        f"{_fmt(s['exit_rate_per_year'], '{:.1%}')} exits per incumbent a year; "
        + (
            f"{s['entrant_survival_5y']:.0%} of entrants lived five years"
            if np.isfinite(s["entrant_survival_5y"])
            else "no entrant had five years of the run left to show whether it survives them"
        )
        + " (US manufacturing: about 6-8% a year each way, 40% of entrants survive five "
        "years).",
        f"- **Concentration**: HHI {_fmt(s['hhi_first_year'])} in the first year, "
        f"{_fmt(s['hhi_last_year'])} in the last (trend "
        f"{_fmt(s['hhi_slope_per_decade'], '{:+.2f}')} per decade); one firm held the "
        "market (HHI > 0.9) in "
        f"{_fmt(s['share_of_years_near_monopoly'], '{:.0%}')} of the years.",
        "",
        f"The run matches {len(matched)} of the {len(judged)} published figures it can be "
        "judged on:",
        "",
        comparison_markdown(table),
    ]
    return "\n".join(lines)
