"""Migration 3: document keys made with the one name normaliser (``extract.vocabulary.comparison_key``).

Keys were made with a normaliser of the warehouse's own, which kept trademark marks written as
letters ("BlueCareSM" → "bluecaresm"); ``comparison_key`` drops them, as every other layer does.
Each key is recomputed from the payer and title of its latest version (a file-name suffix after
``#`` stays as it is), in every table that holds keys. Where two keys would become one, both stay
as they were: versions of different documents are never merged.
"""

from __future__ import annotations

from collections import Counter

import duckdb

from extract.vocabulary import comparison_key

TABLES = ("documents", "document_versions", "doc_rule_counts", "rule_changes")


def new_keys(rows: list[tuple[str, str, str, int]]) -> dict[str, str]:
    """old key → new key, from (doc_key, payer, title, version) rows; keys that do not change are left out."""
    latest: dict[str, tuple[int, str, str]] = {}
    for key, payer, title, version in rows:
        if key not in latest or version > latest[key][0]:
            latest[key] = (version, payer or "", title or "")
    proposed = {}
    for key, (_, payer, title) in latest.items():
        _, sep, suffix = key.partition("#")
        proposed[key] = f"{comparison_key(payer)}|{comparison_key(title)}" + (f"#{suffix}" if sep else "")
    counts = Counter(proposed.values())
    unchanged = {k for k, v in proposed.items() if k == v}
    return {k: v for k, v in proposed.items() if k != v and counts[v] == 1 and v not in unchanged}


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT doc_key, payer, title, version FROM documents").fetchall()
    mapping = new_keys(rows)
    if not mapping:
        return
    con.execute(
        "CREATE TEMP TABLE _key_map AS SELECT unnest(?::VARCHAR[]) AS old, unnest(?::VARCHAR[]) AS new",
        [list(mapping), list(mapping.values())],
    )
    for table in TABLES:
        con.execute(f"UPDATE {table} SET doc_key = m.new FROM _key_map m WHERE {table}.doc_key = m.old")
    con.execute("DROP TABLE _key_map")
