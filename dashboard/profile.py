"""What is held, as aggregates only: rows, columns by role and category, consent rates (small cells hidden)."""

from __future__ import annotations

import polars as pl

from analysis import CRMData, Store
from analysis.formatting import SMALL_CELL
from analysis.formatting import count as _count


def consent_rates(data: CRMData) -> pl.DataFrame:
    """Share of customers who consented, per consent purpose (hidden when fewer than 5 customers)."""
    rows = []
    for c in data.schema.columns:
        if c.role == "consent":
            n, mean = data.column_summary(c.name)  # counted in DuckDB unless the customers are in memory
            rate = mean if n >= SMALL_CELL else None
            rows.append({"purpose": c.purpose or c.name, "customers": _count(n), "consent_rate": rate})
    return pl.DataFrame(rows, schema={"purpose": pl.String, "customers": pl.String, "consent_rate": pl.Float64})


def columns_by_role(data: CRMData) -> pl.DataFrame:
    """How many columns of each role and data category are held (names of columns only, no values)."""
    frame = pl.DataFrame(
        [{"role": c.role.replace("_", " "), "category": c.category or "—", "column": c.name}
         for c in data.schema.columns],
        schema={"role": pl.String, "category": pl.String, "column": pl.String},
    )
    return (frame.group_by("role", "category", maintain_order=True)
            .agg(pl.len().alias("columns"), pl.col("column").str.join(", ").alias("column names"))
            .sort("role", "category"))


def dataset_rows(store: Store) -> pl.DataFrame:
    rows = [{"dataset": d.name, "entity": d.entity, "rows": _count(int(d.rows)), "description": d.dictionary.description}
            for d in store.datasets()]
    return pl.DataFrame(rows, schema={"dataset": pl.String, "entity": pl.String, "rows": pl.String,
                                      "description": pl.String})


def headline(data: CRMData) -> dict:
    """Customers, the personalization consent rate and the data categories held."""
    consent = data.schema.consent_column("personalization")
    rate = None
    if consent is not None and data.n_customers >= SMALL_CELL:
        rate = data.column_summary(consent)[1]
    return {"customers": data.n_customers, "consent_rate": rate,
            "categories": tuple(data.schema.categories_held)}
