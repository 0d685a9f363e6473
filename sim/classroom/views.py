"""What each page of a class game sees: a seat's books, the status, boards and standings.

A firm's own books (cash, revenue, profit) are the seat's and the instructor's; the
public views (projector, every student) hold prices, unit shares, who plays which firm,
its group and Day 1 / Day 2 stage, and the scores by every rule. Quarters are counted
by the shared rule (:func:`sim.play.rules.quarter_label`), Day 2 stages by
:func:`sim.play.briefing.stage_of`.
"""

from __future__ import annotations

import time

from sim.classroom.scoring import RULES, add_mix, firm_scores, ranked, rule_list
from sim.outputs.firm_groups import firm_group
from sim.play.briefing import stage_of
from sim.play.rules import forced_exit_in, forced_exit_warning, quarter_label


class GameViews:
    """Views of a ``ClassGame`` (mixed into it)."""

    def stage(self, market, firm) -> str:
        """The firm's Day 1 / Day 2 stage, by the rule every page uses."""
        return stage_of(firm, market.model.spec.vitality.stasis_threshold)

    def exit_warning(self, market, firm) -> str | None:
        """A warning when cash and credit say the firm is forced out within two quarters."""
        if not firm.alive:
            return None
        model = market.model
        account = model.finance.account(firm)
        quarters = forced_exit_in(
            firm.cash,
            account.credit_limit,
            market.cash_flow.get(firm.slot, 0.0),
            account.beyond_limit_quarters,
            model.spec.market.insolvency_quarters,
        )
        return forced_exit_warning(quarters)

    def firm_books(self, seat) -> dict:
        """A seat's firm's own books and settings (the seat's students and the instructor)."""
        market = self.markets[seat.market]
        firm = market.model.firms[seat.slot]
        last = firm.last_quarter
        account = market.model.finance.account(firm)
        return {
            "firm": firm.name,
            "market": seat.market + 1,
            "alive": firm.alive,
            "exit_reason": getattr(firm, "exit_reason", None) if not firm.alive else None,
            "stage": self.stage(market, firm),
            "price": firm.price,
            "unit_cost": firm.unit_cost,
            "cash": firm.cash,
            "credit_limit": account.credit_limit,
            "spend_experience": firm.spend_experience,
            "spend_selection": firm.spend_selection,
            "spend_efficiency": firm.spend_efficiency,
            "spend_innovation": firm.spend_innovation,
            "experience": firm.experience,
            "last_quarter": {
                "units": last.units,
                "revenue": last.revenue,
                "operating_profit": last.operating_profit,
                "customers": last.customers,
                "satisfaction": last.satisfaction,
            },
            "scores": firm_scores(market, firm),
            "warning": self.exit_warning(market, firm),
        }

    def private_view(self, seat) -> dict:
        """What only the seat's students see: their books, notices, the firm they follow.

        An analyst sees the followed firm's books read-only (``watching``).
        """
        view = self.firm_books(seat)
        view["submitted"] = seat.submitted
        view["locked"] = seat.locked
        view["team"] = seat.team
        view["notices"] = seat.notices
        view["watching"] = (
            self.firm_books(self.table[seat.watching]) if seat.watching is not None else None
        )
        if not view["alive"]:
            view["next_step"] = (
                "Your firm has left the market. Ask the instructor for a new firm, or to "
                "follow another firm as an analyst; meanwhile the standings show how the "
                "market goes on."
            )
        return view

    def leaderboard(self, private: bool = False, market: int = 0) -> list[dict]:
        """Every firm of a market: price, last quarter's unit share, player, whether in.

        That much is public (the projector, every student). A firm's revenue is its own
        books: only the instructor's board (``private=True``) has it.
        """
        firms = self.markets[market].model.firms
        total = sum(f.last_quarter.units for f in firms if f.alive) or 0.0
        seat_of_slot = {seat.slot: seat for seat in self.table if seat.market == market}
        rows = []
        for firm in firms:
            seat = seat_of_slot.get(firm.slot)
            rows.append(
                {
                    "firm": firm.name,
                    "player": (seat.student if seat and seat.joined else "bot"),
                    "alive": firm.alive,
                    "price": round(float(firm.price), 2),
                    "share": firm.last_quarter.units / total if total and firm.alive else 0.0,
                }
            )
            if private:
                rows[-1]["revenue"] = round(float(firm.last_quarter.revenue), 2)
        rows.sort(key=lambda r: (not r["alive"], -r["share"], r["firm"]))
        return rows

    def standings(self) -> dict:
        """Standings by the chosen rule with every rule's score beside it.

        Returns:
            ``{"rule", "rules", "markets": [rows per market], "overall": [seat rows]}``:
            every firm of each market ranked within it, and the seats of every market
            ranked together (the markets share a seed, so their firms are comparable).
        """
        rows = []
        for market in self.markets:
            seat_of_slot = {s.slot: s for s in self.table if s.market == market.number}
            for firm in market.model.firms:
                seat = seat_of_slot.get(firm.slot)
                rows.append(
                    {
                        "market": market.number + 1,
                        "firm": firm.name,
                        "seat": seat.index + 1 if seat else None,
                        "player": seat.student if seat and seat.joined else "bot",
                        "mindset": firm_group(firm.name, market.model.spec),
                        "stage": self.stage(market, firm),
                        "alive": firm.alive,
                        "scores": firm_scores(market, firm),
                    }
                )
        add_mix(rows, self.weights)
        by_market = [
            ranked([row for row in rows if row["market"] == market.number + 1], self.rule)
            for market in self.markets
        ]
        overall = [dict(row) for row in rows if row["seat"] is not None]
        return {
            "rule": self.rule,
            "rules": rule_list(),
            "weights": self.weights,
            "markets": by_market,
            "overall": ranked(overall, self.rule),
        }

    def outcomes(self) -> list[dict]:
        """Every firm's outcome at this week, with the seat and student (for the log)."""
        rows = []
        for market in self.markets:
            seat_of_slot = {s.slot: s for s in self.table if s.market == market.number}
            for firm in market.model.firms:
                seat = seat_of_slot.get(firm.slot)
                last = firm.last_quarter
                rows.append(
                    {
                        "market": market.number + 1,
                        "firm": firm.name,
                        "seat": seat.index + 1 if seat else None,
                        "student": seat.student if seat and seat.joined else "",
                        "alive": bool(firm.alive),
                        "price": round(float(firm.price), 4),
                        "units": round(float(last.units), 4),
                        "revenue": round(float(last.revenue), 2),
                        "operating_profit": round(float(last.operating_profit), 2),
                        "cash": round(float(firm.cash), 2),
                        "customers": int(last.customers),
                        **{k: round(v, 2) for k, v in firm_scores(market, firm).items()},
                    }
                )
        return rows

    def status(self) -> dict:
        """Week, quarter, length, pace, rule, messages and who has submitted."""
        remaining = None
        if self.paused and self.paused_left is not None:
            remaining = self.paused_left
        elif self.deadline is not None and not self.paused:
            remaining = max(0.0, self.deadline - time.time())
        label, text = RULES[self.rule]
        return {
            "scenario": self.model.spec.name,
            "week": self.model.week,
            "quarter": self.quarter,
            "quarters": self.total_quarters,
            "label": quarter_label(self.model.week, self.horizon),
            "horizon": self.horizon,
            "started": self.started,
            "finished": self.finished,
            "ending": self.ending,
            "paused": self.paused,
            "seconds_left": remaining,
            "timer_seconds": self.timer_seconds,
            "markets": len(self.markets),
            "rule": self.rule,
            "rule_label": label,
            "rule_text": text,
            "messages": self.messages,
            "seats": [
                {
                    "seat": seat.index + 1,
                    "market": seat.market + 1,
                    "firm": self.firm_of(seat).name,
                    "student": seat.student if seat.joined else "",
                    "joined": seat.joined,
                    "submitted": seat.submitted is not None,
                    "alive": self.firm_of(seat).alive,
                    "locked": seat.locked,
                    "team": seat.team,
                    "browsers": len(seat.tokens),
                    "watching": seat.watching + 1 if seat.watching is not None else None,
                }
                for seat in self.table
            ],
        }
