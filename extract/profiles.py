"""A partner's program profile: what a company does for the payer's members, told in the
sentences of a section or in an "access" clause.

Care-program pages file each partner under the condition it serves ("Diabetes › Glucora",
"Chronic back and joint pain › Jointly Health") and describe it in sentences that are not delegation
frames: "Glucora is a diabetes management program that …", "Keto Path Health helps members …",
"Members have access to virtual visits with Jointly Health's care team for back and joint pain",
"Offers members savings on …" under "Cost Share Assistance with <vendor>". Such a sentence makes
the company the vendor of a care program. The program is the sentence's "<X> program" or
"for <X>"; else what the heading names besides the company; else the condition the section is
filed under. Who may use it comes from the section's availability sentences ("Available to
self-insured accounts as an option"), which wait in the section and are paired as any waiting
members are.
"""

from __future__ import annotations

import re
from typing import Optional

from .claim import Claim
from .drafts import VendorRef
from .model import Requirement
from .patterns import AUTH_WORD_RE, HEADING_SPLIT_RE, NUMBERING_RE, SERVICES_REFERRED_RE
from .prefilter import prefilter_module
from .text import fold, normalize
from .tree import Topic
from .vendors import PROPER_RE, VendorMention
from .walk_state import WalkState

#: What a partner does for members, said of the company (or of the heading's company when the
#: sentence starts with its verb).
CARE_VERB_RE = re.compile(
    r"^(?:(?:'s|’s)\s+[\w\s-]{0,40}?\s+)?(?:\s*,[^,]{0,80},)?\s*(?:also\s+|now\s+)?"
    r"(?:helps?|offers?|provides?|supports?|gives?|delivers?|works?\s+with|partners?\s+with|"
    r"(?:is|are)\s+(?:an?|the)\s+[^.;]{0,60}?\b(?:program|service|platform|app|company|provider)\b)",
    re.I,
)
#: "have access to … <company>", "we are partnering with <company>", "through our partnership with <company>"
ACCESS_RE = re.compile(
    r"\b(?:ha(?:ve|s)\s+access\s+to|access\s+to|partner(?:ing|ed|s)?\s+with|partnership\s+with)\s+(?:[^.;]{0,60}?\bwith\s+)?",
    re.I,
)
#: what may follow a partner's name: the name is whole ("Acme Health’s care team", "Acme, a …")
NAME_END_RE = re.compile(
    r"\s*(?:$|[,.;:(’'*]|(?:for|program|app|platform|and|through|to\s+(?:help|get|manage))\b)", re.I
)
#: the program a sentence names: "… is a |diabetes management| program", "…, a |self-guided online support| program"
PROGRAM_NAME_RE = re.compile(r"\b(?:is|are|,)\s+(?:an?|the)\s+(?P<name>[^.;]{3,60}?)\s+(?:program|service)s?\b", re.I)
#: "… care team for |back and joint pain|": what the partner's care is for
FOR_RE = re.compile(r"\bfor\s+(?P<name>[^.;,()*]{3,60})", re.I)


class ProgramProfiles(WalkState):
    def profile(self, claim: Claim, text: str, topic: Topic) -> None:
        """Make ``claim`` a partner's care program when its sentence profiles a company and no
        delegation frame read it."""
        s = text[claim.start : claim.end]
        if claim.services or claim.payer_requires or claim.negated or claim.ended or claim.old_vendor is not None:
            return
        if AUTH_WORD_RE.search(s) or SERVICES_REFERRED_RE.search(s):
            return  # a review requirement, or the section's services delegated: the delegation frames read those
        company = self.profile_company(claim, s, topic)
        if company is None:
            return
        vendor, at = company
        name = self.program_name(s, at, topic, vendor)
        if name is None:
            return
        claim.vendor = vendor
        claim.services = [name]
        claim.requirement = Requirement.CARE_MANAGEMENT
        claim.cues.append("profile")
        topic.profiles = True
        if s.rstrip().endswith(":"):
            claim.lead = "details"  # "… throughout the maternity journey, including:" what the program holds

    def profile_company(self, claim: Claim, s: str, topic: Topic) -> Optional[tuple[VendorRef, int]]:
        """The company the sentence profiles and where its mention ends."""
        heading = self.section_company(topic)
        if claim.vendor is not None:
            if claim.vendor.in_house:
                return None
            if "subjectless" in claim.cues and heading is not None and heading.name == claim.vendor.name:
                return claim.vendor, 0  # "Offers members savings …" under the company's heading
            at = s.find(claim.vendor.stated) if claim.vendor.stated else -1
            if at >= 0 and ("offer" in claim.cues or self._cares(s, at + len(claim.vendor.stated))):
                return claim.vendor, at + len(claim.vendor.stated)
            return None
        access = ACCESS_RE.search(s)
        if access:
            found = self.res.vendors.known(self.res.annotate(s[access.end() :]), self.payer)
            mention: Optional[VendorMention]
            if found and found[0].start <= 2:
                mention, shift = found[0], access.end()
            else:
                mention, shift = self.res.vendors.unknown_at(s, access.end(), +1), 0
                if (
                    mention is not None
                    and _unpossessed(mention.ref.stated) == mention.ref.stated
                    and not NAME_END_RE.match(s, mention.end)
                ):
                    mention = None  # "access to Talk to Heal": a name the words around it do not close
            if mention is not None and not mention.ref.in_house:
                return self.as_section_company(mention.ref, heading), shift + mention.end
        if heading is None:
            return None
        # the heading's company as the subject: "Glucora is …", "Corvid Clinic offers …" under "Corvid"
        first = heading.stated.split()[0]
        for m in re.finditer(rf"\b{re.escape(first)}\b", s):
            name = PROPER_RE.match(s, m.start())
            end = m.start() + len(_unpossessed(name.group(0))) if name else m.end()
            if self._cares(s, end):
                stated = s[m.start() : end]
                longer = fold(stated).startswith(fold(heading.stated)) and len(stated) > len(heading.stated)
                return (VendorRef(stated, stated, True, False) if longer and heading.new else heading), end
        return None

    def as_section_company(self, ref: VendorRef, heading: Optional[VendorRef]) -> VendorRef:
        """ "Jointly Health’s care team" under "Jointly Health": the heading's company, not a new name."""
        stated = _unpossessed(ref.stated)
        if heading is not None and fold(stated) == fold(heading.stated):
            return heading
        if stated != ref.stated:
            return VendorRef(_unpossessed(ref.name), stated, ref.new, ref.in_house)
        return ref

    def _cares(self, s: str, end: int) -> bool:
        return bool(CARE_VERB_RE.match(s[end:]))

    def section_company(self, topic: Topic) -> Optional[VendorRef]:
        """The company this section (not an enclosing one) is headed by."""
        if topic.vendor is not None and topic.vendor_stated and not topic.vendor.in_house:
            return topic.vendor
        v = self.heading_vendor(topic)
        if v is None or v.in_house:
            return None
        words = v.name.split()
        if v.new and not (
            self.names_a_company(topic) or (len(words) == 1 and len(v.name) >= 4 and not v.name.isupper())
        ):
            return None  # "Transform Diabetes Care", "Pharmacy Advisor": a program's name, not a company's
        return v

    def program_name(self, s: str, at: int, topic: Topic, vendor: VendorRef) -> Optional[str]:
        named = PROGRAM_NAME_RE.search(s, at)
        if named:
            name = self.res.services.name(named.group("name"), strict=False)
            if name and len(name.split()) <= 5:
                return name
        found = FOR_RE.search(s, at)
        if found:
            name = self.res.services.name(found.group("name"))
            if name:
                return name
        heading = NUMBERING_RE.sub("", normalize(topic.heading)).strip(" :.")
        rest = re.sub(
            rf"\s*(?:with|through|by|from)?\s*{re.escape(vendor.stated)}\s*", " ", heading, flags=re.I
        ).strip()
        rest = HEADING_SPLIT_RE.split(rest)[0].strip(" ,")
        if rest and fold(rest) != fold(heading) and fold(vendor.name) not in fold(rest):
            name = self.res.services.name(rest, strict=False)
            if name and not self.res.members.lobish(rest, strict=True):
                return name
        parent = topic.parent
        if parent is not None and parent.heading:
            return self.heading_label(parent, company_ok=True)
        return None


def _unpossessed(name: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", name)


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
