"""A class period: ``flywheel class SCENARIO --seats N [--markets M] [--quarters Q]``.

:mod:`sim.classroom.game` holds the game (seats over markets, the quarter loop, End
now); :mod:`sim.classroom.market` the seat strategy and the markets;
:mod:`sim.classroom.seats` claims and the instructor's seat controls;
:mod:`sim.classroom.scoring` the scoring rules; :mod:`sim.classroom.views` what each
page sees; :mod:`sim.classroom.log` replay and resume; :mod:`sim.classroom.server`
serves the student, instructor and projector pages from ``sim/classroom/static``.
"""
