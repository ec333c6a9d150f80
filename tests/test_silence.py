"""Silence is never success (issue 17): a document that gives no rules, no payer or sentences payerkg
could not read is named in the build summary (``--strict`` fails on it); a build never retires most
of a corpus by accident; ``who`` tells an unknown name from "no vendor" and says where a service is."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from typer.testing import CliRunner

import payerkg
from conftest import DATA
from factories import SOUTHBAY, SPRING
from payerkg.cli import app
from warehouse import RetirementRefusedError, Warehouse
from warehouse.plan import plan_documents
from warehouse.snapshot import read_index

SILENCE = DATA / "silence"
NEWS = SILENCE / "fabrikam_news.html"  # an invented payer's news page: no rule in it
UNSIGNED = SILENCE / "unsigned_notice.md"  # one rule, and no payer named anywhere


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


# -- documents that need a look ------------------------------------------------------------------------
@pytest.mark.slow  # three builds (great-expectations)
def test_a_document_that_yields_nothing_is_named_and_strict_fails(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(NEWS, folder)
    db = str(tmp_path / "news.duckdb")
    first = _cli("build", str(folder), "--db", db)
    assert first.exit_code == 0, first.output
    expected = f"  {folder / NEWS.name}: no rules; nothing in it names a vendor or uses delegation language"
    assert "1 document(s) to look at (build --strict fails on these):" in first.stderr
    assert expected in first.stderr.splitlines()
    # nothing changed since: the document is still named, and --strict fails on it
    again = _cli("build", str(folder), "--db", db, "--strict")
    assert again.exit_code == 3, again.output
    assert "1 unchanged" in again.stderr and expected in again.stderr.splitlines()
    report = payerkg.build([folder], db=db)
    assert [(n.source, n.kinds) for n in report.notices] == [(str(folder / NEWS.name), ("no_rules",))]


def test_a_document_without_a_payer_is_named(tmp_path):
    report = payerkg.build([UNSIGNED], db=tmp_path / "u.duckdb")
    assert report.result.rules == 1
    [notice] = report.notices
    assert notice.kinds == ("no_payer",)
    assert notice.reason == "no payer named (filed under 'unknown payer')"


def test_the_seeds_are_named_for_the_sentences_they_could_not_read(seed_build):
    _, _, report = seed_build
    assert len(report.notices) == 5 and {n.kinds for n in report.notices} == {("unexplained",)}
    with Warehouse(seed_build[1], read_only=True) as wh:
        counts = dict(wh.query("SELECT source, count(*) FROM unexplained_mentions GROUP BY 1")[1])
    for n in report.notices:
        assert n.reason.startswith(
            f"{counts[n.source]} sentence(s) not understood (unexplained_mentions), the first on p"
        )


# -- retirement ----------------------------------------------------------------------------------------
def test_a_build_that_would_retire_most_documents_refuses_without_prune(corpus, db_path):
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
        ids = [d for d, _ in wh.loaded().items()]
    corpus.drop(SPRING.source)
    corpus.drop(SOUTHBAY.source)  # the folder is empty now
    with Warehouse(db_path) as wh:
        with pytest.raises(RetirementRefusedError) as e:
            wh.load(corpus.batch())
        assert "would retire 2 of the 2 active documents under its inputs" in str(e.value)
        assert "bulletin.md, southbay.md" in str(e.value) and "--prune" in str(e.value)
        # refused before anything was written: both documents are active, no build was recorded
        assert wh.query("SELECT count(*) FROM documents WHERE status = 'active'")[1] == [(2,)]
        assert wh.query("SELECT count(*) FROM builds")[1] == [(1,)]
        pruned = wh.load(dataclasses.replace(corpus.batch(), prune=True))
    assert pruned.retired == 2 and len(ids) == 2


def test_retiring_half_or_less_needs_no_prune(corpus, db_path):
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    corpus.drop(SOUTHBAY.source)
    with Warehouse(db_path) as wh:
        batch = corpus.batch(loaded=wh.loaded())
        plan = plan_documents(batch, read_index(wh.con))
    assert len(plan.retired) == 1  # 1 of 2: ordinary upkeep


@pytest.mark.slow  # three builds
def test_building_an_emptied_folder_refuses_and_prune_retires(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc in (NEWS, UNSIGNED):
        shutil.copy(doc, folder)
    db = str(tmp_path / "e.duckdb")
    assert _cli("build", str(folder), "--db", db).exit_code == 0
    for doc in folder.iterdir():
        doc.unlink()
    refused = _cli("build", str(folder), "--db", db)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(
        f"build refused: {folder}: this build would retire 2 of the 2 active documents under its inputs"
    )
    assert len(refused.stderr.strip().splitlines()) == 1
    pruned = _cli("build", str(folder), "--db", db, "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert "0 files;" in pruned.stderr and "2 retired" in pruned.stderr and "warning: no document" in pruned.stderr


# -- who: unknown names, close names, where the service is --------------------------------------------
@pytest.fixture
def spring_kb(corpus, db_path):
    corpus.put(SPRING)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    with payerkg.open(db_path, config={"vocab": DATA / "conflicts" / "vocab.yml"}) as kb:
        yield kb


def test_who_suggests_close_names_for_an_unknown_service_or_line(spring_kb):
    answer = spring_kb.who("genetic tests")
    assert answer.findings == [] and answer.hints.unknown == {"service": "genetic tests"}
    assert answer.hints.suggestions == {"service": ["genetic testing"]}
    answer = spring_kb.who("genetic testing", line_of_business="Comercial PPO")
    assert answer.hints.suggestions == {"line_of_business": ["Commercial PPO"]}
    # an excepted group's misspelling: the answer stands, the close name is offered
    answer = spring_kb.who("genetic testing", group="Contoso Steel Retiree")
    assert answer.findings and answer.hints.suggestions == {"group": ["Contoso Steel Retirees"]}
    # a group no rule names and nothing is close to: no exception applies, nothing to say
    assert not spring_kb.who("genetic testing", group="Tailspin Toys").hints


def test_who_says_where_the_service_is_covered_when_nothing_matches(spring_kb):
    answer = spring_kb.who("genetic testing", line_of_business="Medicare Choice", segment="individual")
    assert answer.findings == [] and not answer.hints.unknown
    covered = [(c.payer, c.line_of_business, c.segments) for c in answer.hints.covered_for]
    assert covered == [
        ("Northwind Health Plan", "Commercial PPO", ("fully_insured", "self_funded")),
        ("Northwind Health Plan", "Medicare Choice", ("group",)),
    ]
    nothing_close = spring_kb.who("polysomnography")
    assert nothing_close.hints.unknown == {"service": "polysomnography"}
    assert nothing_close.hints.services == ["genetic testing", "sleep studies"]


@pytest.mark.parametrize(
    ("service", "says"),
    [
        ("high tech imaging", "no rule and no vocabulary entry knows the service 'high tech imaging'; "
         "did you mean 'high-tech imaging'?"),
        ("polysomnography", "no rule and no vocabulary entry knows the service 'polysomnography'"),
    ],
)  # fmt: skip
def test_who_on_the_seeds_tells_an_unknown_service_from_no_vendor(seed_build, service, says):
    res = _cli("who", "-s", service, "--db", str(seed_build[1]), "--format", "table")
    assert res.exit_code == 1
    assert says in res.stderr.splitlines()
    assert res.stdout.splitlines()[-1] == "Answer: No rule answers this question."
    if service == "polysomnography":
        assert "sleep studies" in res.stderr.split("services with rules: ", 1)[1]


def test_who_lists_the_lines_a_service_has_rules_for(seed_build):
    michigan = "Blue Cross Blue Shield of Michigan"
    res = _cli("who", "-s", "high-tech imaging", "-p", michigan, "-l", "Medicare Advantage",
               "--db", str(seed_build[1]), "--format", "table")  # fmt: skip
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert lines[-2] == "no rule matches this member; high-tech imaging has rules for:"
    # only the payer asked about; each line of business with its segments
    assert lines[-1].startswith(f"  {michigan}: ") and "; Medicare Plus Blue (group, individual)" in lines[-1]


def test_a_file_that_now_holds_another_document_is_no_accident(corpus, db_path):
    """Its title changed, so its key did: the old document is retired and the new one loaded, without
    --prune, since the file is not gone."""
    corpus.put(SPRING)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    corpus.put(dataclasses.replace(SPRING, title="Northwind provider bulletin, renamed"))
    with Warehouse(db_path) as wh:
        result = wh.load(corpus.batch())
    assert (result.parsed, result.retired) == (1, 1)
