"""``python -m bert_jax.sweep``: trials, checks before anything runs, skip / resume on re-run,
local (devices split) and submitit launchers, results.csv / table / results.png."""
from __future__ import annotations

import csv
import json
import math
import re
import statistics
import subprocess
import sys

import pytest
from etils import epath

from bert_jax.errors import InputError
from bert_jax.sweep import grid, launch, results
from test_data_support import built, shared_data_dir
from test_train_support import REPO, cli_env
from repo_files import load_module

SWEEP = [sys.executable, '-m', 'bert_jax.sweep']


def _sweep(*args, timeout=900):
  return subprocess.run([*SWEEP, *args], cwd=REPO, env=cli_env(), capture_output=True,
                        text=True, timeout=timeout)


def _load(spec):
  path, arg = spec.split(':')
  return load_module(path, 'sweep_test_config').get_config(arg)


def test_bad_sweep_fails_before_any_trial(tmp_path):
  out = _sweep('--config=experiments/classification.py:sentiment', f'--workdir={tmp_path / "s"}',
               '--sweep=optimizer.learning_rate=1e-4,2e-4', '--sweep=data.max_seq_lenght=64', timeout=120)
  assert out.returncode == 2, out.stderr
  lines = [l for l in out.stderr.splitlines() if l.strip()]
  assert lines[-1] == ("error: --sweep: unknown config key 'data.max_seq_lenght' (data has no "
                       "'max_seq_lenght').")
  assert not (tmp_path / 's').exists()  # nothing ran, nothing written


@pytest.mark.parametrize('spec, says', [
    ('optimizer.learning_rat=1e-4,2e-4', "unknown config key 'optimizer.learning_rat'"),
    ('global_batch_size=16,x', "'x' is not a valid int (the config has global_batch_size=16)"),
    ('random_init=maybe', "'maybe' is not a valid bool"),
    ('optimizer.learning_rate', 'expected KEY=V1,V2'),
    ('learning_rate=1e-4', "unknown config key 'learning_rate' (the config has no "
     "'learning_rate'); did you mean 'optimizer.learning_rate'?"),
    ('batch_size=16', "did you mean 'global_batch_size'?"),
    ('seed=1,2', 'use --seeds=N'),
])
def test_bad_axes_are_named(spec, says):
  with pytest.raises(InputError, match=re.escape(says)):
    grid.parse_axes(_load('experiments/classification.py:sentiment'), [spec])


def test_bert_paper_grid_and_readable_names():
  c = _load('experiments/classification.py:sentiment')
  settings = grid.config_sweep(str(REPO / 'experiments/classification.py'), 'sentiment')
  assert len(settings) == 24
  assert {s['optimizer.learning_rate'] for s in settings} == {5e-5, 4e-5, 3e-5, 2e-5}
  assert {s['global_batch_size'] for s in settings} == {16, 32}
  assert {s['num_epochs'] for s in settings} == {2.0, 3.0, 4.0}
  assert grid.config_sweep(str(REPO / 'experiments/squad.py'), 'v1.1') == settings
  trials = grid.trials_from_grid(settings, [0, 1, 2])
  grid.check(c, trials)
  assert len(trials) == 72 and len({t.name for t in trials}) == 72
  assert trials[0].name == ('optimizer.learning_rate=5e-05__global_batch_size=16__num_epochs=2'
                            '__seed=0')
  axes = grid.parse_axes(c, ['optimizer.learning_rate=1e-3,3e-4',
                             'model.hidden_dropout_prob=0,0.1', 'random_init=true,false'])
  assert axes == {'optimizer.learning_rate': [1e-3, 3e-4], 'model.hidden_dropout_prob': [0.0, 0.1],
                  'random_init': [True, False]}
  with pytest.raises(InputError, match='data'):
    grid.parse_axes(c, ['data=1,2'])


def test_devices_are_split_between_parallel_trials(monkeypatch):
  monkeypatch.setenv('XLA_FLAGS', '--xla_force_host_platform_device_count=8')
  monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '')
  slots = launch.device_slots(2)
  assert [s['XLA_FLAGS'] for s in slots] == ['--xla_force_host_platform_device_count=4'] * 2
  monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '0,1,2,3')
  assert launch.device_slots(2) == [{'CUDA_VISIBLE_DEVICES': '0,1'},
                                    {'CUDA_VISIBLE_DEVICES': '2,3'}]
  assert launch.device_slots(1) == [{}]


def test_table_is_mean_and_std_over_seeds_sorted_by_the_metric(tmp_path):
  trials = grid.trials_from_grid([{'learning_rate': 1e-4}, {'learning_rate': 3e-5}], [0, 1, 2])
  scores = {1e-4: [0.70, 0.74, 0.78], 3e-5: [0.80, 0.81, 0.85]}
  records = {}
  for t in trials:
    d = epath.Path(tmp_path) / 'trials' / t.name
    d.mkdir(parents=True)
    value = scores[t.overrides['learning_rate']][t.overrides['seed']]
    (d / 'best.json').write_text(json.dumps(
        {'step': 10, 'metric': 'accuracy', 'value': value,
         'metrics': {'accuracy': value, 'loss': 1 - value}}))
    records[t.name] = {'status': 'completed', 'wall_time': 12.0}
  main, rows = results.collect(trials, epath.Path(tmp_path), records)
  assert main == 'accuracy' and len(rows) == 6
  table, best = results.summary(rows, trials, ['learning_rate'], main)
  first, second = table.splitlines()[1:3]
  m, s = statistics.mean(scores[3e-5]), statistics.stdev(scores[3e-5])
  assert first.split()[0] == '3e-05' and f'{m:.4f} +- {s:.4f}' in first
  assert second.split()[0] == '0.0001'
  assert best.startswith('learning_rate=3e-05: accuracy') and best.endswith('over 3 seed(s)')
  results.write_csv(epath.Path(tmp_path) / 'r.csv', rows)
  with open(tmp_path / 'r.csv') as f:
    got = list(csv.DictReader(f))
  assert got[0]['trial'] == trials[0].name and math.isclose(float(got[0]['accuracy']), 0.70)
  assert results.plot(epath.Path(tmp_path) / 'r.png', rows, ['learning_rate'], main)
  assert (tmp_path / 'r.png').read_bytes()[:4] == b'\x89PNG'


@pytest.mark.slow
def test_pretrain_sweep_runs_skips_and_resumes(tmp_path):
  """Two tiny pretraining trials, 2 at a time on 4 devices each; a re-run skips them; a
  preempted one (checkpoint at 2 of 4) is resumed through submitit's local executor."""
  built('embedded')  # the corpus and its vocabulary, once per session
  base = [f'--config.data.data_dir={shared_data_dir()}', '--config.progress_bar=False']
  args = ['--config=configs/pretrain.py:tiny', f'--workdir={tmp_path / "s"}', *base,
          '--config.num_train_steps=4', '--config.checkpoint_every_steps=2',
          '--config.keep_checkpoints=0', '--config.eval_batches=1',
          '--sweep=optimizer.learning_rate=1e-3,2e-3', '--parallel=2']
  out = _sweep(*args)
  assert out.returncode == 0, out.stdout + out.stderr
  names = ['optimizer.learning_rate=0.001__seed=0', 'optimizer.learning_rate=0.002__seed=0']
  for n in names:
    rec = json.loads((tmp_path / 's' / 'trials' / n / 'trial.json').read_text())
    assert rec['status'] == 'completed' and rec['overrides']['seed'] == 0
    log = (tmp_path / 's' / 'trials' / n / 'log.txt').read_text()
    assert '(4 devices)' in log  # devices split between the 2 trials
    assert f'{n}: completed, mlm_accuracy=' in out.stdout
  with open(tmp_path / 's' / 'results.csv') as f:
    rows = list(csv.DictReader(f))
  assert [r['trial'] for r in rows] == names
  assert all(0 <= float(r['mlm_accuracy']) <= 1 for r in rows)
  assert 'best: optimizer.learning_rate=' in out.stdout
  assert (tmp_path / 's' / 'results.png').read_bytes()[:4] == b'\x89PNG'

  # Re-run: both completed -> nothing runs.
  again = _sweep(*args)
  assert again.returncode == 0 and '2 already completed, 0 to run' in again.stdout

  # A preempted trial: its step-4 checkpoint gone, step 2 left; resumed via submitit.
  d = tmp_path / 's' / 'trials' / names[1]
  rec = json.loads((d / 'trial.json').read_text())
  (d / 'trial.json').write_text(json.dumps({**rec, 'status': 'preempted'}))
  import shutil  # pylint: disable=g-import-not-at-top
  shutil.rmtree(d / 'checkpoints' / '4')
  before = (tmp_path / 's' / 'trials' / names[0] / 'log.txt').read_text()
  third = _sweep(*args, '--launcher=slurm', '--slurm.cluster=local', '--slurm.time=10',
                 '--slurm.gpus_per_trial=0', '--slurm.cpus_per_trial=1')
  assert third.returncode == 0, third.stdout + third.stderr
  assert '1 already completed, 1 to run' in third.stdout
  log = (d / 'log.txt').read_text()
  assert 'resumed from' in log and 'checkpoints/2; steps 2 -> 4' in log
  assert (tmp_path / 's' / 'trials' / names[0] / 'log.txt').read_text() == before
  assert list((tmp_path / 's' / 'slurm').glob('*_submitted.pkl'))
