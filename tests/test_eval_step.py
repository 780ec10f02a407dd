"""The one eval / predict step (``bert_jax.train.step.EvalStep``): the same numbers on one
device and on 8 (data, FSDP and tensor parallel), every inference caller runs through it,
and the rules table places every activation name by itself.

A tiny random BERT (fp32, 2 layers); the batches are random ids.
"""
import types

import jax
import numpy as np
import pytest
from flax import nnx

from bert_jax import features
from bert_jax.masks import make_attention_mask
from bert_jax.models import BertConfig, BertForPreTraining, BertModel, layers
from bert_jax.serve import runners
from bert_jax.tasks.predictor import Predictor
from bert_jax.train import partitioning, pretraining
from bert_jax.train import step as step_lib

CFG = BertConfig.preset('tiny', vocab_size=64, max_position_embeddings=32)
B, L, P = 8, 16, 4
MESHES = {'data=8': (8, 1, 1), 'data=2 fsdp=2 tensor=2': (2, 2, 2),
          'data=2 fsdp=4': (2, 4, 1)}


def _mesh(shape):
  devices = jax.devices()[:1] if shape == (1, 1, 1) else None
  return partitioning.make_mesh(dict(zip(partitioning.MESH_AXES, shape)), devices)


def _batch(seed=0, rows=B):
  rng = np.random.default_rng(seed)
  mask = np.ones((rows, L), np.int32)
  mask[:, L - 3:] = 0  # some padding
  return {'input_ids': rng.integers(1, CFG.vocab_size, (rows, L)).astype(np.int32),
          'token_type_ids': (np.arange(L) >= L // 2).astype(np.int32)[None].repeat(rows, 0),
          'attention_mask': mask,
          'masked_lm_positions': rng.integers(1, L - 3, (rows, P)).astype(np.int32),
          'masked_lm_ids': rng.integers(1, CFG.vocab_size, (rows, P)).astype(np.int32),
          'masked_lm_weights': np.ones((rows, P), np.float32),
          'next_sentence_label': rng.integers(0, 2, (rows,)).astype(np.int32)}


def _inputs(seed=0, rows=B):
  return {k: _batch(seed, rows)[k] for k in ('input_ids', 'token_type_ids', 'attention_mask')}


def _hidden(model, batch):
  out = model(batch['input_ids'], batch['token_type_ids'],
              make_attention_mask(batch['attention_mask']), output_hidden_states=True)
  return {'hidden_states': out.hidden_states, 'pooled': out.pooled_output}


def _on(model, mesh):
  """``model`` with its parameters laid out on ``mesh`` as the trainer lays them out."""
  graphdef, state = nnx.split(model)
  params = jax.device_put(nnx.to_pure_dict(state),
                          partitioning.state_shardings(state, mesh))
  return nnx.merge(graphdef, params)


@pytest.fixture(scope='module')
def encoder():
  return BertModel(CFG, rngs=nnx.Rngs(0))


@pytest.mark.parametrize('name', MESHES)
def test_same_outputs_on_one_device_and_on_8(encoder, name):
  batch = _inputs()
  one = step_lib.make_eval_step(encoder, _hidden)
  assert one.mesh.size == 1
  want = jax.device_get(one(nnx.to_pure_dict(nnx.state(encoder)), one.place(batch)))
  mesh = _mesh(MESHES[name])
  model = _on(encoder, mesh)
  step = step_lib.make_eval_step(model, _hidden, mesh=mesh)
  placed = step.place(batch)
  assert placed['input_ids'].sharding.spec == partitioning.batch_sharding(mesh).spec
  assert len(placed['input_ids'].addressable_shards) == 8
  got = step(nnx.to_pure_dict(nnx.state(model)), placed)
  assert all(x.sharding.is_fully_replicated for x in jax.tree.leaves(got))
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5),
               want, jax.device_get(got))
  step(nnx.to_pure_dict(nnx.state(model)), step.place(_inputs(1)))
  assert step.num_compiles == 1  # another batch of the same shape: no new compile


def test_rows_that_do_not_divide_the_batch_axes_are_replicated(encoder):
  mesh = _mesh((8, 1, 1))
  model = _on(encoder, mesh)
  step = step_lib.make_eval_step(model, _hidden, mesh=mesh)
  batch = _inputs(rows=3)
  placed = step.place(batch)
  assert placed['input_ids'].sharding.is_fully_replicated
  one = step_lib.make_eval_step(encoder, _hidden)
  want = one(nnx.to_pure_dict(nnx.state(encoder)), one.place(batch))
  got = step(nnx.to_pure_dict(nnx.state(model)), placed)
  np.testing.assert_allclose(got['pooled'], want['pooled'], rtol=2e-5, atol=2e-5)


# ----------------------------------------------------------------------------
# Every caller goes through it.
# ----------------------------------------------------------------------------
@pytest.fixture
def spy(monkeypatch):
  """Records each ``EvalStep`` that ``make_eval_step`` makes and each call of one."""
  made, calls = [], []
  real_make, real_call = step_lib.make_eval_step, step_lib.EvalStep.__call__

  def make(*args, **kwargs):
    made.append(real_make(*args, **kwargs))
    return made[-1]

  def call(self, params, batch):
    calls.append(self)
    return real_call(self, params, batch)

  monkeypatch.setattr(step_lib, 'make_eval_step', make)
  monkeypatch.setattr(step_lib.EvalStep, '__call__', call)
  return types.SimpleNamespace(made=made, calls=calls)


def test_held_out_mlm_runs_through_the_eval_step(spy):
  model = BertForPreTraining(CFG, rngs=nnx.Rngs(1))
  batches = [_batch(0), _batch(1)]
  want = pretraining.HeldOutEval(batches)(model, _mesh((1, 1, 1)))
  mesh = _mesh((2, 2, 2))
  heldout = pretraining.HeldOutEval(batches)
  got = heldout(_on(model, mesh), mesh)
  assert isinstance(heldout._step, step_lib.EvalStep) and heldout._step.mesh is mesh
  assert spy.made[-1] is heldout._step and spy.calls.count(heldout._step) == 2
  for k in ('mlm_loss', 'nsp_loss', 'mlm_accuracy', 'nsp_accuracy'):
    np.testing.assert_allclose(got[k], want[k], rtol=1e-5, atol=1e-6)


def test_dev_evaluation_and_prediction_run_through_the_eval_step(spy, encoder):
  task = types.SimpleNamespace(predict_fn=_hidden)
  arrays = _inputs(rows=5)
  local = Predictor(task, batch_size=4)
  want = local(encoder, arrays)
  assert spy.made == [local.step] and spy.calls == [local.step] * 2  # 5 rows: 2 batches
  mesh = _mesh((8, 1, 1))
  on_mesh = Predictor(task, batch_size=8, mesh=mesh)
  got = on_mesh(_on(encoder, mesh), arrays)
  assert spy.made[-1] is on_mesh.step and on_mesh.step.mesh is mesh
  assert got['pooled'].shape == (5, CFG.hidden_size)
  np.testing.assert_allclose(got['pooled'], want['pooled'], rtol=2e-5, atol=2e-5)


def test_feature_extraction_runs_through_the_eval_step(spy, encoder):
  ext = features.FeatureExtractor(encoder, max_seq_length=L, batch_size=2, layer_indexes=[-1])
  feats = [features.InputFeatures(0, ['[CLS]', 'a', '[SEP]'], [2, 7, 3], [0, 0, 0])]
  out = ext(feats)
  assert spy.made == [ext.step] and spy.calls == [ext.step]
  assert out.shape == (1, 1, L, CFG.hidden_size) and ext.num_compiles == 1


def test_serving_runs_through_the_eval_step(spy, encoder):
  runner = runners._Runner(encoder, _hidden, batch_size=2)  # pylint: disable=protected-access
  arrays = _inputs(rows=3)
  out = runner.predict(arrays)
  step = runner._predictor.step  # pylint: disable=protected-access
  assert spy.made == [step] and spy.calls == [step] * 2
  assert out['pooled'].shape == (3, CFG.hidden_size) and runner.traces == 1


# ----------------------------------------------------------------------------
# The rules table and the activation names.
# ----------------------------------------------------------------------------
def test_the_rules_table_resolves_every_activation_name():
  table = dict(partitioning.RULES)
  assert set(partitioning.ACTIVATION_AXES) <= set(table)
  used = {n for axes in (layers.ACT_HIDDEN, layers.ACT_HEADS, layers.ACT_MLP, layers.ACT_VOCAB)
          for n in axes}
  assert used <= set(partitioning.ACTIVATION_AXES)
  mesh = _mesh((2, 2, 2))
  for name in partitioning.ACTIVATION_AXES:
    spec = partitioning.logical_to_mesh_axes((name,), partitioning.RULES)
    want = table[name]
    assert spec == jax.sharding.PartitionSpec(want), name
    jax.sharding.NamedSharding(mesh, spec)  # names real mesh axes
  assert partitioning.logical_to_mesh_axes(layers.ACT_HIDDEN) == jax.sharding.PartitionSpec(
      ('data', 'fsdp'), None, None)
  assert partitioning.logical_to_mesh_axes(layers.ACT_HEADS) == jax.sharding.PartitionSpec(
      ('data', 'fsdp'), None, 'tensor', None)


def test_rules_with_the_old_activation_names_are_an_error():
  from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
  with pytest.raises(InputError, match='activation_batch'):
    partitioning.rules_from_config([['batch', ['data', 'fsdp']], ['embed', 'fsdp']])
  assert partitioning.rules_from_config(None) == partitioning.RULES


def test_activation_sharding_does_not_depend_on_the_order_of_parameter_rules():
  acts = [r for r in partitioning.RULES if r[0] in partitioning.ACTIVATION_AXES]
  params = [r for r in partitioning.RULES if r[0] not in partitioning.ACTIVATION_AXES]
  for rules in (tuple(params + acts), tuple(reversed(params)) + tuple(acts)):
    for axes in (layers.ACT_HIDDEN, layers.ACT_HEADS, layers.ACT_MLP, layers.ACT_VOCAB):
      assert (partitioning.logical_to_mesh_axes(axes, rules)
              == partitioning.logical_to_mesh_axes(axes)), axes


# ----------------------------------------------------------------------------
# Fine-tuning with scan_layers and remat.
# ----------------------------------------------------------------------------
def test_finetuning_model_may_scan_and_remat_its_layers():
  """``--config.model.scan_layers`` / ``remat_policy``: the checkpoint's per-layer weights are
  stacked into the scanned task model, whose encoder computes what the unscanned one does
  (the fresh heads differ: the layers' initialisers draw their keys in another order)."""
  from bert_jax.convert.testing import minilm_dir  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.demo_runs import load_experiment  # pylint: disable=g-import-not-at-top
  out = {}
  for scan, remat in ((False, 'none'), (True, 'full')):
    cfg = load_experiment('classification.py', 'sentiment')
    cfg.update_from_flattened_dict({'init_checkpoint': str(minilm_dir()), 'data.max_seq_length': 32,
                                    'model.scan_layers': scan, 'model.remat_policy': remat})
    s = driver.prepare(cfg)
    assert (s.encoder.config.scan_layers, s.encoder.config.remat_policy) == (scan, remat)
    model = s.make_model(nnx.Rngs(0))
    arrays = {k: v[:6] for k, v in s.dev[0].arrays.items()}
    encode = lambda m, b: {'hidden': _hidden(m.bert, b)['hidden_states'].swapaxes(0, 1)}
    out[scan] = Predictor(types.SimpleNamespace(predict_fn=encode), batch_size=4)(model, arrays)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5),
               out[False], out[True])
