"""``flywheel run --figures all|key|none``: figures are drawn only as asked."""

from __future__ import annotations

import pytest

from sim.cli.main import main
from sim.outputs.folders import KEY_FIGURES
from sim.scenario import InputError

ARGS = ["run", "baseline", "--steps", "14", "--set", "consumers.count=300", "--quiet"]


def drawn(out):
    folder = out / "figures"
    return sorted(p.stem for p in folder.glob("*.png")) if folder.is_dir() else []


def test_none_draws_no_figure_and_says_so(tmp_path):
    out = tmp_path / "none"
    assert main([*ARGS, "--out", str(out), "--figures", "none"]) == 0
    assert not (out / "figures").exists()
    assert (out / "firms.parquet").is_file()
    assert "No figures were drawn (`--figures none`)" in (out / "summary.md").read_text()


def test_key_draws_exactly_the_key_figures(tmp_path):
    out = tmp_path / "key"
    assert main([*ARGS, "--out", str(out), "--figures", "key"]) == 0
    assert drawn(out) == sorted(KEY_FIGURES)
    assert "Only the key figures were drawn" in (out / "summary.md").read_text()


@pytest.mark.slow
def test_default_draws_all_figures_and_no_note(tmp_path):
    out = tmp_path / "all"
    assert main([*ARGS, "--out", str(out)]) == 0
    figures = drawn(out)
    assert set(KEY_FIGURES) < set(figures)
    assert "vitality" in figures
    summary = (out / "summary.md").read_text()
    assert "were drawn" not in summary


def test_tables_do_not_depend_on_the_figures_drawn(tmp_path):
    main([*ARGS, "--out", str(tmp_path / "a"), "--figures", "none"])
    main([*ARGS, "--out", str(tmp_path / "b"), "--figures", "key"])
    for table in ("firms.parquet", "model.parquet"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


def test_an_unknown_choice_is_refused_before_anything_is_written(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([*ARGS, "--out", str(tmp_path / "x"), "--figures", "some"])
    assert "invalid choice" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_save_refuses_an_unknown_choice_naming_the_option(tmp_path):
    import sim

    result = sim.run("baseline", steps=2, overrides={"consumers.count": 100})
    with pytest.raises(InputError, match="--figures"):
        result.save(tmp_path / "y", figures="few")
    assert not (tmp_path / "y").exists()
