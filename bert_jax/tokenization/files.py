"""Find, load and save tokenizer files (``vocab.txt`` / ``*.model`` + tokenizer_config.json).

A directory is what HF and our checkpoints save: the vocab file next to a
``tokenizer_config.json`` holding ``do_lower_case`` (and ``strip_accents``, ``kind``).
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile
from typing import Any

from etils import epath

from bert_jax.tokenization.sentencepiece_tok import SentencePieceTokenizer
from bert_jax.tokenization.wordpiece import WordPieceTokenizer
from bert_jax.workdir import is_local

CONFIG_NAME = 'tokenizer_config.json'
VOCAB_NAME = 'vocab.txt'
SPM_NAME = 'spm.model'
_SPM_NAMES = (SPM_NAME, 'spiece.model', 'sentencepiece.model', 'sentencepiece.bpe.model')
_EXPECTED = 'a WordPiece vocab.txt, a SentencePiece *.model, or a directory containing one'

AnyTokenizer = WordPieceTokenizer | SentencePieceTokenizer


def read_tokenizer_config(directory: str | os.PathLike) -> dict[str, Any]:
  """``tokenizer_config.json``, else the tokenizer keys of ``config.json``, else {}."""
  for name in (CONFIG_NAME, 'config.json'):
    path = pathlib.Path(directory) / name
    if not path.is_file():
      continue
    try:
      config = json.loads(path.read_text(encoding='utf-8'))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
      raise ValueError(f'{path} is not valid JSON: {e}') from None
    if not isinstance(config, dict):
      raise ValueError(f'{path} should hold a JSON object, got {type(config).__name__}.')
    if name == CONFIG_NAME or 'do_lower_case' in config:
      return config
  return {}


def find_vocab_file(directory: str | os.PathLike, kind: str | None = None) -> pathlib.Path:
  """The ``vocab.txt`` or ``*.model`` inside ``directory`` (``kind`` breaks a tie)."""
  directory = pathlib.Path(directory)
  vocab = directory / VOCAB_NAME
  models = sorted(p for p in directory.glob('*.model') if p.is_file())
  preferred = [directory / n for n in _SPM_NAMES if (directory / n).is_file()]
  if kind is None:
    if vocab.is_file() and models:
      raise ValueError(f'{directory} holds both {VOCAB_NAME} and {models[0].name}; pass the '
                       f'path of the one to use, or set "kind" in {CONFIG_NAME}.')
    kind = 'wordpiece' if vocab.is_file() else 'sentencepiece' if models else None
  if kind == 'wordpiece' and vocab.is_file():
    return vocab
  if kind == 'sentencepiece' and models:
    if preferred or len(models) == 1:
      return (preferred or models)[0]
    raise ValueError(f'{directory} holds several SentencePiece models '
                     f'{[m.name for m in models]}; pass the path of the one to use.')
  found = f' ({CONFIG_NAME} says kind={kind!r})' if kind else ''
  raise FileNotFoundError(f'No tokenizer files in {directory}{found}: expected {VOCAB_NAME} '
                          'or a *.model file.')


def _local_copy(path_or_dir: str | os.PathLike) -> pathlib.Path:
  """A local path as is; a bucket one (``gs://...``) copied into a local temp directory.

  HF ``tokenizers`` and ``sentencepiece`` read local files only, so the tokenizer of a
  bucket workdir (its vocab / *.model and tokenizer_config.json / config.json, a few
  hundred kB) is copied once per load through ``etils.epath``.
  """
  if is_local(path_or_dir):
    return pathlib.Path(path_or_dir)
  src = epath.Path(str(path_or_dir))
  if not src.exists():
    raise FileNotFoundError(f'Tokenizer path {str(src)!r} does not exist; expected {_EXPECTED}.')
  local = pathlib.Path(tempfile.mkdtemp(prefix='bert_jax_tokenizer_'))
  wanted = lambda f: f.name in (VOCAB_NAME, CONFIG_NAME, 'config.json') or f.suffix == '.model'
  files = [f for f in src.iterdir() if wanted(f) and not f.is_dir()] if src.is_dir() else [src]
  for f in files:
    (local / f.name).write_bytes(f.read_bytes())
  return local if src.is_dir() else local / src.name


def load_tokenizer(path_or_dir: str | os.PathLike, *, do_lower_case: bool | None = None,
                   strip_accents: bool | None = None) -> AnyTokenizer:
  """Tokenizer from a ``vocab.txt``, a ``*.model``, or a directory holding one.

  ``do_lower_case`` / ``strip_accents`` default to the directory's tokenizer_config.json
  (or config.json); a WordPiece tokenizer without either guesses from the vocab.
  """
  path = _local_copy(path_or_dir)
  if not path.exists():
    raise FileNotFoundError(f'Tokenizer path {str(path)!r} does not exist; expected {_EXPECTED}.')
  directory = path if path.is_dir() else path.parent
  config = read_tokenizer_config(directory)
  vocab_file = find_vocab_file(path, config.get('kind')) if path.is_dir() else path
  if do_lower_case is None:
    do_lower_case = config.get('do_lower_case')
  if strip_accents is None:
    strip_accents = config.get('strip_accents')
  if vocab_file.suffix == '.model':
    return SentencePieceTokenizer(vocab_file, do_lower_case=bool(do_lower_case))
  if vocab_file.suffix == '.txt':
    return WordPieceTokenizer(vocab_file, do_lower_case=do_lower_case,
                              strip_accents=strip_accents)
  raise ValueError(f'Cannot tell the tokenizer kind of {str(vocab_file)!r}; expected {_EXPECTED}.')


def tokenizer_config(tokenizer: AnyTokenizer) -> dict[str, Any]:
  """What ``save_tokenizer_files`` writes to tokenizer_config.json."""
  config = {'kind': tokenizer.kind, 'do_lower_case': tokenizer.do_lower_case,
            'strip_accents': tokenizer.strip_accents}
  if tokenizer.kind == 'wordpiece':  # Lets HF AutoTokenizer read the directory too.
    config.update(tokenizer_class='BertTokenizer',
                  tokenize_chinese_chars=tokenizer.tokenize_chinese_chars)
  return config


def save_tokenizer_files(tokenizer: AnyTokenizer, directory: str | os.PathLike, *,
                         overwrite: bool = False) -> list[epath.Path]:
  """Copies the vocab (``vocab.txt`` / ``spm.model``) and writes tokenizer_config.json.

  An existing different file is never replaced unless ``overwrite``; identical files
  are left alone. Returns the paths written or already there.
  """
  directory = epath.Path(directory)  # a workdir: local or a bucket
  directory.mkdir(parents=True, exist_ok=True)
  src = epath.Path(tokenizer.source)
  files = {VOCAB_NAME if tokenizer.kind == 'wordpiece' else SPM_NAME: src}
  if tokenizer.kind == 'sentencepiece' and src.with_suffix('.vocab').is_file():
    files['spm.vocab'] = src.with_suffix('.vocab')
  config_text = json.dumps(tokenizer_config(tokenizer), indent=2) + '\n'
  dests = [directory / name for name in (*files, CONFIG_NAME)]
  for dest, src in zip(dests, (*files.values(), None)):
    if dest.exists() and not overwrite and not _same(dest, src, config_text):
      raise FileExistsError(f'{dest} already exists and differs from {src or "the new config"}; '
                            'not overwriting it (pass overwrite=True).')
  for dest, src in zip(dests, files.values()):
    if not (dest.exists() and _same(dest, src, '')):
      src.copy(dest, overwrite=True)
  dests[-1].write_text(config_text, encoding='utf-8')
  return dests


def _same(dest: epath.Path, src: epath.Path | None, text: str) -> bool:
  if src is None:
    return dest.read_text(encoding='utf-8') == text
  return str(dest) == str(src) or dest.read_bytes() == src.read_bytes()
