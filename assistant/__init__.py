"""Hearth: an offline voice companion that leads couples through conversation games."""

__version__ = "0.1.0"
