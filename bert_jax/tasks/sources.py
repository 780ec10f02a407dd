"""Where fine-tuning examples come from: local files, the shipped sets, or TFDS.

A task's ``data`` config names either files (``train_file`` / ``dev_file`` /
``predict_file``; ``shipped:NAME`` is a file under ``bert_jax/resources/finetune``) or a
TFDS dataset (``tfds_name`` + split names) that the user has already prepared. TFDS is
read with ``tfds.data_source`` (array_record, no TensorFlow needed) and, if the dataset
was prepared as tfrecord, with ``tfds.load`` when TensorFlow is installed. Nothing is
downloaded: a dataset that is not there is a clear error saying how to prepare it.
"""
from __future__ import annotations

import os
import pathlib
from typing import Any, Iterator

import numpy as np

from bert_jax import fileio
from bert_jax.errors import InputError
from bert_jax.tasks.shipped import shipped_path
from bert_jax.workdir import is_local

SHIPPED_PREFIX = 'shipped:'


def resolve_path(spec: str, what: str) -> pathlib.Path:
  """A file path, or ``shipped:NAME`` for a dataset in bert_jax/resources/finetune."""
  if spec.startswith(SHIPPED_PREFIX):
    try:
      return shipped_path(spec[len(SHIPPED_PREFIX):])
    except FileNotFoundError as e:
      raise InputError(f'{what}={spec!r}: {e}') from None
  path = fileio.check_input_file(spec, what=f'{what}={spec!r}:')  # missing, a directory
  return pathlib.Path(os.path.expanduser(spec)) if is_local(spec) else path


def split_spec(data: Any, split: str) -> tuple[str, str]:
  """('file', path spec) or ('tfds', split name) for ``split`` in train/dev/predict."""
  file_spec = data.get(f'{split}_file', '') or ''
  if file_spec:
    return 'file', file_spec
  tfds_name = data.get('tfds_name', '') or ''
  tfds_split = data.get(f'tfds_{split}_split', '') or ''
  if tfds_name and tfds_split:
    return 'tfds', tfds_split
  raise InputError(f'no {split} data: set --config.data.{split}_file=PATH (or shipped:NAME) '
                   f'or --config.data.tfds_name with --config.data.tfds_{split}_split.')


def decode(value: Any) -> Any:
  """bytes -> str (TFDS text features), recursively for lists / arrays of bytes."""
  if isinstance(value, bytes):
    return value.decode('utf-8')
  if isinstance(value, np.ndarray) and value.dtype.kind in 'SO':
    return [decode(v) for v in value.tolist()]
  if isinstance(value, (list, tuple)):
    return [decode(v) for v in value]
  if isinstance(value, dict):
    return {k: decode(v) for k, v in value.items()}
  if isinstance(value, np.generic):
    return value.item()
  return value


def tfds_records(name: str, split: str, data_dir: str | None = None
                 ) -> tuple[Iterator[dict[str, Any]], Any]:
  """(records with text decoded to str, the DatasetInfo) of a prepared TFDS dataset."""
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  where = f'TFDS dataset {name!r} split {split!r}' + (f' in {data_dir}' if data_dir else '')
  try:
    source = tfds.data_source(name, split=split, data_dir=data_dir or None, download=False)
    info = source.dataset_info
    return (decode(source[i]) for i in range(len(source))), info
  except Exception as e:  # pylint: disable=broad-except
    first_error = e
  try:  # Prepared as tfrecord: only tfds.load (TensorFlow) reads it.
    import tensorflow  # pylint: disable=g-import-not-at-top,unused-import
    ds, info = tfds.load(name, split=split, data_dir=data_dir or None, download=False,
                         with_info=True)
    return (decode(r) for r in tfds.as_numpy(ds)), info
  except ImportError:
    pass
  except Exception as e:  # pylint: disable=broad-except
    first_error = e
  raise InputError(
      f'{where} is not available ({type(first_error).__name__}: {first_error}). bert_jax does '
      'not download datasets; prepare it once with `tfds build '
      f'{name} --file_format=array_record` (set --config.data.tfds_data_dir if it is not in '
      '~/tensorflow_datasets), or give local files with --config.data.train_file / dev_file.')


def class_names(info: Any, feature: str) -> list[str] | None:
  """Names of a TFDS ClassLabel feature (None if it is not one)."""
  try:
    feat = info.features[feature]
  except (KeyError, TypeError, AttributeError):
    return None
  if hasattr(feat, 'feature'):  # Sequence(ClassLabel)
    feat = feat.feature
  names = getattr(feat, 'names', None)
  return list(names) if names else None


def require_examples(examples: list, where: str) -> list:
  """Raises naming ``where`` when a split has no examples."""
  if not examples:
    raise InputError(f'{where} has no examples; a fine-tuning split cannot be empty.')
  return examples
