"""Run a build that stops at a load step, for the test that kills a build mid-load.

    python tests/pause_build.py DB STEP PATH...

builds PATH... into DB with the conflicts vocabulary and, when the load reaches STEP (inside its
transaction), prints ``PAUSED STEP`` to stderr and waits for a line on stdin — the test kills the
process meanwhile. This is the test-only fault hook: ``payerkg.build(on_step=…)``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import payerkg

VOCAB = Path(__file__).resolve().parent / "data" / "conflicts" / "vocab.yml"


def main(db: str, step: str, *paths: str) -> None:
    def pause(at: str) -> None:
        if at == step:
            print(f"PAUSED {step}", file=sys.stderr, flush=True)
            sys.stdin.readline()

    payerkg.build(list(paths), db=db, config={"vocab": VOCAB}, on_step=pause)


if __name__ == "__main__":
    main(*sys.argv[1:])
