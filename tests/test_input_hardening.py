"""Careless and hostile inputs: each ends in the project's own error, quickly."""

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.experiments.spec import load_sweep
from sim.scenario import InputError, load_scenario, read_yaml
from sim.scenario.errors import preview
from sim.scenario.yaml_safe import MAX_VALUES, UnsafeYaml, load_yaml

ROOT = Path(__file__).resolve().parent.parent
FIRM = "firms:\n  - {name: a, strategy: customer_obsessed}\n"


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "name: bomb\n" + FIRM + "\n".join(lines) + "\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_alias_bomb_is_refused_with_bounded_memory(tmp_path):
    path = write(tmp_path, "bomb.yaml", alias_bomb())
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            read_yaml(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # the expansion (a billion strings) is never built
    assert "aliases" in str(caught.value) and str(path) in str(caught.value)


def test_alias_bomb_cli_validate_run_and_sweep_end_promptly(tmp_path):
    path = write(tmp_path, "bomb.yaml", alias_bomb())
    for command in (["validate"], ["run"], ["sweep"]):
        done = subprocess.run(
            [sys.executable, "-m", "sim", *command, str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,  # a hang, not slowness: the fixed run ends in about a second
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "expands to more than" in done.stderr
    assert list(tmp_path.iterdir()) == [path]


def test_expansion_just_below_the_limit_loads():
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n"
    assert load_yaml(text)["b"][2] == list(range(1, 10))
    wide = "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 250) + "]\n"
    with pytest.raises(UnsafeYaml):
        load_yaml(wide)  # 250,000 values
    assert MAX_VALUES < 250_000


def test_duplicate_keys_are_reported_with_lines(tmp_path):
    text = "name: dup\nconsumers: {count: 100}\n" + FIRM + "consumers: {count: 200}\n"
    path = write(tmp_path, "dup.yaml", text)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.path == "consumers" and "lines 2 and 5" in problem.rule


def test_nested_duplicates_all_reported_and_merge_keys_still_work():
    with pytest.raises(UnsafeYaml) as caught:
        load_yaml("a: {x: 1, x: 2}\nb:\n  - {y: 1, y: 1}\n")
    assert [issue.path for issue in caught.value.issues] == ["a.x", "b.0.y"]
    data = load_yaml("base: &b {x: 1, y: 2}\nthis:\n  <<: *b\n  x: 3\n")
    assert data["this"] == {"x": 3, "y": 2}


@pytest.mark.parametrize("value", ["true", "yes", "false", "on"])
def test_booleans_are_not_counts(value):
    text = f"name: b\nconsumers: {{count: {value}}}\n" + FIRM
    with pytest.raises(InputError) as caught:
        load_scenario(load_yaml(text))
    (problem,) = caught.value.problems
    assert problem.path == "consumers.count" and "boolean" in problem.rule


def test_booleans_are_not_sweep_numbers():
    data = load_yaml(
        "name: s\nscenario: baseline\nreplications: true\n"
        "parameters: {x: {path: consumers.count, levels: [100, 200]}}\n"
    )
    with pytest.raises(InputError) as caught:
        load_sweep(data)
    assert any(p.path == "replications" and "boolean" in p.rule for p in caught.value.problems)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_numbers_are_refused_with_their_field(value):
    text = f"name: b\nfirms:\n  - {{name: a, strategy: customer_obsessed, cash: {value}}}\n"
    with pytest.raises(InputError) as caught:
        load_scenario(load_yaml(text))
    (problem,) = caught.value.problems
    assert problem.path == "firms.0.cash" and "finite" in problem.rule


def test_binary_and_recursive_files_are_named(tmp_path):
    binary = tmp_path / "garbage.yaml"
    binary.write_bytes(bytes(range(256)) * 8)
    recursive = write(tmp_path, "loop.yaml", "name: s\nfirms: &f\n  - {name: a, extra: *f}\n")
    deep = write(tmp_path, "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    for path, words in ((binary, "not a text file"), (recursive, "contains it"), (deep, "nested")):
        with pytest.raises(InputError) as caught:
            read_yaml(path)
        assert str(path) in str(caught.value) and words in str(caught.value)


def test_validate_reports_every_file_and_names_folders(tmp_path, capsys):
    binary = tmp_path / "garbage.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code = main(["validate", str(binary), str(tmp_path), "baseline"])
    err = capsys.readouterr()
    assert code == 2
    assert "garbage.yaml" in err.err and "is a folder" in err.err
    assert "ok: baseline" in err.out


def test_sweep_and_scenario_files_are_told_apart(capsys):
    assert main(["validate", str(ROOT / "experiments" / "screening.yaml")]) == 2
    err = capsys.readouterr().err
    assert "this is a sweep file" in err and "unknown key" not in err
    assert main(["sweep", str(ROOT / "scenarios" / "baseline.yaml"), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "this is a scenario file" in err and "unknown key" not in err


def test_problem_preview_is_bounded():
    huge = {"k": ["x" * 50] * 100_000}
    started = time.perf_counter()
    text = preview(huge)
    assert len(text) <= 170 and text.endswith("...")
    assert time.perf_counter() - started < 5
    assert preview([1, "a", None]) == '[1, "a", null]'


def test_tagged_values_pyyaml_cannot_build_are_reported(tmp_path):
    path = write(tmp_path, "tag.yaml", "name: t\nsteps: !!float \n" + FIRM)
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert "cannot be read" in str(caught.value) and str(path) in str(caught.value)
