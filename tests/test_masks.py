"""Attention masks: padding, causal and packed-segment masks, checked on the real model."""
import numpy as np
import pytest
from flax import nnx

from bert_jax import masks
from bert_jax.models import BertConfig, BertModel

CFG = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                 intermediate_size=32, max_position_embeddings=16)


@pytest.fixture(scope='module')
def model():
  return BertModel(CFG, rngs=nnx.Rngs(0))


def _attentions(model, ids, mask, **kw):
  out = model(ids, np.zeros_like(ids), mask, output_attentions=True, **kw)
  return np.asarray(out.attentions), out  # [layers, B, N, L, L]


def test_mask_shapes_and_values():
  pad = masks.make_attention_mask(np.array([[1, 1, 0], [1, 0, 0]]))
  assert pad.shape == (2, 1, 3, 3) and pad.dtype == bool
  np.testing.assert_array_equal(pad[1, 0], [[1, 0, 0]] * 3)
  causal = masks.make_attention_mask(np.ones((1, 3)), causal=True)
  np.testing.assert_array_equal(causal[0, 0], np.tril(np.ones((3, 3), bool)))
  seg = masks.make_attention_mask(segment_ids=np.array([[1, 1, 2, 0]]))
  np.testing.assert_array_equal(seg[0, 0], [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0],
                                            [0, 0, 0, 0]])
  both = masks.make_attention_mask(np.array([[1, 1, 1, 0]]), segment_ids=np.array([[1, 2, 2, 0]]),
                                   causal=True)
  np.testing.assert_array_equal(both[0, 0], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 0],
                                             [0, 0, 0, 0]])
  with pytest.raises(ValueError):
    masks.make_attention_mask()


def test_padding_keys_get_no_attention_weight(model):
  ids = np.array([[5, 6, 7, 8, 9, 10], [5, 6, 7, 0, 0, 0]], np.int32)
  attn_mask = (ids > 0).astype(np.int32)
  probs, out = _attentions(model, ids, masks.make_attention_mask(attn_mask))
  assert probs.shape == (2, 2, 2, 6, 6)
  assert np.all(probs[:, 1, :, :, 3:] == 0.0)   # pad keys: exactly zero, every query
  assert np.all(probs[:, 1, :, :, :3] > 0.0)
  np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
  # Real positions do not depend on what the pads hold.
  ids2 = ids.copy()
  ids2[1, 3:] = [11, 12, 13]
  _, out2 = _attentions(model, ids2, masks.make_attention_mask(attn_mask))
  np.testing.assert_allclose(np.asarray(out.last_hidden_state)[1, :3],
                             np.asarray(out2.last_hidden_state)[1, :3], atol=1e-6)


def test_causal_mask_blocks_future_keys(model):
  ids = np.array([[5, 6, 7, 8, 9]], np.int32)
  probs, out = _attentions(model, ids, masks.make_attention_mask(np.ones_like(ids), causal=True))
  upper = np.triu(np.ones((5, 5), bool), k=1)
  assert np.all(probs[..., upper] == 0.0) and np.all(probs[..., ~upper] > 0)
  # A prefix gives the same outputs: nothing flows back from the future.
  _, prefix = _attentions(model, ids[:, :3], masks.make_attention_mask(np.ones((1, 3)),
                                                                       causal=True))
  np.testing.assert_allclose(np.asarray(out.last_hidden_state)[:, :3],
                             np.asarray(prefix.last_hidden_state), atol=1e-6)


def test_packed_segments_do_not_attend_across(model):
  a, b = [5, 6, 7, 8], [9, 10, 11]
  ids = np.array([a + b + [0]], np.int32)
  segment_ids = np.array([[1] * 4 + [2] * 3 + [0]], np.int32)
  position_ids = np.array([[0, 1, 2, 3, 0, 1, 2, 0]], np.int32)
  mask = masks.make_attention_mask((ids > 0).astype(np.int32), segment_ids=segment_ids)
  probs, packed = _attentions(model, ids, mask, position_ids=position_ids)
  same = segment_ids[0][:, None] == segment_ids[0][None, :]
  real = segment_ids[0] > 0
  cross = ~same & real[:, None] & real[None, :]
  assert np.all(probs[..., cross] == 0.0)
  assert np.all(probs[..., :7, 7] == 0.0)  # the pad key
  # Each packed segment gives the same vectors as the segment alone.
  for seq, sl in ((a, slice(0, 4)), (b, slice(4, 7))):
    alone = model(np.array([seq], np.int32), None,
                  masks.make_attention_mask(np.ones((1, len(seq)), np.int32)))
    np.testing.assert_allclose(np.asarray(packed.last_hidden_state)[0, sl],
                               np.asarray(alone.last_hidden_state)[0], atol=1e-5)
