"""The fine-tuning driver: any task module (``bert_jax.tasks.TaskModule``) through the one
trainer. ``python -m bert_jax.finetune`` is its command line; tests, tools and the demo
call it directly.

  s = prepare(cfg, workdir)        # encoder + data loaded and checked, nothing trained
  metrics = run(cfg, workdir)      # --config.mode: train (+ evaluate) | eval | predict

``init_checkpoint``: a pretraining workdir (latest committed step), a step directory, a
model export or an HF directory. Only the encoder is restored; the task head starts fresh.
Where a run starts: the workdir's own latest checkpoint (resume) > ``init_checkpoint`` >
fresh init. The config is the trainer's (``bert_jax.tasks.config``: the same keys as
pretraining); ``train_config`` only fills in what depends on the data.
Every mismatch (model size, vocabulary, tokenizer casing, max positions) is an error
before training. Training runs through ``bert_jax.train`` (mesh, optimizer, checkpoints,
resume, metrics); the dev set is evaluated every ``eval_every_epochs`` and the best
checkpoint by the task's ``main_metric`` is kept (``W/best.json``). ``eval`` writes
predictions under ``W/eval/``, ``predict`` under ``W/predict/``.

The driver knows no task by name: whatever differs between tasks (features, head, loss,
the parameters the optimizer leaves alone, the metric that picks the best checkpoint, the
settings prediction takes from the dev run) is a function of the task module.
"""
from __future__ import annotations

import dataclasses
import math
import pathlib
import sys
import time
import warnings
from typing import Any, Sequence

import jax
import ml_collections
import numpy as np
from flax import nnx

from bert_jax import distributed
from bert_jax.convert import params_to_model
from bert_jax.convert.params import flatten, normalize_keys, unflatten
from bert_jax.config_checks import check_optimizer
from bert_jax.data.finetune import num_examples, train_dataset
from bert_jax.errors import InputError
from bert_jax.tasks import TaskModule, get_task
from bert_jax.tasks.encoder import Encoder, encoder_from_workdir, load_encoder
from bert_jax.tasks.predictor import Predictor
from bert_jax.train import loop
from bert_jax.train import optimizer as opt_lib
from bert_jax.train import partitioning
from bert_jax.train import workdir_lock
from bert_jax.train.loop import TrainSpec
from bert_jax.workdir import (CHECKPOINTS_DIR, EVAL_DIR, PREDICT_DIR, TASK_FILE, as_workdir,
                              check_model_files, committed_steps, read_eval_metrics,
                              read_task_info, resolve_params, restore_model, write_best,
                              write_eval_result, write_model_files)

MODES = ('train', 'eval', 'predict')


@dataclasses.dataclass
class EvalSet:
  """One labelled (or, for predict, unlabelled) set, featurised."""
  name: str
  where: str
  examples: list
  arrays: dict[str, np.ndarray]
  meta: Any


@dataclasses.dataclass
class Prepared:
  """Everything a fine-tuning run needs, built (and checked) before any step."""
  cfg: Any
  task: TaskModule
  encoder: Encoder
  labels: list[str]
  num_outputs: int
  train: EvalSet | None
  dev: list[EvalSet]

  def make_model(self, rngs: nnx.Rngs, *, with_encoder_weights: bool = True):
    """The task model; the encoder's pretrained weights are put in (heads fresh)."""
    make = lambda c, rngs: self.task.make_model(c, self.cfg, self.num_outputs, rngs)
    if self.encoder.params is None or not with_encoder_weights:
      return make(self.encoder.config, rngs)
    return params_to_model({'bert': self.encoder.params}, self.encoder.config, model_cls=make,
                           rngs=rngs, allow_unused=True)

  @property
  def task_info(self) -> dict[str, Any]:
    return {'task': self.cfg.task, 'labels': self.labels, 'num_outputs': self.num_outputs,
            'main_metric': self.task.main_metric(self.cfg),
            'init_checkpoint': self.cfg.init_checkpoint,
            'random_init': bool(self.cfg.random_init)}


# ----------------------------------------------------------------------------
# Data.
# ----------------------------------------------------------------------------
def _split_cfgs(cfg: Any, split: str) -> list[tuple[str, Any]]:
  """One config per set of ``split`` (``dev_file`` / ``tfds_dev_split`` may list several,
  comma-separated, e.g. MNLI matched and mismatched)."""
  data = cfg.data
  files = [s for s in (data.get(f'{split}_file') or '').split(',') if s]
  tfds_splits = [s for s in (data.get(f'tfds_{split}_split') or '').split(',') if s]
  out = []
  if files:
    for f in files:
      c = cfg.copy_and_resolve_references()
      c.data[f'{split}_file'] = f
      out.append((pathlib.Path(f.split(':', 1)[-1]).stem, c))
  elif data.tfds_name and tfds_splits:
    for s in tfds_splits:
      c = cfg.copy_and_resolve_references()
      c.data[f'tfds_{split}_split'] = s
      out.append((s, c))
  else:
    out.append((split, cfg))  # load_examples raises the "no data" error
  return out


def featurise(cfg: Any, task: TaskModule, split: str, tokenizer, labels: Sequence[str]
              ) -> list[EvalSet]:
  sets = []
  for name, c in _split_cfgs(cfg, split):
    examples, where = task.load_examples(c, split)
    arrays, meta = task.make_features(examples, tokenizer, cfg, labels,
                                      labelled=split != 'predict')
    sets.append(EvalSet(name, where, examples, arrays, meta))
  return sets


def prepare(cfg: Any, workdir: pathlib.Path | None = None) -> Prepared:
  """Loads and checks the encoder, reads and featurises the data (no training yet)."""
  if cfg.mode not in MODES:
    raise InputError(f'--config.mode={cfg.mode!r}; expected one of {MODES}.')
  if cfg.mode == 'train':  # the optimizer's values, before the encoder and data are read
    check_optimizer(train_config(cfg, 1).optimizer)
  task = get_task(cfg.task)
  if cfg.mode == 'train':
    encoder = load_encoder(cfg)
    train_examples, where = task.load_examples(cfg, 'train')
    labels = task.label_list(cfg, train_examples)
    arrays, meta = task.make_features(train_examples, encoder.tokenizer, cfg, labels)
    train = EvalSet('train', where, train_examples, arrays, meta)
  else:
    if workdir is None or not (workdir / TASK_FILE).is_file():
      raise InputError(f'{None if workdir is None else workdir / TASK_FILE}: not found; '
                       '--config.mode=eval/predict needs the --workdir of a fine-tuning run '
                       '(train it first with --config.mode=train).')
    info = read_task_info(workdir)
    if info.get('task') != cfg.task:
      raise InputError(f'{workdir / TASK_FILE}: this workdir holds a {info.get("task")!r} '
                       f'model, the config is for {cfg.task!r}.')
    encoder = encoder_from_workdir(workdir, cfg)
    labels, train = info['labels'], None
  n_out = task.num_outputs(cfg, labels)
  split = 'predict' if cfg.mode == 'predict' else 'dev'
  dev = featurise(cfg, task, split, encoder.tokenizer, labels)
  s = Prepared(cfg, task, encoder, labels, n_out, train, dev)
  model = nnx.eval_shape(lambda r: s.make_model(r, with_encoder_weights=False), nnx.Rngs(0))
  fresh = _fresh_encoder_parts(encoder, model)  # model config errors came up just now
  if fresh:
    warnings.warn(f'init_checkpoint {cfg.init_checkpoint} has no {", ".join(fresh)}: '
                  f'{"it starts" if len(fresh) == 1 else "they start"} fresh.', stacklevel=2)
  return s


def _fresh_encoder_parts(encoder: Encoder, model: nnx.Module) -> list[str]:
  """The parts of the task model's encoder (``bert/pooler``, say) that the checkpoint
  lacks; they start from their initialisation."""
  if encoder.params is None:
    return []
  want = nnx.to_pure_dict(nnx.state(model, nnx.Param)).get('bert', {})
  return sorted(set(want) - set(encoder.params))


# ----------------------------------------------------------------------------
# Evaluation and prediction.
# ----------------------------------------------------------------------------
def predict_results(s: Prepared, model, predictor: Predictor) -> list[Any]:
  """The post-processed predictions of ``model`` on each of ``s.dev``."""
  return [s.task.postprocess(s.cfg, es.examples, es.meta, predictor(model, es.arrays), s.labels)
          for es in s.dev]


def evaluate(s: Prepared, model, predictor: Predictor) -> tuple[dict[str, float], list[Any]]:
  """Metrics over the dev set(s) (keys ``set/metric`` when there are several) and the
  post-processed results (for ``write_results``)."""
  metrics, results = {}, predict_results(s, model, predictor)
  for es, result in zip(s.dev, results):
    m = s.task.score(s.cfg, es.examples, es.arrays, result)
    prefix = f'{es.name}/' if len(s.dev) > 1 else ''
    metrics.update({f'{prefix}{k}': float(v) for k, v in m.items()})
  return metrics, results


def primary(s: Prepared, metrics: dict[str, float]) -> float:
  key = s.task.main_metric(s.cfg)
  if len(s.dev) > 1:
    key = f'{s.dev[0].name}/{key}'
  value = metrics[key]
  return -math.inf if math.isnan(value) else value


def write_results(s: Prepared, directory: pathlib.Path, results: Sequence[Any]
                  ) -> list[pathlib.Path]:
  paths = []
  for es, result in zip(s.dev, results):
    sub = directory / es.name if len(s.dev) > 1 else directory
    paths += s.task.write_predictions(s.cfg, sub, es.examples, result, s.labels)
  return paths


def format_metrics(metrics: dict[str, float]) -> str:
  return ', '.join(f'{k}={v:.4f}' if isinstance(v, float) else f'{k}={v}'
                   for k, v in metrics.items())


# ----------------------------------------------------------------------------
# Training through the one trainer.
# ----------------------------------------------------------------------------
def schedule(cfg: Any, num_train: int) -> tuple[int, int]:
  """(num_train_steps, eval_every_steps) from epochs: ``num_train_steps`` > 0 overrides
  ``num_epochs``, ``eval_every_steps`` > 0 overrides ``eval_every_epochs``."""
  per_epoch = max(1, math.ceil(num_train / int(cfg.global_batch_size)))
  steps = int(cfg.num_train_steps)
  if steps <= 0:
    steps = max(1, math.ceil(float(cfg.num_epochs) * per_epoch))
  every = int(cfg.get('eval_every_steps', 0) or 0)
  if every <= 0:
    every = max(1, round(float(cfg.eval_every_epochs) * per_epoch))
  return steps, min(every, steps)


def train_config(cfg: Any, num_train: int) -> ml_collections.ConfigDict:
  """The trainer's config: ``cfg`` (already ``default_train_config`` keys, see
  ``bert_jax.tasks.config``) with what depends on the data filled in: ``num_train_steps``
  (from ``num_epochs``), ``eval_every_steps`` / ``checkpoint_every_steps`` (from
  ``eval_every_epochs``) and the task's frozen parameters (``optimizer.freeze``). It is
  what ``W/config.json`` holds."""
  steps, every = schedule(cfg, num_train)
  c = cfg.copy_and_resolve_references()
  c.num_train_steps = steps
  c.eval_every_steps = every
  if int(c.get('checkpoint_every_steps', 0) or 0) <= 0:
    c.checkpoint_every_steps = every  # every evaluated step is a checkpoint: the best is kept
  frozen = get_task(cfg.task).frozen_params(cfg)
  c.optimizer.freeze = ','.join(p for p in (c.optimizer.get('freeze') or '', frozen) if p)
  opt_lib.recipe_settings(c.optimizer)  # an unknown recipe: InputError now
  return c


def initial_head(s: Prepared, seed: int) -> dict[str, Any]:
  """``{'kernel' [H, N], 'bias' [N]}``: the linear task head a run of ``seed`` starts from
  (the trainer's init stream, ``loop.seed_keys(seed)[0]``); span and classification heads.
  Reference comparisons start transformers from it (``convert.testing.copy_head_into``)."""
  head = s.make_model(nnx.Rngs(loop.seed_keys(seed)[0]), with_encoder_weights=False).head
  if not isinstance(head, nnx.Linear):
    raise InputError(f'only a linear task head (span, classification) can be copied, not '
                     f'{type(head).__name__}.')
  return {'kernel': np.asarray(head.kernel[...]), 'bias': np.asarray(head.bias[...])}


def _shared_subtree(subtree: Any, reference: Any) -> Any:
  """The leaves of ``subtree`` whose path also exists in ``reference`` (a pooler the task
  model does not have, say, is dropped)."""
  given = flatten(normalize_keys(subtree))
  want = flatten(normalize_keys(reference))
  return unflatten({p: v for p, v in given.items() if p in want})


def _best_step(s: Prepared, workdir: pathlib.Path) -> dict[str, Any]:
  """The committed step with the highest dev ``main_metric`` (``W/eval_metrics.jsonl``)."""
  steps = set(committed_steps(workdir / CHECKPOINTS_DIR))
  best = None
  for row in read_eval_metrics(workdir):
    if row.get('step') not in steps:
      continue
    metrics = {k: (math.nan if v is None else v) for k, v in row.items() if k != 'step'}
    value = primary(s, metrics)
    if best is None or value > best['value']:
      best = {'step': int(row['step']), 'metric': s.task.main_metric(s.cfg), 'value': value,
              'metrics': metrics}
  if best is None:
    raise InputError(f'{workdir}: no evaluated checkpoint to pick the best one from.')
  return best


def _restore_model(s: Prepared, workdir: pathlib.Path):
  """The task model with the parameters of the best (else latest) checkpoint of ``workdir``."""
  _, params_dir, best = resolve_params(workdir)
  make = lambda c, rngs: s.task.make_model(c, s.cfg, s.num_outputs, rngs)
  model, _ = restore_model(params_dir, s.encoder.config, make)
  return model, best, params_dir.parent


def train(s: Prepared, workdir: pathlib.Path, *, verbose: bool = True,
          devices: list[jax.Device] | None = None,
          head: dict[str, Any] | None = None) -> dict[str, Any] | None:
  """Fine-tunes ``s`` in ``workdir`` (resuming what is there); returns ``best.json``, or
  None when the run was preempted (SIGTERM / Ctrl-C: saved, to be resumed).

  ``head`` (``initial_head``'s form) replaces the seed's draw of a linear task head, so a
  reference comparison can start bert_jax from another framework's head
  (``tools/hf_reference.py --head_from_transformers``)."""
  num_train = num_examples(s.train.arrays)
  config = train_config(s.cfg, num_train)
  config.progress_bar = bool(s.cfg.progress_bar) and verbose
  source = f'init_checkpoint {s.encoder.source}'
  check_model_files(workdir, s.encoder.config, task_info=s.task_info,
                    source=source)  # written once the restore succeeded
  build = lambda rngs: s.make_model(rngs, with_encoder_weights=False)
  init_params = None
  if s.encoder.params is not None or head is not None:
    def init_params():
      reference = nnx.to_pure_dict(nnx.state(nnx.eval_shape(build, nnx.Rngs(0)),
                                             nnx.Param))
      given = ({} if s.encoder.params is None else
               _shared_subtree({'bert': s.encoder.params}, reference))
      if head is not None:  # not filtered: a head of the wrong form is the loop's error
        given['head'] = {k: np.asarray(v) for k, v in head.items()}
      return given
  predictors = {}  # one per mesh (the trainer's), laid out by the trainer's rules
  rules = partitioning.rules_from_config(config.mesh.get('rules'))

  def eval_fn(model, mesh):
    if mesh not in predictors:
      predictors[mesh] = Predictor(s.task, int(s.cfg.eval_batch_size), mesh, rules)
    return evaluate(s, model, predictors[mesh])[0]

  train_iter = iter(train_dataset(s.train.arrays, int(s.cfg.global_batch_size),
                                  seed=int(s.cfg.seed),
                                  process_index=jax.process_index(),
                                  process_count=jax.process_count()))
  spec = TrainSpec(name=f'finetune/{s.cfg.task}', build_model=build,
                   loss_fn=s.task.make_loss_fn(s.cfg), train_iter=train_iter,
                   eval_fn=eval_fn, init_params=init_params,
                   write_files=lambda w: write_model_files(
                       w, s.encoder.config, tokenizer_files=s.encoder.tokenizer_dir,
                       task_info=s.task_info, source=source),
                   portable_data_iter=True)  # one global stream, each process takes its rows
  if verbose and distributed.is_main():
    print(f'finetune: {s.cfg.task} on {s.train.where} ({num_train} features), dev '
          f'{", ".join(es.where for es in s.dev)}; {config.num_train_steps} steps of batch '
          f'{config.global_batch_size}, evaluated every {config.eval_every_steps}; encoder '
          f'from {"random init" if s.encoder.params is None else s.encoder.source}.',
          file=sys.stderr, flush=True)
  if loop.train(config, workdir, spec, devices=devices).status == 'preempted':
    return None
  distributed.barrier('bert_jax_finetune_trained')  # process 0 has committed the last step
  best = _best_step(s, workdir)
  if jax.process_index() == 0:
    write_best(workdir, best)
  distributed.barrier('bert_jax_best_json')  # the others read it next
  return best


def run(cfg: Any, workdir: str | pathlib.Path, *, verbose: bool = True,
        devices: list[jax.Device] | None = None) -> dict[str, float]:
  """``--config.mode`` on ``workdir``; returns the dev metrics of the best checkpoint
  (train, eval), ``{'num_examples': N}`` (predict) or ``{'preempted': True}`` (train
  interrupted by SIGTERM / Ctrl-C, saved). Files: see the module doc."""
  workdir = as_workdir(workdir)
  s = prepare(cfg, workdir)
  with workdir_lock.hold(workdir):  # one run per workdir (the trainer takes it too)
    return _run(s, cfg, workdir, verbose, devices)


def _run(s: Prepared, cfg: Any, workdir: pathlib.Path, verbose: bool, devices
         ) -> dict[str, float]:
  t0 = time.time()
  if cfg.mode == 'train' and train(s, workdir, verbose=verbose, devices=devices) is None:
    return {'preempted': True}
  model, best, source = _restore_model(s, workdir)
  predictor = Predictor(s.task, int(cfg.eval_batch_size))
  if cfg.mode == 'predict':
    s = dataclasses.replace(s, cfg=s.task.predict_config(s.cfg, best.get('metrics') or {}))
    results = predict_results(s, model, predictor)
    paths = write_results(s, workdir / PREDICT_DIR, results) if distributed.is_main() else []
    n = sum(len(es.examples) for es in s.dev)
    if verbose:
      print(f'predict: {n} inputs with {source}; wrote {", ".join(map(str, paths))}', flush=True)
    return {'num_examples': n}
  metrics, results = evaluate(s, model, predictor)
  out_dir = workdir / EVAL_DIR
  paths = []
  if distributed.is_main():  # process 0 alone writes outputs
    paths = write_results(s, out_dir, results)
    write_eval_result(workdir, {'checkpoint': str(source), **metrics})
  verbose = verbose and distributed.is_main()
  if verbose:
    print(f'{cfg.task} dev ({source}, {time.time() - t0:.0f} s): {format_metrics(metrics)}; '
          f'wrote {", ".join(str(p) for p in paths)}', flush=True)
  return metrics
