"""The offline Korean corpus: the text corpora shipped inside the PyPI package ``konlpy``.

``konlpy/data/corpus`` holds the Constitution of the Republic of Korea (``kolaw``) and
ten National Assembly bills (``kobill``), about 140 KB of Korean. Documents:

- the Constitution, one document per chapter (제N장), the preamble and the addenda (부칙);
- each bill, up to its old/new comparison table (신·구조문대비표, a two-column layout that
  does not survive as text). Bills are hard-wrapped mid-word; a line that ends without a
  space continues the word on the next line, so lines are joined as they are.

Sentences come from ``text.split_sentences``. konlpy itself is not imported (it would
start a JVM); only its data files are read.
"""
from __future__ import annotations

import importlib.util
import pathlib
import re
from typing import Iterator

from bert_jax.data import text

_CHAPTER = re.compile(r'^\s*(제\d+장|부칙)')
_TABLE_START = re.compile(r'신\s*[·ㆍ․]?\s*구\s*조문\s*대비표')
_NOISE_LINE = re.compile(r'^[\s\-.–―─·]*$|^\s*-\s*\d+\s*-\s*$')  # Rules, page numbers.


def konlpy_corpus_dir() -> pathlib.Path:
  """``.../site-packages/konlpy/data/corpus``; FileNotFoundError if konlpy is missing."""
  spec = importlib.util.find_spec('konlpy')
  if spec is None or not spec.submodule_search_locations:
    raise FileNotFoundError('The Korean corpus needs the PyPI package konlpy '
                            '(pip install konlpy); it is not installed.')
  corpus = pathlib.Path(list(spec.submodule_search_locations)[0]) / 'data' / 'corpus'
  if not (corpus / 'kolaw').is_dir() or not (corpus / 'kobill').is_dir():
    raise FileNotFoundError(f'{corpus} lacks kolaw/ and kobill/: konlpy is installed '
                            'without its corpus data.')
  return corpus


def constitution_documents(raw: str) -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) for the preamble, each chapter and the addenda."""
  name, lines = 'preamble', []
  for line in raw.splitlines():
    m = _CHAPTER.match(line)
    if m:
      yield f'kolaw:constitution:{name}', _sentences_of_lines(lines)
      name, lines = m.group(1), []
    lines.append(line)
  yield f'kolaw:constitution:{name}', _sentences_of_lines(lines)


def _sentences_of_lines(lines: list[str]) -> list[str]:
  return [s for line in lines for s in text.split_sentences(line)]


def bill_sentences(raw: str) -> list[str]:
  """Sentences of one bill: hard-wrapped lines rejoined, the comparison table dropped."""
  m = _TABLE_START.search(raw)
  body = raw[:m.start()] if m else raw
  kept = [line for line in body.splitlines() if line.strip() and not _NOISE_LINE.match(line)]
  return text.split_sentences(''.join(kept))


def konlpy_documents(corpus_dir: str | pathlib.Path | None = None
                     ) -> Iterator[tuple[str, list[str]]]:
  """Every document of the Korean corpus, in a fixed order."""
  corpus = pathlib.Path(corpus_dir) if corpus_dir else konlpy_corpus_dir()
  for path in sorted((corpus / 'kolaw').glob('*.txt')):
    yield from constitution_documents(path.read_text(encoding='utf-8'))
  for path in sorted((corpus / 'kobill').glob('*.txt')):
    yield f'kobill:{path.stem}', bill_sentences(path.read_text(encoding='utf-8'))
