"""Settings: one frozen, validated ``BuildConfig``, and the one place payerkg reads its environment.

``BuildConfig()`` is the defaults; ``BuildConfig.from_env()`` applies the ``PAYERKG_*`` variables;
``BuildConfig.resolve(x)`` accepts None (the environment), a dict of settings (over the
environment) or a config (as it is) — the library's functions take any of the three.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES  # file size (E102), PDF pages (E141): reasons there

from .errors import ConfigError

if TYPE_CHECKING:  # loaded when a command reads the vocabulary or ingests: `payerkg query` does neither
    from extract import Vocabulary
    from ingest import IngestOptions

DEFAULT_DB = Path("payerkg.duckdb")
DEFAULT_INPUTS = (Path("seeds"),)
#: Seconds one document may take to read, parse and extract. The slowest seed takes ~5 s on the 2-core
#: dev machine and the longest bulletins seen ~40 s; a document still running after 5 minutes is stuck.
DEFAULT_DOC_TIMEOUT = 300.0
#: Address space of each worker process (RLIMIT_AS). Measured on the seeds, a worker peaks at ~0.42 GiB
#: of address space (0.2 GiB resident) with spaCy and pdfminer loaded; 2 GiB leaves room for large
#: documents, not for runaway ones.
DEFAULT_MAX_MEMORY = 2 * 1024**3
#: The smallest cap that leaves a worker room to start: measured, the seeds build at 512 MiB, two of
#: them fail at 384 MiB, and at 256 MiB a worker cannot import its libraries.
MIN_MEMORY = 512 * 1024**2
#: Seconds a build waits for another process to release the database before giving up.
DEFAULT_WAIT = 60.0
#: a document older than this many days (by its own date, ``documents.published_on``) is marked stale in
#: the review site: payers review their prior-authorization lists at least once a year, so a page not
#: updated for a year may no longer say what applies
DEFAULT_STALE_DAYS = 365

#: environment variable → setting; the values are parsed by the setting's type
ENV = {
    "PAYERKG_DB": "db",
    "PAYERKG_VOCAB": "vocab",
    "PAYERKG_WORKERS": "workers",
    "PAYERKG_MAX_BYTES": "max_bytes",
    "PAYERKG_DOC_TIMEOUT": "doc_timeout",
    "PAYERKG_MAX_PAGES": "max_pages",
    "PAYERKG_MAX_MEMORY": "max_memory",
    "PAYERKG_WAIT": "wait",
    "PAYERKG_ENGINE": "engine",
    "PAYERKG_RAY_ADDRESS": "ray_address",
    "PAYERKG_STALE_DAYS": "stale_days",
}
#: where documents are parsed: ``local`` worker processes, or ``ray`` tasks (``payerkg[ray]``)
ENGINES = ("local", "ray")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


@dataclass(frozen=True)
class BuildConfig:
    """How payerkg builds and reads. Invariants (checked on construction): ``workers`` ≥ 0 (0: one
    per CPU), ``max_bytes`` > 0, ``stale_days`` > 0 (the review site's staleness window), ``vocab``
    (None: the packaged vocabulary) names an existing file; ``doc_timeout`` (seconds per document),
    ``max_pages`` (pages per PDF), ``max_memory`` (bytes of address space per worker) and ``wait``
    (seconds for the database lock) are ≥ 0, where 0 turns the first three limits off and makes a
    build give up at once on a locked database; ``engine`` is ``local`` (worker processes) or ``ray``
    (Ray tasks, on the cluster at ``ray_address``)."""

    db: Path = DEFAULT_DB
    vocab: Optional[Path] = None
    workers: int = 1
    max_bytes: int = DEFAULT_MAX_BYTES
    inputs: tuple[Path, ...] = DEFAULT_INPUTS
    doc_timeout: float = DEFAULT_DOC_TIMEOUT
    max_pages: int = DEFAULT_MAX_PAGES
    max_memory: int = DEFAULT_MAX_MEMORY
    wait: float = DEFAULT_WAIT
    stale_days: int = DEFAULT_STALE_DAYS
    engine: str = "local"
    ray_address: Optional[str] = None  # None: a local Ray (or the one RAY_ADDRESS names)

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
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        object.__setattr__(self, "max_memory", parse_size("max_memory", self.max_memory))
        if 0 < self.max_memory < MIN_MEMORY:
            raise ConfigError(f"max_memory must be 0 (no cap) or at least 512M, not {self.max_memory:,} bytes")
        for name, kind in (("doc_timeout", (int, float)), ("max_pages", int), ("wait", (int, float))):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, kind) or not value >= 0:
                raise ConfigError(f"{name} must be 0 or more, not {value!r}")
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
        if "ray_address" not in values and env.get("RAY_ADDRESS"):  # Ray's own variable, as `ray` reads it
            values["ray_address"] = env["RAY_ADDRESS"]
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
        """The vocabulary file ``vocab``, or the packaged one (loaded once per process either way).
        Raises ``ConfigError`` when the file is not a vocabulary."""
        from extract import Vocabulary

        if self.vocab is not None:
            try:
                return Vocabulary.load(self.vocab)
            except Exception as e:  # YAML, schema or reading errors: one line naming the file
                raise ConfigError(f"vocabulary {self.vocab}: not a payerkg vocabulary ({_first_line(e)})") from e
        if not os.environ.get("PAYERKG_VOCAB"):
            return Vocabulary.load()  # the packaged one, the same object extract's own callers get
        with resources.as_file(resources.files("extract").joinpath("vocab/vocabulary.yml")) as packaged:
            return Vocabulary.load(packaged)

    def ingest_options(self) -> IngestOptions:
        """Ingest's settings: its size and page limits (E102, E141)."""
        from ingest import IngestOptions

        return IngestOptions(max_bytes=self.max_bytes, max_pages=self.max_pages)


#: what the library's functions accept as a config: None (the environment), settings, or a config
ConfigLike = Union[None, Mapping[str, Any], "BuildConfig"]


def parse_size(name: str, value: Union[int, str]) -> int:
    """Bytes from a whole number or a size such as ``512M``, ``2G``, ``2GiB`` (binary units)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ConfigError(f"{name} must be 0 (no limit) or a size such as 2G, not {value!r}")
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(value), re.I)
    if m is None:
        raise ConfigError(f"{name}: {value!r} is not a size (e.g. 2G, 512M or a number of bytes)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _parse(var: str, name: str, raw: str) -> Any:
    if name in ("workers", "max_bytes", "max_pages", "stale_days"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"${var}={raw!r}: expected a whole number") from None
    if name in ("doc_timeout", "wait"):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"${var}={raw!r}: expected a number of seconds") from None
    if name in ("max_memory", "engine", "ray_address"):
        return raw
    return Path(raw)
