"""Hierarchical attention document classifiers: BERT-XDC and HAN (NNX modules only).

The seed's explainable document classifier (BERT-XDC, "BERT-CNN Attention Model") is
pretrained BERT plus a CNN-based attention layer: word-level attention inside each
sentence and sentence-level attention over the document, after Hierarchical Attention
Networks (Yang et al., 2016, "Hierarchical Attention Networks for Document
Classification"), which do the same with bidirectional GRUs over word embeddings.

One document is ``W`` windows of ``L`` word pieces (``[CLS] pieces [SEP]``, whole
sentences packed in order; a sentence longer than the room left continues in the next
window). ``sentence_ids [B, W, L]`` says which sentence (1..S) each piece belongs to;
0 marks ``[CLS]``, ``[SEP]`` and padding. The encoder reads each window on its own
(``[B*W, L]``); its token states are gathered back as one sequence ``[B, T = W*L]`` so
a sentence split over two windows is one sentence again for the attention.

- ``BertXDC``: BERT (under ``bert``) -> 1-D convolution over the pieces of each window ->
  ``HierarchicalAttention`` -> dense -> logits.
- ``HAN``: word embeddings -> BiGRU within each sentence -> ``HierarchicalAttention``
  with a BiGRU over the sentence vectors -> dense -> logits (no BERT).

Both return ``XDCOutput(logits [B, C], word_attention [B, W, L], sentence_attention
[B, S])``: the word weights of each sentence sum to 1 (0 on ids 0), the sentence weights
of each document sum to 1 over its sentences (0 on absent ones).

Shapes: B documents, W windows, L window length, T = W*L, S max sentences, H hidden,
F conv features, A attention size, C classes.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from bert_jax.masks import make_attention_mask
from bert_jax.models.bert import BertModel
from bert_jax.models.config import BertConfig
from bert_jax.models.layers import ACT_MLP, bert_init, constrain, dense, dropout, zeros


class XDCOutput(NamedTuple):
  logits: jax.Array              # [B, C] fp32
  word_attention: jax.Array      # [B, W, L] fp32, sums to 1 within each sentence
  sentence_attention: jax.Array  # [B, S] fp32, sums to 1 over the document's sentences


def segment_softmax(scores: jax.Array, segment_ids: jax.Array, num_segments: int) -> jax.Array:
  """Softmax of ``scores [B, T]`` within each segment: ``segment_ids [B, T]`` in 0..S
  (0 = in no segment). Returns weights ``[B, T]`` (fp32) that sum to 1 over every
  present segment, 0 where the id is 0."""
  onehot = segment_ids[..., None] == jnp.arange(1, num_segments + 1)  # [B, T, S]
  s = jnp.where(onehot, scores.astype(jnp.float32)[..., None], -jnp.inf)
  top = jax.lax.stop_gradient(jnp.max(s, axis=1, keepdims=True))  # [B, 1, S]
  e = jnp.where(onehot, jnp.exp(s - jnp.where(jnp.isfinite(top), top, 0.0)), 0.0)
  weights = e / jnp.maximum(e.sum(axis=1, keepdims=True), 1e-30)  # [B, T, S]
  return weights.sum(axis=-1)


class AttentionPool(nnx.Module):
  """Yang et al.'s attention scores: ``u = tanh(W x + b)``, ``score = u . context``."""

  def __init__(self, cfg: BertConfig, din: int, size: int, *, rngs: nnx.Rngs):
    self.project = dense(cfg, din, size, ('embed', 'mlp'), rngs)
    self.context = nnx.Param(bert_init(cfg, ('mlp',))(rngs.params(), (size,),
                                                      cfg.jnp_param_dtype))

  def __call__(self, x: jax.Array) -> jax.Array:
    """x [..., D] -> scores [...] (fp32)."""
    u = jnp.tanh(self.project(x))  # [..., A]
    return (u * self.context[...].astype(u.dtype)).sum(-1).astype(jnp.float32)


class GRU(nnx.Module):
  """One-direction GRU over ``[B, T, D]`` that restarts at every new segment id and skips
  id 0 (its carry passes through; output 0), so it runs within each sentence."""

  def __init__(self, cfg: BertConfig, din: int, hidden: int, *, rngs: nnx.Rngs):
    self.hidden = hidden
    self.inputs = dense(cfg, din, 3 * hidden, ('embed', 'mlp'), rngs)
    self.recurrent = nnx.Linear(hidden, 3 * hidden, param_dtype=cfg.jnp_param_dtype,
                                kernel_init=bert_init(cfg, (None, 'mlp')),
                                bias_init=zeros(('mlp',)), rngs=rngs)

  def __call__(self, x, segment_ids, *, reverse: bool = False):
    """x [B, T, D], segment_ids [B, T] -> [B, T, hidden] (0 where the id is 0)."""
    b = x.shape[0]
    gx = self.inputs(x).astype(jnp.float32)  # [B, T, 3h], all steps at once
    w = self.recurrent.kernel[...].astype(jnp.float32)
    bias = self.recurrent.bias[...].astype(jnp.float32)

    def step(carry, inp):
      h, last = carry  # [B, h], [B]
      g, seg = inp     # [B, 3h], [B]
      h = jnp.where(((seg != last) & (seg > 0))[:, None], 0.0, h)  # a new sentence starts fresh
      xr, xz, xn = jnp.split(g, 3, axis=-1)
      hr, hz, hn = jnp.split(h @ w + bias, 3, axis=-1)
      r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
      h_new = (1.0 - z) * jnp.tanh(xn + r * hn) + z * h
      real = (seg > 0)[:, None]
      return ((jnp.where(real, h_new, h), jnp.where(seg > 0, seg, last)),
              jnp.where(real, h_new, 0.0))

    init = (jnp.zeros((b, self.hidden), jnp.float32), jnp.zeros((b,), segment_ids.dtype))
    xs = (jnp.swapaxes(gx, 0, 1), jnp.swapaxes(segment_ids, 0, 1))  # time major
    _, ys = jax.lax.scan(step, init, xs, reverse=reverse)
    return jnp.swapaxes(ys, 0, 1).astype(x.dtype)


class BiGRU(nnx.Module):
  def __init__(self, cfg: BertConfig, din: int, hidden: int, *, rngs: nnx.Rngs):
    self.forward_gru = GRU(cfg, din, hidden, rngs=rngs)
    self.backward_gru = GRU(cfg, din, hidden, rngs=rngs)

  def __call__(self, x, segment_ids):
    """[B, T, D] -> [B, T, 2 * hidden]."""
    return jnp.concatenate([self.forward_gru(x, segment_ids),
                            self.backward_gru(x, segment_ids, reverse=True)], axis=-1)


class HierarchicalAttention(nnx.Module):
  """Word attention within sentences -> sentence vectors -> (BiGRU) -> sentence attention.

  Args:
    din: the size D of the word states.
    attention_size: A, the size of both attention projections.
    max_sentences: S.
    sentence_gru: hidden units per direction of a BiGRU over the sentence vectors (HAN);
      0 = none (BERT-XDC: the sentence vectors go straight to sentence attention).
  """

  def __init__(self, cfg: BertConfig, din: int, *, attention_size: int, max_sentences: int,
               sentence_gru: int = 0, rngs: nnx.Rngs):
    self.max_sentences = max_sentences
    self.word_attention = AttentionPool(cfg, din, attention_size, rngs=rngs)
    self.sentence_gru = BiGRU(cfg, din, sentence_gru, rngs=rngs) if sentence_gru else None
    self.out_features = 2 * sentence_gru if sentence_gru else din
    self.sentence_attention = AttentionPool(cfg, self.out_features, attention_size, rngs=rngs)

  def __call__(self, h: jax.Array, sentence_ids: jax.Array):
    """h [B, T, D], sentence_ids [B, T] -> (document [B, D'], word weights [B, T],
    sentence weights [B, S])."""
    s_max = self.max_sentences
    alpha = segment_softmax(self.word_attention(h), sentence_ids, s_max)  # [B, T]
    onehot = (sentence_ids[..., None] == jnp.arange(1, s_max + 1)).astype(jnp.float32)
    sentences = jnp.einsum('bts,bt,btd->bsd', onehot, alpha,
                           h.astype(jnp.float32)).astype(h.dtype)  # [B, S, D]
    present = onehot.sum(axis=1) > 0  # [B, S]
    if self.sentence_gru is not None:
      sentences = self.sentence_gru(sentences, present.astype(jnp.int32))  # [B, S, D']
    beta = segment_softmax(self.sentence_attention(sentences), present.astype(jnp.int32), 1)
    document = jnp.einsum('bs,bsd->bd', beta, sentences.astype(jnp.float32))  # [B, D']
    return document.astype(h.dtype), alpha, beta


class BertXDC(nnx.Module):
  """BERT-XDC: ``bert`` -> conv over word pieces -> hierarchical attention -> classes.

  Args:
    cfg: the encoder's config.
    num_outputs: C classes.
    kernel_size: width of the convolution over word pieces (within a window).
    conv_features: F (0: the hidden size).
    attention_size: A (0: F).
    max_sentences: S, sentences per document.
  """

  def __init__(self, cfg: BertConfig, *, num_outputs: int, kernel_size: int = 3,
               conv_features: int = 0, attention_size: int = 0, max_sentences: int = 16,
               rngs: nnx.Rngs):
    self.cfg = cfg
    f = conv_features or cfg.hidden_size
    self.bert = BertModel(cfg, add_pooling_layer=False, rngs=rngs)
    self.head = XDCHead(cfg, cfg.hidden_size, num_outputs, kernel_size=kernel_size, features=f,
                        attention_size=attention_size or f, max_sentences=max_sentences,
                        rngs=rngs)

  def __call__(self, input_ids, token_type_ids, input_mask, sentence_ids, *, rng=None
               ) -> XDCOutput:
    """input_ids, token_type_ids, input_mask (1 = real), sentence_ids: int [B, W, L]."""
    b, w, l = input_ids.shape
    flat = lambda x: x.reshape(b * w, l)
    enc_rng, head_rng = (None, None) if rng is None else jax.random.split(rng)
    out = self.bert(flat(input_ids), flat(token_type_ids),
                    make_attention_mask(flat(input_mask)), rng=enc_rng)
    x = out.last_hidden_state.reshape(b, w, l, -1)  # [B, W, L, H]
    return self.head(x, sentence_ids, rng=head_rng)


class XDCHead(nnx.Module):
  """Conv over the pieces of each window -> hierarchical attention -> dense."""

  def __init__(self, cfg: BertConfig, din: int, num_outputs: int, *, kernel_size: int,
               features: int, attention_size: int, max_sentences: int, rngs: nnx.Rngs):
    self.cfg = cfg
    self.conv = nnx.Conv(din, features, kernel_size=(kernel_size,), padding='SAME',
                         dtype=cfg.jnp_dtype, param_dtype=cfg.jnp_param_dtype,
                         kernel_init=bert_init(cfg, (None, 'embed', 'mlp')),
                         bias_init=zeros(('mlp',)), rngs=rngs)
    self.attention = HierarchicalAttention(cfg, features, attention_size=attention_size,
                                           max_sentences=max_sentences, rngs=rngs)
    self.output = dense(cfg, features, num_outputs, ('mlp', None), rngs)

  def __call__(self, x, sentence_ids, *, rng=None) -> XDCOutput:
    """x [B, W, L, H] token states, sentence_ids [B, W, L]."""
    b, w, l, _ = x.shape
    x = dropout(x, self.cfg.hidden_dropout_prob, rng)
    c = jax.nn.relu(self.conv(x.reshape(b * w, l, -1)))  # [B*W, L, F], within each window
    c = constrain(c.reshape(b, w * l, -1), ACT_MLP)  # [B, T, F]
    doc, alpha, beta = self.attention(c, sentence_ids.reshape(b, w * l))
    drop_rng = None if rng is None else jax.random.fold_in(rng, 1)
    logits = self.output(dropout(doc, self.cfg.hidden_dropout_prob, drop_rng))
    return XDCOutput(logits.astype(jnp.float32), alpha.reshape(b, w, l), beta)


class HAN(nnx.Module):
  """Hierarchical Attention Network (Yang et al., 2016) over the same inputs as ``BertXDC``.

  Word pieces -> embeddings (fresh, ``embed_size``) -> BiGRU within each sentence (across
  window boundaries: ``[CLS]`` / ``[SEP]`` / pads are skipped) -> word attention ->
  BiGRU over sentence vectors -> sentence attention -> dense. ``cfg`` gives the
  vocabulary size, initializer, dropout and dtypes; no BERT weights are used.
  """

  def __init__(self, cfg: BertConfig, *, num_outputs: int, embed_size: int = 128,
               gru_size: int = 64, attention_size: int = 128, max_sentences: int = 16,
               rngs: nnx.Rngs):
    self.cfg = cfg
    self.embed = nnx.Embed(cfg.vocab_size, embed_size, dtype=cfg.jnp_dtype,
                           param_dtype=cfg.jnp_param_dtype,
                           embedding_init=bert_init(cfg, ('vocab', 'embed')), rngs=rngs)
    self.word_gru = BiGRU(cfg, embed_size, gru_size, rngs=rngs)
    self.attention = HierarchicalAttention(cfg, 2 * gru_size, attention_size=attention_size,
                                           max_sentences=max_sentences, sentence_gru=gru_size,
                                           rngs=rngs)
    self.output = dense(cfg, self.attention.out_features, num_outputs, ('mlp', None), rngs)

  def __call__(self, input_ids, token_type_ids, input_mask, sentence_ids, *, rng=None
               ) -> XDCOutput:
    """Same inputs and outputs as ``BertXDC.__call__`` (token types and mask unused: the
    sentence ids already mark the real word pieces)."""
    del token_type_ids, input_mask
    b, w, l = input_ids.shape
    ids, seg = input_ids.reshape(b, w * l), sentence_ids.reshape(b, w * l)
    rngs = [None, None] if rng is None else list(jax.random.split(rng))
    x = dropout(self.embed(ids), self.cfg.hidden_dropout_prob, rngs[0])  # [B, T, E]
    h = self.word_gru(x, seg)  # [B, T, 2g]
    doc, alpha, beta = self.attention(h, seg)
    logits = self.output(dropout(doc, self.cfg.hidden_dropout_prob, rngs[1]))
    return XDCOutput(logits.astype(jnp.float32), alpha.reshape(b, w, l), beta)
