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
- ``next_sentence_label`` is the label of the row's first sequence, the one whose [CLS]
  is at position 0 where the model's pooler reads. The other sequences train MLM only.
"""
from __future__ import annotations

import grain
import numpy as np
from grain.experimental import FirstFitPackIterDataset

from bert_jax.data.examples import Example

PACKED_FEATURES = ('input_ids', 'token_type_ids', 'masked_lm_dense', 'next_sentence_label')


def pack(ds: grain.IterDataset, max_seq_length: int, *, seed: int,
         num_packing_bins: int = 16) -> grain.IterDataset:
  """Packs unpadded examples into rows of ``max_seq_length`` tokens (still unfinished)."""
  return FirstFitPackIterDataset(
      ds, length_struct={k: max_seq_length for k in PACKED_FEATURES},
      num_packing_bins=num_packing_bins, seed=seed, shuffle_bins=True)


class FinishPackedRow(grain.transforms.Map):
  """A packed row -> the batch format with segment_ids / position_ids (see module doc)."""

  def __init__(self, max_predictions: int, pad_id: int = 0):
    self.max_predictions = max_predictions
    self.pad_id = pad_id

  def map(self, row: Example) -> Example:
    return finish_packed_row(row, self.max_predictions, self.pad_id)


def finish_packed_row(row: Example, max_predictions: int, pad_id: int = 0) -> Example:
  segment_ids = row['input_ids_segment_ids'].astype(np.int32)
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
      'position_ids': row['input_ids_positions'].astype(np.int32),
      'masked_lm_positions': np.zeros(max_predictions, np.int32),
      'masked_lm_ids': np.zeros(max_predictions, np.int32),
      'masked_lm_weights': np.zeros(max_predictions, np.float32),
      'next_sentence_label': np.asarray(row['next_sentence_label'][0], np.int32),
  }
  out['masked_lm_positions'][:p] = positions
  out['masked_lm_ids'][:p] = dense[positions] - 1
  out['masked_lm_weights'][:p] = 1.0
  return out
