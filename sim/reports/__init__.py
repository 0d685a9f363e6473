"""``flywheel report``: one self-contained HTML file for runs, or a class game's debrief."""
