"""BERT building blocks as Flax NNX modules: embeddings, self-attention, feed-forward, layer.

Shapes: B batch, L length, H hidden, N heads, D head dim (H = N * D), F feed-forward.
Every parameter carries logical axis names (``vocab``, ``embed``, ``heads``, ``kv``,
``mlp``, ``layers``), every key activation its own (``ACT_*``: ``activation_batch``, ...);
``bert_jax.train.partitioning`` maps them to mesh axes with one rules table. Dropout takes
an explicit PRNG key so a train step is a pure function of ``(params, batch, rng)``.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import linen as nn
from flax import nnx

from bert_jax.models.config import BertConfig


def bert_init(cfg: BertConfig, axes: tuple[str | None, ...]):
  """Truncated normal(std=initializer_range) as google-research/bert, with logical axes."""
  return nnx.with_partitioning(
      nnx.initializers.truncated_normal(stddev=cfg.initializer_range), axes)


def zeros(axes):
  return nnx.with_partitioning(nnx.initializers.zeros_init(), axes)


def ones(axes):
  return nnx.with_partitioning(nnx.initializers.ones_init(), axes)


# Activations' logical axes: names of their own (not the parameters' ``embed`` / ``mlp``
# ...), so their sharding never depends on the order of the parameter rules.
ACT_HIDDEN = ('activation_batch', 'activation_length', 'activation_embed')      # [B, L, H]
ACT_HEADS = ('activation_batch', 'activation_length', 'activation_heads',
             'activation_kv')                                                   # [B, L, N, D]
ACT_MLP = ('activation_batch', 'activation_length', 'activation_mlp')           # [B, L, F]
ACT_VOCAB = ('activation_batch', 'activation_length', 'activation_vocab')       # [B, L, V]


def constrain(x: jax.Array, axes: tuple[str | None, ...]) -> jax.Array:
  """Sharding hint for an activation by logical axis names; a no-op unless the trainer
  traces the model under its rules table and mesh (``partitioning.activation_sharding``)."""
  return nn.with_logical_constraint(x, axes)


def dropout(x: jax.Array, rate: float, rng: jax.Array | None) -> jax.Array:
  """Inverted dropout; ``rng=None`` means deterministic (eval)."""
  if rng is None or rate == 0.0:
    return x
  keep = jax.random.bernoulli(rng, 1.0 - rate, x.shape)
  return jnp.where(keep, x / (1.0 - rate), jnp.zeros_like(x)).astype(x.dtype)


def activation(name: str):
  if name == 'gelu':
    return lambda x: jax.nn.gelu(x, approximate=False)
  if name in ('gelu_new', 'gelu_tanh'):
    return lambda x: jax.nn.gelu(x, approximate=True)
  return jax.nn.relu


def layer_norm(cfg: BertConfig, rngs: nnx.Rngs) -> nnx.LayerNorm:
  return nnx.LayerNorm(cfg.hidden_size, epsilon=cfg.layer_norm_eps, dtype=cfg.jnp_dtype,
                       param_dtype=cfg.jnp_param_dtype, scale_init=ones(('embed',)),
                       bias_init=zeros(('embed',)), rngs=rngs)


KERNEL_INITS = ('bert', 'normal', 'zeros')


def kernel_init(cfg: BertConfig, axes: tuple[str | None, ...], how: str = 'bert'):
  """A kernel initialiser by name: 'bert' (``bert_init``), 'normal' (normal(0,
  initializer_range), transformers' ``_init_weights``) or 'zeros'."""
  if how == 'bert':
    return bert_init(cfg, axes)
  if how == 'normal':
    return nnx.with_partitioning(nnx.initializers.normal(stddev=cfg.initializer_range), axes)
  if how == 'zeros':
    return zeros(axes)
  raise ValueError(f'kernel init {how!r}; expected one of {KERNEL_INITS}.')


def dense(cfg: BertConfig, din: int, dout: int, axes: tuple[str, str], rngs: nnx.Rngs, *,
          init: str = 'bert') -> nnx.Linear:
  """Linear with a ``kernel_init(cfg, axes, init)`` kernel and a zero bias."""
  return nnx.Linear(din, dout, dtype=cfg.jnp_dtype, param_dtype=cfg.jnp_param_dtype,
                    kernel_init=kernel_init(cfg, axes, init), bias_init=zeros((axes[1],)),
                    rngs=rngs)


class Embeddings(nnx.Module):
  """word + position + token type -> LayerNorm -> dropout."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    emb = lambda n, axes: nnx.Embed(n, cfg.hidden_size, dtype=cfg.jnp_dtype,
                                    param_dtype=cfg.jnp_param_dtype,
                                    embedding_init=bert_init(cfg, axes), rngs=rngs)
    self.word_embeddings = emb(cfg.vocab_size, ('vocab', 'embed'))
    self.position_embeddings = emb(cfg.max_position_embeddings, (None, 'embed'))
    self.token_type_embeddings = emb(cfg.type_vocab_size, (None, 'embed'))
    self.layer_norm = layer_norm(cfg, rngs)

  def __call__(self, input_ids, token_type_ids, position_ids, rng=None):
    x = (self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
         + self.token_type_embeddings(token_type_ids))  # [B, L, H]
    x = dropout(self.layer_norm(x), self.cfg.hidden_dropout_prob, rng)
    return constrain(x, ACT_HIDDEN)


class SelfAttention(nnx.Module):
  """Multi-head scaled dot-product self-attention with an explicit bool mask [B, 1, Lq, Lk]."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    n, d, h = cfg.num_attention_heads, cfg.head_dim, cfg.hidden_size
    proj = lambda: nnx.LinearGeneral(
        h, (n, d), dtype=cfg.jnp_dtype, param_dtype=cfg.jnp_param_dtype,
        kernel_init=bert_init(cfg, ('embed', 'heads', 'kv')),
        bias_init=zeros(('heads', 'kv')), rngs=rngs)
    self.query, self.key, self.value = proj(), proj(), proj()
    self.output = nnx.LinearGeneral(
        (n, d), h, axis=(-2, -1), dtype=cfg.jnp_dtype, param_dtype=cfg.jnp_param_dtype,
        kernel_init=bert_init(cfg, ('heads', 'kv', 'embed')), bias_init=zeros(('embed',)),
        rngs=rngs)

  def __call__(self, x, mask, rng=None):
    """x [B, L, H], mask bool [B, 1, L, L] -> (out [B, L, H], probs [B, N, L, L])."""
    cfg = self.cfg
    q, k, v = (constrain(p(x), ACT_HEADS)
               for p in (self.query, self.key, self.value))  # [B, L, N, D]
    scores = jnp.einsum('bqnd,bknd->bnqk', q, k) / jnp.sqrt(cfg.head_dim).astype(q.dtype)
    scores = scores.astype(jnp.float32)  # softmax in fp32 even under bf16 compute
    scores = jnp.where(mask, scores, jnp.finfo(jnp.float32).min)
    probs = jax.nn.softmax(scores, axis=-1)
    dropped = dropout(probs, cfg.attention_probs_dropout_prob,
                      None if rng is None else jax.random.fold_in(rng, 0))
    ctx = jnp.einsum('bnqk,bknd->bqnd', dropped.astype(v.dtype), v)  # [B, L, N, D]
    return self.output(ctx), probs


class Layer(nnx.Module):
  """One post-LN transformer encoder layer, as in BERT."""

  def __init__(self, cfg: BertConfig, *, rngs: nnx.Rngs):
    self.cfg = cfg
    self.attention = SelfAttention(cfg, rngs=rngs)
    self.attention_layer_norm = layer_norm(cfg, rngs)
    self.intermediate = dense(cfg, cfg.hidden_size, cfg.intermediate_size, ('embed', 'mlp'), rngs)
    self.output = dense(cfg, cfg.intermediate_size, cfg.hidden_size, ('mlp', 'embed'), rngs)
    self.output_layer_norm = layer_norm(cfg, rngs)

  def __call__(self, x, mask, rng=None):
    """x [B, L, H] -> (x [B, L, H], attention probs [B, N, L, L])."""
    cfg = self.cfg
    sub = (lambda i: None) if rng is None else (lambda i: jax.random.fold_in(rng, i))
    attn, probs = self.attention(x, mask, sub(0))
    x = self.attention_layer_norm(x + dropout(attn, cfg.hidden_dropout_prob, sub(1)))
    h = constrain(activation(cfg.hidden_act)(self.intermediate(x)), ACT_MLP)
    y = self.output(h)
    x = self.output_layer_norm(x + dropout(y, cfg.hidden_dropout_prob, sub(2)))
    return constrain(x, ACT_HIDDEN), probs
