"""Reading a paragraph sentence by sentence, each sentence linked to the ones before it.

A paragraph may be a label ("Services:", a lead-in for the list below), a "Managed by X" line (the
section's vendor) or an "Exception: …" note (on the rules just stated). Otherwise each sentence is
read into a ``Claim`` and linked to the sentences before it: "these services" takes the services
of the sentence before; "Effective March 1, these tests do not require prior authorization"
changes the rule the sentence before stated; "The program is administered by V" hands that rule to
V. What each claim then does to its section is ``applying.py``'s.
"""

from __future__ import annotations

import re
from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Source
from .members import Member
from .model import Requirement, Scope
from .patterns import (
    ACTIVE_RE,
    ANAPHOR_RE,
    EXCEPT_RE,
    EXCLUDED_LEAD_RE,
    MANAGED_BY_RE,
    MEMBER_LEAD_RE,
    NOTE_SCOPES_RE,
    SERVICE_LEAD_RE,
    VERB_RE,
)
from .prefilter import prefilter_module
from .text import FOOTNOTE_SYMBOLS, SUPERSCRIPTS, normalize, sentences
from .tree import Topic
from .walk_state import WalkState


class Paragraphs(WalkState):
    """Paragraph-reading steps of ``DocumentWalk``."""

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
            if last is not None and (
                self.modifies_last(claim, last, b, text)
                or self.extends_last(claim, last, b, topic)
                or self.retarget(last, claim, b, topic)
            ):
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

    def resolve_anaphora(self, claim: Claim, last: Optional[Claim], text: str) -> None:
        if last is None:
            return
        s = text[claim.start : claim.end]
        if claim.vendor and (not claim.services or all(ANAPHOR_RE.match(x) for x in claim.services)) and last.services:
            claim.services = list(last.services)
        if claim.vendor and not claim.members and last.members and THEIR_RE.search(s):
            claim.members = [Member(m.lob, m.segment, Scope.ALL) for m in last.members]
        if claim.effective is None and THAT_DATE_RE.search(s):
            claim.effective = last.effective

    def modifies_last(self, claim: Claim, last: Claim, b: Block, text: str) -> bool:
        """ "Effective March 1, 2025, these tests do not require prior authorization.": the sentence
        before named the rule; this one changes its requirement or date."""
        s = text[claim.start : claim.end]
        if claim.vendor is not None or claim.members or not BACK_REFERENCE_RE.search(s):
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

    def extends_last(self, claim: Claim, last: Claim, b: Block, topic: Topic) -> bool:
        """ "This program will also be offered to Medicare Advantage members starting on January 1": the
        rules the sentence before stated, for more members (from the date given)."""
        s = b.text[claim.start : claim.end]
        if claim.vendor is not None or claim.services or not claim.members or claim.negated or not ALSO_RE.search(s):
            return False
        targets = [d for d in self.drafts if d.source.block is b and d.source.start == last.start]
        if not targets:
            return False
        src = Source(b, b.page, claim.start, claim.end)
        for d in {(d.vendor.name, d.service): d for d in targets}.values():
            for m in claim.members:
                self.emit(d.vendor, d.service, m, src, topic, "also", claim.effective, d.requirement)
        return True


#: "this program will also be offered to …", "is also available to …": more members for the rule before
ALSO_RE = re.compile(
    r"\b(?:this|the|that)\s+(?:program|service|benefit|offering)\b[^.;]*\balso\b|"
    r"\balso\s+(?:be\s+)?(?:offered|available|open|apply|applies)\s+to\b",
    re.I,
)
#: Words that point back at the sentence before: "these members", "that date", "it"
THEIR_RE = re.compile(r"\b(?:these|those|that|them|their)\b", re.I)
THAT_DATE_RE = re.compile(r"\bthat\s+date\b", re.I)
BACK_REFERENCE_RE = re.compile(r"\b(?:these|those|this|that|they|it|them)\b", re.I)


def _notes_a_sentence(b: Block, siblings: list[Block]) -> bool:
    """``b`` is a note ("*Commercial members only") whose marker stands in an earlier block of its section."""
    marker = b.text.lstrip()[:1]
    return (
        bool(marker)
        and marker in FOOTNOTE_SYMBOLS + SUPERSCRIPTS
        and any(x.index < b.index and marker in x.text.lstrip()[1:] for x in siblings)
    )


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
