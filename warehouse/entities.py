"""The ``entities`` table: every name of every entity, from the vocabulary and from extraction.

It is derived data (vocabulary + the vendors extraction flagged new), rewritten only when it
differs from what is stored, which a build that changed nothing never does.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from extract import Vocabulary
from extract.vocabulary import Named

Row = tuple[str, str, str, str, str]  # kind, canonical name, alias, relation, source


def vocabulary_rows(vocab: Vocabulary) -> list[Row]:
    """Every name the vocabulary knows, with its relation to the canonical name."""
    rows: list[Row] = []

    def names(kind: str, items: Sequence[Named]) -> None:
        for it in items:
            rows.append((kind, it.name, it.name, "canonical", "vocabulary"))
            rows.extend((kind, it.name, a, "alias", "vocabulary") for a in it.aliases)

    names("payer", vocab.payers)
    names("department", vocab.departments)
    names("lob", vocab.lines_of_business)
    names("service", vocab.services)
    names("group", vocab.employer_groups)
    for g in vocab.employer_groups:
        rows.extend(("group", g.name, n, "group_number", "vocabulary") for n in g.group_numbers)
    rows.extend(("service", s.name, s.within, "within", "vocabulary") for s in vocab.services if s.within)
    for kind, owned in (("lob", vocab.lines_of_business), ("department", vocab.departments)):
        rows.extend((kind, it.name, it.payer, "payer", "vocabulary") for it in owned if it.payer)
    for v in vocab.vendors:
        rows.append(("vendor", v.name, v.name, "canonical", "vocabulary"))
        rows.extend(("vendor", v.name, a, "alias", "vocabulary") for a in v.aliases)
        rows.extend(("vendor", v.name, a, "renamed_from", "vocabulary") for a in v.renamed_from)
        rows.extend(("vendor", v.name, a, "portal", "vocabulary") for a in v.portals)
    return rows


def refresh(con: duckdb.DuckDBPyConnection, vocab: Vocabulary) -> None:
    """Make ``entities`` the vocabulary's names plus the new vendors of every stored statement."""
    rows = vocabulary_rows(vocab)
    extracted = con.execute("SELECT DISTINCT vendor, vendor_as_stated FROM statements WHERE vendor_new").fetchall()
    rows += [("vendor", name, stated or name, "as_stated", "extracted") for name, stated in extracted]
    stored = con.execute("SELECT kind, name, alias, relation, source FROM entities").fetchall()
    if sorted(stored) == sorted(rows):
        return
    con.execute("DELETE FROM entities")
    if rows:
        con.execute(
            "INSERT INTO entities (kind, name, alias, relation, source) SELECT "
            + ", ".join("unnest(?::VARCHAR[])" for _ in range(5)),
            [list(c) for c in zip(*rows)],
        )
