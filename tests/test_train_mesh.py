"""One pretraining run, four meshes: the same losses, really sharded parameters, one compile;
a checkpoint written on 8 devices restores on other meshes and training continues from it.

Every run is ``configs/pretrain.py:tiny`` (fp32, dropout 0), 5 steps, the same seed.
"""
import dataclasses
import shutil

import jax
import numpy as np
import pytest
from flax import nnx

from bert_jax.train import checkpoints as ckpt_lib
from bert_jax.train import loop, partitioning
from bert_jax.train.pretraining import make_pretraining_spec, prepare_batch, pretraining_loss
from test_train_support import (assert_trees_equal, committed_steps, flat, one_device,
                                read_metrics, set_mesh, tiny_config)

STEPS = 5
MESHES = {  # name -> (data, fsdp, tensor)
    '1 device': (1, 1, 1),
    'data=8': (8, 1, 1),
    'data=2 fsdp=4': (2, 4, 1),
    'data=2 fsdp=2 tensor=2': (2, 2, 2),
}
INTERMEDIATE = "['bert']['encoder']['layers'][0]['intermediate']['kernel']"  # [embed, mlp]
WORDS = "['bert']['embeddings']['word_embeddings']['embedding']"             # [vocab, embed]


class Probe:
  """An ``eval_fn`` that records the parameters it is given (sharded as in training), then
  runs the task's own evaluation if it has one."""

  def __init__(self, inner=None):
    self.inner = inner
    self.calls = 0
    self.params = self.specs = self.shard_shapes = None

  def __call__(self, model, mesh):
    self.calls += 1
    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    leaves = jax.tree_util.tree_leaves_with_path(params)
    self.specs = {jax.tree_util.keystr(p): x.sharding.spec for p, x in leaves}
    self.shard_shapes = {jax.tree_util.keystr(p): (x.shape, x.addressable_shards[0].data.shape)
                         for p, x in leaves}
    self.params = jax.device_get(params)
    return self.inner(model, mesh) if self.inner is not None else {}


@dataclasses.dataclass
class Run:
  config: object
  workdir: object
  result: loop.TrainResult
  probe: Probe
  rows: list


def _train(workdir, shape, **overrides) -> Run:
  settings = dict(num_train_steps=STEPS, log_every_steps=1, checkpoint_every_steps=0)
  config = set_mesh(tiny_config(**{**settings, **overrides}), *shape)
  task = make_pretraining_spec(config)
  probe = Probe(task.eval_fn)
  task = dataclasses.replace(task, eval_fn=probe)
  devices = one_device() if shape == (1, 1, 1) else None
  result = loop.train(config, workdir, task, devices=devices)
  return Run(config, workdir, result, probe, read_metrics(workdir))


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
  out = {}
  for name, shape in MESHES.items():
    extra = {}
    if name == 'data=8':  # this one also evaluates and checkpoints along the way
      extra = dict(eval=True, eval_every_steps=2, eval_batches=1, checkpoint_every_steps=2)
    out[name] = _train(tmp_path_factory.mktemp('mesh'), shape, **extra)
  return out


@pytest.mark.parametrize('name', [n for n in MESHES if n != '1 device'])
def test_losses_agree_with_one_device(runs, name):
  ref = [r['loss'] for r in runs['1 device'].rows]
  got = [r['loss'] for r in runs[name].rows]
  assert [r['step'] for r in runs[name].rows] == list(range(1, STEPS + 1))
  assert len(set(ref)) == STEPS  # the runs do train
  np.testing.assert_allclose(got, ref, rtol=1e-5, atol=0)
  for key in ('mlm_loss', 'nsp_loss', 'grad_norm', 'param_norm'):
    np.testing.assert_allclose([r[key] for r in runs[name].rows],
                               [r[key] for r in runs['1 device'].rows], rtol=1e-5, err_msg=key)
  # The final parameters too (the first loss alone would not see the updates).
  ref_params, params = flat(runs['1 device'].probe.params), flat(runs[name].probe.params)
  for k in ref_params:
    np.testing.assert_allclose(params[k], ref_params[k], rtol=1e-4, atol=1e-6, err_msg=k)


@pytest.mark.parametrize('name,intermediate,words', [
    ('data=2 fsdp=4', (32, 512), (8000, 32)),
    ('data=2 fsdp=2 tensor=2', (64, 256), (4000, 64)),
])
def test_parameters_are_sharded(runs, name, intermediate, words):
  probe = runs[name].probe
  assert probe.specs[INTERMEDIATE] == jax.sharding.PartitionSpec('fsdp', 'tensor')
  assert probe.specs[WORDS] == jax.sharding.PartitionSpec('tensor', 'fsdp')
  assert probe.shard_shapes[INTERMEDIATE] == ((128, 512), intermediate)
  assert probe.shard_shapes[WORDS] == ((8000, 128), words)


@pytest.mark.parametrize('name', ['1 device', 'data=8'])
def test_data_parallel_replicates_parameters(runs, name):
  for key, (shape, shard) in runs[name].probe.shard_shapes.items():
    assert shape == shard, key


def test_train_step_compiles_once_with_logging_eval_and_checkpoints(runs):
  run = runs['data=8']
  assert run.result.train_step_compiles == 1
  # ... over a run that did log, evaluate and checkpoint in between.
  assert [r['step'] for r in run.rows] == [1, 2, 3, 4, 5]
  evals = read_metrics(run.workdir, 'eval_metrics.jsonl')
  assert [r['step'] for r in evals] == [2, 4, 5] and run.probe.calls == 3
  assert all(0 <= r['mlm_accuracy'] <= 1 and r['num_predictions'] > 0 for r in evals)
  assert committed_steps(run.workdir) == [2, 4, 5]
  for name in MESHES:
    assert runs[name].result.train_step_compiles == 1, name


@pytest.mark.parametrize('shape', [(1, 1, 1), (2, 2, 2)])
def test_checkpoint_of_8_devices_restores_on_another_mesh(runs, shape):
  src = runs['data=8']
  config = set_mesh(src.config.copy_and_resolve_references(), *shape)
  mesh = partitioning.make_mesh(config.mesh, one_device() if shape == (1, 1, 1) else None)
  plan = loop.plan_state(config, make_pretraining_spec(config).build_model, mesh)
  manager = ckpt_lib.make_manager(src.workdir, async_save=False)
  try:
    restored = ckpt_lib.restore_latest(manager, plan.abstract)
  finally:
    manager.close()
  assert restored.step == STEPS and int(restored.state.step) == STEPS
  # Bit for bit the parameters training ended with on 8 devices ...
  assert_trees_equal(restored.state.params, src.probe.params)
  # ... placed as this mesh wants them.
  for (path, x), (_, want) in zip(jax.tree_util.tree_leaves_with_path(restored.state.params),
                                  jax.tree_util.tree_leaves_with_path(plan.shardings.params)):
    assert x.sharding.is_equivalent_to(want, x.ndim), jax.tree_util.keystr(path)
  if shape == (2, 2, 2):
    words = restored.state.params['bert']['embeddings']['word_embeddings']['embedding']
    assert words.addressable_shards[0].data.shape == (4000, 64)
  mu = restored.state.opt_state[1][0].mu  # Adam's first moment: restored, not fresh zeros
  assert float(np.abs(np.asarray(mu['nsp']['kernel'])).max()) > 0


def test_rerun_with_more_steps_continues_on_one_device(runs, tmp_path):
  src = runs['data=8']
  workdir = tmp_path / 'w'
  shutil.copytree(src.workdir, workdir)
  config = set_mesh(tiny_config(num_train_steps=STEPS + 3, log_every_steps=1,
                                checkpoint_every_steps=0), 1, 1, 1)
  result = loop.train(config, workdir, make_pretraining_spec(config), devices=one_device())
  assert (result.start_step, result.step, result.status) == (STEPS, STEPS + 3, 'completed')
  assert result.train_step_compiles == 1
  rows = read_metrics(workdir)
  assert [r['step'] for r in rows] == list(range(1, STEPS + 4))
  assert rows[:STEPS] == src.rows  # the first run's lines, untouched
  assert committed_steps(workdir)[-1] == STEPS + 3

  # Independent check of step 6: the loss of the saved parameters on the 6th batch of a fresh
  # input pipeline (so both the parameters and the iterator position were restored).
  task = make_pretraining_spec(config)
  for _ in range(STEPS):
    next(task.train_iter)
  batch = next(task.train_iter)
  graphdef, state = nnx.split(task.build_model(nnx.Rngs(0)))
  nnx.replace_by_pure_dict(state, src.probe.params)
  loss_fn = jax.jit(lambda s, b: pretraining_loss(nnx.merge(graphdef, s), prepare_batch(b))[0])
  expected = float(loss_fn(state, batch))
  np.testing.assert_allclose(rows[STEPS]['loss'], expected, rtol=1e-5)
