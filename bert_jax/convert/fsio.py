"""Writing outputs all-or-nothing: a temp path next to the target, renamed at the end.

Nothing a user already has is replaced unless they asked (``overwrite``), and a failed
run leaves neither a partial output nor its temp path behind. An output directory gets a
marker file (``OUTPUT_MARKER``); ``overwrite`` replaces only a directory that has it (a
previous output of ours), never a directory of other files.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import pathlib
import shutil
import tempfile
from typing import Iterator

from bert_jax.errors import InputError

OUTPUT_MARKER = '.bert_jax_output.json'  # in every directory atomic_output_dir writes


def check_output_dir(target: str | os.PathLike, *, overwrite: bool,
                     flag: str = 'output directory') -> pathlib.Path:
  """Fails early (before any work) when ``target`` cannot be written."""
  target = pathlib.Path(target).absolute()
  if target.exists() and not target.is_dir():
    raise InputError(f'{flag} {target} exists and is not a directory.')
  if target.is_dir() and any(target.iterdir()):
    if not overwrite:
      raise InputError(f'{flag} {target} exists and is not empty; not overwriting it '
                       '(pass --overwrite to replace it).')
    if not (target / OUTPUT_MARKER).is_file():
      names = sorted(p.name for p in target.iterdir())
      shown = ', '.join(names[:5]) + (' ...' if len(names) > 5 else '')
      raise InputError(f'{flag} {target} holds files that are not the output of a previous '
                       f'conversion ({shown}; no {OUTPUT_MARKER}); --overwrite replaces only '
                       'such an output. Choose another directory, or move those files.')
  if not target.parent.is_dir():
    raise InputError(f'cannot create {flag} {target}: its parent directory does not exist.')
  return target


def check_output_file(target: str | os.PathLike, *, overwrite: bool,
                      flag: str = 'output file') -> pathlib.Path:
  """Fails early when the output file exists (and not ``overwrite``) or cannot be created."""
  target = pathlib.Path(target).absolute()
  if target.is_dir():
    raise InputError(f'{flag} {target} is a directory; expected a file path.')
  if target.exists() and not overwrite:
    raise InputError(f'{flag} {target} already exists; not overwriting it '
                     '(pass --overwrite to replace it).')
  if not target.parent.is_dir():
    raise InputError(f'cannot create {flag} {target}: its parent directory does not exist.')
  return target


def check_not_inside(source: str | os.PathLike, target: str | os.PathLike) -> None:
  """Refuses to write ``target`` over (or around) the ``source`` being read."""
  src, dst = pathlib.Path(source).resolve(), pathlib.Path(target).resolve()
  if src == dst or dst in src.parents or src in dst.parents:
    raise InputError(f'output {dst} overlaps the input {src}; choose another output path.')


@contextlib.contextmanager
def atomic_output_dir(target: str | os.PathLike, *, overwrite: bool = False
                      ) -> Iterator[pathlib.Path]:
  """Yields an empty temp directory that becomes ``target`` when the block succeeds.

  On an exception the temp directory is removed and ``target`` is left as it was.
  """
  target = check_output_dir(target, overwrite=overwrite)
  tmp = pathlib.Path(tempfile.mkdtemp(prefix=f'.{target.name}.tmp-', dir=target.parent))
  try:
    yield tmp
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    (tmp / OUTPUT_MARKER).write_text(json.dumps({'written_by': 'bert_jax.convert',
                                                 'time': now}) + '\n', encoding='utf-8')
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private.
  _normal_modes(tmp)
  _replace_dir(tmp, target)


def _normal_modes(root: pathlib.Path) -> None:
  """Some writers (safetensors) make private 0600 files; outputs get the usual modes."""
  mask = _umask()
  for dirpath, _, filenames in os.walk(root):
    for name in filenames:
      path = os.path.join(dirpath, name)
      if not os.path.islink(path):
        os.chmod(path, 0o666 & ~mask)


def _umask() -> int:
  mask = os.umask(0)
  os.umask(mask)
  return mask


def _replace_dir(tmp: pathlib.Path, target: pathlib.Path) -> None:
  if not target.exists():
    os.rename(tmp, target)
    return
  old = pathlib.Path(tempfile.mkdtemp(prefix=f'.{target.name}.old-', dir=target.parent))
  os.rename(target, old / target.name)  # Keep the old one until the new one is in place.
  try:
    os.rename(tmp, target)
  except BaseException:
    os.rename(old / target.name, target)
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  finally:
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_file(target: str | os.PathLike, *, overwrite: bool = False,
                       mode: str = 'w', encoding: str | None = 'utf-8'):
  """Yields a file object on a temp file that is renamed to ``target`` on success."""
  target = check_output_file(target, overwrite=overwrite)
  fd, tmp = tempfile.mkstemp(prefix=f'.{target.name}.tmp-', dir=target.parent)
  os.chmod(tmp, 0o666 & ~_umask())
  try:
    with os.fdopen(fd, mode, encoding=encoding if 'b' not in mode else None) as f:
      yield f
    os.replace(tmp, target)
  except BaseException:
    with contextlib.suppress(FileNotFoundError):
      os.unlink(tmp)
    raise
