"""One document -> its pretraining examples (NSP pairs with MLM masks), as numpy dicts.

``PretrainingExamples(doc, generation)`` is a pure function of the document, the
``generation`` (the epoch under dynamic masking, the copy under static masking) and the
seed: a resumed or re-sharded pipeline produces exactly the same examples.

Feature dicts (one example):
  input_ids, token_type_ids, attention_mask   int32 [L]
  masked_lm_positions, masked_lm_ids          int32 [P]
  masked_lm_weights                           float32 [P]
  next_sentence_label                         int32 []   (0 = IsNext, 1 = NotNext, as BERT)
For packing (``padded=False``) the sequence features are unpadded [n] and the MLM targets
are dense (``masked_lm_dense``: original id + 1 where masked, else 0).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from bert_jax.data import instances as instances_lib
from bert_jax.data import masking
from bert_jax.data.corpus import Documents

Example = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class ExampleOptions:
  """The example-shaping part of the data config."""
  max_seq_length: int = 128
  max_predictions_per_seq: int = 20
  masked_lm_prob: float = 0.15
  short_seq_prob: float = 0.1
  whole_word_masking: bool = False

  @classmethod
  def from_config(cls, data_config) -> 'ExampleOptions':
    options = cls(**{f.name: data_config[f.name] for f in dataclasses.fields(cls)})
    options.check()
    return options

  def check(self) -> None:
    from bert_jax import errors  # pylint: disable=import-outside-toplevel
    if self.max_seq_length < 5:
      raise errors.InputError(f'data.max_seq_length={self.max_seq_length}: need at least 5 '
                              '([CLS] a [SEP] b [SEP]).')
    if not 0 < self.masked_lm_prob < 1:
      raise errors.InputError(f'data.masked_lm_prob={self.masked_lm_prob}; expected 0 < p < 1.')
    if not 0 <= self.short_seq_prob <= 1:
      raise errors.InputError(f'data.short_seq_prob={self.short_seq_prob}; expected 0..1.')
    if self.max_predictions_per_seq < 1:
      raise errors.InputError('data.max_predictions_per_seq must be >= 1.')


class PretrainingExamples:
  """Makes the examples of one document; picklable (grain workers get a copy).

  Args:
    documents: all documents of the corpus.
    doc_pool: indices of the documents of this split: random NotNext segments are drawn
      from them (never from the other split).
    tokenizer: anything with the ``bert_jax.tokenization.Tokenizer`` interface.
    seed: the data seed.
  """

  def __init__(self, documents: Documents, doc_pool: np.ndarray, tokenizer, *, seed: int,
               options: ExampleOptions):
    self.documents = documents
    self.doc_pool = np.sort(np.asarray(doc_pool, np.int64))
    self.tokenizer = tokenizer
    self.seed = int(seed)
    self.options = options
    self.spec = masking.MaskingSpec.from_tokenizer(
        tokenizer, masked_lm_prob=options.masked_lm_prob,
        max_predictions=options.max_predictions_per_seq,
        whole_word=options.whole_word_masking)

  def rng(self, doc: int, generation: int) -> np.random.Generator:
    return np.random.default_rng([self.seed, int(generation), int(doc)])

  def tokenized(self, doc: int) -> list[list[int]]:
    """Token ids of each sentence of document ``doc``."""
    return self.tokenizer.encode_ids_batch(self.documents.sentences(doc))

  def pairs(self, doc: int, rng: np.random.Generator) -> list[instances_lib.PairInstance]:
    """The NSP pairs of one document (before masking)."""
    def random_segment(r, target):
      return instances_lib.random_segment(
          r, target, doc_pool=self.doc_pool, exclude=int(doc),
          sentences_of=self.documents.sentences, encode=self.tokenizer.encode_ids_batch)
    return instances_lib.create_instances(
        int(doc), self.tokenized(doc), rng, max_seq_length=self.options.max_seq_length,
        short_seq_prob=self.options.short_seq_prob, random_segment_fn=random_segment)

  def __call__(self, doc: int, generation: int, *, padded: bool = True) -> list[Example]:
    rng = self.rng(doc, generation)
    return [self.features(p, rng, padded=padded) for p in self.pairs(doc, rng)]

  def features(self, pair: instances_lib.PairInstance, rng: np.random.Generator, *,
               padded: bool = True) -> Example:
    """[CLS] A [SEP] B [SEP], masked, as a feature dict."""
    t = self.tokenizer
    ids = np.array([t.cls_id, *pair.tokens_a, t.sep_id, *pair.tokens_b, t.sep_id], np.int32)
    type_ids = np.zeros(len(ids), np.int32)
    type_ids[len(pair.tokens_a) + 2:] = 1
    masked, positions, labels = masking.mask_tokens(ids, rng, self.spec)
    nsp = np.int32(pair.is_random_next)
    if not padded:
      dense = np.zeros(len(ids), np.int32)
      dense[positions] = labels + 1
      return {'input_ids': masked, 'token_type_ids': type_ids, 'masked_lm_dense': dense,
              'next_sentence_label': np.full(len(ids), nsp, np.int32)}
    return padded_features(masked, type_ids, positions, labels, nsp,
                           self.options.max_seq_length, self.options.max_predictions_per_seq,
                           pad_id=t.pad_id)


def padded_features(input_ids: np.ndarray, token_type_ids: np.ndarray, positions: np.ndarray,
                    labels: np.ndarray, next_sentence_label: Any, max_seq_length: int,
                    max_predictions: int, *, pad_id: int = 0) -> Example:
  """The fixed-shape feature dict of one sequence (see the module docstring)."""
  n, p = len(input_ids), len(positions)
  out = {
      'input_ids': np.full(max_seq_length, pad_id, np.int32),
      'token_type_ids': np.zeros(max_seq_length, np.int32),
      'attention_mask': np.zeros(max_seq_length, np.int32),
      'masked_lm_positions': np.zeros(max_predictions, np.int32),
      'masked_lm_ids': np.zeros(max_predictions, np.int32),
      'masked_lm_weights': np.zeros(max_predictions, np.float32),
      'next_sentence_label': np.asarray(next_sentence_label, np.int32),
  }
  out['input_ids'][:n] = input_ids
  out['token_type_ids'][:n] = token_type_ids
  out['attention_mask'][:n] = 1
  out['masked_lm_positions'][:p] = positions
  out['masked_lm_ids'][:p] = labels
  out['masked_lm_weights'][:p] = 1.0
  return out
