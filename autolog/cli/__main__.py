"""``python -m autolog.cli``."""

import sys

from . import main

sys.exit(main())
