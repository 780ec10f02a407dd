"""The optimizer from ``config.optimizer``: AdamW or LAMB, warmup + decay, clipping.

  tx, schedule = make_optimizer(config.optimizer, num_train_steps)

- ``name``: 'adamw' (BERT's Adam with decoupled weight decay) or 'lamb' (large batches).
- Weight decay only on matrices (``kernel``, ``embedding``); never on LayerNorm scales
  and biases, as google-research/bert.
- Schedule: linear warmup over ``warmup_steps`` (or ``warmup_fraction`` of the run) to
  ``learning_rate``, then ``decay``: 'linear' / 'polynomial' (``power``) down to
  ``end_learning_rate``, 'cosine', or 'constant'.
- ``max_grad_norm`` > 0: clip by global norm before the optimizer.
- ``freeze``: comma-separated parameter path prefixes ('bert' = the encoder) that get
  no update and no weight decay (feature-based fine-tuning).

Gradient accumulation is not an optax wrapper here: the train step scans over
microbatches (``bert_jax.train.step``), which keeps one optimizer update per step and
makes the accumulated gradient equal to the full-batch one.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import ml_collections
import optax

from bert_jax.errors import InputError

DECAYED_LEAVES = ('kernel', 'embedding')


def default_optimizer_config() -> ml_collections.ConfigDict:
  """BERT's pretraining optimizer (Adam, lr 1e-4, warmup 10k steps, wd 0.01, clip 1.0)."""
  c = ml_collections.ConfigDict()
  c.name = 'adamw'             # 'adamw' | 'lamb'
  c.learning_rate = 1e-4       # peak
  c.warmup_steps = 10_000      # -1: use warmup_fraction
  c.warmup_fraction = 0.0      # of num_train_steps, when warmup_steps == -1
  c.decay = 'linear'           # 'linear' | 'polynomial' | 'cosine' | 'constant'
  c.power = 1.0                # 'polynomial' decay exponent
  c.end_learning_rate = 0.0
  c.b1 = 0.9
  c.b2 = 0.999
  c.eps = 1e-6
  c.weight_decay = 0.01
  c.max_grad_norm = 1.0        # <= 0: no clipping
  c.grad_accum_steps = 1       # microbatches per step (the global batch is split)
  c.freeze = ''                # comma-separated param path prefixes that are not trained
  return c


def warmup_steps(opt_config, num_train_steps: int) -> int:
  steps = int(opt_config.warmup_steps)
  if steps < 0:
    steps = int(round(float(opt_config.warmup_fraction) * num_train_steps))
  return max(0, min(steps, num_train_steps))


def make_schedule(opt_config, num_train_steps: int) -> optax.Schedule:
  """Linear warmup to the peak, then the configured decay until ``num_train_steps``."""
  peak = float(opt_config.learning_rate)
  end = float(opt_config.end_learning_rate)
  warm = warmup_steps(opt_config, num_train_steps)
  rest = max(1, num_train_steps - warm)
  decay = opt_config.decay
  if decay in ('linear', 'polynomial'):
    power = 1.0 if decay == 'linear' else float(opt_config.power)
    after = optax.polynomial_schedule(peak, end, power, rest)
  elif decay == 'cosine':
    after = optax.cosine_decay_schedule(peak, rest, alpha=end / peak if peak else 0.0)
  elif decay == 'constant':
    after = optax.constant_schedule(peak)
  else:
    raise InputError(f'optimizer.decay={decay!r}; expected linear, polynomial, cosine or '
                     'constant.')
  if warm == 0:
    return after
  return optax.join_schedules([optax.linear_schedule(0.0, peak, warm), after], [warm])


def _path_names(path) -> tuple[str, ...]:
  return tuple(str(getattr(k, 'key', getattr(k, 'idx', k))) for k in path)


def decay_mask(params: Any) -> Any:
  """True for the leaves that get weight decay (matrices; not LayerNorm, not biases)."""
  return jax.tree_util.tree_map_with_path(
      lambda path, _: _path_names(path)[-1] in DECAYED_LEAVES, params)


def frozen_mask(params: Any, prefixes: str) -> Any:
  """True for the leaves under one of the comma-separated path ``prefixes`` (e.g. 'bert')."""
  wanted = [tuple(p.strip().strip('/').split('/')) for p in prefixes.split(',') if p.strip()]

  def frozen(path, _):
    names = _path_names(path)
    return any(names[:len(w)] == w for w in wanted)

  return jax.tree_util.tree_map_with_path(frozen, params)


def make_optimizer(opt_config, num_train_steps: int
                   ) -> tuple[optax.GradientTransformation, optax.Schedule]:
  """(optax transformation, learning-rate schedule) from ``config.optimizer``."""
  schedule = make_schedule(opt_config, num_train_steps)
  wd = float(opt_config.weight_decay)
  name = opt_config.name
  if name == 'adamw':
    core = optax.adamw(schedule, b1=opt_config.b1, b2=opt_config.b2, eps=opt_config.eps,
                       weight_decay=wd, mask=decay_mask)
  elif name == 'lamb':
    core = optax.lamb(schedule, b1=opt_config.b1, b2=opt_config.b2, eps=opt_config.eps,
                      weight_decay=wd, mask=decay_mask)
  else:
    raise InputError(f'optimizer.name={name!r}; expected adamw or lamb.')
  parts = []
  if float(opt_config.max_grad_norm) > 0:
    parts.append(optax.clip_by_global_norm(float(opt_config.max_grad_norm)))
  parts.append(core)
  tx = optax.chain(*parts)
  freeze = opt_config.get('freeze', '') or ''
  if freeze:
    label: Callable[[Any], Any] = lambda p: jax.tree.map(
        lambda f: 'frozen' if f else 'trained', frozen_mask(p, freeze))
    tx = optax.multi_transform({'trained': tx, 'frozen': optax.set_to_zero()}, label)
  return tx, schedule
