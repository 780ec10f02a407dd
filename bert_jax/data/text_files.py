"""The user's own text files, in google-research/bert's pretraining format.

One sentence per line, a blank line between documents. With ``split_paragraphs`` a
line is a paragraph and is split into sentences (``text.split_sentences``).

Bad input is reported, never hidden: a line that is not valid UTF-8 is skipped and
counted (``invalid_utf8='skip'``) or stops the build with the file and line number
(``'error'``); empty files are counted; a glob that matches nothing is an error.
Skipped lines are reported on stderr (how many, and the first ``file:line`` places); when
they are more than ``max_invalid_fraction`` of all lines (``data.max_invalid_utf8_fraction``,
default 1 %: a few stray bytes, not a file in another encoding) the build fails unless
that is raised (1.0 skips any number).
"""
from __future__ import annotations

import dataclasses
import glob
import os
import sys
from typing import Iterable, Iterator, Sequence

from etils import epath

from bert_jax import errors, fileio
from bert_jax.data import text
from bert_jax.workdir import is_local

MAX_REPORTED_PROBLEMS = 20
SHOWN_INVALID_PLACES = 5             # file:line places printed for skipped lines
DEFAULT_MAX_INVALID_FRACTION = 0.01  # data.max_invalid_utf8_fraction


@dataclasses.dataclass
class ReadReport:
  """What reading the files skipped, with the first places where it happened."""
  files: int = 0
  empty_files: int = 0
  lines: int = 0
  invalid_utf8_lines: int = 0
  problems: list[str] = dataclasses.field(default_factory=list)
  invalid_places: list[str] = dataclasses.field(default_factory=list)  # first file:line

  def note(self, problem: str) -> None:
    if len(self.problems) < MAX_REPORTED_PROBLEMS:
      self.problems.append(problem)


def expand_globs(patterns: str | Sequence[str]) -> list[str]:
  """Files matching comma-separated globs (or a list), sorted per glob, each once.

  Raises ``InputError`` naming every glob that matches no file.
  """
  if isinstance(patterns, str):
    patterns = patterns.split(',')
  patterns = [p.strip() for p in patterns if p and p.strip()]
  if not patterns:
    raise errors.InputError('data.files is empty: give comma-separated globs of text files '
                            '(one sentence per line, blank line between documents).')
  found, unmatched = [], []
  for pattern in patterns:
    matched = _glob_files(pattern)
    found.extend(matched) if matched else unmatched.append(pattern)
  if unmatched:
    raise errors.InputError(f'data.files: no file matches {unmatched}.')
  return list(dict.fromkeys(found))


def _glob_files(pattern: str) -> list[str]:
  """Files matching one glob, sorted: local (``**`` recursive, ``~`` expanded, made
  absolute) or in a bucket (``gs://bucket/dir/*.txt``, through ``etils.epath``)."""
  if is_local(pattern):
    return sorted(os.path.abspath(p) for p in glob.glob(os.path.expanduser(pattern),
                                                        recursive=True) if os.path.isfile(p))
  parts = pattern.split('/')
  first = next((i for i, part in enumerate(parts) if any(c in part for c in '*?[')),
               len(parts))
  root, rest = epath.Path('/'.join(parts[:first])), '/'.join(parts[first:])
  if not rest:
    return [str(root)] if root.exists() and not root.is_dir() else []
  return sorted(str(p) for p in root.glob(rest) if not p.is_dir())


def decoded_lines(path: str, report: ReadReport, invalid_utf8: str) -> Iterator[str]:
  """The lines of ``path`` as text; invalid UTF-8 skipped (counted) or raised."""
  with fileio.as_path(path).open('rb') as f:
    for lineno, raw in enumerate(f, 1):
      report.lines += 1
      try:
        line = raw.decode('utf-8')
      except UnicodeDecodeError as e:
        where = f'{path}:{lineno}: invalid UTF-8 (byte {raw[e.start]:#04x} at column {e.start})'
        if invalid_utf8 == 'error':
          raise errors.InputError(f'{where}. Fix the file, or set data.invalid_utf8=skip to '
                                  'skip such lines.') from None
        report.invalid_utf8_lines += 1
        report.note(f'{where}: line skipped')
        if len(report.invalid_places) < SHOWN_INVALID_PLACES:
          report.invalid_places.append(f'{path}:{lineno}')
        continue
      yield line.lstrip('\ufeff') if lineno == 1 else line


def check_invalid_lines(report: ReadReport, max_fraction: float) -> None:
  """Reports skipped (not UTF-8) lines on stderr; ``InputError`` above ``max_fraction``."""
  n = report.invalid_utf8_lines
  if not n:
    return
  frac = n / max(1, report.lines)
  first = ', '.join(report.invalid_places) + (' ...' if n > len(report.invalid_places) else '')
  summary = (f'{n} of {report.lines} lines ({frac:.2%}) are not valid UTF-8 and were '
             f'skipped: {first}')
  if frac > max_fraction:
    raise errors.InputError(
        f'{summary}; that is more than data.max_invalid_utf8_fraction={max_fraction:g} (a '
        'file in another encoding?). Convert the files to UTF-8 (e.g. iconv -f latin1 -t '
        'utf-8), or set data.max_invalid_utf8_fraction=1 to skip them anyway.')
  print(f'warning: {summary}', file=sys.stderr, flush=True)


def read_documents(paths: Iterable[str], *, split_paragraphs: bool = False,
                   invalid_utf8: str = 'skip', report: ReadReport | None = None,
                   max_invalid_fraction: float = DEFAULT_MAX_INVALID_FRACTION
                   ) -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) of every document in the files; id is 'path#k' (k from 0). After the
  last document, skipped lines are reported (``check_invalid_lines``)."""
  if invalid_utf8 not in ('skip', 'error'):
    raise errors.InputError(f"data.invalid_utf8={invalid_utf8!r}; expected 'skip' or 'error'.")
  report = report if report is not None else ReadReport()
  for path in paths:
    report.files += 1
    if fileio.as_path(path).stat().length == 0:
      report.empty_files += 1
      report.note(f'{path}: empty file')
      continue
    k, sentences = 0, []
    for line in decoded_lines(path, report, invalid_utf8):
      line = line.strip()
      if not line:
        if sentences:
          yield f'{path}#{k}', sentences
          k, sentences = k + 1, []
        continue
      sentences.extend(text.split_sentences(line) if split_paragraphs
                       else [text.normalize_space(line)])
    if sentences:
      yield f'{path}#{k}', sentences
  check_invalid_lines(report, max_invalid_fraction)
