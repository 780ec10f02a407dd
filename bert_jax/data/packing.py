"""Packing: several pretraining sequences in one row of ``max_seq_length`` tokens.

Rows are filled first-fit by grain (``FirstFitPackIterDataset``) from the unpadded
examples of ``PretrainingExamples(..., padded=False)``; ``finish_packed_row`` then turns
a packed row into the batch format:

- ``segment_ids`` (1, 2, ... per packed sequence, 0 = padding) and ``position_ids``
  (restarting at 0 for each sequence); attention must use both
  (``bert_jax.masks.make_attention_mask(attention_mask, segment_ids=segment_ids)``);
- ``masked_lm_positions`` are row positions; a row keeps at most
  ``max_predictions_per_seq`` targets (the extra masked tokens get their original id
  back, so nothing is corrupted without a loss on it);
- NSP for every packed sequence (as MLPerf's packed BERT): ``cls_positions`` int32 [S]
  (the row position of each sequence's [CLS], where the model pools it),
  ``next_sentence_label`` int32 [S] and ``next_sentence_weights`` float32 [S] (1 = a real
  sequence, 0 = an empty slot), S = ``max_sequences`` (``data.max_sequences_per_row``;
  the packer never puts more sequences in a row).
"""
from __future__ import annotations

import grain
import numpy as np
from grain.experimental import FirstFitPackIterDataset

from bert_jax.data.examples import Example

PACKED_FEATURES = ('input_ids', 'token_type_ids', 'masked_lm_dense', 'next_sentence_label')


def pack(ds: grain.IterDataset, max_seq_length: int, *, seed: int, max_sequences: int,
         num_packing_bins: int = 16) -> grain.IterDataset:
  """Packs unpadded examples into rows of ``max_seq_length`` tokens and at most
  ``max_sequences`` sequences (still unfinished)."""
  return FirstFitPackIterDataset(
      ds, length_struct={k: max_seq_length for k in PACKED_FEATURES},
      num_packing_bins=num_packing_bins, seed=seed, shuffle_bins=True,
      max_sequences_per_bin=int(max_sequences))


class FinishPackedRow(grain.transforms.Map):
  """A packed row -> the batch format with segment_ids / position_ids (see module doc)."""

  def __init__(self, max_predictions: int, max_sequences: int, pad_id: int = 0):
    self.max_predictions = max_predictions
    self.max_sequences = max_sequences
    self.pad_id = pad_id

  def map(self, row: Example) -> Example:
    return finish_packed_row(row, self.max_predictions, self.max_sequences, self.pad_id)


def finish_packed_row(row: Example, max_predictions: int, max_sequences: int,
                      pad_id: int = 0) -> Example:
  """One packed row of ``pack`` -> the batch format (module doc); S = ``max_sequences``."""
  segment_ids = row['input_ids_segment_ids'].astype(np.int32)
  row_positions = row['input_ids_positions'].astype(np.int32)
  cls = np.flatnonzero((row_positions == 0) & (segment_ids > 0))  # [n] one per sequence
  if len(cls) > max_sequences:
    raise ValueError(f'a packed row holds {len(cls)} sequences, more than max_sequences='
                     f'{max_sequences} (pack() is given the same bound).')
  input_ids = row['input_ids'].astype(np.int32)
  input_ids[segment_ids == 0] = pad_id
  dense = row['masked_lm_dense']
  positions = np.flatnonzero(dense)
  dropped = positions[max_predictions:]
  input_ids[dropped] = dense[dropped] - 1  # Unmask what gets no loss.
  positions = positions[:max_predictions]
  p = len(positions)
  out = {
      'input_ids': input_ids,
      'token_type_ids': row['token_type_ids'].astype(np.int32),
      'attention_mask': (segment_ids > 0).astype(np.int32),
      'segment_ids': segment_ids,
      'position_ids': row_positions,
      'masked_lm_positions': np.zeros(max_predictions, np.int32),
      'masked_lm_ids': np.zeros(max_predictions, np.int32),
      'masked_lm_weights': np.zeros(max_predictions, np.float32),
      'cls_positions': np.zeros(max_sequences, np.int32),
      'next_sentence_label': np.zeros(max_sequences, np.int32),
      'next_sentence_weights': np.zeros(max_sequences, np.float32),
  }
  out['cls_positions'][:len(cls)] = cls
  out['next_sentence_label'][:len(cls)] = row['next_sentence_label'][cls]
  out['next_sentence_weights'][:len(cls)] = 1.0
  out['masked_lm_positions'][:p] = positions
  out['masked_lm_ids'][:p] = dense[positions] - 1
  out['masked_lm_weights'][:p] = 1.0
  return out
