"""The user's own text files, in google-research/bert's pretraining format.

One sentence per line, a blank line between documents. With ``split_paragraphs`` a
line is a paragraph and is split into sentences (``text.split_sentences``).

Bad input is reported, never hidden: a line that is not valid UTF-8 is skipped and
counted (``invalid_utf8='skip'``) or stops the build with the file and line number
(``'error'``); empty files are counted; a glob that matches nothing is an error.
"""
from __future__ import annotations

import dataclasses
import glob
import os
from typing import Iterable, Iterator, Sequence

from bert_jax import errors
from bert_jax.data import text

MAX_REPORTED_PROBLEMS = 20


@dataclasses.dataclass
class ReadReport:
  """What reading the files skipped, with the first places where it happened."""
  files: int = 0
  empty_files: int = 0
  invalid_utf8_lines: int = 0
  problems: list[str] = dataclasses.field(default_factory=list)

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
    matched = sorted(p for p in glob.glob(os.path.expanduser(pattern), recursive=True)
                     if os.path.isfile(p))
    found.extend(matched) if matched else unmatched.append(pattern)
  if unmatched:
    raise errors.InputError(f'data.files: no file matches {unmatched}.')
  return list(dict.fromkeys(os.path.abspath(p) for p in found))


def decoded_lines(path: str, report: ReadReport, invalid_utf8: str) -> Iterator[str]:
  """The lines of ``path`` as text; invalid UTF-8 skipped (counted) or raised."""
  with open(path, 'rb') as f:
    for lineno, raw in enumerate(f, 1):
      try:
        line = raw.decode('utf-8')
      except UnicodeDecodeError as e:
        where = f'{path}:{lineno}: invalid UTF-8 (byte {raw[e.start]:#04x} at column {e.start})'
        if invalid_utf8 == 'error':
          raise errors.InputError(f'{where}. Fix the file, or set data.invalid_utf8=skip to '
                                  'skip such lines.') from None
        report.invalid_utf8_lines += 1
        report.note(f'{where}: line skipped')
        continue
      yield line.lstrip('\ufeff') if lineno == 1 else line


def read_documents(paths: Iterable[str], *, split_paragraphs: bool = False,
                   invalid_utf8: str = 'skip', report: ReadReport | None = None
                   ) -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) of every document in the files; id is 'path#k' (k from 0)."""
  if invalid_utf8 not in ('skip', 'error'):
    raise errors.InputError(f"data.invalid_utf8={invalid_utf8!r}; expected 'skip' or 'error'.")
  report = report if report is not None else ReadReport()
  for path in paths:
    report.files += 1
    if os.path.getsize(path) == 0:
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
