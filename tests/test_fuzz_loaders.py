"""Fuzzing the scenario and sweep loaders: every input loads or fails with our own error.

Generated YAML texts (valid documents, token soups with anchors, aliases, tags and
merge keys, arbitrary unicode) and generated mutations of real scenario and sweep
mappings go through the loaders. Each must either load or raise :class:`InputError`
with a message; any other exception, or an example running past its time bound, fails.
"""

from __future__ import annotations

import copy
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from experiments_helpers import tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiments.spec import load_sweep
from sim.scenario import InputError, Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SECONDS_PER_EXAMPLE = 20  # a hang, not slowness: examples take milliseconds
FOLDER = Path(tempfile.mkdtemp(prefix="flywheel-fuzz-"))
BASELINE = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text())
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(Exception):
    """An example ran past its time bound."""


@contextmanager
def time_bound(seconds: int = SECONDS_PER_EXAMPLE):
    def expire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def loads_or_explains(load, source) -> None:
    with time_bound():
        try:
            load(source)
        except InputError as exc:
            assert exc.problems and str(exc).strip()


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 60),
    st.sampled_from([0, -1, 10**12, 2**63, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["customer_obsessed", "lognormal", "grid", "sobol", "a:B", "os:getcwd"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
tokens = st.sampled_from(
    [
        "name:",
        "firms:",
        "- ",
        "  ",
        "\n",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ": ",
        "!!python/object:os.system ",
        "!!binary ",
        "!!float ",
        ".inf",
        ".nan",
        "yes",
        "no",
        "~",
        "---\n",
        "...\n",
        "? ",
        "|\n",
        ">\n",
        '"',
        "'",
        "#",
        "count: ",
        "consumers:",
        "strategy: customer_obsessed",
        "scenario: baseline",
        "parameters:",
        "levels: [1, 2]",
        "\t",
        "%YAML 1.1\n",
        "\x00",
        "\ufeff",
    ]
)
yaml_texts = st.one_of(
    st.lists(tokens, max_size=40).map("".join),
    st.text(max_size=200),
    values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
)


def write(text: str) -> Path:
    handle = tempfile.NamedTemporaryFile(
        "w", suffix=".yaml", dir=FOLDER, delete=False, encoding="utf-8", errors="surrogatepass"
    )
    with handle:
        handle.write(text)
    return Path(handle.name)


@FUZZ
@given(yaml_texts)
def test_scenario_loader_on_generated_yaml(text):
    path = write(text)
    try:
        loads_or_explains(load_scenario, path)
    finally:
        path.unlink()


@FUZZ
@given(yaml_texts)
def test_sweep_loader_on_generated_yaml(text):
    path = write(text)
    try:
        loads_or_explains(load_sweep, path)
    finally:
        path.unlink()


def set_path(data, path: list, value):
    node = data
    for part in path[:-1]:
        if isinstance(node, list) and node:
            node = node[part % len(node)] if isinstance(part, int) else node[0]
        elif isinstance(node, dict):
            node = node.setdefault(str(part), {})
        else:
            return data
    if isinstance(node, dict):
        node[str(path[-1])] = value
    elif isinstance(node, list) and node and isinstance(path[-1], int):
        node[path[-1] % len(node)] = value
    return data


def keys_of(data) -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, inner in data.items():
            found.append(key)
            found += keys_of(inner)
    elif isinstance(data, list):
        for inner in data:
            found += keys_of(inner)
    return sorted(set(found))


SCENARIO_KEYS = keys_of(BASELINE) + list(Scenario.model_fields)
SWEEP_KEYS = [*keys_of(tiny()), "design", "kind", "samples", "levels", "low", "high", "scale"]


def mutations(keys: list[str]):
    step = st.one_of(st.sampled_from(keys), st.integers(0, 3))
    return st.lists(st.tuples(st.lists(step, min_size=1, max_size=4), values), max_size=5)


@FUZZ
@given(mutations(SCENARIO_KEYS))
def test_scenario_loader_on_mutated_mappings(changes):
    data = copy.deepcopy(BASELINE)
    for path, value in changes:
        data = set_path(data, path, value)
    loads_or_explains(load_scenario, data)


@FUZZ
@given(mutations(SWEEP_KEYS))
def test_sweep_loader_on_mutated_mappings(changes):
    data = tiny()
    for path, value in changes:
        data = set_path(data, path, value)
    loads_or_explains(load_sweep, data)


def test_the_time_bound_catches_a_hang():
    import time

    with pytest.raises(Hang), time_bound(1):
        time.sleep(5)
