"""The NNX BERT against transformers' PyTorch BERT, scan vs loop, remat, parameter count."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from bert_jax.convert import load_pretrained, model_to_params, params_to_model, stack_layers
from bert_jax.convert.testing import minilm_dir, save_random_hf_bert
from bert_jax.masks import make_attention_mask
from bert_jax.models import BertConfig, BertForPreTraining, BertModel

import torch
import transformers

MINILM = minilm_dir()
TEXTS = [
    'The quick brown fox jumps over the lazy dog.',
    '안녕하세요, 세계! 한국어 문장도 같은 결과를 내야 합니다.',
    'Short one.',
    '자연어 처리 ||| natural language processing',
]


def _hf_hidden_states(model_dir, enc, dtype):
  hf = transformers.BertModel.from_pretrained(model_dir, attn_implementation='eager').eval()
  hf = hf.to(dtype)
  with torch.no_grad():
    out = hf(**{k: torch.tensor(v) for k, v in enc.items()}, output_hidden_states=True)
  return np.stack([h.numpy() for h in out.hidden_states]), out.pooler_output.numpy()


def test_hidden_states_match_transformers_on_minilm_weights():
  tok = transformers.BertTokenizerFast.from_pretrained(MINILM)
  rows = [tok(*t.split(' ||| ')) for t in TEXTS]  # the last one is a sentence pair
  length = max(len(r['input_ids']) for r in rows)
  enc = {k: np.zeros((len(rows), length), np.int64)
         for k in ('input_ids', 'token_type_ids', 'attention_mask')}
  for i, r in enumerate(rows):
    for k in enc:
      enc[k][i, :len(r[k])] = r[k]
  mask = enc['attention_mask'].astype(bool)
  assert (~mask).any() and enc['token_type_ids'].any()  # padded batch, with a pair

  pre = load_pretrained(MINILM)
  model = params_to_model(pre.params, pre.config)
  out = model(jnp.asarray(enc['input_ids']), jnp.asarray(enc['token_type_ids']),
              make_attention_mask(enc['attention_mask']), output_hidden_states=True)
  ours = np.asarray(out.hidden_states)
  ref32, pooled32 = _hf_hidden_states(MINILM, enc, torch.float32)
  assert ours.shape == ref32.shape == (7, 4, enc['input_ids'].shape[1], 384)

  diff = np.abs(ours - ref32)
  print('max |ours - hf fp32| per layer (real tokens):',
        [float(d[mask].max()) for d in diff], 'pads:', float(diff[:, ~mask].max()))
  assert diff[:, mask].max() < 1e-4
  np.testing.assert_allclose(np.asarray(out.pooled_output), pooled32, atol=1e-4)
  # At pad positions both fp32 implementations drift (up to ~1e-4 from each other); both
  # stay close to a float64 run of transformers, ours at least as close as HF's own fp32.
  ref64, _ = _hf_hidden_states(MINILM, enc, torch.float64)
  ours_err, hf_err = np.abs(ours - ref64).max(), np.abs(ref32 - ref64).max()
  print(f'max |x - hf fp64| all positions: ours {ours_err:.2e}, hf fp32 {hf_err:.2e}')
  assert ours_err < 1e-4
  assert ours_err <= 1.5 * hf_err


@pytest.fixture(scope='module')
def tiny_hf_pretraining(tmp_path_factory):
  return save_random_hf_bert(tmp_path_factory.mktemp('hf_pt'), seed=1)


def test_pretraining_logits_match_transformers(tiny_hf_pretraining):
  rng = np.random.default_rng(0)
  b, length = 3, 12
  ids = rng.integers(5, 99, (b, length)).astype(np.int32)
  types = np.zeros((b, length), np.int32)
  types[:, 7:] = 1
  mask = np.ones((b, length), np.int32)
  mask[1, 9:] = 0
  mask[2, 5:] = 0
  positions = np.array([[1, 3, 8], [0, 2, 6], [1, 2, 4]], np.int32)

  hf = transformers.BertForPreTraining.from_pretrained(
      tiny_hf_pretraining, attn_implementation='eager').eval()
  with torch.no_grad():
    ref = hf(input_ids=torch.tensor(ids, dtype=torch.long),
             token_type_ids=torch.tensor(types, dtype=torch.long),
             attention_mask=torch.tensor(mask))
  ref_mlm, ref_nsp = ref.prediction_logits.numpy(), ref.seq_relationship_logits.numpy()

  pre = load_pretrained(tiny_hf_pretraining)
  assert set(pre.params) == {'bert', 'mlm', 'nsp'}
  model = params_to_model(pre.params, pre.config)
  assert isinstance(model, BertForPreTraining)
  mask4 = make_attention_mask(mask)
  dense = model(ids, types, mask4)
  sparse = model(ids, types, mask4, masked_positions=positions)
  real = mask.astype(bool)
  d_dense = np.abs(np.asarray(dense['mlm_logits']) - ref_mlm)[real].max()
  d_sparse = np.abs(np.asarray(sparse['mlm_logits'])
                    - np.take_along_axis(ref_mlm, positions[..., None], axis=1)).max()
  d_nsp = np.abs(np.asarray(dense['nsp_logits']) - ref_nsp).max()
  print(f'max abs diff: mlm dense {d_dense:.2e}, mlm sparse {d_sparse:.2e}, nsp {d_nsp:.2e}')
  assert np.abs(ref_mlm).max() > 1.0  # the comparison is not between near-zero numbers
  assert d_dense < 1e-4 and d_sparse < 1e-4 and d_nsp < 1e-4
  np.testing.assert_allclose(np.asarray(sparse['nsp_logits']), ref_nsp, atol=1e-4)


def _count(tree) -> int:
  return sum(int(np.prod(x.shape)) for x in jax.tree.leaves(tree))


def test_base_parameter_count_equals_transformers():
  with torch.device('meta'):
    hf = transformers.BertForPreTraining(transformers.BertConfig())
    hf_encoder = transformers.BertModel(transformers.BertConfig())
  hf_total = sum(p.numel() for p in hf.parameters())  # the tied decoder counted once
  cfg = BertConfig.preset('base', vocab_size=transformers.BertConfig().vocab_size)
  ours = nnx.eval_shape(lambda: BertForPreTraining(cfg, rngs=nnx.Rngs(0)))
  ours_encoder = nnx.eval_shape(lambda: BertModel(cfg, rngs=nnx.Rngs(0)))
  assert _count(nnx.state(ours, nnx.Param)) == hf_total
  hf_encoder_total = sum(p.numel() for p in hf_encoder.parameters())
  assert _count(nnx.state(ours_encoder, nnx.Param)) == hf_encoder_total


TINY = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=24, max_position_embeddings=16,
                  hidden_dropout_prob=0.2, attention_probs_dropout_prob=0.2)


def _batch():
  rng = np.random.default_rng(0)
  ids = rng.integers(1, 50, (2, 10)).astype(np.int32)
  mask = np.ones((2, 10), np.int32)
  mask[1, 6:] = 0
  return ids, np.zeros_like(ids), make_attention_mask(mask), np.array([[1, 2], [3, 4]])


def _outputs(model, rng=None):
  ids, types, mask, pos = _batch()
  out = model(ids, types, mask, masked_positions=pos, rng=rng, output_hidden_states=True,
              output_attentions=True)
  enc = out['encoder']
  return {'mlm': out['mlm_logits'], 'nsp': out['nsp_logits'], 'hidden': enc.hidden_states,
          'attn': enc.attentions, 'last': enc.last_hidden_state}


@pytest.mark.parametrize('dropout', [False, True])
def test_scan_layers_matches_loop_with_converted_weights(dropout):
  loop = BertForPreTraining(TINY, rngs=nnx.Rngs(0))
  params = model_to_params(loop)
  scanned_params = stack_layers(params)
  leaf = scanned_params['bert']['encoder']['layers']['attention']['query']['kernel']
  assert leaf.shape == (2, 16, 2, 8)
  scan = params_to_model(scanned_params, dataclasses.replace(TINY, scan_layers=True))
  rng = jax.random.key(7) if dropout else None
  a, b = _outputs(loop, rng), _outputs(scan, rng)
  for k in a:
    np.testing.assert_allclose(np.asarray(a[k]), np.asarray(b[k]), atol=1e-6, err_msg=k)
  if dropout:  # dropout really happened, identically in both
    assert not np.allclose(np.asarray(a['last']), np.asarray(_outputs(loop)['last']))


def _loss_and_grads(model, rng):
  graphdef, state = nnx.split(model)
  ids, types, mask, pos = _batch()

  def loss_fn(state):
    out = nnx.merge(graphdef, state)(ids, types, mask, masked_positions=pos, rng=rng)
    return (jnp.sum(jax.nn.log_softmax(out['mlm_logits'])[..., 3])
            + jnp.sum(out['nsp_logits'] ** 2))

  return jax.jit(jax.value_and_grad(loss_fn))(state)


@pytest.mark.parametrize('scan', [False, True])
def test_remat_policies_give_identical_outputs_and_gradients(scan):
  base_cfg = dataclasses.replace(TINY, scan_layers=scan)
  params = model_to_params(BertForPreTraining(base_cfg, rngs=nnx.Rngs(3)))

  def check(policies, rng):
    ref_loss, ref_grads = _loss_and_grads(params_to_model(params, base_cfg), rng)
    assert sum(np.abs(np.asarray(g)).max() > 0 for g in jax.tree.leaves(ref_grads)) > 10
    for policy in policies:
      cfg = dataclasses.replace(base_cfg, remat_policy=policy)
      loss, grads = _loss_and_grads(params_to_model(params, cfg), rng)
      np.testing.assert_allclose(loss, ref_loss, rtol=1e-6, err_msg=policy)
      for g, r in zip(jax.tree.leaves(grads), jax.tree.leaves(ref_grads)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-5, atol=1e-6,
                                   err_msg=policy)

  check(('full', 'dots', 'dots_no_batch'), None)
  if scan:  # With dropout the recomputation must draw the same masks (rbg: faster compile).
    check(('full',), jax.random.key(1, impl='rbg'))
