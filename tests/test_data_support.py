"""Shared, once-per-session builds for the data tests (this module holds no tests).

The embedded and Korean corpora (and their vocabularies) are built once into a
temporary data_dir and reused by every ``tests/test_data_*.py`` module.
"""
from __future__ import annotations

import atexit
import functools
import pathlib
import shutil
import tempfile

from bert_jax.data import default_data_config, get_tokenizer, open_corpus


@functools.lru_cache(maxsize=None)
def shared_data_dir() -> str:
  path = tempfile.mkdtemp(prefix='bert_jax_data_tests_')
  atexit.register(shutil.rmtree, path, True)
  return path


def data_config(corpus: str = 'embedded', **overrides):
  """A data config on the shared data_dir, with overrides."""
  cfg = default_data_config()
  cfg.corpus = corpus
  cfg.data_dir = shared_data_dir()
  cfg.prefetch = 0
  cfg.shuffle_window = 128  # Fills faster than the default 1024; same code path.
  for key, value in overrides.items():
    cfg[key] = value
  return cfg


@functools.lru_cache(maxsize=None)
def built(corpus: str = 'embedded'):
  """(corpus, tokenizer) of a shipped corpus, built once per session."""
  cfg = data_config(corpus)
  c = open_corpus(cfg)
  return c, get_tokenizer(cfg, c)


def write_text_corpus(directory: pathlib.Path, documents: list[list[str]],
                      name: str = 'corpus.txt') -> pathlib.Path:
  """Writes documents in BERT's format (a sentence a line, blank line between)."""
  directory.mkdir(parents=True, exist_ok=True)
  path = directory / name
  path.write_text('\n\n'.join('\n'.join(doc) for doc in documents) + '\n', encoding='utf-8')
  return path
