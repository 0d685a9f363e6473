"""Social network construction and word of mouth: known answers, equivalences, limits."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from lifecycle_builders import FIXED, firm, identical_consumers, scenario

import sim
from sim.mechanics import network as net
from sim.mechanics import word_of_mouth as wom

# ---------------------------------------------------------------------------
# CSR arrays


def test_csr_from_edges_drops_loops_and_duplicates():
    edges = np.array([(0, 1), (1, 2), (2, 0), (1, 0), (3, 3)])
    indptr, indices = net.csr_from_edges(5, edges[:, 0], edges[:, 1])
    assert indptr.tolist() == [0, 2, 4, 6, 6, 6]
    assert indices.tolist() == [1, 2, 0, 2, 0, 1]


def test_from_networkx_keeps_every_edge_both_ways():
    graph = nx.karate_club_graph()
    network = net.from_networkx(graph)
    for node in graph.nodes:
        assert sorted(network.neighbours(node).tolist()) == sorted(graph.neighbors(node))
    assert network.n_edges == graph.number_of_edges()


def _check_simple_undirected(network: net.SocialNetwork) -> None:
    n = network.n
    rows = np.repeat(np.arange(n), network.degree)
    cols = network.indices.astype(np.int64)
    assert not np.any(rows == cols), "self-loop"
    keys = rows * n + cols
    assert len(np.unique(keys)) == len(keys), "duplicate edge"
    assert np.array_equal(np.sort(keys), np.sort(cols * n + rows)), "not symmetric"


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert", "erdos_renyi"])
@pytest.mark.parametrize("use_networkx", [True, False])
def test_generated_graphs_are_simple_and_have_the_asked_degree(kind, use_networkx):
    network = net.build_network(kind, 1500, 8, 0.1, np.random.default_rng(3), use_networkx)
    _check_simple_undirected(network)
    assert network.degree.mean() == pytest.approx(8, rel=0.03)


def _graph(network: net.SocialNetwork) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(network.n))
    rows = np.repeat(np.arange(network.n), network.degree)
    graph.add_edges_from(zip(rows.tolist(), network.indices.tolist(), strict=True))
    return graph


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert", "erdos_renyi"])
def test_array_generators_match_networkx_on_small_graphs(kind):
    """The direct generators draw from the same random-graph families as networkx.

    Compared over four seeds of 1,500-node graphs: mean degree, the degree
    distribution (10th/50th/90th/99th percentiles) and the clustering coefficient,
    which tells a small world (about 0.5 at rewiring 0.1) from a random graph (about
    k/n) and from a scale-free one.
    """
    n, k = 1500, 8
    stats = {True: {"degrees": [], "clustering": []}, False: {"degrees": [], "clustering": []}}
    for seed in range(4):
        for use_networkx in (True, False):
            network = net.build_network(kind, n, k, 0.1, np.random.default_rng(seed), use_networkx)
            stats[use_networkx]["degrees"].append(network.degree)
            stats[use_networkx]["clustering"].append(nx.average_clustering(_graph(network)))
    reference, direct = stats[True], stats[False]
    ref_degrees = np.concatenate(reference["degrees"])
    dir_degrees = np.concatenate(direct["degrees"])
    assert dir_degrees.mean() == pytest.approx(ref_degrees.mean(), rel=0.02)
    for q in (10, 50, 90, 99):
        ref_q, dir_q = np.percentile(ref_degrees, q), np.percentile(dir_degrees, q)
        assert abs(dir_q - ref_q) <= max(1.0, 0.15 * ref_q), (q, ref_q, dir_q)
    ref_c, dir_c = np.mean(reference["clustering"]), np.mean(direct["clustering"])
    assert dir_c == pytest.approx(ref_c, rel=0.25, abs=0.004)
    if kind == "barabasi_albert":
        # scale-free: hubs far above the mean degree, in both
        assert ref_degrees.max() > 10 * k and dir_degrees.max() > 10 * k


def test_small_world_between_lattice_and_random_graph():
    lattice = net.watts_strogatz_arrays(1000, 10, 0.0, np.random.default_rng(1))
    small = net.watts_strogatz_arrays(1000, 10, 0.1, np.random.default_rng(1))
    # the ring lattice with k = 10 has clustering 3(k-2)/(4(k-1)) = 2/3 exactly
    assert nx.average_clustering(_graph(lattice)) == pytest.approx(2 / 3)
    assert nx.average_clustering(_graph(small)) > 0.4


def test_network_is_a_function_of_the_seed():
    a = net.build_network("watts_strogatz", 800, 6, 0.2, np.random.default_rng(9), False)
    b = net.build_network("watts_strogatz", 800, 6, 0.2, np.random.default_rng(9), False)
    c = net.build_network("watts_strogatz", 800, 6, 0.2, np.random.default_rng(10), False)
    assert np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)


def test_complete_network_is_implicit():
    network = net.build_network("complete", 10**6, 10, 0.1, np.random.default_rng(0), False)
    assert network.mean_field and len(network.indices) == 0
    assert network.degree[0] == 10**6 - 1


# ---------------------------------------------------------------------------
# Pure rules


def test_voices_hand_worked():
    positive, warning = wom.voices(np.array([1.0, 0.2, -0.2, -0.9]), 0.5, 3.0, 0.5)
    assert positive.tolist() == [3.0, 1.0, 1.0, 0.0]
    assert warning.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_exposures_hand_worked():
    # path 0 - 1 - 2 - 3
    indptr, indices = net.csr_from_edges(4, np.array([0, 1, 2]), np.array([1, 2, 3]))
    position, listener = wom.exposures(indptr, indices, np.array([1, 3]))
    assert position.tolist() == [0, 0, 1]
    assert listener.tolist() == [0, 2, 2]


def test_marketing_hazard_is_contacts_per_consumer():
    # $500 a week at $2 a contact = 250 contacts over 1,000 consumers
    assert wom.marketing_hazard(np.array([500.0]), 2.0, 1000)[0] == pytest.approx(0.25)
    assert wom.hazard_probability(np.log(2.0)) == pytest.approx(0.5)


def test_exposure_probability_is_per_neighbour_share():
    # one of two neighbours talks at rate ln(4): hazard ln(4)/2 = ln 2, chance 1/2
    assert wom.exposure_probability(np.array([1.0]), np.array([2]), np.log(4.0))[0] == (
        pytest.approx(0.5)
    )


# ---------------------------------------------------------------------------
# In the model


def _bass_scenario(p: float, q: float, n: int, steps: int) -> dict:
    """One firm everyone buys once aware; complete network; marketing buys hazard p."""
    return scenario(
        firms=[firm("New", quality=30.0, marketing_spend=p * n, initial_awareness=0.0)],
        steps=steps,
        consumers=identical_consumers(n),
        network={"kind": "complete"},
        word_of_mouth={"referral_rate": q, "contact_cost": 1.0, "delight_weight": 1.0},
    )


def bass_curve(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass (1969) closed form, F(t) = (1 - e^-(p+q)t) / (1 + (q/p) e^-(p+q)t)."""
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


@pytest.mark.slow
def test_complete_network_word_of_mouth_follows_the_bass_curve():
    """Limit case: mean-field word of mouth plus advertising is the Bass model.

    Setup: complete network, one firm everyone buys at the first occasion once aware
    (quality 30 utils against an outside option of 0: the chance of not buying is
    e^-27), a need every week, marketing that buys awareness at hazard p = 0.003 per
    week and referrals at q = 0.05 per week (neutral voices only). Awareness gained in
    week t is acted on at the next shopping occasion, week t + 1, so the adopter share
    recorded at step t + 1 is compared with F(t).

    Tolerance, justified: (1) time step: the simulation applies each week the hazard
    of the adopter share at the start of the week, so it lags the continuous curve by
    about one week; the error is then at most about max F'(t) = (p + q)^2 / (4 q)
    (0.014 here), and we allow 1.5 times that. (2) sampling: the mean of R = 10
    replications of N = 5,000 consumers has standard error sd_t / sqrt(R), measured
    from the replications; we allow 4 of them at every t. The test also checks that
    the tolerance is tight enough to reject a curve with a coefficient 20% off.
    """
    p, q, n, steps, reps = 0.003, 0.05, 5000, 200, 10
    curves = []
    for seed in range(reps):
        result = sim.run(_bass_scenario(p, q, n, steps), seed=seed)
        curves.append(result.model["adopter_share"].to_numpy())
    curves = np.array(curves)
    simulated = curves[:, 1:].mean(axis=0)
    t = np.arange(steps)
    expected = bass_curve(t, p, q)
    standard_error = curves[:, 1:].std(axis=0, ddof=1) / np.sqrt(reps)
    lag_bound = 1.5 * (p + q) ** 2 / (4 * q)
    tolerance = lag_bound + 4 * standard_error.max()
    assert tolerance < 0.05
    assert np.max(np.abs(simulated - expected)) < tolerance
    for wrong in (bass_curve(t, p, 1.2 * q), bass_curve(t, p, 0.8 * q), bass_curve(t, 1.2 * p, q)):
        assert np.max(np.abs(simulated - wrong)) > tolerance


def test_marketing_alone_reaches_one_minus_exp_of_minus_p_t():
    """Pure innovation channel (no network): each consumer is reached at hazard p."""
    n, p, steps = 20_000, 0.02, 30
    data = scenario(
        firms=[firm("Ads", marketing_spend=p * n, initial_awareness=0.0)],
        steps=steps,
        consumers=identical_consumers(n),
    )
    firms = sim.run(data, seed=2).firms
    aware = firms.set_index("step")["awareness"]
    for t in (5, 15, 30):
        expected = 1 - np.exp(-p * t)
        sd = np.sqrt(expected * (1 - expected) / n)
        assert abs(aware[t] - expected) < 4 * sd


def test_awareness_is_static_when_word_of_mouth_and_marketing_are_off():
    for network in ({"kind": "none"}, {"kind": "watts_strogatz", "mean_degree": 4}):
        data = scenario(
            firms=[firm("A"), firm("B", price=45.0)],
            steps=30,
            consumers=identical_consumers(800, initial_awareness=0.3),
            network=network,
        )
        model = sim.MarketModel(data, seed="scenario")
        before = model.population.columns.aware.copy()
        model.run()
        assert np.array_equal(before, model.population.columns.aware)


def test_referrals_travel_along_the_network_only():
    """On a ring where every exposure converts, awareness spreads one neighbour a week.

    Consumer 0 alone knows the firm. Week 1 she buys and tells her two neighbours; they
    buy in week 2 and tell theirs; so after t weeks exactly the 2t + 1 consumers within
    distance t of consumer 0 are aware.
    """
    n = 101
    data = scenario(
        firms=[firm("Local", quality=30.0, initial_awareness=0.0)],
        steps=1,
        consumers=identical_consumers(n, initial_awareness=0.0),
        network={"kind": "watts_strogatz", "mean_degree": 2, "rewiring": 0.0},
        word_of_mouth={"referral_rate": 50.0},
    )
    model = sim.MarketModel(data, seed="scenario")
    model.population.columns.aware[0, 0] = True
    ring_distance = np.minimum(np.arange(n), n - np.arange(n))
    for week in range(1, 12):
        model.step()
        aware = model.population.columns.aware[:, 0]
        assert np.array_equal(aware, ring_distance <= week), week


def test_delighted_customers_spread_word_faster():
    """Two firms alike but for the experience: delighted buyers recommend twice as hard."""
    grew = []
    for seed in range(6):
        data = scenario(
            firms=[
                firm("Delightful", FIXED, experience=2.0, initial_awareness=0.02),
                firm("Plain", FIXED, experience=0.0, initial_awareness=0.02),
            ],
            steps=20,
            consumers=identical_consumers(3000),
            network={"kind": "watts_strogatz", "mean_degree": 8},
            word_of_mouth={"referral_rate": 0.3, "delight_weight": 2.0, "delight_threshold": 0.5},
        )
        final = sim.run(data, seed=seed).firms.query("step == 20").set_index("name")
        grew.append(final.loc["Delightful", "awareness"] > final.loc["Plain", "awareness"])
    assert all(grew)


def test_disappointed_customers_warn_neighbours_away():
    """Buyers far below their expectations make non-customers drop the firm.

    Everyone expects experience 3; "Letdown" delivers 1 (satisfaction -2, disappointed),
    "Other" delivers 3 (satisfaction 0). Both charge the same.
    """

    def final_awareness(warning_rate: float) -> float:
        data = scenario(
            firms=[firm("Letdown", FIXED, experience=1.0), firm("Other", FIXED, experience=3.0)],
            steps=20,
            consumers=identical_consumers(2000, initial_expectation=3.0),
            network={"kind": "watts_strogatz", "mean_degree": 8},
            word_of_mouth={"warning_rate": warning_rate, "disappointment_threshold": 0.5},
        )
        firms = sim.run(data, seed=4).firms
        return float(firms.query("step == 20 and name == 'Letdown'")["awareness"].iloc[0])

    assert final_awareness(0.0) == 1.0
    assert final_awareness(1.0) < 0.8
