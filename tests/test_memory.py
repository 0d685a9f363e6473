"""Memory is estimated before a run; a run that cannot fit is refused with what fits."""

import pytest

import sim.runs.runner
from sim.cli.main import main
from sim.runs.memory import check_memory, estimate_bytes, largest_consumer_count
from sim.scenario import InputError, load_scenario

GB = 1_000_000_000


def scenario(**overrides):
    return load_scenario("baseline", overrides)


def test_estimate_grows_with_consumers_firms_edges_and_weeks():
    base = scenario(**{"consumers.count": 100_000})
    more_consumers = scenario(**{"consumers.count": 200_000})
    more_firms = scenario(**{"consumers.count": 100_000, "firms.0.count": 40})
    network = scenario(
        **{"consumers.count": 100_000, "network.kind": "erdos_renyi", "network.mean_degree": 20}
    )
    longer = scenario(**{"consumers.count": 100_000, "steps": 5000})
    for bigger in (more_consumers, more_firms, network, longer):
        assert estimate_bytes(bigger) > estimate_bytes(base)
    # linear in the consumers: doubling them adds what the first 100,000 cost
    fixed = 2 * estimate_bytes(base) - estimate_bytes(more_consumers)
    assert estimate_bytes(scenario(**{"consumers.count": 300_000})) == pytest.approx(
        estimate_bytes(base) + 2 * (estimate_bytes(base) - fixed), rel=1e-6
    )


def test_largest_count_is_the_boundary():
    big = scenario(**{"consumers.count": 50_000_000})
    largest = largest_consumer_count(big, 2 * GB)
    assert 1 < largest < 50_000_000
    check_memory(scenario(**{"consumers.count": largest}), available=2 * GB)
    with pytest.raises(InputError):
        check_memory(scenario(**{"consumers.count": largest + 1000}), available=2 * GB)


def test_a_run_that_cannot_fit_is_refused_before_it_starts(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("sim.runs.memory.available_bytes", lambda: 2 * GB)
    built = []
    monkeypatch.setattr(sim.runs.runner, "MarketModel", lambda *a: built.append(a))
    code = main(
        ["run", "baseline", "--set", "consumers.count=50000000", "--out", str(tmp_path / "r")]
    )
    err = capsys.readouterr().err
    assert code == 2 and not built
    assert "consumers.count: got 50000000" in err
    assert "of memory (estimate) and 2.0 GB is available" in err
    assert "the largest consumers.count that fits is about" in err
    assert not (tmp_path / "r").exists()


def test_a_sweep_whose_workers_cannot_fit_is_refused_before_it_starts(monkeypatch, tmp_path):
    from experiments_helpers import tiny

    from sim.experiments import run_sweep
    from sim.runs.memory import estimate_bytes

    per_run = estimate_bytes(scenario(**{"consumers.count": 500, "steps": 20}))
    monkeypatch.setattr("sim.runs.memory.available_bytes", lambda: int(2.5 * per_run))
    with pytest.raises(InputError) as caught:
        run_sweep(tiny(), out=tmp_path / "s", workers=8, progress=False)
    (problem,) = caught.value.problems
    assert problem.path == "--workers" and "use --workers 2 or fewer" in problem.rule
    assert not (tmp_path / "s").exists()
    report = run_sweep(tiny(replications=1), out=tmp_path / "t", executor="inline", progress=False)
    assert report.done == 3
