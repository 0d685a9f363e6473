"""What a run shows: the summary, its sections, figures, HTML reports and debriefs."""
