"""The payer's own requirements and whose program a requirement is.

"Precertification is required for acute inpatient care", "We require notification …": no one is
named as reviewer, so the section's stated vendor reviews, or the vendor an enclosing section
named for that service, or the payer's own staff (its department when the vocabulary knows one).
"The program is administered by V" right after such a sentence hands its rules to V, and "V
administers the program for us" in a subsection takes over the rules the payer stated. Linking a
sentence to the one before it ("these tests", "Effective March 1, these …") is ``paragraphs.py``'s.
"""

from __future__ import annotations

import logging
import re
from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import ANAPHOR_RE, AUTH_WORD_RE, NO_LONGER_RE
from .similarity import similar
from .text import fold, normalize
from .tree import ProgramService, Topic
from .walk_state import WalkState

_log = logging.getLogger(__name__)


#: "the |Quality Care Cancer Program|": a program's proper name (capitalised words ending in Program)
PROGRAM_NAME_RE = re.compile(r"\b((?-i:[A-Z])[\w&'’-]*(?:\s+(?-i:[A-Z])[\w&'’-]*){0,6}\s+Program)\b")
#: "… administers / runs / manages the (prior authorization) program for us"
ADMINISTERS_RE = re.compile(
    r"\b(?:administers?|runs?|manages?|operates?)\s+(?:the|this|our)\s+(?:[\w-]+\s+){0,3}"
    r"program\b|\bprogram\s+is\s+(?:administered|run|managed|operated)\s+by\b",
    re.IGNORECASE,
)


#: "V will issue a prior authorization number": V decides the requests
ISSUES_RE = re.compile(
    r"\bissu(?:e|es|ed|ing)\s+(?:the\s+|a\s+|an\s+)?(?:prior\s+)?authori[sz]ations?\b", re.IGNORECASE
)


#: a requirement said of the plans a table after it lists
THESE_PLANS_RE = re.compile(
    r"\b(?:in|of|for)\s+(?:these|the\s+following|the\s+below)\s+plans\b|\bplans\s+below\b", re.I
)


#: "Depending on the member's plan, …", "varies by plan": no rule for all members, only per plan
DEPENDS_ON_PLAN_RE = re.compile(
    r"\bdepend(?:s|ing)\s+on\s+(?:the\s+)?(?:member['’]s\s+|patient['’]s\s+)?(?:health\s+)?(?:plan|product|benefit)s?\b|"
    r"\bvar(?:y|ies)\s+by\s+(?:health\s+)?(?:plan|product)s?\b",
    re.I,
)


class OwnRequirements(WalkState):
    """Requirement-sentence steps of ``DocumentWalk``."""

    def own_requirement(self, claim: Claim, src: Source, topic: Topic) -> None:
        """ "Precertification is required for acute inpatient care": the section's vendor, or the payer's
        own staff, requires it for the services the sentence or the section's heading names."""
        if claim.not_required and not (
            claim.effective or NO_LONGER_RE.search(src.quote) or any(m.lob is not None for m in claim.members)
        ):
            return  # "Home sleep tests do not need prior authorization": a limit of the program, not a rule
        if not claim.members and DEPENDS_ON_PLAN_RE.search(src.quote):
            return  # "Depending on the member's plan, we may require …": the rules are per plan, stated below
        vendor = topic.section_vendor() or self.own_reviewer()
        if vendor.in_house:
            vendor = self.own_reviewer()  # "Acme Health: Sleep Program" — the payer's page: its own reviewers
        names = [self.resolve_service(x, topic) for x in claim.services if not ANAPHOR_RE.match(x)]
        if not names and claim.services:
            if claim.effective and not claim.members:
                # "Prior authorization is required for these services on or after March 1": the date of
                # the program the sentence speaks of, for its rules stated and still to pair
                holder = next((t for t in topic.chain() if t.drafts or t.services or t.members), topic)
                holder.effective = holder.effective or claim.effective
                for d in holder.drafts:
                    d.effective = d.effective or claim.effective
                return
            if topic.drafts or any(ps.home is None and ps.origin != "heading" for ps in topic.services):
                return  # "… is required for these services": the rules that named them stand already
            # "For these services, we require …" opening a section: the services its own heading names
            label = self.heading_label(topic)
            names = (
                [label] if label else [ps.name for ps in topic.services if ps.home is None and ps.origin == "heading"]
            )
            if not names:
                return
        if not names:
            names = self.section_services(topic, None if vendor.name == self.own_reviewer().name else vendor)
            if not vendor.in_house and any(d.vendor.name == vendor.name and d.service in names for d in topic.drafts):
                return  # a vendor's section restating the requirement of rules it stated
        if not names:
            return
        known = [
            ps
            for ps in topic.services
            if (ps.vendor is None or ps.vendor.name == vendor.name)
            and not (ps.origin == "heading" and ps.vendor is None and not ps.used)  # only a heading named it
        ]

        def same(n: str, ps: ProgramService) -> bool:
            return any(similar(n, x) for x in [ps.name, *ps.aliases])

        if claim.services and not claim.members and known and all(any(same(n, ps) for ps in known) for n in names):
            # "… several molecular and genomic tests … need prior authorization" after "X manages
            # molecular and genomic testing": the rule named already, now dated
            for ps in known:
                if any(same(n, ps) for n in names):
                    ps.effective = ps.effective or claim.effective
            return
        lines: list[Optional[Lob]] = list(topic.find_lobs()) or self.plans_table_after(src) or [None]
        members = claim.members or [Member(lob, Segment.ALL, claim.scope_hint or Scope.ALL) for lob in lines]
        req = Requirement.NOT_REQUIRED if claim.not_required else claim.requirement
        for name in names:
            # "For these services, we require …" in a sibling of the section that said who runs the
            # program for this service: that vendor's program
            v = (
                vendor
                if not (vendor.in_house or vendor.name == self.own_reviewer().name) or claim.not_required
                else (self.program_vendor(name, topic) or vendor)
            )
            for m in members:
                self.emit(v, name, m, src, topic, "requirement", claim.effective, req, conditions=claim.conditions)

    def plans_table_after(self, src: Source) -> list[Optional[Lob]]:
        """ "Many, but not all, members in these plans need an authorization …" over a table whose first
        column names the plans ("Plan name": "HMO/POS plans", "HMO Blue", …): the plan group each row
        names first."""
        if not THESE_PLANS_RE.search(src.quote):
            return []
        b = src.block
        for x in self.doc.blocks[b.index + 1 : b.index + 3]:
            if x.section_path != b.section_path:
                return []
            if x.kind.value != "table" or not x.rows or not re.search(r"\bplans?\b", x.rows[0].cells[0], re.I):
                continue
            out: list[Optional[Lob]] = []
            for row in x.rows[1:]:
                first = normalize(row.cells[0].split("\n")[0]) if row.cells else ""
                first = re.sub(r"\s*\([^()]*\)\s*$", "", first)  # "… Plans (some account exclusions apply)"
                first = re.sub(r"\s+(?:plans?|products?)$", "", first, flags=re.I)
                for m in self.res.members.unit(first, self.payer, lob_context=True) if first else []:
                    if m.lob is not None and not m.lob.default and all(m.lob.name != o.name for o in out if o):
                        out.append(m.lob)
            return out
        return []

    def section_services(self, topic: Topic, vendor: Optional[VendorRef] = None) -> list[str]:
        """What "Prior authorization is required." or "For these services, we require …" is about: the
        nearest section's own services, or the service the nearest heading names."""
        for t in topic.chain():
            own = [
                ps.name
                for ps in t.services
                if ps.home is None
                and not ps.negated
                and not ps.emitted
                and (vendor is None or ps.vendor is None or ps.vendor.name == vendor.name)
            ]
            if own:
                return own
            if any(ps.home is None for ps in t.services):
                return []
            label = self.heading_label(t)
            if label:
                return [label]
        return []

    def own_reviewer(self) -> VendorRef:
        """Who reviews when the payer writes "we require …": its own department the vocabulary knows,
        else the payer's staff."""
        name = self.res.vocab.self_department(self.payer)
        return VendorRef(name, "", False, name == self.payer)

    def program_vendor(self, service: str, topic: Topic) -> Optional[VendorRef]:
        """The vendor an enclosing section already named for ``service``."""
        for t in topic.chain():
            for ps in t.services:
                if ps.vendor is not None and not ps.vendor.in_house and similar(ps.name, service):
                    return ps.vendor
        return None

    def outside_named_program(self, claim: Claim, src: Source, topic: Topic) -> bool:
        """ "Indemnity members are not part of the Quality Care Cancer Program": the lines are outside
        the rules whose own text named that program, wherever in the document they were stated."""
        names = [
            m.group(1) for m in PROGRAM_NAME_RE.finditer(claim.text) if not self.res.annotate(m.group(1)).of("LOB")
        ]
        if not names or not claim.members or not all(m.scope is Scope.NONE for m in claim.members):
            return False
        key = fold(names[-1])  # "Northwind Employee Program members are not in the Acme Care Program": the latter
        programs = {
            (d.vendor, d.service): d for d in self.drafts if d.scope is not Scope.NONE and key in fold(d.source.quote)
        }
        for vendor, service in programs:
            for m in claim.members:
                self.emit(vendor, service, m, src, topic, "outside-program")
        return bool(programs)

    def lines_left_out(self, claim: Claim, src: Source, topic: Topic) -> bool:
        """ "Not a covered benefit for Medicaid" after "When covered, prior authorization is required" under
        the service's own heading: the lines are outside the requirement this section stated for all
        members (each line a row of scope none). Only members that all name a line and are all out."""
        if not claim.members or not all(m.scope is Scope.NONE and m.lob is not None for m in claim.members):
            return False
        own = [d for d in topic.drafts if d.pattern == "requirement" and d.lob == "all" and d.scope is Scope.ALL]
        for d in own:
            for m in claim.members:
                self.emit(d.vendor, d.service, m, src, topic, "requirement", d.effective, d.requirement)
        return bool(own)

    def takes_over(self, claim: Claim, topic: Topic) -> bool:
        """ "Acme Review is the company that administers the prior authorization program for us" in a
        subsection of a section whose requirements the payer stated ("we require …"): those rules
        are Acme Review's. Only a claim that names no service and no members, and only rules the
        walk gave the payer's own reviewers for want of a named one."""
        vendor = claim.vendor
        if (
            vendor is None
            or vendor.in_house
            or claim.members
            or claim.negated
            or claim.ended
            or not (
                ADMINISTERS_RE.search(claim.text)
                or ISSUES_RE.search(claim.text)
                or ("route" in claim.cues and AUTH_WORD_RE.search(claim.text))
            )
        ):
            return False
        own = self.own_reviewer().name
        names = set(self.section_services(topic))
        moved = False
        for t in topic.chain():
            for d in t.drafts:
                if d.pattern == "requirement" and (d.vendor.in_house or d.vendor.name == own) and d.service in names:
                    if d.requirement is Requirement.NOT_REQUIRED:
                        if d.lob in ("all", "Commercial") and d.segment is Segment.ALL:
                            continue
                        d.scope = (
                            Scope.NONE
                        )  # "… not required for Zephyr Employee Plan members": the line is outside V's program
                    d.vendor, d.pattern = vendor, "requirement-program"
                    moved = True
            if moved:
                break
        return moved

    def retarget(self, last: Claim, claim: Claim, b: Block, topic: Topic) -> bool:
        """ "We require … through our Sleep Program. The program is administered by V on our behalf.":
        the rules the first sentence stated are V's, and their quote spans both sentences."""
        if (
            claim.vendor is None
            or claim.vendor.in_house
            or claim.members
            or claim.negated
            or claim.ended
            or not last.payer_requires
            or last.not_required
            or any(not ANAPHOR_RE.match(x) and x not in last.services for x in claim.services)
        ):
            return False
        targets = [d for d in self.drafts if d.source.block is b and d.source.start == last.start]
        if not targets:
            return False
        for d in targets:
            d.vendor = claim.vendor
            d.source = Source(b, d.source.page, last.start, claim.end)
            d.pattern = "requirement-program"
            self.remember(topic, d.service, claim.vendor, d.source)
        return True
