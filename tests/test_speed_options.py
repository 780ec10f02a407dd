"""Speed options do not change the math: 20 optimizer steps of the trainer's path (sparse
MLM head, scanned + rematerialised layers, gradient accumulation, a 4-device mesh) follow
the plain path (MLM head over every position, a Python loop of layers, no remat, one
device, one batch per step) to within 1e-3 in the loss (tiny config, fp32, no dropout).

(tests/test_benchmarks.py checks the two heads on one batch; tests/test_model.py scan vs
loop and remat on one forward/backward. Here the differences must not grow over training.)
"""

import jax
import numpy as np
from flax import nnx

from bert_jax.convert import model_to_params, stack_layers
from bert_jax.models import BertConfig, BertForPreTraining
from bert_jax.train import loop, partitioning
from bert_jax.train.pretraining import prepare_batch, pretraining_loss
from bert_jax.train.step import TrainState, jit_train_step, make_train_step
from repo_files import load_module

bench = load_module('benchmarks/train_step.py', 'benchmarks_train_step')

VOCAB, SEQ, PRED, BATCH, STEPS = 97, 16, 4, 8, 20
TINY = BertConfig.preset('tiny', vocab_size=VOCAB, max_position_embeddings=SEQ,
                         hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def _run(cfg, params, loss_fn, *, accum, data):
  """Trains ``STEPS`` steps through the trainer's own step builder; the losses per step and
  the final parameters."""
  config = loop.default_train_config()
  config.num_train_steps = STEPS
  config.mesh.data = data
  config.optimizer.learning_rate = 2e-3
  config.optimizer.warmup_steps = 2
  config.optimizer.grad_accum_steps = accum
  mesh = partitioning.make_mesh(config.mesh, jax.devices()[:data])
  plan = loop.plan_state(config, lambda rngs: BertForPreTraining(cfg, rngs=rngs), mesh)
  state = jax.device_put(TrainState.create(params, plan.tx), plan.shardings)
  step = jit_train_step(make_train_step(plan.graphdef, loss_fn, plan.tx, plan.schedule,
                                        grad_accum_steps=accum, prepare_batch=prepare_batch,
                                        mesh=mesh),
                        plan.shardings, mesh)
  rng, losses = jax.random.key(0), []
  for i in range(STEPS):
    batch = partitioning.shard_batch(bench.synthetic_batch(BATCH, SEQ, PRED, VOCAB, seed=i),
                                     mesh)
    state, metrics = step(state, batch, rng)
    losses.append(float(metrics['loss']))
  assert int(step._cache_size()) == 1  # pylint: disable=protected-access
  return np.array(losses), plan.graphdef, jax.device_get(state.params)


def test_trainer_speed_options_follow_the_plain_path_for_20_steps():
  params = model_to_params(BertForPreTraining(TINY, rngs=nnx.Rngs(0)))
  fast_cfg = BertConfig(**{**TINY.__dict__, 'scan_layers': True, 'remat_policy': 'dots'})
  fast, fast_graph, fast_params = _run(fast_cfg, stack_layers(params), pretraining_loss,
                                       accum=2, data=4)
  plain, plain_graph, plain_params = _run(TINY, params, bench.dense_pretraining_loss,
                                          accum=1, data=1)
  assert plain[-1] < plain[0] - 0.3  # it trained (the comparison is not of constants)
  print(f'max |loss difference| over {STEPS} steps: {np.abs(fast - plain).max():.2e} '
        f'(losses {plain[0]:.4f} -> {plain[-1]:.4f})')
  np.testing.assert_allclose(fast, plain, atol=1e-3)
  # And the final parameters give the same loss on a batch neither run saw.
  held_out = bench.synthetic_batch(BATCH, SEQ, PRED, VOCAB, seed=STEPS)
  after = [float(pretraining_loss(nnx.merge(g, p), held_out)[0])
           for g, p in ((fast_graph, fast_params), (plain_graph, plain_params))]
  np.testing.assert_allclose(after[0], after[1], atol=1e-3)
