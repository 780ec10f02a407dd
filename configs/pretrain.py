r"""BERT pretraining (MLM + NSP) presets.

  python -m bert_jax.pretrain --config=configs/pretrain.py:PRESET --workdir=DIR \
      [--config.KEY=VALUE ...]

Re-running the same command in the same DIR resumes from its latest checkpoint.

PRESET:
  tiny         tests: BERT-tiny (2/128/2), seq 32, batch 16, 20 steps; seconds.
  demo         the README job: BERT-tiny (2/128/2) on the embedded corpus (Python's own
               documentation, nothing downloaded), seq 128, batch 32, 1600 steps on CPU,
               no dropout.
                 python -m bert_jax.pretrain --config=configs/pretrain.py:demo \
                     --workdir=/tmp/pretrain/demo
               Expected (measured on 2 CPU cores, see README): ~6.5 min; held-out MLM
               accuracy 0.15 vs 0.05 for always predicting the most frequent token,
               NSP accuracy 0.70 vs 0.51 (eval_metrics.jsonl, last line).
  base         BERT-base (12/768/12), phase 1 as the paper: seq 128, batch 256, 900k steps
               (90 % of 1M), Adam lr 1e-4, warmup 10k, linear decay, wd 0.01, bf16 compute,
               with google-research/bert's optimizer recipe (``optimizer.recipe='bert'``: the
               decay runs over all steps from step 0 (``schedule='bert'``), its
               AdamWeightDecayOptimizer (``bias_correction=False``); with
               ``optimizer.name=lamb`` the trust ratio skips LayerNorm and biases,
               ``layer_adaptation='decayed'``).
  large        BERT-large (24/1024/16), as base; layers scanned + rematerialised, FSDP.
  base_phase2, large_phase2, demo_phase2, tiny_phase2
               phase 2 at seq 512 (max 80 predictions; the last 10 % of steps: 100k for
               base/large), starting from the parameters of phase 1 (a new optimizer with
               its own warmup, as NVIDIA's recipe):
                 python -m bert_jax.pretrain --config=configs/pretrain.py:base_phase2 \
                     --workdir=/tmp/pretrain/base_p2 --config.init_checkpoint=/tmp/pretrain/base

Optimizer recipe: base, large and their _phase2 use BERT's (above); tiny and demo use the
defaults of ``bert_jax.train.optimizer`` (``optimizer.recipe='hf'``: warmup to the peak,
then the decay over the remaining steps; bias-corrected ``optax.adamw``), with which the demo
result above was measured.

Keys (``--config.KEY=VALUE``; every key with its meaning: docs/CONFIG.md, the same names
as fine-tuning's): global_batch_size, num_train_steps, seed, prng_impl, log_every_steps,
checkpoint_every_steps, eval_every_steps, keep_checkpoints, mesh.{data,fsdp,tensor},
optimizer.{name, learning_rate, warmup_steps, warmup_fraction, decay, weight_decay,
max_grad_norm, grad_accum_steps, recipe (hf|bert), ...}, model.{preset, dtype, ...},
data.{corpus, files, vocab, max_seq_length, max_predictions_per_seq, packing, ...},
init_checkpoint, eval_batch_size, eval_batches, peak_tflops. Expected full-scale results: BERT-base after
1M steps reaches ~ 71-72 % MLM accuracy / ~ 98 % NSP accuracy on Wikipedia+BooksCorpus.
"""
import ml_collections

from bert_jax.data.config import default_data_config
from bert_jax.train.loop import default_train_config
from bert_jax.train.optimizer import bert_recipe


def _model(preset: str, **kw) -> ml_collections.ConfigDict:
  m = ml_collections.ConfigDict()
  m.preset = preset                  # bert_jax.models.config.PRESETS
  m.vocab_size = 0                   # 0: the tokenizer's
  m.max_position_embeddings = 512
  m.hidden_dropout_prob = 0.1
  m.attention_probs_dropout_prob = 0.1
  m.dtype = 'float32'                # compute; 'bfloat16' on accelerators
  m.param_dtype = 'float32'          # master weights (keep fp32)
  m.scan_layers = False
  m.remat_policy = 'none'            # 'none' | 'full' | 'dots' | 'dots_no_batch'
  m.update(kw)
  return m


def _phase2(c: ml_collections.ConfigDict, steps: int) -> ml_collections.ConfigDict:
  c.init_checkpoint = ml_collections.config_dict.placeholder(str)  # required: phase 1's workdir
  c.data.max_seq_length = 512
  c.data.max_predictions_per_seq = 80
  c.num_train_steps = steps
  c.optimizer.warmup_steps = max(1, steps // 10)
  return c


def get_config(preset: str = 'demo') -> ml_collections.ConfigDict:
  c = default_train_config()
  c.preset = preset
  c.data = default_data_config()
  c.model = _model('base')
  # Where the run starts: the workdir's own latest checkpoint (resume) > init_checkpoint
  # (its parameters, a new optimizer: phase 2) > fresh init.
  c.init_checkpoint = ''             # a checkpoint whose params start the run (phase 2)
  c.eval = True                      # held-out MLM / NSP evaluation
  c.eval_batch_size = 0              # 0: global_batch_size
  c.eval_batches = 0                 # 0: the whole held-out split (<= data.eval_max_examples)

  name, _, phase = preset.partition('_')
  if phase not in ('', 'phase2'):
    raise ValueError(f'unknown preset {preset!r}')
  if name == 'tiny':
    c.model = _model('tiny', max_position_embeddings=64, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0)
    c.data.max_seq_length = 32
    c.data.max_predictions_per_seq = 5
    c.data.prefetch = 0
    c.data.eval_max_examples = 64
    c.global_batch_size = 16
    c.num_train_steps = 20
    c.log_every_steps = 5
    c.eval_every_steps = 0
    c.checkpoint_every_steps = 10
    c.optimizer.learning_rate = 1e-3
    c.optimizer.warmup_steps = 5
    c.mesh.data = -1
  elif name == 'demo':
    # A few minutes on CPU: no dropout (a short run that sees each sentence ~10 times
    # learns NSP faster without it: held-out NSP 0.75 vs 0.69 at 2400 steps). 1600 steps:
    # the demo's tagger gains as much from them as from 2400 (+3.1 vs +2.9 entity F1 over
    # random init, 3 seeds each) in two thirds of the time.
    c.model = _model('tiny', hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    c.data.max_seq_length = 128
    c.data.max_predictions_per_seq = 20
    c.global_batch_size = 32
    c.num_train_steps = 1600
    c.log_every_steps = 50
    c.eval_every_steps = 400
    c.checkpoint_every_steps = 400
    c.optimizer.learning_rate = 1e-3
    c.optimizer.warmup_steps = 200
    c.data.eval_max_examples = 2048
  elif name in ('base', 'large'):
    # Phase 1 as the paper: batch 256, 90 % of 1M steps.
    c.model = (_model('base', dtype='bfloat16') if name == 'base' else
               _model('large', dtype='bfloat16', scan_layers=True, remat_policy='dots_no_batch'))
    c.global_batch_size = 256
    c.num_train_steps = 900_000
    c.log_every_steps = 100
    c.eval_every_steps = 10_000
    c.checkpoint_every_steps = 5_000
    c.eval_batches = 16
    bert_recipe(c.optimizer)
    c.mesh.data = -1
    c.mesh.fsdp = 1  # e.g. --config.mesh.fsdp=8 to shard params / optimizer state
  else:
    raise ValueError(f'unknown preset {preset!r}; expected tiny, demo, base, large '
                     '(optionally with _phase2).')

  if phase == 'phase2':
    steps = {'tiny': 10, 'demo': 150, 'base': 100_000, 'large': 100_000}[name]
    _phase2(c, steps)
    if name == 'tiny':
      c.data.max_seq_length = 64
      c.data.max_predictions_per_seq = 10
    if name == 'demo':
      c.global_batch_size = 8
  return c


def get_sweep(preset: str = 'demo') -> list[dict]:
  """The default grid of ``python -m bert_jax.sweep --config=configs/pretrain.py:PRESET``
  (no --sweep): the preset's peak learning rate x {0.5, 1, 2} (LAMB / Adam pretraining is
  most sensitive to it). Metric: held-out MLM accuracy."""
  lr = float(get_config(preset).optimizer.learning_rate)
  return [{'optimizer.learning_rate': lr * f} for f in (0.5, 1.0, 2.0)]
