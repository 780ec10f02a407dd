"""benchmarks/train_step.py: its FLOPs count is the hand-written formula, and its dense-head peer
computes the same objective as the trainer's sparse loss (so the two rows compare the head,
nothing else). Timing itself is not tested: run the benchmark."""

import jax
import numpy as np
from flax import nnx

from bert_jax.models import BertConfig, BertForPreTraining
from bert_jax.train.mfu import bert_flops_per_token
from bert_jax.train.pretraining import pretraining_loss
from repo_files import load_module

bench = load_module('benchmarks/train_step.py', 'benchmarks_train_step')


def test_flops_per_token_of_bert_base_is_the_field_notes_number():
  base = BertConfig.preset('base')  # L=12, d=768, d_ff=3072, V=30522
  # By hand at T=128: 6*12*(4*768^2 + 2*768*3072) = 509,607,936; 12*12*768*128 = 14,155,776;
  # 6*(768^2 + 768*30522) = 144,184,320 times f (1 dense, 20/128 sparse).
  dense = 509_607_936 + 14_155_776 + 144_184_320
  sparse = 509_607_936 + 14_155_776 + 144_184_320 * 20 // 128
  assert bert_flops_per_token(base, 128) == dense == 667_948_032
  assert bert_flops_per_token(base, 128, 20) == sparse == 546_292_512
  assert round(dense / 1e6) == 668                      # BERT-base, T=128: ~668 MFLOP/token dense
  assert abs(sparse / 545e6 - 1) < 0.003                # ~545 sparse (f ~ 0.15; here 0.156)
  assert bench.flops_per_token(base, 128, 20) == sparse  # the benchmark's cross-check holds


def test_dense_head_loss_equals_sparse_head_loss():
  cfg = BertConfig.preset('tiny', vocab_size=97, max_position_embeddings=32)
  graphdef, params = nnx.split(BertForPreTraining(cfg, rngs=nnx.Rngs(0)))
  batch = bench.synthetic_batch(3, 16, 4, 97)
  batch['masked_lm_weights'][1, 3] = 0.0  # a padded prediction slot
  both = jax.jit(lambda p, b: (pretraining_loss(nnx.merge(graphdef, p), b),
                               bench.dense_pretraining_loss(nnx.merge(graphdef, p), b)))
  (sparse, m_sparse), (dense, m_dense) = both(params, batch)
  np.testing.assert_allclose(float(dense), float(sparse), rtol=1e-5)
  np.testing.assert_allclose(float(m_dense['mlm_loss']), float(m_sparse['mlm_loss']), rtol=1e-5)


def test_packing_table_compares_real_tokens_per_second():
  rows = [{'model': 'tiny', 'rows': rows, 'steps_per_sec': sps, 'spread': 0.1,
           'real_tokens_per_batch': real, 'sequences_per_batch': seqs, 'fill': real / 4096,
           'real_tokens_per_sec': sps * real, 'sequences_per_sec': sps * seqs}
          for rows, sps, real, seqs in (('padded', 0.5, 2048, 8), ('packed', 0.5, 3072, 12))]
  table = bench.format_packing_table(rows)
  assert table.splitlines()[-1].split()[-1] == '1.50x'  # same steps/s, 1.5x the real tokens
  assert ' 75.0% ' in table.splitlines()[-1]


def test_compile_ratios_are_over_hf_flax_per_model():
  row = lambda fw, secs: bench.Result('base', fw, 'sparse', 8, 128, [1.0], 1.0, None,
                                      compile_seconds=secs)
  results = [row(bench.JAX_SPARSE, 30.0), row(bench.JAX_SCAN, 6.0), row(bench.FLAX_HF, 40.0),
             row(bench.TORCH, None)]
  assert bench.compile_ratios(results) == [
      'compile time vs flax (HF), base: bert_jax 0.75x, bert_jax scan 0.15x']
  assert bench.compile_ratios(results[:2]) == []  # no HF Flax row, no ratio
  assert '     30.0' in bench.format_table(results).splitlines()[2]


def test_checkpoint_overhead_alternates_plain_and_saving_runs_with_real_saves(monkeypatch):
  from bert_jax.train import checkpoints
  saved = []
  real_save = checkpoints.save
  monkeypatch.setattr(checkpoints, 'save',
                      lambda manager, state, **kw: saved.append(real_save(manager, state, **kw)))
  cfg = BertConfig.preset('tiny', vocab_size=97, max_position_embeddings=32)
  out = bench.measure_checkpoint_overhead(cfg, bench.synthetic_batch(2, 16, 4, 97), every=2,
                                          repeats=2)
  # warm-up: 1 plain step + 2 steps saving once; then per repeat 4 plain + 4 saving (2 saves)
  assert saved == [3, 9, 11, 17, 19]
  assert len(out['plain_step_seconds']) == len(out['saving_step_seconds']) == 2
  ratio = np.median(out['saving_step_seconds']) / np.median(out['plain_step_seconds'])
  assert abs(out['overhead'] - (ratio - 1)) < 1e-12
  table = bench.format_checkpoint_table([{'model': 'tiny', **out}])
  assert table.splitlines()[-1].split()[:2] == ['tiny', '2']


def test_cpu_matmul_rate_is_timed_for_at_least_min_seconds():
  import time
  from bert_jax.train import mfu
  t = time.perf_counter()
  rate = mfu.measured_cpu_flops(256, 1, 0.3)
  assert time.perf_counter() - t >= 0.3 and rate > 0
