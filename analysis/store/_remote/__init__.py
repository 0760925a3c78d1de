"""Warehouse sources: a CRM in PostgreSQL or Spark measured where it lives (Ibis expressions run by the engine;
read-only; only aggregates and a minimized sample come out, and what came out is recorded).

Snowflake, BigQuery, Trino and the other Ibis backends are one :func:`connect` branch away: every query is an
Ibis expression (:mod:`analysis.store._remote._warehouse`), never engine-specific SQL text.
"""

from analysis.store._remote._connect import ENV_SPARK_MASTER, Connection, SourceError, connect, describe, is_warehouse
from analysis.store._remote._risk import RemoteQueries, RemoteTable
from analysis.store._remote._warehouse import PULLED_ROLES, Warehouse

__all__ = ["ENV_SPARK_MASTER", "PULLED_ROLES", "Connection", "RemoteQueries", "RemoteTable", "SourceError",
           "Warehouse", "connect", "describe", "is_warehouse"]
