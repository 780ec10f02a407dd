"""Reading user files: one place that opens them, through ``etils.epath``.

Every reader of a user's file (TSV, CoNLL, SQuAD JSON, corpora, configs) goes through
here, so a path may be local or in a bucket (``gs://...``, wherever ``etils.epath`` and
Orbax work), and every bad file gives one ``InputError`` that names it:

  text = read_text(path, what='SQuAD file')        # whole file, UTF-8
  for lineno, line in read_lines(path, what=...):  # numbered lines, UTF-8

- a missing path, a directory where a file was expected, or an empty file (unless
  ``allow_empty``) -> ``InputError('<what> <path>: ...')``;
- bytes that are not UTF-8 -> ``InputError('<path>:<line>: not valid UTF-8 ...')``.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from etils import epath

import os

from bert_jax.errors import InputError

PathLike = str | os.PathLike | epath.Path


def as_path(path: PathLike) -> epath.Path:
  """A local or bucket path (``etils.epath``); ``~`` is expanded for local paths. The one
  path constructor (``bert_jax.workdir.as_workdir`` also makes a local one absolute)."""
  p = os.fspath(path) if not isinstance(path, str) else path
  if p.startswith('~'):
    p = os.path.expanduser(p)
  return epath.Path(p)


def check_input_file(path: PathLike, *, what: str = 'file') -> epath.Path:
  """``path`` as an ``epath.Path`` when it is an existing file; else ``InputError``."""
  p = as_path(path)
  if not p.exists():
    raise InputError(f'{what} {p} does not exist.')
  if p.is_dir():
    raise InputError(f'{what} {p} is a directory; expected a file.')
  return p


def _decode(data: bytes, path: epath.Path, first_line: int = 1) -> str:
  try:
    return data.decode('utf-8')
  except UnicodeDecodeError as e:
    line = first_line + data.count(b'\n', 0, e.start)
    raise InputError(f'{path}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02x}); '
                     'save the file as UTF-8.') from None


def read_text(path: PathLike, *, what: str = 'file', allow_empty: bool = False) -> str:
  """The whole file as text (UTF-8); see the module doc for the errors."""
  p = check_input_file(path, what=what)
  text = _decode(p.read_bytes(), p)
  if not allow_empty and not text.strip():
    raise InputError(f'{what} {p} is empty.')
  return text


def read_lines(path: PathLike, *, what: str = 'file',
               allow_empty: bool = False) -> Iterator[tuple[int, str]]:
  """``(line number from 1, line without its newline)`` for each line, streamed."""
  p = check_input_file(path, what=what)
  any_text = False
  with p.open('rb') as f:
    for lineno, raw in enumerate(f, start=1):
      line = _decode(raw, p, lineno).rstrip('\r\n')
      any_text = any_text or bool(line.strip())
      yield lineno, line
  if not allow_empty and not any_text:
    raise InputError(f'{what} {p} is empty.')


def read_json_object(path: PathLike, what: str) -> dict[str, Any]:
  """A JSON object written by a program (a config, a record): a missing file, invalid JSON
  or another JSON type is an ``InputError`` that says what was expected (``what``)."""
  p = path if isinstance(path, (os.PathLike, epath.Path)) else as_path(path)
  try:
    d = json.loads(p.read_text(encoding='utf-8'))
  except FileNotFoundError:
    raise InputError(f'{p} not found: expected {what}.') from None
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise InputError(f'{p} is not valid JSON ({e}); expected {what}.') from None
  if not isinstance(d, dict):
    raise InputError(f'{p} holds a JSON {type(d).__name__}; expected {what} (an object).')
  return d


def read_json(path: PathLike, *, what: str = 'JSON file') -> Any:
  """A JSON file's value; invalid JSON names the file, line and column."""
  p = as_path(path)
  text = read_text(p, what=what)
  try:
    return json.loads(text)
  except json.JSONDecodeError as e:
    raise InputError(f'{p}:{e.lineno}:{e.colno}: not valid JSON ({e.msg}).') from None
