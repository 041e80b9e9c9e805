"""Benchmarks. ``python -m benchmarks`` runs them all and prints one JSON document.

Each module has ``run() -> dict``. Every figure stands beside a baseline measured in the
same run, because shared machines are noisy: compare ratios, not absolute times.
"""
