"""One run per workdir: an exclusive ``fcntl.flock`` on ``W/.bert_jax.lock``.

  with workdir_lock.hold(workdir):   # InputError when another live process holds it
    ...                              # restore, write config.json, train, write results

- A second run on a locked workdir (a requeued job while the old one still runs, two
  sweeps trials given the same directory) fails at once with an ``InputError`` naming the
  holder's pid, host and start time (written into the lock file by the holder).
- The lock belongs to the open file: when the holder exits, however it exits (SIGKILL,
  OOM, a node reboot), the OS releases it, so a stale lock file never blocks; the file
  itself stays (removing it would let two runs lock two different files).
- Nested ``hold`` of the same workdir in one process (``finetune`` around the trainer,
  which takes it too) is a no-op.
- Only process 0 of a multi-process run locks (the workdir is shared); paths with a
  scheme (``gs://...``) have no ``flock`` and are not locked (a warning says so).
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import pathlib
import socket
import threading
from typing import Iterator

from absl import logging

from bert_jax.errors import InputError
from bert_jax.workdir import LOCK_FILE, is_local

_held: dict[str, tuple[int, int]] = {}  # resolved workdir -> (fd, depth)
_mutex = threading.Lock()


def _holder(path: pathlib.Path) -> str:
  try:
    text = path.read_text(encoding='utf-8', errors='replace').strip()
  except OSError:
    text = ''
  return text or 'an unknown process (it has not written its pid yet)'


def acquire(workdir: str | os.PathLike) -> str | None:
  """Locks ``workdir`` (created if missing) for this process; the key for ``release``,
  or None when nothing was locked (another process index, a bucket path)."""
  import jax  # pylint: disable=g-import-not-at-top
  if jax.process_index() != 0:
    return None
  if not is_local(workdir):
    logging.warning('workdir %s is not a local path: it is not locked against a second '
                    'run.', workdir)
    return None
  root = pathlib.Path(workdir).absolute()
  key = str(root.resolve())
  with _mutex:
    if key in _held:
      fd, depth = _held[key]
      _held[key] = (fd, depth + 1)
      return key
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
      fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
      os.close(fd)
      raise InputError(f'--workdir={root} is in use by {_holder(path)} ({path}); wait for '
                       'that run to end, stop it, or use another --workdir.') from None
    except BaseException:
      os.close(fd)
      raise
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    os.ftruncate(fd, 0)
    os.pwrite(fd, f'pid {os.getpid()} on host {socket.gethostname()} since {now}\n'.encode(),
              0)
    _held[key] = (fd, 1)
    return key


def release(key: str | None) -> None:
  if key is None:
    return
  with _mutex:
    fd, depth = _held[key]
    if depth > 1:
      _held[key] = (fd, depth - 1)
      return
    del _held[key]
    os.close(fd)  # releases the flock


@contextlib.contextmanager
def hold(workdir: str | os.PathLike) -> Iterator[None]:
  key = acquire(workdir)
  try:
    yield
  finally:
    release(key)
