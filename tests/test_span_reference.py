"""Span fine-tuning step by step against transformers' ``BertForQuestionAnswering``.

``python -m bert_jax.finetune`` (the real driver: features, grain batches, the trainer's
jitted step, AdamW, clipping, warmup + linear decay) trains a small random BERT for a few
steps with dropout off; PyTorch ``BertForQuestionAnswering`` (same weights, the same
initial span head copied from bert_jax's initialisation) + ``clip_grad_norm_`` + the
optimizer ``tools/hf_reference.py`` gives the transformers side (``hf_optimizer``) trains on
the same batches, for both recipes: 'hf' (``torch.optim.AdamW`` +
``get_linear_schedule_with_warmup``) and 'bert' (google-research/bert's Adam without bias
correction + its decay from step 0). Every step's loss, gradient norm (before clipping),
learning rate and parameter norm, and every parameter at the end, must agree.
"""
import json

import jax
import numpy as np
import pytest
import torch
import transformers
from flax import nnx

from bert_jax.convert.hf import HfLayout, params_to_hf
from bert_jax.convert.testing import copy_head_into, save_random_hf_bert
from bert_jax.data.finetune import num_examples, train_dataset
from bert_jax.errors import InputError
from bert_jax.tasks import driver
from bert_jax.tasks.demo_runs import load_experiment
from bert_jax.train import loop
from bert_jax.train import optimizer as opt_lib
from repo_files import load_module

STEPS = 6
CLIP = 2.0


@pytest.mark.parametrize('recipe', ['hf', 'bert'])
def test_span_training_steps_equal_transformers_with_adamw_clipping_and_schedule(tmp_path, recipe):
  hf_dir = save_random_hf_bert(tmp_path / 'hf', architecture='BertForQuestionAnswering',
                               max_position_embeddings=64, hidden_dropout_prob=0.0,
                               attention_probs_dropout_prob=0.0)
  cfg = load_experiment('squad.py', 'squad_en')
  cfg.update_from_flattened_dict({
      'init_checkpoint': str(hf_dir), 'optimizer.recipe': recipe, 'data.max_seq_length': 64,
      'squad.doc_stride': 32, 'squad.max_query_length': 16, 'global_batch_size': 8,
      'num_train_steps': STEPS, 'optimizer.learning_rate': 2e-3,
      'optimizer.warmup_fraction': 0.34, 'optimizer.max_grad_norm': CLIP,
      'log_every_steps': 1, 'eval_every_epochs': 1000.0, 'seed': 3, 'progress_bar': False,
      'model.hidden_dropout_prob': 0.0, 'model.attention_probs_dropout_prob': 0.0})
  s = driver.prepare(cfg)
  config = driver.train_config(cfg, num_examples(s.train.arrays))
  warm = opt_lib.warmup_steps(config.optimizer, STEPS)
  assert warm == 2

  # The span head bert_jax's run starts from (the trainer's init stream of this seed).
  head0 = driver.initial_head(s, cfg.seed)

  workdir = tmp_path / 'ft'
  driver.run(cfg, workdir, verbose=False, devices=jax.devices()[:1])
  rows = [json.loads(l) for l in (workdir / 'metrics.jsonl').read_text().splitlines()]
  rows = [r for r in rows if 'loss' in r]
  assert [r['step'] for r in rows] == list(range(1, STEPS + 1))
  model, _, _ = driver._restore_model(s, workdir)  # pylint: disable=protected-access
  final = jax.device_get(nnx.to_pure_dict(nnx.state(model)))

  torch.manual_seed(0)
  ref = transformers.BertForQuestionAnswering.from_pretrained(hf_dir, attn_implementation='eager')
  copy_head_into(ref.qa_outputs, head0)
  ref.eval()  # dropout off (it is 0 anyway)
  # transformers declares [PAD] the embedding's ``padding_idx`` (its row never updated);
  # google-research/bert and bert_jax train it like any row, so the reference does too.
  hf_reference = load_module('tools/hf_reference.py')
  hf_reference.train_pad_row_of(ref)
  opt, sched = hf_reference.hf_optimizer(ref, cfg, STEPS, warm)
  batches = iter(train_dataset(s.train.arrays, 8, seed=3))
  clipped = 0
  for row in rows:
    batch = next(batches)
    t = lambda k, b=batch: torch.as_tensor(b[k], dtype=torch.long)
    # transformers' own loss: softmax over every position (padding included), as bert_jax.
    loss = ref(input_ids=t('input_ids'), token_type_ids=t('token_type_ids'),
               attention_mask=t('attention_mask'), start_positions=t('start_position'),
               end_positions=t('end_position')).loss
    opt.zero_grad()
    loss.backward()
    lr = opt.param_groups[0]['lr']
    grad_norm = float(torch.nn.utils.clip_grad_norm_(ref.parameters(), CLIP))
    clipped += grad_norm > CLIP
    opt.step()
    sched.step()
    param_norm = float(torch.sqrt(sum((p.detach() ** 2).sum() for p in ref.parameters())))
    step = row['step']
    np.testing.assert_allclose(row['loss'], float(loss.detach()), rtol=2e-5, err_msg=f'step {step}')
    np.testing.assert_allclose(row['grad_norm'], grad_norm, rtol=2e-4, err_msg=f'step {step}')
    np.testing.assert_allclose(row['learning_rate'], lr, rtol=1e-6, err_msg=f'step {step}')
    np.testing.assert_allclose(row['param_norm'], param_norm, rtol=1e-5, err_msg=f'step {step}')
  # Peak after warmup: 'hf' decays over the steps after warmup, 'bert' from step 0.
  peak = 2e-3 if recipe == 'hf' else 2e-3 * (1 - warm / STEPS)
  assert rows[0]['learning_rate'] == 0.0 and rows[warm]['learning_rate'] == pytest.approx(peak)
  norms = [r['grad_norm'] for r in rows]
  assert 0 < clipped < STEPS, norms  # both regimes of the clip were exercised

  got = params_to_hf({'bert': final['bert']}, s.encoder.config, HfLayout(prefix='bert.'))
  want = {k: v.detach().numpy() for k, v in ref.state_dict().items()}
  init = transformers.BertForQuestionAnswering.from_pretrained(hf_dir).state_dict()
  moved = 0.0
  # The [PAD] row of the word embeddings trained (the span softmax runs over pad positions).
  pad_row = 'bert.embeddings.word_embeddings.weight'
  assert np.abs(got[pad_row][0] - init[pad_row].numpy()[0]).max() > 1e-4
  for name, value in got.items():
    np.testing.assert_allclose(value, want[name], atol=2e-5, rtol=1e-4, err_msg=name)
    moved = max(moved, float(np.abs(want[name] - init[name].numpy()).max()))
  assert moved > 100 * 2e-5  # they did change, by far more than the tolerance (6e-3 measured)
  np.testing.assert_allclose(np.asarray(final['head']['kernel']).T,
                             want['qa_outputs.weight'], atol=2e-5, rtol=1e-4)
  # Not the head's bias: a constant added to every position's start (end) logit leaves the
  # softmax unchanged, so its exact gradient is 0 and both sides see only round-off, which
  # Adam normalises into steps of about +-lr in arbitrary directions. Both stay tiny.
  assert np.abs(final['head']['bias']).max() < 10 * 2e-3 * STEPS


def test_training_starts_from_a_given_head_instead_of_the_seeds_draw(tmp_path):
  """``driver.train(head=...)`` (``tools/hf_reference.py --head_from_transformers``): the
  run starts from that head, not from its seed's draw, and the encoder is the checkpoint's."""
  hf_dir = save_random_hf_bert(tmp_path / 'hf', architecture='BertForQuestionAnswering',
                               max_position_embeddings=64)
  cfg = load_experiment('squad.py', 'squad_en')
  cfg.update_from_flattened_dict({
      'init_checkpoint': str(hf_dir), 'data.max_seq_length': 64, 'squad.doc_stride': 32,
      'squad.max_query_length': 16, 'global_batch_size': 8, 'num_train_steps': 1,
      'optimizer.learning_rate': 1e-9, 'eval_every_epochs': 1000.0, 'seed': 3,
      'progress_bar': False})
  s = driver.prepare(cfg)
  own = driver.initial_head(s, cfg.seed)
  rng = np.random.default_rng(0)
  given = {'kernel': rng.normal(0, 0.02, own['kernel'].shape).astype(np.float32),
           'bias': rng.normal(0, 0.02, own['bias'].shape).astype(np.float32)}
  workdir = tmp_path / 'ft'
  driver.train(s, workdir, verbose=False, devices=jax.devices()[:1], head=given)
  model, _, _ = driver._restore_model(s, workdir)  # pylint: disable=protected-access
  final = jax.device_get(nnx.to_pure_dict(nnx.state(model)))
  for name in ('kernel', 'bias'):  # one step of lr 1e-9 moves nothing visibly
    np.testing.assert_allclose(final['head'][name], given[name], atol=1e-6)
  assert np.abs(final['head']['kernel'] - own['kernel']).max() > 0.01
  ref = transformers.BertForQuestionAnswering.from_pretrained(hf_dir).state_dict()
  got = params_to_hf({'bert': final['bert']}, s.encoder.config, HfLayout(prefix='bert.'))
  name = 'bert.encoder.layer.0.attention.self.query.weight'
  np.testing.assert_allclose(got[name], ref[name].numpy(), atol=1e-6)
  # A head of another form is an error, not silently replaced by the seed's draw.
  # (torch's name for the kernel: before, paths the model lacks were dropped silently)
  bad = {'weight': given['kernel'].T, 'bias': given['bias']}
  with pytest.raises(InputError, match=r'head/weight is not a parameter of the model'):
    driver.train(s, tmp_path / 'bad', verbose=False, devices=jax.devices()[:1], head=bad)


def test_dropout_keys_never_reuse_a_parameter_init_key():
  """The trainer's init and dropout streams are independent (``loop.seed_keys``).

  ``nnx.Rngs(key)`` draws its k-th key as ``fold_in(key, k)`` and the step-k dropout key is
  ``fold_in(dropout_key, k)``: one key for both made step k's dropout reuse the key of the
  k-th initialised parameter (the span head is among the last ones drawn).
  """
  data = lambda k: tuple(np.asarray(jax.random.key_data(k)).tolist())
  for seed in (0, 1, 7):
    init, drop = loop.seed_keys(seed)
    rngs = nnx.Rngs(init)
    init_keys = {data(rngs.params()) for _ in range(300)}
    dropout_keys = {data(jax.random.fold_in(drop, k)) for k in range(300)}
    assert len(init_keys) == len(dropout_keys) == 300
    assert not init_keys & dropout_keys
    # The old scheme (model from nnx.Rngs(seed), dropout from key(seed)) fails this check.
    old = nnx.Rngs(seed)
    old_init = {data(old.params()) for _ in range(300)}
    assert old_init & {data(jax.random.fold_in(jax.random.key(seed), k)) for k in range(300)}



# (transformers' hidden, attention dropout), (bert_jax's), whether they must agree.
DROPOUT_CASES = {
    'hidden': ((0.1, 0.0), (0.1, 0.0), True),
    'attention': ((0.0, 0.1), (0.0, 0.1), True),
    'control: hidden 0.15 vs 0.1': ((0.1, 0.0), (0.15, 0.0), False),
    'control: attention 0.2 vs 0.1': ((0.0, 0.1), (0.0, 0.2), False),
}


@pytest.mark.slow  # ~40 s a case on 2 cores
@pytest.mark.parametrize('case', list(DROPOUT_CASES))
def test_dropout_perturbs_span_gradients_as_transformers_does(tmp_path, case):
  """Dropout draws on both sides (``tools/dropout_gradients.py``): same weights, same initial
  head, one batch, for the hidden-state dropouts (embeddings, attention output,
  feed-forward output) and the attention-probability dropout separately.

  Without dropout the gradients agree; with it they are random, so their distributions are
  compared: the dropout noise power E||g - E g||^2 of the whole gradient, ours /
  transformers' (1 when the dropouts match: 0.96-1.08 measured over two sets of 400 draws;
  the controls 1.4 and 2.3), and per parameter group how far apart the two mean gradients
  are in sampling errors of that difference (about 1 when both sides average the same
  distribution). The controls (bert_jax at another rate) show the comparison notices a
  dropout that differs.
  """
  transformers_rates, bert_jax_rates, must_agree = DROPOUT_CASES[case]
  hf_dir = save_random_hf_bert(tmp_path / 'hf', architecture='BertForQuestionAnswering',
                               max_position_embeddings=64)
  r = load_module('tools/dropout_gradients.py').compare(
      hf_dir, bert_jax_rates=bert_jax_rates, transformers_rates=transformers_rates,
      draws=400,  # the noise power is heavy-tailed (a dropped dominant attention weight)
      seed=3, batch_size=8,
      overrides={'data.max_seq_length': 64, 'squad.doc_stride': 32, 'squad.max_query_length': 16})
  print(case, r)
  assert r['deterministic_difference'] < 1e-5, r
  agree = 0.85 < r['ratio'] < 1.18 and max(r['offsets'].values()) < 1.8
  assert agree == must_agree, r
