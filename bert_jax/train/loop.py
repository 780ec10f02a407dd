"""The training loop every bert_jax run goes through: ``train(config, workdir, spec)``.

A ``TrainSpec`` says what is trained (model, loss, batches, evaluation); the config says how
(mesh, optimizer, step budget, checkpoint cadence). The loop:

1. builds the (data, fsdp, tensor) mesh and the parameter shardings from the logical
   axes of ``nnx.eval_shape(spec.build_model)``; parameters and optimizer state are
   created already sharded (``jax.jit(init, out_shardings=...)``);
2. resumes from the latest readable checkpoint of ``W/checkpoints`` (params, optimizer
   state, step, the input iterator's position), or starts fresh (then
   ``spec.init_params`` may put pretrained weights over the fresh ones);
3. runs ``num_train_steps`` jitted steps (``bert_jax.train.step``: compiled once, state
   donated, batch placed with ``jax.make_array_from_process_local_data``), logging every
   ``log_every_steps`` (``W/metrics.jsonl``, TensorBoard, progress bar with ETA, tokens/s,
   MFU), evaluating every ``eval_every_steps`` and at the end (``spec.eval_fn``), saving
   every ``checkpoint_every_steps`` and at the end (async Orbax);
4. on SIGTERM (preemption) or a first Ctrl-C saves the current step and returns
   ``status='preempted'`` (a second Ctrl-C aborts; the CLIs exit with
   ``errors.EXIT_PREEMPTED`` = 75);
   after ``max_nonfinite_steps`` skipped (non-finite) steps in a row raises
   ``NonFiniteError`` (nothing non-finite is ever saved).

Fine-tuning uses the same loop with its own ``TrainSpec`` (a new head, ``init_params`` =
the pretrained encoder, ``eval_fn`` = dev-set metrics).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterator, Mapping

import jax
import ml_collections
import numpy as np
import optax
from absl import logging
from flax import nnx
from jax.sharding import Mesh

from bert_jax import distributed
from bert_jax.errors import InputError, RunError
from bert_jax import workdir as workdir_lib
from bert_jax.workdir import as_workdir
from bert_jax.train import checkpoints as ckpt_lib
from bert_jax.train import mfu as mfu_lib
from bert_jax.train import optimizer as opt_lib
from bert_jax.train import partitioning
from bert_jax.train import workdir_lock
from bert_jax.train.metrics_writer import MetricsWriter
from bert_jax.train.step import LossFn, TrainState, jit_train_step, make_train_step


@dataclasses.dataclass(frozen=True)
class TrainSpec:
  """What a run trains. Everything except the first four fields is optional.

  Attributes:
    name: for logs and checkpoint metadata ('pretraining', 'squad', ...).
    build_model: ``rngs -> nnx.Module``; every variable of the model is trained (all must
      be ``nnx.Param``), and parameters carry logical axis names.
    loss_fn: ``(model, batch, rng) -> (scalar loss, {name: scalar})``; ``rng`` is the
      dropout key (``None`` = deterministic).
    train_iter: infinite iterator of this process's numpy batches (``global_batch_size /
      process_count`` rows). With ``get_state``/``set_state`` (a grain iterator) its
      position is checkpointed and a resumed run sees exactly the remaining batches.
    eval_fn: ``(model, mesh) -> {name: float}``, run every ``eval_every_steps`` and at
      the end on the current parameters (sharded as in training).
    init_params: ``() -> nested dict of arrays``, a subtree of the parameter tree (e.g.
      ``{'bert': encoder_params}``) put over the fresh initialisation when the run
      starts from scratch (never on resume).
    prepare_batch: ``batch -> batch`` inside the jitted step on the whole global batch,
      before it is split into ``optimizer.grad_accum_steps`` microbatches (e.g. global
      loss normalisers).
    write_files: ``workdir -> None``, writes the run's files (``model_config.json``,
      ``tokenizer/``, ...) on process 0 before training.
    flops_per_token: train FLOPs per input token (``bert_jax.train.mfu``); 0 = no MFU.
    portable_data_iter: every process's ``train_iter`` is at the same position of one
      global stream (taking its rows), so a checkpoint resumes on any process count.
  """
  name: str
  build_model: Callable[[nnx.Rngs], nnx.Module]
  loss_fn: LossFn
  train_iter: Iterator[Mapping[str, np.ndarray]]
  eval_fn: Callable[[nnx.Module, Mesh], Mapping[str, float]] | None = None
  init_params: Callable[[], Mapping[str, Any]] | None = None
  prepare_batch: Callable[[dict], dict] | None = None
  write_files: Callable[[pathlib.PurePath], None] | None = None  # an epath.Path
  flops_per_token: float = 0.0
  portable_data_iter: bool = False


@dataclasses.dataclass
class TrainResult:
  """What ``train`` returns."""
  status: str                          # 'completed' | 'preempted'
  step: int                            # the last step run (and saved)
  start_step: int                      # 0, or the step resumed from
  train_metrics: dict[str, float]      # of the last logged step
  eval_metrics: dict[str, float]       # of the last evaluation ({} without eval_fn)
  train_step_compiles: int             # jit cache entries of the train step (1 = no retrace)
  wall_time: float                     # seconds in this call


class NonFiniteError(RunError):
  """Too many consecutive steps with a non-finite loss or gradient (exit status 1)."""


def default_train_config() -> ml_collections.ConfigDict:
  """The keys ``train`` reads (callers add ``model``, ``data``, ... beside them)."""
  c = ml_collections.ConfigDict()
  c.seed = 0                     # init, dropout and data order (seed_keys)
  # The PRNG implementation of the dropout keys (seed_keys; jax.random.key impl):
  # 'threefry2x32' (JAX's default; the same masks on any mesh), or 'rbg' / 'unsafe_rbg'
  # (XLA's RngBitGenerator, as MaxText and T5X use: cheaper on TPU/GPU; a run's masks may
  # then depend on the mesh, so resume bitwise on the same mesh). Init is always threefry:
  # the same seed gives the same initial parameters whatever this says.
  c.prng_impl = 'threefry2x32'
  c.global_batch_size = 256      # rows per optimizer step, over all processes
  c.num_train_steps = 1000
  c.log_every_steps = 50
  c.eval_every_steps = 0         # 0: only at the end (when the spec has an eval_fn)
  c.checkpoint_every_steps = 1000
  c.keep_checkpoints = 3         # newest N kept (0: all)
  c.async_checkpoints = True
  c.max_nonfinite_steps = 10     # stop after this many skipped steps in a row
  c.progress_bar = True
  c.peak_tflops = 0.0            # per device, for MFU (0: known accelerators / measured CPU)
  c.mesh = ml_collections.ConfigDict()
  c.mesh.data = -1               # -1: all the devices the other axes leave
  c.mesh.fsdp = 1
  c.mesh.tensor = 1
  c.mesh.rules = partitioning.RULES  # logical axis -> mesh axes (partitioning.py)
  c.optimizer = opt_lib.default_optimizer_config()
  return c


# ----------------------------------------------------------------------------
# Building the state.
# ----------------------------------------------------------------------------
PRNG_IMPLS = ('threefry2x32', 'rbg', 'unsafe_rbg')  # config.prng_impl


def seed_keys(seed: int, prng_impl: str = 'threefry2x32') -> tuple[jax.Array, jax.Array]:
  """(init key, dropout key) of a run: two independent streams of ``seed``.

  ``nnx.Rngs(key)`` draws its k-th key as ``fold_in(key, k)`` and the train step's dropout
  key of step k is ``fold_in(dropout key, k)``; with one key for both, step k's dropout
  would reuse the key that initialised the k-th parameter (e.g. a fine-tuning head).
  The init key is always threefry; the dropout key is of ``prng_impl`` (``PRNG_IMPLS``).
  """
  if prng_impl not in PRNG_IMPLS:
    raise InputError(f'prng_impl={prng_impl!r}; expected one of {PRNG_IMPLS}.')
  init, drop = jax.random.split(jax.random.key(int(seed)))
  if prng_impl != 'threefry2x32':
    drop = jax.random.split(jax.random.key(int(seed), impl=prng_impl))[1]
  return init, drop


def _check_all_params(state: nnx.State) -> None:
  bad = [jax.tree_util.keystr(p) for p, v in jax.tree_util.tree_leaves_with_path(
      state, is_leaf=lambda x: isinstance(x, nnx.Variable))
         if isinstance(v, nnx.Variable) and not isinstance(v, nnx.Param)]
  if bad:
    raise ValueError(f'the model has non-Param state {bad[:3]}; the trainer trains every '
                     'variable, so keep RNG / statistics out of the module.')


def _state_shardings(abstract: TrainState, param_sh: Any, tx, mesh: Mesh) -> TrainState:
  repl = partitioning.replicated(mesh)
  masked = lambda x: isinstance(x, optax.MaskedNode)  # frozen / undecayed leaves: no state
  opt_sh = optax.tree_map_params(tx, lambda p, s: p if masked(p) else s, abstract.opt_state,
                                 param_sh, transform_non_params=lambda _: repl, is_leaf=masked)
  return TrainState(step=repl, params=param_sh, opt_state=opt_sh, nonfinite_steps=repl,
                    nonfinite_in_a_row=repl)


def _overlay(params: Any, subtree: Mapping[str, Any], shardings: Any, path: str = '') -> Any:
  """``params`` with the leaves of ``subtree`` put in (same shapes), placed as ``shardings``."""
  out = dict(params)
  for key, value in subtree.items():
    if key not in params:
      key_str = str(key)
      match = [k for k in params if str(k) == key_str]
      if not match:
        raise InputError(f'init_params: {path}/{key} is not a parameter of the model '
                         f'(expected one of {sorted(map(str, params))}).')
      key = match[0]
    where = f'{path}/{key}'
    if isinstance(value, Mapping):
      if not isinstance(params[key], Mapping):
        raise InputError(f'init_params: {where} is a subtree, the model has an array there.')
      out[key] = _overlay(params[key], value, shardings[key], where)
    else:
      old = params[key]
      if tuple(np.shape(value)) != tuple(old.shape):
        raise InputError(f'init_params: {where} has shape {np.shape(value)}, the model '
                         f'expects {tuple(old.shape)}.')
      out[key] = jax.device_put(np.asarray(value).astype(old.dtype), shardings[key])
  return out


@dataclasses.dataclass
class StatePlan:
  """The train state's structure on a mesh, before any array exists."""
  graphdef: nnx.GraphDef           # the model's static structure (nnx.split)
  abstract: TrainState             # ShapeDtypeStructs carrying their shardings
  shardings: TrainState            # NamedShardings (params from the logical axes)
  tx: optax.GradientTransformation
  schedule: optax.Schedule
  init: Callable[[], TrainState]   # jitted: creates the state already sharded


def plan_state(config, build_model: Callable[[nnx.Rngs], nnx.Module], mesh: Mesh,
               rules=partitioning.RULES) -> StatePlan:
  """Shardings and the sharded initialiser of the train state of ``build_model``.

  Nothing is computed: the model is traced with ``nnx.eval_shape``, its parameters'
  logical axes give their shardings, the optimizer state mirrors them. Also what restores
  a checkpoint onto any mesh: ``checkpoints.restore_latest(manager, plan.abstract)``.
  """
  init_key = seed_keys(int(config.seed))[0]
  tx, schedule = opt_lib.make_optimizer(config.optimizer, int(config.num_train_steps))
  abstract_model = nnx.eval_shape(build_model, nnx.Rngs(init_key))
  graphdef, abstract_vars = nnx.split(abstract_model)
  _check_all_params(abstract_vars)
  param_sh = partitioning.state_shardings(abstract_vars, mesh, rules)
  abstract = jax.eval_shape(lambda p: TrainState.create(p, tx), nnx.to_pure_dict(abstract_vars))
  shardings = _state_shardings(abstract, param_sh, tx, mesh)
  abstract = jax.tree.map(lambda a, s: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=s),
                          abstract, shardings)

  # The key is an argument, not a constant of the program: every seed runs one compiled
  # initialiser (JAX's persistent compilation cache serves all seeds of a config).
  @functools.partial(jax.jit, out_shardings=shardings)
  def init(key: jax.Array) -> TrainState:
    model = build_model(nnx.Rngs(key))
    return TrainState.create(nnx.to_pure_dict(nnx.state(model)), tx)

  return StatePlan(graphdef, abstract, shardings, tx, schedule, lambda: init(init_key))


# ----------------------------------------------------------------------------
# Preemption.
# ----------------------------------------------------------------------------
class _Preemption:
  """SIGTERM or a first Ctrl-C (SIGINT) -> a flag the loop checks after every step (all
  processes agree on it): it saves and returns 'preempted'. A second Ctrl-C aborts
  (``KeyboardInterrupt``) without waiting for the save."""

  SIGNALS = (signal.SIGTERM, signal.SIGINT)

  def __init__(self):
    self.requested = threading.Event()
    self.signal_name = 'SIGTERM'
    self._old = {}

  def _handle(self, signum, frame):
    if signum == signal.SIGINT and self.requested.is_set():
      raise KeyboardInterrupt  # the second Ctrl-C
    self.signal_name = signal.Signals(signum).name
    if signum == signal.SIGINT:
      print('\nCtrl-C: saving a checkpoint after this step, then exiting (Ctrl-C again '
            'aborts without saving).', file=sys.stderr, flush=True)
    self.requested.set()

  def __enter__(self):
    if threading.current_thread() is threading.main_thread():
      self._old = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
    return self

  def __exit__(self, *exc):
    for s, old in self._old.items():
      signal.signal(s, old)

  def reached(self, step: int) -> bool:
    if jax.process_count() > 1:
      from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
      try:  # Needs jax.distributed's preemption service; else fall back to the local flag.
        if multihost_utils.reached_preemption_sync_point(step):
          return True
      except Exception:  # pylint: disable=broad-except
        pass
      local = np.array(self.requested.is_set(), np.int32)
      return bool(multihost_utils.process_allgather(local).max())
    return self.requested.is_set()


# ----------------------------------------------------------------------------
# The loop.
# ----------------------------------------------------------------------------
def _host(metrics: Mapping[str, jax.Array]) -> dict[str, float]:
  return {k: float(v) for k, v in jax.device_get(dict(metrics)).items()}


def train(config: ml_collections.ConfigDict, workdir: str | pathlib.Path, spec: TrainSpec, *,
          devices: list[jax.Device] | None = None) -> TrainResult:
  """Trains ``spec`` as ``config`` says, in ``workdir`` (resuming what is there).

  Args:
    config: ``default_train_config()`` keys (plus whatever the spec reads).
    workdir: holds config.json, checkpoints/, metrics.jsonl, tb/ and the files
      ``spec.write_files`` writes; local or a bucket (``gs://...``: ``etils.epath``).
    spec: see ``TrainSpec``.
    devices: the devices of the mesh (default: all).

  Returns:
    ``TrainResult``.

  Raises:
    NonFiniteError: ``max_nonfinite_steps`` skipped steps in a row.
    checkpoints.CheckpointError: the workdir has checkpoints and none can be restored.
    InputError: a bad config value or workdir, or another run holds the workdir's lock.
  """
  lock = []  # the workdir lock (bert_jax.train.workdir_lock), taken once the config is valid
  try:
    return _train(config, workdir, spec, devices, lock)
  finally:
    workdir_lock.release(lock[0] if lock else None)


def _train(config, workdir, spec: TrainSpec, devices, lock: list) -> TrainResult:
  t_begin = time.time()
  workdir = as_workdir(workdir)
  ckpt_lib.check_workdir(workdir)
  mesh = partitioning.make_mesh(config.mesh, devices)
  rules = partitioning.rules_from_config(config.mesh.get('rules'))
  num_steps = int(config.num_train_steps)
  accum = int(config.optimizer.get('grad_accum_steps', 1) or 1)
  gbs = int(config.global_batch_size)
  divisor = partitioning.batch_divisor(mesh, rules) * accum
  if num_steps <= 0:
    raise InputError(f'num_train_steps={num_steps}; expected > 0.')
  if gbs <= 0 or gbs % divisor:
    raise InputError(f'global_batch_size={gbs} must be a positive multiple of {divisor} '
                     f'(batch mesh axes {partitioning.describe(mesh)} x grad_accum_steps '
                     f'{accum}).')
  seed = int(config.seed)
  prng_impl = str(config.get('prng_impl', 'threefry2x32'))
  seed_keys(seed, prng_impl)  # a bad prng_impl fails before the workdir is touched
  plan = plan_state(config, spec.build_model, mesh, rules)
  tx, state_sh, param_sh = plan.tx, plan.shardings, plan.shardings.params

  # The config is valid: lock the workdir, resume (or start), and only then write its
  # files, so a config the workdir rejects leaves config.json as it was.
  lock.append(workdir_lock.acquire(workdir))
  manager = ckpt_lib.make_manager(workdir, max_to_keep=int(config.keep_checkpoints),
                                  async_save=bool(config.get('async_checkpoints', True)))
  try:
    restored = ckpt_lib.restore_latest(manager, plan.abstract, data_iter=spec.train_iter)
    if jax.process_index() == 0:
      if spec.write_files is not None:
        spec.write_files(workdir)
      changed = workdir_lib.write_config(workdir, config)
      if changed:
        logging.warning('config differs from the one this workdir was run with before (kept '
                        'as config.<time>.json): %s', ', '.join(changed[:20]))
  except BaseException:
    manager.close()
    raise
  if restored is not None:
    state, start = restored.state, restored.step
  else:
    start = 0
    state = plan.init()
    if spec.init_params is not None:
      params = _overlay(state.params, spec.init_params(), param_sh)
      state = jax.jit(lambda p: TrainState.create(p, tx), out_shardings=state_sh,
                      donate_argnums=0)(params)
  num_params = sum(int(np.prod(x.shape)) for x in jax.tree.leaves(plan.abstract.params))

  train_step = jit_train_step(
      make_train_step(plan.graphdef, spec.loss_fn, tx, plan.schedule, grad_accum_steps=accum,
                      prepare_batch=spec.prepare_batch, mesh=mesh, rules=rules),
      state_sh, mesh, rules)
  rng = seed_keys(seed, prng_impl)[1]  # dropout; fold_in(rng, step) in the step
  peak, peak_note = mfu_lib.peak_flops(list(mesh.devices.flat),
                                       peak_tflops=float(config.get('peak_tflops', 0.0)))
  writer = MetricsWriter(workdir, total_steps=num_steps, initial_step=start,
                         progress=bool(config.get('progress_bar', True)))
  writer.message(f'{spec.name}: {num_params:,} parameters on mesh {partitioning.describe(mesh)}; '
                 + (f'resumed from {manager.directory}/{start}' if restored is not None
                    else 'fresh start' + (' from init_params' if spec.init_params else ''))
                 + f'; steps {start} -> {num_steps}.')
  log_every = max(1, int(config.log_every_steps))
  eval_every = int(config.eval_every_steps)
  ckpt_every = int(config.checkpoint_every_steps)
  max_bad = max(1, int(config.max_nonfinite_steps))
  ckpt_meta = {'task': spec.name, 'mesh': partitioning.describe(mesh),
               'process_count': jax.process_count(),
               'portable_data_iter': bool(spec.portable_data_iter),
               'config': _json_safe(config)}

  checked = [start]  # the last step whose metrics were checked

  def check_nonfinite(metrics, step):
    if step <= checked[0]:
      return
    checked[0] = step
    metrics = jax.device_get(metrics)
    bad_run = int(metrics['nonfinite_in_a_row'])
    if int(metrics['nonfinite']):
      writer.message(f'step {step}: non-finite loss or gradients; update skipped '
                     f'({bad_run} in a row, {int(metrics["nonfinite_steps"])} in total).')
    if bad_run >= max_bad:
      raise NonFiniteError(
          f'{bad_run} steps in a row (up to step {step}) had a non-finite loss or gradient '
          f'norm; stopping (max_nonfinite_steps={max_bad}). The parameters were not '
          f'updated by those steps and no checkpoint holds non-finite values; the latest '
          f'checkpoint is {manager.latest_step()}. Lower optimizer.learning_rate, raise '
          'warmup_steps or check the data.')

  def evaluate(step) -> dict[str, float]:
    model = nnx.merge(plan.graphdef, state.params)
    metrics = {k: float(v) for k, v in spec.eval_fn(model, mesh).items()}
    del model
    writer.write(step, metrics, kind='eval')
    writer.message(f'step {step} eval: ' + ', '.join(f'{k}={v:.4g}' for k, v in metrics.items()))
    return metrics

  step = start
  status, last_train, last_eval = 'completed', {}, {}
  pending = None                 # previous step's metrics (device), checked one step behind
  window_t = window_step = None  # throughput window start (after the first step compiled)
  excluded = 0.0                 # eval / checkpoint seconds inside the window
  tokens_per_step = None
  try:
    with _Preemption() as preemption:
      while step < num_steps:
        host_batch = next(spec.train_iter)
        if tokens_per_step is None and 'input_ids' in host_batch:
          tokens_per_step = int(np.prod(np.shape(host_batch['input_ids']))) * jax.process_count()
        batch = partitioning.shard_batch(host_batch, mesh, rules)
        if window_t is None:  # first step: all processes start it together
          distributed.compile_and_meet(train_step, state, batch, rng, name=f'train{step}')
        state, metrics = train_step(state, batch, rng)
        step += 1
        if pending is not None:
          check_nonfinite(pending, step - 1)
        pending = metrics
        if window_t is None:
          jax.block_until_ready(metrics)  # compile + first step: not part of throughput
          window_t, window_step = time.time(), step
        writer.advance(step)

        if step % log_every == 0 or step == num_steps:
          host = _host(metrics)
          check_nonfinite(host, step)
          now = time.time()
          tps = None
          if step > window_step and tokens_per_step:
            tps = (step - window_step) * tokens_per_step / max(now - window_t - excluded, 1e-9)
          host['tokens_per_sec'] = tps
          host['steps_per_sec'] = None if tps is None else tps / tokens_per_step
          host['mfu'] = mfu_lib.mfu(spec.flops_per_token, tps or 0.0, peak)
          writer.write(step, host)
          last_train = host
          window_t, window_step, excluded = now, step, 0.0

        t0 = time.time()
        if spec.eval_fn is not None and (
            step == num_steps or (eval_every > 0 and step % eval_every == 0)):
          last_eval = evaluate(step)
        preempted = preemption.reached(step)
        if step == num_steps or preempted or (ckpt_every > 0 and step % ckpt_every == 0):
          check_nonfinite(metrics, step)
          ckpt_lib.save(manager, state, data_iter=spec.train_iter, meta=ckpt_meta)
        excluded += time.time() - t0
        if preempted:
          status = 'preempted'
          writer.message(f'{preemption.signal_name}: saved step {step} to {manager.directory}; '
                         'exiting (run the same command to resume).')
          break
  finally:
    manager.wait_until_finished()
    manager.close()
    writer.close()
  logging.info('peak FLOP/s for MFU: %s', peak_note)
  return TrainResult(status=status, step=step, start_step=start, train_metrics=last_train,
                     eval_metrics=last_eval, train_step_compiles=int(train_step._cache_size()),  # pylint: disable=protected-access
                     wall_time=time.time() - t_begin)


def _json_safe(config) -> Any:
  return json.loads(workdir_lib.config_to_json(config))
