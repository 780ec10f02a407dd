"""Issue 10 rows for the trainer: the workdir lock, config.json kept when a rerun is
rejected, Ctrl-C saves like SIGTERM and both exit ``EXIT_PREEMPTED`` (75)."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from bert_jax.errors import EXIT_PREEMPTED, InputError
from bert_jax.train import checkpoints as ckpt_lib
from bert_jax.train import loop, workdir_lock
from test_train_support import (REPO, cli_env, committed_steps, one_device, pretrain_cmd,
                                read_metrics, toy_config, toy_spec)

HOLD = ('import sys, time; from bert_jax.train import workdir_lock; '
        'workdir_lock.acquire(sys.argv[1]); print("locked", flush=True); time.sleep(600)')


def _holder(workdir):
  """Another process that holds ``workdir``'s lock (until killed)."""
  proc = subprocess.Popen([sys.executable, '-c', HOLD, str(workdir)], cwd=REPO, env=cli_env(),
                          stdout=subprocess.PIPE, text=True)
  assert proc.stdout.readline().strip() == 'locked'
  return proc


@pytest.mark.slow
def test_second_run_on_a_locked_workdir_is_refused_and_a_killed_holder_never_blocks(tmp_path):
  workdir = tmp_path / 'w'
  holder = _holder(workdir)
  try:
    # The command line a requeued job runs: one line naming the holder, exit 2, no file.
    out = subprocess.run(pretrain_cmd(workdir, '--config.num_train_steps=2'), cwd=REPO,
                         env=cli_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr[-2000:]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith(f'error: --workdir={workdir} is in use by pid {holder.pid} on host '
                           f'{socket.gethostname()}'), out.stderr[-2000:]
    assert 'Traceback' not in out.stderr
    assert sorted(os.listdir(workdir)) == [workdir_lock.LOCK_FILE]  # nothing else written
    with pytest.raises(InputError, match=f'in use by pid {holder.pid}'):
      loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  finally:
    holder.kill()  # SIGKILL: the process cannot clean up; the OS drops its flock
    holder.wait()
  result = loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  assert result.status == 'completed' and result.step == 4
  assert [r['step'] for r in read_metrics(workdir)] == [1, 2, 3, 4]
  assert f'pid {os.getpid()} ' in (workdir / workdir_lock.LOCK_FILE).read_text()
  # Released after the run: another process can take it.
  proc = _holder(workdir)
  proc.kill()
  proc.wait()


def test_nested_hold_in_one_process_is_reentrant(tmp_path):
  with workdir_lock.hold(tmp_path):
    with workdir_lock.hold(tmp_path / '.' ):
      pass
    # Still held by this process after the inner release.
    probe = subprocess.run([sys.executable, '-c', HOLD.replace('time.sleep(600)', 'pass'),
                            str(tmp_path)], cwd=REPO, env=cli_env(), capture_output=True,
                           text=True, timeout=120)
    assert probe.returncode != 0 and f'in use by pid {os.getpid()}' in probe.stderr


def test_rejected_rerun_leaves_config_json_and_files_as_they_were(tmp_path):
  workdir = tmp_path / 'w'
  loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  files = lambda: {p.name: p.read_bytes() for p in workdir.iterdir()
                   if p.is_file() and p.name != workdir_lock.LOCK_FILE}
  before = files()
  assert json.loads(before['config.json'])['optimizer']['name'] == 'adamw'
  # LAMB has another optimizer state: the restore fails, nothing may change.
  with pytest.raises(ckpt_lib.CheckpointError, match='see config.json'):
    loop.train(toy_config(**{'optimizer.name': 'lamb', 'num_train_steps': 6}), workdir,
               toy_spec(), devices=one_device())
  assert files() == before
  assert committed_steps(workdir) == [2, 4]


def test_first_ctrl_c_sets_the_flag_second_aborts():
  with loop._Preemption() as p:  # pylint: disable=protected-access
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.1)
    assert p.requested.is_set() and p.signal_name == 'SIGINT'
    with pytest.raises(KeyboardInterrupt):
      os.kill(os.getpid(), signal.SIGINT)
      time.sleep(0.1)
  assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow
def test_ctrl_c_saves_and_exits_75_then_the_run_resumes(tmp_path):
  workdir = tmp_path / 'w'
  env = cli_env(compilation_cache=tmp_path / 'cache')
  args = ('--config.num_train_steps=200', '--config.log_every_steps=1',
          '--config.checkpoint_every_steps=1000')
  proc = subprocess.Popen(pretrain_cmd(workdir, *args), cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  deadline = time.time() + 300
  while not read_metrics(workdir) or read_metrics(workdir)[-1]['step'] < 3:
    assert proc.poll() is None and time.time() < deadline, proc.communicate()[1][-2000:]
    time.sleep(0.05)
  proc.send_signal(signal.SIGINT)  # what a terminal's Ctrl-C sends
  out, err = proc.communicate(timeout=300)
  assert proc.returncode == EXIT_PREEMPTED == 75, err[-3000:]
  assert 'Traceback' not in err and 'KeyboardInterrupt' not in err, err[-3000:]
  assert 'SIGINT: saved step' in err
  step = int(out.split('preempted at step ')[1].split()[0])
  assert 3 <= step < 200 and committed_steps(workdir) == [step]
  # The same command resumes from there.
  again = subprocess.run(pretrain_cmd(workdir, *args[:1], '--config.num_train_steps=' +
                                      str(step + 2)), cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
  assert again.returncode == 0, again.stderr[-3000:]
  assert f'resumed from {workdir}/checkpoints/{step}' in again.stderr
  assert f'completed at step {step + 2}' in again.stdout


class _SignalAt:
  """Wraps a ToyIterator: sends ``signum`` to this process when batch ``at`` is taken."""

  def __init__(self, inner, at, signum):
    self.inner, self.at, self.signum = inner, at, signum

  def __iter__(self):
    return self

  def __next__(self):
    if self.inner.position + 1 == self.at:
      os.kill(os.getpid(), self.signum)
    return next(self.inner)

  def get_state(self):
    return self.inner.get_state()

  def set_state(self, state):
    self.inner.set_state(state)


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_the_current_step_and_reports_preempted(tmp_path, signum):
  task = toy_spec()
  task = loop.TrainSpec(name=task.name, build_model=task.build_model, loss_fn=task.loss_fn,
                   train_iter=_SignalAt(task.train_iter, 3, signum))
  result = loop.train(toy_config(**{'num_train_steps': 8, 'checkpoint_every_steps': 100}),
                      tmp_path, task, devices=one_device())
  assert (result.status, result.step) == ('preempted', 3)
  assert committed_steps(tmp_path) == [3]
  assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored


@pytest.mark.slow
def test_finetune_sigterm_saves_exits_75_and_the_same_command_finishes(tmp_path):
  """The fine-tuning CLI maps a preempted run to 75 too, and a rerun completes it (0)."""
  from bert_jax.convert.testing import save_random_hf_bert  # pylint: disable=g-import-not-at-top
  hf = save_random_hf_bert(tmp_path / 'hf', max_position_embeddings=64)
  workdir = tmp_path / 'ft'
  cmd = [sys.executable, '-m', 'bert_jax.finetune',
         '--config=experiments/classification.py:sentiment', f'--workdir={workdir}',
         f'--config.init_checkpoint={hf}', '--config.data.max_seq_length=32',
         '--config.global_batch_size=8', '--config.log_every_steps=1', '--config.progress_bar=false']
  env = cli_env(compilation_cache=tmp_path / 'cache')
  proc = subprocess.Popen([*cmd, '--config.num_train_steps=400'], cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  deadline = time.time() + 300
  while not read_metrics(workdir) or read_metrics(workdir)[-1]['step'] < 2:
    assert proc.poll() is None and time.time() < deadline, proc.communicate()[1][-2000:]
    time.sleep(0.05)
  proc.send_signal(signal.SIGTERM)
  out, err = proc.communicate(timeout=300)
  assert proc.returncode == EXIT_PREEMPTED, err[-3000:]
  assert 'preempted: saved; run the same command again to resume' in out
  assert not (workdir / 'best.json').exists()  # nothing claims the run finished
  step = committed_steps(workdir)[-1]
  assert 2 <= step < 400
  again = subprocess.run([*cmd, f'--config.num_train_steps={step + 2}'], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
  assert again.returncode == 0, again.stderr[-3000:]
  assert max(r['step'] for r in read_metrics(workdir)) == step + 2
  assert json.loads((workdir / 'best.json').read_text())['step'] in committed_steps(workdir)
