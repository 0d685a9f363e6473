"""The browser Play page (sim/play/page.py), driven without a browser."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from sim.play import page  # noqa: E402
from sim.play.engine import Game  # noqa: E402


def fields(rc) -> dict:
    return {w.label: w for w in rc.find(v.TextField).widgets}


def field(rc, start: str):
    return next(w for label, w in fields(rc).items() if label.startswith(start))


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def alerts(rc) -> list[str]:
    return [str(w.children) for w in rc.find(v.Alert).widgets]


def titles(rc) -> list[str]:
    return [str(w.children) for w in rc.find(v.CardTitle).widgets]


def test_decision_from_form_checks_every_entry_at_once():
    game = Game("baseline", steps=26, overrides={"consumers.count": 1500})
    briefing = game.begin()
    texts = {**page.form_texts(briefing.defaults), "price": "cheap", "payout": "-1"}
    decision, problems = page.decision_from_form(briefing, texts, None, None)
    assert decision is None and len(problems) == 2
    texts = {**page.form_texts(briefing.defaults), "price": "31.5", "marketing": "1,200"}
    decision, problems = page.decision_from_form(briefing, texts, None, None)
    assert problems == []
    assert decision == briefing.defaults.with_entries({"price": 31.5, "marketing": 1200.0})
    game.abandon()


def test_setup_rejects_bad_numbers():
    with pytest.raises(ValueError, match="consumers must be a whole number"):
        page.new_game("baseline", "", "", "", "many")
    with pytest.raises(ValueError, match="did you mean"):
        page.new_game("baseline", "Obsesed 1", "", "26", "1500")


def test_a_game_in_the_page_from_setup_to_saved_run_folder(tmp_path):
    _box, rc = solara.render(page.Page(), handle_error=False)
    field(rc, "consumers").v_model = "1500"
    field(rc, "weeks").v_model = "39"
    field(rc, "seed").v_model = "five"
    click(rc, "Start")
    assert any("seed must be a whole number" in text for text in alerts(rc))
    field(rc, "seed").v_model = "5"
    click(rc, "Start")
    assert any("quarter 1 of 3" in title for title in titles(rc))
    field(rc, "price").v_model = "abc"
    click(rc, "Play the quarter")
    assert any("price must be a number" in text for text in alerts(rc))
    assert field(rc, "price").v_model == "abc"  # nothing was played
    field(rc, "price").v_model = "33"
    click(rc, "Play the quarter")
    assert any("quarter 2 of 3" in title for title in titles(rc))
    assert field(rc, "price").v_model == "33.00"  # the decision in force
    click(rc, "Undo the last quarter")
    assert any("quarter 1 of 3" in title for title in titles(rc))
    assert field(rc, "price").v_model == "40.00"  # back to quarter 1's defaults
    field(rc, "price").v_model = "34"
    click(rc, "Play the quarter")
    click(rc, "Keep these decisions to the end")
    assert any("Game over" in title for title in titles(rc))
    field(rc, "run folder").v_model = str(tmp_path / "game")
    click(rc, "Save the game as a run folder")
    out = tmp_path / "game"
    assert (out / "decisions.yaml").read_text().count("price: 34.0") == 3
    assert "## Ghost replay" in (out / "summary.md").read_text()
    assert (out / "figures" / "ghost_replay.png").is_file()
    click(rc, "New game")
    assert field(rc, "consumers").v_model == ""
