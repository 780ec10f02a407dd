"""Paths of the small fine-tuning datasets shipped in ``bert_jax/resources/finetune``.

  >>> shipped_path('squad_ko/dev.json')
  PosixPath('.../bert_jax/resources/finetune/squad_ko/dev.json')

See ``bert_jax/resources/finetune/README.md`` for origin, license and format.
"""
from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'resources' / 'finetune'
_DATA_SUFFIXES = ('.tsv', '.json', '.txt', '.csv')


def available_datasets() -> list[str]:
  """Shipped data files, relative to the resource folder (e.g. 'ner_en/train.txt')."""
  if not ROOT.is_dir():
    return []
  return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob('*')
                if p.is_file() and p.suffix in _DATA_SUFFIXES)


def shipped_path(name: str) -> pathlib.Path:
  """Path of a shipped data file ('squad_ko/dev.json') or folder ('squad_ko').

  Raises:
    FileNotFoundError: naming the available datasets if ``name`` is unknown.
  """
  files = available_datasets()
  folders = sorted({f.split('/')[0] for f in files})
  clean = name.strip('/')
  if clean in files or clean in folders:
    return ROOT / clean
  raise FileNotFoundError(
      f'no shipped dataset {name!r} in {ROOT}. Available folders: {folders}; '
      f'files: {files}.')
