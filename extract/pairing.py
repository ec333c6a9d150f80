"""Closing a section: services and members that waited in it are paired, excluded groups become
exceptions on the rules they name, and what is left goes up to the enclosing section.

Statements pair only along one branch of the document (a section and its subsections), or across
sibling sections when one side comes from a single section: members one section states are not
the program of every other section.
"""

from __future__ import annotations

import logging
from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Source
from .lob import Lob
from .members import Member
from .model import Scope, Segment
from .patterns import ONLY_ELECTED_RE
from .similarity import compound, similar
from .text import fold
from .tree import ProgramMember, Topic
from .walk_state import WalkState

_log = logging.getLogger(__name__)


class Pairing(WalkState):
    """Section-closing steps of ``DocumentWalk``."""

    def segment_modifier(self, claim: Claim, b: Block, topic: Topic) -> None:
        """ "Self-funded (ASO) plan sponsors decide whether to add the program": self-funded rules are select."""
        s = b.text[claim.start : claim.end]
        if not ONLY_ELECTED_RE.search(s):
            return
        segs = self.res.lobs.segments_in(s)
        for d in topic.drafts:
            if d.segment in segs and d.scope in (Scope.ALL, Scope.MOST):
                d.scope = Scope.SELECT

    def refines_line(self, topic: Topic, m: Member, src: Source) -> bool:
        """ "Qualified commercial HMO and PPO members. … a core offering for fully insured employers.
        Self-insured accounts can pick …": segments stated after one line, in the same block, are
        that line's segments (each with its own scope), not members of every line."""
        if m.lob is not None or m.segment is Segment.ALL or m.scope is Scope.NONE:
            return False
        before = [
            pm
            for pm in topic.members
            if pm.source.block is src.block
            and not pm.used
            and not pm.negated
            and pm.member.lob is not None
            and pm.member.scope is not Scope.NONE
        ]
        if len({pm.member.lob.name for pm in before if pm.member.lob is not None}) != 1:
            return False
        open_ = next((pm for pm in before if pm.member.segment is Segment.ALL), None)
        if open_ is not None:
            open_.member.segment, open_.member.scope = m.segment, m.scope
            open_.member.exceptions.extend(x for x in m.exceptions if x not in open_.member.exceptions)
            return True
        line = before[0].member.lob
        topic.members.append(
            ProgramMember(Member(line, m.segment, m.scope, list(m.exceptions)), src, None, False, before[0].requirement)
        )
        return True

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
        topic.services[:] = [
            s for s in topic.services if not compound(s.stated or s.name, [o.stated or o.name for o in topic.services])
        ]
        _log.debug(
            "close %r: vendor=%s services=%s members=%s",
            topic.heading[:40],
            vendor and vendor.name,
            [(s.name, s.vendor and s.vendor.name) for s in services],
            [(m.member.lob and m.member.lob.name, m.member.segment.value, m.member.scope.value) for m in members],
        )
        listed_vendors = {(s.vendor.name if s.vendor else None) for s in topic.services if s.listed}
        summed_up = set()
        for s in topic.services:
            if (
                not s.listed
                and not s.emitted
                and (
                    (s.vendor.name if s.vendor else None) in listed_vendors
                    or (s.vendor is None and s.origin == "heading" and listed_vendors)
                )
            ):
                s.used = True  # "advanced imaging" summed up what "Radiology" and "Cardiology" list
                summed_up.add(id(s))
        services = [s for s in services if not s.used]
        pairs = (
            [
                (ps, pm)
                for ps in topic.services
                if (ps.emitted or ps.used) and id(ps) not in summed_up
                for pm in members
                if pm.vendor is not None
                and ps.vendor is not None
                and pm.vendor.name == ps.vendor.name
                and not pm.vendor.in_house
            ]
            + [
                (ps, pm)
                for ps in topic.services
                if not ps.emitted
                and not (ps.used and not ps.listed and (ps.vendor.name if ps.vendor else None) in listed_vendors)
                for pm in members
            ]
            + [(ps, pm) for ps in services for pm in topic.members if pm.used]
        )
        apart = [(ps, pm) for ps, pm in pairs if not nested(ps.home, pm.home)]
        service_homes = {id(ps.home) for ps, _ in apart}
        member_homes = {id(pm.home) for _, pm in apart}
        if len(service_homes) > 1 and len(member_homes) > 1:
            # members one section states are not the program of every other section; sibling sections
            # pair only when one side comes from a single section (a program slide and its
            # "Applicable memberships" slide, an FAQ's "Which services?" answer)
            pairs = [(ps, pm) for ps, pm in pairs if nested(ps.home, pm.home)]
        vendors = {
            s.vendor.name for s in topic.services if s.vendor is not None and not s.emitted
        } | topic.child_vendors
        if len(vendors) > 1 and (topic.vendor is None or topic.vendor_from_child):
            # a section that names several vendors' programs pairs nothing it did not tie to one of them
            pairs = [(ps, pm) for ps, pm in pairs if pm.vendor is not None]
        if pairs and (vendor or any(s.vendor for s in topic.services)):
            for ps, pm in pairs:
                if pm.vendor is None or ps.vendor is None or pm.vendor.name == ps.vendor.name or pm.vendor.in_house:
                    v = (
                        ps.vendor
                        or pm.vendor
                        or (
                            vendor
                            if not topic.vendor_from_child
                            or topic.vendor is None
                            or (ps.home is not None and ps.home.within(topic.vendor_home))
                            else None
                        )
                    )
                    if v is None:
                        continue
                    m = pm.member
                    if pm.negated:
                        m = Member(
                            m.lob,
                            m.segment,
                            Scope.NONE,
                            m.exceptions,
                            m.inclusions,
                            m.conditions,
                            m.effective,
                            m.service_dates,
                        )
                    self.emit(
                        v,
                        ps.name,
                        m,
                        pm.source,
                        topic,
                        "paired",
                        ps.effective or pm.effective,
                        ps.requirement or pm.requirement,
                        program=ps,
                    )
                    ps.used = True
                    pm.used = True
            services = [s for s in services if not s.used]
            members = [m for m in members if not m.used]
        if services and (not members or final):
            lob = topic.lob or (topic.find_lob() if final else None)
            if lob is None and final:
                lob = Lob("all", "", ())
            if lob is not None:
                for ps in services:
                    if (
                        ps.vendor
                        and not ps.used
                        and not ps.emitted
                        and not ps.negated
                        and (ps.origin == "claim" or lob.name != "all")
                    ):
                        ps.used = True
                        for seg in lob.segments or (Segment.ALL,):
                            self.emit(
                                ps.vendor,
                                ps.name,
                                Member(lob, seg, topic.lob_scope if lob is topic.lob else Scope.ALL),
                                ps.source,
                                topic,
                                "heading-lob",
                                ps.effective,
                                ps.requirement,
                                program=ps,
                            )
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
                if ps.used and not ps.emitted and not ps.listed and ps.vendor is not None:
                    # paired here: the enclosing section knows it as the vendor's program ("Acme's
                    # programs do not apply to …" after the subsections), never pairs it again
                    ps.emitted = True
                if not ps.used or ps.emitted or ps.listed:
                    ps.vendor = ps.vendor or (
                        topic.vendor
                        if not topic.vendor_from_child or ps.home is None or ps.home.within(topic.vendor_home)
                        else None
                    )
                    ps.home = ps.home or topic
                    self.add_service(parent, ps)
            for pm in members:
                if not pm.used:
                    pm.vendor = pm.vendor or (
                        topic.vendor
                        if not topic.vendor_from_child or pm.home is None or pm.home.within(topic.vendor_home)
                        else None
                    )
                    pm.handed_up = True
                    pm.home = pm.home or topic
                    parent.members.append(pm)
            if topic.vendor is not None:
                parent.child_vendors.add(topic.vendor.name)
            if (
                topic.vendor is not None
                and (services or members)
                and (parent.vendor is None or parent.vendor_from_child)
                and not topic.profiles  # a partner profiled in its own section speaks for none of its siblings
            ):
                # a section's vendor speaks for its parent only while no sibling section names another one
                if len(parent.child_vendors) == 1:
                    parent.vendor, parent.vendor_from_child = topic.vendor, True
                    parent.vendor_home = topic.vendor_home if topic.vendor_from_child else topic
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
                if x.service and not similar(x.service, d.service):
                    continue
                if x.vendor and d.vendor.name != x.vendor:
                    continue
                if d.scope is Scope.NONE:
                    continue
                d.exceptions.extend(r for r in x.refs if r not in d.exceptions)
                if d.scope is Scope.ALL:
                    d.scope = Scope.MOST
                x.applied = True


def nested(a: Optional[Topic], b: Optional[Topic]) -> bool:
    """Two statements' sections are one, or one lies under the other (None: the section closing)."""
    return a is None or b is None or a.within(b) or b.within(a)
