"""BERT's optimizer recipe against NumPy transcriptions of the reference update rules.

References transcribed (line by line, float64):
- google-research/bert ``optimization.py``: ``create_optimizer`` (``polynomial_decay``
  over all steps + linear warmup, ``clip_by_global_norm(1.0)``) and
  ``AdamWeightDecayOptimizer.apply_gradients`` (no bias correction; weight decay added to
  the update for every parameter but LayerNorm and biases).
- TF-addons ``LAMB`` (``exclude_from_layer_adaptation`` defaulting to
  ``exclude_from_weight_decay``) = NVIDIA apex ``FusedLAMB(use_nvlamb=False)``.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from bert_jax.train import optimizer as opt_lib

N, W, PEAK, WD, B1, B2, EPS, CLIP = 10, 3, 1e-2, 0.01, 0.9, 0.999, 1e-6, 1.0


def _config(name, **kw):
  c = opt_lib.default_optimizer_config()
  c.name, c.learning_rate, c.warmup_steps, c.weight_decay = name, PEAK, W, WD
  c.b1, c.b2, c.eps, c.max_grad_norm = B1, B2, EPS, CLIP
  c.update(kw)
  return c


def _params():
  r = np.random.RandomState(0)
  return {'layer': {'kernel': r.randn(4, 3), 'bias': r.randn(3) * 0.1},
          'LayerNorm': {'scale': 1.0 + 0.1 * r.randn(3), 'bias': np.zeros(3)},
          'embed': {'embedding': r.randn(5, 3)}}


def _grads(step):
  r = np.random.RandomState(100 + step)
  return jax.tree.map(lambda p: r.randn(*p.shape) * (0.5 + step), _params())


def _decayed(path):
  return path[-1] in ('kernel', 'embedding')


def _leaves(tree):
  return {tuple(str(getattr(k, 'key', k)) for k in path): np.asarray(v, np.float64)
          for path, v in jax.tree_util.tree_leaves_with_path(tree)}


def bert_lr(step):
  """create_optimizer: polynomial_decay(peak, step, N, 0, power=1) + warmup overriding."""
  decayed = PEAK * (1 - min(step, N) / N)
  return PEAK * step / W if step < W else decayed


def hf_lr(step):
  """HF get_linear_schedule_with_warmup."""
  return PEAK * step / W if step < W else PEAK * max(0.0, (N - step) / (N - W))


def _clip(grads):
  norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
  return {k: g * CLIP / max(norm, CLIP) for k, g in grads.items()}


def reference(rule, steps):
  """The parameters after ``steps`` updates of a NumPy transcription of ``rule``."""
  params = _leaves(_params())
  m = {k: np.zeros_like(v) for k, v in params.items()}
  v = {k: np.zeros_like(x) for k, x in params.items()}
  for step in range(steps):
    grads = _clip(_leaves(_grads(step)))
    lr = bert_lr(step)
    for k, p in params.items():
      g = grads[k]
      m[k] = B1 * m[k] + (1 - B1) * g
      v[k] = B2 * v[k] + (1 - B2) * g * g
      if rule == 'bert_adam':  # AdamWeightDecayOptimizer: no bias correction
        update = m[k] / (np.sqrt(v[k]) + EPS)
        if _decayed(k):
          update = update + WD * p
        params[k] = p - lr * update
      else:  # TF-addons LAMB
        t = step + 1
        update = (m[k] / (1 - B1 ** t)) / (np.sqrt(v[k] / (1 - B2 ** t)) + EPS)
        ratio = 1.0
        if _decayed(k):
          update = update + WD * p
          w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(update)
          ratio = w_norm / g_norm if w_norm > 0 and g_norm > 0 else 1.0
        params[k] = p - ratio * lr * update
  return params


def ours(config, steps):
  tx, _ = opt_lib.make_optimizer(config, N)
  params = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), _params())
  state = tx.init(params)
  for step in range(steps):
    grads = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), _grads(step))
    updates, state = tx.update(grads, state, params)
    params = optax.apply_updates(params, updates)
  return _leaves(params)


def test_bert_schedule_decays_over_all_steps_from_step_0():
  bert = opt_lib.make_schedule(_config('adamw', schedule='bert'), N)
  hf = opt_lib.make_schedule(_config('adamw', schedule='hf'), N)
  for step in range(N + 1):
    assert float(bert(step)) == pytest.approx(bert_lr(step), rel=1e-6, abs=1e-12), step
    assert float(hf(step)) == pytest.approx(hf_lr(step), rel=1e-6, abs=1e-12), step
  # Right after warmup BERT's rate is peak * (1 - W/N), not the peak.
  assert float(bert(W)) == pytest.approx(PEAK * (1 - W / N))
  assert float(hf(W)) == pytest.approx(PEAK)


@pytest.mark.parametrize('rule,config', [
    ('bert_adam', _config('adamw', schedule='bert', bias_correction=False)),
    ('tfa_lamb', _config('lamb', schedule='bert', layer_adaptation='decayed')),
    ('bert_adam', opt_lib.bert_recipe(_config('adamw'))),
    ('tfa_lamb', opt_lib.bert_recipe(_config('lamb'))),
])
def test_matches_reference_update_rule(rule, config):
  steps = 8
  want, got = reference(rule, steps), ours(config, steps)
  start = _leaves(_params())
  for k in want:
    # Every parameter moved, and exactly as the reference says.
    assert np.max(np.abs(want[k] - start[k])) > 1e-4, k
    np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-6, err_msg=str(k))


@pytest.mark.parametrize('rule,config', [
    ('bert_adam', _config('adamw', schedule='bert')),  # bias-corrected (optax.adamw)
    ('tfa_lamb', _config('lamb', schedule='bert')),    # trust ratio everywhere (optax.lamb)
])
def test_defaults_differ_from_the_reference(rule, config):
  """The defaults stay optax's; the reference rules are not what they compute (the
  comparison above can fail)."""
  want, got = reference(rule, 8), ours(config, 8)
  assert max(np.max(np.abs(got[k] - want[k])) for k in want) > 1e-4


def test_presets_use_bert_recipe():
  import configs.pretrain as pretrain_configs  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.config import base_config  # pylint: disable=g-import-not-at-top
  bert = {'schedule': 'bert', 'bias_correction': False, 'layer_adaptation': 'decayed'}
  hf = {'schedule': 'hf', 'bias_correction': True, 'layer_adaptation': 'all'}
  for preset in ('base', 'large', 'base_phase2'):
    o = pretrain_configs.get_config(preset).optimizer
    assert o.recipe == 'bert' and opt_lib.recipe_settings(o) == bert
  o = pretrain_configs.get_config('demo').optimizer
  assert o.recipe == 'hf' and opt_lib.recipe_settings(o) == hf
  cfg = base_config('classification')  # fine-tuning reads the same key the same way
  o = driver.train_config(cfg, 320).optimizer
  assert o.recipe == 'bert' and opt_lib.recipe_settings(o) == bert
  cfg.optimizer.recipe = 'hf'
  o = driver.train_config(cfg, 320).optimizer
  assert opt_lib.recipe_settings(o) == hf
  o.bias_correction = False  # a key that is set wins over the recipe's value
  assert opt_lib.recipe_settings(o) == {**hf, 'bias_correction': False}


def test_bad_recipe_values_are_input_errors():
  from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
  with pytest.raises(InputError, match='optimizer.schedule'):
    opt_lib.make_schedule(_config('adamw', schedule='t5'), N)
  with pytest.raises(InputError, match='optimizer.layer_adaptation'):
    opt_lib.make_optimizer(_config('lamb', layer_adaptation='some'), N)
  with pytest.raises(InputError, match='optimizer.recipe'):
    opt_lib.make_optimizer(_config('adamw', recipe='tf'), N)
