"""Workdir paths: local or in a bucket, always ``etils.epath``.

Every file bert_jax writes or reads back in a workdir (config.json, checkpoints/,
metrics.jsonl, best.json, tokenizer/, eval/ and predict/ outputs, sweep results) goes
through an ``epath.Path``, so ``--workdir=gs://bucket/run`` works wherever Orbax and TFDS
work (``gs://`` needs ``gcsfs``/``tensorflow`` as for them). Nothing here calls
``os.path`` or ``pathlib`` on those paths.

  w = as_workdir('gs://bucket/run')     # epath.Path; a local path is made absolute
  w = as_workdir('runs/x')              # epath.Path('/abs/cwd/runs/x')
"""
from __future__ import annotations

import os

from etils import epath

PathLike = str | os.PathLike | epath.Path


def is_local(path: PathLike) -> bool:
  return '://' not in str(path)


def as_workdir(path: PathLike) -> epath.Path:
  """``path`` as an ``epath.Path``: a local one absolute (``~`` expanded), a bucket one as is."""
  p = os.fspath(path) if not isinstance(path, str) else path
  if is_local(p):
    return epath.Path(os.path.abspath(os.path.expanduser(p)))
  return epath.Path(p)
