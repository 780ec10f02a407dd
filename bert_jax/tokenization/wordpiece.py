"""WordPiece tokenizer from a BERT ``vocab.txt``, on HF ``tokenizers``.

Same pipeline as google-research/bert and HF ``BertTokenizerFast``: BertNormalizer
(clean text, space around CJK characters, optional accent stripping and lower-casing),
BertPreTokenizer (whitespace + punctuation), WordPiece with the ``##`` prefix.
"""
from __future__ import annotations

import os
import warnings
from typing import Sequence

import tokenizers
from tokenizers import decoders, models, normalizers, pre_tokenizers

from bert_jax.tokenization import common
from bert_jax.tokenization.base import SPECIAL_TOKENS


def read_vocab(vocab_file: str | os.PathLike) -> list[str]:
  """Tokens of a ``vocab.txt``, one per line; the line number is the id."""
  path = os.fspath(vocab_file)
  if not os.path.isfile(path):
    raise FileNotFoundError(f'WordPiece vocab file {path!r} does not exist (expected a BERT '
                            'vocab.txt with one token per line).')
  with open(path, encoding='utf-8') as f:
    tokens = [line.rstrip('\r\n') for line in f]
  while tokens and not tokens[-1]:
    tokens.pop()  # Trailing empty lines are not tokens.
  missing = [t for t in SPECIAL_TOKENS if t not in set(tokens)]
  if missing:
    raise ValueError(f'WordPiece vocab {path!r} ({len(tokens)} lines) lacks the special '
                     f'tokens {missing}; expected a BERT vocab.txt containing {SPECIAL_TOKENS}.')
  return tokens


class WordPieceTokenizer(common.TokenizerBase):
  """BERT WordPiece tokenizer (``vocab.txt``), compatible with released BERT checkpoints.

  Args:
    vocab_file: BERT ``vocab.txt``.
    do_lower_case: lower-case the text. None: guess from the vocab (a vocab with
      upper-case word tokens is cased; one without cased letters at all, e.g. Korean,
      is treated as cased so Hangul is left intact).
    strip_accents: NFD + drop combining marks. None: same as ``do_lower_case`` (BERT).
    strict: raise instead of warning when ``do_lower_case`` contradicts the vocab.
    tokenize_chinese_chars: put spaces around CJK ideographs (BERT default).
  """
  kind = 'wordpiece'

  def __init__(self, vocab_file: str | os.PathLike, *, do_lower_case: bool | None = None,
               strip_accents: bool | None = None, strict: bool = False,
               tokenize_chinese_chars: bool = True):
    self.vocab_file = os.fspath(vocab_file)
    self._id_to_token = read_vocab(self.vocab_file)
    self._vocab = {t: i for i, t in enumerate(self._id_to_token)}  # Later duplicates win.
    casing = common.casing_of_vocab(self._id_to_token)
    if do_lower_case is None:
      do_lower_case = casing == 'uncased'
    _check_casing(self.vocab_file, casing, do_lower_case, strict)
    self.do_lower_case = bool(do_lower_case)
    self.strip_accents = self.do_lower_case if strip_accents is None else bool(strip_accents)
    self.tokenize_chinese_chars = tokenize_chinese_chars
    self.vocab_size = len(self._id_to_token)
    (self.pad_id, self.unk_id, self.cls_id, self.sep_id,
     self.mask_id) = (self._vocab[t] for t in SPECIAL_TOKENS)
    self._warned_jamo = False
    self._tok = self._build_backend()

  def _build_backend(self) -> tokenizers.Tokenizer:
    tok = tokenizers.Tokenizer(models.WordPiece(
        self._vocab, unk_token='[UNK]', continuing_subword_prefix='##',
        max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=self.tokenize_chinese_chars,
        strip_accents=self.strip_accents, lowercase=self.do_lower_case)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix='##', cleanup=True)
    # Special tokens written in the text ("[MASK]") stay whole, as in BertTokenizerFast.
    tok.add_special_tokens([tokenizers.AddedToken(t, special=True, normalized=False)
                            for t in SPECIAL_TOKENS])
    return tok

  @property
  def source(self) -> str:
    return self.vocab_file

  def _warn_if_jamo(self, text: str, stacklevel: int = 4) -> None:
    if (self.strip_accents and not self._warned_jamo
        and common.HANGUL_SYLLABLE_RE.search(text)):
      self._warned_jamo = True
      warnings.warn(f'{common.JAMO_WARNING} (vocab: {self.vocab_file})',
                    stacklevel=stacklevel)

  def _pieces(self, text: str) -> common.Pieces:
    self._warn_if_jamo(text)
    enc = self._tok.encode(text, add_special_tokens=False)
    return common.Pieces(enc.ids, enc.tokens, enc.offsets)

  def encode_ids_batch(self, texts: Sequence[str]) -> list[list[int]]:
    """``encode_ids`` of each text, tokenized in parallel by HF ``tokenizers``."""
    texts = list(texts)
    if self.strip_accents and not self._warned_jamo:
      for text in texts:
        self._warn_if_jamo(text, stacklevel=3)
    return [e.ids for e in self._tok.encode_batch(texts, add_special_tokens=False)]

  def convert_tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
    return [self._vocab.get(t, self.unk_id) for t in tokens]

  def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
    return [self._id_to_token[i] for i in ids]

  def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = True) -> str:
    """Text of ``ids``: pieces joined, ``##`` merged, Hangul jamo recomposed (NFC)."""
    text = self._tok.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)
    return common.nfc(text)

  def is_word_start(self, token: str) -> bool:
    return not token.startswith('##')


def _check_casing(vocab_file: str, casing: str, do_lower_case: bool, strict: bool) -> None:
  """Warn (or raise) when lower-casing contradicts what the vocab looks like."""
  if casing == 'cased' and do_lower_case:
    msg = (f'do_lower_case=True but the WordPiece vocab {vocab_file!r} looks cased (many '
           'word tokens with upper-case letters): upper-case pieces can never be produced. '
           'Pass do_lower_case=False for a cased vocab.')
  elif casing == 'uncased' and not do_lower_case:
    msg = (f'do_lower_case=False but the WordPiece vocab {vocab_file!r} looks uncased '
           '(almost no word token has an upper-case letter): capitalised words will become [UNK] '
           'or odd pieces. Pass do_lower_case=True for an uncased vocab.')
  else:
    return
  if strict:
    raise ValueError(msg)
  warnings.warn(msg, stacklevel=3)
