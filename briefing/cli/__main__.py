"""Allow ``python -m briefing.cli``, like ``briefing``."""

import sys

from briefing.cli import main

sys.exit(main())
