r"""Convert BERT checkpoints between HF safetensors and bert_jax Orbax.

  python -m bert_jax.convert --from_hf=HF_DIR --to_orbax=EXPORT_DIR
  python -m bert_jax.convert --from_orbax=EXPORT_OR_WORKDIR_OR_STEP --to_hf=HF_DIR

Every tensor is kept bit-exact (MLM and NSP heads included); tokenizer files are copied.
The output is written to a temp directory next to the target and renamed at the end, so
a failure leaves nothing behind; an existing non-empty output needs --overwrite.
Bad input prints ``error: ...`` and exits with status 2.
"""
from __future__ import annotations

import sys
from typing import Sequence

from absl import flags
from absl import logging as absl_logging

from bert_jax import errors

FLAGS = flags.FlagValues()  # its own: main(argv) is also called in-process
_FROM_HF = flags.DEFINE_string('from_hf', None, 'HF directory: config.json + model.safetensors.',
                               flag_values=FLAGS)
_FROM_ORBAX = flags.DEFINE_string('from_orbax', None, 'bert_jax model export, workdir or '
                                  'step dir.', flag_values=FLAGS)
_TO_ORBAX = flags.DEFINE_string('to_orbax', None, 'Output model export directory (with '
                                '--from_hf).', flag_values=FLAGS)
_TO_HF = flags.DEFINE_string('to_hf', None, 'Output HF directory (with --from_orbax).',
                             flag_values=FLAGS)
_OVERWRITE = flags.DEFINE_bool('overwrite', False, 'Replace a non-empty output directory.',
                               flag_values=FLAGS)


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m bert_jax.convert`` with ``argv`` (default ``sys.argv[1:]``)."""
  return errors.run_absl(_main, argv, flag_values=FLAGS,
                         usage=f'python -m bert_jax.convert\n{__doc__}')


def _main(argv: Sequence[str]) -> int:
  del argv  # run_absl rejects stray arguments
  if bool(_FROM_HF.value) == bool(_FROM_ORBAX.value):
    raise errors.UsageError('give exactly one of --from_hf / --from_orbax')
  if not (_TO_ORBAX.value if _FROM_HF.value else _TO_HF.value) or (
      _TO_HF.value if _FROM_HF.value else _TO_ORBAX.value):
    raise errors.UsageError('use --from_hf with --to_orbax, or --from_orbax with --to_hf')
  absl_logging.set_verbosity(absl_logging.ERROR)  # Orbax's info/warning chatter
  from bert_jax import convert  # pylint: disable=g-import-not-at-top  (fast --help)
  if _FROM_HF.value:
    pre = convert.hf_to_orbax(_FROM_HF.value, _TO_ORBAX.value, overwrite=_OVERWRITE.value)
  else:
    pre = convert.orbax_to_hf(_FROM_ORBAX.value, _TO_HF.value, overwrite=_OVERWRITE.value)
  for line in convert.summary(pre, _TO_ORBAX.value or _TO_HF.value):
    print(line, file=sys.stderr)
  return 0


if __name__ == '__main__':
  sys.exit(main())
