r"""Pretrain BERT (masked LM + next sentence prediction) on a device mesh.

  python -m bert_jax.pretrain --config=configs/pretrain.py:demo --workdir=/tmp/pretrain/demo

Presets, keys and expected results: configs/pretrain.py. Override any key with
``--config.KEY=VALUE`` (e.g. ``--config.num_train_steps=2000 --config.mesh.fsdp=4``).
Running the same command again in the same workdir resumes from the latest checkpoint.
SIGTERM or Ctrl-C saves a checkpoint and exits with status 75 (EX_TEMPFAIL: preempted,
run the same command again to resume; a second Ctrl-C aborts without saving); a finished
run exits 0, bad input (config, files, a workdir in use by another run) 2, an unusable
checkpoint or diverged training 1. One run at a time per workdir (a lock file). Several
processes (hosts): add ``--coordinator_address=HOST:PORT --num_processes=N --process_id=I``
(none on SLURM / TPU pods, where JAX detects them); README "Scaling out". The
workdir gets config.json, model_config.json, tokenizer/, checkpoints/<step>/,
metrics.jsonl, eval_metrics.jsonl and tb/ (TensorBoard).
"""
from __future__ import annotations

import logging as py_logging
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from bert_jax import distributed, errors
from bert_jax.errors import EXIT_BAD_INPUT, EXIT_PREEMPTED, InputError, run_absl

_CONFIG = config_flags.DEFINE_config_file(
    'config', None, 'Pretraining config: configs/pretrain.py:PRESET with PRESET in tiny, demo, '
    'base, large (+ _phase2). Keys can be overridden: --config.num_train_steps=100.',
    lock_config=True)
_WORKDIR = flags.DEFINE_string(
    'workdir', None, 'Directory for checkpoints, metrics and TensorBoard; an existing one '
    'with checkpoints is resumed.')
flags.mark_flags_as_required(['config', 'workdir'])
distributed.define_flags()


def main(argv) -> int:
  return distributed.finish(_main(argv))


def _main(argv) -> int:
  if len(argv) > 1:
    raise app.UsageError(f'unexpected arguments: {argv[1:]}')
  from bert_jax.train import loop  # pylint: disable=g-import-not-at-top  (after flag parsing)
  from bert_jax.train.checkpoints import CheckpointError  # pylint: disable=g-import-not-at-top
  from bert_jax.train.pretraining import make_pretraining_spec  # pylint: disable=g-import-not-at-top
  errors._quiet_closed_event_loop_noise()  # pylint: disable=protected-access  (see there)
  if not flags.FLAGS['verbosity'].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every file it writes at INFO.
  config = _CONFIG.value
  try:
    distributed.initialize_from_flags()
    if str(config.get('preset', '')).endswith('_phase2') and not config.get('init_from'):
      raise InputError('a _phase2 preset starts from phase 1: pass '
                       '--config.init_from=PHASE1_WORKDIR.')
    result = loop.train(config, _WORKDIR.value, make_pretraining_spec(config))
  except (InputError, CheckpointError, loop.NonFiniteError, OSError) as e:
    if isinstance(e, CheckpointError):
      _quiet_abandoned_reads()
    print(f'error: {e}', file=sys.stderr)
    return EXIT_BAD_INPUT if isinstance(e, (InputError, OSError)) else 1
  except KeyboardInterrupt:
    print('error: interrupted; the checkpoints already saved are kept.', file=sys.stderr)
    return 130
  ev = result.eval_metrics
  summary = f'{result.status} at step {result.step} in {result.wall_time:.0f} s'
  if ev:
    summary += (f'; held-out MLM accuracy {ev["mlm_accuracy"]:.4f} (most frequent token '
                f'{ev["mlm_baseline_accuracy"]:.4f}), NSP accuracy {ev["nsp_accuracy"]:.4f}')
  logging.info(summary)
  print(summary, flush=True)
  return EXIT_PREEMPTED if result.status == 'preempted' else 0


def _quiet_abandoned_reads() -> None:
  """After a failed restore, Orbax's other pending array reads fail too and are reported at
  exit ('Task exception was never retrieved'), pages after the one error line; they say
  nothing more than the error does."""
  py_logging.getLogger('asyncio').setLevel(py_logging.CRITICAL)


def run() -> None:
  run_absl(main)  # --help exits 0


if __name__ == '__main__':
  run()
