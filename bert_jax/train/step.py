"""Pure train / eval steps, parameterised by a task's ``loss_fn``.

  loss_fn(model, batch, rng) -> (loss, metrics)      model: an nnx.Module (merged inside),
                                                     batch: dict of arrays, rng: key or None

``make_train_step`` returns ``train_step(state, batch, rng) -> (state, metrics)``: a pure
function of pytrees, jitted once by the loop (``jit_train_step``) with explicit
shardings and the state donated. ``make_eval_step`` returns the one ``EvalStep``
(``(params, batch) -> fn(model, batch)``, jitted with explicit shardings, nothing donated)
that every evaluation, prediction, feature extraction and serving call runs through. ``rng`` is the run's base key; the dropout key of a step
is ``fold_in(rng, state.step)``, so a run is a function of (seed, step) and a resumed run
draws the same masks as the uninterrupted one.

Inside one step:

1. ``prepare_batch(batch)`` (optional, task-defined) on the whole global batch, e.g. to
   attach global loss normalisers;
2. ``grad_accum_steps = k`` > 1: the batch is split into k strided microbatches
   (``[B, ...] -> [k, B/k, ...]``, each spread over all devices) and a ``lax.scan`` sums
   their gradients; loss, gradients and metrics are the means over microbatches (equal
   to the full-batch ones when the loss is a mean with the same normaliser in every
   microbatch, which ``prepare_batch`` can arrange);
3. global-norm of the gradients, optimizer update (clipping is part of ``tx``);
4. a step whose loss, gradient norm or new parameters (their global norm) are not finite
   is skipped: params and optimizer state keep their old values (``jnp.where``),
   ``nonfinite_steps`` and ``nonfinite_in_a_row`` count it, the loop stops after too
   many in a row.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx, struct

from bert_jax import distributed
from bert_jax.train import partitioning

LossFn = Callable[[nnx.Module, Mapping[str, jax.Array], jax.Array | None],
                  tuple[jax.Array, Mapping[str, jax.Array]]]


@struct.dataclass
class TrainState:
  """Everything a step changes, as plain pytrees (checkpointed as is)."""
  step: jax.Array                 # int32 []: updates attempted so far
  params: Any                     # pure dict of the model's parameters (fp32 master copy)
  opt_state: Any                  # optax state of ``params``
  nonfinite_steps: jax.Array      # int32 []: skipped (non-finite) steps, in total
  nonfinite_in_a_row: jax.Array   # int32 []: skipped steps since the last good one

  @classmethod
  def create(cls, params: Any, tx: optax.GradientTransformation) -> 'TrainState':
    # One array per counter: a state built outside jit and placed with device_put must not
    # hold one buffer three times (the train step donates its state; XLA refuses, or
    # crashes on, a buffer donated twice).
    zero = lambda: jnp.zeros((), jnp.int32)
    return cls(step=zero(), params=params, opt_state=tx.init(params), nonfinite_steps=zero(),
               nonfinite_in_a_row=zero())


def split_microbatches(batch: Mapping[str, jax.Array], k: int) -> dict[str, jax.Array]:
  """``[B, ...] -> [k, B/k, ...]``; microbatch i holds rows i, i+k, i+2k, ... so that every
  microbatch is spread over all the devices that hold the batch."""
  def split(x):
    if x.shape[0] % k:
      raise ValueError(f'batch of {x.shape[0]} rows does not split into {k} microbatches.')
    return jnp.swapaxes(x.reshape(x.shape[0] // k, k, *x.shape[1:]), 0, 1)
  return {name: split(x) for name, x in batch.items()}


def make_train_step(graphdef: nnx.GraphDef, loss_fn: LossFn, tx: optax.GradientTransformation,
                    schedule: optax.Schedule | None = None, *, grad_accum_steps: int = 1,
                    prepare_batch: Callable[[dict], dict] | None = None,
                    mesh: jax.sharding.Mesh | None = None, rules=partitioning.RULES):
  """``train_step(state, batch, rng) -> (state, metrics)``; see the module doc.

  Args:
    graphdef: the model's static structure (``nnx.split``); ``state.params`` fills it.
    loss_fn: ``(model, batch, rng) -> (scalar loss, dict of scalar metrics)``.
    tx: the optax transformation (``bert_jax.train.optimizer.make_optimizer``).
    schedule: reported as ``learning_rate`` (optional).
    grad_accum_steps: microbatches per step.
    prepare_batch: optional ``batch -> batch`` run on the global batch before the split.
    mesh, rules: activation sharding context while tracing (``None``: no constraints).
  """
  k = int(grad_accum_steps)

  def loss_of_params(params, batch, rng):
    return loss_fn(nnx.merge(graphdef, params), batch, rng)

  grad_fn = jax.value_and_grad(loss_of_params, has_aux=True)

  def gradients(params, batch, rng):
    if k == 1:
      (loss, metrics), grads = grad_fn(params, batch, rng)
      return loss, metrics, grads
    micro = split_microbatches(batch, k)
    if mesh is not None:
      spec = partitioning.logical_to_mesh_axes((None, partitioning.BATCH), rules)
      micro = jax.tree.map(
          lambda x: jax.lax.with_sharding_constraint(
              x, jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec(*spec))), micro)
    zeros = jax.tree.map(jnp.zeros_like, params)
    metric_shapes = jax.eval_shape(lambda: grad_fn(params, jax.tree.map(lambda x: x[0], micro),
                                                   rng)[0][1])
    zero_metrics = jax.tree.map(lambda s: jnp.zeros(s.shape, jnp.float32), metric_shapes)

    def body(carry, xs):
      loss_sum, metric_sum, grad_sum = carry
      i, mb = xs
      (loss, metrics), grads = grad_fn(params, mb, jax.random.fold_in(rng, i))
      metric_sum = jax.tree.map(lambda a, b: a + b.astype(jnp.float32), metric_sum, metrics)
      grad_sum = jax.tree.map(jnp.add, grad_sum, grads)
      return (loss_sum + loss.astype(jnp.float32), metric_sum, grad_sum), None

    init = (jnp.zeros((), jnp.float32), zero_metrics, zeros)
    (loss, metrics, grads), _ = jax.lax.scan(body, init, (jnp.arange(k), micro))
    scale = lambda x: x / k
    return scale(loss), jax.tree.map(scale, metrics), jax.tree.map(scale, grads)

  def train_step(state: TrainState, batch: Mapping[str, jax.Array], rng: jax.Array):
    with _maybe_activation_sharding(mesh, rules):
      step_rng = jax.random.fold_in(rng, state.step)
      batch = dict(batch)
      if prepare_batch is not None:
        batch = prepare_batch(batch)
      loss, metrics, grads = gradients(state.params, batch, step_rng)
      grad_norm = optax.tree.norm(grads)
      updates, opt_state = tx.update(grads, state.opt_state, state.params)
      params = optax.apply_updates(state.params, updates)
      # The new parameters are finite iff their global norm is (a sum of squares past
      # float32's max, norms ~1e19, counts as non-finite too). One reduction that XLA
      # fuses into the update, instead of an is-finite per leaf (which took the base
      # model's compile from ~15 s to ~42 s, and a pass over every parameter).
      param_norm = optax.tree.norm(params)
      ok = jnp.isfinite(loss) & jnp.isfinite(grad_norm) & jnp.isfinite(param_norm)
      # A skipped step reports the kept parameters' norm (computed only then).
      param_norm = jax.lax.cond(ok, lambda: param_norm, lambda: optax.tree.norm(state.params))
      keep = lambda new, old: jax.tree.map(lambda n, o: jnp.where(ok, n, o), new, old)
      bad = 1 - ok.astype(jnp.int32)
      new_state = TrainState(
          step=state.step + 1, params=keep(params, state.params),
          opt_state=keep(opt_state, state.opt_state),
          nonfinite_steps=state.nonfinite_steps + bad,
          nonfinite_in_a_row=(state.nonfinite_in_a_row + 1) * bad)
      out = {name: jnp.asarray(v, jnp.float32) for name, v in metrics.items()}
      out.update(loss=loss.astype(jnp.float32), grad_norm=grad_norm.astype(jnp.float32),
                 param_norm=param_norm.astype(jnp.float32),
                 nonfinite=bad, nonfinite_steps=new_state.nonfinite_steps,
                 nonfinite_in_a_row=new_state.nonfinite_in_a_row)
      if schedule is not None:
        out['learning_rate'] = jnp.asarray(
            schedule(state.step - state.nonfinite_steps), jnp.float32)
      return new_state, out

  return train_step


class EvalStep:
  """The one eval / predict step: ``step(params, batch) -> fn(model, batch)``, jitted like
  the train step (the mesh, the rules table, explicit shardings) but deterministic and
  without donation. Held-out MLM (``train.pretraining.HeldOutEval``), dev evaluation and
  prediction (``tasks.predictor.Predictor``, which serving runs through), and feature
  extraction (``features.FeatureExtractor``) all call it; each keeps its own batching.

  ``params``: the model's pure state dict, laid out by ``params_shardings``; ``batch``: a
  dict of arrays whose leading dimension is ``activation_batch`` (over the batch mesh axes;
  replicated when the rows do not divide by them). Outputs come back replicated, so every
  process can read all of them. One compile per batch shape; ``num_compiles`` counts them.
  """

  def __init__(self, graphdef: nnx.GraphDef, fn: Callable[[nnx.Module, Mapping], Any],
               mesh: jax.sharding.Mesh, params_shardings: Any, rules=partitioning.RULES, *,
               name: str = 'eval'):
    self.graphdef, self.mesh, self.rules, self.name = graphdef, mesh, rules, name
    self.params_shardings = params_shardings

    def eval_step(params, batch):
      with partitioning.activation_sharding(mesh, rules):
        return fn(nnx.merge(graphdef, params), batch)

    self._eval_step = eval_step
    self._jitted: dict[jax.sharding.NamedSharding, Any] = {}  # by batch sharding

  def batch_sharding(self, rows: int) -> jax.sharding.NamedSharding:
    return partitioning.rows_sharding(self.mesh, rows, self.rules)

  def place(self, batch: Mapping[str, Any]) -> dict[str, jax.Array]:
    """A host batch that every process holds whole -> global arrays on the mesh."""
    sharding = self.batch_sharding(len(next(iter(batch.values()))))
    place = lambda x: jax.make_array_from_callback(np.shape(x), sharding, lambda i: x[i])
    return {k: place(np.asarray(v)) for k, v in batch.items()}

  def __call__(self, params: Any, batch: Mapping[str, Any]) -> Any:
    sharding = self.batch_sharding(len(next(iter(batch.values()))))
    run = self._jitted.get(sharding)
    if run is None:
      run = self._jitted[sharding] = jax.jit(
          self._eval_step, in_shardings=(self.params_shardings, sharding),
          out_shardings=partitioning.replicated(self.mesh))
      if len({d.process_index for d in self.mesh.devices.flat}) > 1:
        # every process of the mesh compiled it before the first collective
        distributed.compile_and_meet(run, params, batch, name=f'{self.name}{len(self._jitted)}')
    return run(params, batch)

  @property
  def num_compiles(self) -> int:
    return sum(f._cache_size() for f in self._jitted.values())  # pylint: disable=protected-access


def make_eval_step(model: nnx.Module, fn: Callable[[nnx.Module, Mapping], Any], *,
                   mesh: jax.sharding.Mesh | None = None, rules=partitioning.RULES,
                   name: str = 'eval') -> EvalStep:
  """The ``EvalStep`` of ``fn`` for ``model`` (real or abstract: its graph and its
  parameters' logical axes) on ``mesh``; ``None``: ``partitioning.local_mesh()``, where a
  model built outside any mesh holds its arrays. Call it with
  ``nnx.to_pure_dict(nnx.state(model))``."""
  mesh = partitioning.local_mesh() if mesh is None else mesh
  graphdef, state = nnx.split(model)
  return EvalStep(graphdef, fn, mesh, partitioning.state_shardings(state, mesh, rules), rules,
                  name=name)


def _maybe_activation_sharding(mesh, rules):
  if mesh is None:
    return contextlib.nullcontext()
  return partitioning.activation_sharding(mesh, rules)


def jit_train_step(train_step, state_shardings: Any, mesh: jax.sharding.Mesh,
                   rules=partitioning.RULES):
  """``jax.jit`` with explicit in/out shardings; the state (argument 0) is donated."""
  batch = partitioning.batch_sharding(mesh, rules)
  repl = partitioning.replicated(mesh)
  return jax.jit(train_step, in_shardings=(state_shardings, batch, repl),
                 out_shardings=(state_shardings, repl), donate_argnums=(0,))
