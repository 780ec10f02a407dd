"""The vocabulary the pretraining data uses: ``data.vocab``, or the corpus' own.

With ``data.vocab=''`` the corpus' default vocabulary is trained once, deterministically,
on all its documents and cached next to the built corpus:
``<dataset dir>/vocab-<kind>-<size>-<cased|uncased>/`` (``vocab.txt`` or ``spm.model``,
plus ``tokenizer_config.json``). Training writes into a temporary folder that is renamed
into place, so concurrent processes never see half a vocabulary.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

from bert_jax import errors
from bert_jax.data import config as config_lib
from bert_jax.data.corpus import Corpus, VocabDefaults, open_corpus
from bert_jax.tokenization import load_tokenizer, train_sentencepiece, train_wordpiece

# Sentences written out to train a vocab (enough for a 30k vocab; bounds the disk used).
MAX_VOCAB_TRAINING_SENTENCES = 2_000_000


def vocab_spec(data_config, corpus: Corpus) -> VocabDefaults:
  """Kind, size and casing of the corpus vocab, config overrides applied."""
  d = corpus.vocab_defaults
  kind = data_config.tokenizer or d.kind
  if kind not in config_lib.TOKENIZER_KINDS:
    raise errors.InputError(f'data.tokenizer={kind!r}; expected one of '
                            f'{config_lib.TOKENIZER_KINDS} or "" (the corpus default).')
  lower = d.do_lower_case if data_config.do_lower_case is None else data_config.do_lower_case
  return VocabDefaults(kind=kind, size=data_config.vocab_size or d.size, do_lower_case=lower)


def default_vocab_dir(corpus: Corpus, spec: VocabDefaults) -> pathlib.Path:
  case = 'uncased' if spec.do_lower_case else 'cased'
  return corpus.directory / f'vocab-{spec.kind}-{spec.size}-{case}'


def get_tokenizer(data_config, corpus: Corpus | None = None):
  """The tokenizer of the data: ``data.vocab`` if set, else the corpus' (trained once)."""
  if data_config.vocab:
    path = os.path.expanduser(data_config.vocab)
    try:
      return load_tokenizer(path, do_lower_case=data_config.do_lower_case)
    except (FileNotFoundError, ValueError) as e:
      raise errors.InputError(f'data.vocab={data_config.vocab!r}: {e}') from None
  corpus = corpus or open_corpus(data_config)
  spec = vocab_spec(data_config, corpus)
  directory = default_vocab_dir(corpus, spec)
  if not (directory / 'tokenizer_config.json').is_file():
    train_corpus_vocab(corpus, spec, directory)
  return load_tokenizer(directory)


def write_sentences(corpus: Corpus, path: pathlib.Path,
                    max_sentences: int = MAX_VOCAB_TRAINING_SENTENCES) -> int:
  """Writes the corpus one sentence a line (documents in order); returns the count."""
  n = 0
  with open(path, 'w', encoding='utf-8') as f:
    for i in range(len(corpus.documents)):
      sentences = corpus.documents.sentences(i)[:max_sentences - n]
      f.writelines(s + '\n' for s in sentences)
      n += len(sentences)
      if n >= max_sentences:
        break
  return n


def train_corpus_vocab(corpus: Corpus, spec: VocabDefaults, directory: pathlib.Path) -> None:
  """Trains the vocab into ``directory`` (atomically; a finished one is kept)."""
  directory.parent.mkdir(parents=True, exist_ok=True)
  with tempfile.TemporaryDirectory(dir=directory.parent, prefix='.vocab-') as tmp:
    tmp = pathlib.Path(tmp)
    text_file = tmp / 'sentences.txt'
    write_sentences(corpus, text_file)
    out = tmp / 'vocab'
    if spec.kind == 'wordpiece':
      train_wordpiece(str(text_file), spec.size, out, do_lower_case=spec.do_lower_case)
    else:
      # One thread and a fixed seed: the same model on every machine.
      train_sentencepiece(str(text_file), spec.size, out, do_lower_case=spec.do_lower_case,
                          seed=0, num_threads=1, character_coverage=0.9995)
    try:
      os.rename(out, directory)
    except OSError:
      if not (directory / 'tokenizer_config.json').is_file():
        raise  # Not a concurrent process having finished first: a real error.
      shutil.rmtree(out, ignore_errors=True)
