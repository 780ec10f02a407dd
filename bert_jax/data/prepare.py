r"""Build a pretraining corpus (and its vocab), print its counts, show examples.

  python -m bert_jax.data.prepare                                   # embedded corpus
  python -m bert_jax.data.prepare --config=bert_jax/data/config.py:konlpy_ko
  python -m bert_jax.data.prepare --config=configs/pretrain.py:base  # uses its .data
  python -m bert_jax.data.prepare --config.corpus=text_corpus \
      --config.files='corpus/*.txt' --config.split_paragraphs --inspect=3

Prints documents (train / held-out), sentences, words, tokens and the examples of one
epoch; ``--inspect=N`` prints N examples decoded, masks shown as
``[MASK→word]`` (masked), ``{other→word}`` (random replacement), ``<word>`` (kept but
predicted). A config whose root has a ``data`` field (a pretraining config) is read
through that field. Bad input ends with ``error: ...`` and exit status 2. The library
behind it: ``bert_jax.data.corpus_report``.
"""
from __future__ import annotations

from typing import Sequence

from absl import flags
from ml_collections import config_flags

from bert_jax import errors
from bert_jax.data import config as config_lib

_CONFIG = config_flags.DEFINE_config_file('config', config_lib.__file__,
                                          'Data config file (or a pretraining config).')
_INSPECT = flags.DEFINE_integer('inspect', 0, 'Print this many decoded training examples.')
_SEED = flags.DEFINE_integer('seed', 0, 'Data seed for the examples shown and counted.')
_COUNT = flags.DEFINE_bool('count', True, 'Tokenize everything to count tokens and '
                           'examples (slow for very large corpora).')


def run(argv: Sequence[str]) -> int:
  del argv  # run_absl rejects stray arguments
  from bert_jax.data import corpus_report  # pylint: disable=g-import-not-at-top  (fast --help)
  corpus_report.report(corpus_report.data_config_of(_CONFIG.value), seed=_SEED.value,
                       count=_COUNT.value, inspect=_INSPECT.value)
  return 0


def main() -> None:
  errors.run_absl(run)


if __name__ == '__main__':
  main()
