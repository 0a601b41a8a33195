"""Keeping long-lived objects out of the garbage collector's way.

A full collection scans every tracked object; with the text reader's model loaded
that is hundreds of thousands, and a request that allocates a lot (a large batch)
triggers collections that hold the interpreter lock for hundreds of milliseconds,
stalling every other request. Freezing what is already loaded (modules, the
knowledge base, the model) leaves collections only what requests allocate.
"""

from __future__ import annotations

import gc
import sys

GROWTH = 20  # modules loaded since the last freeze that make another one worth it

_frozen_at = 0


def settle() -> None:
    """Freeze the heap again when a library has been loaded since the last time (cheap to call per request)."""
    global _frozen_at
    loaded = len(sys.modules)
    if loaded >= _frozen_at + GROWTH:
        _frozen_at = loaded
        gc.freeze()
