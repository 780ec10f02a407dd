"""Contextual token vectors from a BERT checkpoint (the feature-based approach).

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

import argparse
import sys
from typing import Sequence

from absl import logging as absl_logging

from bert_jax import features
from bert_jax.errors import report_errors


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
  parser = argparse.ArgumentParser(prog='python -m bert_jax.extract_features',
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument('--checkpoint', required=True, help='HF dir or bert_jax checkpoint')
  parser.add_argument('--input_file', required=True, help='one text (or "a ||| b") per line')
  parser.add_argument('--output_file', required=True, help='JSON lines output')
  parser.add_argument('--layers', default='-1,-2,-3,-4', help='encoder layers, -1 = last')
  parser.add_argument('--combine', choices=list(features.COMBINATIONS), default=None,
                      help='one combined vector per token instead of --layers')
  parser.add_argument('--max_seq_length', type=int, default=128)
  parser.add_argument('--batch_size', type=int, default=32)
  parser.add_argument('--vocab_file', default=None,
                      help='tokenizer vocab/model (default: the checkpoint\'s)')
  parser.add_argument('--do_lower_case', default=None, choices=('true', 'false'),
                      help='default: the tokenizer config of the checkpoint')
  parser.add_argument('--overwrite', action='store_true', help='replace an existing output')
  return parser.parse_args(argv)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
  args = parse_args(argv)
  absl_logging.set_verbosity(absl_logging.ERROR)  # Orbax's info/warning chatter
  layers = features.parse_layers(args.layers)
  lower = None if args.do_lower_case is None else args.do_lower_case == 'true'
  features.extract_features(
      args.checkpoint, args.input_file, args.output_file, layers=layers,
      max_seq_length=args.max_seq_length, batch_size=args.batch_size, combine=args.combine,
      overwrite=args.overwrite, vocab_file=args.vocab_file, do_lower_case=lower)
  return 0


if __name__ == '__main__':
  sys.exit(main())
