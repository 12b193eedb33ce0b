"""A harvest's search documents passed between its processes as files, not through pipes.

In a harvest in processes (`catalog.pipeline`) a record's encoded documents are made in a
preparing process and written to the index by the calling process, and the run's process, which
stores the record in between, passes them on unopened. Through pipes they crossed twice (pool to
run's process, run's process to calling process), each time pickled, copied into the kernel and
out again: on the held-out feed of 2,000 datasets x 100 variables that is 280 MB twice, and the
run's process spent a fifth of its CPU on it. Written once to a file where they are made (in
memory-backed /dev/shm where there is one) and read once where they are indexed, only the file's
name crosses. The run's process still decides when they are read: it passes the name on only
after it stored their record, so the index never holds a document whose record is not stored.

A file that cannot be written (the folder full or gone) leaves the documents in memory: they
then cross as before. The folder is the harvest's own and goes with it; folders of harvests that
were killed are removed by the next harvest.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "catalog-spill-"
SHM = Path("/dev/shm")
_names = itertools.count()


def _base() -> Path:
    """Memory-backed storage where the system has it, else the temporary folder."""
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        return SHM
    return Path(tempfile.gettempdir())


@contextmanager
def spill_folder() -> Iterator[str]:
    """A folder of this harvest's own for the time of `with`; removed after, whatever was left in it."""
    base = _base()
    _remove_orphans(base)
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_orphans(base: Path) -> None:
    """Folders left by harvests whose process is gone (killed before it could remove its own)."""
    for folder in base.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def put(folder: str, blob: bytes) -> str | None:
    """`blob` written to a new file in `folder`: its path; None when it could not be written."""
    path = os.path.join(folder, f"{os.getpid()}-{next(_names)}")
    try:
        with open(path, "wb") as f:
            f.write(blob)
    except OSError:
        try:
            os.unlink(path)
        except OSError:
            pass
        return None
    return path


def take(path: str) -> bytes:
    """What `put` wrote to `path`, read once: the file goes."""
    with open(path, "rb") as f:
        blob = f.read()
    os.unlink(path)
    return blob
