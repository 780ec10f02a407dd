"""What every tokenizer backend shares: pair building, truncation, special tokens.

A backend only turns one text into word pieces (``_pieces``); everything about
``[CLS] a [SEP] (b [SEP])`` lives here, once.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple, Sequence

from bert_jax.tokenization.base import SPECIAL_TOKENS, Encoding

TRUNCATION_STRATEGIES = ('longest_first', 'only_first', 'only_second', 'do_not_truncate')

# Hangul syllables (U+AC00..U+D7A3): NFD turns each into 2-3 conjoining jamo.
HANGUL_SYLLABLE_RE = re.compile('[\uac00-\ud7a3]')
JAMO_WARNING = (
    'Text contains Hangul and this tokenizer strips accents (the default for an uncased '
    'vocab, as google-research/bert): Unicode NFD decomposes every Hangul syllable into '
    'jamo (e.g. "한" -> "ᄒ ᅡ ᆫ"), so Korean becomes long sequences of jamo pieces. '
    'For Korean use a cased vocab (do_lower_case=False), strip_accents=False, or a '
    'SentencePiece model (python -m bert_jax.tokenization.train --kind=sentencepiece).')


class Pieces(NamedTuple):
  """Word pieces of one text: ids, token strings and (start, end) character offsets."""
  ids: list[int]
  tokens: list[str]
  offsets: list[tuple[int, int]]


def truncated_lengths(len_a: int, len_b: int | None, max_tokens: int,
                      truncation: str = 'longest_first') -> tuple[int, int]:
  """How many tokens of a and b to keep so that ``len_a + len_b <= max_tokens``.

  'longest_first' is google-research/bert ``_truncate_seq_pair``: remove one token at a
  time from the end of the longer sequence (from b on a tie). Returns (keep_a, keep_b);
  keep_b is 0 when there is no b. Raises ValueError when it cannot fit.
  """
  if truncation not in TRUNCATION_STRATEGIES:
    raise ValueError(f'truncation={truncation!r}; expected one of {TRUNCATION_STRATEGIES}.')
  lb = len_b or 0
  excess = len_a + lb - max_tokens
  if excess <= 0:
    return len_a, lb
  what = f'text_a has {len_a} tokens' + (f' and text_b {lb}' if len_b is not None else '')
  if truncation == 'do_not_truncate':
    raise ValueError(f'{what}: {len_a + lb} > {max_tokens} tokens allowed (max_length minus '
                     "special tokens), and truncation='do_not_truncate'.")
  if len_b is None and truncation != 'only_second':
    return max_tokens, 0
  # only_first / only_second: like HF, the truncated text keeps at least one token.
  if truncation in ('only_first', 'only_second'):
    keep = len_a if truncation == 'only_first' else lb
    if len_b is None or keep <= excess:
      raise ValueError(f'{what}: truncation={truncation!r} cannot fit them in {max_tokens} '
                       'tokens (no text_b, or the other text alone is too long).')
    return (len_a - excess, lb) if truncation == 'only_first' else (len_a, lb - excess)
  # longest_first, closed form of the one-token-at-a-time loop.
  diff = abs(len_a - lb)
  if excess <= diff:
    return (len_a - excess, lb) if len_a > lb else (len_a, lb - excess)
  half = max_tokens // 2  # Equal lengths reached, then pops alternate b, a, b, ...
  return max_tokens - half, half


def build_encoding(a: Pieces, b: Pieces | None, *, cls: tuple[int, str], sep: tuple[int, str],
                   special_ids: frozenset[int], max_length: int | None = None,
                   truncation: str = 'longest_first') -> Encoding:
  """[CLS] a [SEP] (b [SEP]), truncated to ``max_length`` tokens in total."""
  num_special = 2 if b is None else 3
  len_a, len_b = len(a.ids), (None if b is None else len(b.ids))
  if truncation not in TRUNCATION_STRATEGIES:
    raise ValueError(f'truncation={truncation!r}; expected one of {TRUNCATION_STRATEGIES}.')
  if max_length is None:
    keep_a, keep_b = len_a, len_b or 0
  else:
    if max_length < num_special:
      raise ValueError(f'max_length={max_length} leaves no room for the {num_special} '
                       'special tokens.')
    keep_a, keep_b = truncated_lengths(len_a, len_b, max_length - num_special, truncation)
  ids = [cls[0], *a.ids[:keep_a], sep[0]]
  tokens = [cls[1], *a.tokens[:keep_a], sep[1]]
  offsets = [(0, 0), *a.offsets[:keep_a], (0, 0)]
  type_ids = [0] * len(ids)
  if b is not None:
    ids += [*b.ids[:keep_b], sep[0]]
    tokens += [*b.tokens[:keep_b], sep[1]]
    offsets += [*b.offsets[:keep_b], (0, 0)]
    type_ids += [1] * (keep_b + 1)
  return Encoding(
      input_ids=ids, token_type_ids=type_ids, tokens=tokens, offsets=offsets,
      special_tokens_mask=[int(i in special_ids) for i in ids],
      num_truncated=len_a + (len_b or 0) - keep_a - keep_b)


def lowercase_keeping_offsets(text: str) -> str:
  """``text.lower()`` one character at a time, so character offsets stay valid.

  The one character whose lower case is longer ('İ' -> 'i' + U+0307) becomes 'i'.
  """
  return ''.join(c.lower()[0] for c in text)


def casing_of_vocab(tokens: Sequence[str], min_cased: int = 20) -> str:
  """'cased', 'uncased' or 'unknown' (too few tokens with cased letters, e.g. Korean).

  Special tokens ``[...]`` are ignored. An uncased BERT vocab has (almost) no token
  with an upper-case letter; a cased one has many (sentence starts, names).
  """
  cased = upper = 0
  for tok in tokens:
    if tok.startswith('[') and tok.endswith(']'):
      continue
    if any(c.isupper() or c.islower() for c in tok):
      cased += 1
      upper += any(c.isupper() for c in tok)
  if cased < min_cased:
    return 'unknown'
  if upper > 0.02 * cased:
    return 'cased'
  if upper <= 0.001 * cased:
    return 'uncased'
  return 'unknown'


def nfc(text: str) -> str:
  return unicodedata.normalize('NFC', text)


class TokenizerBase:
  """The parts of the ``Tokenizer`` protocol that do not depend on the backend.

  Subclasses set the ``*_id`` attributes and implement ``_pieces(text) -> Pieces``,
  ``convert_tokens_to_ids``, ``convert_ids_to_tokens``, ``decode`` and ``is_word_start``.
  """
  kind: str
  vocab_size: int
  pad_id: int
  unk_id: int
  cls_id: int
  sep_id: int
  mask_id: int
  do_lower_case: bool
  strip_accents: bool

  def _pieces(self, text: str) -> Pieces:
    raise NotImplementedError

  @property
  def special_ids(self) -> frozenset[int]:
    """Ids of [PAD] [CLS] [SEP] [MASK] (``special_tokens_mask`` is 1 there; not [UNK])."""
    return frozenset((self.pad_id, self.cls_id, self.sep_id, self.mask_id))

  def tokenize(self, text: str) -> list[str]:
    """Word pieces of ``text`` (no special tokens)."""
    return self._pieces(text).tokens

  def tokenize_with_offsets(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Word pieces and their (start, end) character offsets in ``text``."""
    p = self._pieces(text)
    return p.tokens, p.offsets

  def encode_ids(self, text: str) -> list[int]:
    """Ids of the word pieces of ``text`` (no special tokens)."""
    return self._pieces(text).ids

  def encode_ids_batch(self, texts: Sequence[str]) -> list[list[int]]:
    """``encode_ids`` of each text."""
    return [self._pieces(t).ids for t in texts]

  def encode(self, text_a: str, text_b: str | None = None, *, max_length: int | None = None,
             truncation: str = 'longest_first') -> Encoding:
    """[CLS] a [SEP] (b [SEP]) with token_type_ids, per-text offsets and truncation."""
    b = None if text_b is None else self._pieces(text_b)
    return build_encoding(
        self._pieces(text_a), b, cls=(self.cls_id, SPECIAL_TOKENS[2]),
        sep=(self.sep_id, SPECIAL_TOKENS[3]), special_ids=self.special_ids,
        max_length=max_length, truncation=truncation)

  def __repr__(self) -> str:
    return (f'{type(self).__name__}({self.source!r}, vocab_size={self.vocab_size}, '
            f'do_lower_case={self.do_lower_case}, strip_accents={self.strip_accents})')

  @property
  def source(self) -> str:
    """The vocab/model file this tokenizer was built from."""
    raise NotImplementedError
