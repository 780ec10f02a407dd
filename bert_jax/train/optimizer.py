"""The optimizer from ``config.optimizer``: AdamW or LAMB, warmup + decay, clipping.

  tx, schedule = make_optimizer(config.optimizer, num_train_steps)

- ``name``: 'adamw' (Adam with weight decay added to the update, as BERT's
  ``AdamWeightDecayOptimizer`` and ``optax.adamw``) or 'lamb' (large batches).
- Weight decay only on matrices (``kernel``, ``embedding``); never on LayerNorm scales
  and biases, as google-research/bert.
- ``bias_correction`` (adamw): True = Adam's bias-corrected moments (``optax.adamw``);
  False = google-research/bert ``optimization.py`` ``AdamWeightDecayOptimizer``, which
  uses the raw moments ``m / (sqrt(v) + eps)``.
- ``layer_adaptation`` (lamb): 'all' = the trust ratio on every parameter
  (``optax.lamb``); 'decayed' = only on the parameters that get weight decay, LayerNorm
  scales and biases are excluded, as TF-addons ``LAMB`` (``exclude_from_layer_adaptation``
  defaults to ``exclude_from_weight_decay``) and NVIDIA apex ``FusedLAMB(use_nvlamb=False)``.
- Schedule: linear warmup over ``warmup_steps`` W (or ``warmup_fraction`` of the run) to
  ``learning_rate``, then ``decay``: 'linear' / 'polynomial' (``power``) down to
  ``end_learning_rate``, 'cosine', or 'constant'. ``schedule`` says over which steps the
  decay runs:
    'hf'   over the N - W steps after warmup (the peak is reached at step W; Hugging Face
           ``get_linear_schedule_with_warmup``);
    'bert' over all N steps from step 0, warmup overriding it before W (so at step W the
           rate is ``peak * (1 - W/N)``): google-research/bert ``create_optimizer``
           (``polynomial_decay(lr, step, N)`` + ``lr * step / W`` while ``step < W``).
- ``recipe``: the defaults of those three, 'hf' (schedule 'hf', bias correction, LAMB
  layer adaptation everywhere: optax's and Hugging Face's) or 'bert' (google-research/bert's
  reference behaviour: schedule 'bert', no bias correction, LAMB layer adaptation only on
  decayed parameters). ``schedule`` / ``bias_correction`` / ``layer_adaptation`` left at
  None take the recipe's value; one that is set wins over it. Pretraining and fine-tuning
  read it the same way (``recipe_settings``); ``bert_recipe(c)`` sets ``c.recipe='bert'``.
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
import jax.numpy as jnp
import ml_collections
import optax
from ml_collections import config_dict

from bert_jax.config_checks import check_optimizer
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
  c.recipe = 'hf'              # 'hf' (optax / Hugging Face) | 'bert' (google-research/bert)
  # None: the recipe's value (RECIPES); set one to override that part of the recipe.
  c.schedule = config_dict.placeholder(str)         # 'hf': decay over the steps after warmup
  #                                                   'bert': over all steps from step 0
  c.bias_correction = config_dict.placeholder(bool)  # adamw: False = BERT's AdamWeightDecay
  c.layer_adaptation = config_dict.placeholder(str)  # lamb: 'all' (optax.lamb) | 'decayed'
  return c


# optimizer.recipe -> the values of schedule, bias_correction, layer_adaptation it implies.
RECIPES = {
    'hf': {'schedule': 'hf', 'bias_correction': True, 'layer_adaptation': 'all'},
    'bert': {'schedule': 'bert', 'bias_correction': False, 'layer_adaptation': 'decayed'},
}


def recipe_settings(opt_config) -> dict[str, Any]:
  """``{'schedule', 'bias_correction', 'layer_adaptation'}`` of an optimizer config: the
  keys that are set, else the values of its ``recipe`` (default 'hf')."""
  recipe = opt_config.get('recipe', 'hf') or 'hf'
  if recipe not in RECIPES:
    raise InputError(f'--config.optimizer.recipe={recipe!r}; expected bert '
                     '(google-research/bert\'s optimizer and schedule) or hf (Hugging Face\'s).')
  out = dict(RECIPES[recipe])
  for k in out:
    if opt_config.get(k) is not None:
      out[k] = opt_config.get(k)
  return out


def bert_recipe(c: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """``c`` (an optimizer config) switched to google-research/bert's recipe
  (``c.recipe = 'bert'``): the decay over all steps from step 0, Adam without bias
  correction, LAMB layer adaptation only on the parameters that get weight decay.
  Returns ``c``."""
  c.recipe = 'bert'
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
  kind = recipe_settings(opt_config)['schedule']
  if kind not in ('hf', 'bert'):
    raise InputError(f'optimizer.schedule={kind!r}; expected hf (decay over the steps after '
                     'warmup) or bert (decay over all steps from step 0).')
  # 'bert': the decay is a function of the global step over all N steps; 'hf': of the
  # steps since the end of warmup, over N - W.
  rest = max(1, num_train_steps if kind == 'bert' else num_train_steps - warm)
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
  if kind == 'bert':
    return lambda step: jnp.where(step < warm, peak * step / warm, after(step))
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


def scale_by_adam_without_bias_correction(b1: float, b2: float, eps: float
                                          ) -> optax.GradientTransformation:
  """``m / (sqrt(v) + eps)`` with the raw (not bias-corrected) moments, as
  google-research/bert's ``AdamWeightDecayOptimizer``. The state is optax's
  ``ScaleByAdamState``, so checkpoints and shardings treat it as ``scale_by_adam``'s."""

  def init(params):
    zeros = lambda p: jnp.zeros_like(p)
    return optax.ScaleByAdamState(count=jnp.zeros([], jnp.int32),
                                  mu=jax.tree.map(zeros, params),
                                  nu=jax.tree.map(zeros, params))

  def update(updates, state, params=None):
    del params
    mu = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state.mu, updates)
    nu = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state.nu, updates)
    out = jax.tree.map(lambda m, v: m / (jnp.sqrt(v) + eps), mu, nu)
    count = optax.safe_increment(state.count)
    return out, optax.ScaleByAdamState(count=count, mu=mu, nu=nu)

  return optax.GradientTransformation(init, update)


def make_optimizer(opt_config, num_train_steps: int
                   ) -> tuple[optax.GradientTransformation, optax.Schedule]:
  """(optax transformation, learning-rate schedule) from ``config.optimizer``."""
  check_optimizer(opt_config)
  schedule = make_schedule(opt_config, num_train_steps)
  recipe = recipe_settings(opt_config)
  wd = float(opt_config.weight_decay)
  name = opt_config.name
  b1, b2, eps = float(opt_config.b1), float(opt_config.b2), float(opt_config.eps)
  if name == 'adamw':
    if recipe['bias_correction']:
      core = optax.adamw(schedule, b1=b1, b2=b2, eps=eps, weight_decay=wd, mask=decay_mask)
    else:
      core = optax.chain(scale_by_adam_without_bias_correction(b1, b2, eps),
                         optax.add_decayed_weights(wd, decay_mask),
                         optax.scale_by_learning_rate(schedule))
  elif name == 'lamb':
    adaptation = recipe['layer_adaptation']
    if adaptation == 'all':
      core = optax.lamb(schedule, b1=b1, b2=b2, eps=eps, weight_decay=wd, mask=decay_mask)
    elif adaptation == 'decayed':
      core = optax.chain(optax.scale_by_adam(b1, b2, eps),
                         optax.add_decayed_weights(wd, decay_mask),
                         optax.masked(optax.scale_by_trust_ratio(), decay_mask),
                         optax.scale_by_learning_rate(schedule))
    else:
      raise InputError(f'optimizer.layer_adaptation={adaptation!r}; expected all or decayed.')
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
