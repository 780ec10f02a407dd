"""Non-finite steps: skipped and counted, the run stops after too many in a row, and no
checkpoint ever holds non-finite parameters."""
import jax
import numpy as np
import orbax.checkpoint as ocp
import pytest

from bert_jax.train import checkpoints as ckpt_lib
from bert_jax.train import loop, partitioning
from bert_jax.train.step import TrainState
from test_train_support import (ToyModel, assert_trees_equal, committed_steps, one_device,
                                read_metrics, toy_config, toy_spec)

POISONED = (3, 6, 7, 8)   # steps whose batch makes the loss NaN
MAX_BAD = 3               # 6, 7, 8 in a row -> stop at step 8


@pytest.fixture(scope='module')
def poisoned_run(tmp_path_factory):
  workdir = tmp_path_factory.mktemp('nonfinite')
  # Warmup over 10 steps: the learning rate depends on the number of good steps, so a skipped
  # step that still advanced the schedule would show in the losses after it.
  config = toy_config(num_train_steps=20, checkpoint_every_steps=1, max_nonfinite_steps=MAX_BAD,
                      **{'optimizer.warmup_steps': 10})
  with pytest.raises(loop.NonFiniteError) as err:
    loop.train(config, workdir, toy_spec(poison_steps=POISONED), devices=one_device())
  return config, workdir, err.value


@pytest.fixture(scope='module')
def clean_run(tmp_path_factory):
  """The same batches without the poisoned ones: what the skipping run must equal."""
  workdir = tmp_path_factory.mktemp('nonfinite_ref')
  config = toy_config(num_train_steps=20, checkpoint_every_steps=0,
                      **{'optimizer.warmup_steps': 10})
  loop.train(config, workdir, toy_spec(skip_steps=POISONED), devices=one_device())
  return read_metrics(workdir)


def test_nonfinite_steps_are_skipped_counted_and_stop_the_run(poisoned_run, clean_run):
  _, workdir, err = poisoned_run
  rows = {r['step']: r for r in read_metrics(workdir)}
  assert f'max_nonfinite_steps={MAX_BAD}' in str(err)
  assert 'up to step 8' in str(err)
  # Step 8 (the third bad one in a row) raised before being logged; nothing after it ran.
  assert sorted(rows) == list(range(1, 8))
  # Counted.
  assert [rows[s]['nonfinite'] for s in range(1, 8)] == [0, 0, 1, 0, 0, 1, 1]
  assert [rows[s]['nonfinite_steps'] for s in range(1, 8)] == [0, 0, 1, 1, 1, 2, 3]
  assert [rows[s]['nonfinite_in_a_row'] for s in range(1, 8)] == [0, 0, 1, 0, 0, 1, 2]
  assert rows[3]['loss'] is None and rows[6]['loss'] is None  # NaN is logged as null
  # Skipped: the parameters after a bad step are those before it.
  assert rows[3]['param_norm'] == rows[2]['param_norm']
  assert rows[7]['param_norm'] == rows[6]['param_norm'] == rows[5]['param_norm']
  # ... and the good steps are exactly the run that never saw the bad batches (parameters,
  # optimizer state and learning-rate schedule all untouched by the skipped steps).
  good = [s for s in range(1, 8) if s not in POISONED]
  for k in ('loss', 'grad_norm', 'param_norm', 'learning_rate'):
    assert [rows[s][k] for s in good] == [r[k] for r in clean_run[:len(good)]], k


def test_no_checkpoint_holds_nonfinite_values(poisoned_run):
  config, workdir, _ = poisoned_run
  # Saved every step up to 7; step 8 stopped the run before its save.
  assert committed_steps(workdir) == list(range(1, 8))
  mesh = partitioning.make_mesh(config.mesh, one_device())
  plan = loop.plan_state(config, ToyModel, mesh)
  manager = ckpt_lib.make_manager(workdir, max_to_keep=0, async_save=False)
  try:
    saved = {}
    for step in range(1, 8):
      out = manager.restore(step, args=ocp.args.Composite(
          params=ocp.args.StandardRestore(plan.abstract.params),
          opt_state=ocp.args.StandardRestore(plan.abstract.opt_state)))
      for leaf in jax.tree.leaves((out['params'], out['opt_state'])):
        assert np.all(np.isfinite(np.asarray(leaf))), step
      saved[step] = out
  finally:
    manager.close()
  # The skipped steps saved the unchanged state.
  assert_trees_equal(saved[3]['params'], saved[2]['params'])
  assert_trees_equal(saved[7]['params'], saved[5]['params'])
  assert_trees_equal(saved[7]['opt_state'], saved[5]['opt_state'])
  with pytest.raises(AssertionError):
    assert_trees_equal(saved[4]['params'], saved[3]['params'])  # a good step did change them


def test_save_refuses_nonfinite_parameters(tmp_path):
  config = toy_config()
  mesh = partitioning.make_mesh(config.mesh, one_device())
  plan = loop.plan_state(config, ToyModel, mesh)
  state = plan.init()
  bad = jax.tree.map(lambda x: x.at[0].set(np.nan), state.params)
  manager = ckpt_lib.make_manager(tmp_path, async_save=False)
  try:
    with pytest.raises(FloatingPointError, match='not finite'):
      ckpt_lib.save(manager, TrainState(state.step, bad, state.opt_state,
                                        state.nonfinite_steps, state.nonfinite_in_a_row))
    manager.wait_until_finished()
  finally:
    manager.close()
  assert not list((tmp_path / 'checkpoints').iterdir())


def test_a_step_whose_new_parameters_overflow_is_skipped_though_loss_and_gradients_are_finite():
  """The guard checks the new parameters too (through their global norm): an update that
  overflows float32 leaves the old parameters in place."""
  import jax.numpy as jnp
  import optax
  from flax import nnx
  from bert_jax.train.step import make_train_step
  from test_train_support import toy_loss
  graphdef, params = nnx.split(ToyModel(nnx.Rngs(0)))
  params = nnx.to_pure_dict(params)
  batch = {'x': jnp.ones((8, 4)), 'y': jnp.full((8,), 3.0), 'poison': jnp.zeros((8,))}
  for lr, skipped in ((0.1, False), (3e38, True)):  # sgd: params - lr * grad -> +-inf
    tx = optax.sgd(lr)
    state = TrainState.create(params, tx)
    new, metrics = jax.jit(make_train_step(graphdef, toy_loss, tx))(state, batch,
                                                                    jax.random.key(0))
    assert np.isfinite(float(metrics['loss'])) and np.isfinite(float(metrics['grad_norm']))
    assert int(metrics['nonfinite']) == int(skipped)
    assert float(metrics['param_norm']) == pytest.approx(
        float(optax.tree.norm(new.params)), rel=1e-6)
    if skipped:
      assert_trees_equal(new.params, params)
    else:
      assert float(optax.tree.norm(jax.tree.map(jnp.subtract, new.params, params))) > 0
