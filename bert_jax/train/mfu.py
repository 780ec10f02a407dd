"""Model FLOPs utilisation: the FLOPs a step must do over what the devices could do.

Train FLOPs per token (forward + backward = 3 x forward, matmuls only):

  6·L·(4d² + 2d·d_ff) + 12·L·d·T + 6·(d² + d·V)·f

L layers, d hidden, d_ff feed-forward, T sequence length, V vocabulary, f the fraction
of positions that reach the vocabulary projection (1 dense, P/T with the sparse MLM
head). BERT-base at T=128: ≈ 668 MFLOP/token dense, ≈ 545 sparse.

Peak FLOP/s: the dense bf16 peak of known accelerators (per device as JAX counts them),
or on CPU a measured dense fp32 matmul rate of the whole host (a CPU has no single
published peak; this is what the machine really reaches on a large matmul, so CPU "MFU"
reads as "fraction of this machine's matmul speed"). ``peak_tflops`` in the config
overrides both.
"""
from __future__ import annotations

import functools
import time
from typing import Callable, Sequence

import jax
import jax.numpy as jnp

# device_kind substring (lower case) -> dense bf16 FLOP/s per JAX device.
PEAK_FLOPS = (
    ('v6 lite', 918e12), ('v6e', 918e12), ('v5p', 459e12), ('v5 lite', 197e12),
    ('v5e', 197e12), ('v4', 275e12), ('v3', 61.5e12), ('v2', 22.5e12),
    ('h200', 989e12), ('h100', 989e12), ('gh200', 989e12), ('b200', 2250e12),
    ('a100', 312e12), ('l4', 121e12), ('a10g', 70e12), ('v100', 125e12),
)


def train_flops_per_token(*, num_layers: int, hidden: int, intermediate: int, seq_len: int,
                          vocab: int, output_fraction: float = 1.0) -> float:
  """Train FLOPs per token of a BERT encoder + MLM head (formula in the module doc)."""
  L, d, ff, T, V = num_layers, hidden, intermediate, seq_len, vocab
  return (6 * L * (4 * d * d + 2 * d * ff) + 12 * L * d * T
          + 6 * (d * d + d * V) * output_fraction)


def bert_flops_per_token(cfg, seq_len: int, max_predictions: int | None = None) -> float:
  """``train_flops_per_token`` of a ``BertConfig``; sparse MLM when ``max_predictions``."""
  f = 1.0 if not max_predictions else max_predictions / seq_len
  return train_flops_per_token(num_layers=cfg.num_hidden_layers, hidden=cfg.hidden_size,
                               intermediate=cfg.intermediate_size, seq_len=seq_len,
                               vocab=cfg.vocab_size, output_fraction=f)


def best_seconds(fn: Callable[[], object], repeats: int = 5, min_seconds: float = 0.5) -> float:
  """The shortest of at least ``repeats`` timed calls of ``fn`` (which must block until
  its work is done), called until ``min_seconds`` have passed: the first few calls after
  start-up run well below a host's rate (a 1024^2 matmul: 172 against 243-274 GFLOP/s on a
  2-core host at 5 repeats)."""
  best, count, start = float('inf'), 0, time.perf_counter()
  while count < repeats or time.perf_counter() - start < min_seconds:
    t = time.perf_counter()
    fn()
    best = min(best, time.perf_counter() - t)
    count += 1
  return best


@functools.lru_cache(maxsize=None)
def measured_cpu_flops(n: int = 1024, repeats: int = 5, min_seconds: float = 0.5) -> float:
  """Dense fp32 matmul FLOP/s of this host (``best_seconds`` of an n x n matmul)."""
  cpu = jax.devices('cpu')[0]
  a = jax.device_put(jnp.ones((n, n), jnp.float32), cpu)
  f = jax.jit(lambda x: x @ x)
  f(a).block_until_ready()
  return 2 * n ** 3 / best_seconds(lambda: f(a).block_until_ready(), repeats, min_seconds)


def peak_flops(devices: Sequence[jax.Device] | None = None, *, peak_tflops: float = 0.0
               ) -> tuple[float | None, str]:
  """(total peak FLOP/s of ``devices``, how it was obtained); None when unknown."""
  devices = list(jax.devices() if devices is None else devices)
  if peak_tflops and peak_tflops > 0:
    return peak_tflops * 1e12 * len(devices), f'config: {peak_tflops} TFLOP/s per device'
  kind = devices[0].device_kind.lower()
  if devices[0].platform == 'cpu':
    # Fake CPU devices (--xla_force_host_platform_device_count) share one host.
    return measured_cpu_flops(), 'measured fp32 matmul rate of this host'
  for key, flops in PEAK_FLOPS:
    if key in kind:
      return flops * len(devices), f'{devices[0].device_kind}: {flops / 1e12:g} TFLOP/s bf16'
  return None, f'unknown peak for {devices[0].device_kind!r} (set peak_tflops)'


def mfu(flops_per_token: float, tokens_per_sec: float, peak: float | None) -> float | None:
  if not peak or not flops_per_token or not tokens_per_sec:
    return None
  return flops_per_token * tokens_per_sec / peak
