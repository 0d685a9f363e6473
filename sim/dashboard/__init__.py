"""Classroom dashboard: ``flywheel dashboard`` serves a page that runs a scenario live.

The server (:mod:`sim.dashboard.server`) runs the model; the page
(``sim/dashboard/static``) draws it, with no file from outside the package, so it works
offline. :mod:`sim.dashboard.session` turns a run into the rows the page draws and
:mod:`sim.dashboard.guides` holds the texts students read.
"""
