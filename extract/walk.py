"""The walk over a document's context tree: one ``DocumentWalk`` per document (re-entrant; the
shared ``Resources`` hold no document state).

Each section is read in order: its heading sets the topic (vendor, service, line of business,
what its lists enumerate), its paragraphs are read sentence by sentence into claims, its lists
and tables by their own readers. A claim or item that states every slot becomes a rule at once;
one that states only members ("The program applies to …") or only services ("… for the
services below:") waits in its section's topic. When a section closes, what waits is paired —
services × members, under the section's vendor — or handed up to the enclosing section, so that
an FAQ's "Which members…" and "Which services…" answers, or a deck's "Program overview" and
"Applicable memberships" slides, meet in the section they share.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Optional

from ingest import Block, BlockKind, Document

from .drafts import Draft, Source, VendorRef
from .lob import Lob
from .members import Member
from .model import ExceptionRef, Requirement, Scope, Segment
from .patterns import (EXCEPT_RE, EXCLUDED_LEAD_RE, GENERIC_HEADING_RE, LEGEND_RE, MANAGED_BY_RE, MEMBER_LEAD_RE,
                       ONLY_ELECTED_RE, SERVICE_LEAD_RE, SKIP_HEADING_RE, VERB_RE)
from .patterns import ACTIVE_RE, CARE_MANAGEMENT_RE, CARE_PROGRAM_RE, NO_LONGER_RE
from .prose import Claim, ProseReader
from .resources import Resources
from .services import SERVICE_HEAD_RE
from .text import fold, normalize, sentences
from .tree import Exclusion, ProgramMember, ProgramService, Section, Topic, build_tree

_log = logging.getLogger(__name__)
#: "Prior authorization requirements for |sleep testing and treatment|", "|Widget testing| authorization
#: requirements": the heading names the service whose requirements follow.
REQUIREMENT_HEADING_RE = re.compile(
    r"^(?:(?:prior\s+)?authori[sz]ation|pre-?certification|notification|referral|review)\s+requirements?\s+(?:for|of)\s+|"
    r"\s+(?:prior\s+)?(?:authori[sz]ation|pre-?certification|notification)\s+requirements?$", re.IGNORECASE)
HEADING_SPLIT_RE = re.compile(r"\s*:\s+|\s+[—–]\s+|\s+-\s+")
NUMBERING_RE = re.compile(r"^\s*(?:section\s+)?\d+(?:\.\d+)*\.?\s+|^\s*[A-Z]\.\s+|^\s*(?:step|part|slide)\s+\d+\s*[:.-]?\s*",
                          re.IGNORECASE)
#: A "these services"-style phrase that points back to services named before.
ANAPHOR_RE = re.compile(r"^(?:these|those|the|such|this|that)?\s*(?:services?|codes?|procedures?|programs?|tests?|"
                        r"requests?|imaging|therapy|therapies|drugs?|studies|surgeries|reviews?)$", re.IGNORECASE)


class DocumentWalk:
    def __init__(self, doc: Document, res: Resources, payer: str):
        self.doc = doc
        self.res = res
        self.payer = payer
        self.prose = ProseReader(res)
        self.drafts: list[Draft] = []
        self.consumed: set[int] = set()  # blocks read already as part of another (a table's footnotes)
        self.lob_hint: Optional[Lob] = None  # the line a list item read as prose stands under
        from .lists import ListReader
        from .tables import TableReader
        self.lists = ListReader(self)
        self.tables = TableReader(self)

    # -- the walk ------------------------------------------------------------------------------------
    def run(self) -> list[Draft]:
        root = build_tree(self.doc)
        topic = Topic(None)
        self.section(root, topic)
        self.close(topic, final=True)
        return self.drafts

    def section(self, sec: Section, topic: Topic) -> None:
        if sec.heading is not None:
            self.heading(sec.heading, topic)
        if sec.heading is None or not SKIP_HEADING_RE.match(NUMBERING_RE.sub("", normalize(sec.heading.text)).strip(" :.")):
            self.blocks(sec.blocks, topic)
        for child in sec.children:
            sub = Topic(topic, heading=child.heading.text if child.heading else "")
            self.section(child, sub)
            self.close(sub)

    def blocks(self, blocks: list[Block], topic: Topic) -> None:
        i = 0
        lead: Optional[Claim] = None
        while i < len(blocks):
            b = blocks[i]
            if b.index in self.consumed:
                i += 1
                continue
            if b.kind is BlockKind.LIST_ITEM:
                j = i
                run: list[Block] = []
                while j < len(blocks) and blocks[j].index not in self.consumed and (blocks[j].kind is BlockKind.LIST_ITEM or
                                           (blocks[j].kind is BlockKind.PARAGRAPH and EXCEPT_RE.match(normalize(blocks[j].text)))):
                    run.append(blocks[j])
                    j += 1
                self.lists.read(run, topic, lead, blocks)
                lead = None
                i = j
                continue
            if b.kind is BlockKind.TABLE:
                self.tables.read(b, topic, blocks, lead)
                lead = None
            elif b.kind in (BlockKind.PARAGRAPH, BlockKind.CAPTION):
                lead = self.paragraph(b, topic, blocks)
            i += 1

    # -- headings ------------------------------------------------------------------------------------
    def heading(self, b: Block, topic: Topic) -> None:
        text = NUMBERING_RE.sub("", normalize(b.text)).strip(" :.")
        text = REQUIREMENT_HEADING_RE.sub("", text).strip(" :.") or text
        if not text:
            return
        if EXCLUDED_LEAD_RE.search(text):
            topic.role = "excluded"
        elif MEMBER_LEAD_RE.search(text) or re.search(r"\bwhich\s+members\b|\bwho\s+(?:is|are)\s+(?:eligible|covered)",
                                                      text, re.IGNORECASE):
            topic.role = "members"
        elif SERVICE_LEAD_RE.search(text) or re.search(r"\bwhich\s+services\b", text, re.IGNORECASE):
            topic.role = "services"
        if LEGEND_RE.match(text) or (GENERIC_HEADING_RE.match(text) and not topic.role):
            return
        ann = self.res.annotate(text)
        vendor = None
        known = self.res.vendors.known(ann, self.payer)
        if known:
            vendor = known[0].ref
        parts = [p for p in HEADING_SPLIT_RE.split(text) if p.strip()]
        for part in parts:
            if vendor is None and len(parts) > 1:
                vendor = self.res.vendors.label(part, self.payer)
                if vendor and (vendor.in_house and not self.res.annotate(part).of("PAYER")):
                    vendor = None
                if vendor is not None and vendor.new and self.res.services.name(part):
                    vendor = None
            if topic.lob is None and self.res.members.lobish(part, strict=True) and not self.res.annotate(part).of("VENDOR", "DEPT"):
                lob = self.res.lobs.name(re.sub(r"^\s*for\s+", "", part, flags=re.IGNORECASE), self.payer)
                if lob is not None and not lob.default:
                    topic.lob = lob
                    continue
            if topic.role is None and not self.res.annotate(part).of("VENDOR", "PORTAL") and not text.endswith("?") \
                    and not VERB_RE.search(part) and part.count(",") < 2:
                svc = self.res.services.name(re.sub(r"^\s*for\s+", "", part, flags=re.IGNORECASE))
                if svc and not self.res.members.lobish(part, strict=True):
                    topic.services = [ProgramService(svc, None, Source.whole(b), origin="heading")]
                    topic.heading_service = True
        if vendor is not None:
            topic.vendor, topic.vendor_stated = vendor, True
            for s in topic.services:
                s.vendor = s.vendor or vendor

    # -- paragraphs ----------------------------------------------------------------------------------
    def paragraph(self, b: Block, topic: Topic, siblings: list[Block]) -> Optional[Claim]:
        text = b.text
        norm = normalize(text)
        if EXCEPT_RE.match(norm):
            self.exceptions_to_last(topic, norm, Source.whole(b))
            return None
        mb = MANAGED_BY_RE.match(norm)
        if mb:
            vendor = self.res.vendors.label(norm[mb.end():], self.payer)
            if vendor:
                topic.vendor, topic.vendor_stated = vendor, True
                for s in topic.services:
                    s.vendor = s.vendor or vendor
            return None
        label = re.fullmatch(r"\s*([^.:]{2,80}):\s*", norm)
        if label and len(label.group(1).split()) <= 8 and not VERB_RE.search(label.group(1)) \
                and not ACTIVE_RE.search(label.group(1)) and not self.res.annotate(label.group(1)).of("VENDOR", "DEPT") and not (MEMBER_LEAD_RE.search(norm) or EXCLUDED_LEAD_RE.search(norm) or SERVICE_LEAD_RE.search(norm)):
            svc = self.res.services.name(label.group(1))
            lead = Claim(0, len(text), lead="services_label")
            if svc:
                lead.services = [svc]
            return lead
        last: Optional[Claim] = None
        lead: Optional[Claim] = None
        history: list[Claim] = []
        for a, e in sentences(text):
            claim = self.prose.read(text, a, e, self.payer, topic.find_vendor() or self.heading_vendor(topic))
            self.same_vendor_as_section(claim, topic)
            same = next((c for c in reversed(history) if claim.vendor and c.vendor and c.vendor.name == claim.vendor.name
                         and c.services), None)
            self.resolve_anaphora(claim, same or last, text)
            history.append(claim)
            if last is not None and (self.modifies_last(claim, last, b, text) or self.retarget(last, claim, b, topic)):
                continue
            self.apply(claim, b, topic)
            last = claim
            if claim.lead:
                lead = claim
        return lead

    def resolve_anaphora(self, claim: Claim, last: Optional[Claim], text: str) -> None:
        if last is None:
            return
        s = text[claim.start:claim.end]
        if claim.vendor and (not claim.services or all(ANAPHOR_RE.match(x) for x in claim.services)) and last.services:
            claim.services = list(last.services)
        if claim.vendor and not claim.members and last.members and re.search(r"\b(?:these|those|that|them|their)\b", s, re.I):
            claim.members = [Member(m.lob, m.segment, Scope.ALL) for m in last.members]
        if claim.effective is None and re.search(r"\bthat\s+date\b", s, re.I):
            claim.effective = last.effective

    def modifies_last(self, claim: Claim, last: Claim, b: Block, text: str) -> bool:
        """"Effective March 1, 2025, these tests do not require prior authorization.": the sentence
        before named the rule; this one changes its requirement or date."""
        s = text[claim.start:claim.end]
        if claim.vendor is not None or claim.members or not re.search(r"\b(?:these|those|this|that|they|it|them)\b", s, re.I):
            return False
        if claim.services and not all(ANAPHOR_RE.match(x) or x.split()[-1] in ("tests", "services", "codes", "procedures")
                                      for x in claim.services):
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

    def apply(self, claim: Claim, b: Block, topic: Topic) -> None:
        src = Source(b, b.page, claim.start, claim.end)
        if claim.vendor is None and ONLY_ELECTED_RE.search(b.text[claim.start:claim.end]):
            segs = self.res.lobs.segments_in(b.text[claim.start:claim.end])
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
            topic.exclusions.append(Exclusion(claim.excluded, [], [], None, src,
                                              vendor=named[0].ref.name if named else None))
            return
        if claim.cancel:
            self.drafts = [d for d in self.drafts if d.source.block is not b]
            topic.drafts = [d for d in topic.drafts if d.source.block is not b]
            topic.members = [m for m in topic.members if m.source.block is not b]
            topic.services = [x for x in topic.services if x.source.block is not b]
            return
        services = [self.resolve_service(s, topic) for s in claim.services if not ANAPHOR_RE.match(s)]
        vendor = claim.vendor
        if vendor is not None and not claim.negated and not claim.ended and topic.vendor is None and (services or claim.members):
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
        if vendor is not None and not services:
            ctx_all = topic.find_services()
            services_ctx = [s for s in ctx_all if s.vendor is not None and s.vendor.name == vendor.name] or \
                [s for s in ctx_all if s.vendor is None or vendor.in_house or claim.continues]
            if claim.members and (claim.negated or claim.ended) and not claim.continues:
                for m in claim.members:
                    topic.members.append(ProgramMember(m, src, vendor, True,
                                                       Requirement.NOT_REQUIRED if claim.not_required else claim.requirement,
                                                       claim.effective))
                return
            if claim.members and services_ctx:
                for ps in services_ctx:
                    for m in claim.members:
                        self.emit_claim(claim, vendor, ps.name, m, src, topic, ps)
                    ps.used = True
                return
            if claim.members:
                for m in claim.members:
                    topic.members.append(ProgramMember(m, src, vendor, claim.negated or claim.ended, claim.requirement,
                                                       claim.effective))
                if claim.lead:
                    topic.vendor = topic.vendor or vendor
                return
            # "… needs prior authorization through Acme Rx" under "Opioid medication management program"
            heading = next((t for t in topic.chain() if t.heading_service and t.services), None)
            if heading is not None and not claim.negated and _same_vendor(heading.services[0].vendor, vendor, none_ok=True):
                h = heading.services[0]
                h.vendor, h.origin = vendor, "claim"
                h.requirement = h.requirement or claim.requirement
            return
        if vendor is None:
            # members only: "The program applies to …", "X members are not part of the program"
            if claim.lead == "members" or not claim.membership_only:
                return
            for m in claim.members:
                topic.members.append(ProgramMember(m, src, None, claim.negated or claim.ended,
                                                   Requirement.NOT_REQUIRED if claim.not_required else claim.requirement,
                                                   claim.effective))
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
                self.add_service(topic, ProgramService(name, vendor, src, claim.effective, claim.requirement,
                                                       negated=claim.negated or claim.ended))

    def own_requirement(self, claim: Claim, src: Source, topic: Topic) -> None:
        """"Precertification is required for acute inpatient care": the section's vendor, or the payer's
        own staff, requires it for the services the sentence or the section's heading names."""
        if claim.not_required and not (claim.effective or NO_LONGER_RE.search(src.quote)
                                       or any(m.lob is not None for m in claim.members)):
            return  # "Home sleep tests do not need prior authorization": a limit of the program, not a rule
        vendor = topic.section_vendor() or self.own_reviewer()
        if vendor.in_house:
            vendor = self.own_reviewer()  # "Acme Health: Sleep Program" — the payer's page: its own reviewers
        names = [self.resolve_service(x, topic) for x in claim.services if not ANAPHOR_RE.match(x)]
        if not names and claim.services:
            return  # "… is required for these services": the rules that named them stand already
        if not names:
            names = self.section_services(topic, None if vendor.name == self.own_reviewer().name else vendor)
            if not vendor.in_house and any(d.vendor.name == vendor.name and d.service in names for d in topic.drafts):
                return  # a vendor's section restating the requirement of rules it stated
        if not names:
            return
        known = [ps for ps in topic.services if ps.vendor is None or ps.vendor.name == vendor.name]
        def same(n: str, ps: ProgramService) -> bool:
            return any(_similar(n, x) for x in [ps.name] + ps.aliases)
        if claim.services and not claim.members and known and all(any(same(n, ps) for ps in known) for n in names):
            # "… several molecular and genomic tests … need prior authorization" after "X manages
            # molecular and genomic testing": the rule named already, now dated
            for ps in known:
                if any(same(n, ps) for n in names):
                    ps.effective = ps.effective or claim.effective
            return
        members = claim.members or [Member(None, Segment.ALL, claim.scope_hint or Scope.ALL)]
        req = Requirement.NOT_REQUIRED if claim.not_required else claim.requirement
        for name in names:
            # "For these services, we require …" in a sibling of the section that said who runs the
            # program for this service: that vendor's program
            v = vendor if not (vendor.in_house or vendor.name == self.own_reviewer().name) or claim.not_required \
                else (self.program_vendor(name, topic) or vendor)
            for m in members:
                self.emit(v, name, m, src, topic, "requirement", claim.effective, req, conditions=claim.conditions)

    def section_services(self, topic: Topic, vendor: Optional[VendorRef] = None) -> list[str]:
        """What "Prior authorization is required." or "For these services, we require …" is about: the
        nearest section's own services, or the service its heading names."""
        own = next((t.services for t in topic.chain() if any(ps.home is None for ps in t.services)
                    or t is topic and self.heading_label(t)), [])
        return [ps.name for ps in own if ps.home is None and not ps.negated and not ps.emitted
                and (vendor is None or ps.vendor is None or ps.vendor.name == vendor.name)] or \
            ([self.heading_label(topic)] if not own and self.heading_label(topic) else [])

    def own_reviewer(self) -> VendorRef:
        """Who reviews when the payer writes "we require …": its own department the vocabulary knows,
        else the payer's staff."""
        name = self.res.vocab.self_department(self.payer)
        return VendorRef(name, "", False, name == self.payer)

    def program_vendor(self, service: str, topic: Topic) -> Optional[VendorRef]:
        """The vendor an enclosing section already named for ``service``."""
        for t in topic.chain():
            for ps in t.services:
                if ps.vendor is not None and not ps.vendor.in_house and _similar(ps.name, service):
                    return ps.vendor
        return None

    def retarget(self, last: Claim, claim: Claim, b: Block, topic: Topic) -> bool:
        """"We require … through our Sleep Program. The program is administered by V on our behalf.":
        the rules the first sentence stated are V's, and their quote spans both sentences."""
        if claim.vendor is None or claim.vendor.in_house or claim.members or claim.negated or claim.ended \
                or not last.payer_requires or last.not_required \
                or any(not ANAPHOR_RE.match(x) and x not in last.services for x in claim.services):
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
        text = NUMBERING_RE.sub("", normalize(topic.heading)).strip(" :.")
        head = HEADING_SPLIT_RE.split(text)[0] if text else ""
        if not head or GENERIC_HEADING_RE.match(head) or self.res.services.name(head) \
                or self.res.members.lobish(head, strict=True):
            return None
        return self.res.vendors.label(head, self.payer)

    def same_vendor_as_section(self, claim: Claim, topic: Topic) -> None:
        """"Quillon provides …" under "Quillon Health Partners": the short name of the section's vendor."""
        v, sec = claim.vendor, topic.find_vendor() or self.heading_vendor(topic)
        if v is not None and sec is not None and v.new and v.name != sec.name \
                and fold(sec.name).startswith(fold(v.name) + " "):
            claim.vendor = VendorRef(sec.name, v.stated, sec.new, sec.in_house)

    def heading_label(self, topic: Topic) -> Optional[str]:
        """A section heading that is a short name ("Partial hospitalizations"): what a requirement
        sentence directly under it is about, even when the name has no service word."""
        text = REQUIREMENT_HEADING_RE.sub("", NUMBERING_RE.sub("", normalize(topic.heading)).strip(" :.?")).strip()
        if not text or len(text.split()) > 6 or VERB_RE.search(text) or GENERIC_HEADING_RE.match(text) \
                or self.res.members.lobish(text) or self.res.annotate(text).of("VENDOR", "PAYER", "PORTAL"):
            return None
        return self.res.services.name(text, strict=False)

    def resolve_service(self, name: str, topic: Topic) -> str:
        """A sentence's wording of the service its section's heading names is that service:
        "outpatient, non-emergent, elective advanced imaging and cardiology services" under
        "Advanced Imaging and Cardiology Services Program"; "therapy" under "Outpatient Widget
        and Gadget Therapy"."""
        for t in topic.chain():
            if t.heading_service and t.services:
                h = t.services[0].name
                th, tn = _tokens(h), _tokens(name)
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
                if h.origin == "heading" and not _similar(name, h.name) and not h.used \
                        and _same_vendor(h.vendor, vendor, none_ok=True):
                    h.name, h.stated, h.used = name, name, True
                return

    def add_service(self, topic: Topic, ps: ProgramService) -> None:
        if topic.heading_service and topic.services and len(topic.services) == 1 and _same_vendor(topic.services[0].vendor, ps.vendor, none_ok=True):
            # the heading named the program; the sentence says what it covers ("Laboratory Management
            # Program" → "molecular and genomic testing"), or rewords it
            if not _similar(ps.name, topic.services[0].name) and not SERVICE_HEAD_RE.search(topic.services[0].name):
                topic.services[0].name, topic.services[0].stated = ps.name, ps.stated
            elif ps.name != topic.services[0].name:
                topic.services[0].aliases.append(ps.name)
            topic.services[0].vendor = ps.vendor
            topic.services[0].effective = topic.services[0].effective or ps.effective
            topic.services[0].requirement = topic.services[0].requirement or ps.requirement
            return
        for s in topic.services:
            if _similar(ps.name, s.name) or _similar(ps.stated or ps.name, s.stated or s.name):
                s.listed = s.listed or ps.listed
                return
        topic.services.append(ps)
        topic.services[:] = [s for s in topic.services if not _compound(s.stated or s.name, [o.stated or o.name for o in topic.services])]

    def restates(self, claim: Claim, services: list[str], topic: Topic) -> bool:
        """A sentence about services this vendor's rules already state: it dates them ("… requests
        begin with dates of service on or after D") or narrows their wording ("reviews only
        molecular testing codes"), and states no new rule."""
        vendor = claim.vendor
        known = [d for d in topic.drafts if d.vendor.name == vendor.name] + \
            [d for d in topic.services if d.vendor is not None and d.vendor.name == vendor.name]
        names = {getattr(d, "service", None) or getattr(d, "name", "") for d in known}
        if not names or claim.negated or claim.ended:
            return False
        text = " ".join(services)
        covered = [n for n in names if _tokens(n) and _tokens(n) <= _tokens(text)]
        if claim.members and claim.effective and covered and _tokens(text) <= set().union(*(_tokens(n) for n in covered)) | {"and"}:
            lobs = {m.lob.name for m in claim.members if m.lob}
            for d in topic.drafts:
                if d.vendor.name == vendor.name and d.service in covered and (not lobs or d.lob in lobs):
                    d.effective = claim.effective
            return True
        if not claim.members and all(any(_tokens(x) and _tokens(x) <= _tokens(n) for n in names) for x in services):
            return True
        return False

    def remember(self, topic: Topic, name: str, vendor: Optional[VendorRef], src: Source) -> None:
        """A service stated with its members: later sentences may call it "the program"."""
        self.rename_heading(topic, name, vendor)
        if not any(s.name == name and _same_vendor(s.vendor, vendor) for s in topic.services):
            topic.services.append(ProgramService(name, vendor, src, used=True, emitted=True))

    def transition(self, claim: Claim, services: list[str], src: Source, topic: Topic) -> None:
        names = services or [s.name for s in topic.find_services()]
        for name in names:
            self.remember(topic, name, claim.vendor, src)
        members = claim.members or [pm.member for pm in topic.find_members(claim.vendor)]
        for name in names:
            for m in members:
                old = Member(m.lob, m.segment, Scope.NONE)
                self.emit(claim.old_vendor, name, old, src, topic, "transition-from", claim.effective, claim.requirement)
                self.emit(claim.vendor, name, m, src, topic, "transition-to", claim.effective, claim.requirement)

    def segment_modifier(self, claim: Claim, b: Block, topic: Topic) -> None:
        """"Self-funded (ASO) plan sponsors decide whether to add the program": self-funded rules are select."""
        s = b.text[claim.start:claim.end]
        if not ONLY_ELECTED_RE.search(s):
            return
        segs = self.res.lobs.segments_in(s)
        for d in topic.drafts:
            if d.segment in segs and d.scope in (Scope.ALL, Scope.MOST):
                d.scope = Scope.SELECT

    # -- exceptions and pairing -----------------------------------------------------------------------
    def exceptions_to_last(self, topic: Topic, text: str, src: Source) -> None:
        refs = self.res.clauses.exception_list(text)
        last = self.lists.last_emitted or (topic.drafts[-1:] if topic.drafts else [])
        for d in last:
            d.exceptions.extend(refs)
            if d.scope is Scope.ALL:
                d.scope = Scope.MOST

    def close(self, topic: Topic, final: bool = False) -> None:
        """Pair what waits in ``topic``; hand the rest to the parent."""
        services = [s for s in topic.services if not s.used and not s.emitted]
        members = [m for m in topic.members if not m.used]
        vendor = topic.find_vendor()
        topic.services[:] = [s for s in topic.services if not _compound(s.stated or s.name, [o.stated or o.name for o in topic.services])]
        _log.debug("close %r: vendor=%s services=%s members=%s", topic.heading[:40], vendor and vendor.name,
                   [(s.name, s.vendor and s.vendor.name) for s in services],
                   [(m.member.lob and m.member.lob.name, m.member.segment.value, m.member.scope.value) for m in members])
        listed_vendors = {(s.vendor.name if s.vendor else None) for s in topic.services if s.listed}
        for s in topic.services:
            if not s.listed and not s.emitted and (s.vendor.name if s.vendor else None) in listed_vendors:
                s.used = True  # "advanced imaging" summed up what "Radiology" and "Cardiology" list
        services = [s for s in services if not s.used]
        pairs = [(ps, pm) for ps in topic.services if (ps.emitted or ps.used) for pm in members
                 if pm.vendor is not None and ps.vendor is not None and pm.vendor.name == ps.vendor.name
                 and not pm.vendor.in_house] + \
            [(ps, pm) for ps in topic.services if not ps.emitted and not (ps.used and not ps.listed
                 and (ps.vendor.name if ps.vendor else None) in listed_vendors) for pm in members] + \
            [(ps, pm) for ps in services for pm in topic.members if pm.used]
        apart = [(ps, pm) for ps, pm in pairs if not _nested(ps.home, pm.home)]
        service_homes = {id(ps.home) for ps, _ in apart}
        member_homes = {id(pm.home) for _, pm in apart}
        if len(service_homes) > 1 and len(member_homes) > 1:
            # members one section states are not the program of every other section; sibling sections
            # pair only when one side comes from a single section (a program slide and its
            # "Applicable memberships" slide, an FAQ's "Which services?" answer)
            pairs = [(ps, pm) for ps, pm in pairs if _nested(ps.home, pm.home)]
        vendors = {s.vendor.name for s in topic.services if s.vendor is not None and not s.emitted} | topic.child_vendors
        if len(vendors) > 1 and (topic.vendor is None or topic.vendor_from_child):
            # a section that names several vendors' programs pairs nothing it did not tie to one of them
            pairs = [(ps, pm) for ps, pm in pairs if pm.vendor is not None]
        if pairs and (vendor or any(s.vendor for s in topic.services)):
            for ps, pm in pairs:
                if pm.vendor is None or ps.vendor is None or pm.vendor.name == ps.vendor.name or pm.vendor.in_house:
                    v = ps.vendor or pm.vendor or (vendor if not topic.vendor_from_child or topic.vendor is None
                                                   or ps.home is None or ps.home.within(topic.vendor_home) else None)
                    if v is None:
                        continue
                    m = pm.member
                    if pm.negated:
                        m = Member(m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective,
                                   m.service_dates)
                    self.emit(v, ps.name, m, pm.source, topic, "paired", ps.effective or pm.effective,
                              ps.requirement or pm.requirement, program=ps)
                    ps.used = True
                    pm.used = True
            services = [s for s in services if not s.used]
            members = [m for m in members if not m.used]
        elif services and not members:
            lob = topic.lob or (topic.find_lob() if final else None)
            if lob is None and final:
                lob = Lob("all", "", ())
            if lob is not None:
                for ps in services:
                    if ps.vendor and not ps.used and not ps.emitted and not ps.negated and (ps.origin == "claim" or lob.name != "all"):
                        ps.used = True
                        for seg in lob.segments or (Segment.ALL,):
                            self.emit(ps.vendor, ps.name, Member(lob, seg, Scope.ALL), ps.source, topic, "heading-lob",
                                      ps.effective, ps.requirement, program=ps)
        self.apply_exclusions(topic)
        if topic.member_list:
            listed = {(d.vendor.name, d.service) for d in topic.drafts if d.pattern.startswith("list-")}
            drop = [d for d in topic.drafts if d.pattern == "sentence" and (d.vendor.name, d.service) in listed]
            self.drafts = [d for d in self.drafts if all(d is not x for x in drop)]
            topic.drafts = [d for d in topic.drafts if all(d is not x for x in drop)]
        if topic.parent is not None:
            parent = topic.parent
            parent.drafts.extend(topic.drafts)
            parent.exclusions.extend(x for x in topic.exclusions if not x.applied)
            for ps in topic.services:
                if not ps.used or ps.emitted or ps.listed:
                    ps.vendor = ps.vendor or (topic.vendor if not topic.vendor_from_child
                                              or ps.home is None or ps.home.within(topic.vendor_home) else None)
                    ps.home = ps.home or topic
                    self.add_service(parent, ps)
            for pm in members:
                if not pm.used:
                    pm.vendor = pm.vendor or (topic.vendor if not topic.vendor_from_child
                                              or pm.home is None or pm.home.within(topic.vendor_home) else None)
                    pm.handed_up = True
                    pm.home = pm.home or topic
                    parent.members.append(pm)
            if topic.vendor is not None:
                parent.child_vendors.add(topic.vendor.name)
            if topic.vendor is not None and (services or members) and (parent.vendor is None or parent.vendor_from_child):
                # a section's vendor speaks for its parent only while no sibling section names another one
                if len(parent.child_vendors) == 1:
                    parent.vendor, parent.vendor_from_child, parent.vendor_home = topic.vendor, True, topic
                else:
                    parent.vendor, parent.vendor_from_child = None, True
            parent.effective = parent.effective or (topic.effective if services else None)

    def apply_exclusions(self, topic: Topic) -> None:
        for x in topic.exclusions:
            if x.applied:
                continue
            for d in topic.drafts:
                if x.segments and d.segment not in x.segments:
                    continue
                if x.plan_types and not all(fold(p) in fold(d.lob).split() for p in x.plan_types):
                    continue
                if x.service and not _similar(x.service, d.service):
                    continue
                if x.vendor and d.vendor.name != x.vendor:
                    continue
                if d.scope is Scope.NONE:
                    continue
                d.exceptions.extend(r for r in x.refs if r not in d.exceptions)
                if d.scope is Scope.ALL:
                    d.scope = Scope.MOST
                x.applied = True

    # -- emitting ------------------------------------------------------------------------------------
    def emit_claim(self, claim: Claim, vendor: Optional[VendorRef], service: str, m: Member, src: Source, topic: Topic,
                   program: Optional[ProgramService]) -> None:
        if claim.negated or claim.ended:
            m = Member(m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective, m.service_dates)
        req = claim.requirement
        if claim.not_required and (claim.negated or claim.ended or vendor is None):
            req = Requirement.NOT_REQUIRED
        self.emit(vendor, service, m, src, topic, "sentence", claim.effective, req, program=program,
                  conditions=claim.conditions)

    def emit(self, vendor: Optional[VendorRef], service: str, m: Member, src: Source, topic: Topic, pattern: str,
             effective: Optional[date] = None, requirement: Optional[Requirement] = None,
             program: Optional[ProgramService] = None, conditions: Optional[list[str]] = None,
             payer: Optional[str] = None) -> Optional[Draft]:
        if vendor is None or not service:
            return None
        if vendor.in_house and vendor.name == self.payer and not payer:
            vendor = self.own_reviewer()  # the payer's own staff: its department when the vocabulary knows one
        lob = m.lob if m.lob is not None and not m.lob.default else (self.lob_hint or topic.find_lob() or m.lob)
        lob_name = lob.name if lob else ("Commercial" if m.segment is not Segment.ALL else "all")
        req = requirement or (program.requirement if program else None) or topic.find_requirement() \
            or (Requirement.CARE_MANAGEMENT if _care_program(service) else Requirement.PRIOR_AUTHORIZATION)
        eff = m.service_dates.get(fold(service)) or next(
            (d for k, d in m.service_dates.items() if _similar(k, service)), None) or m.effective or effective \
            or (program.effective if program else None) or topic.find_effective()
        d = Draft(vendor=vendor, service=service, lob=lob_name, segment=m.segment, scope=m.scope, requirement=req,
                  source=src, pattern=pattern, payer=payer or (lob.payer if lob else None),
                  exceptions=list(m.exceptions), inclusions=list(m.inclusions),
                  conditions=list(m.conditions) + list(conditions or []) + (list(program.conditions) if program else []),
                  effective=eff, section=" > ".join(src.block.section_path))
        d.explain = {"vendor": vendor.stated, "service": service, "line_of_business": lob.stated if lob else lob_name,
                     "pattern": pattern, "quote": src.quote[:160]}
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
        return d


def _nested(a: Optional[Topic], b: Optional[Topic]) -> bool:
    """Two statements' sections are one, or one lies under the other (None: the section closing)."""
    return a is None or b is None or a.within(b) or b.within(a)


def _care_program(service: str) -> bool:
    """A service that names a care program, not a reviewed service: "expert medical opinions", "NICU care
    management", "medication adherence rewards program"."""
    return bool(CARE_MANAGEMENT_RE.search(service) or CARE_PROGRAM_RE.search(service))


def _same_vendor(a: Optional[VendorRef], b: Optional[VendorRef], none_ok: bool = False) -> bool:
    if a is None or b is None:
        return none_ok or a is b
    return a.name == b.name


#: Words that do not tell two services apart ("musculoskeletal care" is "musculoskeletal").
SERVICE_FILLER = {"and", "or", "the", "of", "for", "services", "service", "program", "programs", "care", "management",
                  "procedures", "procedure", "outpatient", "requests", "review", "reviews"}


def _stem(t: str) -> str:
    if len(t) > 6 and t.endswith("ing"):
        return t[:-3]  # "testing" and "tests" name one service
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
        return t[:-1]
    return t


def _tokens(name: str) -> set[str]:
    return {_stem(t) for t in fold(name).split()} - SERVICE_FILLER


def _similar(a: str, b: str) -> bool:
    """Two names of one service: one's words contain the other's (unless the longer one joins two
    services with "and"), or they share most of them."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return fold(a) == fold(b)
    if ta == tb:
        return True
    if ta < tb:
        return " and " not in f" {fold(b)} "
    if tb < ta:
        return " and " not in f" {fold(a)} "
    return len(ta & tb) / len(ta | tb) >= 0.75


def _compound(name: str, others: list[str]) -> bool:
    """A name that sums up others: "Advanced imaging and musculoskeletal programs" when "advanced
    imaging" and "musculoskeletal" are listed; "imaging, surgery and sleep programs" beside
    "advanced imaging", "hip, knee and spine surgery" and "widget studies"."""
    t = _tokens(name)
    if not re.search(r",|\band\b", fold(name)) or not t:
        return False
    parts = [_tokens(o) for o in others if fold(o) != fold(name) and _tokens(o) and _tokens(o) & t
             and not t <= _tokens(o)]
    return len(parts) >= 2 and set().union(*parts) >= t - {"advanced", "specialty"}
