"""``python -m sim`` runs the ``flywheel`` command."""

import sys

from sim.cli.main import main

sys.exit(main())
