"""What one claim does to its section.

A claim that states every slot (vendor, services, members) becomes rules at once. One that states
only part of a rule waits in the section's topic, to be paired when the section closes: members
with no service ("The program applies to …", "X members are not part of the program"), a vendor's
services with no members, groups left out. A claim may instead move a program from one vendor to
another ("moves from A to B on D"), state a requirement no one is named to review (the payer's
own), take over rules the payer stated ("V administers the program for us"), or cancel the
sentence before ("Neither company reviews prior authorization").
"""

from __future__ import annotations

from ingest import Block

from .claim import Claim
from .drafts import Source
from .model import Requirement
from .patterns import ANAPHOR_RE, AUTH_WORD_RE, ONLY_ELECTED_RE
from .similarity import same_vendor
from .tree import Exclusion, ProgramMember, ProgramService, Topic
from .walk_state import WalkState


class Applying(WalkState):
    """Claim-applying steps of ``DocumentWalk``."""

    def apply(self, claim: Claim, b: Block, topic: Topic) -> None:
        src = Source(b, b.page, claim.start, claim.end)
        if claim.vendor is None and ONLY_ELECTED_RE.search(b.text[claim.start : claim.end]):
            segs = self.res.lobs.segments_in(b.text[claim.start : claim.end])
            if any(d.segment in segs for d in topic.drafts):
                self.segment_modifier(claim, b, topic)
                return
        if claim.lead in ("services", "members", "references"):
            claim.services = [self.resolve_service(x, topic) for x in claim.services if not ANAPHOR_RE.match(x)]
            if claim.payer_requires and claim.vendor is None and not claim.not_required and claim.lead == "services":
                if claim.members and self.section_services(topic):
                    # "For these services, we require … for all X members:" under the service's own
                    # heading: the rule is the heading's service; the list below details it
                    self.own_requirement(claim, src, topic)
                    claim.lead = "details"
                    return
                # "We require prior authorization for these services for all commercial members:"
                claim.vendor = topic.find_vendor() or self.own_reviewer()
            if claim.vendor is not None and topic.vendor is None:
                topic.vendor = claim.vendor
            return
        if claim.excluded:
            named = self.res.vendors.known(self.res.annotate(src.quote), self.payer)
            topic.exclusions.append(
                Exclusion(claim.excluded, [], [], None, src, vendor=named[0].ref.name if named else None)
            )
            return
        if claim.cancel:
            self.drafts = [d for d in self.drafts if d.source.block is not b]
            topic.drafts = [d for d in topic.drafts if d.source.block is not b]
            topic.members = [m for m in topic.members if m.source.block is not b]
            topic.services = [x for x in topic.services if x.source.block is not b]
            return
        services = [self.resolve_service(s, topic) for s in claim.services if not ANAPHOR_RE.match(s)]
        vendor = claim.vendor
        if (
            vendor is not None
            and not claim.negated
            and not claim.ended
            and topic.vendor is None
            and (services or claim.members or ("active" in claim.cues and AUTH_WORD_RE.search(claim.text)))
        ):
            topic.vendor = vendor
        if claim.effective and vendor is not None and not services and not claim.members and not claim.negated:
            topic.effective = topic.effective or claim.effective
        if claim.old_vendor is not None:
            self.transition(claim, services, src, topic)
            return
        if vendor is None and claim.payer_requires:
            self.own_requirement(claim, src, topic)
            return
        if vendor is None and not claim.members:
            self.segment_modifier(claim, b, topic)
            return
        if (claim.negated or claim.not_required) and not claim.members and vendor is not None:
            return  # "Zephyr does not manage requests performed during an inpatient stay": a setting, not members
        if vendor is not None and not services and self.takes_over(claim, topic):
            return
        if "describes" in claim.cues and not claim.members:
            return  # who a company is, not what it reviews for whom
        if vendor is not None and not services:
            found = topic.find_services()
            ctx_all = [s for s in found if s.home is None]
            if not ctx_all and claim.members and not (claim.negated or claim.ended):
                # "For our Medicare members, we offer Acme Health" under "Chronic conditions": the
                # service the nearest heading names
                ctx_all = [ProgramService(n, vendor, src, origin="heading") for n in self.section_services(topic)]
            # the vendor's own programs, those its subsections stated too ("Acme's programs do not apply
            # to …"); a service no vendor was named for only when stated in this section
            services_ctx = [s for s in found + ctx_all if s.vendor is not None and s.vendor.name == vendor.name] or [
                s for s in ctx_all if s.vendor is None or vendor.in_house or claim.continues
            ]
            services_ctx = list({id(s): s for s in services_ctx}.values())
            if claim.members and (claim.negated or claim.ended) and not claim.continues:
                for m in claim.members:
                    topic.members.append(
                        ProgramMember(
                            m,
                            src,
                            vendor,
                            True,
                            Requirement.NOT_REQUIRED if claim.not_required else claim.requirement,
                            claim.effective,
                        )
                    )
                return
            if claim.members and services_ctx:
                for ps in services_ctx:
                    for m in claim.members:
                        self.emit_claim(claim, vendor, ps.name, m, src, topic, ps)
                    ps.used = True
                return
            if claim.members:
                for m in claim.members:
                    topic.members.append(
                        ProgramMember(m, src, vendor, claim.negated or claim.ended, claim.requirement, claim.effective)
                    )
                if claim.lead:
                    topic.vendor = topic.vendor or vendor
                return
            # "… needs prior authorization through Acme Rx" under "Opioid medication management program"
            heading = next((t for t in topic.chain() if t.heading_service and t.services), None)
            if (
                heading is not None
                and not claim.negated
                and same_vendor(heading.services[0].vendor, vendor, none_ok=True)
            ):
                h = heading.services[0]
                h.vendor, h.origin, h.partners = vendor, "claim", claim.partners
                self.used.add((b.index, claim.start))  # the sentence named who runs the heading's program
                h.requirement = h.requirement or claim.requirement
            return
        if vendor is None:
            # members only: "The program applies to …", "X members are not part of the program"
            if claim.lead == "members" or not claim.membership_only:
                return
            if self.outside_named_program(claim, src, topic):
                return
            if self.lines_left_out(claim, src, topic):
                return
            for m in claim.members:
                if not (claim.negated or claim.ended) and self.refines_line(topic, m, src):
                    continue
                topic.members.append(
                    ProgramMember(
                        m,
                        src,
                        None,
                        claim.negated or claim.ended,
                        Requirement.NOT_REQUIRED if claim.not_required else claim.requirement,
                        claim.effective,
                    )
                )
            return
        # a vendor and services
        if claim.lead in ("services", "members"):
            claim.services = services
            return
        if self.restates(claim, services, topic):
            return
        waiting = [] if claim.members else [pm for pm in topic.find_members(vendor) if not pm.negated]
        members = claim.members or [pm.member for pm in waiting]
        for name in services:
            if members:
                for m in members:
                    self.emit_claim(claim, vendor, name, m, src, topic, None)
                for pm in waiting:
                    pm.used = True
                self.remember(topic, name, vendor, src)
            else:
                self.add_service(
                    topic,
                    ProgramService(
                        name,
                        vendor,
                        src,
                        claim.effective,
                        requirement=claim.requirement,
                        negated=claim.negated or claim.ended,
                        partners=claim.partners,
                    ),
                )
