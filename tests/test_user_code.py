"""Errors in users' strategies name the firm, the class, the quarter, the file and line."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.strategies.user_code import StrategyError

STRATEGIES = textwrap.dedent(
    """\
    from sim.strategies.base import Decision, Strategy


    class Boom(Strategy):
        name = "boom"

        def decide(self, firm, view):
            if view.week >= 26:
                return Decision(price=firm.cash / 0)
            return Decision(price=40.0)


    class Negative(Strategy):
        name = "negative"

        def decide(self, firm, view):
            return Decision(price=-1.0)


    class Nothing(Strategy):
        name = "nothing"

        def decide(self, firm, view):
            return None
    """
)


def scenario(folder: Path, module: str, cls: str) -> Path:
    (folder / f"{module}.py").write_text(STRATEGIES, encoding="utf-8")
    path = folder / f"{module}_{cls}.yaml"
    path.write_text(
        f"name: user\nsteps: 40\nconsumers: {{count: 300}}\nfirms:\n"
        f"  - {{name: Acme, strategy: '{module}:{cls}'}}\n"
        f"  - {{name: Other, strategy: customer_obsessed}}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    return tmp_path


def test_a_raising_strategy_is_named_with_quarter_file_and_line(here, capsys):
    path = scenario(here, "strategies_boom", "Boom")
    assert main(["run", str(path), "--quiet", "--out", str(here / "run")]) == 1
    err = capsys.readouterr().err
    assert "firm 'Acme' (strategies_boom:Boom) failed in decide() in quarter 2 (week 26)" in err
    assert f"{here / 'strategies_boom.py'}, line 9: return Decision(price=firm.cash / 0)" in err
    assert "ZeroDivisionError" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 5
    assert not (here / "run").exists()


def test_a_rule_breaking_decision_names_the_users_line(here, capsys):
    path = scenario(here, "strategies_negative", "Negative")
    assert main(["run", str(path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "firm 'Acme' (strategies_negative:Negative)" in err
    assert "line 17: return Decision(price=-1.0)" in err
    assert "Decision.price must be finite and >= 0, got -1.0" in err


def test_a_wrong_return_type_is_named(here):
    import sim

    path = scenario(here, "strategies_nothing", "Nothing")
    with pytest.raises(StrategyError, match=r"decide\(\) must return a Decision, got NoneType"):
        sim.run(path)


def test_debug_shows_the_whole_traceback(here, capsys):
    path = scenario(here, "strategies_debug", "Negative")
    assert main(["run", str(path), "--quiet", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "__post_init__" in err


@pytest.mark.slow
def test_the_flywheel_script_imports_strategies_from_the_current_folder(tmp_path):
    script = Path(sys.executable).with_name("flywheel")
    if not script.is_file():
        pytest.skip("the flywheel script is not installed beside this Python")
    path = scenario(tmp_path, "strategies_script", "Negative")
    done = subprocess.run(
        [str(script), "validate", path.name], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [str(script), "run", path.name, "--quiet"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "strategies_script.py, line 17" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("def oops(:\n    pass\n", "line 1: SyntaxError"),
        ("x = 1\nraise KeyError('k')\n", "line 2: KeyError"),
    ],
)
def test_a_strategy_module_that_fails_to_import_is_a_problem(here, capsys, source, words):
    module = f"broken_{abs(hash(source))}"
    (here / f"{module}.py").write_text(source, encoding="utf-8")
    path = here / "broken.yaml"
    path.write_text(f"name: b\nfirms:\n  - {{name: A, strategy: '{module}:X'}}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{module}.py, {words}" in err and "Traceback" not in err
