"""Several students in one market: ``flywheel dashboard --class SCENARIO --seats N``.

:mod:`sim.classroom.game` holds the game (seats as decision sources, the quarter loop,
the replayable log); :mod:`sim.classroom.server` serves the student, instructor and
projector pages from ``sim/classroom/static``.
"""
