"""Packed rows train NSP for every packed sequence (pooled at its own [CLS]), and a packed
row gives each of its sequences the same MLM and NSP losses as the unpacked batch does.

The rows are made by the pipeline's own packing code (``bert_jax.data.packing.pack`` +
``FinishPackedRow``) from hand-made unpadded examples, so no corpus is built here.
"""
import grain
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from bert_jax.data import packing
from bert_jax.data.examples import padded_features
from bert_jax.masks import make_attention_mask
from bert_jax.models import BertConfig, BertForPreTraining
from bert_jax.train.pretraining import prepare_batch, pretraining_loss

VOCAB, L, MAX_PRED, S = 61, 32, 12, 4
CLS, SEP, MASK = 2, 3, 4


def _example(rng, n_a, n_b, nsp):
  """One unpadded example ([CLS] a [SEP] b [SEP], 2 masked tokens), as examples.py makes."""
  ids = np.concatenate([[CLS], rng.integers(5, VOCAB, n_a), [SEP],
                        rng.integers(5, VOCAB, n_b), [SEP]]).astype(np.int32)
  types = np.zeros(len(ids), np.int32)
  types[n_a + 2:] = 1
  positions = np.sort(rng.choice(np.concatenate([np.arange(1, n_a + 1),
                                                 np.arange(n_a + 2, len(ids) - 1)]), 2,
                                 replace=False))
  labels = ids[positions].copy()
  ids[positions] = MASK
  dense = np.zeros(len(ids), np.int32)
  dense[positions] = labels + 1
  return {'input_ids': ids, 'token_type_ids': types, 'masked_lm_dense': dense,
          'next_sentence_label': np.full(len(ids), nsp, np.int32)}


def _packed_rows(examples):
  """The pipeline's packing of ``examples`` (in order; all rows, numpy)."""
  ds = grain.MapDataset.source(examples).to_iter_dataset()
  ds = packing.pack(ds, L, seed=0, max_sequences=S, num_packing_bins=1)
  ds = ds.map(packing.FinishPackedRow(MAX_PRED, S, pad_id=0))
  return list(ds)


def _unpacked(ex):
  pos = np.flatnonzero(ex['masked_lm_dense'])
  return padded_features(ex['input_ids'], ex['token_type_ids'], pos,
                         ex['masked_lm_dense'][pos] - 1, ex['next_sentence_label'][0], L,
                         MAX_PRED)


def _stack(rows):
  return {k: np.stack([r[k] for r in rows]) for k in rows[0]}


@pytest.fixture(scope='module')
def model():
  cfg = BertConfig.preset('tiny', vocab_size=VOCAB, max_position_embeddings=L)
  return BertForPreTraining(cfg, rngs=nnx.Rngs(0))


@pytest.fixture(scope='module')
def examples():
  rng = np.random.default_rng(0)
  # Row 1 (12 + 10 + 8 tokens): three sequences; row 2 (10 + 8): two. Labels mixed.
  return [_example(rng, 4, 5, 0), _example(rng, 3, 4, 1), _example(rng, 2, 3, 1),
          _example(rng, 4, 3, 1), _example(rng, 2, 3, 0)]


def _outputs(model, batch):
  mask = make_attention_mask(batch['attention_mask'], segment_ids=batch.get('segment_ids'))
  out = model(batch['input_ids'], batch['token_type_ids'], mask,
              position_ids=batch.get('position_ids'),
              masked_positions=batch['masked_lm_positions'],
              cls_positions=batch.get('cls_positions'), rng=None)
  mlm_ce = optax.softmax_cross_entropy_with_integer_labels(out['mlm_logits'],
                                                           batch['masked_lm_ids'])
  nsp_ce = optax.softmax_cross_entropy_with_integer_labels(out['nsp_logits'],
                                                           batch['next_sentence_label'])
  return np.asarray(mlm_ce), np.asarray(nsp_ce), np.asarray(out['nsp_logits'])


def test_the_packer_keeps_every_sequence_and_its_label(examples):
  rows = _packed_rows(examples[:3])
  assert len(rows) == 1
  row = rows[0]
  assert row['cls_positions'].tolist() == [0, 12, 22, 0]
  assert row['next_sentence_label'].tolist() == [0, 1, 1, 0]
  assert row['next_sentence_weights'].tolist() == [1, 1, 1, 0]
  assert (row['input_ids'][row['cls_positions'][:3]] == CLS).all()
  assert (row['position_ids'][row['cls_positions'][:3]] == 0).all()


def test_packed_row_gives_each_sequence_its_unpacked_losses(model, examples):
  packed = _stack(_packed_rows(examples[:3]))          # [1, ...], 3 sequences
  unpacked = _stack([_unpacked(e) for e in examples[:3]])  # [3, ...]
  p_mlm, p_nsp, _ = _outputs(model, packed)
  u_mlm, u_nsp, _ = _outputs(model, unpacked)
  seg = packed['segment_ids'][0]
  p_pos, p_w = packed['masked_lm_positions'][0], packed['masked_lm_weights'][0]
  for s in range(3):
    mine = (p_w > 0) & (seg[p_pos] == s + 1)
    assert mine.sum() == 2
    u_w = unpacked['masked_lm_weights'][s] > 0
    np.testing.assert_allclose(p_mlm[0][mine], u_mlm[s][u_w], atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(p_mlm[0][mine].mean(), u_mlm[s][u_w].mean(), atol=1e-5)
  np.testing.assert_allclose(p_nsp[0, :3], u_nsp, atol=1e-5, rtol=1e-5)


def test_packed_nsp_loss_counts_every_sequence(model, examples):
  packed = _stack(_packed_rows(examples))  # rows of 3 and 2 sequences
  assert packed['next_sentence_weights'].sum(1).tolist() == [3, 2]
  loss, metrics = jax.jit(lambda b: pretraining_loss(model, b))(packed)
  # By hand: the NSP logits of each sequence run alone (unpadded batch, position 0),
  # cross-entropy with its label, averaged over the 5 sequences.
  unpacked = _stack([_unpacked(e) for e in examples])
  _, _, logits = _outputs(model, unpacked)                      # [5, 2]
  labels = np.array([e['next_sentence_label'][0] for e in examples])
  log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
  by_hand = -log_p[np.arange(5), labels].mean()
  assert float(metrics['nsp_loss']) == pytest.approx(by_hand, abs=1e-5)
  first_only = -log_p[[0, 3], labels[[0, 3]]].mean()  # what position 0 alone would train
  assert abs(by_hand - first_only) > 1e-3
  np.testing.assert_allclose(float(loss), float(metrics['mlm_loss'] + metrics['nsp_loss']),
                             rtol=1e-6)


def test_packed_nsp_loss_is_the_same_with_microbatches(model, examples):
  """Rows hold different numbers of sequences: the global normaliser of prepare_batch makes
  the mean over microbatches (grad accumulation) equal the full-batch loss."""
  packed = _stack(_packed_rows(examples))
  fn = jax.jit(lambda b: pretraining_loss(model, b)[1])
  full = fn(prepare_batch(packed))
  prepared = prepare_batch(jax.tree.map(jnp.asarray, packed))
  halves = [fn({k: v[i:i + 1] for k, v in prepared.items()}) for i in range(2)]
  for key in ('nsp_loss', 'mlm_loss', 'nsp_accuracy'):
    np.testing.assert_allclose(float(halves[0][key] + halves[1][key]) / 2,
                               float(full[key]), atol=1e-5, err_msg=key)


def test_unpacked_batches_pool_position_zero(model, examples):
  """No ``cls_positions``: one NSP label per row, pooled at position 0 (P = 1), as before."""
  unpacked = _stack([_unpacked(e) for e in examples[:2]])
  _, nsp_ce, logits = _outputs(model, unpacked)
  assert logits.shape == (2, 2)
  explicit = {**unpacked, 'cls_positions': np.zeros((2, 1), np.int32),
              'next_sentence_label': unpacked['next_sentence_label'][:, None]}
  _, nsp_ce_1, logits_1 = _outputs(model, explicit)
  np.testing.assert_allclose(logits_1[:, 0], logits, atol=1e-6)
  _, m = pretraining_loss(model, unpacked)
  np.testing.assert_allclose(float(m['nsp_loss']), nsp_ce.mean(), rtol=1e-6)
