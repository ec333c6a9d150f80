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
from typing import Optional

from ingest import Block, BlockKind, Document

from .drafts import Draft, Source, VendorRef
from .emitting import Emitting
from .lob import Lob
from .model import Requirement
from .owned import OwnRequirements
from .pairing import Pairing
from .patterns import (
    ACTIVE_RE,
    ANAPHOR_RE,
    AUTH_WORD_RE,
    EXCEPT_RE,
    EXCLUDED_LEAD_RE,
    GENERIC_HEADING_RE,
    HEADING_SPLIT_RE,
    LEGEND_RE,
    MANAGED_BY_RE,
    MEMBER_LEAD_RE,
    NOTE_SCOPES_RE,
    NUMBERING_RE,
    ONLY_ELECTED_RE,
    REQUIREMENT_HEADING_RE,
    SERVICE_LEAD_RE,
    SKIP_HEADING_RE,
    VERB_RE,
)
from .profiles import ProgramProfiles
from .prose import Claim, ProseReader
from .resources import Resources
from .similarity import same_vendor
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, normalize, sentences
from .tree import Exclusion, ProgramMember, ProgramService, Section, Topic, build_tree

_log = logging.getLogger(__name__)


class DocumentWalk(OwnRequirements, Emitting, Pairing, ProgramProfiles):
    def __init__(self, doc: Document, res: Resources, payer: str):
        self.doc = doc
        self.res = res
        self.payer = payer
        self.prose = ProseReader(res)
        self.drafts: list[Draft] = []
        self.consumed: set[int] = set()
        self.used: set[tuple[int, int]] = set()  # (block, sentence start) of sentences that informed the walk
        self.explained: set[int] = set()  # blocks read whole as labels or legends
        self._heading_vendors: dict[
            str, Optional[VendorRef]
        ] = {}  # blocks read already as part of another (a table's footnotes)
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
        skip = sec.heading is not None and SKIP_HEADING_RE.match(
            NUMBERING_RE.sub("", normalize(sec.heading.text)).strip(" :.")
        )
        run: list[Block] = []
        for item in [*sec.items, None]:
            if isinstance(item, Block):
                run.append(item)
                continue
            if run and not skip:
                self.blocks(run, topic)
            run = []
            if item is not None:
                sub = Topic(topic, heading=item.heading.text if item.heading else "")
                self.section(item, sub)
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
                while (
                    j < len(blocks)
                    and blocks[j].index not in self.consumed
                    and (
                        blocks[j].kind is BlockKind.LIST_ITEM
                        or (blocks[j].kind is BlockKind.PARAGRAPH and EXCEPT_RE.match(normalize(blocks[j].text)))
                    )
                ):
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
        elif MEMBER_LEAD_RE.search(text) or re.search(
            r"\bwhich\s+members\b|\bwho\s+(?:is|are)\s+(?:eligible|covered)", text, re.IGNORECASE
        ):
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
            if (
                topic.lob is None
                and self.res.members.lobish(part, strict=True)
                and not self.res.annotate(part).of("VENDOR", "DEPT")
            ):
                named_part = re.sub(r"^\s*for\s+", "", part, flags=re.IGNORECASE)
                scoped = self.res.clauses.scope_re.match(named_part)  # "for |select| Medicare Advantage members"
                lob = self.res.lobs.name(named_part[scoped.end() :] if scoped else named_part, self.payer)
                if lob is not None and not lob.default:
                    topic.lob = lob
                    if scoped:
                        topic.lob_scope = self.res.clauses.scope_words[scoped.group(1).lower()]
                    # "Commercial and Medicare Advantage members": a heading that names several lines
                    named = [x for x, _, _ in self.res.members.in_sentence(part, self.payer) if not x.default]
                    topic.lobs = named if len(named) > 1 else []
                    continue
            if (
                topic.role is None
                and not self.res.annotate(part).of("VENDOR", "PORTAL")
                and not text.endswith("?")
                and not VERB_RE.search(part)
                and part.count(",") < 2
            ):
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
            vendor = self.res.vendors.label(norm[mb.end() :], self.payer)
            if vendor:
                self.explained.add(b.index)
                topic.vendor, topic.vendor_stated = vendor, True
                for s in topic.services:
                    s.vendor = s.vendor or vendor
            return None
        label = re.fullmatch(r"\s*([^.:]{2,80}):\s*", norm)
        if (
            label
            and len(label.group(1).split()) <= 8
            and not VERB_RE.search(label.group(1))
            and not ACTIVE_RE.search(label.group(1))
            and not self.res.annotate(label.group(1)).of("VENDOR", "DEPT")
            and not (MEMBER_LEAD_RE.search(norm) or EXCLUDED_LEAD_RE.search(norm) or SERVICE_LEAD_RE.search(norm))
        ):
            svc = self.res.services.name(label.group(1))
            label_lead = Claim(0, len(text), lead="services_label")
            if svc:
                label_lead.services = [svc]
            return label_lead
        last: Optional[Claim] = None
        lead: Optional[Claim] = None
        history: list[Claim] = []
        for a, e in sentences(text):
            claim = self.prose.read(text, a, e, self.payer, topic.find_vendor() or self.heading_vendor(topic))
            self.same_vendor_as_section(claim, topic)
            self.profile(claim, text, topic)
            if (
                a == 0
                and claim.vendor is None
                and claim.members
                and NOTE_SCOPES_RE.search(text, a, e)
                and _notes_a_sentence(b, siblings)
            ):
                claim.membership_only = True  # "*Commercial members, except …" under "Members 18 and older* have …"
            same = next(
                (
                    c
                    for c in reversed(history)
                    if claim.vendor and c.vendor and c.vendor.name == claim.vendor.name and c.services
                ),
                None,
            )
            self.resolve_anaphora(claim, same or last, text)
            history.append(claim)
            if last is not None and (self.modifies_last(claim, last, b, text) or self.retarget(last, claim, b, topic)):
                self.used.add((b.index, a))
                continue
            self.apply(claim, b, topic)
            if (
                claim.lead
                or claim.excluded
                or claim.members
                or claim.payer_requires
                or claim.old_vendor
                or (claim.vendor is not None and claim.services)
            ):
                self.used.add((b.index, a))  # the sentence told the walk something, even if no rule stands on it
            last = claim
            if claim.lead:
                lead = claim
        return lead

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
                h.vendor, h.origin = vendor, "claim"
                h.requirement = h.requirement or claim.requirement
            return
        if vendor is None:
            # members only: "The program applies to …", "X members are not part of the program"
            if claim.lead == "members" or not claim.membership_only:
                return
            if self.outside_named_program(claim, src, topic):
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
                    ),
                )


def _notes_a_sentence(b: Block, siblings: list[Block]) -> bool:
    """``b`` is a note ("*Commercial members only") whose marker stands in an earlier block of its section."""
    marker = b.text.lstrip()[:1]
    return (
        bool(marker)
        and marker in FOOTNOTE_SYMBOLS + SUPERSCRIPTS
        and any(x.index < b.index and marker in x.text.lstrip()[1:] for x in siblings)
    )
