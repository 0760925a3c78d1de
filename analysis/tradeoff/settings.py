"""The business inputs of the net value (all PrivacyLift assumptions, overridable)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analysis.scenario import PRESETS

__all__ = ['BusinessSettings']


_REQUIREMENTS = {"horizon_years": "1 or 3", "risk_tolerance": "pairs of (loss > 0, probability in (0, 1])"}


@dataclass(frozen=True)
class BusinessSettings:
    """Business inputs of the net value (all PrivacyLift assumptions; override them for your business).

    Parameters
    ----------
    value_per_conversion : float
        Contribution margin of one extra conversion, USD (assumption: 40).
    campaigns_per_year : int
        Personalized campaigns a year, each earning the measured incremental conversions (assumption: 12,
        a monthly programme).
    horizon_years : int
        Horizon of the net value (1 or 3 years are shown; default 3).
    current_practice : str
        The scenario that describes what the business does today (marked on charts).
    risk_tolerance : tuple of (loss USD, largest acceptable yearly probability of exceeding it)
        The risk appetite drawn over loss exceedance curves (pyfair's risk tolerance curve). Assumption:
        a 10 % chance a year of losing $100k, 2 % of $1M, 0.5 % of $10M.
    """

    value_per_conversion: float = 40.0
    campaigns_per_year: int = 12
    horizon_years: int = 3
    current_practice: str = PRESETS[0].name
    risk_tolerance: tuple[tuple[float, float], ...] = ((1e5, 0.10), (1e6, 0.02), (1e7, 0.005))

    def tolerance_frame(self) -> pl.DataFrame:
        """The risk tolerance curve, for :func:`analysis.charts.exceedance_chart` (columns loss, probability)."""
        return pl.DataFrame(list(self.risk_tolerance), schema={"loss": pl.Float64, "probability": pl.Float64},
                            orient="row")

    def __post_init__(self) -> None:
        for name, ok in (
            ("value_per_conversion", self.value_per_conversion >= 0),
            ("campaigns_per_year", self.campaigns_per_year >= 0),
            ("horizon_years", self.horizon_years in (1, 3)),
            ("risk_tolerance", all(loss > 0 and 0 < p <= 1 for loss, p in self.risk_tolerance)),
        ):
            if not ok:
                raise ValueError(
                    f"The {name!r} parameter of BusinessSettings must be "
                    f"{_REQUIREMENTS.get(name, '≥ 0')}. Got {getattr(self, name)!r} instead."
                )


