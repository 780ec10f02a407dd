"""Workdirs: the one place that knows their file names, reads and writes them, and loads
the model one holds (docs/CONTRACTS.md).

A **workdir** ``W`` is the directory of one pretraining or fine-tuning run::

  W/config.json              the resolved run config (an older, different one is kept as
                             config.<time>.json)                     CONFIG_FILE
  W/model_config.json        BertConfig.to_dict()                    MODEL_CONFIG
  W/tokenizer/               vocab.txt or spm.model + tokenizer_config.json   TOKENIZER_DIR
  W/task.json                fine-tuning only: task, labels, num_outputs, ... TASK_FILE
  W/checkpoints/<step>/      Orbax steps; params/ is the param tree  CHECKPOINTS_DIR, PARAMS_DIR
  W/checkpoints_corrupt/     unreadable steps, moved aside           CORRUPT_DIR
  W/metrics.jsonl, W/eval_metrics.jsonl, W/tb/                       METRICS_FILE, ...
  W/best.json                fine-tuning only: the best dev step     BEST_FILE
  W/eval/, W/predict/        fine-tuning outputs (W/eval/metrics.json)  EVAL_DIR, ...
  W/.bert_jax.lock           held by the run using W                 LOCK_FILE
  W/trial.json, W/log.txt    a sweep trial's record and log          TRIAL_FILE, LOG_FILE

A **model export** ``D`` (``python -m bert_jax.convert --to_orbax=D``) has
``D/model_config.json``, ``D/params/``, ``D/tokenizer/`` and, when converted from HF,
``D/hf_layout.json`` / ``D/hf_extra.safetensors``.

Paths are ``etils.epath`` (local or in a bucket, ``--workdir=gs://bucket/run``)::

  w = as_workdir('gs://bucket/run')     # epath.Path; a local path is made absolute
  w = as_workdir('runs/x')              # epath.Path('/abs/cwd/runs/x')

Loading: ``load_pretrained`` (an encoder to start from: workdir, step, export or HF
directory) and ``load_finetuned`` / ``resolve_params`` + ``restore_model`` (a fine-tuned
model). Heavy imports (jax, the models) happen inside those functions, so the lower
layers (``convert.orbax_io``, ``train``) can import the names from here. Paths are made
by ``fileio.as_path`` (the one constructor; ``as_workdir`` calls it).
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import pathlib
import warnings
from typing import Any, Callable, Mapping

from etils import epath

from bert_jax.errors import InputError
from bert_jax.fileio import PathLike, as_path, read_json_object

# ----------------------------------------------------------------------------
# Names.
# ----------------------------------------------------------------------------
CONFIG_FILE = 'config.json'
MODEL_CONFIG = 'model_config.json'
TOKENIZER_DIR = 'tokenizer'
TASK_FILE = 'task.json'
CHECKPOINTS_DIR = 'checkpoints'
CORRUPT_DIR = 'checkpoints_corrupt'
PARAMS_DIR = 'params'
METRICS_FILE = 'metrics.jsonl'
EVAL_METRICS_FILE = 'eval_metrics.jsonl'
TB_DIR = 'tb'
BEST_FILE = 'best.json'
EVAL_DIR = 'eval'
PREDICT_DIR = 'predict'
EVAL_RESULT_FILE = 'metrics.json'  # W/eval/metrics.json
LOCK_FILE = '.bert_jax.lock'
TRIAL_FILE = 'trial.json'
LOG_FILE = 'log.txt'
HF_LAYOUT = 'hf_layout.json'
HF_EXTRA = 'hf_extra.safetensors'
# BertConfig fields that fix the parameter shapes: a workdir never mixes two of them.
SHAPE_KEYS = ('vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads',
              'intermediate_size', 'max_position_embeddings', 'type_vocab_size')


# ----------------------------------------------------------------------------
# Paths.
# ----------------------------------------------------------------------------
def is_local(path: PathLike) -> bool:
  return '://' not in str(path)


def _path(path: PathLike):
  """``path`` itself when it is a path object already (pathlib or epath), else ``as_path``."""
  return path if isinstance(path, (pathlib.PurePath, epath.Path)) else as_path(path)


def as_workdir(path: PathLike) -> epath.Path:
  """``fileio.as_path(path)`` (the one path constructor), a local one made absolute (a
  bucket one as is)."""
  p = as_path(path)
  return epath.Path(os.path.abspath(os.fspath(p))) if is_local(p) else p


# ----------------------------------------------------------------------------
# Reading and writing the files.
# ----------------------------------------------------------------------------
def _write_json(path: epath.Path, value: Any) -> None:
  path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')


def config_to_json(config: Any) -> str:
  """An ml_collections ConfigDict (or dict) as JSON (tuples become lists)."""
  d = config.to_dict() if hasattr(config, 'to_dict') else dict(config)
  return json.dumps(d, indent=2, sort_keys=True, default=_json_default) + '\n'


def _json_default(x):
  import numpy as np  # pylint: disable=g-import-not-at-top
  if isinstance(x, (np.integer, np.floating)):
    return x.item()
  return str(x)


def _flat(d: Mapping[str, Any], prefix: str = '') -> dict[str, Any]:
  out = {}
  for k, v in d.items():
    if isinstance(v, Mapping):
      out.update(_flat(v, f'{prefix}{k}.'))
    else:
      out[f'{prefix}{k}'] = v
  return out


def write_config(workdir: PathLike, config: Any) -> list[str]:
  """Writes ``W/config.json``; returns the keys that differ from an existing one (which is
  then kept as ``config.<time>.json``)."""
  path = _path(workdir) / CONFIG_FILE
  text = config_to_json(config)
  changed: list[str] = []
  if path.is_file():
    old_text = path.read_text(encoding='utf-8')
    if old_text == text:
      return changed
    try:
      old, new = _flat(json.loads(old_text)), _flat(json.loads(text))
      changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    except json.JSONDecodeError:
      changed = ['<unreadable config.json>']
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    path.rename(path.parent / f'config.{stamp}.json')
  path.write_text(text, encoding='utf-8')
  return changed


def read_model_config(path: PathLike):
  """The ``BertConfig`` in ``path`` (a ``W/model_config.json``)."""
  from bert_jax.models import BertConfig  # pylint: disable=g-import-not-at-top
  path = _path(path)
  try:
    d = json.loads(path.read_text(encoding='utf-8'))
  except FileNotFoundError:
    raise InputError(f'{path} not found: expected the BertConfig JSON of a bert_jax '
                     'checkpoint.') from None
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise InputError(f'{path} is not valid JSON ({e}).') from None
  if not isinstance(d, dict):
    raise InputError(f'{path} should hold a JSON object (BertConfig.to_dict()).')
  try:
    return BertConfig.from_dict(d)
  except (TypeError, ValueError) as e:
    raise InputError(f'{path}: not a valid BertConfig ({e}).') from None


def check_model_files(workdir: PathLike, config, *, task_info: Mapping[str, Any] | None = None,
                      source: str = 'this run') -> None:
  """``InputError`` when ``workdir`` already holds a model of other shapes (or, with
  ``task_info``, another task); nothing is written. ``source`` names what ``config`` is
  from in the message."""
  workdir = _path(workdir)
  mc_path, task_path = workdir / MODEL_CONFIG, workdir / TASK_FILE
  if mc_path.is_file():
    old = json.loads(mc_path.read_text(encoding='utf-8'))
    diff = [k for k in SHAPE_KEYS if old.get(k) != getattr(config, k)]
    if diff:
      k = diff[0]
      raise InputError(f'{mc_path} describes a model with {k}={old.get(k)}, {source} has '
                       f'{k}={getattr(config, k)}; use a new --workdir.')
  if task_info is not None and task_path.is_file():
    old = json.loads(task_path.read_text(encoding='utf-8'))
    for k in ('task', 'labels', 'num_outputs'):
      if old.get(k) != task_info.get(k):
        raise InputError(f'workdir {workdir} was fine-tuned with {k}={old.get(k)!r}, this run '
                         f'has {k}={task_info.get(k)!r}; use a new --workdir.')


def write_model_files(workdir: PathLike, config, *, tokenizer=None,
                      tokenizer_files: PathLike | None = None,
                      task_info: Mapping[str, Any] | None = None,
                      source: str = 'this run') -> None:
  """``W/model_config.json``, ``W/tokenizer/`` and (fine-tuning) ``W/task.json``.

  The tokenizer comes from a loaded ``tokenizer`` (its vocabulary and a
  tokenizer_config.json are written) or is ``tokenizer_files`` (a directory, or a file
  in one, copied as is when ``W/tokenizer/`` is not there yet). A workdir never mixes two
  models: one already holding another model, task or vocabulary is an ``InputError``
  (``check_model_files``).
  """
  workdir = _path(workdir)
  check_model_files(workdir, config, task_info=task_info, source=source)
  workdir.mkdir(parents=True, exist_ok=True)
  (workdir / MODEL_CONFIG).write_text(config.to_json() + '\n', encoding='utf-8')
  if task_info is not None:
    _write_json(workdir / TASK_FILE, dict(task_info))
  tok_dst = workdir / TOKENIZER_DIR
  if tokenizer is not None:
    from bert_jax.tokenization import save_tokenizer_files  # pylint: disable=g-import-not-at-top
    try:
      save_tokenizer_files(tokenizer, tok_dst)
    except FileExistsError as e:
      raise InputError(f'{e} (this workdir was trained with another vocabulary; use a new '
                       '--workdir).') from None
  elif tokenizer_files and not tok_dst.exists():
    import shutil  # pylint: disable=g-import-not-at-top
    from bert_jax.convert import copy_tokenizer_files  # pylint: disable=g-import-not-at-top
    src = pathlib.Path(tokenizer_files)
    src = src if src.is_dir() else src.parent
    tmp = workdir / f'{TOKENIZER_DIR}.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    copy_tokenizer_files(src, tmp)
    tmp.rename(tok_dst)


def read_task_info(root: PathLike) -> dict[str, Any]:
  """``root/task.json`` of a fine-tuned model (task, labels, num_outputs, ...)."""
  return read_json_object(_path(root) / TASK_FILE, 'the task.json of a fine-tuning run '
                           '(task, labels, num_outputs)')


def read_best(root: PathLike) -> dict[str, Any]:
  """``root/best.json`` (``{"step": N, "metric": ..., "value": ..., "metrics": {...}}``), or
  {} when there is none."""
  path = _path(root) / BEST_FILE
  return read_json_object(path, 'the best-checkpoint record') if path.is_file() else {}


def write_best(workdir: PathLike, best: Mapping[str, Any]) -> None:
  (_path(workdir) / BEST_FILE).write_text(json.dumps(best, indent=2) + '\n', encoding='utf-8')


def read_eval_metrics(workdir: PathLike) -> list[dict[str, Any]]:
  """The rows of ``W/eval_metrics.jsonl`` (one per evaluated step), [] when absent."""
  path = _path(workdir) / EVAL_METRICS_FILE
  if not path.is_file():
    return []
  return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()
          if line.strip()]


def write_eval_result(workdir: PathLike, result: Mapping[str, Any]) -> epath.Path:
  """``W/eval/metrics.json`` (the dev metrics of the checkpoint a run evaluated)."""
  path = _path(workdir) / EVAL_DIR / EVAL_RESULT_FILE
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(json.dumps(dict(result), indent=2) + '\n', encoding='utf-8')
  return path


# ----------------------------------------------------------------------------
# Checkpoint steps.
# ----------------------------------------------------------------------------
def committed_steps(checkpoints: PathLike) -> list[int]:
  """Steps under ``W/checkpoints`` that Orbax finished writing (ascending).

  A step counts when its directory name is an integer (Orbax writes to a
  ``<step>.orbax-checkpoint-tmp-*`` name and renames on commit), it has the step
  metadata Orbax writes on finalisation, and its ``params`` item is complete.
  """
  checkpoints = _path(checkpoints)
  steps = []
  if not checkpoints.is_dir():
    return steps
  for d in checkpoints.iterdir():
    if not (d.is_dir() and d.name.isdigit()):
      continue
    params = d / PARAMS_DIR
    if (d / '_CHECKPOINT_METADATA').is_file() and (params / '_METADATA').is_file():
      steps.append(int(d.name))
  return sorted(steps)


def find_step_dir(workdir: PathLike) -> pathlib.Path:
  """``W/checkpoints/<latest committed step>``."""
  checkpoints = _path(workdir) / CHECKPOINTS_DIR
  steps = committed_steps(checkpoints)
  if not steps:
    raise InputError(f'{checkpoints} has no committed checkpoint step (expected '
                     f'{checkpoints}/<step>/{PARAMS_DIR} written by Orbax).')
  return checkpoints / str(steps[-1])


# ----------------------------------------------------------------------------
# Loading a model.
# ----------------------------------------------------------------------------
def load_pretrained(path: PathLike, **kwargs):
  """The encoder to start from at ``path`` (a pretraining workdir = its latest committed
  step, a step directory, a model export or an HF directory);
  ``bert_jax.convert.load_pretrained``'s ``Pretrained``."""
  from bert_jax.convert.pretrained import load_pretrained as load  # pylint: disable=g-import-not-at-top
  return load(path, **kwargs)


def resolve_params(path: PathLike) -> tuple[pathlib.Path, pathlib.Path, dict[str, Any]]:
  """(root with model_config.json / task.json, params directory, best.json or {}) of a
  fine-tuned model: a workdir (the step ``best.json`` names when it is committed, else the
  latest committed one), a step directory ``W/checkpoints/<step>`` or an export."""
  path = _path(path)
  if not path.is_dir():
    raise InputError(f'{path} is not a directory; expected a fine-tuning workdir '
                     '(model_config.json, task.json, tokenizer/, checkpoints/).')
  if (path / PARAMS_DIR).is_dir() and path.parent.name == CHECKPOINTS_DIR:
    root = path.parent.parent  # a step directory W/checkpoints/<step>
  else:
    root = path
  best = read_best(root)
  if root is not path or (path / PARAMS_DIR).is_dir():
    return root, path / PARAMS_DIR, best
  checkpoints = root / CHECKPOINTS_DIR
  if not checkpoints.is_dir():
    raise InputError(f'{root} has neither {CHECKPOINTS_DIR}/ nor {PARAMS_DIR}/: not a '
                     'fine-tuning workdir (train one with python -m bert_jax.finetune).')
  steps = committed_steps(checkpoints)
  step = best.get('step')
  if isinstance(step, int) and step in steps:
    return root, checkpoints / str(step) / PARAMS_DIR, best
  if step is not None:
    warnings.warn(f'{root / BEST_FILE} names step {step!r}, which is not a committed '
                  'checkpoint; serving the latest one.', stacklevel=3)
  return root, find_step_dir(root) / PARAMS_DIR, best


def restore_model(params_dir: pathlib.Path, config, make_model: Callable, *,
                  require: tuple[str, ...] = ()):
  """(``make_model(config, rngs)`` holding the parameters saved at ``params_dir``, the
  config it was built with: ``scan_layers`` follows the saved tree). ``require``: the
  top-level subtrees that must be there (``('bert', 'head')`` for a ``BertForTask``)."""
  from bert_jax.convert import orbax_io, params_to_model  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.params import is_scanned  # pylint: disable=g-import-not-at-top
  params = orbax_io.restore_params(params_dir)
  if any(k not in params for k in require):
    raise InputError(f'{params_dir}: expected the parameters of a fine-tuned model '
                     f'({", ".join(k + "/" for k in require)}), found {sorted(params)}.')
  try:
    config = dataclasses.replace(config, scan_layers='bert' in params and is_scanned(params))
    return params_to_model(params, config, model_cls=make_model), config
  except InputError as e:
    raise InputError(f'{params_dir}: {e}') from None


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
  config: Any
  tokenizer: Any
  task: dict[str, Any]
  run_config: Any
  source: str
  best: dict[str, Any]


_SECTIONS = ('classification', 'squad', 'ner', 'xdc')  # run-config sections serving reads


def _as_config_value(old: Any, new: Any) -> Any:
  return tuple(new) if isinstance(old, tuple) and isinstance(new, list) else new


def read_run_config(root: PathLike, task: str):
  """``base_config(task)`` with ``data.max_seq_length`` and the ``classification`` /
  ``squad`` / ``ner`` / ``xdc`` values of ``root/config.json`` (when present) put in. A
  workdir written before the one config schema has ``max_seq_length`` at the top level;
  it is read too."""
  from bert_jax.tasks.config import base_config  # pylint: disable=g-import-not-at-top
  cfg = base_config(task)
  path = _path(root) / CONFIG_FILE
  if not path.is_file():
    return cfg
  run = read_json_object(path, 'the fine-tuning run config')
  length = (run.get('data') or {}).get('max_seq_length', run.get('max_seq_length'))
  if isinstance(length, int) and not isinstance(length, bool):
    cfg.data.max_seq_length = length
  for section in _SECTIONS:
    for k, v in (run.get(section) or {}).items():
      if k in cfg[section] and v is not None:
        try:
          cfg[section][k] = _as_config_value(cfg[section][k], v)
        except (TypeError, ValueError):
          warnings.warn(f'{path}: {section}.{k}={v!r} ignored (unexpected type).',
                        stacklevel=2)
  return cfg


def load_finetuned(path: PathLike, *, task: str | None = None) -> Finetuned:
  """The fine-tuned model at ``path`` (``resolve_params``), checked to be a ``task`` model.

  Raises:
    InputError: naming the file when something is missing, unreadable or of the wrong
      task ('classification', 'squad', ...).
  """
  from bert_jax.convert.pretrained import quiet_load_tokenizer  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks import get_task  # pylint: disable=g-import-not-at-top
  root, params_dir, best = resolve_params(path)
  info = read_task_info(root)
  if task is not None and info.get('task') != task:
    raise InputError(f'{root / TASK_FILE}: this is a {info.get("task")!r} model; expected a '
                     f'{task!r} one.')
  task_module = get_task(str(info.get('task')))
  run_config = read_run_config(root, str(info['task']))
  config = read_model_config(root / MODEL_CONFIG)
  han = info['task'] == 'xdc' and run_config.xdc.model == 'han'
  n_out = int(info.get('num_outputs') or 2)
  model, config = restore_model(params_dir, config,
                        lambda c, rngs: task_module.make_model(c, run_config, n_out, rngs),
                        require=() if han else ('bert', 'head'))
  tok_dir = root / TOKENIZER_DIR
  try:
    tokenizer = quiet_load_tokenizer(tok_dir)
  except (ValueError, OSError) as e:
    raise InputError(f'cannot load the tokenizer in {tok_dir}: {e}') from None
  if tokenizer.vocab_size != config.vocab_size:
    raise InputError(f'{tok_dir} has {tokenizer.vocab_size} tokens but the model has '
                     f'vocab_size={config.vocab_size}.')
  return Finetuned(model, config, tokenizer, info, run_config, str(params_dir.parent), best)
