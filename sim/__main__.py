"""``python -m sim`` runs the ``flywheel`` command."""

import sys

from sim.cli import main

sys.exit(main())
