r"""Fine-tune a pretrained encoder: classification, span extraction (SQuAD), tagging (NER).

  python -m bert_jax.finetune --config=experiments/squad.py:squad_ko --workdir=/tmp/ft/ko \
      --config.init_checkpoint=/tmp/pretrain/demo

``init_checkpoint``: a pretraining workdir (latest committed step), a step directory, a
model export or an HF directory. Only the encoder is restored; the task head starts fresh.
Every mismatch (model size, vocabulary, tokenizer casing, max positions) is an error
before training. Training runs through the one trainer (``bert_jax.train``: mesh,
optimizer, checkpoints, resume, metrics); the dev set is evaluated every
``eval_every_epochs`` and the best checkpoint by the dev metric is kept and reported.

Modes (``--config.mode``): ``train`` (train + evaluate; a workdir with checkpoints resumes),
``eval`` (the best checkpoint on the dev set(s); writes predictions under
``WORKDIR/eval/``), ``predict`` (the best checkpoint on ``data.predict_file`` / the TFDS
predict split; writes under ``WORKDIR/predict/``).

Keys: the pretraining trainer's (``global_batch_size``, ``optimizer.learning_rate``,
``data.max_seq_length``, ``seed``, ``mesh.*``, ...: the same names) plus the fine-tuning
ones (``num_epochs``, ``eval_every_epochs``, ``mode``, the task blocks); every key with
its meaning: docs/CONFIG.md. Where a run starts: the workdir's own latest checkpoint
(resume) > ``init_checkpoint`` > fresh init. Optimizer: ``--config.optimizer.recipe=bert``
(default: google-research/bert's decay over all steps and Adam without bias correction)
or ``hf`` (Hugging Face's). One run per workdir (a lock file). SIGTERM or Ctrl-C saves a
checkpoint and exits 75 (preempted: run the same command to resume); exit status 0
finished, 2 bad input (one ``error:`` line), 1 no usable checkpoint or diverged training. The library behind it: ``bert_jax.tasks.driver``.
"""
from absl import flags

from bert_jax import config_checks, distributed, errors

_CONFIG, _WORKDIR = config_checks.define_run_flags(
    'Experiment: experiments/TASK.py:ARG (classification.py:sst2, squad.py:v2.0, '
    'ner.py:conll2003,feature_based, ...). Override keys with --config.KEY=VALUE, e.g. '
    '--config.optimizer.learning_rate=3e-5 --config.global_batch_size=16 (every key: '
    'docs/CONFIG.md).',
    'Fine-tuning directory: checkpoints/, metrics.jsonl, best.json, eval/ and predict/ '
    'outputs. An existing one is resumed (train) or read (eval, predict).')
flags.adopt_module_key_flags(config_checks)  # --help lists them


def main(argv) -> int:
  del argv  # run_absl rejects stray arguments
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top  (fast --help)
  distributed.initialize_from_flags()
  result = driver.run(_CONFIG.value, _WORKDIR.value)
  return errors.preempted() if result.get('preempted') else 0


if __name__ == '__main__':
  errors.run_absl(main, finish=distributed.finish)
