"""SentencePiece tokenizer (unigram or BPE ``*.model``) behind the BERT interface.

Models trained by ``bert_jax.tokenization.train`` have [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3
[MASK]=4. Other models work if they contain [CLS] [SEP] [MASK] pieces (ALBERT's does;
its padding piece is ``<pad>``). Special tokens written in the text ("[MASK]") become
that one token, as in the WordPiece backend.
"""
from __future__ import annotations

import os
import re
import unicodedata
from typing import Sequence

import sentencepiece as spm

from bert_jax.tokenization import common
from bert_jax.tokenization.base import SPECIAL_TOKENS

WORD_START = '\u2581'  # '▁', SentencePiece's marker for a preceding space.


class SentencePieceTokenizer(common.TokenizerBase):
  """BERT-style tokenizer from a SentencePiece ``*.model`` file.

  Args:
    model_file: the ``.model`` file.
    do_lower_case: lower-case the text before SentencePiece (ALBERT does this; models
      trained here with ``do_lower_case`` also case-fold inside the model).
  """
  kind = 'sentencepiece'
  strip_accents = False

  def __init__(self, model_file: str | os.PathLike, *, do_lower_case: bool = False):
    self.model_file = os.fspath(model_file)
    if not os.path.isfile(self.model_file):
      raise FileNotFoundError(f'SentencePiece model {self.model_file!r} does not exist '
                              '(expected a *.model file written by spm_train).')
    with open(self.model_file, 'rb') as f:
      self._load(f.read())
    self.do_lower_case = bool(do_lower_case)

  def _load(self, model_proto: bytes) -> None:
    self._proto = model_proto
    sp = spm.SentencePieceProcessor()
    try:
      sp.LoadFromSerializedProto(model_proto)
    except (RuntimeError, OSError) as e:
      raise ValueError(f'{self.model_file!r} is not a SentencePiece model: {e}') from None
    self._sp = sp
    self.vocab_size = sp.get_piece_size()
    ids = {t: self._piece_id(t) for t in SPECIAL_TOKENS}
    if ids['[PAD]'] is None:
      ids['[PAD]'] = self._piece_id('<pad>') if sp.pad_id() < 0 else sp.pad_id()
    ids['[UNK]'] = sp.unk_id()
    missing = [t for t, i in ids.items() if i is None]
    if missing:
      raise ValueError(
          f'SentencePiece model {self.model_file!r} has no piece for {missing}; expected a '
          f'model trained with {list(SPECIAL_TOKENS)} as special symbols (python -m '
          'bert_jax.tokenization.train --kind=sentencepiece).')
    self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = ids.values()
    self._special_pieces = {t: i for t, i in ids.items() if sp.id_to_piece(i) == t}
    self._special_re = re.compile('|'.join(re.escape(t) for t in self._special_pieces))

  def _piece_id(self, piece: str) -> int | None:
    i = self._sp.piece_to_id(piece)
    return i if self._sp.id_to_piece(i) == piece else None

  def __getstate__(self) -> dict:
    state = dict(self.__dict__)
    del state['_sp'], state['_special_re']
    return state

  def __setstate__(self, state: dict) -> None:
    self.__dict__.update(state)
    self._load(state['_proto'])

  @property
  def source(self) -> str:
    return self.model_file

  def _pieces(self, text: str) -> common.Pieces:
    ids, tokens, offsets = [], [], []
    pos = 0
    for m in self._special_re.finditer(text) if self._special_pieces else ():
      self._encode_segment(text, pos, m.start(), ids, tokens, offsets)
      ids.append(self._special_pieces[m.group()])
      tokens.append(m.group())
      offsets.append(m.span())
      pos = m.end()
    self._encode_segment(text, pos, len(text), ids, tokens, offsets)
    return common.Pieces(ids, tokens, offsets)

  def _encode_segment(self, text: str, start: int, end: int, ids: list[int],
                      tokens: list[str], offsets: list[tuple[int, int]]) -> None:
    """Appends the pieces of ``text[start:end]``, offsets relative to ``text``."""
    segment = text[start:end]
    if not segment or segment.isspace():
      return
    if self.do_lower_case:
      segment = common.lowercase_keeping_offsets(segment)
    proto = _encode_as_proto(self._sp, segment)
    to_char = _byte_to_char(segment)
    for p in proto.pieces:
      s, e = to_char[p.begin], to_char[p.end]
      while s < e and _dropped(segment[s]):  # '▁' stands for the space: not in the span.
        s += 1
      ids.append(p.id)
      tokens.append(self._sp.id_to_piece(p.id))
      offsets.append((start + s, start + e))

  def convert_tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
    return [self._sp.piece_to_id(t) for t in tokens]

  def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
    return [self._sp.id_to_piece(int(i)) for i in ids]

  def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = True) -> str:
    """Text of ``ids``; special tokens dropped, or written as '[CLS]' etc."""
    special = self.special_ids
    parts, run = [], []
    for i in map(int, ids):
      if i in special:
        if not skip_special_tokens:
          parts += [self._sp.decode(run), self._sp.id_to_piece(i)]
          run = []
      else:
        run.append(i)
    parts.append(self._sp.decode(run))
    return ' '.join(p for p in parts if p)

  def is_word_start(self, token: str) -> bool:
    """'▁piece' starts a word; so do special tokens except [UNK] (SentencePiece puts a
    separate '▁' before unknown characters)."""
    return token.startswith(WORD_START) or (
        token in self._special_pieces and token != SPECIAL_TOKENS[1])


def _encode_as_proto(sp: spm.SentencePieceProcessor, text: str):
  """SentencePieceText with pieces' UTF-8 ``begin``/``end`` (API differs by version)."""
  if hasattr(sp, 'encode_as_immutable_proto'):  # sentencepiece 0.1.99 .. 0.2.0
    return sp.encode_as_immutable_proto(text)
  return sp.encode(text, out_type='proto')  # sentencepiece >= 0.2.1


def _dropped(c: str) -> bool:
  """Whitespace and control/format characters (BOM, zero-width) that the normalizer drops."""
  return c.isspace() or unicodedata.category(c) in ('Cc', 'Cf')


def _byte_to_char(text: str) -> list[int]:
  """Map from UTF-8 byte offset in ``text`` to character offset (length len(bytes)+1)."""
  if text.isascii():
    return list(range(len(text) + 1))
  out = []
  for i, c in enumerate(text):
    out.extend([i] * len(c.encode('utf-8')))
  out.append(len(text))
  return out
