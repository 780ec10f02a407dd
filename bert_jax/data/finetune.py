"""Batches of fine-tuning features (in-memory numpy arrays with a leading example axis).

- ``train_dataset``: grain ``MapDataset`` -> shuffled every epoch (seeded), repeated
  forever, fixed-size batches; its iterator state is what a checkpoint saves, so a resumed
  run sees exactly the batches it would have seen. Each process reads its own slice of
  every global batch (``process_index`` / ``process_count``).
- ``eval_batches``: every example exactly once, in order, in fixed-shape batches (one
  compile); the last batch is padded and its padding rows carry ``weight = 0``.
"""
from __future__ import annotations

from typing import Iterator

import grain
import numpy as np

Arrays = dict[str, np.ndarray]


def num_examples(arrays: Arrays) -> int:
  sizes = {len(v) for v in arrays.values()}
  if len(sizes) != 1:
    raise ValueError(f'feature arrays disagree on the number of examples: '
                     f'{ {k: len(v) for k, v in arrays.items()} }')
  return sizes.pop()


def train_dataset(arrays: Arrays, global_batch_size: int, *, seed: int,
                  process_index: int = 0, process_count: int = 1) -> grain.MapDataset:
  """Infinite MapDataset of this process's share of each global batch (dict of arrays).

  Every epoch is a fresh permutation of all examples (drop remainder across the epoch
  boundary is avoided: the stream is one long sequence of epochs cut into batches).
  """
  n = num_examples(arrays)
  if global_batch_size % process_count:
    raise ValueError(f'batch size {global_batch_size} is not divisible by the '
                     f'{process_count} processes.')
  local = global_batch_size // process_count
  ds = grain.MapDataset.range(n).shuffle(seed=seed).repeat()
  ds = ds.batch(global_batch_size, drop_remainder=True)
  take = slice(process_index * local, (process_index + 1) * local)

  def gather(idx):
    idx = np.asarray(idx)[take]
    batch = {k: v[idx] for k, v in arrays.items()}
    batch['weight'] = np.ones(local, np.float32)
    return batch

  return ds.map(gather)


def eval_batches(arrays: Arrays, batch_size: int) -> Iterator[tuple[Arrays, int]]:
  """(batch, number of real rows) covering every example once, padded to ``batch_size``."""
  n = num_examples(arrays)
  for start in range(0, n, batch_size):
    real = min(batch_size, n - start)
    batch = {}
    for k, v in arrays.items():
      chunk = v[start:start + real]
      if real < batch_size:
        pad = np.zeros((batch_size - real,) + v.shape[1:], v.dtype)
        chunk = np.concatenate([chunk, pad])
      batch[k] = chunk
    weight = np.zeros(batch_size, np.float32)
    weight[:real] = 1.0
    batch['weight'] = weight
    yield batch, real
