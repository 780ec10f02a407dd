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


class InputError(ValueError):
  """Bad user input: the message names the file/flag and what was expected."""


def report_errors(main: Callable[[Sequence[str] | None], int | None]
                  ) -> Callable[[Sequence[str] | None], int]:
  """Wraps a CLI ``main(argv)``: ``InputError`` / ``OSError`` -> ``error: ...``, exit 2."""

  @functools.wraps(main)
  def wrapper(argv: Sequence[str] | None = None) -> int:
    try:
      return main(argv) or 0
    except (InputError, OSError) as e:
      print(f'error: {e}', file=sys.stderr)
      return EXIT_BAD_INPUT
    except KeyboardInterrupt:
      print('error: interrupted; no output was written.', file=sys.stderr)
      return 130

  return wrapper
