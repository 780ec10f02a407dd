"""The error type for bad user input, and the one way command-line tools report it.

Raise ``InputError`` when a file, directory or flag a user gave is wrong: the message
names the file (or flag) and says what was expected. Command-line tools wrap their
``main`` with ``report_errors`` so the user sees ``error: <message>`` on stderr and a
non-zero exit status instead of a traceback. Anything else is a bug and keeps its
traceback.
"""
from __future__ import annotations

import functools
import sys
from typing import Callable, Sequence

# Exit status for bad input (the same as argparse's usage errors).
EXIT_BAD_INPUT = 2
# Exit status of a run stopped by SIGTERM after saving (EX_TEMPFAIL: run it again to resume).
EXIT_PREEMPTED = 75


class InputError(ValueError):
  """Bad user input: the message names the file/flag and what was expected."""


def report_errors(main: Callable[[Sequence[str] | None], int | None]
                  ) -> Callable[[Sequence[str] | None], int]:
  """Wraps a CLI ``main(argv)``: ``InputError`` / ``OSError`` -> ``error: ...``, exit 2."""

  @functools.wraps(main)
  def wrapper(argv: Sequence[str] | None = None) -> int:
    _quiet_closed_event_loop_noise()
    try:
      return main(argv) or 0
    except (InputError, OSError) as e:
      print(f'error: {e}', file=sys.stderr)
      return EXIT_BAD_INPUT
    except KeyboardInterrupt:
      print('error: interrupted; no output was written.', file=sys.stderr)
      return 130

  return wrapper


def _quiet_closed_event_loop_noise() -> None:
  """Drops ``RuntimeError('Event loop is closed')`` reported as unraisable.

  After Orbax fails to read a corrupt checkpoint, TensorStore still completes futures on
  the asyncio loop Orbax already closed; Python then prints those tracebacks at exit,
  after our one-line error. Everything else goes to the previous hook.
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


HELP_FLAGS = ('-h', '--help', '--helpshort', '--helpfull', '-?')


def run_absl(main: Callable[[Sequence[str]], int]) -> None:
  """``absl.app.run(main)`` exiting with ``main``'s status; ``--help`` exits 0 (absl: 1)."""
  from absl import app  # pylint: disable=g-import-not-at-top
  try:
    app.run(lambda argv: sys.exit(main(argv)))
  except SystemExit as e:
    if e.code == 1 and any(a in HELP_FLAGS for a in sys.argv[1:]):
      sys.exit(0)
    raise
