r"""Pretrain BERT (masked LM + next sentence prediction) on a device mesh.

  python -m bert_jax.pretrain --config=configs/pretrain.py:demo --workdir=/tmp/pretrain/demo

Presets and expected results: configs/pretrain.py; every key with its meaning (the same
names as fine-tuning's): docs/CONFIG.md. Override any key with
``--config.KEY=VALUE`` (e.g. ``--config.num_train_steps=2000 --config.mesh.fsdp=4``).
Running the same command again in the same workdir resumes from the latest checkpoint.
Where a run starts: the workdir's own latest checkpoint (resume) > ``init_checkpoint`` (its
parameters, a fresh optimizer: phase 2) > fresh init.
SIGTERM or Ctrl-C saves a checkpoint and exits with status 75 (EX_TEMPFAIL: preempted,
run the same command again to resume; a second Ctrl-C aborts without saving); a finished
run exits 0, bad input (config, files, a workdir in use by another run) 2, an unusable
checkpoint or diverged training 1. One run at a time per workdir (a lock file). Several
processes (hosts): add ``--coordinator_address=HOST:PORT --num_processes=N --process_id=I``
(none on SLURM / TPU pods, where JAX detects them); README "Scaling out". The
workdir gets config.json, model_config.json, tokenizer/, checkpoints/<step>/,
metrics.jsonl, eval_metrics.jsonl and tb/ (TensorBoard).
"""
from absl import flags, logging

from bert_jax import config_checks, distributed, errors

_CONFIG, _WORKDIR = config_checks.define_run_flags(
    'Pretraining config: configs/pretrain.py:PRESET with PRESET in tiny, demo, base, large '
    '(+ _phase2). Keys can be overridden: --config.num_train_steps=100 (every key: '
    'docs/CONFIG.md).',
    'Directory for checkpoints, metrics and TensorBoard; an existing one with checkpoints '
    'is resumed.')
flags.adopt_module_key_flags(config_checks)  # --help lists them


def main(argv) -> int:
  del argv  # run_absl rejects stray arguments
  from bert_jax.train import loop  # pylint: disable=g-import-not-at-top  (fast --help)
  from bert_jax.train.pretraining import make_pretraining_spec  # pylint: disable=g-import-not-at-top
  config = _CONFIG.value
  distributed.initialize_from_flags()
  if str(config.get('preset', '')).endswith('_phase2') and not config.get('init_checkpoint'):
    raise errors.InputError('a _phase2 preset starts from phase 1: pass '
                            '--config.init_checkpoint=PHASE1_WORKDIR.')
  result = loop.train(config, _WORKDIR.value, make_pretraining_spec(config))
  ev = result.eval_metrics
  summary = f'{result.status} at step {result.step} in {result.wall_time:.0f} s'
  if ev:
    summary += (f'; held-out MLM accuracy {ev["mlm_accuracy"]:.4f} (most frequent token '
                f'{ev["mlm_baseline_accuracy"]:.4f}), NSP accuracy {ev["nsp_accuracy"]:.4f}')
  logging.info(summary)
  print(summary, flush=True)
  return errors.EXIT_PREEMPTED if result.status == 'preempted' else 0


def run() -> None:
  errors.run_absl(main, finish=distributed.finish)  # --help exits 0


if __name__ == '__main__':
  run()
