"""Attention masks, built once per batch and passed down to every layer.

All masks are boolean ``[B, 1, Lq, Lk]``: ``True`` means "query i may attend to key j".
The leading 1 broadcasts over heads. Attention never infers a mask on its own.

- padding: keys that are padding get no weight (queries at padding positions still
  attend to the real keys, as in google-research/bert and transformers, so their
  outputs are finite and comparable).
- causal: key j <= query i (decoder-style, for experiments and tests).
- segment: packed sequences; a query attends only to keys with the same segment id.
  Segment id 0 marks padding and is never attended to.
"""
from __future__ import annotations

import jax.numpy as jnp


def padding_mask(attention_mask) -> jnp.ndarray:
  """``attention_mask`` [B, L] (1 = real token, 0 = pad) -> bool [B, 1, 1, L]."""
  return jnp.asarray(attention_mask).astype(bool)[:, None, None, :]


def causal_mask(length: int) -> jnp.ndarray:
  """bool [1, 1, L, L], lower triangular."""
  return jnp.tril(jnp.ones((length, length), dtype=bool))[None, None]


def segment_mask(segment_ids) -> jnp.ndarray:
  """``segment_ids`` [B, L] (0 = pad, 1.. = packed segment) -> bool [B, 1, L, L]."""
  seg = jnp.asarray(segment_ids)
  same = seg[:, None, :, None] == seg[:, None, None, :]
  return same & (seg[:, None, None, :] > 0)


def make_attention_mask(attention_mask=None, *, segment_ids=None, causal: bool = False,
                        length: int | None = None) -> jnp.ndarray:
  """Combines padding, segment and causal masks into one bool [B, 1, L, L] mask.

  At least one of ``attention_mask`` / ``segment_ids`` must be given (they fix B and L).
  """
  parts = []
  if attention_mask is not None:
    parts.append(padding_mask(attention_mask))
    length = jnp.shape(attention_mask)[-1]
  if segment_ids is not None:
    parts.append(segment_mask(segment_ids))
    length = jnp.shape(segment_ids)[-1]
  if not parts:
    raise ValueError('make_attention_mask needs attention_mask or segment_ids')
  if causal:
    parts.append(causal_mask(length))
  mask = parts[0]
  for p in parts[1:]:
    mask = mask & p
  batch = max(p.shape[0] for p in parts)
  return jnp.broadcast_to(mask, (batch, 1, length, length))
