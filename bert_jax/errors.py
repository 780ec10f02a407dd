"""The project's error types, their exit statuses, and the one wrapper every command uses.

Raise ``InputError`` when a file, directory or flag a user gave is wrong: the message
names the file (or flag) and says what was expected. Raise a ``RunError`` (subclasses:
``train.checkpoints.CheckpointError``, ``train.loop.NonFiniteError``) when a run cannot go
on for a reason that is not the command line's: no usable checkpoint, diverged training.

``run_absl(main, ...)`` is how every entry point (``pretrain``, ``finetune``,
``extract_features``, ``convert``, ``serve``, ``sweep``, ``data.prepare``,
``tokenization.train``, ``demo``) runs its ``main``: absl flags parsed with one-line errors
(``config_checks.parse_flags``), ``--help`` exits 0, and then

  InputError, OSError   ->  ``error: <message>`` on stderr, exit 2 (as a bad flag)
  RunError              ->  ``error: <message>``, exit 1
  KeyboardInterrupt     ->  ``error: interrupted; ...``, exit 130

A run stopped by SIGTERM / Ctrl-C after saving a checkpoint exits 75 (``EXIT_PREEMPTED``).
Anything else is a bug and keeps its traceback. Only the metric tools (``bert_jax.metrics``)
keep the official scripts' argparse interface.
"""
from __future__ import annotations

import logging as py_logging
import sys
from typing import Any, Callable, Sequence

EXIT_FAILED = 1  # a run that could not go on (RunError)
EXIT_BAD_INPUT = 2  # bad input: the same status as a usage error (argparse, absl)
# A training run stopped by SIGTERM / Ctrl-C after saving a checkpoint: EX_TEMPFAIL
# (sysexits.h), "try again": run the same command to resume. Finished is 0.
EXIT_PREEMPTED = 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it

HELP_FLAGS = ('-h', '--help', '--helpshort', '--helpfull', '-?')


class InputError(ValueError):
  """Bad user input: the message names the file/flag and what was expected."""


class UsageError(InputError):
  """A command line that does not make sense as a whole (no model to serve, two sources):
  one line and exit 2 at once, as a flag that does not parse."""


class RunError(RuntimeError):
  """A run that cannot go on (no usable checkpoint, diverged training): exit 1."""


def exit_status(e: BaseException) -> int | None:
  """The exit status of a project error; None for anything else (a bug)."""
  if isinstance(e, (InputError, OSError)):
    return EXIT_BAD_INPUT
  if isinstance(e, RunError):
    return EXIT_FAILED
  if isinstance(e, KeyboardInterrupt):
    return EXIT_INTERRUPTED
  return None


def report_errors(main: Callable[..., int | None]) -> Callable[..., int]:
  """``main`` with the project's errors turned into one line on stderr and their exit
  status (see the module doc); a usage error exits 2 at once (``SystemExit``)."""

  def wrapper(*args: Any) -> int:
    _quiet_closed_event_loop_noise()
    try:
      return main(*args) or 0
    except UsageError as e:
      print(f'error: {e}', file=sys.stderr)
      sys.exit(EXIT_BAD_INPUT)
    except (InputError, OSError, RunError, KeyboardInterrupt) as e:
      if isinstance(e, RunError):  # Orbax's abandoned reads after a failed restore
        py_logging.getLogger('asyncio').setLevel(py_logging.CRITICAL)
      message = str(e) if not isinstance(e, KeyboardInterrupt) else (
          'interrupted; what was already saved or written is kept.')
      print(f'error: {message}', file=sys.stderr, flush=True)
      return exit_status(e)

  wrapper.__wrapped__ = main
  return wrapper


def preempted() -> int:
  """What a preempted (saved) run prints; returns ``EXIT_PREEMPTED``."""
  print(f'preempted: saved; run the same command again to resume (exit status '
        f'{EXIT_PREEMPTED}).', flush=True)
  return EXIT_PREEMPTED


def run_absl(main: Callable[[Sequence[str]], int | None], argv: Sequence[str] | None = None,
             *, flag_values: Any = None, usage: str = '',
             finish: Callable[[int], int] | None = None) -> int:
  """Parses the flags and runs ``main(argv)`` through ``report_errors``.

  Without ``flag_values`` (a ``python -m`` program on absl's global ``FLAGS``): through
  ``absl.app.run``, and the process exits with ``main``'s status (``--help``: 0, absl says
  1). With ``flag_values`` (a command whose ``main(argv)`` is also called in-process):
  ``argv`` (default ``sys.argv[1:]``) is parsed into it from its defaults and the status is
  returned; ``--help`` prints ``usage`` and that command's flags. Either way a flag that
  does not parse, or a stray argument, is one ``error:`` line and exit 2. ``finish(status)``
  runs last (``distributed.finish``: the end of a multi-process run).
  """
  from bert_jax.config_checks import parse_args, parse_flags  # pylint: disable=g-import-not-at-top
  run = report_errors(lambda rest: _run_parsed(main, rest))
  end = finish or (lambda status: status)
  if flag_values is None:
    from absl import app  # pylint: disable=g-import-not-at-top
    try:
      app.run(lambda rest: sys.exit(end(run(rest))), flags_parser=parse_flags)
    except SystemExit as e:
      if e.code == 1 and any(a in HELP_FLAGS for a in sys.argv[1:]):
        sys.exit(0)
      raise
  argv = list(sys.argv[1:] if argv is None else argv)
  if any(a in HELP_FLAGS for a in argv):
    print(f'{usage.rstrip()}\n\nflags:\n{_flags_help(flag_values)}')
    return 0
  return end(run(parse_args(argv, flag_values)))


def _flags_help(flag_values: Any) -> str:
  """The help of the command's own flags (absl's --flagfile / --undefok left out)."""
  parts = []
  for module in flag_values.flags_by_module_dict():
    if module != 'absl.flags':
      parts += [line for line in flag_values.module_help(module).splitlines()
                if line.startswith(' ')]  # not the "path/of/module.py:" header
  return '\n'.join(parts)


def _run_parsed(main: Callable[[Sequence[str]], int | None], argv: Sequence[str]
                ) -> int | None:
  if len(argv) > 1:
    raise UsageError(f'unexpected arguments: {list(argv[1:])}; every value is a --flag=VALUE.')
  if not _verbosity_given():
    from absl import logging  # pylint: disable=g-import-not-at-top
    logging.set_verbosity(logging.WARNING)  # Orbax, TFDS log every file they touch at INFO
  return main(argv)


def _verbosity_given() -> bool:
  from absl import flags  # pylint: disable=g-import-not-at-top
  return 'verbosity' in flags.FLAGS and flags.FLAGS['verbosity'].present


def _quiet_closed_event_loop_noise() -> None:
  """Drops ``RuntimeError('Event loop is closed')`` reported as unraisable.

  After Orbax fails to read a corrupt checkpoint, TensorStore still completes futures on
  the asyncio loop Orbax already closed; Python then prints those tracebacks at exit,
  after our one-line error. Everything else goes to the previous hook. The same reads can
  also reach asyncio's logger ("Task exception was never retrieved"):
  ``_drop_abandoned_orbax_reads`` filters those.
  """
  previous = sys.unraisablehook
  if getattr(previous, 'bert_jax_quiet', False):
    return

  def hook(unraisable):
    exc = unraisable.exc_value
    if isinstance(exc, RuntimeError) and str(exc) == 'Event loop is closed':
      return
    previous(unraisable)

  hook.bert_jax_quiet = True
  sys.unraisablehook = hook
  import logging as std_logging  # pylint: disable=g-import-not-at-top
  std_logging.getLogger('asyncio').addFilter(_drop_abandoned_orbax_reads)


def _drop_abandoned_orbax_reads(record) -> bool:
  """False (drop) for asyncio's "Task exception was never retrieved" about one of Orbax's
  reads of a checkpoint it already gave up on (the failure is reported once, by us)."""
  exc = record.exc_info[1] if record.exc_info else None
  if exc is None or 'never retrieved' not in str(record.msg):
    return True
  tb, frames = exc.__traceback__, []
  while tb is not None:
    frames.append(tb.tb_frame.f_code.co_filename)
    tb = tb.tb_next
  return not any('orbax' in f for f in frames)
