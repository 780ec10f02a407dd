"""Train a vocabulary: SentencePiece (unigram/BPE) or WordPiece, with BERT's special tokens.

Both write into ``output_dir`` the vocab file(s) plus ``tokenizer_config.json`` and return
the loaded tokenizer. An existing vocab there is never replaced unless ``overwrite``.
"""
from __future__ import annotations

import glob
import json
import os
import pathlib
import shutil
import tempfile
import warnings
from typing import Iterable

import sentencepiece as spm
from tokenizers import BertWordPieceTokenizer

from bert_jax.errors import InputError
from bert_jax.tokenization import common, files
from bert_jax.tokenization.base import SPECIAL_TOKENS
from bert_jax.tokenization.sentencepiece_tok import SentencePieceTokenizer
from bert_jax.tokenization.wordpiece import WordPieceTokenizer


def expand_inputs(patterns: str | Iterable[str]) -> list[str]:
  """Files matching comma-separated globs (or a list of globs), sorted, each once.

  Raises FileNotFoundError naming every pattern that matched no file.
  """
  if isinstance(patterns, (str, os.PathLike)):
    patterns = str(patterns).split(',')
  patterns = [str(p).strip() for p in patterns if str(p).strip()]
  if not patterns:
    raise InputError('No input files given; expected comma-separated globs of text files.')
  out, empty = [], []
  for pattern in patterns:
    matched = sorted(p for p in glob.glob(os.path.expanduser(pattern), recursive=True)
                     if os.path.isfile(p))
    (out.extend(matched) if matched else empty.append(pattern))
  if empty:
    raise FileNotFoundError(f'No file matches the input pattern(s) {empty}.')
  return list(dict.fromkeys(out))


def _check_has_text(paths: list[str]) -> None:
  """Raises InputError if no file holds a non-blank line."""
  for path in paths:
    with open(path, 'rb') as f:
      if any(line.strip() for line in f):
        return
  raise InputError(f'The input files {paths[:5]}{" ..." if len(paths) > 5 else ""} are empty '
                   '(no non-blank line): nothing to train a vocabulary on.')


def _has_hangul(paths: list[str], max_lines: int = 10_000) -> bool:
  """Whether the first ``max_lines`` lines of the inputs contain Hangul syllables."""
  n = 0
  for path in paths:
    with open(path, encoding='utf-8', errors='replace') as f:
      for line in f:
        if common.HANGUL_SYLLABLE_RE.search(line):
          return True
        n += 1
        if n >= max_lines:
          return False
  return False


def _output_dir(output_dir: str | os.PathLike, names: Iterable[str],
                overwrite: bool) -> pathlib.Path:
  out = pathlib.Path(output_dir)
  existing = [str(out / n) for n in (*names, files.CONFIG_NAME) if (out / n).exists()]
  if existing and not overwrite:
    raise FileExistsError(f'{existing} already exist; not overwriting an existing vocab '
                          '(pass overwrite=True / --overwrite, or another output_dir).')
  out.mkdir(parents=True, exist_ok=True)
  return out


def _write_config(out: pathlib.Path, tokenizer) -> None:
  text = json.dumps(files.tokenizer_config(tokenizer), indent=2) + '\n'
  (out / files.CONFIG_NAME).write_text(text, encoding='utf-8')


def train_sentencepiece(
    inputs: str | Iterable[str], vocab_size: int, output_dir: str | os.PathLike, *,
    do_lower_case: bool = False, model_type: str = 'unigram',
    character_coverage: float = 0.9995, input_sentence_size: int = 10_000_000,
    max_sentence_length: int = 16384, seed: int = 0, num_threads: int | None = None,
    overwrite: bool = False, verbose: bool = False) -> SentencePieceTokenizer:
  """Trains ``spm.model``/``spm.vocab`` with [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4.

  Args:
    inputs: comma-separated globs or a list of globs of UTF-8 text, one sentence a line.
    vocab_size: pieces in the model, the 5 special tokens included.
    output_dir: where spm.model, spm.vocab and tokenizer_config.json go.
    do_lower_case: case-fold inside the model (normalization rule ``nmt_nfkc_cf``).
    model_type: 'unigram' or 'bpe'.
    character_coverage: share of characters covered by the alphabet (rest -> [UNK]);
      0.9995 suits Korean/Chinese/Japanese, 1.0 small alphabets.
    input_sentence_size: sentences sampled from the inputs for training.
  """
  if model_type not in ('unigram', 'bpe'):
    raise InputError(f"model_type={model_type!r}; expected 'unigram' or 'bpe'.")
  paths = expand_inputs(inputs)
  if bad := [p for p in paths if ',' in p]:
    raise InputError(f'SentencePiece cannot read files whose path has a comma: {bad}.')
  _check_has_text(paths)
  out = _output_dir(output_dir, ('spm.model', 'spm.vocab'), overwrite)
  spm.SetRandomGeneratorSeed(seed)
  with tempfile.TemporaryDirectory(dir=out, prefix='.spm-') as tmp:
    try:
      spm.SentencePieceTrainer.train(
          input=','.join(paths), model_prefix=os.path.join(tmp, 'spm'),
          vocab_size=vocab_size, model_type=model_type,
          character_coverage=character_coverage,
          normalization_rule_name='nmt_nfkc_cf' if do_lower_case else 'nmt_nfkc',
          pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, pad_piece=SPECIAL_TOKENS[0],
          unk_piece=SPECIAL_TOKENS[1], control_symbols=list(SPECIAL_TOKENS[2:]),
          input_sentence_size=input_sentence_size, shuffle_input_sentence=True,
          max_sentence_length=max_sentence_length, num_threads=num_threads or os.cpu_count(),
          minloglevel=0 if verbose else 2)
    except RuntimeError as e:
      raise InputError(f'SentencePiece training on {paths[:5]} failed: {e}') from None
    for ext in ('model', 'vocab'):
      shutil.move(os.path.join(tmp, f'spm.{ext}'), out / f'spm.{ext}')
  tokenizer = SentencePieceTokenizer(out / 'spm.model', do_lower_case=do_lower_case)
  got = tokenizer.convert_ids_to_tokens(range(len(SPECIAL_TOKENS)))
  assert tuple(got) == SPECIAL_TOKENS, got
  _write_config(out, tokenizer)
  return tokenizer


def train_wordpiece(
    inputs: str | Iterable[str], vocab_size: int, output_dir: str | os.PathLike, *,
    do_lower_case: bool = True, strip_accents: bool | None = None, min_frequency: int = 2,
    limit_alphabet: int = 1000, tokenize_chinese_chars: bool = True,
    overwrite: bool = False) -> WordPieceTokenizer:
  """Trains a BERT ``vocab.txt`` (HF ``tokenizers``) starting [PAD] [UNK] [CLS] [SEP] [MASK].

  Args:
    inputs: comma-separated globs or a list of globs of UTF-8 text, one sentence a line.
    vocab_size: tokens in vocab.txt, the 5 special tokens included.
    do_lower_case / strip_accents: as in ``WordPieceTokenizer`` (strip_accents None
      follows do_lower_case). Stripping accents turns Hangul into jamo: a warning says so.
    min_frequency: a merge must occur this often. limit_alphabet: most initial characters.
  """
  paths = expand_inputs(inputs)
  _check_has_text(paths)
  strip = do_lower_case if strip_accents is None else strip_accents
  if strip and _has_hangul(paths):
    warnings.warn(f'Training an accent-stripping WordPiece vocab on Korean text. '
                  f'{common.JAMO_WARNING}', stacklevel=2)
  out = _output_dir(output_dir, (files.VOCAB_NAME,), overwrite)
  trainer = BertWordPieceTokenizer(
      clean_text=True, handle_chinese_chars=tokenize_chinese_chars, strip_accents=strip,
      lowercase=do_lower_case, wordpieces_prefix='##')
  trainer.train(paths, vocab_size=vocab_size, min_frequency=min_frequency,
                limit_alphabet=limit_alphabet, special_tokens=list(SPECIAL_TOKENS),
                show_progress=False, wordpieces_prefix='##')
  with tempfile.TemporaryDirectory(dir=out, prefix='.wordpiece-') as tmp:
    trainer.save_model(tmp)
    shutil.move(os.path.join(tmp, files.VOCAB_NAME), out / files.VOCAB_NAME)
  with warnings.catch_warnings():  # Casing is known here, not guessed: no mismatch check.
    warnings.simplefilter('ignore')
    tokenizer = WordPieceTokenizer(out / files.VOCAB_NAME, do_lower_case=do_lower_case,
                                   strip_accents=strip,
                                   tokenize_chinese_chars=tokenize_chinese_chars)
  _write_config(out, tokenizer)
  if tokenizer.vocab_size > vocab_size:
    warnings.warn(f'{out / files.VOCAB_NAME} has {tokenizer.vocab_size} tokens, more than '
                  f'vocab_size={vocab_size}: the alphabet (up to limit_alphabet='
                  f'{limit_alphabet} characters, each also as ##c) is always kept. Lower '
                  'limit_alphabet or raise vocab_size.', stacklevel=2)
  return tokenizer
