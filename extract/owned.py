"""The payer's own requirements and whose program a requirement is.

"Precertification is required for acute inpatient care", "We require notification …": no one is
named as reviewer, so the section's stated vendor reviews, or the vendor an enclosing section
named for that service, or the payer's own staff (its department when the vocabulary knows one).
"The program is administered by V" right after such a sentence hands its rules to V; "Effective
March 1, these tests do not require prior authorization" changes the rule the sentence before
stated; "these services" takes the services of the sentence before.
"""

from __future__ import annotations

import logging
import re
from typing import Optional

from ingest import Block

from .drafts import Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import (
    ANAPHOR_RE,
    AUTH_WORD_RE,
    GENERIC_HEADING_RE,
    HEADING_LABEL_MAX_WORDS,
    HEADING_SPLIT_RE,
    LEGEND_RE,
    NO_LONGER_RE,
    NUMBERING_RE,
    REQUIREMENT_HEADING_RE,
    VERB_RE,
)
from .prose import Claim
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
#: Words that end a company's name ("Quillon Health Partners", "Acme Review, Inc.").
COMPANY_RE = re.compile(
    r"\b(?:inc|llc|corp|corporation|company|co|partners|group|health|healthcare|solutions|"
    r"management|associates|network|clinic|labs?|rx|ltd)\.?$",
    re.IGNORECASE,
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
        known = [ps for ps in topic.services if ps.vendor is None or ps.vendor.name == vendor.name]

        def same(n: str, ps: ProgramService) -> bool:
            return any(similar(n, x) for x in [ps.name, *ps.aliases])

        if claim.services and not claim.members and known and all(any(same(n, ps) for ps in known) for n in names):
            # "… several molecular and genomic tests … need prior authorization" after "X manages
            # molecular and genomic testing": the rule named already, now dated
            for ps in known:
                if any(same(n, ps) for n in names):
                    ps.effective = ps.effective or claim.effective
            return
        lines: list[Optional[Lob]] = list(topic.find_lobs()) or [None]
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

    def heading_vendor(self, topic: Topic) -> Optional[VendorRef]:
        """A heading that is only a company's name ("Quillon Health Partners"), for the sentences under
        it that start with their verb ("Makes authorization determinations for …")."""
        if topic.heading not in self._heading_vendors:
            text = NUMBERING_RE.sub("", normalize(topic.heading)).strip(" :.")
            head = HEADING_SPLIT_RE.split(text)[0] if text else ""
            found = None
            if (
                head
                and not GENERIC_HEADING_RE.match(head)
                and not self.res.services.name(head)
                and not self.res.members.lobish(head, strict=True)
            ):
                found = self.res.vendors.label(head, self.payer)
            self._heading_vendors[topic.heading] = found
        return self._heading_vendors[topic.heading]

    def names_a_company(self, topic: Topic) -> bool:
        """The heading is a vendor the vocabulary knows, or an unknown name shaped like a company's."""
        v = self.heading_vendor(topic)
        return v is not None and (not v.new or bool(COMPANY_RE.search(v.name)))

    def same_vendor_as_section(self, claim: Claim, topic: Topic) -> None:
        """ "Quillon provides …" under "Quillon Health Partners": the short name of the section's vendor."""
        v, sec = claim.vendor, topic.find_vendor() or self.heading_vendor(topic)
        if (
            v is not None
            and sec is not None
            and v.new
            and v.name != sec.name
            and fold(sec.name).startswith(fold(v.name) + " ")
        ):
            claim.vendor = VendorRef(sec.name, v.stated, sec.new, sec.in_house)

    def heading_label(self, topic: Topic, company_ok: bool = False) -> Optional[str]:
        """A section heading that is a short name ("Partial hospitalizations"): what a requirement
        sentence directly under it is about, even when the name has no service word. ``company_ok``
        where the heading cannot be the company (it files one: "Women's Health › Corvid")."""
        text = REQUIREMENT_HEADING_RE.sub("", NUMBERING_RE.sub("", normalize(topic.heading)).strip(" :.?")).strip()
        text = re.sub(r"\s*\([^()]*\)\s*$", "", text)  # "Chronic conditions (Medicare Advantage)"
        if (
            not text
            or len(text.split()) > HEADING_LABEL_MAX_WORDS
            or VERB_RE.search(text)
            or GENERIC_HEADING_RE.match(text)
            or LEGEND_RE.match(text)
            or (not company_ok and self.names_a_company(topic))
            or self.res.members.lobish(text, strict=True)
            or self.res.annotate(text).of("VENDOR", "PAYER", "PORTAL")
        ):
            return None
        return self.res.services.name(text, strict=False)

    def resolve_anaphora(self, claim: Claim, last: Optional[Claim], text: str) -> None:
        if last is None:
            return
        s = text[claim.start : claim.end]
        if claim.vendor and (not claim.services or all(ANAPHOR_RE.match(x) for x in claim.services)) and last.services:
            claim.services = list(last.services)
        if (
            claim.vendor
            and not claim.members
            and last.members
            and re.search(r"\b(?:these|those|that|them|their)\b", s, re.I)
        ):
            claim.members = [Member(m.lob, m.segment, Scope.ALL) for m in last.members]
        if claim.effective is None and re.search(r"\bthat\s+date\b", s, re.I):
            claim.effective = last.effective

    def modifies_last(self, claim: Claim, last: Claim, b: Block, text: str) -> bool:
        """ "Effective March 1, 2025, these tests do not require prior authorization.": the sentence
        before named the rule; this one changes its requirement or date."""
        s = text[claim.start : claim.end]
        if (
            claim.vendor is not None
            or claim.members
            or not re.search(r"\b(?:these|those|this|that|they|it|them)\b", s, re.I)
        ):
            return False
        if claim.services and not all(
            ANAPHOR_RE.match(x) or x.split()[-1] in ("tests", "services", "codes", "procedures") for x in claim.services
        ):
            return False
        targets = [d for d in self.drafts if d.source.block is b and d.source.start == last.start]
        if not targets or not (claim.not_required or claim.effective):
            return False
        for d in targets:
            if claim.not_required:
                d.requirement = Requirement.NOT_REQUIRED
            if claim.effective:
                d.effective = claim.effective
        return True
