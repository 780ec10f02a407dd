r"""Is the pretraining data pipeline ever the bottleneck? Examples/s of both sides.

  python benchmarks/data_pipeline.py                       # embedded corpus, CPU
  python benchmarks/data_pipeline.py --workers=0,1,2 --models=tiny,base --batch=32

Measures, on this machine:
1. the grain pipeline (``make_pretrain_iterator``, embedded corpus, seq 128): examples/s
   for each worker count, after the first batch;
2. what one jitted train step (MLM at the masked positions + NSP, AdamW) of the
   ``BertForPreTraining`` presets consumes, in examples/s;
and prints their ratio (target: >= 10x for base on CPU). The FLOPs per example of the
training-FLOPs formula (bert_jax.train.mfu) are printed beside the measured step rate.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bert_jax.data import default_data_config, make_pretrain_iterator, open_corpus  # noqa: E402
from bert_jax.data.vocab import get_tokenizer  # noqa: E402


def pipeline_rate(data, batch: int, steps: int) -> float:
  """Examples/s of the pipeline, after its first batch (start-up is not throughput)."""
  it, _ = make_pretrain_iterator(data, global_batch_size=batch, seed=0, process_index=0,
                                 process_count=1)
  next(it)
  t = time.perf_counter()
  for _ in range(steps):
    next(it)
  rate = steps * batch / (time.perf_counter() - t)
  it.close()
  return rate


def train_flops_per_token(cfg, seq: int, mlm_fraction: float) -> float:
  """Training FLOPs per token: 6L(4d^2 + 2d d_ff) + 12 L d T + 6 (d^2 + d V) f."""
  L, d, ff, V = cfg.num_hidden_layers, cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
  return 6 * L * (4 * d * d + 2 * d * ff) + 12 * L * d * seq + 6 * (d * d + d * V) * mlm_fraction


def train_step_rate(preset: str, vocab_size: int, batch: dict, steps: int) -> float:
  """Examples/s one jitted AdamW step of BertForPreTraining consumes (sparse MLM head)."""
  import jax  # pylint: disable=import-outside-toplevel
  import jax.numpy as jnp
  import optax
  from flax import nnx

  from bert_jax.masks import make_attention_mask
  from bert_jax.models import BertConfig, BertForPreTraining

  cfg = BertConfig.preset(preset, vocab_size=vocab_size)
  model = BertForPreTraining(cfg, rngs=nnx.Rngs(0))
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)
  tx = optax.adamw(1e-4, weight_decay=0.01)
  opt_state = tx.init(params)

  def loss_fn(p, b, rng):
    m = nnx.merge(graphdef, p, rest)
    out = m(b['input_ids'], b['token_type_ids'], make_attention_mask(b['attention_mask']),
            masked_positions=b['masked_lm_positions'], rng=rng)
    w = b['masked_lm_weights']
    mlm = optax.softmax_cross_entropy_with_integer_labels(
        out['mlm_logits'].astype(jnp.float32), b['masked_lm_ids'])
    nsp = optax.softmax_cross_entropy_with_integer_labels(out['nsp_logits'],
                                                          b['next_sentence_label'])
    return (mlm * w).sum() / jnp.maximum(w.sum(), 1) + nsp.mean()

  @jax.jit
  def step(p, s, b, rng):
    loss, grads = jax.value_and_grad(loss_fn)(p, b, rng)
    updates, s = tx.update(grads, s, p)
    return optax.apply_updates(p, updates), s, loss

  b = {k: jnp.asarray(v) for k, v in batch.items()}
  rng = jax.random.key(0)
  params, opt_state, loss = step(params, opt_state, b, rng)  # Compile.
  loss.block_until_ready()
  t = time.perf_counter()
  for i in range(steps):
    params, opt_state, loss = step(params, opt_state, b, jax.random.fold_in(rng, i))
  loss.block_until_ready()
  return steps * len(batch['input_ids']) / (time.perf_counter() - t), cfg


def main(argv=None) -> None:
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument('--data_dir', default='', help='TFDS data dir (default: a temp dir).')
  ap.add_argument('--batch', type=int, default=32)
  ap.add_argument('--steps', type=int, default=60, help='Pipeline batches timed.')
  ap.add_argument('--workers', default='0,1', help='Comma-separated worker counts.')
  ap.add_argument('--models', default='tiny,base', help='Model presets for the step rate.')
  ap.add_argument('--model_batch', type=int, default=0,
                  help='Batch of the timed train step (0: --batch for tiny/mini, 8 above).')
  ap.add_argument('--model_steps', type=int, default=3)
  args = ap.parse_args(argv)

  tmp = None
  data = default_data_config()
  if args.data_dir:
    data.data_dir = args.data_dir
  else:
    tmp = tempfile.TemporaryDirectory()
    data.data_dir = tmp.name
  t = time.perf_counter()
  corpus = open_corpus(data)
  t_corpus = time.perf_counter() - t
  tok = get_tokenizer(data, corpus)
  t_vocab = time.perf_counter() - t - t_corpus
  print(f'corpus {corpus.name}: {corpus.counts.get("documents")} documents, '
        f'{corpus.counts.get("words"):,} words; corpus {t_corpus:.1f} s, vocab {t_vocab:.1f} s '
        f'({"built" if tmp else "cached or built"})')
  print(f'cpu cores: {os.cpu_count()}')

  rates = {}
  for w in [int(x) for x in args.workers.split(',') if x != '']:
    data.worker_count = w
    rates[w] = pipeline_rate(data, args.batch, args.steps)
    print(f'pipeline  workers={w}: {rates[w]:8.0f} examples/s (batch {args.batch}, seq '
          f'{data.max_seq_length})')
  best = max(rates.values())
  data.worker_count = 0
  data.prefetch = 0
  it, _ = make_pretrain_iterator(data, global_batch_size=args.batch, seed=0,
                                 process_index=0, process_count=1)
  full_batch = next(it)
  it.close()
  for preset in [m for m in args.models.split(',') if m]:
    size = args.model_batch or (args.batch if preset in ('tiny', 'mini') else 8)
    batch = {k: v[:size] for k, v in full_batch.items()}
    try:
      rate, cfg = train_step_rate(preset, tok.vocab_size, batch, args.model_steps)
    except ImportError as e:
      print(f'train step {preset}: bert_jax.models unavailable ({e}); skipped')
      continue
    flops = train_flops_per_token(cfg, data.max_seq_length,
                                  data.max_predictions_per_seq / data.max_seq_length)
    print(f'train step {preset:>5}: {rate:8.1f} examples/s consumed '
          f'({flops * data.max_seq_length / 1e9:.1f} GFLOP/example, '
          f'{rate * flops * data.max_seq_length / 1e9:.0f} GFLOP/s);  '
          f'pipeline/step = {best / rate:7.1f}x  ({"ok" if best >= 10 * rate else "BOTTLENECK"})')
  if tmp:
    tmp.cleanup()


if __name__ == '__main__':
  main()
