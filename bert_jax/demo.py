r"""The fine-tuning half of the README demo: one head of each kind from one checkpoint.

  python -m bert_jax.demo --init_checkpoint=/tmp/bert_demo/pretrain --workdir=/tmp/bert_demo/ft

Fine-tunes, on the small real sets shipped in ``bert_jax/resources/finetune`` (offline):
classification (``sentiment`` / Korean ``ko_news_topic``), span extraction (``squad_en`` /
``squad_ko``, SQuAD v2.0 with the null-threshold search) and tagging (``ner_en`` /
``ner_ko``, entity F1), each through ``python -m bert_jax.finetune`` machinery, then prints
the dev scores. The language follows the checkpoint's vocabulary (Hangul-heavy -> Korean)
unless ``--lang`` says otherwise. ``--baseline`` also trains each head from random init
(same architecture and tokenizer) and prints both, which is what the README table shows.
Bad flags or a bad checkpoint: one ``error:`` line, exit 2. The library behind it:
``bert_jax.tasks.demo_runs``.
"""
from __future__ import annotations

import sys
from typing import Sequence

from absl import flags

from bert_jax import errors

FLAGS = flags.FlagValues()  # its own: main(argv) may be called in-process
_INIT = flags.DEFINE_string('init_checkpoint', None, 'Required: pretraining workdir, step dir, '
                            'model export or HF directory.', flag_values=FLAGS)
_WORKDIR = flags.DEFINE_string('workdir', None, 'Required: one fine-tuning workdir per head '
                               'goes here.', flag_values=FLAGS)
_LANG = flags.DEFINE_enum('lang', 'auto', ['auto', 'en', 'ko'], 'Language of the shipped sets '
                          "(auto: the checkpoint vocabulary's).", flag_values=FLAGS)
_BASELINE = flags.DEFINE_bool('baseline', False, 'Also fine-tune each head from random init '
                              'and print both.', flag_values=FLAGS)
_EPOCHS = flags.DEFINE_float('num_epochs', None, "Override every run's num_epochs (default: "
                             'the demo\'s per set, demo_runs.DEMO_SETTINGS, else the '
                             "experiment's).",
                             flag_values=FLAGS)
_RECIPE = flags.DEFINE_enum('recipe', None, ['hf', 'bert'], 'Optimizer recipe of every '
                            "fine-tuning run (default hf: the one the README's demo figures "
                            'were measured with).', flag_values=FLAGS)
_LR = flags.DEFINE_float('learning_rate', None, "Override every experiment's optimizer.learning_rate (the "
                         "experiments carry the BERT paper's 2e-5..5e-5 for BERT-base; a "
                         'BERT-tiny checkpoint wants ~1e-3).', flag_values=FLAGS)
_SEEDS = flags.DEFINE_integer('seeds', 3, 'Fine-tuning seeds per head; the table shows mean '
                              '+- std over them.', lower_bound=1, flag_values=FLAGS)
flags.mark_flags_as_required(['init_checkpoint', 'workdir'], flag_values=FLAGS)


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m bert_jax.demo`` with ``argv`` (default ``sys.argv[1:]``)."""
  return errors.run_absl(_main, argv, flag_values=FLAGS,
                         usage=f'python -m bert_jax.demo\n{__doc__}')


def _main(argv: Sequence[str]) -> int:
  del argv  # run_absl rejects stray arguments
  from bert_jax.tasks import demo_runs  # pylint: disable=g-import-not-at-top  (fast --help)
  overrides = {k: v for k, v in (('num_epochs', _EPOCHS.value),
                                                ('optimizer.learning_rate', _LR.value),
                                                ('optimizer.recipe', _RECIPE.value)) if v is not None}
  lang = demo_runs.guess_language(_INIT.value) if _LANG.value == 'auto' else _LANG.value
  demo_runs.enable_compilation_cache(_WORKDIR.value)
  results = demo_runs.run_demo(_INIT.value, _WORKDIR.value, lang=lang, baseline=_BASELINE.value,
                               overrides=overrides, seeds=range(_SEEDS.value))
  demo_runs.report(results, _WORKDIR.value, lang, baseline=_BASELINE.value)
  return 0


if __name__ == '__main__':
  sys.exit(main())
