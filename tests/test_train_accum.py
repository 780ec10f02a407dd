"""Gradient accumulation: k microbatches of B/k rows make the same step as one batch of B."""
import dataclasses

import jax
import numpy as np
import optax
import pytest

from bert_jax.errors import InputError

from bert_jax.train import loop, partitioning
from bert_jax.train.pretraining import make_pretraining_spec
from bert_jax.train.step import TrainState, jit_train_step, make_train_step
from test_train_support import (flat, one_device, read_metrics, set_mesh, tiny_config,
                                toy_config, toy_loss, toy_spec)

K = 4


def test_accumulated_pretraining_step_equals_the_full_batch_step():
  # 16 rows = 4 x 4 on a (data=2, fsdp=2) mesh: each microbatch of 4 rows is spread over
  # the 4 devices. Plain SGD (lr 1) makes the parameter update the gradient itself, so
  # "same updated parameters" means "same gradients" (Adam's first step, ~lr * sign(g),
  # would hide gradient differences).
  config = set_mesh(tiny_config(), 2, 2, 1)
  task = make_pretraining_spec(config)
  batch = next(task.train_iter)
  assert batch['input_ids'].shape[0] == K * 4
  weights = batch['masked_lm_weights'].reshape(-1, K, batch['masked_lm_weights'].shape[1])
  # The microbatches hold different numbers of masked tokens: a per-microbatch mean would
  # differ from the full-batch one, the global normaliser (prepare_batch) makes them equal.
  assert len({float(weights[:, i].sum()) for i in range(K)}) > 1

  mesh = partitioning.make_mesh(config.mesh, jax.devices()[:4])
  plan = loop.plan_state(config, task.build_model, mesh)
  tx = optax.sgd(1.0)
  init_params = jax.device_get(plan.init().params)
  shardings = TrainState(step=plan.shardings.step, params=plan.shardings.params,
                         opt_state=jax.tree.map(lambda _: partitioning.replicated(mesh),
                                                tx.init(init_params)),
                         nonfinite_steps=plan.shardings.step,
                         nonfinite_in_a_row=plan.shardings.step)
  out = {}
  for k in (1, K):
    step = jit_train_step(
        make_train_step(plan.graphdef, task.loss_fn, tx, grad_accum_steps=k,
                        prepare_batch=task.prepare_batch, mesh=mesh),
        shardings, mesh)
    state = jax.device_put(TrainState.create(init_params, tx), shardings)
    new_state, metrics = step(state, partitioning.shard_batch(batch, mesh), jax.random.key(0))
    out[k] = jax.device_get(metrics), flat(new_state.params)

  (m1, p1), (mk, pk) = out[1], out[K]
  for key in ('loss', 'mlm_loss', 'nsp_loss', 'mlm_accuracy', 'nsp_accuracy', 'grad_norm'):
    np.testing.assert_allclose(mk[key], m1[key], rtol=1e-5, err_msg=key)
  before = flat(init_params)
  update_1 = {n: p1[n] - before[n] for n in p1}
  update_k = {n: pk[n] - before[n] for n in p1}
  u1 = np.concatenate([u.ravel() for u in update_1.values()])
  uk = np.concatenate([u.ravel() for u in update_k.values()])
  assert np.linalg.norm(u1) > 0.1  # lr 1: the update is the (non-trivial) gradient
  assert np.linalg.norm(uk - u1) / np.linalg.norm(u1) < 1e-5
  scale = np.abs(u1).max()  # some gradients are ~0 in exact arithmetic (e.g. key biases)
  for name in p1:
    np.testing.assert_allclose(update_k[name], update_1[name], rtol=1e-4, atol=1e-6 * scale,
                               err_msg=name)
    np.testing.assert_allclose(pk[name], p1[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_loop_reads_grad_accum_steps(tmp_path):
  """Through ``train`` with the configured AdamW: 3 steps with accumulation = without, and
  the loss really saw microbatches."""
  rows, traced_rows = {}, {}
  for k in (1, K):
    seen = []

    def loss_fn(model, batch, rng, seen=seen):
      seen.append(batch['x'].shape[0])  # at trace time
      return toy_loss(model, batch, rng)

    config = toy_config(num_train_steps=3, checkpoint_every_steps=0,
                        **{'optimizer.grad_accum_steps': k})
    task = dataclasses.replace(toy_spec(), loss_fn=loss_fn)
    loop.train(config, tmp_path / str(k), task, devices=one_device())
    rows[k], traced_rows[k] = read_metrics(tmp_path / str(k)), set(seen)
  assert traced_rows == {1: {8}, K: {8 // K}}
  assert [r['step'] for r in rows[K]] == [1, 2, 3]
  for key in ('loss', 'grad_norm', 'param_norm'):
    np.testing.assert_allclose([r[key] for r in rows[K]], [r[key] for r in rows[1]],
                               rtol=1e-5, err_msg=key)


def test_batch_must_divide_into_microbatches(tmp_path):
  config = toy_config(global_batch_size=6, **{'optimizer.grad_accum_steps': K})
  with pytest.raises(InputError, match='multiple of 4'):
    loop.train(config, tmp_path, toy_spec(batch_size=6), devices=one_device())
