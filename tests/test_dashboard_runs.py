"""Dashboard runs: a step for a replaced run is refused; events reach the rows for markers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from sim.dashboard.server import start_in_thread
from sim.dashboard.session import MARKED_EVENTS, DashboardSession, Settings


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_a_step_for_a_replaced_run_is_refused_and_leaves_the_new_run_alone():
    server = start_in_thread(scenario="baseline")
    try:
        old = _post(server.url + "api/reset", {"session": "t", "consumers": 300})
        _post(
            server.url + "api/step",
            {"session": "t", "run": old["meta"]["run"], "weeks": 3, "after": 0},
        )
        new = _post(
            server.url + "api/reset",
            {"session": "t", "scenario": "casper_imitators", "consumers": 1000},
        )
        assert new["meta"]["run"] != old["meta"]["run"]
        with pytest.raises(urllib.error.HTTPError) as stale:
            _post(
                server.url + "api/step",
                {"session": "t", "run": old["meta"]["run"], "weeks": 13, "after": 3},
            )
        assert stale.value.code == 409
        assert json.loads(stale.value.read())["stale"] is True
        fresh = _post(
            server.url + "api/step",
            {"session": "t", "run": new["meta"]["run"], "weeks": 2, "after": 0},
        )
        assert [row["week"] for row in fresh["rows"]] == [1, 2]
        assert fresh["status"]["week"] == 2
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("scenario", "weeks", "kinds"),
    [
        ("casper_imitators", 260, {"entry", "copying"}),  # the scenario's copycats
        ("bonobos_acquired", 400, {"acquisition"}),  # the scenario's acquisition
    ],
)
@pytest.mark.slow
def test_rows_carry_each_weeks_marked_events_as_the_model_records_them(scenario, weeks, kinds):
    run = DashboardSession(Settings(scenario=scenario, consumers=1000))
    run.step(weeks)
    sent = [(row["week"], e["kind"], e["firm"]) for row in run.rows for e in row["events"]]
    recorded = [
        (e["step"], MARKED_EVENTS[e["event"]], e["name"])
        for e in run.model.events
        if e["event"] in MARKED_EVENTS
    ]
    assert sent == recorded
    assert {kind for _, kind, _ in sent} >= kinds
