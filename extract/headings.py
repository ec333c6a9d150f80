"""What a section's heading says, and what the sentences under it borrow from it.

The heading's own words set the section's topic: whether its lists enumerate members, services or
excluded groups ("Applicable memberships", "Which services…", "Excluded memberships"); the vendor
it names; its line of business ("for select Medicare Advantage members" also scopes the line); the
service it names. A heading that is only a company's name ("Quillon Health Partners") is the
subject of sentences under it that start with their verb ("Makes authorization determinations for
…"); a short name ("Partial hospitalizations") is what a bare requirement under it is about.
"""

from __future__ import annotations

import re
from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Source, VendorRef
from .patterns import (
    EXCLUDED_LEAD_RE,
    GENERIC_HEADING_RE,
    HEADING_LABEL_MAX_WORDS,
    HEADING_SPLIT_RE,
    LEGEND_RE,
    MEMBER_LEAD_RE,
    NUMBERING_RE,
    REQUIREMENT_HEADING_RE,
    SERVICE_LEAD_RE,
    VERB_RE,
)
from .prefilter import prefilter_module
from .text import fold, normalize
from .tree import ProgramService, Topic
from .walk_state import WalkState

#: Words that end a company's name ("Quillon Health Partners", "Acme Review, Inc.").
COMPANY_RE = re.compile(
    r"\b(?:inc|llc|corp|corporation|company|co|partners|group|health|healthcare|solutions|"
    r"management|associates|network|clinic|labs?|rx|ltd)\.?$",
    re.IGNORECASE,
)


class Headings(WalkState):
    """Heading-reading steps of ``DocumentWalk``."""

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


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
