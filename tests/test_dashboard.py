"""The classroom dashboard without a browser: runs, rows, status, server and command.

``tests/test_dashboard_browser.py`` drives the real page in headless Chromium.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.dashboard.server import STATIC, start_in_thread
from sim.dashboard.session import DashboardSession, Settings, firm_mix_groups, parse_seed
from sim.scenario import WEEKS_PER_QUARTER, list_scenarios, load_scenario

SMALL = 300


def session(name: str = "baseline", **kwargs) -> DashboardSession:
    return DashboardSession(Settings(scenario=name, consumers=SMALL, **kwargs))


@pytest.mark.parametrize("name", [name for name, _ in list_scenarios()])
def test_every_scenario_builds_steps_and_sends_plain_json(name):
    run = session(name)
    assert run.step(3) == 3
    payload = {"meta": run.meta(), **run.since(-1)}
    json.dumps(payload, allow_nan=False)  # the page gets no NaN
    assert [row["week"] for row in payload["rows"]] == [0, 1, 2, 3]
    groups = payload["meta"]["groups"]
    for row in payload["rows"][1:]:
        assert len(row["share"]) == len(groups)
        if row["share"][0] is not None:
            pool = row["pool_share"] or 0.0
            assert sum(row["share"]) + pool == pytest.approx(1.0, abs=2e-3)


def test_rows_after_a_week_are_only_the_new_ones():
    run = session()
    run.step(5)
    assert [row["week"] for row in run.since(3)["rows"]] == [4, 5]
    assert run.since(5)["rows"] == []


def test_never_steps_past_the_horizon():
    run = session("validation/logit_nash")
    horizon = load_scenario("validation/logit_nash").steps
    assert run.step(horizon + 40) == horizon
    assert run.model.week == horizon
    assert run.step(5) == 0
    status = run.status()
    assert status["week"] == status["horizon"] == horizon
    assert status["finished"] and "horizon" in status["state"]
    assert not run.model.running


def test_empty_market_has_no_leader_no_price_and_says_so():
    run = session()
    run.step(2)
    for firm in run.model.firms:
        firm.exit(run.model.week, "closed by the test")
    run.step(1)
    status = run.status()
    row = run.rows[-1]
    assert status["alive"] == row["alive"] == 0
    assert status["leader"] is None
    assert "empty" in status["state"]
    assert row["price"] is None and row["hhi"] is None
    assert row["share"] == [None] * len(run.groups)


def test_leader_is_a_live_firm_and_firm_counts_agree_at_exits():
    run = session()
    run.step(2)
    leader_before = run.leader()["name"]
    victim = next(firm for firm in run.model.firms if firm.name == leader_before)
    victim.exit(run.model.week, "closed by the test")
    run.step(1)
    status = run.status()
    assert status["leader"]["name"] != leader_before
    assert status["alive"] == run.rows[-1]["alive"] == len(run.model.firms) - 1
    alive_units = sum(f.week.units for f in run.model.firms if f.alive)
    best = max(f.week.units for f in run.model.firms if f.alive)
    assert status["leader"]["share"] == pytest.approx(best / alive_units)


def test_groups_follow_the_scenario_not_the_strategy():
    run = session("day1_vs_day2")
    assert [g.name for g in run.groups] == ["Steady", "Drifting"]
    assert {g.strategy for g in run.groups} == {"customer_obsessed"}
    assert len({g.colour for g in run.groups}) == 2
    assert run.panels()[:5] == ["share", "price", "surplus", "concentration", "vitality"]


def test_declared_grouping_and_entrants_join_their_template_group():
    run = session("short_termism")
    names = [g.name for g in run.groups]
    assert names == ["Incumbents", "Patient entrant", "Quarterly entrant"]
    assert len(run.groups[0].slots) == 5
    template = run.model.spec.entry.templates[0]
    run.model.lifecycle.add_entrant(template)
    run.step(1)
    group = next(g for g in run.groups if g.name == template.name)
    assert group.slots == [len(run.model.firms) - 1]


def test_panels_appear_where_the_scenario_has_them():
    assert "channels" in session("platform_disintermediation").panels()
    assert "channels" not in session("baseline").panels()
    assert "connected" in session("connected_strategy").panels()
    assert "connected" not in session("baseline").panels()


def test_flywheel_meter_arrives_once_a_quarter_with_counts():
    run = session()
    run.step(WEEKS_PER_QUARTER - 1)
    assert run.quarters == []
    run.step(1)
    assert len(run.quarters) == 1
    quarter = run.quarters[0]
    assert quarter["week"] == WEEKS_PER_QUARTER
    assert quarter["live"] == [len(g.slots) for g in run.groups]
    assert all(0 <= m <= n for m, n in zip(quarter["measured"], quarter["live"], strict=True))


def test_same_settings_give_the_same_rows():
    first, second = session(seed=5), session(seed=5)
    first.step(10)
    second.step(10)
    assert first.rows == second.rows


def test_market_size_change_is_announced_as_changing_the_outcome():
    assert any("outcome" in note for note in session().notes)
    own = load_scenario("baseline").consumers.count
    assert DashboardSession(Settings(consumers=own)).notes == []


def test_firm_mix_sets_counts_where_it_fits_and_notes_where_not():
    run = session(obsessed_firms=2, shareholder_firms=3)
    assert [len(g.slots) for g in run.groups] == [2, 3]
    other = session("day1_vs_day2", obsessed_firms=2)
    assert any("firm-count" in note for note in other.notes)
    assert firm_mix_groups({"firms": [{"name": "a", "strategy": "customer_obsessed"}]}) is None


def test_settings_reject_bad_values_naming_the_field():
    with pytest.raises(ValueError, match="seed"):
        Settings.from_request({"seed": "abc"})
    with pytest.raises(ValueError, match="consumers"):
        Settings.from_request({"consumers": "5"})
    assert parse_seed("") is None and parse_seed(" 7 ") == 7


def test_static_files_reference_nothing_outside_the_package():
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path.name


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_server_serves_the_page_and_runs_a_session():
    server = start_in_thread(scenario="dtc_disruption")
    try:
        page = urllib.request.urlopen(server.url, timeout=10).read().decode()
        assert 'data-default-scenario="dtc_disruption"' in page
        names = json.loads(urllib.request.urlopen(server.url + "api/scenarios").read())
        assert {n["name"] for n in names} == {name for name, _ in list_scenarios()}
        reset = _post(server.url + "api/reset", {"session": "t", "consumers": SMALL})
        assert reset["status"]["week"] == 0
        stepped = _post(server.url + "api/step", {"session": "t", "weeks": 2, "after": 0})
        assert [row["week"] for row in stepped["rows"]] == [1, 2]
        with pytest.raises(urllib.error.HTTPError) as bad:
            _post(server.url + "api/reset", {"session": "t", "scenario": "nope"})
        assert bad.value.code == 400
        with pytest.raises(urllib.error.HTTPError) as gone:
            _post(server.url + "api/step", {"session": "unknown", "weeks": 1})
        assert gone.value.code == 409
    finally:
        server.shutdown()
        server.server_close()


def test_dashboard_command_rejects_an_unknown_scenario(capsys):
    assert main(["dashboard", "no_such_scenario"]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_importing_sim_does_not_start_or_import_the_server():
    import subprocess
    import sys

    code = "import sim, sys; print('sim.dashboard.server' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert Path(STATIC, "index.html").exists()


def test_shares_include_third_party_sellers_on_a_marketplace():
    run = session("amazon_flywheel")
    assert run.has_pool and run.meta()["third_party_sellers"]
    run.step(30)
    for row in run.rows[1:]:
        if row["pool_share"] is not None:
            assert sum(row["share"]) + row["pool_share"] == pytest.approx(1.0, abs=2e-3)
    assert session().rows[0]["pool_share"] is None
