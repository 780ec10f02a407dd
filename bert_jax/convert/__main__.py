"""Convert BERT checkpoints between HF safetensors and bert_jax Orbax.

  python -m bert_jax.convert --from_hf=HF_DIR --to_orbax=EXPORT_DIR
  python -m bert_jax.convert --from_orbax=EXPORT_OR_WORKDIR_OR_STEP --to_hf=HF_DIR

Every tensor is kept bit-exact (MLM and NSP heads included); tokenizer files are copied.
The output is written to a temp directory next to the target and renamed at the end, so
a failure leaves nothing behind; an existing non-empty output needs --overwrite.
Bad input prints ``error: ...`` and exits with status 2.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from absl import logging as absl_logging

from bert_jax.errors import report_errors


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
  parser = argparse.ArgumentParser(prog='python -m bert_jax.convert', description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument('--from_hf', help='HF directory: config.json + model.safetensors')
  parser.add_argument('--from_orbax', help='bert_jax model export, workdir or step dir')
  parser.add_argument('--to_orbax', help='output model export directory')
  parser.add_argument('--to_hf', help='output HF directory')
  parser.add_argument('--overwrite', action='store_true',
                      help='replace a non-empty output directory')
  args = parser.parse_args(argv)
  if bool(args.from_hf) == bool(args.from_orbax):
    parser.error('give exactly one of --from_hf / --from_orbax')
  if args.from_hf and not args.to_orbax or args.from_orbax and not args.to_hf:
    parser.error('use --from_hf with --to_orbax, or --from_orbax with --to_hf')
  if args.from_hf and args.to_hf or args.from_orbax and args.to_orbax:
    parser.error('use --from_hf with --to_orbax, or --from_orbax with --to_hf')
  return args


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
  args = parse_args(argv)
  absl_logging.set_verbosity(absl_logging.ERROR)  # Orbax's info/warning chatter
  from bert_jax import convert  # pylint: disable=g-import-not-at-top  (fast --help)
  from bert_jax.convert.pretrained import notable_extras  # pylint: disable=g-import-not-at-top
  if args.from_hf:
    pre = convert.hf_to_orbax(args.from_hf, args.to_orbax, overwrite=args.overwrite)
    dst = args.to_orbax
  else:
    pre = convert.orbax_to_hf(args.from_orbax, args.to_hf, overwrite=args.overwrite)
    dst = args.to_hf
  cfg = pre.config
  heads = [n for n, there in (('pooler', 'pooler' in pre.params['bert']),
                              ('MLM', 'mlm' in pre.params), ('NSP', 'nsp' in pre.params))
           if there]
  step = f' step {pre.step}' if pre.step is not None else ''
  print(f'wrote {dst}: {cfg.num_hidden_layers} layers, hidden {cfg.hidden_size}, vocab '
        f'{cfg.vocab_size}, heads: {", ".join(heads) or "none"} (from {pre.source}{step})',
        file=sys.stderr)
  if pre.tokenizer_path is None:
    print(f'note: {pre.source} has no tokenizer files; none were written.', file=sys.stderr)
  extras = notable_extras(pre)
  if extras:
    print(f'note: carried {len(extras)} tensors that are not BertForPreTraining parameters '
          f'unchanged: {extras[:8]}', file=sys.stderr)
  return 0


if __name__ == '__main__':
  sys.exit(main())
