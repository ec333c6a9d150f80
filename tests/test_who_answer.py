"""``who`` answers like a person: rows that say the same thing grouped, conditions next to each verdict,
the most specific rules first, and a one-line answer at the end."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from typer.testing import CliRunner

from extract import Requirement, Scope, Segment
from factories import Line, Memo, vocab
from payerkg.cli import app
from warehouse import LoadBatch, Warehouse
from warehouse.who import Question, who

ZEPHYR, QUILLON = "Zephyr Care Partners", "Quillon Health Partners"
ER = "in the emergency room, an observation stay or an inpatient admission"
BCBSMA = "Blue Cross Blue Shield of Massachusetts"


def load(db: Path, batch: LoadBatch) -> None:
    with Warehouse(db) as wh:
        wh.load(batch)


def conditioned(batch: LoadBatch, quote_start: str, conditions: str) -> LoadBatch:
    """``batch`` with ``conditions`` on the statements whose quote starts with ``quote_start``."""
    parsed = [
        dataclasses.replace(
            p,
            statements=[
                dataclasses.replace(s, conditions=conditions).with_id() if s.quote.startswith(quote_start) else s
                for s in p.statements
            ],
        )
        for p in batch.parsed
    ]
    return dataclasses.replace(batch, parsed=parsed)


def ask(db: Path, **question):
    with Warehouse(db, read_only=True) as wh:
        return who(wh, Question("genetic testing", **question), vocab()).explained()


def build_page(corpus, db_path) -> None:
    corpus.put(
        Memo(
            "Genetic testing program",
            [
                Line("Commercial PPO — Most fully insured groups", scope=Scope.MOST),
                Line("Medicare Choice — Most groups", line_of_business="Medicare Choice", scope=Scope.MOST),
                Line("Not required in the ER for Commercial PPO", requirement=Requirement.NOT_REQUIRED),
                Line(
                    "Not required in the ER for Medicare Choice",
                    line_of_business="Medicare Choice",
                    requirement=Requirement.NOT_REQUIRED,
                ),
                Line(
                    "Federal plan members are not part of the program",
                    line_of_business="Federal Plan",
                    scope=Scope.NONE,
                ),
            ],
            source="program.md",
        )
    )
    corpus.put(
        Memo(
            "Genetic testing program, restated",
            [Line("Commercial PPO — Most fully insured groups, as before", scope=Scope.MOST)],
            source="restated.md",
        )
    )
    load(db_path, conditioned(corpus.batch(), "Not required in the ER", ER))


def test_rows_that_say_the_same_thing_are_one_with_their_conditions(corpus, db_path):
    build_page(corpus, db_path)
    answer = ask(db_path)
    assert [(g.label, g.vendor, g.members) for g in answer.groups] == [
        ("handles (most)", ZEPHYR, "Commercial PPO (fully insured); Medicare Choice (fully insured)"),
        (f"not required — {ER}", ZEPHYR, "Commercial PPO (fully insured); Medicare Choice (fully insured)"),
        ("does not manage", ZEPHYR, "Federal Plan (fully insured)"),
    ]
    handles = answer.groups[0]
    assert len(handles.findings) == 3 and len(handles.sources) == 3  # two documents, three sentences
    assert answer.sentence == (
        "Zephyr Care Partners handles it for most Commercial PPO and Medicare Choice members; "
        f"not required {ER}; Federal Plan excluded."
    )


def test_the_most_specific_rules_come_first(corpus, db_path):
    corpus.put(
        Memo(
            "Genetic testing",
            [
                Line("Every line — all groups", line_of_business="all", segment=Segment.ALL, vendor=QUILLON),
                Line("Commercial PPO — all groups", segment=Segment.GROUP),
                Line(
                    "Commercial PPO — fully insured — Exception: Contoso Steel Retirees",
                    exceptions=("Contoso Steel Retirees",),
                    alternate="Fabrikam Review",
                ),
                Line("Commercial PPO — fully insured, with conditions", vendor=QUILLON),
            ],
            source="g.md",
        )
    )
    load(db_path, conditioned(corpus.batch(), "Commercial PPO — fully insured, with", "adults only"))
    answer = ask(db_path, line_of_business="Commercial PPO", segment="fully_insured", group="Contoso Steel Retirees")
    assert [(g.verdict, g.vendor, g.members) for g in answer.groups] == [
        ("redirected", "Fabrikam Review", "Commercial PPO (fully insured)"),  # names the member's group
        ("excepted", ZEPHYR, "Commercial PPO (fully insured)"),
        ("handles", QUILLON, "Commercial PPO (fully insured)"),  # the question's line and segment, conditions last
        ("handles", ZEPHYR, "Commercial PPO (group)"),  # groups in general
        ("handles", QUILLON, "every line"),  # every line, every segment
    ]
    assert answer.sentence.startswith(
        "Quillon Health Partners handles it for all Commercial PPO members (adults only) and all members; "
        "Zephyr Care Partners handles it for all Commercial PPO members; "
        "Fabrikam Review handles it for Contoso Steel Retirees instead of Zephyr Care Partners"
    )


def test_no_answer_says_so(corpus, db_path):
    build_page(corpus, db_path)
    with Warehouse(db_path, read_only=True) as wh:
        answer = who(wh, Question("sleep studies"), vocab()).explained()
    assert (answer.groups, answer.sentence) == ([], "No rule answers this question.")


def test_who_for_high_tech_imaging_prints_conditions_and_no_duplicate_rows(seed_build):
    """The BCBSMA provider page states high-tech imaging twice for several lines (all commercial and
    Medicare Advantage members; most commercial HMO/POS, PPO and Medicare Advantage HMO members in the
    elective outpatient setting) and excludes the Federal Employee Program."""
    db = seed_build[1]
    args = ["who", "-s", "high-tech imaging", "--payer", BCBSMA, "--db", str(db), "--format", "table"]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    with Warehouse(db, read_only=True) as wh:
        answer = who(wh, Question("high-tech imaging", payer=BCBSMA)).explained()
    findings = [f for g in answer.groups for f in g.findings]
    assert len(answer.groups) < len(findings)  # rows that say the same thing are one
    keys = [(g.verdict, g.vendor, g.first.scope, g.first.conditions, g.first.quote) for g in answer.groups]
    assert len(keys) == len(set(keys))  # no duplicate row
    conditions = {f.conditions for f in findings if f.conditions}
    assert conditions and all(any(c in g.label for g in answer.groups) for c in conditions)  # next to the verdict
    printed = run.stdout.splitlines()
    heads = [line for line in printed if line.startswith("[")]  # each group in full, its conditions too
    assert heads == [f"[{n}] {g.label} · {g.vendor} · {g.members}" for n, g in enumerate(answer.groups, 1)]
    assert all(any(c in h for h in heads) for c in conditions)
    quotes = [line for line in printed if line.startswith("    ")]
    assert len(quotes) == len(set(quotes)) == sum(len(g.sources) for g in answer.groups)
    last = printed[-1]
    assert last == f"Answer: {answer.sentence}"
    assert last.startswith(
        "Answer: Carelon Medical Benefits Management handles it for all Commercial and Medicare Advantage"
    )
    assert last.endswith("; Federal Employee Program excluded.")
