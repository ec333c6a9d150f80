"""Documents we wrote ourselves: another payer, vendors absent from the vocabulary."""

from __future__ import annotations

import re
from datetime import date

from conftest import DATA, ROOT
from extract import Extractor, Vocabulary
from ingest import ingest_file


def _rules(doc_name: str, vocab_name: str):
    vocab = Vocabulary.load(DATA / vocab_name)
    return Extractor(vocab).extract(ingest_file(DATA / doc_name))


def test_unknown_vendors_in_section_headings_are_found_and_flagged_new():
    rules = _rules("acme_memo.md", "acme_vocab.yml")
    got = {
        (r.vendor, r.service, r.line_of_business, r.segment.value, r.scope.value, r.exceptions, r.inclusions)
        for r in rules
    }
    assert got == {
        ("Zephyr Care Partners", "genetic testing", "Northwind Commercial PPO", "fully_insured", "all", (), ()),
        (
            "Zephyr Care Partners",
            "genetic testing",
            "Northwind Commercial PPO",
            "self_funded",
            "most",
            ("Contoso Steel Retirees", "Fabrikam Teachers Union"),
            (),
        ),
        ("Zephyr Care Partners", "genetic testing", "Northwind Medicare Choice", "group", "all", (), ()),
        ("Zephyr Care Partners", "genetic testing", "Northwind Medicare Choice", "individual", "all", (), ()),
        (
            "Quillon Health Partners",
            "sleep studies",
            "Northwind Commercial PPO",
            "self_funded",
            "select",
            (),
            ("Contoso Steel Retirees",),
        ),
        ("Quillon Health Partners", "sleep studies", "Northwind Commercial PPO", "individual", "all", (), ()),
    }
    assert all(r.vendor_new for r in rules)
    assert {r.payer for r in rules} == {"Northwind Health Plan"}


def _vocabulary_names() -> tuple[set, set]:
    """Names of payers, vendors, departments, groups and services: long ones matched in any case,
    short ones (AIM, UAW, FEP, BCN) as written, so "aim" the verb is no offence."""
    vocab = Vocabulary.load()
    long_names, short_names = set(), set()
    for items in (vocab.payers, vocab.vendors, vocab.departments, vocab.employer_groups):
        for it in items:
            for n in it.all_names():
                (long_names if len(n) > 4 else short_names).add(n)
                lead = n.split()[0]
                if len(n.split()) > 1 and 2 <= len(lead) <= 5 and lead.isupper() and lead.isalpha():
                    short_names.add(lead)  # "UAW" of "UAW Retiree Medical Benefits Trust"
    long_names.update(s.name for s in vocab.services if len(s.name) > 12)
    short_names.update(
        n
        for lob in vocab.lines_of_business
        if lob.payer is None
        for n in lob.all_names()
        if len(n) <= 4 and n.isupper() and n in {"FEP"}
    )
    return long_names, {n for n in short_names if len(n) >= 2}


def test_no_payer_vendor_group_or_service_name_in_python_code():
    """Facts about payers, vendors, groups and services live in the vocabulary: code (comments and
    docstrings included) names none of them, not even in an example."""
    long_names, short_names = _vocabulary_names()
    long_re = re.compile(
        r"\b(?:" + "|".join(sorted(map(re.escape, long_names), key=len, reverse=True)) + r")\b", re.IGNORECASE
    )
    short_re = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, short_names), key=len, reverse=True)) + r")\b")
    offenders = []
    for pkg in ("ingest", "extract", "graph", "warehouse", "payerkg"):
        for py in sorted((ROOT / pkg).rglob("*.py")):
            for no, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
                for m in list(long_re.finditer(line)) + list(short_re.finditer(line)):
                    offenders.append(f"{py.relative_to(ROOT)}:{no}: {m.group(0)}")
    assert offenders == []


def test_the_name_check_catches_short_names():
    long_names, short_names = _vocabulary_names()
    assert {"AIM", "UAW", "FEP", "BCN"} <= short_names | long_names


def test_cli_extract_jsonl_has_exactly_the_contract_fields():
    import json

    from typer.testing import CliRunner

    from extract import CONTRACT_COLUMNS
    from payerkg.cli import app

    result = CliRunner().invoke(app, ["extract", str(ROOT / "seeds" / "001_e5baff2b9bde9ead.pdf"), "--format", "jsonl"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(records) == 37
    assert all(list(r) == CONTRACT_COLUMNS for r in records)
    sempre_ma = [r for r in records if r["vendor"] == "Sempre Health" and r["scope"] == "none"]
    assert (
        sempre_ma and sempre_ma[0]["quote"] == "Sempre Health doesn't provide services for Medicare Advantage members."
    )


def _facts(rules):
    return {
        (r.vendor, r.service, r.line_of_business, r.scope.value, r.requirement.value, r.conditions, r.vendor_new)
        for r in rules
    }


def test_vendor_by_line_of_business_grid_table_on_a_web_page():
    """A service × line-of-business grid: each cell names who manages it, or says it is not required."""
    rules = _rules("northwind_grid.html", "acme_vocab.yml")
    own = "Northwind Utilization Management"
    assert _facts(rules) == {
        (
            "Zephyr Care Partners",
            "genetic testing",
            "Northwind Commercial PPO",
            "all",
            "prior_authorization",
            None,
            True,
        ),
        (own, "genetic testing", "Northwind Medicare Choice", "all", "not_required", None, False),
        (
            "Quillon Health Partners",
            "sleep studies",
            "Northwind Commercial PPO",
            "all",
            "prior_authorization",
            None,
            True,
        ),
        (
            "Quillon Health Partners",
            "sleep studies",
            "Northwind Medicare Choice",
            "all",
            "prior_authorization",
            None,
            True,
        ),
        (
            "Orion Imaging Management",
            "high-tech imaging",
            "Northwind Commercial PPO",
            "all",
            "prior_authorization",
            None,
            True,
        ),
        (own, "high-tech imaging", "Northwind Medicare Choice", "all", "prior_authorization", None, False),
        (own, "home health care", "Northwind Medicare Choice", "all", "prior_authorization", None, False),
    }
    doc = ingest_file(DATA / "northwind_grid.html")
    assert all(r.quote in doc.text for r in rules)
    # the empty cell (home health care for the commercial PPO) states nothing
    assert not [
        r for r in rules if r.service == "home health care" and r.line_of_business == "Northwind Commercial PPO"
    ]


def test_prose_memo_with_an_unknown_vendor_dates_and_payer_requirements():
    rules = _rules("northwind_prose_memo.md", "acme_vocab.yml")
    own = "Northwind Utilization Management"
    assert _facts(rules) == {
        (
            "Orion Imaging Management",
            "high-tech imaging",
            "Northwind Medicare Choice",
            "all",
            "prior_authorization",
            None,
            True,
        ),
        (
            own,
            "sleep studies",
            "Northwind Commercial PPO",
            "all",
            "not_required",
            "performed in a physician's office",
            False,
        ),
        (
            own,
            "home health care",
            "Northwind Medicare Choice",
            "all",
            "notification",
            "within 48 hours of admission",
            False,
        ),
    }
    orion = next(r for r in rules if r.vendor.startswith("Orion"))
    assert orion.effective_from.isoformat() == "2027-03-01"
    # each quote is one sentence of the memo, verbatim
    assert orion.quote == (
        "Beginning 3/1/2027, Orion Imaging Management manages authorizations for high-tech imaging "
        "for Northwind Medicare Choice members."
    )


def test_program_page_we_require_then_passive_vendor_and_sibling_sections():
    """ "We require … through our program. The program is administered by <unknown vendor>": one rule,
    the vendor's, quoting the paragraph; a sibling section's "we require …" for the same service is
    the vendor's program too; a different service in the same page stays the payer's own."""
    rules = _rules("northwind_program_page.md", "acme_vocab.yml")
    lumen = "Lumen Sleep Partners"
    assert _facts(rules) == {
        (lumen, "sleep studies", "Northwind Commercial PPO", "most", "prior_authorization", None, True),
        (lumen, "sleep studies", "Northwind Medicare Choice", "all", "prior_authorization", None, True),
        (
            "Northwind Utilization Management",
            "home health care",
            "Northwind Medicare Choice",
            "all",
            "notification",
            None,
            False,
        ),
    }
    ppo = next(r for r in rules if r.line_of_business == "Northwind Commercial PPO")
    assert ppo.quote.endswith("The program is administered by Lumen Sleep Partners on our behalf.")
    # "Overview" is a heading, not a vendor
    assert not [r for r in rules if r.vendor == "Overview"]


def test_faq_accordion_of_an_unknown_payer_and_vendor():
    """An FAQ whose answers sit in hidden accordion panels: members in one answer, services in
    another, exclusions and the start date in others; the payer and the vendor are in no vocabulary."""
    ex = Extractor().extract(ingest_file(DATA / "contoso_faq.html"))
    assert (ex.payer, ex.payer_new) == ("Contoso Health Plan", True)
    got = {
        (r.vendor, r.service, r.line_of_business, r.segment.value, r.scope.value, r.requirement.value, r.exceptions)
        for r in ex.statements
    }
    counties = ("Dane County", "Rock County")
    assert got == {
        (v, s, "Commercial", "fully_insured", "most", "prior_authorization", counties)
        for v in ["Lakeside Imaging Review"]
        for s in ("CT and MRI", "PET scans")
    } | {
        ("Lakeside Imaging Review", s, "Commercial", "individual", "most", "prior_authorization", counties)
        for s in ("CT and MRI", "PET scans")
    } | {
        ("Lakeside Imaging Review", s, "Medicare Advantage", "all", "none", "prior_authorization", ())
        for s in ("CT and MRI", "PET scans")
    } | {
        ("Lakeside Imaging Review", s, "Commercial", "self_funded", "none", "not_required", ())
        for s in ("CT and MRI", "PET scans")
    }
    # the start date is the program's, for every rule; the webinar's date is not
    assert {r.effective_from.isoformat() for r in ex.statements} == {"2027-03-01"}
    assert all(r.vendor_new for r in ex.statements)


def test_letter_announcing_a_vendor_switch_from_an_unknown_payer():
    """A plain-text letter: "A will replace B as the vendor that reviews …", "B will continue to
    review requests … through D", requests that "stay with" B for another line, a service that
    "will begin" on a date, a webinar date that is not a rule's; the payer only in the letterhead."""
    ex = Extractor().extract(ingest_file(DATA / "own" / "fabrikam_letter.txt"))
    assert (ex.payer, ex.payer_new) == ("Fabrikam Health Partners", True)
    got = {(r.vendor, r.service, r.line_of_business, r.scope.value, r.effective_from) for r in ex.statements}
    switch = date(2027, 1, 1)
    assert {
        ("Zephyr Sleep Review", "outpatient sleep studies", "Medicare Advantage", "all", switch),
        ("Lakeside Sleep Management", "outpatient sleep studies", "Medicare Advantage", "none", switch),
        ("Lakeside Sleep Management", "sleep studies", "Commercial", "all", None),
        ("Zephyr Sleep Review", "home sleep apnea tests", "Medicare Advantage", "all", switch),
    } <= got
    assert not any(r.effective_from == date(2026, 11, 12) for r in ex.statements)  # the webinar
    assert all(r.vendor_new for r in ex.statements)


def test_a_vendors_client_list_gives_each_row_its_own_payer():
    """A vendor's page listing the health plans it serves: the vendor (in no vocabulary) is the
    subject of its opening sentence; each row names a payer, its lines, several programs in one
    cell and a start or an end."""
    ex = Extractor().extract(ingest_file(DATA / "own" / "zephyr_clients.html"))
    got = {(r.payer, r.vendor, r.service, r.line_of_business, r.scope.value, r.effective_from) for r in ex.statements}
    z = "Zephyr Review Services"
    assert got == {
        ("Contoso Health Plan", z, "radiology", "Commercial", "all", date(2026, 1, 1)),
        ("Contoso Health Plan", z, "radiology", "Medicare Advantage", "all", date(2026, 1, 1)),
        ("Contoso Health Plan", z, "cardiology", "Commercial", "all", date(2026, 1, 1)),
        ("Contoso Health Plan", z, "cardiology", "Medicare Advantage", "all", date(2026, 1, 1)),
        ("Northwind Health", z, "sleep studies", "Medicaid", "all", date(2026, 7, 1)),
        # "Ended December 31, 2025": out of the program from the day after
        ("Tailspin Care", z, "radiology", "Commercial", "none", date(2026, 1, 1)),
    }
    assert all(r.vendor_new for r in ex.statements)


def test_care_program_page_of_an_unknown_payer_profiles_inline_exceptions_and_cell_sentences():
    """Our own care-program page (tests/data/own/contoso_programs.html): partners described under
    their headings, an "access to … X's care team" clause, a footnote that scopes who may enrol, an
    inline "Commercial members, except …", a heading "…, for select Medicare Advantage members", a
    table cell whose second sentence names another plan, and a paperwork list that names no service."""
    rules = Extractor().extract(ingest_file(DATA / "own" / "contoso_programs.html"))
    got = {
        (r.vendor, r.service, r.line_of_business, r.segment.value, r.scope.value, r.requirement.value, r.exceptions)
        for r in rules
    }
    assert got == {
        ("Glucora", "diabetes management", "Commercial", "self_funded", "select", "care_management", ()),
        ("Jointly Health", "back and joint pain", "Medicare Advantage", "all", "all", "care_management", ()),
        (
            "Slimwell",
            "weight management",
            "Commercial",
            "all",
            "most",
            "care_management",
            ("Federal Employee Program",),
        ),
        (
            "Zephyr Imaging Partners",
            "high-tech imaging",
            "Commercial",
            "all",
            "most",
            "prior_authorization",
            ("Federal Employee Program", "plans administered by Fabrikam Benefits"),
        ),
        ("Zephyr Imaging Partners", "high-tech imaging", "Medicaid", "all", "all", "prior_authorization", ()),
        ("Quillon Sleep Partners", "sleep studies", "Medicare Advantage", "all", "select", "prior_authorization", ()),
        ("Contoso Health Plan", "home health care", "Contoso HMO Select", "all", "all", "prior_authorization", ()),
        ("Contoso Health Plan", "home health care", "Contoso PPO Choice", "all", "all", "not_required", ()),
        # "Many, but not all, members in these plans need …" over a table of plan groups
        ("Contoso Health Plan", "physical therapy", "HMO", "all", "most", "prior_authorization", ()),
        ("Contoso Health Plan", "physical therapy", "PPO", "all", "most", "prior_authorization", ()),
    }
    assert rules.payer == "Contoso Health Plan"
    also = [r for r in rules if r.line_of_business == "Medicaid"]
    assert [r.effective_from for r in also] == [date(2027, 1, 1)]  # "will also be offered to … starting on …"
    text = ingest_file(DATA / "own" / "contoso_programs.html").text
    assert all(r.quote in text for r in rules)


def test_our_policy_page_lines_left_out_joint_vendors_and_policy_lists():
    """Our own policy page (tests/data/own/fabrikam_policies.html, a payer the vocabulary does not
    know): "Not a covered benefit for Medicaid" beside the section's own requirement, "request prior
    authorization from <payer> for <service>", "Depending on the member's plan" over a per-plan table
    (no rule for all members; a "No" cell is not required), a list of medical policies whose items
    say who reviews them, a program "offered through our partners A Inc. and B LLC" (both vendors,
    unknown to the vocabulary), and "offered through … locations" (places, no vendor)."""
    rules = Extractor().extract(ingest_file(DATA / "own" / "fabrikam_policies.html"))
    got = {
        (r.vendor, r.service, r.line_of_business, r.segment.value, r.scope.value, r.requirement.value) for r in rules
    }
    assert got == {
        ("Fabrikam Health", "home infusion therapy", "all", "all", "all", "prior_authorization"),
        ("Fabrikam Health", "home infusion therapy", "Medicaid", "all", "none", "prior_authorization"),
        ("Fabrikam Health", "home infusion therapy", "Medicare Advantage", "all", "none", "prior_authorization"),
        ("Fabrikam Health", "oocyte retrieval", "all", "all", "all", "prior_authorization"),
        ("Evolent", "genetic testing", "Commercial HMO", "all", "all", "prior_authorization"),
        ("Fabrikam Health", "genetic testing", "Medicaid", "all", "all", "not_required"),
        ("Evolent", "cell-free DNA testing for cancer", "all", "all", "all", "prior_authorization"),
        ("Evolent", "hereditary cardiac panels", "all", "all", "all", "prior_authorization"),
        ("Pillwise Inc.", "medication therapy management", "Medicare Advantage", "all", "all", "care_management"),
        ("Dosewell LLC", "medication therapy management", "Medicare Advantage", "all", "all", "care_management"),
    }
    assert rules.payer == "Fabrikam Health" and rules.payer_new
    # the partners and the payer reviewing its own: none of them is in the vocabulary
    assert {r.vendor for r in rules if r.vendor_new} == {"Pillwise Inc.", "Dosewell LLC", "Fabrikam Health"}
    policy = next(r for r in rules if r.service == "cell-free DNA testing for cancer")
    assert policy.quote == "We maintain the criteria, but prior authorization should be requested through Evolent."
    text = ingest_file(DATA / "own" / "fabrikam_policies.html").text
    assert all(r.quote in text for r in rules)
