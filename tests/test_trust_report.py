"""The summary and figures of a run with trust on; nothing changes for runs without it."""

import sim
from sim.outputs.sections import applicable
from sim.outputs.sections.trust import signed_dollars, trust_lines


def test_summary_and_figure_show_the_trust_gap(tmp_path):
    result = sim.run("casper_imitators", steps=60, overrides={"consumers.count": 600})
    lines = trust_lines(result)
    assert "## Trust before buying" in lines
    assert any(line.startswith("- **Direct brand**: trust gap") for line in lines)
    result.save(tmp_path)
    assert (tmp_path / "figures" / "trust.png").stat().st_size > 0
    assert "## Trust before buying" in (tmp_path / "summary.md").read_text()


def test_runs_without_trust_have_no_trust_section(tmp_path):
    result = sim.run("baseline", steps=13, overrides={"consumers.count": 300})
    assert "trust" not in [section.name for section in applicable(result)]
    result.save(tmp_path)
    assert not (tmp_path / "figures" / "trust.png").exists()
    assert "Trust before buying" not in (tmp_path / "summary.md").read_text()


def test_signed_dollars():
    assert signed_dollars(5.624) == "$5.62"
    assert signed_dollars(-0.531) == "-$0.53"
