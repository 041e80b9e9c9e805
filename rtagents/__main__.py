"""``python -m rtagents``: the same as the ``rtagents`` command."""

import sys

from .cli import main

sys.exit(main())
