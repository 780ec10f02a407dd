"""Orbax param trees on disk, and writing a model export (docs/CONTRACTS.md).

The file names, and reading a workdir's steps and model config, are
``bert_jax.workdir``'s. A **model export** ``D`` (``python -m bert_jax.convert --to_orbax=D``)::

  D/model_config.json     BertConfig.to_dict()
  D/params/               Orbax StandardSave of the BertForPreTraining param tree
  D/tokenizer/            vocab.txt or spm.model + tokenizer_config.json (when known)
  D/hf_layout.json        only when converted from HF: how to write the HF files back
  D/hf_extra.safetensors  only when the HF file had tensors outside the param tree
                          (buffers such as embeddings.position_ids, task heads), verbatim

A **workdir** ``W`` of a training run: see ``bert_jax.workdir``.
"""
from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import pathlib
from typing import Any

import jax
import numpy as np

from bert_jax.convert.params import Params, normalize_keys
from bert_jax.errors import InputError
from bert_jax.models import BertConfig
from bert_jax.workdir import HF_EXTRA, HF_LAYOUT, MODEL_CONFIG, PARAMS_DIR


def save_params(path: pathlib.Path, params: Params) -> None:
  """Orbax StandardSave of a param tree at ``path`` (which must not exist)."""
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
  with ocp.StandardCheckpointer() as ckptr:
    ckptr.save(os.fspath(path.absolute()), params)
    ckptr.wait_until_finished()


def restore_params(path: pathlib.Path) -> Params:
  """The param tree saved at ``path`` as host numpy arrays (no device placement)."""
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
  if not path.is_dir():
    raise InputError(f'{path} not found: expected an Orbax params checkpoint directory.')
  try:
    with _quiet_absl(), ocp.PyTreeCheckpointer() as ckptr:
      # (The params item of a training step has no _CHECKPOINT_METADATA of its own: Orbax
      # warns about it on every read; the tree metadata below is what matters.)
      item = ckptr.metadata(os.fspath(path.absolute())).item_metadata
      if item is None or getattr(item, 'tree', None) is None:
        raise ValueError('no readable tree metadata (_METADATA)')
      restore_args = jax.tree.map(lambda _: ocp.RestoreArgs(restore_type=np.ndarray), item.tree)
      params = ckptr.restore(os.fspath(path.absolute()),
                             args=ocp.args.PyTreeRestore(restore_args=restore_args))
  except Exception as e:  # pylint: disable=broad-except  (any failure: unreadable user file)
    _drop_failed_futures()
    raise InputError(f'{path} is not a readable Orbax checkpoint ({type(e).__name__}: {e}); '
                     'it may be incomplete or corrupt.') from None
  if not isinstance(params, dict):
    raise InputError(f'{path} does not hold a param dict (found {type(params).__name__}).')
  return normalize_keys(params)


@contextlib.contextmanager
def _quiet_absl():
  from absl import logging as absl_logging  # pylint: disable=g-import-not-at-top
  old = absl_logging.get_verbosity()
  absl_logging.set_verbosity(absl_logging.ERROR)
  try:
    yield
  finally:
    absl_logging.set_verbosity(old)


def _drop_failed_futures() -> None:
  """Collects the futures of a failed TensorStore read without asyncio's log noise."""
  log = logging.getLogger('asyncio')
  level = log.level
  log.setLevel(logging.CRITICAL)
  try:
    gc.collect()
  finally:
    log.setLevel(level)


def write_export(directory: pathlib.Path, config: BertConfig, params: Params, *,
                 hf_layout: dict[str, Any] | None = None,
                 hf_extra: dict[str, np.ndarray] | None = None) -> None:
  """Writes a model export into ``directory`` (must exist; tokenizer copied separately)."""
  (directory / MODEL_CONFIG).write_text(config.to_json() + '\n', encoding='utf-8')
  save_params(directory / PARAMS_DIR, params)
  if hf_layout is not None:
    (directory / HF_LAYOUT).write_text(json.dumps(hf_layout, indent=2, sort_keys=True) + '\n',
                                       encoding='utf-8')
  if hf_extra:
    from safetensors.numpy import save_file  # pylint: disable=g-import-not-at-top
    save_file(hf_extra, os.fspath(directory / HF_EXTRA))
