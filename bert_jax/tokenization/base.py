"""The one small tokenizer interface every backend implements.

Backends: WordPiece (``vocab.txt``, HF ``tokenizers``) and SentencePiece (``*.model``).
Everything downstream (pretraining data, fine-tuning features, feature extraction)
talks only to this interface.
"""
from __future__ import annotations

import dataclasses
from typing import Protocol, Sequence

SPECIAL_TOKENS = ('[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]')


@dataclasses.dataclass
class Encoding:
  """One encoded example ([CLS] a [SEP] (b [SEP])), unpadded.

  ``offsets[i]`` is the (start, end) character span of token i in its own text
  (text_a or text_b, see ``token_type_ids``); special tokens get (0, 0).
  """
  input_ids: list[int]
  token_type_ids: list[int]
  tokens: list[str]
  offsets: list[tuple[int, int]]
  special_tokens_mask: list[int]
  num_truncated: int = 0


class Tokenizer(Protocol):
  """What the rest of bert_jax needs from a tokenizer."""

  vocab_size: int
  pad_id: int
  unk_id: int
  cls_id: int
  sep_id: int
  mask_id: int
  do_lower_case: bool

  def tokenize(self, text: str) -> list[str]:
    """Word pieces of ``text`` (no special tokens)."""

  def tokenize_with_offsets(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Word pieces and their (start, end) character offsets in ``text``."""

  def encode_ids(self, text: str) -> list[int]:
    """Ids of the word pieces of ``text`` (no special tokens)."""

  def encode_ids_batch(self, texts: Sequence[str]) -> list[list[int]]:
    """``encode_ids`` of each text (WordPiece runs the batch in parallel)."""

  def convert_tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
    ...

  def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
    ...

  def encode(self, text_a: str, text_b: str | None = None, *, max_length: int | None = None,
             truncation: str = 'longest_first') -> Encoding:
    """[CLS] a [SEP] (b [SEP]) with token_type_ids and offsets.

    ``truncation``: 'longest_first' (default, as google-research/bert),
    'only_first', 'only_second', or 'do_not_truncate' (raises if too long).
    """

  def decode(self, ids: Sequence[int]) -> str:
    ...

  def is_word_start(self, token: str) -> bool:
    """True if ``token`` begins a new word (for whole-word masking)."""
