"""Turning what a walk has read into drafts: one ``emit`` that fills the slots a statement left open
from its section (line of business, requirement, effective date), and the bookkeeping of the
services a section's program covers (the heading's name, renamed by the sentence that says what
it covers; services already stated, which later sentences call "the program")."""

from __future__ import annotations

import logging
from datetime import date
from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Draft, Source, VendorRef
from .lob import Lob
from .members import Member
from .model import Requirement, Scope, Segment
from .patterns import CARE_MANAGEMENT_RE, CARE_PROGRAM_RE
from .service_names import SERVICE_HEAD_RE
from .similarity import compound, same_vendor, similar, tokens
from .text import fold
from .tree import ProgramService, Topic
from .walk_state import WalkState

_log = logging.getLogger(__name__)


class Emitting(WalkState):
    """Draft-making steps of ``DocumentWalk`` (kept apart so each module does one job)."""

    def resolve_service(self, name: str, topic: Topic) -> str:
        """A sentence's wording of the service its section's heading names is that service:
        "outpatient, non-emergent, elective advanced imaging and cardiology services" under
        "Advanced Imaging and Cardiology Services Program"; "therapy" under "Outpatient Widget
        and Gadget Therapy"."""
        for t in topic.chain():
            if t.heading_service and t.services:
                h = t.services[0].name
                th, tn = tokens(h), tokens(name)
                if th and tn and (th <= tn or tn <= th):
                    return h
                break
        return name

    def rename_heading(self, topic: Topic, name: str, vendor: Optional[VendorRef]) -> None:
        """A heading that names a program without saying what it covers ("Laboratory Management
        Program") is renamed by the sentence that does ("… to manage molecular and genomic testing")."""
        for t in topic.chain():
            if t.heading_service and t.services:
                h = t.services[0]
                if (
                    h.origin == "heading"
                    and not similar(name, h.name)
                    and not h.used
                    and same_vendor(h.vendor, vendor, none_ok=True)
                ):
                    h.name, h.stated, h.used = name, name, True
                return

    def add_service(self, topic: Topic, ps: ProgramService) -> None:
        if (
            topic.heading_service
            and topic.services
            and len(topic.services) == 1
            and not ps.listed
            and not (ps.emitted and ps.home is not None and ps.home.profiles)  # a partner profiled below
            and same_vendor(topic.services[0].vendor, ps.vendor, none_ok=True)
        ):
            # the heading named the program; the sentence says what it covers ("Laboratory Management
            # Program" → "molecular and genomic testing"), or rewords it
            if not similar(ps.name, topic.services[0].name) and not SERVICE_HEAD_RE.search(topic.services[0].name):
                topic.services[0].name, topic.services[0].stated = ps.name, ps.stated
            elif ps.name != topic.services[0].name:
                topic.services[0].aliases.append(ps.name)
            topic.services[0].vendor = ps.vendor
            topic.services[0].effective = topic.services[0].effective or ps.effective
            topic.services[0].requirement = topic.services[0].requirement or ps.requirement
            return
        for s in topic.services:
            if similar(ps.name, s.name) or similar(ps.stated or ps.name, s.stated or s.name):
                s.listed = s.listed or ps.listed
                return
        topic.services.append(ps)
        names = [o.stated or o.name for o in topic.services]
        topic.services[:] = [s for s in topic.services if not compound(s.stated or s.name, names)]

    def restates(self, claim: Claim, services: list[str], topic: Topic) -> bool:
        """A sentence about services this vendor's rules already state: it dates them ("… requests
        begin with dates of service on or after D") or narrows their wording ("reviews only
        molecular testing codes"), and states no new rule."""
        vendor = claim.vendor
        if vendor is None:
            return False
        names = {d.service for d in topic.drafts if d.vendor.name == vendor.name} | {
            ps.name for ps in topic.services if ps.vendor is not None and ps.vendor.name == vendor.name
        }
        if not names or claim.negated or claim.ended:
            return False
        text = " ".join(services)
        covered = [n for n in names if tokens(n) and tokens(n) <= tokens(text)]
        if (
            claim.members
            and claim.effective
            and covered
            and tokens(text) <= set().union(*(tokens(n) for n in covered)) | {"and"}
        ):
            lobs = {m.lob.name for m in claim.members if m.lob}
            for d in topic.drafts:
                if d.vendor.name == vendor.name and d.service in covered and (not lobs or d.lob in lobs):
                    d.effective = claim.effective
            return True
        return bool(
            not claim.members and all(any(tokens(x) and tokens(x) <= tokens(n) for n in names) for x in services)
        )

    def remember(self, topic: Topic, name: str, vendor: Optional[VendorRef], src: Source) -> None:
        """A service stated with its members: later sentences may call it "the program"."""
        self.rename_heading(topic, name, vendor)
        if not any(s.name == name and same_vendor(s.vendor, vendor) for s in topic.services):
            topic.services.append(ProgramService(name, vendor, src, used=True, emitted=True))

    def transition(self, claim: Claim, services: list[str], src: Source, topic: Topic) -> None:
        names = services or [s.name for s in topic.find_services()]
        for name in names:
            self.remember(topic, name, claim.vendor, src)
        members = claim.members or [pm.member for pm in topic.find_members(claim.vendor)]
        for name in names:
            for m in members:
                old = Member(m.lob, m.segment, Scope.NONE)
                self.emit(
                    claim.old_vendor, name, old, src, topic, "transition-from", claim.effective, claim.requirement
                )
                self.emit(claim.vendor, name, m, src, topic, "transition-to", claim.effective, claim.requirement)

    # -- emitting ------------------------------------------------------------------------------------
    def emit_claim(
        self,
        claim: Claim,
        vendor: Optional[VendorRef],
        service: str,
        m: Member,
        src: Source,
        topic: Topic,
        program: Optional[ProgramService],
    ) -> None:
        if claim.negated or claim.ended:
            m = Member(
                m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective, m.service_dates
            )
        req = claim.requirement
        if claim.not_required and (claim.negated or claim.ended or vendor is None):
            req = Requirement.NOT_REQUIRED
        joint = claim.partners if vendor is claim.vendor else []
        for v in [vendor, *joint]:
            self.emit(v, service, m, src, topic, "sentence", claim.effective, req, program, claim.conditions)

    def explanation(
        self,
        vendor: VendorRef,
        service: str,
        lob: Optional[Lob],
        lob_name: str,
        m: Member,
        src: Source,
        topic: Topic,
        pattern: str,
        program: Optional[ProgramService],
        req: Requirement,
        eff: Optional[date],
    ) -> dict[str, str]:
        """Which text filled each slot, for ``payerkg extract --explain``: the words as written, the
        block they stand in, and whether the slot came from the statement itself or its context."""

        def where(block: Block) -> str:
            return f"block {block.index}, page {block.page}"

        heading = " > ".join(src.block.section_path) or "(document)"
        vendor_text = vendor.stated or vendor.name
        vendor_from = (
            "in-house reviewer"
            if vendor.in_house or not vendor.stated
            else ("the statement" if vendor_text and vendor_text in src.quote else f"the section: {heading}")
        )
        service_from = (
            f"{program.origin} ({where(program.source.block)})"
            if program is not None
            else ("the statement" if fold(service) in fold(src.quote) else f"the section: {heading}")
        )
        lob_from = (
            "the statement"
            if m.lob is not None and not m.lob.default
            else "the list's line"
            if self.lob_hint is not None
            else f"the section: {heading}"
            if topic.find_lob() is not None
            else "none stated"
        )
        return {
            "pattern": pattern,
            "quote": f"{src.quote[:200]} ({where(src.block)})",
            "vendor": f"{vendor_text!r} from {vendor_from}" + (" — not in the vocabulary" if vendor.new else ""),
            "service": f"{service!r} from {service_from}",
            "line_of_business": f"{(lob.stated or lob.name) if lob else lob_name!r} from {lob_from}",
            "segment_scope": f"{m.segment.value}/{m.scope.value}"
            + (f" (exceptions: {', '.join(r.name for r in m.exceptions)})" if m.exceptions else ""),
            "requirement": req.value + ("" if program is None or program.requirement is None else " (the program's)"),
            "effective_from": eff.isoformat() if eff else "not stated",
        }

    def emit(
        self,
        vendor: Optional[VendorRef],
        service: str,
        m: Member,
        src: Source,
        topic: Topic,
        pattern: str,
        effective: Optional[date] = None,
        requirement: Optional[Requirement] = None,
        program: Optional[ProgramService] = None,
        conditions: Optional[list[str]] = None,
        payer: Optional[str] = None,
    ) -> Optional[Draft]:
        if vendor is None or not service:
            return None
        if vendor.in_house and vendor.name == self.payer and not payer:
            vendor = self.own_reviewer()  # the payer's own staff: its department when the vocabulary knows one
        lob = m.lob if m.lob is not None and not m.lob.default else (self.lob_hint or topic.find_lob() or m.lob)
        lob_name = lob.name if lob else ("Commercial" if m.segment is not Segment.ALL else "all")
        req = (
            requirement
            or (program.requirement if program else None)
            or topic.find_requirement()
            or (Requirement.CARE_MANAGEMENT if care_program(service) else Requirement.PRIOR_AUTHORIZATION)
        )
        eff = (
            m.service_dates.get(fold(service))
            or next((d for k, d in m.service_dates.items() if similar(k, service)), None)
            or m.effective
            or effective
            or (program.effective if program else None)
            or topic.find_effective()
        )
        d = Draft(
            vendor=vendor,
            service=service,
            lob=lob_name,
            segment=m.segment,
            scope=m.scope,
            requirement=req,
            source=src,
            pattern=pattern,
            payer=payer or (lob.payer if lob else None),
            exceptions=list(m.exceptions),
            inclusions=list(m.inclusions),
            conditions=list(m.conditions) + list(conditions or []) + (list(program.conditions) if program else []),
            effective=eff,
            section=" > ".join(src.block.section_path),
        )
        d.explain = self.explanation(vendor, service, lob, lob_name, m, src, topic, pattern, program, req, eff)
        for t in topic.chain():
            for ps in t.services:
                if ps.name == service and (ps.vendor is None or ps.vendor.name == vendor.name):
                    ps.used = True
        for old in self.drafts:
            if old.key() == d.key() and old.scope == d.scope and old.lob == d.lob:
                old.exceptions.extend(r for r in d.exceptions if r not in old.exceptions)
                return old
        self.drafts.append(d)
        topic.drafts.append(d)
        self.lists.note_emitted(d)
        for other in program.partners if program else []:  # "through A and B": B's rule too
            self.emit(other, service, m, src, topic, pattern, eff, req, None, d.conditions[len(m.conditions) :], payer)
        return d


def care_program(service: str) -> bool:
    """A service that names a care program, not a reviewed service: "expert medical opinions", "NICU care
    management", "medication adherence rewards program"."""
    return bool(CARE_MANAGEMENT_RE.search(service) or CARE_PROGRAM_RE.search(service))
