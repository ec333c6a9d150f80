"""Who a sentence says reviews the requests: the agent of its delegation frame.

"V reviews X" (active), "X is managed by V" (passive), "moves from A to B" (transition), "has
contracted with V to manage X" (contract), "requests go to V" (routing), "<V>'s program is ending"
(owner). Known vendors and the payer's departments come from the vocabulary; a capitalised name
standing where the frame puts its agent is an unknown vendor, flagged new.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .drafts import VendorRef
from .patterns import (
    ACTIVE_RE,
    ADMINISTERED_PLANS_RE,
    AUTH_WORD_RE,
    CARE_MANAGEMENT_RE,
    CONTRACT_RE,
    NEGATION_RE,
    PASSIVE_RE,
    REQUIRES_RE,
    ROUTE_RE,
    TRANSITION_RE,
)
from .vendors import VendorMention

if TYPE_CHECKING:
    from .claim import Claim
    from .nlp import Annotated
    from .resources import Resources

#: characters between a vendor's name and its verb that still make it the subject
#: ("Zephyr Care Partners (Zephyr) reviews", "Quillon (formerly QHP) administers", "X, an independent company, manages")
SUBJECT_GAP_RE = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?(?:,[^,]{0,80},\s*)?(?:will\s+|also\s+|now\s+|currently\s+|"
    r"begins?\s+(?:to\s+)?|began\s+(?:to\s+)?|starts?\s+(?:to\s+)?|continues?\s+(?:to\s+)?|"
    r"has\s+|have\s+|to\s+|continues?\s+to\s+|does\s+not\s+|do\s+not\s+|doesn't\s+|"
    r"no\s+longer\s+|will\s+no\s+longer\s+|still\s+|will\s+not\s+|is\s+|are\s+|then\s+|"
    r"(?:is|are)\s+(?:the|an?)\s+(?:[\w-]+\s+){0,3}(?:company|vendor|partner|organization|firm)\s+"
    r"(?:that|which|who)\s+)*$",
    re.I,
)


#: Words between a subject and its verb: "Acme Review |does not| review …"
GAP_TAIL_RE = re.compile(
    r"(?:\s+(?:does\s+not|do\s+not|doesn't|don't|will(?:\s+not)?|also|now|currently|no\s+longer|"
    r"still|then|will\s+no\s+longer|begins?|began|starts?|started|continues?(?:\s+to)?))+\s*$",
    re.I,
)
#: "A will replace B", "B will be replaced by A": a vendor switch stated by its new vendor
REPLACE_RE = re.compile(
    r"\b(?:will\s+(?:be\s+)?|is\s+|are\s+)?(?:replac(?:e|es|ing)|(?:be\s+)?replaced\s+by|succeed(?:s|ing)?|"
    r"tak(?:e|es|ing)\s+over\s+from)\s+",
    re.I,
)
#: "requests stay with V": who keeps reviewing them
STAY_RE = re.compile(r"(?:stay|stays|remain|remains|continue\s+to\s+go)\s+with\s+", re.I)
DESCRIBES_RE = re.compile(r"\b(?:company|vendor|partner|organization|firm)\s+(?:that|which|who)\b", re.I)
#: The payer offering a program with a partner company.
OFFER_RE = re.compile(
    r"\b(?:we|we're|we\s+are)\s+(?:also\s+|now\s+)?(?:offer|offering|partner(?:ing)?\s+with|"
    r"have\s+partnered\s+with|work(?:ing)?\s+with|contract(?:ed)?\s+with)\b",
    re.I,
)
#: "… a program for |chronic back and joint pain|", "… a program that helps …"
PROGRAM_FOR_RE = re.compile(
    r"\b(?:program|programs|service|services|benefit)\s+(?:for|to\s+help\s+with|focused\s+on)\s+", re.I
)


class AgentReader:
    def __init__(self, res: Resources) -> None:
        self.res = res

    def find(self, s: str, ann: Annotated, payer: Optional[str], claim: Claim) -> None:
        vf = self.res.vendors
        known = vf.known(ann, payer) + vf.staff(s, ann, payer)
        known = [k for k in known if not _inside_other(k, known)]
        # "from A to B"
        tr = TRANSITION_RE.search(s)
        if tr:
            after = [k for k in known if k.start >= tr.end()]
            if len(after) >= 2 or (after and re.search(r"\bto\b", s[after[0].end : after[0].end + 6])):
                to_pos = s.find(" to ", after[0].end)
                new = [k for k in known if k.start > to_pos] if to_pos >= 0 else []
                claim.old_vendor = after[0].ref
                named = new[0] if new else (vf.unknown_at(s, to_pos + 4, +1) if to_pos >= 0 else None)
                claim.vendor = named.ref if named else None
                claim.services = self.services_before(s, tr.start())
                claim.cues.append("transition")
                return
        # "A will replace B as the vendor that reviews X", "B will be replaced by A"
        rp = REPLACE_RE.search(s)
        if rp:
            before = [k for k in known if k.end <= rp.start()]
            after_ = [k for k in known if k.start >= rp.end()]
            gap = GAP_TAIL_RE.search(s[: rp.start()])
            left = before[-1] if before else vf.unknown_at(s, gap.start() if gap else rp.start(), -1)
            right = after_[0] if after_ else vf.unknown_at(s, rp.end(), +1)
            if left is not None and right is not None:
                passive = rp.group(0).lower().rstrip().endswith("by")
                incoming, outgoing = (right, left) if passive else (left, right)
                claim.vendor, claim.old_vendor = incoming.ref, outgoing.ref
                verb = ACTIVE_RE.search(s, max(left.end, right.end))
                claim.services = self.services_after(s, verb.end()) if verb else []
                claim.cues.append("transition")
                return
        # passive: "… is reviewed by V"
        for m in PASSIVE_RE.finditer(s):
            if any(p.end() == m.end() for p in ADMINISTERED_PLANS_RE.finditer(s)):
                continue  # "… except plans administered by Acme Benefits": who the members are
            agent = (
                next((k for k in known if k.start >= m.end() and k.start - m.end() <= 4), None)
                or self.payer_at(ann, m.end(), payer)
                or vf.unknown_at(s, m.end(), +1)
            )
            partners = self.partners(s, agent, known) if agent else []
            if agent and PLACES_RE.match(s, (partners or [agent])[-1].end):
                continue  # "offered through Pillwise Pharmacy and Dosewell Clinic locations": places
            if agent:
                claim.vendor = agent.ref
                claim.partners = [p.ref for p in partners]
                claim.services = self.services_before(s, m.start())
                claim.negated = bool(NEGATION_RE.search(s[max(0, m.start() - 12) : m.end()]))
                claim.cues.append("passive")
                return
        # "contracted with V to …", "selected V to …"
        for m in CONTRACT_RE.finditer(s):
            agent = next((k for k in known if k.start >= m.end() and k.start - m.end() <= 4), None) or vf.unknown_at(
                s, m.end(), +1
            )
            if agent:
                claim.vendor = agent.ref
                verb = ACTIVE_RE.search(s, agent.end)
                claim.services = self.services_after(s, verb.end()) if verb else []
                claim.cues.append("contract")
                return
        # active: "V reviews …"
        for m in ACTIVE_RE.finditer(s):
            if m.start() > 0 and m.group(0).split()[-1][:1].isupper():
                continue  # "Lakeside Imaging |Review|": a word of a name, not the verb
            subject = None
            for k in known + vf.payer_as_reviewer(ann, payer):
                if k.end <= m.start() and SUBJECT_GAP_RE.match(s[k.end : m.start()]):
                    subject = k
            if subject is None:
                gap = GAP_TAIL_RE.search(s[: m.start()])
                cand = vf.unknown_at(s, gap.start() if gap else m.start(), -1)
                if cand and SUBJECT_GAP_RE.match(s[cand.end : m.start()]):
                    subject = cand
            if subject is None:
                continue
            if subject.ref.in_house is False and payer is not None and subject.ref.name == payer:
                subject = VendorMention(VendorRef(payer, subject.ref.stated, False, True), subject.start, subject.end)
            said = s[m.start() : m.end()].lower()
            if re.search(r"\bprovid|\boffer|\baccept|\bcoordinat", said) and not (
                AUTH_WORD_RE.search(s[m.end() :])
                or CARE_MANAGEMENT_RE.search(s)
                or re.match(
                    r"\s*(?:(?:this|these|the|that|its|their|any)\s+)?(?:program|programs|services?)\b",
                    s[m.end() :],
                    re.I,
                )
                or self.res.services.object_after(s, m.end())[0]
            ):
                continue
            claim.vendor = subject.ref
            claim.negated = bool(NEGATION_RE.search(s[subject.end : m.end()]))
            claim.services = self.services_after(s, m.end())
            claim.cues.append("active")
            if DESCRIBES_RE.search(s[subject.end : m.start()]):
                claim.cues.append("describes")  # "X is an independent company that manages …": who X is
            return
        # the payer offers a program with a partner: "We offer commercial members a program for chronic
        # back pain with Acme Health", "For our Medicare members, we offer Acme Health"
        offer = OFFER_RE.search(s)
        if offer:
            agent = next((k for k in known if k.start >= offer.end() and not k.ref.in_house), None)
            if agent is None:
                agent = vf.unknown_at(s, offer.end(), +1)  # "we are partnering with |Acme Kidney Care|"
            if agent is None:
                partner = re.compile(r"\b(?:with|through|from|by)\s+").search(s, offer.end())
                agent = vf.unknown_at(s, partner.end(), +1) if partner else None
            if agent is not None:
                claim.vendor = agent.ref
                program = PROGRAM_FOR_RE.search(s, offer.end())
                claim.services = self.services_after(s, program.end()) if program else []
                claim.cues.append("offer")
                return
        # routing: "requests go to V", "prior authorization from V", "through V"
        if AUTH_WORD_RE.search(s) or re.search(r"\brequests?\b", s, re.I):
            for m in ROUTE_RE.finditer(s):
                agent = next((k for k in known if k.start >= m.end() and k.start - m.end() <= 4), None)
                if agent is None:
                    p = self.payer_at(ann, m.end(), payer)
                    agent = p if p and re.match(r"\s*(?:to|from|through)", s[m.start() :], re.I) else None
                if agent is None and STAY_RE.match(s, m.start()):
                    agent = vf.unknown_at(s, m.end(), +1)  # "… stay with Acme Review"
                if agent:
                    claim.vendor = agent.ref
                    claim.cues.append("route")
                    req = REQUIRES_RE.search(s)
                    if req and req.start() < m.start():
                        claim.services = self.services_before(s, req.start())
                    elif STAY_RE.match(s, m.start()):
                        # "their sleep study requests stay with V": the subject is the service
                        claim.services = self.services_before(s, m.start())
                    for_object = FOR_OBJECT_RE.match(s, agent.end)
                    if not claim.services and for_object:
                        # "request prior authorization from V for biopsy of the embryo"
                        name = self.res.services.object_after(s, for_object.end(), strict=False)[0]
                        claim.services = [name] if name and not self.res.members.lobish(name) else []
                    return

    def partners(self, s: str, agent: VendorMention, known: list[VendorMention]) -> list[VendorMention]:
        """ "… through our partners Pillwise Inc. and Dosewell LLC": the companies named
        jointly with the agent, each a vendor of the same rules."""
        out: list[VendorMention] = []
        pos = agent.end
        while True:
            joint = JOINT_RE.match(s, pos)
            if not joint:
                return out
            other = next((k for k in known if k.start == joint.end()), None) or self.res.vendors.unknown_at(
                s, joint.end(), +1
            )
            if other is None or other.ref.in_house or other.ref.name == agent.ref.name:
                return out
            out.append(other)
            pos = other.end

    def owner(self, s: str, ann: Annotated, payer: Optional[str], claim: Claim) -> None:
        """ "<Vendor>'s <program> is ending …": the program's owner is the vendor, the program the service."""
        for k in self.res.vendors.known(ann, payer):
            m = re.match(r"(?:'s|’s|'|’)\s+(.+?)\s+(?:is|are|will|has|continues?|do|does|don't|doesn't)\b", s[k.end :])
            if m:
                claim.vendor = k.ref
                name = self.res.services.name(m.group(1))
                claim.services = [name] if name else []
                claim.cues.append("owner")
                return

    def payer_at(self, ann: Annotated, pos: int, payer: Optional[str]) -> Optional[VendorMention]:
        for p in ann.of("PAYER"):
            if pos <= p.start <= pos + 4:
                return VendorMention(VendorRef(p.canonical, p.text, False, True), p.start, p.end)
        if payer:  # a payer the vocabulary does not know, by the name the document gives it
            at = ann.raw.find(payer, pos, pos + 4 + len(payer))
            if at >= 0:
                return VendorMention(VendorRef(payer, payer, False, True), at, at + len(payer))
        return None

    def services_after(self, s: str, pos: int) -> list[str]:
        name, a, _b = self.res.services.object_after(s, pos)
        listed = (
            self.res.services.listed(s[a:])
            if re.match(r"[^.:]{0,40}\b(?:programs?|services?|areas?)\s*:", s[a:])
            else []
        )
        if listed:
            return listed
        return [name] if name else []

    def services_before(self, s: str, pos: int) -> list[str]:
        name, _, _ = self.res.services.subject_before(s, pos)
        return [name] if name else []


#: "… Dosewell Clinic| locations|": the names were places, not companies
PLACES_RE = re.compile(r"\s+(?:locations?|sites?|stores?|pharmacies|clinics?|offices?|branches)\b", re.I)
#: "A| and |B", "A|, |B| and |C": companies named jointly
JOINT_RE = re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+|\s*&\s*)(?=(?-i:[A-Z]))", re.I)
#: "… from V |for |biopsy of the embryo": what the request routed to V is for
FOR_OBJECT_RE = re.compile(
    r"[\s,]*for\s+(?!(?:the\s+|your\s+|our\s+|its\s+|their\s+)?(?:members?|patients?|dates?|more|details|information|"
    r"help|questions|assistance|review|approval|you|them)\b)",
    re.I,
)


def _inside_other(k: VendorMention, all_: list[VendorMention]) -> bool:
    return any(
        o is not k and o.start <= k.start and k.end <= o.end and (o.end - o.start) > (k.end - k.start) for o in all_
    )
