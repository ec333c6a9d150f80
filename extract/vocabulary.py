"""Load and validate the vocabulary data file (the only home of payer/vendor/group/service facts).

The file is untrusted input, so it is parsed with pydantic; ``Vocabulary.load()`` reads the
packaged ``vocab/vocabulary.yml`` unless a path is given (or ``$PAYERKG_VOCAB``).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, Field

from .prefilter import prefilter_module

#: libyaml's C loader when PyYAML was built with it (≈ 10× faster on the vocabulary), else the pure-Python one
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


MARKS_RE = re.compile(r"[®™℠©¹²³*]|(?<=[a-z])SM\b")
SPACE_RE = re.compile(r"\s+")
NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Drop trademark marks and footnote markers, collapse spaces (for matching, not quoting)."""
    return SPACE_RE.sub(" ", MARKS_RE.sub("", text)).strip()


def key(text: str) -> str:
    return normalize(text).lower().strip(" .,:;")


def comparison_key(text: str) -> str:
    """Case, punctuation and trademark marks gone: names with equal keys mean the same thing
    ("Fabrikam Teachers' Union™" and "FABRIKAM TEACHERS UNION"). The ``pk_norm`` SQL macro of the
    conflicts view does the same in the warehouse."""
    return " ".join(NON_ALNUM_RE.sub(" ", normalize(text).lower()).split())


class Named(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    source: Optional[str] = None  # where the fact comes from (public page, filing)

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class Payer(Named):
    parent: Optional[str] = None
    states: list[str] = Field(default_factory=list)


class Vendor(Named):
    renamed_from: list[str] = Field(default_factory=list)
    portals: list[str] = Field(default_factory=list)
    kind: Optional[str] = None

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases, *self.renamed_from]


class Department(Named):
    payer: Optional[str] = None


class LineOfBusiness(Named):
    payer: Optional[str] = None  # None: a generic term any payer uses ("Medicare Advantage", "HMO")
    segment: Optional[str] = None  # the segment the term implies ("Marketplace" → individual)


class State(BaseModel):
    name: str
    code: str


class Group(Named):
    group_numbers: list[str] = Field(default_factory=list)


class Service(Named):
    within: Optional[str] = None


class Vocabulary(BaseModel):
    version: int
    payers: list[Payer]
    vendors: list[Vendor]
    departments: list[Department] = Field(default_factory=list)
    not_vendors: list[str] = Field(default_factory=list)
    lines_of_business: list[LineOfBusiness]
    segments: dict[str, list[str]]
    scope_words: dict[str, list[str]]
    employer_groups: list[Group] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    plan_types: list[str] = Field(default_factory=list)
    states: list[State] = Field(default_factory=list)

    # -- lookups --------------------------------------------------------------------------------
    def canonical(self, label: str, text: str) -> Optional[str]:
        return self._index().get(label, {}).get(key(text))

    def _index(self) -> dict[str, dict[str, str]]:
        cached = self.__dict__.get("_idx")
        if cached is None:
            cached = {}
            for label, items in (
                ("PAYER", self.payers),
                ("VENDOR", self.vendors),
                ("DEPT", self.departments),
                ("LOB", self.lines_of_business),
                ("GROUP", self.employer_groups),
                ("SERVICE", self.services),
            ):
                cached[label] = {key(n): it.name for it in items for n in it.all_names()}
            cached["PORTAL"] = {key(p): v.name for v in self.vendors for p in v.portals}
            cached["NOTVENDOR"] = {key(n): n for n in self.not_vendors}
            self.__dict__["_idx"] = cached
        return cached

    def phrases(self) -> dict[str, list[tuple[str, str]]]:
        """label → [(surface form as written, canonical name)] for the phrase matcher.

        Surfaces keep their case (the tokenizer splits "3rd.ID" but not "3rd.id"); the matcher
        compares lower-cased tokens. Each surface is also given without marks.
        """
        out: dict[str, list[tuple[str, str]]] = {}
        for label, items in (
            ("PAYER", self.payers),
            ("VENDOR", self.vendors),
            ("DEPT", self.departments),
            ("LOB", self.lines_of_business),
            ("GROUP", self.employer_groups),
            ("SERVICE", self.services),
        ):
            out[label] = sorted({(normalize(n), it.name) for it in items for n in it.all_names()})
        out["PORTAL"] = sorted({(normalize(p), v.name) for v in self.vendors for p in v.portals})
        out["NOTVENDOR"] = sorted({(normalize(n), n) for n in self.not_vendors})
        return out

    def lob_payer(self, lob: str) -> Optional[str]:
        return next((line.payer for line in self.lines_of_business if line.name == lob), None)

    def department_payer(self, name: str) -> Optional[str]:
        return next((d.payer for d in self.departments if d.name == name), None)

    def self_department(self, payer: str) -> str:
        """Who decides when a payer's document says "we require …": its own department, else the payer."""
        return next((d.name for d in self.departments if d.payer == payer), payer)

    def group_by_number(self, number: str) -> Optional[str]:
        return next((g.name for g in self.employer_groups if number in g.group_numbers), None)

    def service_parent(self, service: str) -> Optional[str]:
        return next((s.within for s in self.services if s.name == service), None)

    def is_known_vendor(self, name: str) -> bool:
        return name in {v.name for v in self.vendors} | {d.name for d in self.departments}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Vocabulary:
        path = path or os.environ.get("PAYERKG_VOCAB")
        if path:
            return _load_path(str(path))
        return _load_packaged()


@lru_cache(maxsize=8)
def _load_path(path: str) -> Vocabulary:
    return Vocabulary.model_validate(_yaml(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _load_packaged() -> Vocabulary:
    text = resources.files("extract").joinpath("vocab/vocabulary.yml").read_text(encoding="utf-8")
    return Vocabulary.model_validate(_yaml(text))


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
