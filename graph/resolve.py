"""Entity resolution: a name as a document or a person writes it → the entity it means.

The one place that turns names into entities for the layers after extraction: the graph's nodes,
``who``'s question and the warehouse's document keys use these. Names compare by
``extract.vocabulary.comparison_key`` (case, punctuation and trademark marks gone), the one name
normaliser; the ``pk_norm`` SQL macro is the same in the warehouse (checked by a test).
"""

from __future__ import annotations

import re
from typing import Optional

from extract import Vocabulary
from extract.vocabulary import comparison_key

#: an employer group given by its number: "70605", "group 70605", "Group #70605"
GROUP_NUMBER_RE = re.compile(r"\s*(?:group\s*#?\s*)?(\d{3,})\s*", re.IGNORECASE)


def name_key(name: str) -> str:
    """Names with equal keys name the same entity (the one name normaliser)."""
    return comparison_key(name)


def group(vocab: Vocabulary, name: str) -> str:
    """The canonical employer group of a name, alias or group number (else the name as given)."""
    number = GROUP_NUMBER_RE.fullmatch(name)
    by_number: Optional[str] = vocab.group_by_number(number.group(1)) if number else None
    return by_number or vocab.canonical("GROUP", name) or name


def vendor(vocab: Vocabulary, name: str) -> str:
    """The canonical vendor or department of a name, alias or former name (else the name as given)."""
    return vocab.canonical("VENDOR", name) or vocab.canonical("DEPT", name) or name


def service(vocab: Vocabulary, name: str) -> str:
    return vocab.canonical("SERVICE", name) or name
