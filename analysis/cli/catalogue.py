"""``python -m analysis catalogue``: the catalogue of what PrivacyLift computes, as Markdown (CATALOGUE.md)."""

from __future__ import annotations

__all__ = ["cmd_catalogue"]


def cmd_catalogue(args) -> int:
    from analysis.catalogue import catalogue

    print(catalogue(), end="")
    return 0
