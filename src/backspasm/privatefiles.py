"""Files only their owner may read: the data folder (0700), the database and the signing key (0600)."""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(path: Path) -> None:
    """Create the folder (and its parents) readable by its owner only: 0700."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode passes through the umask


def private_file(path: Path) -> bool:
    """Create an empty file 0600 unless it exists; True when this call created it."""
    if not path.parent.is_dir():
        private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    path.chmod(0o600)
    return True
