"""Running trials: each is the ordinary ``python -m bert_jax.finetune`` / ``bert_jax.pretrain``
command in its own workdir, on this machine (``local``) or as a SLURM job array (submitit).

``TrialRun`` is the one picklable unit both launchers run. It records the trial in
``TRIAL/trial.json`` (overrides, command, status, accumulated wall time, exit code) and
its output in ``TRIAL/log.txt``. Exit 0 = completed; 75 (``EXIT_PREEMPTED``, the
trainer's SIGTERM save) = preempted, resumed from its checkpoint by the next run; anything
else = failed. Under SLURM, submitit's pre-timeout / preemption signal makes
``checkpoint()`` send SIGTERM to the trial (it saves and exits) and requeue it.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Sequence

import ml_collections
from etils import epath

from bert_jax.errors import EXIT_PREEMPTED  # 75 (EX_TEMPFAIL): resumed by the next run
from bert_jax.sweep.grid import Trial, fmt
from bert_jax.workdir import LOG_FILE, TRIAL_FILE


def read_trial(trial_dir: epath.Path) -> dict[str, Any]:
  path = trial_dir / TRIAL_FILE
  if not path.exists():
    return {}
  try:
    return json.loads(path.read_text())
  except json.JSONDecodeError:
    return {}


@dataclasses.dataclass
class TrialRun:
  """One trial's command; ``__call__`` runs it to the end (or preemption)."""
  trial: Trial
  module: str                  # 'bert_jax.finetune' | 'bert_jax.pretrain'
  config: str                  # experiments/x.py:ARG (absolute path)
  base_flags: list[str]        # the sweep's own --config.KEY=V overrides, passed through
  trial_dir: str
  cwd: str
  env: dict[str, str] = dataclasses.field(default_factory=dict)

  def command(self) -> list[str]:
    overrides = [f'--config.{k}={fmt(v)}' for k, v in self.trial.overrides.items()]
    return [sys.executable, '-m', self.module, f'--config={self.config}',
            f'--workdir={self.trial_dir}', *self.base_flags, *overrides]

  def __call__(self) -> dict[str, Any]:
    self._proc = None
    trial_dir = epath.Path(self.trial_dir)
    trial_dir.mkdir(parents=True, exist_ok=True)
    record = read_trial(trial_dir)
    record.update(name=self.trial.name, overrides=self.trial.overrides, command=self.command(),
                  status='running', started=_now())
    (trial_dir / TRIAL_FILE).write_text(json.dumps(record, indent=2) + '\n')
    env = dict(os.environ)
    env.update(self.env)
    env['PYTHONPATH'] = os.pathsep.join([self.cwd] + [p for p in [env.get('PYTHONPATH')] if p])
    t0 = time.time()
    with tempfile.TemporaryFile('w+') as log:
      self._proc = subprocess.Popen(self.command(), cwd=self.cwd, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
      code = self._proc.wait()
      log.seek(0)
      text = log.read()
    previous = (trial_dir / LOG_FILE).read_text() if (trial_dir / LOG_FILE).exists() else ''
    (trial_dir / LOG_FILE).write_text(previous + text)
    status = {0: 'completed', EXIT_PREEMPTED: 'preempted'}.get(code, 'failed')
    if code < 0 and -code == signal.SIGTERM:
      status = 'preempted'  # killed before its handler ran: resumed from its last checkpoint
    record.update(status=status, exit_code=code, finished=_now(),
                  wall_time=float(record.get('wall_time', 0.0)) + time.time() - t0)
    if status == 'failed':
      record['error'] = _last_error(text)
    (trial_dir / TRIAL_FILE).write_text(json.dumps(record, indent=2) + '\n')
    return record

  def checkpoint(self, *args, **kwargs):  # submitit: called on timeout / preemption
    del args, kwargs
    import submitit  # pylint: disable=g-import-not-at-top
    proc = getattr(self, '_proc', None)
    if proc is not None and proc.poll() is None:
      proc.send_signal(signal.SIGTERM)  # the trainer saves the current step and exits
      try:
        proc.wait(timeout=600)
      except subprocess.TimeoutExpired:
        proc.kill()
    fresh = dataclasses.replace(self)
    return submitit.helpers.DelayedSubmission(fresh)


def _now() -> str:
  return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')


def _last_error(text: str) -> str:
  lines = [l for l in text.splitlines() if l.strip()]
  errors = [l for l in lines if l.startswith('error:') or 'Error' in l]
  return (errors or lines or [''])[-1][:500]


# ----------------------------------------------------------------------------
# Local: up to N trials at once, devices split between them.
# ----------------------------------------------------------------------------
def device_slots(parallel: int) -> list[dict[str, str]]:
  """The environment of each of ``parallel`` concurrent trials: disjoint GPUs
  (``CUDA_VISIBLE_DEVICES``) when there are enough, or a share of the fake CPU devices
  (``--xla_force_host_platform_device_count``); else the trials share the devices."""
  parallel = max(1, parallel)
  gpus = _visible_gpus()
  if len(gpus) >= parallel and parallel > 1:
    per = len(gpus) // parallel
    return [{'CUDA_VISIBLE_DEVICES': ','.join(gpus[i * per:(i + 1) * per])}
            for i in range(parallel)]
  flags = os.environ.get('XLA_FLAGS', '')
  m = re.search(r'--xla_force_host_platform_device_count=(\d+)', flags)
  if not gpus and m and parallel > 1 and int(m.group(1)) >= parallel:
    per = int(m.group(1)) // parallel
    rest = re.sub(r'--xla_force_host_platform_device_count=\d+', '', flags).strip()
    return [{'XLA_FLAGS': f'{rest} --xla_force_host_platform_device_count={per}'.strip()}
            for _ in range(parallel)]
  return [{} for _ in range(parallel)]


def _visible_gpus() -> list[str]:
  env = os.environ.get('CUDA_VISIBLE_DEVICES')
  if env is not None:
    return [g for g in env.split(',') if g.strip()]
  try:
    out = subprocess.run(['nvidia-smi', '-L'], capture_output=True, text=True, timeout=10)
  except (OSError, subprocess.SubprocessError):
    return []
  return [str(i) for i, line in enumerate(out.stdout.splitlines()) if line.startswith('GPU')]


def run_local(runs: Sequence[TrialRun], parallel: int,
              on_done: Callable[[TrialRun, dict[str, Any]], None]) -> None:
  """Runs ``runs``, ``parallel`` at a time, each on its slot's devices."""
  slots = device_slots(parallel)
  free = list(range(len(slots)))
  lock = threading.Condition()
  pending = list(runs)
  threads = []

  def work(run: TrialRun, slot: int):
    try:
      run.env = {**run.env, **slots[slot]}
      result = run()
    except Exception as e:  # pylint: disable=broad-except  (reported as a failed trial)
      result = {'name': run.trial.name, 'status': 'failed', 'error': repr(e)}
    with lock:
      on_done(run, result)
      free.append(slot)
      lock.notify_all()

  while pending:
    with lock:
      while not free:
        lock.wait()
      slot = free.pop(0)
    t = threading.Thread(target=work, args=(pending.pop(0), slot), daemon=True)
    t.start()
    threads.append(t)
  for t in threads:
    t.join()


# ----------------------------------------------------------------------------
# SLURM (or submitit's local executor) job arrays.
# ----------------------------------------------------------------------------
def slurm_defaults() -> ml_collections.ConfigDict:
  """``--slurm.*`` of ``python -m bert_jax.sweep`` (what ``run_submitit`` reads)."""
  c = ml_collections.ConfigDict()
  c.partition = ''         # --slurm.partition
  c.account = ''
  c.time = 60              # minutes per job (a trial that needs more saves and is requeued)
  c.gpus_per_trial = 1
  c.cpus_per_trial = 8
  c.folder = ''            # submitit's logs (a shared file system); '' = DIR/slurm
  c.cluster = 'slurm'      # 'local': submitit's local executor (tests, a single machine)
  return c


def run_submitit(runs: Sequence[TrialRun], slurm, folder: str, parallel: int,
                 on_done: Callable[[TrialRun, dict[str, Any]], None]) -> None:
  """One job array through submitit; waits for every job, reporting each as it ends."""
  import submitit  # pylint: disable=g-import-not-at-top
  executor = submitit.AutoExecutor(folder=folder, cluster=slurm.cluster or None)
  params = dict(name='bert_jax_sweep', timeout_min=int(slurm.time), nodes=1,
                tasks_per_node=1, cpus_per_task=int(slurm.cpus_per_trial))
  if int(slurm.gpus_per_trial) > 0:
    params['gpus_per_node'] = int(slurm.gpus_per_trial)
  if executor.cluster == 'slurm':
    params.update(slurm_array_parallelism=max(1, parallel), slurm_signal_delay_s=120)
    if slurm.partition:
      params['slurm_partition'] = slurm.partition
    if slurm.account:
      params['slurm_account'] = slurm.account
  executor.update_parameters(**params)
  with executor.batch():  # one job array; each job is the TrialRun (its checkpoint() requeues)
    jobs = [executor.submit(run) for run in runs]
  remaining = dict(zip(jobs, runs))
  while remaining:
    for job in [j for j in remaining if j.done()]:
      run = remaining.pop(job)
      try:
        result = job.result()
      except Exception as e:  # pylint: disable=broad-except  (a job that died: a failed trial)
        result = read_trial(epath.Path(run.trial_dir)) or {'name': run.trial.name}
        result.update(status='failed', error=str(e).splitlines()[-1][:500] if str(e) else repr(e))
      on_done(run, result)
    time.sleep(0.5)
