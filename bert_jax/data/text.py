"""Plain text -> sentences: the sentence splitter and the prose filter every corpus shares.

BERT's pretraining format is one sentence per line with a blank line between documents.
Sources that give paragraphs (docstrings, Wikipedia, user files with
``split_paragraphs``) go through ``split_sentences``; sources that mix prose with code
(the Python documentation) first go through ``prose_paragraphs``. ``word_spans`` /
``sentence_spans`` give character spans of a document's words and sentences (the web
app's explanations, BERT-XDC's sentence ids).
"""
from __future__ import annotations

import re

# A sentence ends at . ! ? (or their CJK forms), optionally followed by closing quotes or
# brackets, then white space. The next sentence must not start with a lower-case letter
# (Hangul has no case, so Korean "...이다. 다음" splits).
_BOUNDARY = re.compile(r'([.!?\u3002\uff01\uff1f]["\'\u2019\u201d)\]]*)\s+(?=\S)')
_ABBREVIATIONS = frozenset(
    'e.g i.e etc vs cf mr mrs ms dr prof st no fig eq al approx ca resp incl'.split())
_UNDERLINE = re.compile(r'^\s*([*=\-~^"#+`])\1{2,}\s*$')
_CODE_LINE = re.compile(r'^\s*(>>>|\.\.\.|\$ |%|\|)')


def normalize_space(text: str) -> str:
  """Collapses every run of white space into one space and strips the ends."""
  return ' '.join(text.split())


def split_sentences(paragraph: str) -> list[str]:
  """Sentences of one paragraph (white space normalized), in order; none if blank."""
  text = normalize_space(paragraph)
  sentences, start = [], 0
  for m in _BOUNDARY.finditer(text):
    if text[m.end()].islower() or text[m.end()] in ',;:':
      continue
    word = text[start:m.start(1)].rsplit(' ', 1)[-1]
    if word.lower().rstrip('.') in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
      continue  # "e.g. Foo", "J. Smith"
    if word[-1:].isdigit() and text[m.end()].isdigit():
      continue  # "2010. 11. 12.", "1. 2. 3."
    sentences.append(text[start:m.end(1)])
    start = m.end()
  if start < len(text):
    sentences.append(text[start:])
  return sentences


def paragraphs(text: str) -> list[list[str]]:
  """Blocks of consecutive non-blank lines (each a list of lines, unstripped)."""
  blocks, block = [], []
  for line in text.splitlines():
    if line.strip():
      block.append(line)
    elif block:
      blocks.append(block)
      block = []
  if block:
    blocks.append(block)
  return blocks


def is_prose(block: list[str]) -> bool:
  """Whether a block of lines is running text rather than code, a table or a heading rule.

  Code in docstrings and pydoc topics is indented or starts with ``>>>``; tables and
  grammar rules are mostly punctuation.
  """
  first = block[0]
  if first[:1].isspace() or _CODE_LINE.match(first):
    return False
  text = ' '.join(block)
  letters = sum(c.isalpha() for c in text)
  return len(text.split()) >= 3 and letters >= 0.6 * len(text.replace(' ', ''))


def prose_paragraphs(text: str) -> list[str]:
  """The prose paragraphs of documentation text, each joined into one line.

  Heading underlines are dropped; code blocks, doctests, tables and lines that continue
  a block with deeper-indented code are left out.
  """
  out = []
  for block in paragraphs(text):
    lines = [line for line in block if not _UNDERLINE.match(line)]
    prose: list[str] = []
    for line in lines:
      if _CODE_LINE.match(line):
        break  # A doctest inside a paragraph: the rest of the block is code.
      prose.append(line)
    if prose and is_prose(prose):
      out.append(normalize_space(' '.join(prose)))
  return out


def prose_sentences(text: str) -> list[str]:
  """``split_sentences`` of every ``prose_paragraphs`` paragraph, flattened."""
  return [s for p in prose_paragraphs(text) for s in split_sentences(p)]


_WORD_RE = re.compile(r'\S+')
# A sentence ends after .?! (runs, e.g. "?!" or "..."), and closing quotes / brackets, when
# whitespace or the end follows; after Korean "다." even when a word follows directly
# ("했다.그러나"), but not inside a number ("2016.6.24"); and at every newline.
_SENTENCE_END_RE = re.compile(
    r'[.?!。…]+["\'”’)\]」』]*(?=\s|$)'
    r'|다\.["\'”’)\]」』]*(?=[^\d\s.])'
    r'|\n')


def word_spans(text: str) -> list[tuple[int, int]]:
  """Character spans of the whitespace-separated words (Korean: eojeol) of ``text``."""
  return [m.span() for m in _WORD_RE.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
  """Character spans of the sentences of ``text`` (trimmed, never empty), as the web app
  and BERT-XDC cut a document; unlike ``split_sentences`` (corpora), a Korean ``다.``
  ends a sentence even without a space, and so does every newline."""
  spans, start = [], 0
  for m in _SENTENCE_END_RE.finditer(text):
    spans.append((start, m.end()))
    start = m.end()
  spans.append((start, len(text)))
  out = []
  for s, e in spans:
    while s < e and text[s].isspace():
      s += 1
    while e > s and text[e - 1].isspace():
      e -= 1
    if e > s:
      out.append((s, e))
  return out
