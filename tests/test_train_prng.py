"""``config.prng_impl``: the dropout keys' PRNG (threefry2x32 default, rbg / unsafe_rbg as
MaxText and T5X offer). Init stays threefry; a run with 'rbg' trains, with dropout on and
packed batches, and a stopped run resumed to the end equals the uninterrupted one bit for
bit (losses of every step and the final parameters)."""
import dataclasses
import os
import signal

import jax
import numpy as np
import pytest
from flax import nnx

from bert_jax.errors import InputError
from bert_jax.train import loop
from bert_jax.train.pretraining import make_pretraining_spec
from test_train_support import (TIMING_KEYS, assert_trees_equal, committed_steps, one_device,
                                read_metrics, tiny_config)


def test_seed_keys_impl_changes_only_the_dropout_key():
  init, drop = loop.seed_keys(3)
  init_rbg, drop_rbg = loop.seed_keys(3, 'rbg')
  assert jax.random.key_impl(drop) == jax.random.key_impl(init_rbg)  # threefry2x32
  assert str(jax.random.key_impl(drop_rbg)) != str(jax.random.key_impl(drop))
  assert 'rbg' in str(jax.random.key_impl(drop_rbg))
  np.testing.assert_array_equal(jax.random.key_data(init), jax.random.key_data(init_rbg))
  assert 'unsafe_rbg' in str(jax.random.key_impl(loop.seed_keys(3, 'unsafe_rbg')[1]))
  with pytest.raises(InputError, match='prng_impl'):
    loop.seed_keys(3, 'philox')


class _LastParams:
  """An ``eval_fn`` keeping the parameters it is given (the loop calls it at the end)."""

  def __init__(self):
    self.params = None

  def __call__(self, model, mesh):
    del mesh
    self.params = jax.device_get(nnx.to_pure_dict(nnx.state(model, nnx.Param)))
    return {}


class _PreemptAt:
  """Wraps the input iterator: SIGTERM to this process (a preemption: the loop saves and
  returns) when the batch of step ``at`` is taken; ``at=0``: never."""

  def __init__(self, inner, at):
    self.inner, self.at, self.taken = inner, at, 0

  def __iter__(self):
    return self

  def __next__(self):
    self.taken += 1
    if self.taken == self.at:
      os.kill(os.getpid(), signal.SIGTERM)
    return next(self.inner)

  def get_state(self):
    return self.inner.get_state()

  def set_state(self, state):
    self.inner.set_state(state)


def _train(workdir, *, preempt_at=0):
  config = tiny_config(**{'num_train_steps': 4, 'log_every_steps': 1,
                          'checkpoint_every_steps': 100, 'prng_impl': 'rbg',
                          'model.hidden_dropout_prob': 0.1,
                          'model.attention_probs_dropout_prob': 0.1,
                          'data.packing': True})
  spec = make_pretraining_spec(config)
  probe = _LastParams()
  spec = dataclasses.replace(spec, eval_fn=probe,
                             train_iter=_PreemptAt(spec.train_iter, preempt_at))
  result = loop.train(config, workdir, spec, devices=one_device())
  return result, probe.params


def _values(rows):
  return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in rows]


def test_rbg_dropout_trains_and_resumes_bitwise(tmp_path):
  ref, ref_params = _train(tmp_path / 'ref')
  assert (ref.status, ref.step) == ('completed', 4)
  reference = read_metrics(tmp_path / 'ref')
  assert all(np.isfinite(r['loss']) for r in reference)

  first, _ = _train(tmp_path / 'split', preempt_at=2)
  assert first.status == 'preempted' and 1 <= first.step < 4
  assert committed_steps(tmp_path / 'split') == [first.step]
  second, params = _train(tmp_path / 'split')
  assert (second.status, second.start_step, second.step) == ('completed', first.step, 4)
  assert _values(read_metrics(tmp_path / 'split')) == _values(reference)
  assert_trees_equal(params, ref_params)
