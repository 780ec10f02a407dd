"""Fine-tuning heads on the BERT encoder (NNX modules only; losses live in bert_jax/tasks).

One model, ``BertForTask``, holds the encoder under ``bert`` (so "restore the encoder" is
"restore the ``bert`` subtree", docs/CONTRACTS.md) and one head picked by ``head``:

- ``'classification'``: dropout -> dense on the pooled ``[CLS]`` vector, ``[B, C]``. Covers
  single sentence, sentence pair, regression (``C = 1``) and multiple choice (the task
  flattens ``[B, K, L]`` to ``[B*K, L]`` and reads ``C = 1`` scores back as ``[B, K]``).
- ``'span'``: dense on every token -> start / end logits ``[B, L]`` each (SQuAD).
- ``'tagging'``: a per-token tagger ``[B, L, C]`` (NER) on the last layer (fine-tuning) or,
  for the feature-based approach, on a ``combine_layers`` mix of the frozen encoder's
  hidden states, with a linear or a BiLSTM tagger.

Shapes: B batch, L length, H hidden, C outputs.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from bert_jax.models.bert import BertModel
from bert_jax.models.config import BertConfig
from bert_jax.models.hidden_layers import check_combination, combine_layers
from bert_jax.models.layers import KERNEL_INITS, dense, dropout, zeros

HEADS = ('classification', 'span', 'tagging')
TAGGERS = ('linear', 'bilstm')


class LSTM(nnx.Module):
  """One-direction LSTM over ``[B, L, D]`` that skips padding (carry kept through pads)."""

  def __init__(self, din: int, hidden: int, *, init_range: float, rngs: nnx.Rngs):
    self.hidden = hidden
    kinit = nnx.with_partitioning(nnx.initializers.truncated_normal(init_range), (None, None))
    self.inputs = nnx.Linear(din, 4 * hidden, kernel_init=kinit,
                             bias_init=zeros((None,)), rngs=rngs)
    self.recurrent = nnx.Linear(hidden, 4 * hidden, use_bias=False, kernel_init=kinit, rngs=rngs)

  def __call__(self, x, mask, *, reverse: bool = False):
    """x [B, L, D], mask [B, L] (1 = real) -> [B, L, hidden] (0 at pads)."""
    b = x.shape[0]
    gates_x = self.inputs(x).astype(jnp.float32)  # [B, L, 4h], all time steps at once
    w_rec = self.recurrent.kernel[...].astype(jnp.float32)

    def step(carry, inp):
      c, h = carry
      gx, m = inp  # [B, 4h], [B]
      i, f, g, o = jnp.split(gx + h @ w_rec, 4, axis=-1)
      c_new = jax.nn.sigmoid(f + 1.0) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
      h_new = jax.nn.sigmoid(o) * jnp.tanh(c_new)
      keep = m[:, None] > 0
      c, h = jnp.where(keep, c_new, c), jnp.where(keep, h_new, h)
      return (c, h), jnp.where(keep, h_new, 0.0)

    zeros_bh = jnp.zeros((b, self.hidden), jnp.float32)
    xs = (jnp.swapaxes(gates_x, 0, 1), jnp.swapaxes(mask, 0, 1))  # time major
    _, ys = jax.lax.scan(step, (zeros_bh, zeros_bh), xs, reverse=reverse)
    return jnp.swapaxes(ys, 0, 1).astype(x.dtype)


class Tagger(nnx.Module):
  """Per-token tagger: dropout -> (BiLSTM ->) dense, ``[B, L, D] -> [B, L, C]``."""

  def __init__(self, cfg: BertConfig, din: int, num_labels: int, *, kind: str = 'linear',
               lstm_size: int = 256, init: str = 'bert', rngs: nnx.Rngs):
    if kind not in TAGGERS:
      raise ValueError(f'tagger={kind!r}; expected one of {TAGGERS}.')
    self.cfg, self.kind = cfg, kind
    if kind == 'bilstm':
      self.forward_lstm = LSTM(din, lstm_size, init_range=cfg.initializer_range, rngs=rngs)
      self.backward_lstm = LSTM(din, lstm_size, init_range=cfg.initializer_range, rngs=rngs)
      din = 2 * lstm_size
    self.output = dense(cfg, din, num_labels, (None, None), rngs, init=init)

  def __call__(self, x, mask, rng=None):
    """x [B, L, D], mask [B, L] -> logits [B, L, C] (fp32)."""
    x = dropout(x, self.cfg.hidden_dropout_prob, rng)
    if self.kind == 'bilstm':
      x = jnp.concatenate([self.forward_lstm(x, mask), self.backward_lstm(x, mask, reverse=True)],
                          axis=-1)  # [B, L, 2 * lstm_size]
      x = dropout(x, self.cfg.hidden_dropout_prob,
                  None if rng is None else jax.random.fold_in(rng, 1))
    return self.output(x).astype(jnp.float32)


class BertForTask(nnx.Module):
  """``BertModel`` (under ``bert``) + one task head (see module doc).

  Args:
    cfg: the encoder's config.
    head: 'classification' | 'span' | 'tagging'.
    num_outputs: classes (1 for regression and multiple choice); 2 for 'span' (ignored).
    features: 'tagging' only: which hidden states feed the tagger; 'last' is the
      fine-tuning approach, any other ``bert_jax.models.hidden_layers.COMBINATIONS`` name the
      feature-based one (usually with ``freeze_encoder``).
    tagger: 'tagging' only: 'linear' or 'bilstm'.
    lstm_size: hidden units per direction of the BiLSTM tagger.
    freeze_encoder: the encoder runs deterministically and no gradient reaches it (the
      optimizer must also leave it alone: weight decay, see ``bert_jax/tasks``).
    head_init: the head's output kernel: 'bert' (truncated normal, google-research/bert's
      ``create_initializer``), 'normal' (transformers' ``_init_weights``) or 'zeros'
      (big_vision's ``head_zeroinit``).
  """

  def __init__(self, cfg: BertConfig, *, head: str, num_outputs: int = 2,
               features: str = 'last', tagger: str = 'linear', lstm_size: int = 256,
               freeze_encoder: bool = False, head_init: str = 'bert', rngs: nnx.Rngs):
    if head not in HEADS:
      raise ValueError(f'head={head!r}; expected one of {HEADS}.')
    if head_init not in KERNEL_INITS:
      raise ValueError(f'head_init={head_init!r}; expected one of {KERNEL_INITS}.')
    self.cfg, self.head_kind, self.features = cfg, head, features
    self.freeze_encoder = freeze_encoder
    self.bert = BertModel(cfg, add_pooling_layer=head == 'classification', rngs=rngs)
    h = cfg.hidden_size
    if head == 'classification':
      self.head = dense(cfg, h, num_outputs, ('embed', None), rngs, init=head_init)
    elif head == 'span':
      self.head = dense(cfg, h, 2, ('embed', None), rngs, init=head_init)
    else:
      check_combination(features, cfg.num_hidden_layers)
      din = 4 * h if features == 'concat_last_four' else h
      self.head = Tagger(cfg, din, num_outputs, kind=tagger, lstm_size=lstm_size,
                         init=head_init, rngs=rngs)

  def __call__(self, input_ids, token_type_ids, attention_mask, *, token_mask=None, rng=None):
    """input_ids, token_type_ids [B, L]; attention_mask bool [B, 1, L, L] (bert_jax.masks).

    ``token_mask`` [B, L] (1 = real token) is needed by the BiLSTM tagger only.
    Returns fp32 logits: classification [B, C]; span (start [B, L], end [B, L]);
    tagging [B, L, C]. ``rng=None`` runs deterministically.
    """
    enc_rng, head_rng = (None, None) if rng is None else jax.random.split(rng)
    if self.freeze_encoder:
      enc_rng = None
    need_hidden = self.head_kind == 'tagging' and self.features != 'last'
    out = self.bert(input_ids, token_type_ids, attention_mask, rng=enc_rng,
                    output_hidden_states=need_hidden)
    if self.head_kind == 'classification':
      x = out.pooled_output  # [B, H]
    elif need_hidden:
      x = combine_layers(out.hidden_states, self.features)  # [B, L, H']
    else:
      x = out.last_hidden_state  # [B, L, H]
    if self.freeze_encoder:
      x = jax.lax.stop_gradient(x)
    if self.head_kind == 'classification':
      return self.head(dropout(x, self.cfg.hidden_dropout_prob, head_rng)).astype(jnp.float32)
    if self.head_kind == 'span':
      logits = self.head(x).astype(jnp.float32)  # [B, L, 2]
      return logits[..., 0], logits[..., 1]
    if token_mask is None:
      token_mask = jnp.ones(input_ids.shape, jnp.int32)
    return self.head(x, token_mask, head_rng)
