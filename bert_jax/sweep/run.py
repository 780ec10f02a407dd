"""One sweep directory: its trials, which are done, running them, reporting results."""
from __future__ import annotations

import dataclasses
import os
import sys
from typing import Any, Sequence

from etils import epath

from bert_jax.errors import InputError
from bert_jax.sweep import grid, launch, results
from bert_jax.workdir import as_workdir, is_local

EXIT_PREEMPTED = launch.EXIT_PREEMPTED


def _split_spec(spec: str) -> tuple[str, str | None]:
  """'experiments/x.py:ARG' -> (absolute file, 'ARG')."""
  path, sep, arg = spec.rpartition(':')
  if not sep or not path.endswith('.py'):
    path, arg = spec, None
  return os.path.abspath(path), arg


@dataclasses.dataclass
class Sweep:
  root: epath.Path
  trials: list[grid.Trial]
  runs: list[launch.TrialRun]
  keys: list[str]

  @classmethod
  def create(cls, config, spec: str, workdir: str, axes_specs: Sequence[str], seeds: int,
             base_flags: Sequence[str]) -> 'Sweep':
    """Builds and checks every trial (nothing runs)."""
    path, arg = _split_spec(spec)
    if axes_specs:
      settings = grid.product(grid.parse_axes(config, axes_specs))
    else:
      settings = grid.config_sweep(path, arg)
      if settings is None:
        raise InputError(f'no --sweep=KEY=V1,V2 given and {path} has no get_sweep(); say what '
                         'to sweep, e.g. --sweep=optimizer.learning_rate=5e-5,3e-5.')
    base_seed = int(config.get('seed', 0))
    trials = grid.trials_from_grid(settings, [base_seed + i for i in range(seeds)])
    grid.check(config, trials)
    module = 'bert_jax.finetune' if 'task' in config else 'bert_jax.pretrain'
    root = as_workdir(workdir)
    config_arg = path if arg is None else f'{path}:{arg}'
    runs = [launch.TrialRun(t, module, config_arg, list(base_flags),
                            str(root / 'trials' / t.name), os.getcwd()) for t in trials]
    return cls(root, trials, runs, grid.swept_keys(trials))

  def run(self, launcher: str, parallel: int, slurm) -> int:
    from tqdm import tqdm  # pylint: disable=g-import-not-at-top
    self.root.mkdir(parents=True, exist_ok=True)
    records = {r.trial.name: launch.read_trial(epath.Path(r.trial_dir)) for r in self.runs}
    todo = [r for r in self.runs if records[r.trial.name].get('status') != 'completed']
    done_before = len(self.runs) - len(todo)
    print(f'sweep: {len(self.runs)} trials ({len(self.keys)} swept keys: '
          f'{", ".join(self.keys) or "-"}); {done_before} already completed, {len(todo)} to run '
          f'({launcher}, {parallel} at a time) in {self.root}/trials', flush=True)
    bar = tqdm(total=len(self.runs), initial=done_before, desc='sweep', unit='trial',
               file=sys.stderr, dynamic_ncols=True)
    finished = [done_before]

    def on_done(run: launch.TrialRun, record: dict[str, Any]) -> None:
      records[run.trial.name] = record
      finished[0] += 1
      main, metrics = results.trial_metrics(epath.Path(run.trial_dir))
      score = f', {main}={metrics[main]:.4f}' if main in metrics else ''
      err = f' ({record.get("error")})' if record.get('status') == 'failed' else ''
      bar.write(f'[{finished[0]}/{len(self.runs)}] {run.trial.name}: {record.get("status")}'
                f'{score} in {float(record.get("wall_time", 0)):.0f} s{err}', file=sys.stdout)
      bar.update(1)

    try:
      if todo and launcher == 'local':
        launch.run_local(todo, parallel, on_done)
      elif todo:
        folder = slurm.folder or str(self.root / 'slurm')
        if not is_local(folder):
          raise InputError(f'--slurm.folder={folder}: submitit needs a shared file system '
                           'path for its job files (the sweep DIR is a bucket).')
        launch.run_submitit(todo, slurm, folder, parallel, on_done)
    finally:
      bar.close()
    return self.report(records)

  def report(self, records: dict[str, dict[str, Any]]) -> int:
    main, rows = results.collect(self.trials, self.root, records)
    results.write_csv(self.root / results.RESULTS_CSV, rows)
    table, best = results.summary(rows, self.trials, self.keys, main)
    plotted = results.plot(self.root / results.RESULTS_PNG, rows, self.keys, main)
    print(table)
    if best:
      print(f'best: {best}')
    print(f'wrote {self.root / results.RESULTS_CSV}'
          + (f' and {self.root / results.RESULTS_PNG}' if plotted else ''), flush=True)
    statuses = [r['status'] for r in rows]
    if 'failed' in statuses:
      print(f'{statuses.count("failed")} trial(s) failed: see trials/<name>/log.txt',
            file=sys.stderr)
      return 1
    if any(s != 'completed' for s in statuses):
      print('some trials were preempted: run the same command again to resume them.',
            file=sys.stderr)
      return EXIT_PREEMPTED
    return 0
