"""Pilotpuls: monitoring for publicly supported rural coworking offices.

This package only holds the command line; the work is done in ``models``,
``ingest`` and ``dashboard``.
"""

__version__ = "0.1.0"
