"""Leveller: a self-hosted distributed-organising workspace for membership movements."""

__version__ = "0.1.0"
