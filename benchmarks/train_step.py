r"""Speed of one pretraining train step (MLM + NSP, AdamW): bert_jax against peers, with MFU.

  python benchmarks/train_step.py               # tiny,mini,small: ~2 min of CPU time on 2 cores
  python benchmarks/train_step.py --models=base --steps=2 --repeats=3
  python benchmarks/train_step.py --models=small,base --batch=32 --bf16 --json=out.json  # GPU/TPU
  python benchmarks/train_step.py --packing --models=tiny --seq=512 --max_predictions=80
  python benchmarks/train_step.py --models=base --checkpoint_every=5 --peers=   # + async save

Measures, in one run on this machine (the default JAX backend: CPU here, GPU/TPU when
present), for every model preset of ``--models`` at the same shape and batch (seq
``--seq``, ``--batch`` rows, ``--max_predictions`` masked positions per row, vocab
``--vocab``, synthetic batches with the pretraining keys of docs/CONTRACTS.md):

1. ``bert_jax``: the real trainer path, ``plan_state`` -> ``make_train_step`` ->
   ``jit_train_step`` (``bert_jax.train``) on a ``--devices``-device mesh (default 1),
   with ``pretraining_loss`` (vocabulary projection at the masked positions only) and
   the default optimizer (AdamW, clip 1.0, weight decay 0.01), dropout on;
2. ``bert_jax dense``: the same step with the MLM head over every position
   (``masked_positions=None``, cross-entropy at all L positions weighted to the masked
   ones, as HF does): the gain of the sparse head;
3. ``bert_jax scan``: the trainer's step with ``scan_layers=True`` (one ``nnx.scan`` over
   stacked layers: one layer is compiled instead of L);
4. ``torch (HF)``: transformers' PyTorch ``BertForPreTraining`` of the same config
   (``labels`` + ``next_sentence_label``, so HF's own dense MLM loss), backward,
   ``clip_grad_norm_(1.0)``, ``torch.optim.AdamW`` (decay on matrices only), train mode;
   ``torch.set_num_threads(--threads)`` (default: all cores, as XLA:CPU uses); on CUDA
   when torch has it and JAX runs on a GPU, else skipped off-CPU;
5. ``flax (HF)``: transformers' Flax BERT, if the installed transformers still has it
   (v5 removed the Flax models: then a note says it was skipped).

The jitted rows are compiled ahead of time (``jit(...).lower(...).compile()``), timed:
the ``compile s`` column, and one line per model with bert_jax's compile time over HF
Flax's. ``--checkpoint_every=N`` also measures the trainer's asynchronous Orbax save
(``bert_jax.train.checkpoints.save``) every N steps against the same step without saves,
alternating on one compiled step: the overhead in mean step time.

Each framework does ``--warmup`` steps first (allocator warm-up, not timed),
then ``--repeats`` timed runs of ``--steps`` steps each; the table gives the median
(and the spread, (max - min) / median, of the repeats: the 2-core machines are shared
and noisy). ``vs bert_jax`` is bert_jax's tokens/s over the row's (>1: bert_jax faster).

``--packing`` instead compares the same trainer step on real batches of the embedded corpus
(its own vocabulary) made by the data pipeline without and with ``data.packing``: the
figure is *real* (non-pad) tokens/s, steps/s x the mean non-pad tokens of a batch (over
``--packing_batches`` batches). Packed rows also train NSP for every packed sequence.

FLOPs per token: ``bert_jax.train.mfu.bert_flops_per_token``, i.e. the training-FLOPs
formula 6L(4d^2 + 2d d_ff) + 12 L d T + 6 (d^2 + d V) f (checked here against an
independent copy), with f = P/T for the sparse head and 1 for the dense ones; every
row is credited with the FLOPs its own head does. MFU divides the achieved FLOP/s by
``bert_jax.train.mfu.peak_flops`` of the devices used: the bf16 peak of a known
accelerator, or on CPU a *measured* fp32 1024x1024 matmul rate of this host (a CPU
has no published peak; CPU "MFU" reads as "fraction of this host's big-matmul speed").
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A torch peer may share the GPU: let XLA allocate as it goes instead of taking 75 %.
os.environ.setdefault('XLA_PYTHON_CLIENT_PREALLOCATE', 'false')

import numpy as np  # noqa: E402

JAX_SPARSE, JAX_DENSE, TORCH, FLAX_HF = 'bert_jax', 'bert_jax dense', 'torch (HF)', 'flax (HF)'
JAX_SCAN = 'bert_jax scan'


@dataclasses.dataclass
class Result:
  """One row of the table."""
  model: str
  framework: str
  head: str                      # 'sparse' (masked positions) | 'dense' (every position)
  batch: int
  seq: int
  step_seconds: list[float]      # per step, one entry per timed repeat
  flops_per_token: float
  peak_flops: float | None
  note: str = ''
  ratio: float | None = None     # bert_jax (sparse) tokens/s over this row's
  compile_seconds: float | None = None  # tracing + XLA compilation of the step (jitted rows)

  @property
  def seconds(self) -> float:
    return statistics.median(self.step_seconds)

  @property
  def steps_per_sec(self) -> float:
    return 1.0 / self.seconds

  @property
  def tokens_per_sec(self) -> float:
    return self.batch * self.seq / self.seconds

  @property
  def spread(self) -> float:
    return (max(self.step_seconds) - min(self.step_seconds)) / self.seconds

  @property
  def tflops(self) -> float:
    return self.flops_per_token * self.tokens_per_sec / 1e12

  @property
  def mfu(self) -> float | None:
    return self.tflops * 1e12 / self.peak_flops if self.peak_flops else None

  def to_dict(self) -> dict:
    d = dataclasses.asdict(self)
    d.update(steps_per_sec=self.steps_per_sec, tokens_per_sec=self.tokens_per_sec,
             spread=self.spread, tflops=self.tflops, mfu=self.mfu)
    return d


# ----------------------------------------------------------------------------
# Shapes, batches, FLOPs.
# ----------------------------------------------------------------------------
def field_notes_flops_per_token(L: int, d: int, d_ff: int, T: int, V: int, f: float) -> float:
  """The training-FLOPs formula, written out again: 6L(4d^2 + 2d d_ff) + 12 L d T + 6 (d^2 + d V) f."""
  return 6 * L * (4 * d**2 + 2 * d * d_ff) + 12 * L * d * T + 6 * (d**2 + d * V) * f


def flops_per_token(cfg, seq: int, max_predictions: int | None) -> float:
  """``bert_jax.train.mfu.bert_flops_per_token`` (sparse head when ``max_predictions``),
  which must agree with the hand-written formula."""
  from bert_jax.train.mfu import bert_flops_per_token  # pylint: disable=import-outside-toplevel
  got = bert_flops_per_token(cfg, seq, max_predictions)
  want = field_notes_flops_per_token(cfg.num_hidden_layers, cfg.hidden_size,
                                     cfg.intermediate_size, seq, cfg.vocab_size,
                                     max_predictions / seq if max_predictions else 1.0)
  if abs(got - want) > 1e-9 * want:
    raise AssertionError(f'mfu.bert_flops_per_token = {got:.6g}, hand-written formula = '
                         f'{want:.6g}')
  return got


def synthetic_batch(batch: int, seq: int, max_predictions: int, vocab: int,
                    seed: int = 0) -> dict[str, np.ndarray]:
  """A pretraining batch with the docs/CONTRACTS.md keys: full-length sentence pairs
  ([CLS] A [SEP] B [SEP], no padding), ``max_predictions`` distinct masked positions per
  row (all weighted 1), random NSP labels."""
  rng = np.random.default_rng(seed)
  input_ids = rng.integers(5, vocab, (batch, seq), dtype=np.int32)
  input_ids[:, 0] = 2                                   # [CLS]-like
  half = seq // 2
  input_ids[:, half - 1] = input_ids[:, -1] = 3         # [SEP]-like
  token_type_ids = np.zeros((batch, seq), np.int32)
  token_type_ids[:, half:] = 1
  positions = np.stack([np.sort(rng.choice(np.arange(1, seq - 1), max_predictions,
                                           replace=False)) for _ in range(batch)])
  positions = positions.astype(np.int32)
  masked_ids = np.take_along_axis(input_ids, positions, axis=1).astype(np.int32)
  input_ids[np.arange(batch)[:, None], positions] = 4  # [MASK]-like
  return {
      'input_ids': input_ids,
      'token_type_ids': token_type_ids,
      'attention_mask': np.ones((batch, seq), np.int32),
      'masked_lm_positions': positions,
      'masked_lm_ids': masked_ids,
      'masked_lm_weights': np.ones((batch, max_predictions), np.float32),
      'next_sentence_label': rng.integers(0, 2, (batch,), dtype=np.int32),
  }


def time_steps(run: Callable[[int], None], *, steps: int, repeats: int, warmup: int) -> list[float]:
  """Seconds per step of ``run(n)`` (n steps, blocking at the end), one per repeat."""
  if warmup:
    run(warmup)
  out = []
  for _ in range(repeats):
    t = time.perf_counter()
    run(steps)
    out.append((time.perf_counter() - t) / steps)
  return out


# ----------------------------------------------------------------------------
# bert_jax: the trainer's own step.
# ----------------------------------------------------------------------------
def dense_pretraining_loss(model, batch, rng=None):
  """MLM + NSP with the vocabulary projection at every position (``masked_positions=None``):
  cross-entropy at all L positions, weighted to the masked ones (HF's dense loss)."""
  import jax.numpy as jnp  # pylint: disable=import-outside-toplevel
  import optax
  from bert_jax.masks import make_attention_mask
  out = model(batch['input_ids'], batch['token_type_ids'],
              make_attention_mask(batch['attention_mask']), masked_positions=None, rng=rng)
  b, length = batch['input_ids'].shape
  rows, pos = jnp.arange(b)[:, None], batch['masked_lm_positions']
  labels = jnp.zeros((b, length), jnp.int32).at[rows, pos].set(batch['masked_lm_ids'])
  weights = jnp.zeros((b, length), jnp.float32).at[rows, pos].add(
      batch['masked_lm_weights'].astype(jnp.float32))
  ce = optax.softmax_cross_entropy_with_integer_labels(out['mlm_logits'], labels)  # [B, L]
  mlm = jnp.sum(ce * weights) / jnp.maximum(jnp.sum(weights), 1e-5)
  nsp = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(
      out['nsp_logits'], batch['next_sentence_label']))
  return mlm + nsp, {'mlm_loss': mlm, 'nsp_loss': nsp}


def bert_jax_step(cfg, batch_np: dict, *, dense: bool = False, num_devices: int = 1):
  """The trainer's jitted pretraining step (``bert_jax.train``) on a ``num_devices`` mesh,
  compiled ahead of time: ``(compiled_step, initial_state, placed_batch, rng, compile
  seconds, devices)``. The compiled step cannot recompile: every timed step is this one."""
  import jax  # pylint: disable=import-outside-toplevel
  from bert_jax.models import BertForPreTraining
  from bert_jax.train import loop, partitioning, pretraining
  from bert_jax.train.step import jit_train_step, make_train_step

  devices = jax.devices()[:num_devices] if num_devices > 0 else jax.devices()
  config = loop.default_train_config()
  config.num_train_steps = 1_000_000
  config.mesh.data = len(devices)
  mesh = partitioning.make_mesh(config.mesh, devices)
  rules = partitioning.RULES
  plan = loop.plan_state(config, lambda rngs: BertForPreTraining(cfg, rngs=rngs), mesh, rules)
  loss_fn = dense_pretraining_loss if dense else pretraining.pretraining_loss
  step = jit_train_step(
      make_train_step(plan.graphdef, loss_fn, plan.tx, plan.schedule,
                      prepare_batch=pretraining.prepare_batch, mesh=mesh, rules=rules),
      plan.shardings, mesh, rules)
  batch = partitioning.shard_batch(batch_np, mesh, rules)
  rng = jax.random.key(0)
  state = plan.init()
  t = time.perf_counter()
  compiled = step.lower(state, batch, rng).compile()
  return compiled, state, batch, rng, time.perf_counter() - t, devices


def measure_bert_jax(cfg, batch_np: dict, *, dense: bool = False, steps: int = 3,
                     repeats: int = 3, warmup: int = 1, num_devices: int = 1,
                     max_predictions: int = 20, model_name: str = '',
                     framework: str = '') -> Result:
  """bert_jax's jitted pretraining step (``bert_jax_step``), timed."""
  import jax  # pylint: disable=import-outside-toplevel
  from bert_jax.train import mfu

  step, state, batch, rng, compile_s, devices = bert_jax_step(cfg, batch_np, dense=dense,
                                                              num_devices=num_devices)
  holder = [state]

  def run(n):
    state, metrics = holder[0], None
    for _ in range(n):
      state, metrics = step(state, batch, rng)
    holder[0] = state
    jax.block_until_ready(metrics['loss'])

  secs = time_steps(run, steps=steps, repeats=repeats, warmup=warmup)
  seq = batch_np['input_ids'].shape[1]
  peak, _ = mfu.peak_flops(devices)
  head = 'dense' if dense else 'sparse'
  note = f'{cfg.dtype}, mesh {len(devices)}' + (', scan' if cfg.scan_layers else '')
  return Result(model_name, framework or (JAX_DENSE if dense else JAX_SPARSE), head,
                batch_np['input_ids'].shape[0], seq, secs,
                flops_per_token(cfg, seq, None if dense else max_predictions), peak,
                note=note, compile_seconds=compile_s)


def measure_checkpoint_overhead(cfg, batch_np: dict, *, every: int, repeats: int = 3,
                                num_devices: int = 1) -> dict:
  """Mean step time of the trainer's step without and with an asynchronous Orbax save
  (``bert_jax.train.checkpoints.save``: params, optimizer state, metadata) every ``every``
  steps. Each repeat runs ``2 * every`` steps plain, then ``2 * every`` steps saving at
  every ``every``-th (2 saves); the two kinds alternate on the same compiled step and
  state, so slow drifts of a shared machine hit both. A save waits for the previous one
  (Orbax); the last save finishes outside the timing, as the next steps would hide it."""
  import tempfile  # pylint: disable=import-outside-toplevel
  import jax
  from bert_jax.train import checkpoints

  step, state, batch, rng, _, _ = bert_jax_step(cfg, batch_np, num_devices=num_devices)
  holder = [state]
  with tempfile.TemporaryDirectory() as workdir:
    manager = checkpoints.make_manager(workdir, max_to_keep=2, async_save=True)

    def run(n, save):
      state, metrics = holder[0], None
      for i in range(1, n + 1):
        state, metrics = step(state, batch, rng)
        if save and i % every == 0:
          checkpoints.save(manager, state)
      holder[0] = state
      jax.block_until_ready(metrics['loss'])

    run(1, False)  # warm-up
    run(every, True)  # the first save compiles the finiteness check, creates the dirs
    manager.wait_until_finished()
    plain, saving = [], []
    for _ in range(repeats):
      for save, out in ((False, plain), (True, saving)):
        t = time.perf_counter()
        run(2 * every, save)
        out.append((time.perf_counter() - t) / (2 * every))
        manager.wait_until_finished()
    manager.close()
  p, c = statistics.median(plain), statistics.median(saving)
  return {'every': every, 'plain_step_seconds': plain, 'saving_step_seconds': saving,
          'overhead': c / p - 1}


# ----------------------------------------------------------------------------
# Packed vs padded batches of real text.
# ----------------------------------------------------------------------------
def corpus_batches(data_dir: str, *, seq: int, max_predictions: int, batch: int, packing: bool,
                   count: int) -> tuple[list[dict], int]:
  """``count`` batches of the embedded corpus from the data pipeline (seed 0), and the
  vocabulary size."""
  # pylint: disable-next=import-outside-toplevel
  from bert_jax.data import default_data_config, make_pretrain_iterator
  data = default_data_config()
  data.data_dir = data_dir
  data.max_seq_length = seq
  data.max_predictions_per_seq = max_predictions
  data.packing = packing
  data.prefetch = 0
  it, tok = make_pretrain_iterator(data, global_batch_size=batch, seed=0, process_index=0,
                                   process_count=1)
  batches = [next(it) for _ in range(count)]
  it.close()
  return batches, tok.vocab_size


def compare_packing(args, timing: dict) -> list[dict]:
  """Rows of the ``--packing`` table: padded vs packed, per model preset."""
  import tempfile  # pylint: disable=import-outside-toplevel
  from bert_jax.models import BertConfig
  tmp = None if args.data_dir else tempfile.TemporaryDirectory()
  data_dir = args.data_dir or tmp.name
  rows = []
  try:
    made = {}
    for packing in (False, True):
      t = time.perf_counter()
      made[packing] = corpus_batches(data_dir, seq=args.seq, max_predictions=args.max_predictions,
                                     batch=args.batch, packing=packing,
                                     count=args.packing_batches)
      print(f'  {"packed" if packing else "padded"} batches: {time.perf_counter() - t:.0f} s',
            flush=True)
    for name in [m.strip() for m in args.models.split(',') if m.strip()]:
      for packing in (False, True):
        batches, vocab = made[packing]
        cfg = BertConfig.preset(name, vocab_size=vocab, max_position_embeddings=max(512, args.seq),
                                dtype='bfloat16' if args.bf16 else 'float32')
        real = float(np.mean([b['attention_mask'].sum() for b in batches]))  # per batch
        seqs = float(np.mean([b['next_sentence_weights'].sum() if packing else len(b['input_ids'])
                              for b in batches]))
        r = measure_bert_jax(cfg, batches[0], num_devices=args.devices, model_name=name,
                             max_predictions=args.max_predictions, **timing)
        rows.append({'model': name, 'rows': 'packed' if packing else 'padded',
                     'steps_per_sec': r.steps_per_sec, 'spread': r.spread,
                     'real_tokens_per_batch': real, 'sequences_per_batch': seqs,
                     'fill': real / (args.batch * args.seq),
                     'real_tokens_per_sec': r.steps_per_sec * real,
                     'sequences_per_sec': r.steps_per_sec * seqs})
        print(f'  {name} {rows[-1]["rows"]}: {r.steps_per_sec:.3f} steps/s', flush=True)
  finally:
    if tmp:
      tmp.cleanup()
  return rows


def format_packing_table(rows: list[dict]) -> str:
  head = (f'{"model":<6} {"rows":<7} {"steps/s":>8} {"spread":>6} {"fill":>6} '
          f'{"seqs/batch":>10} {"real tok/s":>10} {"seqs/s":>7} {"vs padded":>9}')
  lines = [head, '-' * len(head)]
  padded = {r['model']: r['real_tokens_per_sec'] for r in rows if r['rows'] == 'padded'}
  for r in rows:
    ratio = r['real_tokens_per_sec'] / padded[r['model']] if r['model'] in padded else float('nan')
    lines.append(f'{r["model"]:<6} {r["rows"]:<7} {r["steps_per_sec"]:8.3f} '
                 f'{100 * r["spread"]:5.0f}% {100 * r["fill"]:5.1f}% '
                 f'{r["sequences_per_batch"]:10.1f} {r["real_tokens_per_sec"]:10.0f} '
                 f'{r["sequences_per_sec"]:7.1f} {ratio:8.2f}x')
  return '\n'.join(lines)


# ----------------------------------------------------------------------------
# Peers.
# ----------------------------------------------------------------------------
def torch_device_for(jax_platform: str) -> str | None:
  """'cpu' next to XLA:CPU, 'cuda' next to a JAX GPU when torch has CUDA, else None."""
  import torch  # pylint: disable=import-outside-toplevel
  if jax_platform == 'cpu':
    return 'cpu'
  if jax_platform in ('gpu', 'cuda') and torch.cuda.is_available():
    return 'cuda'
  return None


def torch_matmul_flops(threads: int = 0, n: int = 1024, repeats: int = 5) -> float:
  """fp32 FLOP/s of torch's CPU matmul on this host, timed as ``mfu.measured_cpu_flops``
  (XLA's, ``mfu.best_seconds``): how much of a gap is the BLAS alone."""
  import torch  # pylint: disable=import-outside-toplevel
  from bert_jax.train.mfu import best_seconds
  if threads:
    torch.set_num_threads(threads)
  a = torch.ones(n, n)
  a @ a
  return 2 * n**3 / best_seconds(lambda: a @ a, repeats)


def measure_torch(cfg, batch_np: dict, *, device: str = 'cpu', bf16: bool = False,
                  threads: int = 0, steps: int = 3, repeats: int = 3, warmup: int = 1,
                  model_name: str = '', peak: float | None = None) -> Result:
  """transformers' PyTorch ``BertForPreTraining`` train step of the same config and batch."""
  import contextlib  # pylint: disable=import-outside-toplevel
  import torch
  import transformers

  if threads:
    torch.set_num_threads(threads)
  torch.manual_seed(0)
  hf = transformers.BertConfig(**{k: getattr(cfg, k) for k in cfg.HF_KEYS})
  model = transformers.BertForPreTraining(hf).to(device).train()
  t = {k: torch.as_tensor(v, device=device) for k, v in batch_np.items()}
  labels = torch.full_like(t['input_ids'], -100, dtype=torch.long)
  rows = torch.arange(labels.shape[0], device=device)[:, None].expand_as(t['masked_lm_positions'])
  keep = t['masked_lm_weights'] > 0
  labels[rows[keep], t['masked_lm_positions'].long()[keep]] = t['masked_lm_ids'].long()[keep]
  decay = [p for p in model.parameters() if p.ndim >= 2]
  no_decay = [p for p in model.parameters() if p.ndim < 2]
  opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01},
                           {'params': no_decay, 'weight_decay': 0.0}],
                          lr=1e-4, betas=(0.9, 0.999), eps=1e-6)
  autocast = (torch.autocast(device_type=device, dtype=torch.bfloat16) if bf16
              else contextlib.nullcontext())
  inputs = dict(input_ids=t['input_ids'].long(), token_type_ids=t['token_type_ids'].long(),
                attention_mask=t['attention_mask'].long(), labels=labels,
                next_sentence_label=t['next_sentence_label'].long())

  def run(n):
    for _ in range(n):
      with autocast:
        loss = model(**inputs).loss
      loss.backward()
      torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
      opt.step()
      opt.zero_grad(set_to_none=True)
    if device == 'cuda':
      torch.cuda.synchronize()
    loss.item()

  secs = time_steps(run, steps=steps, repeats=repeats, warmup=warmup)
  seq = batch_np['input_ids'].shape[1]
  attn = getattr(model.config, '_attn_implementation', '?')
  return Result(model_name, TORCH, 'dense', batch_np['input_ids'].shape[0], seq, secs,
                flops_per_token(cfg, seq, None), peak,
                note=f'{"bf16 autocast" if bf16 else "float32"}, {device}, '
                     f'{torch.get_num_threads()} threads, attn={attn}')


def flax_hf_available() -> str:
  """'' when transformers' Flax BERT can be imported, else why not."""
  try:
    import transformers  # pylint: disable=import-outside-toplevel
  except ImportError as e:
    return f'transformers not installed ({e})'
  try:
    from transformers import FlaxBertForPreTraining  # pylint: disable=import-outside-toplevel,unused-import
  except ImportError:
    return (f'transformers {transformers.__version__} has no FlaxBertForPreTraining '
            '(the Flax models were removed in v5)')
  return ''


def measure_flax_hf(cfg, batch_np: dict, *, steps: int = 3, repeats: int = 3, warmup: int = 1,
                    model_name: str = '', peak: float | None = None) -> Result:
  """transformers' Flax ``FlaxBertForPreTraining`` (transformers < 5), jitted AdamW step."""
  import jax  # pylint: disable=import-outside-toplevel
  import jax.numpy as jnp
  import optax
  import transformers
  from transformers import FlaxBertForPreTraining

  hf = transformers.BertConfig(**{k: getattr(cfg, k) for k in cfg.HF_KEYS})
  model = FlaxBertForPreTraining(hf, seed=0, dtype=cfg.jnp_dtype)
  tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(1e-4, eps=1e-6, weight_decay=0.01))
  b = {k: jnp.asarray(v) for k, v in batch_np.items()}

  def loss_fn(params, rng):
    out = model(b['input_ids'], b['attention_mask'], b['token_type_ids'], params=params,
                dropout_rng=rng, train=True)
    logits = out.prediction_logits.astype(jnp.float32)  # [B, L, V]: HF's dense head
    picked = jnp.take_along_axis(logits, b['masked_lm_positions'][..., None], axis=1)
    mlm = optax.softmax_cross_entropy_with_integer_labels(picked, b['masked_lm_ids'])
    w = b['masked_lm_weights']
    nsp = optax.softmax_cross_entropy_with_integer_labels(
        out.seq_relationship_logits.astype(jnp.float32), b['next_sentence_label'])
    return (mlm * w).sum() / jnp.maximum(w.sum(), 1e-5) + nsp.mean()

  @jax.jit
  def step(params, opt_state, rng):
    loss, grads = jax.value_and_grad(loss_fn)(params, rng)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss

  holder = [model.params, tx.init(model.params)]
  t = time.perf_counter()
  compiled = step.lower(*holder, jax.random.key(0)).compile()
  compile_s = time.perf_counter() - t

  def run(n):
    params, opt_state = holder
    loss = None
    for i in range(n):
      params, opt_state, loss = compiled(params, opt_state, jax.random.key(i))
    holder[:] = [params, opt_state]
    loss.block_until_ready()

  secs = time_steps(run, steps=steps, repeats=repeats, warmup=warmup)
  seq = batch_np['input_ids'].shape[1]
  return Result(model_name, FLAX_HF, 'dense', batch_np['input_ids'].shape[0], seq, secs,
                flops_per_token(cfg, seq, None), peak, note=cfg.dtype, compile_seconds=compile_s)


# ----------------------------------------------------------------------------
# The table.
# ----------------------------------------------------------------------------
def add_ratios(results: list[Result]) -> None:
  """``ratio`` = bert_jax's (sparse) tokens/s over each row's, per model."""
  ref = {r.model: r.tokens_per_sec for r in results if r.framework == JAX_SPARSE}
  for r in results:
    if r.model in ref:
      r.ratio = ref[r.model] / r.tokens_per_sec


def format_table(results: list[Result]) -> str:
  head = (f'{"model":<6} {"framework":<15} {"head":<6} {"steps/s":>8} {"tokens/s":>9} '
          f'{"spread":>6} {"vs bert_jax":>11} {"MFLOP/tok":>9} {"TFLOP/s":>8} {"MFU":>6} '
          f'{"compile s":>9}  note')
  lines = [head, '-' * len(head)]
  for r in results:
    mfu = f'{100 * r.mfu:5.1f}%' if r.mfu is not None else '     -'
    ratio = f'{r.ratio:10.2f}x' if r.ratio is not None else '          -'
    comp = f'{r.compile_seconds:9.1f}' if r.compile_seconds is not None else '        -'
    lines.append(f'{r.model:<6} {r.framework:<15} {r.head:<6} {r.steps_per_sec:8.3f} '
                 f'{r.tokens_per_sec:9.0f} {100 * r.spread:5.0f}% {ratio} '
                 f'{r.flops_per_token / 1e6:9.1f} {r.tflops:8.4f} {mfu} {comp}  {r.note}')
  return '\n'.join(lines)



def compile_ratios(results: list[Result]) -> list[str]:
  """Per model: each bert_jax row's compile time over HF Flax's (when both ran)."""
  lines = []
  for model in dict.fromkeys(r.model for r in results):
    rows = {r.framework: r for r in results if r.model == model and r.compile_seconds}
    if FLAX_HF not in rows:
      continue
    ref = rows[FLAX_HF].compile_seconds
    lines.append(f'compile time vs flax (HF), {model}: ' + ', '.join(
        f'{name} {rows[name].compile_seconds / ref:.2f}x' for name in (JAX_SPARSE, JAX_SCAN)
        if name in rows))
  return lines


def format_checkpoint_table(rows: list[dict]) -> str:
  head = (f'{"model":<6} {"save every":>10} {"plain s/step":>12} {"saving s/step":>13} '
          f'{"overhead":>8}  repeats (plain / saving, s/step)')
  lines = [head, '-' * len(head)]
  for r in rows:
    p, c = statistics.median(r['plain_step_seconds']), statistics.median(r['saving_step_seconds'])
    reps = ' '.join(f'{a:.3f}/{b:.3f}' for a, b in zip(r['plain_step_seconds'],
                                                       r['saving_step_seconds']))
    lines.append(f'{r["model"]:<6} {r["every"]:>10} {p:12.3f} {c:13.3f} '
                 f'{100 * r["overhead"]:+7.1f}%  {reps}')
  return '\n'.join(lines)


def write_json(args, devices, fields: dict) -> None:
  """``--json``: the run's machine, versions and arguments plus ``fields`` (never overwrites)."""
  if not args.json:
    return
  import jax  # pylint: disable=import-outside-toplevel
  with open(args.json, 'x', encoding='utf-8') as f:
    json.dump({'date': str(datetime.date.today()), 'host': platform.node(),
               'cpu_cores': len(os.sched_getaffinity(0)), 'jax': jax.__version__,
               'device': devices[0].device_kind, 'args': vars(args), **fields}, f, indent=2)
  print(f'wrote {args.json}')

def main(argv=None) -> None:
  ap = argparse.ArgumentParser(description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument('--models', default='tiny,mini,small',
                  help='Comma-separated presets (tiny, mini, small, medium, base, large). '
                       'base is slow on CPU: add it with a small --batch.')
  ap.add_argument('--batch', type=int, default=8, help='Rows per step (default 8).')
  ap.add_argument('--seq', type=int, default=128, help='Sequence length (default 128).')
  ap.add_argument('--max_predictions', type=int, default=20,
                  help='Masked positions per row (default 20, BERT at seq 128).')
  ap.add_argument('--vocab', type=int, default=30522, help='Vocabulary size (default 30522).')
  ap.add_argument('--steps', type=int, default=1, help='Timed steps per repeat (default 1).')
  ap.add_argument('--repeats', type=int, default=3,
                  help='Timed repeats; the table shows their median (default 3).')
  ap.add_argument('--warmup', type=int, default=1,
                  help='Untimed steps first: compilation / warm-up (default 1).')
  ap.add_argument('--devices', type=int, default=1,
                  help='Devices of the bert_jax mesh (data parallel; 0 = all; default 1).')
  ap.add_argument('--bf16', action='store_true',
                  help='bfloat16 compute (fp32 master weights) for bert_jax, bf16 autocast '
                       'for torch. Default: float32 (what CPUs are fast at).')
  ap.add_argument('--threads', type=int, default=0,
                  help='torch.set_num_threads (0 = all cores of this process, as XLA:CPU).')
  ap.add_argument('--peers', default='dense,scan,torch,flax',
                  help='Which peers to run besides bert_jax: any of dense, scan, torch, flax '
                       '(default all; "" = bert_jax only).')
  ap.add_argument('--checkpoint_every', type=int, default=0,
                  help='Also measure the async checkpoint overhead: the trainer\'s step with '
                       'an Orbax save every N steps against the same step without, '
                       'alternating, --repeats times (0 = off, the default).')
  ap.add_argument('--json', default='', help='Also write the results to this JSON file.')
  ap.add_argument('--packing', action='store_true',
                  help='Instead of the peers: padded vs packed batches of the embedded corpus '
                       '(real tokens/s; e.g. --seq=512 --max_predictions=80).')
  ap.add_argument('--packing_batches', type=int, default=20,
                  help='--packing: batches whose mean non-pad tokens scale steps/s (default 20).')
  ap.add_argument('--data_dir', default='',
                  help='--packing: where the embedded corpus is built (default: a temp dir).')
  args = ap.parse_args(argv)
  if args.max_predictions > args.seq - 2:
    ap.error(f'--max_predictions={args.max_predictions} must be <= --seq - 2')
  if args.json and os.path.exists(args.json):
    ap.error(f'--json={args.json} exists; not overwriting it.')

  import jax  # pylint: disable=import-outside-toplevel
  from bert_jax.models import BertConfig
  from bert_jax.train import mfu as mfu_lib

  peers = {p.strip() for p in args.peers.split(',') if p.strip()} if not args.packing else set()
  unknown = peers - {'dense', 'scan', 'torch', 'flax'}
  if unknown:
    ap.error(f'--peers: unknown {sorted(unknown)}')
  threads = args.threads or len(os.sched_getaffinity(0))
  devices = jax.devices()[:args.devices] if args.devices > 0 else jax.devices()
  platform_name = devices[0].platform
  peak, peak_note = mfu_lib.peak_flops(devices)
  print(f'{datetime.date.today()}  {platform.node()}  {len(os.sched_getaffinity(0))} CPU cores; '
        f'jax {jax.__version__} on {len(devices)} x {devices[0].device_kind} ({platform_name})')
  print(f'peak for MFU: {peak / 1e12 if peak else float("nan"):.3f} TFLOP/s ({peak_note})')
  vocab = "the corpus's" if args.packing else args.vocab
  print(f'batch {args.batch} x seq {args.seq}, {args.max_predictions} masked positions per row, '
        f'vocab {vocab}; {args.warmup} warm-up step(s), then median of {args.repeats} x '
        f'{args.steps} steps; {"bf16" if args.bf16 else "fp32"}')
  base = BertConfig.preset('base')
  print('FLOPs/token, BERT-base T=128 (expected ~668 dense, ~545 sparse): '
        f'{flops_per_token(base, 128, None) / 1e6:.1f} dense, '
        f'{flops_per_token(base, 128, 20) / 1e6:.1f} sparse (P=20) MFLOP')

  torch_device = None
  if 'torch' in peers:
    try:
      torch_device = torch_device_for(platform_name)
      if torch_device is None:
        print(f'torch (HF): skipped, torch has no device next to JAX on {platform_name}')
      elif torch_device == 'cpu':
        print(f'fp32 1024^2 matmul on this host: XLA {mfu_lib.measured_cpu_flops() / 1e9:.0f}, '
              f'torch ({threads} threads) {torch_matmul_flops(threads) / 1e9:.0f} GFLOP/s')
    except ImportError as e:
      print(f'torch (HF): skipped, not installed ({e})')
  flax_why = flax_hf_available() if 'flax' in peers else 'not requested'
  if 'flax' in peers and flax_why:
    print(f'flax (HF): skipped, {flax_why}')

  results: list[Result] = []
  checkpoint_rows: list[dict] = []
  dtype = 'bfloat16' if args.bf16 else 'float32'
  timing = dict(steps=args.steps, repeats=args.repeats, warmup=args.warmup)
  if args.packing:
    rows = compare_packing(args, timing)
    print()
    print(format_packing_table(rows))
    print('\nreal tok/s = steps/s x mean non-pad tokens per batch; fill = non-pad share of '
          'the batch; vs padded = real tok/s over the padded row\'s.')
    write_json(args, devices, {'packing': rows})
    return
  for name in [m.strip() for m in args.models.split(',') if m.strip()]:
    cfg = BertConfig.preset(name, vocab_size=args.vocab, dtype=dtype)
    batch = synthetic_batch(args.batch, args.seq, args.max_predictions, args.vocab)
    t0 = time.perf_counter()
    runs = [lambda: measure_bert_jax(cfg, batch, num_devices=args.devices, model_name=name,
                                     max_predictions=args.max_predictions, **timing)]
    if 'dense' in peers:
      runs.append(lambda: measure_bert_jax(cfg, batch, dense=True, num_devices=args.devices,
                                           model_name=name, **timing))
    if 'scan' in peers:
      runs.append(lambda: measure_bert_jax(
          dataclasses.replace(cfg, scan_layers=True), batch, num_devices=args.devices,
          model_name=name, max_predictions=args.max_predictions, framework=JAX_SCAN, **timing))
    if torch_device:
      runs.append(lambda: measure_torch(cfg, batch, device=torch_device, bf16=args.bf16,
                                        threads=threads, model_name=name, peak=peak, **timing))
    if 'flax' in peers and not flax_why:
      runs.append(lambda: measure_flax_hf(cfg, batch, model_name=name, peak=peak, **timing))
    for run in runs:
      r = run()
      results.append(r)
      print(f'  {name} {r.framework}: {r.steps_per_sec:.3f} steps/s', flush=True)
    if args.checkpoint_every:
      ck = measure_checkpoint_overhead(cfg, batch, every=args.checkpoint_every,
                                       repeats=args.repeats, num_devices=args.devices)
      checkpoint_rows.append({'model': name, **ck})
      print(f'  {name} async checkpoint every {ck["every"]} steps: '
            f'{100 * ck["overhead"]:+.1f} % mean step time', flush=True)
    print(f'  ({name}: {time.perf_counter() - t0:.0f} s)', flush=True)

  add_ratios(results)
  print()
  print(format_table(results))
  print('\nvs bert_jax = bert_jax tokens/s / row tokens/s (>1: bert_jax faster). '
        'spread = (max - min) / median of the repeats. compile s = tracing + XLA '
        'compilation of the jitted step (torch runs eagerly).')
  for line in compile_ratios(results):
    print(line)
  if checkpoint_rows:
    print()
    print(format_checkpoint_table(checkpoint_rows))
  write_json(args, devices, {'num_devices': len(devices), 'peak_flops': peak,
                             'peak_note': peak_note, 'results': [r.to_dict() for r in results],
                             'checkpoint_overhead': checkpoint_rows})


if __name__ == '__main__':
  main()
