r"""Hyper-parameter sweeps over fine-tuning experiments or pretraining presets.

  python -m bert_jax.sweep --config=experiments/classification.py:sentiment --workdir=DIR \
      --config.init_checkpoint=CKPT \
      --sweep=optimizer.learning_rate=5e-5,3e-5 --sweep=num_epochs=2,3 --seeds=3 [--parallel=2]

  python -m bert_jax.sweep --config=configs/pretrain.py:demo --workdir=DIR \
      --sweep=optimizer.learning_rate=1e-3,5e-4          # metric: held-out MLM accuracy

Trials = the product of the ``--sweep=KEY=V1,V2,...`` axes (any config key, dotted keys
too) x ``--seeds`` seeds (seed = the config's seed + 0, 1, ...). Without ``--sweep`` the
config file's ``get_sweep(ARG)`` grid is used (experiments/classification.py and squad.py:
the BERT paper's lr {5e-5, 4e-5, 3e-5, 2e-5} x batch {16, 32} x epochs {2, 3, 4}).

Each trial is the ordinary ``python -m bert_jax.finetune`` (or ``bert_jax.pretrain``) in
``DIR/trials/<name>/`` (``<name>`` = its overrides, e.g.
``optimizer.learning_rate=3e-05__num_epochs=2__seed=0``), with the other ``--config.KEY=V`` flags
passed through; ``trial.json`` records its overrides, command, status and wall time.
Re-running the same command skips completed trials and resumes the others from their
checkpoints. An unknown key or a value of the wrong type fails before any trial starts.

Launchers: ``--launcher=local`` runs ``--parallel`` trials at once here (GPUs, or fake CPU
devices, split between them); ``--launcher=slurm`` submits one SLURM job array through
submitit (``--slurm.partition``, ``--slurm.time`` minutes, ``--slurm.gpus_per_trial``;
preempted / timed-out jobs save and requeue). Results: ``DIR/results.csv``, a table
sorted by the main metric with mean +- std over seeds, the best setting, ``DIR/results.png``.
Exit status: 0 when every trial completed, 75 when some were preempted (run again), 1 when
some failed, 2 for bad flags.
"""
from __future__ import annotations

import json
import sys

from absl import flags
from ml_collections import config_flags

from bert_jax.errors import InputError, run_absl
from bert_jax.sweep import launch

_CONFIG = config_flags.DEFINE_config_file(
    'config', None, 'The experiment (experiments/TASK.py:ARG) or pretraining preset '
    '(configs/pretrain.py:PRESET) every trial runs; --config.KEY=V overrides apply to all trials.',
    lock_config=True)
_WORKDIR = flags.DEFINE_string('workdir', None, 'The sweep directory (local or gs://...): '
                               'trials/<name>/, results.csv, results.png.')
_SWEEP = flags.DEFINE_multi_string('sweep', [], 'One axis: KEY=V1,V2,... (repeat for more '
                                   'axes; trials are their product). Default: the config '
                                   "file's get_sweep(ARG).")
_SEEDS = flags.DEFINE_integer('seeds', 1, 'Trials per setting, with seeds seed+0 .. seed+N-1.')
_LAUNCHER = flags.DEFINE_enum('launcher', 'local', ['local', 'slurm'], 'Where trials run: '
                              'here, or a SLURM job array (submitit).')
_PARALLEL = flags.DEFINE_integer('parallel', 1, 'Trials at once (local: devices are split '
                                 'between them; slurm: the job array parallelism).')
_DRY_RUN = flags.DEFINE_bool('dry_run', False, 'List the trials and their commands; run nothing.')


_SLURM = config_flags.DEFINE_config_dict('slurm', launch.slurm_defaults(), 'SLURM job settings: '
                                         '--slurm.partition=P --slurm.time=MINUTES '
                                         '--slurm.gpus_per_trial=N --slurm.account=A.')
flags.mark_flags_as_required(['config', 'workdir'])


def main(argv) -> int:
  del argv  # run_absl rejects stray arguments
  from bert_jax.sweep import run as run_lib  # pylint: disable=g-import-not-at-top
  spec = config_flags.get_config_filename(flags.FLAGS['config'])
  base_flags = [a for a in sys.argv[1:] if a.startswith('--config.')]
  if _SEEDS.value < 1 or _PARALLEL.value < 1:
    raise InputError(f'--seeds={_SEEDS.value} / --parallel={_PARALLEL.value}; expected >= 1.')
  sweep = run_lib.Sweep.create(_CONFIG.value, spec, _WORKDIR.value, _SWEEP.value, _SEEDS.value,
                               base_flags)
  if _DRY_RUN.value:
    for r in sweep.runs:
      print(json.dumps({'trial': r.trial.name, 'command': r.command()}))
    return 0
  return sweep.run(_LAUNCHER.value, _PARALLEL.value, _SLURM.value)


if __name__ == '__main__':
  run_absl(main)
