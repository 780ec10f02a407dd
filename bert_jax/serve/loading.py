"""Load a fine-tuned model (a ``python -m bert_jax.finetune`` workdir) for serving.

Accepted (docs/CONTRACTS.md layouts, with the fine-tuning ``task.json`` beside them):

- a fine-tuning **workdir** ``W``: ``W/model_config.json``, ``W/task.json``,
  ``W/tokenizer/``, ``W/checkpoints/<step>/params``; the step is the one ``W/best.json``
  names (``{"step": N, ...}``, the best dev checkpoint) when it is committed, else the
  latest committed step;
- a **step directory** ``W/checkpoints/<step>``;
- an **export** ``D``: ``D/model_config.json``, ``D/task.json``, ``D/tokenizer/``,
  ``D/params/`` (the pure param dict of the ``BertForTask``).

``W/config.json`` (the resolved run config) gives ``max_seq_length`` and the
``squad`` / ``classification`` settings; without it the fine-tuning defaults apply.
"""
from __future__ import annotations

import dataclasses
import pathlib
import warnings
from typing import Any

import ml_collections

from bert_jax.convert import orbax_io, params_to_model
from bert_jax.convert.hf import read_json
from bert_jax.convert.params import is_scanned
from bert_jax.convert.pretrained import quiet_load_tokenizer
from bert_jax.errors import InputError
from bert_jax.models import BertConfig
from bert_jax.tasks import get_task
from bert_jax.tasks.config import base_config

TASK_FILE = 'task.json'
BEST_FILE = 'best.json'
RUN_CONFIG = 'config.json'
_SECTIONS = ('classification', 'squad', 'ner', 'xdc')  # run-config sections serving reads


@dataclasses.dataclass
class Finetuned:
  """A fine-tuned model ready to run.

  Attributes:
    model: the task's model (``task.make_model``: a ``BertForTask``, or a
      ``bert_jax.models.xdc`` model for task 'xdc') holding the checkpoint's weights.
    config: its ``BertConfig``.
    tokenizer: the workdir's tokenizer.
    task: ``task.json`` (``task``, ``labels``, ``num_outputs``, ...).
    run_config: the fine-tuning config (defaults + the workdir's ``config.json``).
    source: the directory the parameters were read from.
    best: ``best.json`` when the workdir has one, else {}.
  """
  model: Any
  config: BertConfig
  tokenizer: Any
  task: dict[str, Any]
  run_config: ml_collections.ConfigDict
  source: str
  best: dict[str, Any]


def resolve_params(path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, dict[str, Any]]:
  """(root with model_config.json / task.json, params directory, best.json or {})."""
  if not path.is_dir():
    raise InputError(f'{path} is not a directory; expected a fine-tuning workdir '
                     '(model_config.json, task.json, tokenizer/, checkpoints/).')
  if (path / orbax_io.PARAMS_DIR).is_dir() and path.parent.name == orbax_io.CHECKPOINTS_DIR:
    root = path.parent.parent  # a step directory W/checkpoints/<step>
  else:
    root = path
  best = read_json(root / BEST_FILE, 'the best-checkpoint record') \
      if (root / BEST_FILE).is_file() else {}
  if root is not path or (path / orbax_io.PARAMS_DIR).is_dir():
    return root, path / orbax_io.PARAMS_DIR, best
  checkpoints = root / orbax_io.CHECKPOINTS_DIR
  if not checkpoints.is_dir():
    raise InputError(f'{root} has neither {orbax_io.CHECKPOINTS_DIR}/ nor '
                     f'{orbax_io.PARAMS_DIR}/: not a fine-tuning workdir (train one with '
                     'python -m bert_jax.finetune).')
  steps = orbax_io.committed_steps(checkpoints)
  step = best.get('step')
  if isinstance(step, int) and step in steps:
    return root, checkpoints / str(step) / orbax_io.PARAMS_DIR, best
  if step is not None:
    warnings.warn(f'{root / BEST_FILE} names step {step!r}, which is not a committed '
                  'checkpoint; serving the latest one.', stacklevel=3)
  return root, orbax_io.find_step_dir(root) / orbax_io.PARAMS_DIR, best


def _as_config_value(old: Any, new: Any) -> Any:
  return tuple(new) if isinstance(old, tuple) and isinstance(new, list) else new


def read_run_config(root: pathlib.Path, task: str) -> ml_collections.ConfigDict:
  """``base_config(task)`` with ``max_seq_length`` and the ``classification`` / ``squad``
  values of ``root/config.json`` (when present) put in."""
  cfg = base_config(task)
  path = root / RUN_CONFIG
  if not path.is_file():
    return cfg
  run = read_json(path, 'the fine-tuning run config')
  if isinstance(run.get('max_seq_length'), int):
    cfg.max_seq_length = run['max_seq_length']
  for section in _SECTIONS:
    for k, v in (run.get(section) or {}).items():
      if k in cfg[section] and v is not None:
        try:
          cfg[section][k] = _as_config_value(cfg[section][k], v)
        except (TypeError, ValueError):
          warnings.warn(f'{path}: {section}.{k}={v!r} ignored (unexpected type).',
                        stacklevel=2)
  return cfg


def load_finetuned(path: str | pathlib.Path, *, task: str | None = None) -> Finetuned:
  """The fine-tuned model at ``path`` (see module doc), checked to be a ``task`` model.

  Raises:
    InputError: naming the file when something is missing, unreadable or of the wrong
      task ('classification', 'squad', ...).
  """
  path = pathlib.Path(path)
  root, params_dir, best = resolve_params(path)
  info = read_json(root / TASK_FILE, 'the task.json of a fine-tuning run (task, labels, '
                    'num_outputs)')
  if task is not None and info.get('task') != task:
    raise InputError(f'{root / TASK_FILE}: this is a {info.get("task")!r} model; expected a '
                     f'{task!r} one.')
  task_module = get_task(str(info.get('task')))
  run_config = read_run_config(root, str(info['task']))
  config = orbax_io.read_model_config(root / orbax_io.MODEL_CONFIG)
  params = orbax_io.restore_params(params_dir)
  if ('bert' not in params or 'head' not in params) and not (
      info['task'] == 'xdc' and run_config.xdc.model == 'han'):
    raise InputError(f'{params_dir}: expected the parameters of a fine-tuned model (bert/ and '
                     f'head/), found {sorted(params)}.')
  try:
    config = dataclasses.replace(config, scan_layers='bert' in params and is_scanned(params))
  except InputError as e:
    raise InputError(f'{params_dir}: {e}') from None
  n_out = int(info.get('num_outputs') or 2)
  make = lambda c, rngs: task_module.make_model(c, run_config, n_out, rngs)
  try:
    model = params_to_model(params, config, model_cls=make)
  except InputError as e:
    raise InputError(f'{params_dir}: {e}') from None
  tok_dir = root / orbax_io.TOKENIZER_DIR
  try:
    tokenizer = quiet_load_tokenizer(tok_dir)
  except (ValueError, OSError) as e:
    raise InputError(f'cannot load the tokenizer in {tok_dir}: {e}') from None
  if tokenizer.vocab_size != config.vocab_size:
    raise InputError(f'{tok_dir} has {tokenizer.vocab_size} tokens but the model has '
                     f'vocab_size={config.vocab_size}.')
  return Finetuned(model, config, tokenizer, info, run_config, str(params_dir.parent), best)
