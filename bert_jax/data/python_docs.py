"""The embedded English corpus: documentation that ships with every Python interpreter.

Nothing is downloaded. Two sources, both part of the running interpreter's standard
library, read in a fixed order so that building is deterministic:

1. ``pydoc_data.topics``: the language reference topics ``help()`` shows
   ('assert', 'calls', 'formatstrings', ...). One topic = one document.
2. The prose of every standard-library module, read from the ``.py`` sources with
   ``ast`` and ``tokenize`` (nothing is imported): the module, class and function
   docstrings and the comment blocks (consecutive ``#`` lines joined into a paragraph;
   pragmas such as ``# noqa`` or ``# type:`` dropped), all in source order. One module =
   one document, so a random segment from "another document" is about another topic
   (``json`` vs ``asyncio``): that is what makes next-sentence prediction learnable on
   this corpus. The comments double the corpus (version 1.1.0; 1.0.0 had docstrings
   only), which halves how often the demo's pretraining sees each sentence.

Code, doctests, tables and heading rules are dropped (``text.prose_sentences``); test
suites, IDLE's tests and ``site-packages`` are skipped. The text differs between Python
versions, so the TFDS config name carries the interpreter version.
"""
from __future__ import annotations

import ast
import io
import pathlib
import re
import sys
import sysconfig
import tokenize
from typing import Iterator

from bert_jax.data import text

_SKIP_DIRS = frozenset({'test', 'tests', 'idle_test', 'site-packages', 'dist-packages',
                        '__pycache__', 'turtledemo'})
_DOC_NODES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def version_tag() -> str:
  """'py3_11_7' for the running interpreter (TFDS config names allow no dots)."""
  return 'py' + '_'.join(str(v) for v in sys.version_info[:3])


def stdlib_sources(root: str | pathlib.Path | None = None) -> list[pathlib.Path]:
  """The standard library's ``.py`` files, tests excluded, in sorted order."""
  root = pathlib.Path(root or sysconfig.get_paths()['stdlib'])
  return sorted(p for p in root.rglob('*.py')
                if not (_SKIP_DIRS & set(p.relative_to(root).parts[:-1]))
                and not p.name.startswith('test_'))


_PRAGMA = re.compile(r'^(!|-\*-|\s*(noqa|type:|pylint:|pragma|fmt:|XXX\b|TODO\b|isort:))',
                     re.IGNORECASE)


def module_docstrings(source: bytes) -> list[tuple[int, str]]:
  """(line, docstring) of the module, its classes and functions, in source order."""
  try:
    tree = ast.parse(source)
  except (SyntaxError, ValueError):  # Templates such as lib2to3 fixtures; not prose.
    return []
  nodes = [n for n in ast.walk(tree) if isinstance(n, _DOC_NODES)]
  nodes.sort(key=lambda n: getattr(n, 'lineno', 0))
  return [(getattr(n, 'lineno', 0), d) for n in nodes if (d := ast.get_docstring(n))]


def comment_blocks(source: bytes) -> list[tuple[int, str]]:
  """(first line, text) of each run of ``#`` comments on consecutive lines, ``#`` removed.

  A comment after code on the same line starts its own block; pragmas are dropped.
  """
  blocks: list[tuple[int, list[str]]] = []
  last_line = -2
  try:
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
      if tok.type != tokenize.COMMENT:
        continue
      line = tok.start[0]
      body = tok.string.lstrip('#').strip()
      if not body or _PRAGMA.match(body):
        last_line = -2
        continue
      own_line = not tok.line[:tok.start[1]].strip()
      if own_line and line == last_line + 1 and blocks:
        blocks[-1][1].append(body)
      else:
        blocks.append((line, [body]))
      last_line = line if own_line else -2
  except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
    pass  # what was read before the error stays
  return [(line, ' '.join(lines)) for line, lines in blocks]


def module_prose(source: bytes) -> list[str]:
  """Docstrings and comment blocks of one module's source, in source order."""
  pieces = sorted(module_docstrings(source) + comment_blocks(source), key=lambda p: p[0])
  return [text_ for _, text_ in pieces]


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
  parts = list(path.relative_to(root).with_suffix('').parts)
  if parts[-1] == '__init__':
    parts.pop()
  return '.'.join(parts)


def topic_documents() -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) of each pydoc topic, in sorted topic order."""
  from pydoc_data import topics  # pylint: disable=import-outside-toplevel
  for name in sorted(topics.topics):
    yield f'topic:{name}', text.prose_sentences(topics.topics[name])


def module_documents(root: str | pathlib.Path | None = None
                     ) -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) of each standard-library module, in sorted path order."""
  root = pathlib.Path(root or sysconfig.get_paths()['stdlib'])
  for path in stdlib_sources(root):
    sentences = [s for d in module_prose(path.read_bytes()) for s in text.prose_sentences(d)]
    yield f'module:{module_name(path, root)}', sentences


def python_docs_documents() -> Iterator[tuple[str, list[str]]]:
  """Every document of the embedded corpus: pydoc topics, then module docstrings."""
  yield from topic_documents()
  yield from module_documents()
