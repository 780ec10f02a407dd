r"""Contextual token vectors from a BERT checkpoint (the feature-based approach).

  python -m bert_jax.extract_features --checkpoint=DIR --input_file=in.txt \
      --output_file=out.jsonl --layers=-1,-2,-3,-4 --max_seq_length=128 --batch_size=32

DIR: an HF directory or any bert_jax checkpoint (``bert_jax.workdir.load_pretrained``).
Input: one text per line, or ``text_a ||| text_b``. Output: one JSON line per input line,
as google-research/bert ``extract_features.py``::

  {"linex_index": 0, "features": [{"token": "[CLS]", "layers": [{"index": -1,
   "values": [0.123456, ...]}, ...]}, ...]}

``--layers`` index the encoder layer outputs: -1 is the last layer, 0 the first one.
``--combine=NAME`` instead writes one vector per token, ``"layers": [{"index": "NAME",
"values": [...]}]``, with NAME one of (BERT paper, CoNLL-2003 feature-based table):
first (embedding output), last, second_to_last, sum_last_four, sum_all (all encoder
layers), concat_last_four (layers -1,-2,-3,-4 concatenated: 4 * hidden values).
Values are rounded to 6 decimals as the reference. Lines longer than --max_seq_length
tokens are truncated (as the reference; a warning lists them). The output file appears
only when every line succeeded; an existing one is kept unless --overwrite.
"""
from __future__ import annotations

import sys
from typing import Sequence

from absl import flags
from absl import logging as absl_logging

from bert_jax import errors, features

FLAGS = flags.FlagValues()  # its own: main(argv) is also called in-process (tests)
_CHECKPOINT = flags.DEFINE_string('checkpoint', None, 'Required: an HF dir or a bert_jax '
                                  'checkpoint.', flag_values=FLAGS)
_INPUT = flags.DEFINE_string('input_file', None, 'Required: one text (or "a ||| b") per line.',
                             flag_values=FLAGS)
_OUTPUT = flags.DEFINE_string('output_file', None, 'Required: the JSON lines output.',
                              flag_values=FLAGS)
_LAYERS = flags.DEFINE_string('layers', '-1,-2,-3,-4', 'Encoder layers, -1 = last.',
                              flag_values=FLAGS)
_COMBINE = flags.DEFINE_enum('combine', None, list(features.COMBINATIONS),
                             'One combined vector per token instead of --layers.',
                             flag_values=FLAGS)
_MAX_LEN = flags.DEFINE_integer('max_seq_length', 128, 'Tokens per line (longer: truncated).',
                                flag_values=FLAGS)
_BATCH = flags.DEFINE_integer('batch_size', 32, 'Lines per forward pass.', flag_values=FLAGS)
_VOCAB = flags.DEFINE_string('vocab_file', None, "Tokenizer vocab/model (default: the "
                             "checkpoint's).", flag_values=FLAGS)
_LOWER = flags.DEFINE_enum('do_lower_case', None, ['true', 'false'], 'Default: the tokenizer '
                           'config of the checkpoint.', flag_values=FLAGS)
_OVERWRITE = flags.DEFINE_bool('overwrite', False, 'Replace an existing output.',
                               flag_values=FLAGS)
flags.mark_flags_as_required(['checkpoint', 'input_file', 'output_file'], flag_values=FLAGS)


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m bert_jax.extract_features`` with ``argv`` (default ``sys.argv[1:]``)."""
  return errors.run_absl(_main, argv, flag_values=FLAGS,
                         usage=f'python -m bert_jax.extract_features\n{__doc__}')


def _main(argv: Sequence[str]) -> int:
  del argv  # run_absl rejects stray arguments
  absl_logging.set_verbosity(absl_logging.ERROR)  # Orbax's info/warning chatter
  lower = None if _LOWER.value is None else _LOWER.value == 'true'
  features.extract_features(
      _CHECKPOINT.value, _INPUT.value, _OUTPUT.value, layers=features.parse_layers(_LAYERS.value),
      max_seq_length=_MAX_LEN.value, batch_size=_BATCH.value, combine=_COMBINE.value,
      overwrite=_OVERWRITE.value, vocab_file=_VOCAB.value, do_lower_case=lower)
  return 0


if __name__ == '__main__':
  sys.exit(main())
