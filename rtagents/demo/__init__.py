"""The demo: ``rtagents demo`` (and ``make demo``). See ``run.py``."""
