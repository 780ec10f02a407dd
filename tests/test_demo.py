"""The demo's report (bert_jax.demo): mean +- std over seeds, the README table, and the
command that serves the models just trained. Fine-tuning itself is tested in
tests/test_finetune.py; here the arithmetic and the printed lines, by hand."""
import math
import os
import pathlib
import subprocess
import sys

from bert_jax.tasks import demo_runs as demo


def test_mean_std_is_the_sample_standard_deviation():
  assert demo.mean_std([0.5]) == (0.5, 0.0)
  mean, std = demo.mean_std([1.0, 2.0, 4.0])  # by hand: mean 7/3; sum sq dev 14/3; / 2
  assert math.isclose(mean, 7 / 3) and math.isclose(std, math.sqrt(7 / 3))


def test_table_says_whether_the_gap_exceeds_the_seed_spread():
  runs = lambda arg, metric, values: [{'arg': arg, 'metric': metric, 'seed': i, metric: v}
                                       for i, v in enumerate(values)]
  results = {
      'classification': runs('sentiment', 'accuracy', [0.90, 0.92, 0.94]),
      'classification/random': runs('sentiment', 'accuracy', [0.70, 0.72, 0.74]),
      'span': runs('squad_en', 'best_f1', [20.0, 30.0, 40.0]),        # already in points
      'span/random': runs('squad_en', 'best_f1', [19.0, 19.0, 19.0]),
      'tagging': runs('ner_en', 'f1', [0.70, 0.71, 0.72]),
      'tagging/random': runs('ner_en', 'f1', [0.80, 0.80, 0.80]),
  }
  lines = demo.results_table(results).splitlines()
  assert lines[0].startswith('| head (shipped set) | dev metric (0-100) | pretrained (mean ± std)')
  # accuracy x100: 92.0 +- 2.0 vs 72.0 +- 2.0; gap 20 > 4.
  assert lines[2] == ('| classification (`sentiment`) | accuracy | 92.0 ± 2.0 | 72.0 ± 2.0 '
                      '| +20.0 | **yes**, pretraining helps |')
  # 30 +- 10 vs 19 +- 0: gap 11 > 10 -> yes; F1 is not scaled again.
  assert lines[3] == ('| span (`squad_en`) | best_f1 | 30.0 ± 10.0 | 19.0 ± 0.0 | +11.0 '
                      '| **yes**, pretraining helps |')
  assert lines[4].endswith('| 71.0 ± 1.0 | 80.0 ± 0.0 | -9.0 | no, it hurts |')
  assert '3 fine-tuning seeds' in lines[-1]
  one = {k: v[:1] for k, v in results.items()}
  assert demo.results_table(one).splitlines()[2].endswith('| ? (one seed: no spread to compare with) |')


def test_serve_command_points_at_the_seed_workdirs():
  cmd = demo.serve_command(pathlib.Path('/runs/ft'), 'en', 0)
  assert cmd.endswith('-m bert_jax.serve --classifier=/runs/ft/sentiment_seed0 '
                      '--reader=/runs/ft/squad_en_seed0')
  assert demo.run_name('squad_ko', True, 2) == 'squad_ko_random_seed2'


def test_demo_reads_squad_en_at_the_seq_its_table_was_measured_at_and_user_flags_win():
  """squad_en's own default is seq 160 (for MiniLM); the demo's BERT-tiny keeps 128."""
  from bert_jax.tasks.demo_runs import load_experiment
  assert load_experiment('squad.py', 'squad_en').data.max_seq_length == 160
  cfg = demo.job_config('squad.py', 'squad_en', '/ckpt', random_init=True, seed=2,
                        overrides={'num_epochs': 10, 'optimizer.learning_rate': 1e-3})
  assert (cfg.data.max_seq_length, cfg.num_epochs, cfg.optimizer.learning_rate) == (128, 10, 1e-3)
  assert (cfg.init_checkpoint, cfg.random_init, cfg.seed, cfg.optimizer.recipe) == (
      '/ckpt', True, 2, 'hf')
  mine = demo.job_config('squad.py', 'squad_en', '/ckpt', random_init=False, seed=0,
                         overrides={'data.max_seq_length': 96})
  assert mine.data.max_seq_length == 96
  other = demo.job_config('ner.py', 'ner_en', '/ckpt', random_init=False, seed=0)
  assert other.data.max_seq_length == load_experiment('ner.py', 'ner_en').data.max_seq_length


def test_demo_epochs_are_per_set():
  """10 epochs for the classifier and the tagger, 4 for the reader (README demo table)."""
  epochs = {arg: demo.job_config(exp, arg, '/ckpt', random_init=False, seed=0).num_epochs
            for _, exp, arg in demo.JOBS['en']}
  assert epochs == {'sentiment': 10, 'squad_en': 4, 'ner_en': 10}
  assert demo.job_config('squad.py', 'squad_en', '/ckpt', random_init=False, seed=0,
                         overrides={'num_epochs': 2}).num_epochs == 2  # --num_epochs wins


def test_demo_runs_after_the_first_load_their_steps_from_the_compilation_cache(tmp_path):
  """In a fresh process (the cache is global JAX state): the demo's cache goes under its
  workdir, a second compile of the same step is served from it, and a cache the user
  configured is kept."""
  code = r'''
import os, pathlib, sys
import jax, jax.numpy as jnp
from bert_jax.tasks import demo_runs
where = demo_runs.enable_compilation_cache(sys.argv[1])
assert where == str(pathlib.Path(sys.argv[1]) / 'jax_cache'), where
f = lambda x: jnp.tanh(x @ x.T).sum()
jax.jit(f)(jnp.ones((64, 64))).block_until_ready()
n = len(os.listdir(where))
jax.clear_caches()  # the in-memory cache: the next call must compile or read the disk
jax.jit(f)(jnp.ones((64, 64))).block_until_ready()
assert n >= 1 and len(os.listdir(where)) == n, (n, os.listdir(where))  # read, not rewritten
print('ok', n)
'''
  env = {k: v for k, v in os.environ.items() if not k.startswith('JAX_COMPILATION_CACHE')}
  out = subprocess.run([sys.executable, '-c', code, str(tmp_path / 'wd')], env=env,
                       capture_output=True, text=True, timeout=300, check=False)
  assert out.returncode == 0 and 'ok' in out.stdout, out.stderr[-2000:]
  mine = tmp_path / 'mine'
  keep = subprocess.run([sys.executable, '-c', 'import sys; from bert_jax.tasks import demo_runs;'
                         'print(demo_runs.enable_compilation_cache(sys.argv[1]))', str(tmp_path)],
                        env={**env, 'JAX_COMPILATION_CACHE_DIR': str(mine)},
                        capture_output=True, text=True, timeout=300, check=False)
  assert keep.stdout.strip() == str(mine), keep.stderr[-2000:]
