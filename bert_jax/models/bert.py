"""The BERT encoder (``BertModel``) and the pretraining model (MLM + NSP heads).

Read top to bottom: Encoder (a stack of layers, optionally one ``nnx.scan`` over stacked
parameters, optionally rematerialised) -> BertModel (embeddings + encoder + pooler) ->
heads -> BertForPreTraining. The attention mask is built once by the caller
(``bert_jax.masks``) and passed down; no module guesses it.
"""
from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import nnx, struct

from bert_jax.models.config import BertConfig
from bert_jax.models.layers import (ACT_VOCAB, Embeddings, Layer, activation, constrain, dense,
                                   dropout, layer_norm, zeros)

_REMAT_POLICIES = {
    'full': None,  # save nothing, recompute the whole layer
    'dots': jax.checkpoint_policies.checkpoint_dots,
    'dots_no_batch': jax.checkpoint_policies.dots_with_no_batch_dims_saveable,
}


@struct.dataclass
class EncoderOutput:
  last_hidden_state: jax.Array                  # [B, L, H]
  pooled_output: jax.Array | None = None        # [B, H] (tanh(dense([CLS])))
  hidden_states: jax.Array | None = None        # [num_layers + 1, B, L, H]; 0 = embedding output
  attentions: jax.Array | None = None           # [num_layers, B, N, L, L]


class Encoder(nnx.Module):
  """``num_hidden_layers`` post-LN layers; ``cfg.scan_layers`` stacks them under axis 'layers'."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    if cfg.scan_layers:
      @nnx.split_rngs(splits=cfg.num_hidden_layers)
      @nnx.vmap(in_axes=(0,), out_axes=0, transform_metadata={nnx.PARTITION_NAME: 'layers'})
      def make_stack(rngs):
        return Layer(cfg, rngs=rngs)
      self.layers = make_stack(rngs)
    else:
      self.layers = nnx.List([Layer(cfg, rngs=rngs) for _ in range(cfg.num_hidden_layers)])

  def __call__(self, x, mask, rng=None, *, output_hidden_states=False, output_attentions=False):
    cfg = self.cfg
    # One key per layer, identical with and without scan, so both give the same numbers.
    keys = jax.random.split(rng, cfg.num_hidden_layers) if rng is not None else None

    def run_layer(layer, x, key):
      return layer(x, mask, key)

    if cfg.remat_policy != 'none':
      run_layer = nnx.remat(run_layer, policy=_REMAT_POLICIES[cfg.remat_policy])

    if cfg.scan_layers:
      @nnx.scan(in_axes=(nnx.Carry, 0, 0), out_axes=(nnx.Carry, 0))
      def body(x, layer, key):
        y, probs = run_layer(layer, x, None if rng is None else key)
        return y, (y if output_hidden_states else None, probs if output_attentions else None)
      scan_keys = keys if keys is not None else jnp.zeros((cfg.num_hidden_layers,), jnp.uint32)
      x, (hidden, attn) = body(x, self.layers, scan_keys)
    else:
      hidden, attn = [], []
      for i, layer in enumerate(self.layers):
        x, probs = run_layer(layer, x, None if keys is None else keys[i])
        hidden.append(x)
        attn.append(probs)
      hidden = jnp.stack(hidden) if output_hidden_states else None
      attn = jnp.stack(attn) if output_attentions else None
    return x, hidden, attn


def gather_positions(x, positions):
  """x [B, L, H], positions [B, P] -> [B, P, H] (MLM at the masked positions, NSP at
  packed [CLS] positions)."""
  return jnp.take_along_axis(x, positions[..., None].astype(jnp.int32), axis=1)


class BertModel(nnx.Module):
  """Embeddings -> encoder -> pooler. Returns an ``EncoderOutput``."""

  def __init__(self, cfg: BertConfig, *, add_pooling_layer: bool = True, rngs: nnx.Rngs):
    self.cfg = cfg
    self.embeddings = Embeddings(cfg, rngs=rngs)
    self.encoder = Encoder(cfg, rngs=rngs)
    self.pooler = (dense(cfg, cfg.hidden_size, cfg.hidden_size, ('embed', 'embed_out'), rngs)
                   if add_pooling_layer else None)

  def __call__(self, input_ids, token_type_ids=None, attention_mask=None, *, position_ids=None,
               rng=None, output_hidden_states=False, output_attentions=False) -> EncoderOutput:
    """input_ids [B, L]; attention_mask bool [B, 1, L, L] from ``bert_jax.masks``.

    ``rng`` is the dropout key: ``None`` runs deterministically (evaluation).
    """
    b, length = input_ids.shape
    if length > self.cfg.max_position_embeddings:
      raise ValueError(f'input length {length} exceeds max_position_embeddings='
                       f'{self.cfg.max_position_embeddings}')
    if token_type_ids is None:
      token_type_ids = jnp.zeros_like(input_ids)
    if position_ids is None:
      position_ids = jnp.broadcast_to(jnp.arange(length), (b, length))
    if attention_mask is None:
      attention_mask = jnp.ones((b, 1, length, length), bool)
    emb_rng, enc_rng = (None, None) if rng is None else jax.random.split(rng)
    x = self.embeddings(input_ids, token_type_ids, position_ids, emb_rng)  # [B, L, H]
    y, hidden, attn = self.encoder(x, attention_mask, enc_rng,
                                   output_hidden_states=output_hidden_states,
                                   output_attentions=output_attentions)
    if hidden is not None:
      hidden = jnp.concatenate([x[None], hidden], axis=0)
    pooled = self.pool(y) if self.pooler is not None else None
    return EncoderOutput(y, pooled, hidden, attn)

  def pool(self, y, cls_positions=None):
    """tanh(dense(y at [CLS])): y [B, L, H] -> [B, H] at position 0, or -> [B, S, H] at
    ``cls_positions`` [B, S] (packed rows: each sequence's own [CLS])."""
    cls = y[:, 0] if cls_positions is None else gather_positions(y, cls_positions)
    return jnp.tanh(self.pooler(cls))


class MaskedLMHead(nnx.Module):
  """dense -> GELU -> LayerNorm -> (tied word embeddings)^T + bias."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    self.transform = dense(cfg, cfg.hidden_size, cfg.hidden_size, ('embed', 'embed_out'), rngs)
    self.layer_norm = layer_norm(cfg, rngs)
    self.bias = nnx.Param(zeros(('vocab',))(rngs.params(), (cfg.vocab_size,),
                                            cfg.jnp_param_dtype))

  def __call__(self, x, word_embeddings: nnx.Embed):
    """x [..., H] -> logits [..., V] (fp32)."""
    x = self.layer_norm(activation(self.cfg.hidden_act)(self.transform(x)))
    logits = word_embeddings.attend(x)  # x @ E^T in the compute dtype
    if logits.ndim == 3:
      logits = constrain(logits, ACT_VOCAB)
    return logits.astype(jnp.float32) + self.bias[...].astype(jnp.float32)


class BertForPreTraining(nnx.Module):
  """BertModel + MLM head (decoder tied to the word embeddings) + NSP head."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    self.bert = BertModel(cfg, rngs=rngs)
    self.mlm = MaskedLMHead(cfg, rngs=rngs)
    self.nsp = dense(cfg, cfg.hidden_size, 2, ('embed', None), rngs)

  def __call__(self, input_ids, token_type_ids=None, attention_mask=None, *, position_ids=None,
               masked_positions=None, cls_positions=None, rng=None,
               output_hidden_states=False, output_attentions=False):
    """Returns dict(mlm_logits [B, P or L, V], nsp_logits [B, 2] or [B, S, 2],
    encoder=EncoderOutput).

    With ``masked_positions`` [B, P] the vocabulary projection runs only at those
    positions (sparse MLM output); without it, at every position. With ``cls_positions``
    [B, S] (packed rows) NSP is predicted for every packed sequence, pooled at its own
    [CLS]; without it, once per row from position 0.
    """
    out = self.bert(input_ids, token_type_ids, attention_mask, position_ids=position_ids,
                    rng=rng, output_hidden_states=output_hidden_states,
                    output_attentions=output_attentions)
    seq = out.last_hidden_state
    if masked_positions is not None:
      seq = gather_positions(seq, masked_positions)
    mlm_logits = self.mlm(seq, self.bert.embeddings.word_embeddings)
    pooled = (out.pooled_output if cls_positions is None      # [B, H]
              else self.bert.pool(out.last_hidden_state, cls_positions))  # [B, S, H]
    nsp_logits = self.nsp(pooled).astype(jnp.float32)
    return {'mlm_logits': mlm_logits, 'nsp_logits': nsp_logits, 'encoder': out}
