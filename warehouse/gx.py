"""great-expectations plumbing: its import ahead of the suites (``payerkg.validator`` imports it while a
build parses), and a SQL datasource on a DuckDB connection that the suites' queries run on, inside
that connection's transaction."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import duckdb

_log = logging.getLogger(__name__)


def import_gx() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import duckdb_engine  # noqa: F401
            import great_expectations
            import great_expectations.expectations  # noqa: F401
            import sqlalchemy  # noqa: F401
        except Exception:  # run_suites imports again and reports what is wrong
            _log.debug("prefetching great-expectations failed", exc_info=True)


def _engine(con: duckdb.DuckDBPyConnection) -> Any:
    """A SQLAlchemy engine whose one connection is ``con`` itself, inside the caller's transaction:
    great-expectations' queries see the build's uncommitted rows, and its BEGIN, COMMIT, ROLLBACK
    and close are no-ops (the build's transaction is the load's to end)."""
    import sqlalchemy as sa
    from duckdb_engine import ConnectionWrapper
    from sqlalchemy.pool import StaticPool

    class InTransaction(ConnectionWrapper):
        def begin(self) -> None:
            pass

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

        def close(self) -> None:
            pass

    shared = InTransaction(con)
    return sa.create_engine(
        "duckdb:///:memory:", creator=lambda: shared, poolclass=StaticPool, pool_reset_on_return=None
    )


def datasource(ctx: Any, con: duckdb.DuckDBPyConnection) -> tuple[Any, Any]:
    """A SQL datasource of ``ctx`` that runs on ``con`` (not on a connection of its own, which would not
    see the build's rows until COMMIT), and its engine (dispose it when done)."""
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    engine = _engine(con)
    source = ctx.data_sources.add_sql("payerkg", connection_string="duckdb:///:memory:")
    execution = SqlAlchemyExecutionEngine(engine=engine, create_temp_table=False)
    object.__setattr__(source, "_execution_engine", execution)
    object.__setattr__(source, "get_execution_engine", lambda: execution)
    return source, engine
