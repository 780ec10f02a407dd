"""The grain pipeline of MLM + NSP batches: what the train loop iterates.

  it, tokenizer = make_pretrain_iterator(config.data, global_batch_size=256, seed=0)
  batch = next(it)          # numpy dict, 256 // process_count rows (keys: examples.py)
  state = it.get_state()    # JSON-serialisable; it.set_state(state) resumes exactly

Train split (infinite), with several processes ``data.process_split='batches'``
(default: every process makes each global batch and keeps its rows, so the stream and
the saved position do not depend on the process count) or ``'documents'``:
  documents of the train split (with 'documents': this process's share,
  ``[process_index::process_count]``) x ``dupe_factor`` copies -> global shuffle (seeded; a new order every epoch)
  -> examples of each document (tokenize, NSP pairs, MLM masks; seeded by
  (seed, generation, document), generation = epoch * dupe_factor + copy with dynamic
  masking, the copy alone with static masking) -> flatten -> window shuffle across
  documents -> [packing] -> batch of ``global_batch_size // process_count``
  -> [``worker_count`` processes] -> [background prefetch].
  Every process yields batches forever, so all processes run the same number of steps.

Eval split (finite, one pass, same on every run): the held-out documents in order,
examples with a fixed seed, at most ``eval_max_examples``, full global batches only;
each process takes its rows of every global batch, so all processes see the same number
of batches.

Saving the iterator with Orbax: the iterator is a ``grain.DatasetIterator``; save it as
a ``CheckpointManager`` item with ``grain.checkpoint.CheckpointSave(it)`` and restore
it in place with ``grain.checkpoint.CheckpointRestore(it)`` (see ``bert_jax.data``).
"""
from __future__ import annotations

import atexit
import weakref
from typing import Iterable

import grain
import numpy as np
from grain import experimental as grain_exp

from bert_jax import errors
from bert_jax.data import packing as packing_lib
from bert_jax.data.corpus import Corpus, open_corpus, split_documents
from bert_jax.data.examples import ExampleOptions, PretrainingExamples
from bert_jax.data.vocab import get_tokenizer

SPLITS = ('train', 'eval')
PROCESS_SPLITS = ('batches', 'documents')  # data.process_split (bert_jax/data/config.py)
EVAL_SEED = 12345  # Held-out examples do not depend on the run's seed.
# Documents read (and turned into examples) ahead by a thread. Making examples is mostly
# Python, so more threads only fight over the GIL (measured: 16 threads are 35 % slower).
READ_OPTIONS = grain.ReadOptions(num_threads=1, prefetch_buffer_size=16)
MAX_EXAMPLES_PER_DOCUMENT = 1 << 20


class DocumentKey(grain.transforms.MapWithIndex):
  """Index in the repeated, shuffled stream -> (document, generation)."""

  def __init__(self, docs: np.ndarray, dupe_factor: int, dynamic: bool):
    self.docs = np.asarray(docs, np.int64)
    self.dupe_factor = dupe_factor
    self.dynamic = dynamic

  def map_with_index(self, index: int, key: int) -> tuple[int, int]:
    n = len(self.docs)
    epoch = index // (n * self.dupe_factor)
    copy, local = divmod(int(key), n)
    generation = epoch * self.dupe_factor + copy if self.dynamic else copy
    return int(self.docs[local]), generation


class FirstGeneration(grain.transforms.Map):
  """document -> (document, 0): held-out examples are made once."""

  def map(self, doc) -> tuple[int, int]:
    return int(doc), 0


class MakeExamples(grain.transforms.Map):
  """(document, generation) -> the list of its examples."""

  def __init__(self, maker: PretrainingExamples, padded: bool):
    self.maker = maker
    self.padded = padded

  def map(self, key: tuple[int, int]) -> list[dict[str, np.ndarray]]:
    doc, generation = key
    return self.maker(doc, generation, padded=self.padded)


class Flatten(grain.experimental.FlatMapTransform):
  max_fan_out = MAX_EXAMPLES_PER_DOCUMENT

  def flat_map(self, element):
    return element


class OwnMemory(grain.transforms.Map):
  """Copies a batch out of the workers' shared memory into ordinary numpy arrays.

  (A batch of a few hundred KB: the copy is cheap, and shared-memory blocks are then
  released at once instead of when the last view of them dies, possibly at exit.)
  """

  def map(self, batch):
    return {k: np.array(v) for k, v in batch.items()}


class TakeProcessRows(grain.transforms.Map):
  """A global batch -> the rows of this process."""

  def __init__(self, process_index: int, local_batch_size: int):
    self.rows = slice(process_index * local_batch_size, (process_index + 1) * local_batch_size)

  def map(self, batch):
    return {k: v[self.rows] for k, v in batch.items()}


def _process(process_index: int | None, process_count: int | None) -> tuple[int, int]:
  if process_index is None or process_count is None:
    import jax  # pylint: disable=import-outside-toplevel
    process_index = jax.process_index() if process_index is None else process_index
    process_count = jax.process_count() if process_count is None else process_count
  if not 0 <= process_index < process_count:
    raise ValueError(f'process_index={process_index} not in [0, {process_count}).')
  return process_index, process_count


def _check_batch(global_batch_size: int, process_count: int) -> int:
  if global_batch_size <= 0 or global_batch_size % process_count:
    raise errors.InputError(f'global_batch_size={global_batch_size} must be a positive '
                            f'multiple of the process count {process_count}.')
  return global_batch_size // process_count


def make_pretrain_dataset(data_config, *, global_batch_size: int, seed: int,
                          split: str = 'train', process_index: int | None = None,
                          process_count: int | None = None, corpus: Corpus | None = None,
                          tokenizer=None) -> tuple[grain.IterDataset, object]:
  """The grain ``IterDataset`` of this process's batches, and the tokenizer."""
  if split not in SPLITS:
    raise errors.InputError(f'split={split!r}; expected one of {SPLITS}.')
  if not 0 <= seed < 2**32:
    raise errors.InputError(f'seed={seed}; expected 0 <= seed < 2**32.')
  process_index, process_count = _process(process_index, process_count)
  local_batch = _check_batch(global_batch_size, process_count)
  options = ExampleOptions.from_config(data_config)
  corpus = corpus or open_corpus(data_config)
  tokenizer = tokenizer or get_tokenizer(data_config, corpus)
  train_docs, eval_docs = split_documents(len(corpus.documents), data_config.eval_fraction)
  if split == 'train':
    how = str(data_config.get('process_split', 'batches'))
    if how not in PROCESS_SPLITS:
      raise errors.InputError(f'data.process_split={how!r}; expected one of {PROCESS_SPLITS}.')
    if how == 'batches':  # The global stream, cut into this process's rows (topology-free).
      ds = _train_dataset(data_config, corpus, tokenizer, options, train_docs, seed=seed,
                          local_batch=global_batch_size, process_index=0, process_count=1)
      ds = ds.map(TakeProcessRows(process_index, local_batch)) if process_count > 1 else ds
    else:
      ds = _train_dataset(data_config, corpus, tokenizer, options, train_docs, seed=seed,
                          local_batch=local_batch, process_index=process_index,
                          process_count=process_count)
  else:
    ds = _eval_dataset(data_config, corpus, tokenizer, options, eval_docs,
                       global_batch=global_batch_size, local_batch=local_batch,
                       process_index=process_index)
  return ds, tokenizer


def process_documents(docs: np.ndarray, process_index: int, process_count: int) -> np.ndarray:
  """This process's share of the documents (every ``process_count``-th one)."""
  return np.asarray(docs)[process_index::process_count]


def document_stream(docs: np.ndarray, *, seed: int, dupe_factor: int = 1,
                    dynamic: bool = True) -> grain.MapDataset:
  """Infinite MapDataset of (document, generation): each epoch every document
  ``dupe_factor`` times, in a new seeded order."""
  ds = grain.MapDataset.range(len(docs) * dupe_factor).shuffle(seed=seed).repeat()
  return ds.map_with_index(DocumentKey(docs, dupe_factor, dynamic))


def _train_dataset(data_config, corpus, tokenizer, options, train_docs, *, seed, local_batch,
                   process_index, process_count) -> grain.IterDataset:
  local_docs = process_documents(train_docs, process_index, process_count)
  if len(local_docs) == 0:
    raise errors.InputError(f'{corpus.name}: {len(train_docs)} training documents cannot be '
                            f'shared by {process_count} processes (each needs at least one).')
  dupe = int(data_config.dupe_factor)
  if dupe < 1:
    raise errors.InputError(f'data.dupe_factor={dupe}; expected >= 1.')
  maker = PretrainingExamples(corpus.documents, train_docs, tokenizer, seed=seed,
                              options=options)
  ds = document_stream(local_docs, seed=seed, dupe_factor=dupe,
                       dynamic=bool(data_config.dynamic_masking))
  ds = ds.map(MakeExamples(maker, padded=not data_config.packing))
  it = grain_exp.FlatMapIterDataset(ds.to_iter_dataset(READ_OPTIONS), Flatten())
  if data_config.shuffle_window > 1:
    it = grain_exp.WindowShuffleIterDataset(it, window_size=int(data_config.shuffle_window),
                                            seed=(seed + 1) % 2**32)
  it = _batched(it, data_config, tokenizer, options, local_batch, seed)
  if data_config.worker_count > 0:
    _ensure_absl_flags_parsed()
    it = it.mp_prefetch(grain.MultiprocessingOptions(num_workers=int(data_config.worker_count)))
    it = it.map(OwnMemory())
  if data_config.prefetch > 0:
    it = grain_exp.ThreadPrefetchIterDataset(it, prefetch_buffer_size=int(data_config.prefetch))
  return it


def _ensure_absl_flags_parsed() -> None:
  """grain's worker processes read absl flags; outside an absl app they are unparsed."""
  from absl import flags  # pylint: disable=import-outside-toplevel
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()


def _batched(it, data_config, tokenizer, options, batch_size, seed) -> grain.IterDataset:
  if data_config.packing:
    max_sequences = int(data_config.get('max_sequences_per_row', 8))
    if max_sequences < 1:
      raise errors.InputError(f'data.max_sequences_per_row={max_sequences}; expected >= 1.')
    it = packing_lib.pack(it, options.max_seq_length, seed=seed, max_sequences=max_sequences)
    it = it.map(packing_lib.FinishPackedRow(options.max_predictions_per_seq, max_sequences,
                                            tokenizer.pad_id))
  return it.batch(batch_size, drop_remainder=True)


def _eval_dataset(data_config, corpus, tokenizer, options, eval_docs, *, global_batch,
                  local_batch, process_index) -> grain.IterDataset:
  if len(eval_docs) == 0:
    raise errors.InputError('The eval split is empty: set data.eval_fraction > 0.')
  maker = PretrainingExamples(corpus.documents, eval_docs, tokenizer, seed=EVAL_SEED,
                              options=options)
  _check_one_eval_batch(maker, eval_docs, global_batch, data_config)
  ds = grain.MapDataset.source(eval_docs).map(FirstGeneration())
  ds = ds.map(MakeExamples(maker, padded=not data_config.packing))
  it = grain_exp.FlatMapIterDataset(ds.to_iter_dataset(READ_OPTIONS), Flatten())
  if data_config.eval_max_examples > 0:
    it = grain_exp.LimitIterDataset(it, count=int(data_config.eval_max_examples))
  it = _batched(it, data_config, tokenizer, options, global_batch, EVAL_SEED)
  return it.map(TakeProcessRows(process_index, local_batch))


def _check_one_eval_batch(maker: PretrainingExamples, eval_docs: np.ndarray,
                          global_batch: int, data_config) -> None:
  """Raises unless the held-out documents fill at least one global batch (stops early)."""
  count = 0
  for doc in eval_docs:
    count += len(maker.pairs(int(doc), maker.rng(int(doc), 0)))
    if count >= global_batch:
      return
  if data_config.packing:
    return  # Rows hold several examples: counted only by iterating.
  raise errors.InputError(
      f'The eval split has {count} examples ({len(eval_docs)} held-out documents), fewer than '
      f'one global batch of {global_batch}: raise data.eval_fraction or lower the eval batch.')


def make_pretrain_iterator(data_config, *, global_batch_size: int, seed: int,
                           split: str = 'train', process_index: int | None = None,
                           process_count: int | None = None
                           ) -> tuple[grain.DatasetIterator, object]:
  """(iterator of this process's numpy batches, tokenizer); see the module docstring.

  ``process_index`` / ``process_count`` default to ``jax.process_index()`` /
  ``jax.process_count()``. The iterator has ``get_state()`` / ``set_state()``.
  """
  ds, tokenizer = make_pretrain_dataset(
      data_config, global_batch_size=global_batch_size, seed=seed, split=split,
      process_index=process_index, process_count=process_count)
  it = iter(ds)
  _close_at_exit(it)
  return it, tokenizer


def _close_at_exit(it: grain.DatasetIterator) -> None:
  """Stops prefetch threads / workers before interpreter shutdown.

  grain's iterators otherwise stop them from ``__del__`` while Python is tearing down
  modules, which prints an ignored AttributeError at exit.
  """
  ref = weakref.ref(it)

  def close():
    alive = ref()
    if alive is not None:
      alive.close()
      _disarm_close(alive)

  atexit.register(close)


def _disarm_close(it) -> None:
  """After ``close()``: makes later ``close`` calls (from ``__del__``) no-ops, pipeline-wide."""
  stack, seen = [it], set()
  while stack:
    node = stack.pop()
    if id(node) in seen or not isinstance(node, grain.DatasetIterator):
      continue
    seen.add(id(node))
    node.close = lambda: None
    stack.extend(getattr(node, '_parents', ()))
    stack.append(getattr(node, '_maybe_nonnative_parent', None))


def mlm_majority_baseline(batches: Iterable[dict[str, np.ndarray]]) -> dict[str, float]:
  """Accuracy of always predicting the most frequent target (MLM) / label (NSP).

  Computed on the batches given (the held-out ones), so it is the best any constant
  predictor can do there. Returns ``{'mlm_accuracy', 'mlm_token_id', 'nsp_accuracy',
  'num_predictions', 'num_examples'}``.
  """
  counts: dict[int, int] = {}
  nsp = np.zeros(2, np.int64)
  for batch in batches:
    ids = batch['masked_lm_ids'][batch['masked_lm_weights'] > 0]
    for token, c in zip(*np.unique(ids, return_counts=True)):
      counts[int(token)] = counts.get(int(token), 0) + int(c)
    labels = batch['next_sentence_label'].reshape(-1)
    if 'next_sentence_weights' in batch:  # packed: [B, S] slots, the empty ones weigh 0
      labels = labels[batch['next_sentence_weights'].reshape(-1) > 0]
    nsp += np.bincount(labels, minlength=2)[:2]
  total = sum(counts.values())
  if not total:
    raise ValueError('mlm_majority_baseline: the batches hold no masked token.')
  token = max(counts, key=lambda t: (counts[t], -t))
  return {'mlm_accuracy': counts[token] / total, 'mlm_token_id': token,
          'nsp_accuracy': float(nsp.max() / nsp.sum()), 'num_predictions': total,
          'num_examples': int(nsp.sum())}

