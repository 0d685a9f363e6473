"""Runs for tests that do not read the flywheel meter, which they may switch off.

The meter only measures: with it off every table but its own is identical, in every
shipped scenario (``test_flywheel_meter.py``), and a run costs about half as much.
"""

WITHOUT_METER = {"flywheel_meter.enabled": False}
