"""Two processes x 4 CPU devices (jax.distributed over 127.0.0.1, gloo collectives) against
one process x 8 devices, through the command lines a user runs.

- pretraining and fine-tuning log the same per-step losses (relative difference <= 1e-5:
  the same global batches on the same 8-device mesh, only the collectives differ);
- a checkpoint written by 2 processes is resumed by 1 process and the other way round,
  and the resumed steps log the losses of the run that was never interrupted (the input
  position moves across process counts);
- SIGTERM sent to one of the two processes makes both save the same step and exit.
"""
from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from test_train_support import REPO, cli_env, committed_steps, pretrain_cmd, read_metrics

TIMEOUT = 420
RTOL = 1e-5
# A constant learning rate: a run cut short at step k (num_train_steps=k) and resumed to N
# takes the same updates as one run of N steps.
CONSTANT_LR = ('--config.optimizer.warmup_steps=0', '--config.optimizer.decay=constant')


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def _env(devices: int, cache) -> dict[str, str]:
  env = cli_env(cache)
  env['XLA_FLAGS'] = f'--xla_force_host_platform_device_count={devices}'
  return env


def launch(cmd: list[str], processes: int, logs, name: str, cache) -> list[subprocess.Popen]:
  """``cmd`` as ``processes`` processes (4 devices each) or one of 8 devices."""
  procs = []
  if processes == 1:
    env = _env(8, cache)
    with open(logs / f'{name}.err', 'w') as err:
      procs.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=err, stderr=err))
    return procs
  port = _free_port()
  for i in range(processes):
    flags = [f'--coordinator_address=127.0.0.1:{port}', f'--num_processes={processes}',
             f'--process_id={i}']
    with open(logs / f'{name}.{i}.err', 'w') as err:
      procs.append(subprocess.Popen(cmd + flags, cwd=REPO, env=_env(8 // processes, cache),
                                    stdout=err, stderr=err))
  return procs


def wait(procs, logs, name) -> list[int]:
  codes = []
  for p in procs:
    try:
      codes.append(p.wait(timeout=TIMEOUT))
    except subprocess.TimeoutExpired:
      for q in procs:
        q.kill()
      pytest.fail(f'{name} timed out')
  if any(codes) and codes != [75] * len(codes):
    text = '\n'.join(f.read_text(errors='replace')[-3000:] for f in sorted(logs.glob(f'{name}*.err')))
    pytest.fail(f'{name} exited {codes}:\n{text}')
  return codes


def run(cmd, processes, logs, name, cache) -> list[int]:
  return wait(launch(cmd, processes, logs, name, cache), logs, name)


def losses(workdir) -> dict[int, float]:
  return {r['step']: r['loss'] for r in read_metrics(workdir)}


def assert_close(a: dict[int, float], b: dict[int, float], steps):
  got = np.array([a[s] for s in steps])
  want = np.array([b[s] for s in steps])
  np.testing.assert_allclose(got, want, rtol=RTOL, err_msg=f'steps {list(steps)}')


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
  return tmp_path_factory.mktemp('xla_cache')


def _pretrain(workdir, steps, *extra):
  return pretrain_cmd(workdir, f'--config.num_train_steps={steps}', '--config.log_every_steps=1',
                      '--config.checkpoint_every_steps=3', '--config.keep_checkpoints=0',
                      *CONSTANT_LR, *extra)


@pytest.fixture(scope='module')
def reference(tmp_path_factory, cache):
  """1 process x 8 devices, 6 steps uninterrupted (checkpoints at 3 and 6)."""
  logs = tmp_path_factory.mktemp('ref')
  run(_pretrain(logs / 'w', 6), 1, logs, 'ref', cache)
  assert committed_steps(logs / 'w') == [3, 6]
  return logs / 'w'


@pytest.mark.slow
def test_pretrain_two_processes_match_one_and_resume_across(reference, tmp_path, cache):
  """2 processes log the losses of 1; checkpoints move 2 -> 1 and 1 -> 2 processes and
  the resumed steps log the losses of the uninterrupted run (the input position moved)."""
  want = losses(reference)
  assert sorted(want) == list(range(1, 7))
  # 2 processes to step 3 (only process 0 writes the files), then 1 process to step 6.
  a = tmp_path / 'a'
  run(_pretrain(a, 3), 2, tmp_path, 'a1', cache)
  assert committed_steps(a) == [3]
  assert [r['step'] for r in read_metrics(a)] == [1, 2, 3]
  data_iter = sorted(p.name for p in (a / 'checkpoints' / '3' / 'data_iter').glob('*.json'))
  assert data_iter == ['process_0-of-2.json', 'process_1-of-2.json']
  assert_close(losses(a), want, range(1, 4))
  run(_pretrain(a, 6), 1, tmp_path, 'a2', cache)
  assert committed_steps(a) == [3, 6]
  assert_close(losses(a), want, range(1, 7))
  # The reference's step-3 checkpoint (1 process) resumed by 2 processes.
  b = tmp_path / 'b'
  shutil.copytree(reference, b)
  shutil.rmtree(b / 'checkpoints' / '6')
  run(_pretrain(b, 6), 2, tmp_path, 'b2', cache)
  assert committed_steps(b) == [3, 6]
  assert [r['step'] for r in read_metrics(b)] == list(range(1, 7))
  assert_close(losses(b), want, range(4, 7))


@pytest.mark.slow
def test_finetune_two_processes_match_one(reference, tmp_path, cache):
  """Fine-tuning (dropout on) from the reference checkpoint: same per-step losses, and
  process 0 alone writes best.json and the eval outputs."""
  def cmd(w):
    return [sys.executable, '-m', 'bert_jax.finetune',
            '--config=experiments/classification.py:sentiment', f'--workdir={w}',
            f'--config.init_checkpoint={reference}', '--config.data.max_seq_length=32',
            '--config.global_batch_size=16', '--config.num_train_steps=4', '--config.log_every_steps=1',
            '--config.eval_batch_size=32', '--config.progress_bar=False']
  run(cmd(tmp_path / 'one'), 1, tmp_path, 'ft1', cache)
  run(cmd(tmp_path / 'two'), 2, tmp_path, 'ft2', cache)
  one, two = losses(tmp_path / 'one'), losses(tmp_path / 'two')
  assert sorted(one) == [1, 2, 3, 4]
  assert_close(two, one, range(1, 5))
  best1 = json.loads((tmp_path / 'one' / 'best.json').read_text())
  best2 = json.loads((tmp_path / 'two' / 'best.json').read_text())
  assert best1['step'] == best2['step'] == 4
  assert best2['value'] == pytest.approx(best1['value'], abs=1e-6)
  assert (tmp_path / 'two' / 'eval' / 'metrics.json').is_file()


@pytest.mark.slow
def test_sigterm_to_one_process_saves_the_same_step_everywhere(tmp_path, cache):
  w = tmp_path / 'w'
  cmd = pretrain_cmd(w, '--config.num_train_steps=100000', '--config.log_every_steps=1',
                     '--config.checkpoint_every_steps=100000', '--config.keep_checkpoints=0')
  procs = launch(cmd, 2, tmp_path, 'term', cache)
  deadline = time.time() + TIMEOUT
  while len(read_metrics(w)) < 3:
    assert all(p.poll() is None for p in procs), 'a process ended early'
    assert time.time() < deadline, 'no progress'
    time.sleep(0.05)
  procs[1].send_signal(signal.SIGTERM)  # not the coordinator
  codes = wait(procs, tmp_path, 'term')
  logged = read_metrics(w)[-1]['step']
  steps = committed_steps(w)
  assert steps == [logged] and logged >= 3, (steps, logged)
  err0 = (tmp_path / 'term.0.err').read_text()
  assert f'SIGTERM: saved step {steps[0]}' in err0, err0[-2000:]
  assert codes[0] == codes[1]


def test_flags_in_help_and_incomplete_flags_are_an_error(monkeypatch):
  from bert_jax import distributed  # pylint: disable=g-import-not-at-top
  from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
  out = subprocess.run([sys.executable, '-m', 'bert_jax.pretrain', '--helpfull'], cwd=REPO,
                       env=cli_env(), capture_output=True, text=True, timeout=300)
  assert out.returncode == 0
  for flag in ('--coordinator_address', '--num_processes', '--process_id'):
    assert flag in out.stdout
  monkeypatch.delenv('JAX_COORDINATOR_ADDRESS', raising=False)
  monkeypatch.setitem(distributed._STATE, 'how', None)  # pylint: disable=protected-access
  assert distributed.detected_cluster() is None  # this machine: no cluster
  assert distributed.initialize() == 'single process'  # nothing initialised
  monkeypatch.setitem(distributed._STATE, 'how', None)  # pylint: disable=protected-access
  with pytest.raises(InputError, match='--coordinator_address, --process_id missing'):
    distributed.initialize(num_processes=2)
  with pytest.raises(InputError, match='HOST:PORT'):
    distributed.initialize('localhost', 2, 0)
  with pytest.raises(InputError, match='--process_id=2'):
    distributed.initialize('localhost:1234', 2, 2)
  monkeypatch.setenv('SLURM_JOB_ID', '1')
  for var in ('SLURM_STEP_NODELIST', 'SLURM_NTASKS', 'SLURM_PROCID', 'SLURM_LOCALID'):
    monkeypatch.setenv(var, '0')
  assert distributed.detected_cluster() == 'SlurmCluster'  # srun: JAX's auto-detection
