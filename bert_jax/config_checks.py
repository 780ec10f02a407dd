"""Config errors as one line, before any work: flag parsing and value checks.

- ``parse_flags(argv, flag_values=None)``: absl's flag parser for ``errors.run_absl``. An
  unknown ``--config.KEY``
  (with ml_collections' did-you-mean), a value of the wrong type, a config file or preset
  that does not load, a missing required flag: ``error: ...`` on stderr, exit 2 (absl
  prints a chain of tracebacks or ``FATAL ...`` with status 1).
- ``RENAMED``: the keys of the two old config vocabularies (fine-tuning's ``batch_size``,
  ``learning_rate``, ...; pretraining's ``init_from``) and their names in the one schema
  (docs/CONFIG.md); an old name gets the unknown-key error pointing at the new one.
- ``parse_args(args, flag_values)``: the same for a command's own ``FlagValues``, from its
  defaults (its ``main(argv)`` may run several times in one process).
- ``check_optimizer(opt, prefix)``: learning rate, betas, eps, weight decay, clipping must
  be finite and in range; ``InputError`` naming the key (``--config.<prefix>KEY``).
"""
from __future__ import annotations

import math
import re
import sys
from typing import Any, Sequence

from bert_jax.errors import EXIT_BAD_INPUT, InputError

_DID_YOU_MEAN = re.compile(r'Did you mean "([^"]+)" instead of "([^"]+)"\?')

# Old key -> its name in the one config schema (pretraining and fine-tuning share it).
RENAMED = {
    'batch_size': 'global_batch_size',
    'learning_rate': 'optimizer.learning_rate',
    'warmup_fraction': 'optimizer.warmup_fraction',
    'weight_decay': 'optimizer.weight_decay',
    'max_grad_norm': 'optimizer.max_grad_norm',
    'recipe': 'optimizer.recipe',
    'max_seq_length': 'data.max_seq_length',
    'init_from': 'init_checkpoint',
}


def renamed(key: str) -> str | None:
  """The new name of an old config key (``RENAMED``), else None."""
  return RENAMED.get(key)


def _renamed_key_line(text: str, argv: Sequence[str]) -> str | None:
  """An unknown ``--config.OLD`` of ``argv`` that was renamed: the line naming the new key."""
  for arg in argv:
    name = arg.split('=', 1)[0]
    if not name.startswith('--') or '.' not in name:
      continue
    flag, key = name[2:].split('.', 1)
    new = renamed(key)
    if new and (f"'{key}'" in text or f'"{key}"' in text):
      return (f'{name}: no such config key; did you mean --{flag}.{new}? ({key} was renamed '
              f'{new}: docs/CONFIG.md)')
  return None


def _root_message(e: BaseException) -> str:
  """The most informative message of an exception chain (did-you-mean first)."""
  chain, seen = [], set()
  while e is not None and id(e) not in seen:
    seen.add(id(e))
    chain.append(e)
    e = e.__cause__ or e.__context__
  for err in chain:
    text = str(err).encode().decode('unicode_escape', errors='replace')
    if _DID_YOU_MEAN.search(text):
      return text
  return str(chain[-1]) if chain else ''


def _unknown_key_line(text: str, argv: Sequence[str]) -> str | None:
  m = _DID_YOU_MEAN.search(text)
  if not m:
    return None
  right, wrong = m.groups()
  for arg in argv:
    name = arg.split('=', 1)[0]
    if name.startswith('--') and name.rsplit('.', 1)[-1] == wrong:
      return f'{name}: no such config key; did you mean {name.rsplit(".", 1)[0]}.{right}?'
  return f'no config key {wrong!r}; did you mean {right!r}?'


def flag_error_line(e: BaseException, argv: Sequence[str]) -> str:
  """One line for a failed parse of ``argv``."""
  text = _root_message(e)
  line = _renamed_key_line(text, argv) or _unknown_key_line(text, argv)
  if line is None and 'Traceback (most recent call last)' in str(e):
    # A config file that raised: the flag and the file's own error (its last line).
    m = re.match(r'(flag \S+): ', str(e))
    last = str(e).strip().splitlines()[-1].strip()
    line = f'{m.group(1)}: {last}' if m else last
  if line is None:
    line = ' '.join(str(e).split()) if str(e).strip() else ' '.join(text.split())
    if not line.startswith('flag ') and not line.startswith('--'):
      line = f'{type(e).__name__}: {line}' if not str(e).strip() else line
  return line


def parse_flags(argv: Sequence[str], flag_values: Any = None) -> list[str]:
  """``flag_values(argv)`` (default absl's ``FLAGS``) with one-line errors and exit status 2."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  try:
    return (flag_values or flags.FLAGS)(list(argv))
  except SystemExit:
    raise  # --help
  except Exception as e:  # pylint: disable=broad-except  (config files raise anything)
    print(f'error: {flag_error_line(e, argv)}', file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def define_run_flags(config_help: str, workdir_help: str) -> tuple[Any, Any]:
  """The flags of a training run (``pretrain``, ``finetune``), all on absl's ``FLAGS``:
  ``--config`` (a config file, locked; ``--config.KEY=V`` overrides), ``--workdir`` (both
  required) and the multi-process flags of ``distributed.define_flags``. Returns the
  holders of the first two."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  from ml_collections import config_flags  # pylint: disable=g-import-not-at-top
  from bert_jax import distributed  # pylint: disable=g-import-not-at-top
  config = config_flags.DEFINE_config_file('config', None, config_help, lock_config=True)
  workdir = flags.DEFINE_string('workdir', None, workdir_help)
  flags.mark_flags_as_required(['config', 'workdir'])
  distributed.define_flags()
  return config, workdir


def parse_args(args: Sequence[str], flag_values: Any) -> list[str]:
  """``parse_flags`` of ``args`` (no program name) into ``flag_values`` from its defaults:
  a command whose ``main(argv)`` is called again in the same process starts afresh."""
  if flag_values.is_parsed():
    flag_values.unparse_flags()
  return parse_flags([sys.argv[0] or 'bert_jax', *args], flag_values)


def _finite(value: Any, key: str) -> float:
  try:
    x = float(value)
  except (TypeError, ValueError):
    raise InputError(f'--config.{key}={value!r}; expected a number.') from None
  if not math.isfinite(x):
    raise InputError(f'--config.{key}={value}; expected a finite number.')
  return x


def check_optimizer(opt: Any, prefix: str = 'optimizer.') -> None:
  """``InputError`` for a learning rate that is not finite and > 0, betas outside [0, 1),
  eps <= 0, negative weight decay or a non-finite clip norm (pretraining and fine-tuning
  alike: ``--config.optimizer.KEY``)."""
  name = lambda k: prefix + k
  lr = _finite(opt.learning_rate, name('learning_rate'))
  if lr <= 0:
    raise InputError(f'--config.{name("learning_rate")}={lr}; expected a learning rate > 0.')
  for k in ('b1', 'b2'):
    b = _finite(opt[k], name(k))
    if not 0 <= b < 1:
      raise InputError(f'--config.{name(k)}={b}; expected 0 <= {k} < 1.')
  if _finite(opt.eps, name('eps')) <= 0:
    raise InputError(f'--config.{name("eps")}={opt.eps}; expected eps > 0.')
  if _finite(opt.weight_decay, name('weight_decay')) < 0:
    raise InputError(f'--config.{name("weight_decay")}={opt.weight_decay}; expected >= 0.')
  _finite(opt.max_grad_norm, name('max_grad_norm'))
  _finite(opt.end_learning_rate, name('end_learning_rate'))
  if opt.get('warmup_fraction') is not None:
    frac = _finite(opt.warmup_fraction, name('warmup_fraction'))
    if not 0 <= frac <= 1:
      raise InputError(f'--config.{name("warmup_fraction")}={frac}; expected 0 <= x <= 1.')
