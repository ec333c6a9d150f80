"""Settings: one frozen, validated ``BuildConfig``, and the one place payerkg reads its environment.

``BuildConfig()`` is the defaults; ``BuildConfig.from_env()`` applies the ``PAYERKG_*`` variables;
``BuildConfig.resolve(x)`` accepts None (the environment), a dict of settings (over the
environment) or a config (as it is) — the library's functions take any of the three.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Union

from extract import Vocabulary
from ingest import IngestOptions
from ingest.api import DEFAULT_MAX_BYTES

from .errors import ConfigError

DEFAULT_DB = Path("payerkg.duckdb")
DEFAULT_INPUTS = (Path("seeds"),)
#: a document older than this many days (by its own date, ``documents.published_on``) is marked stale in
#: the review site: payers review their prior-authorization lists at least once a year, so a page not
#: updated for a year may no longer say what applies
DEFAULT_STALE_DAYS = 365

#: environment variable → setting; the values are parsed by the setting's type
ENV = {
    "PAYERKG_DB": "db", "PAYERKG_VOCAB": "vocab", "PAYERKG_WORKERS": "workers", "PAYERKG_MAX_BYTES": "max_bytes",
    "PAYERKG_STALE_DAYS": "stale_days",
}  # fmt: skip


@dataclass(frozen=True)
class BuildConfig:
    """How payerkg builds and reads. Invariants (checked on construction): ``workers`` ≥ 0 (0: one
    per CPU), ``max_bytes`` > 0, ``stale_days`` > 0 (the review site's staleness window), ``vocab``
    (None: the packaged vocabulary) names an existing file."""

    db: Path = DEFAULT_DB
    vocab: Optional[Path] = None
    workers: int = 1
    max_bytes: int = DEFAULT_MAX_BYTES
    inputs: tuple[Path, ...] = DEFAULT_INPUTS
    stale_days: int = DEFAULT_STALE_DAYS

    def __post_init__(self) -> None:
        object.__setattr__(self, "db", Path(self.db))
        object.__setattr__(self, "inputs", tuple(Path(p) for p in self.inputs))
        if self.vocab is not None:
            object.__setattr__(self, "vocab", Path(self.vocab))
            if not Path(self.vocab).is_file():
                raise ConfigError(f"vocabulary {self.vocab}: no such file")
        if not isinstance(self.workers, int) or self.workers < 0:
            raise ConfigError(f"workers must be 0 (one per CPU) or more, not {self.workers!r}")
        if not isinstance(self.max_bytes, int) or self.max_bytes <= 0:
            raise ConfigError(f"max_bytes must be a positive number of bytes, not {self.max_bytes!r}")
        if not isinstance(self.stale_days, int) or self.stale_days <= 0:
            raise ConfigError(f"stale_days must be a positive number of days, not {self.stale_days!r}")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **settings: Any) -> BuildConfig:
        """The defaults, then ``PAYERKG_*`` variables, then ``settings`` (None values are ignored)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var, name in ENV.items():
            raw = env.get(var)
            if raw:
                values[name] = _parse(var, name, raw)
        values.update({k: v for k, v in settings.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    @classmethod
    def resolve(cls, config: Union[Mapping[str, Any], BuildConfig, None]) -> BuildConfig:
        if config is None:
            return cls.from_env()
        if isinstance(config, BuildConfig):
            return config
        return cls.from_env(**dict(config))

    def replace(self, **changes: Any) -> BuildConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    def vocabulary(self) -> Vocabulary:
        """The vocabulary file ``vocab``, or the packaged one (loaded once per process either way)."""
        if self.vocab is not None:
            return Vocabulary.load(self.vocab)
        if not os.environ.get("PAYERKG_VOCAB"):
            return Vocabulary.load()  # the packaged one, the same object extract's own callers get
        with resources.as_file(resources.files("extract").joinpath("vocab/vocabulary.yml")) as packaged:
            return Vocabulary.load(packaged)

    def ingest_options(self) -> IngestOptions:
        return IngestOptions(max_bytes=self.max_bytes)


def _parse(var: str, name: str, raw: str) -> Any:
    if name in ("workers", "max_bytes", "stale_days"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"${var}={raw!r}: expected a whole number") from None
    return Path(raw)
