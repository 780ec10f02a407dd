"""From ``data.corpus`` to documents: build (once) or open the TFDS dataset, split it.

- ``open_corpus(data_config)`` builds the corpus' TFDS dataset in ``data.data_dir`` if
  it is not there yet and returns a ``Corpus``: random access to its documents (lists
  of sentences), their counts, and where a default vocabulary is cached.
- ``split_documents(n, eval_fraction)``: which documents are held out for 'eval'. The
  choice depends only on a document's index in the (deterministic) build, never on
  the process count or the seed, so train and eval never share a document.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pathlib
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import tensorflow_datasets as tfds

from bert_jax import errors
from bert_jax.data import builders, config as config_lib, text


@dataclasses.dataclass(frozen=True)
class VocabDefaults:
  """The vocabulary a corpus trains for itself when ``data.vocab`` is ''."""
  kind: str = 'wordpiece'
  size: int = 30522
  do_lower_case: bool = True


_VOCAB_DEFAULTS = {
    'embedded': VocabDefaults('wordpiece', 8000, True),
    'konlpy_ko': VocabDefaults('sentencepiece', 1500, False),
}


class Documents:
  """Random access to documents: ``sentences(i)`` is document i as a list of sentences.

  Wraps a TFDS ``ArrayRecordDataSource`` (picklable, so grain workers can use it) or
  any sequence of records ``{text_key: str|bytes}``. Lines of the text are sentences;
  with ``split_paragraphs`` each line is a paragraph split into sentences.
  """

  def __init__(self, source: Sequence[Mapping[str, Any]], *, text_key: str = 'text',
               id_key: str | None = 'id', split_paragraphs: bool = False, name: str = ''):
    self.source = source
    self.text_key = text_key
    self.id_key = id_key
    self.split_paragraphs = split_paragraphs
    self.name = name

  def __len__(self) -> int:
    return len(self.source)

  def record(self, index: int) -> Mapping[str, Any]:
    return self.source[int(index)]

  def text(self, index: int) -> str:
    value = self.record(index)[self.text_key]
    return value.decode('utf-8', errors='replace') if isinstance(value, bytes) else value

  def sentences(self, index: int) -> list[str]:
    lines = (line.strip() for line in self.text(index).splitlines())
    if self.split_paragraphs:
      return [s for line in lines if line for s in text.split_sentences(line)]
    return [line for line in lines if line]

  def doc_id(self, index: int) -> str:
    record = self.record(index)
    if self.id_key and self.id_key in record:
      value = record[self.id_key]
      return value.decode() if isinstance(value, bytes) else str(value)
    return f'{self.name}[{index}]'


@dataclasses.dataclass
class Corpus:
  """A built corpus: its documents, counts, and the folder its default vocab lives in."""
  name: str
  documents: Documents
  directory: pathlib.Path
  counts: dict[str, Any]
  vocab_defaults: VocabDefaults


def split_documents(num_documents: int, eval_fraction: float) -> tuple[np.ndarray, np.ndarray]:
  """(train, eval) document indices, each sorted.

  The ``round(eval_fraction * n)`` documents (at least two when the fraction is > 0: a
  NotNext segment comes from another held-out document)
  with the smallest hash of their index are held out: the choice is stable, spread over
  the corpus, and does not change the other documents' split when the fraction grows.
  """
  if not 0 <= eval_fraction < 1:
    raise errors.InputError(f'data.eval_fraction={eval_fraction}; expected 0 <= f < 1.')
  n_eval = 0 if eval_fraction == 0 else max(2, round(eval_fraction * num_documents))
  if num_documents - n_eval < 2:
    raise errors.InputError(
        f'The corpus has {num_documents} document(s): too few to hold out {n_eval} for eval '
        'and still pair segments from different documents for next-sentence prediction '
        '(at least 2 training documents, and 2 held-out ones when data.eval_fraction > 0). '
        'Add documents, or set data.eval_fraction=0.')
  order = np.argsort(_splitmix64(np.arange(num_documents, dtype=np.uint64)), kind='stable')
  return np.sort(order[n_eval:]), np.sort(order[:n_eval])


def _splitmix64(x: np.ndarray) -> np.ndarray:
  """A fixed 64-bit mixing function (splitmix64's finalizer), vectorized."""
  with np.errstate(over='ignore'):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def data_dir(data_config) -> str:
  return os.path.expanduser(data_config.data_dir or config_lib.DEFAULT_DATA_DIR)


def make_builder(data_config) -> tfds.core.DatasetBuilder:
  """The TFDS builder ``data.corpus`` names (not built yet)."""
  corpus = data_config.corpus
  root = data_dir(data_config)
  if corpus == 'embedded':
    return builders.PythonDocs(data_dir=root)
  if corpus == 'konlpy_ko':
    return builders.KonlpyKo(data_dir=root)
  if corpus == 'text_corpus':
    if data_config.invalid_utf8 not in config_lib.INVALID_UTF8_POLICIES:
      raise errors.InputError(f'data.invalid_utf8={data_config.invalid_utf8!r}; expected one '
                              f'of {config_lib.INVALID_UTF8_POLICIES}.')
    cfg = builders.text_corpus_config(data_config.files,
                                      split_paragraphs=data_config.split_paragraphs,
                                      invalid_utf8=data_config.invalid_utf8,
                                      max_invalid_fraction=float(data_config.get(
                                          'max_invalid_utf8_fraction', 0.01)))
    with _quiet_absl_warnings():  # "Using custom data configuration": expected here.
      return builders.TextCorpus(config=cfg, data_dir=root)
  if corpus.startswith('tfds:'):
    return _prepared_tfds_builder(corpus[len('tfds:'):], root)
  raise errors.InputError(f'data.corpus={corpus!r}; expected one of {config_lib.CORPORA} '
                          "or 'tfds:NAME' (a TFDS dataset prepared in data.data_dir).")


def _prepared_tfds_builder(name: str, root: str) -> tfds.core.DatasetBuilder:
  try:
    builder = tfds.builder(name, data_dir=root)
  except Exception as e:  # pylint: disable=broad-except  # TFDS raises many kinds.
    raise errors.InputError(f"data.corpus='tfds:{name}': TFDS cannot open it in {root}: "
                            f'{e}') from None
  if not builder.is_prepared():
    raise errors.InputError(
        f"data.corpus='tfds:{name}' is not prepared in {root} (no network is used here). "
        f'Prepare it first: tfds build {name} --data_dir={root} --file_format=array_record')
  return builder


@contextlib.contextmanager
def _quiet_absl_warnings() -> Iterator[None]:
  logger = logging.getLogger('absl')
  level = logger.level
  logger.setLevel(logging.ERROR)
  try:
    yield
  finally:
    logger.setLevel(level)


def open_corpus(data_config, *, build: bool = True) -> Corpus:
  """The corpus of ``data_config``, built first if needed (and ``build``)."""
  builder = make_builder(data_config)
  is_tfds = data_config.corpus.startswith('tfds:')
  with _quiet_absl_warnings():  # "Variant folder ... has no dataset_info.json" before a build.
    prepared = builder.is_prepared()
  if not prepared:
    if not build:
      raise errors.InputError(f'{builder.name} is not built in {builder.data_dir}; run '
                              'python -m bert_jax.data.prepare with this config.')
    tfds.disable_progress_bar()
    try:
      with _quiet_absl_warnings():
        builder.download_and_prepare()
    except errors.InputError as e:
      raise errors.InputError(getattr(e, 'plain_message', str(e))) from None
  split = data_config.tfds_split if is_tfds else 'train'
  try:
    source = builder.as_data_source(split=split)
  except (ValueError, NotImplementedError, KeyError) as e:
    raise errors.InputError(
        f'Cannot read {builder.name} split {split!r} with random access: {e}. TFDS datasets '
        "must be prepared with file_format='array_record' (tfds build ... "
        '--file_format=array_record).') from None
  text_key = data_config.text_key if is_tfds else 'text'
  features = builder.info.features
  if text_key not in features:
    raise errors.InputError(f'{builder.name} has no feature {text_key!r} (data.text_key); '
                            f'it has {sorted(features.keys())}.')
  documents = Documents(source, text_key=text_key, id_key=None if is_tfds else 'id',
                        split_paragraphs=is_tfds and data_config.split_paragraphs,
                        name=builder.name)
  if len(documents) == 0:
    raise errors.InputError(f'{builder.name} ({builder.data_dir}) holds no document with at '
                            'least two sentences; see its metadata.json for what was skipped.')
  metadata = builder.info.metadata if getattr(builder.info, 'metadata', None) else {}
  counts = dict(metadata) or {'documents': len(documents)}
  config_name = builder.builder_config.name if builder.builder_config else ''
  return Corpus(name=f'{builder.name}/{config_name}'.rstrip('/'), documents=documents,
                directory=pathlib.Path(builder.data_dir), counts=counts,
                vocab_defaults=_VOCAB_DEFAULTS.get(data_config.corpus, VocabDefaults()))
