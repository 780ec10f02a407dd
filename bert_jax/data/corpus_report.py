"""What ``python -m bert_jax.data.prepare`` prints: a pretraining corpus's counts and
decoded examples (masks shown as in ``bert_jax/data/prepare.py``'s docstring)."""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from bert_jax.data.corpus import Corpus, open_corpus, split_documents
from bert_jax.data.examples import ExampleOptions, PretrainingExamples
from bert_jax.data.vocab import get_tokenizer


def report(data, *, seed: int = 0, count: bool = True, inspect: int = 0) -> None:
  """Prints the counts of the corpus of data config ``data`` (``count``: tokens and
  examples too, tokenizing everything) and ``inspect`` decoded training examples."""
  options = ExampleOptions.from_config(data)
  t0 = time.perf_counter()
  corpus = open_corpus(data)
  t1 = time.perf_counter()
  tokenizer = get_tokenizer(data, corpus)
  t2 = time.perf_counter()
  train, held_out = split_documents(len(corpus.documents), data.eval_fraction)
  c = corpus.counts
  print(f'corpus      {corpus.name} in {corpus.directory}  ({t1 - t0:.1f} s)')
  print(f'documents   {len(corpus.documents):,} (train {len(train):,}, eval {len(held_out):,})'
        + _skipped(c))
  for key in ('sentences', 'words'):
    if key in c:
      print(f'{key:<11} {c[key]:,}')
  print(f'vocab       {tokenizer!r}  ({t2 - t1:.1f} s)')
  maker = PretrainingExamples(corpus.documents, train, tokenizer, seed=seed,
                              options=options)
  if count:
    t3 = time.perf_counter()
    tokens, examples = count_tokens_and_examples(corpus, maker, train)
    ev_maker = PretrainingExamples(corpus.documents, held_out, tokenizer, seed=seed,
                                   options=options)
    ev_tokens, ev_examples = (count_tokens_and_examples(corpus, ev_maker, held_out)
                              if len(held_out) else (0, 0))
    print(f'tokens      {tokens + ev_tokens:,} (train {tokens:,}, eval {ev_tokens:,})')
    print(f'examples    {examples:,} train + {ev_examples:,} eval per epoch at '
          f'max_seq_length {options.max_seq_length}  ({time.perf_counter() - t3:.1f} s)')
  for problem in c.get('problems', []):
    print(f'skipped     {problem}')
  if inspect:
    inspect_examples(corpus, maker, train, inspect, seed)


def data_config_of(config):
  """The data part of a config: ``config.data`` if there is one, else the config."""
  return config.data if 'data' in config else config


def count_tokens_and_examples(corpus: Corpus, maker: PretrainingExamples,
                              docs: np.ndarray) -> tuple[int, int]:
  tokens = examples = 0
  for doc in docs:
    tokens += sum(len(s) for s in maker.tokenized(int(doc)))
    examples += len(maker.pairs(int(doc), maker.rng(int(doc), 0)))
  return tokens, examples


def render_tokens(tokenizer, ids: Sequence[int], original: Sequence[int] | None = None,
                  masked: Sequence[bool] | None = None) -> str:
  """Pieces joined into words; predicted positions shown as in the module docstring."""
  out = []
  pieces = tokenizer.convert_ids_to_tokens([int(i) for i in ids])
  words = pieces if original is None else tokenizer.convert_ids_to_tokens(
      [int(i) for i in original])
  for k, piece in enumerate(pieces):
    shown = _bare(piece)
    if masked is not None and masked[k]:
      word = _bare(words[k])
      word = word or words[k]
      shown = (f'[MASK→{word}]' if ids[k] == tokenizer.mask_id else
               f'<{word}>' if ids[k] == original[k] else f'{{{_bare(piece) or piece}→{word}}}')
    start = tokenizer.is_word_start(words[k]) or k == 0
    out.append((' ' if start and out else '') + shown)
  return ''.join(out)


def _bare(piece: str) -> str:
  """A piece without its word-piece marker ('##x' -> 'x', SentencePiece '▁x' -> 'x')."""
  return piece.removeprefix('##').lstrip('\u2581')


def inspect_examples(corpus: Corpus, maker: PretrainingExamples, docs: np.ndarray, n: int,
                     seed: int) -> None:
  tok = maker.tokenizer
  order = np.random.default_rng(seed).permutation(docs)
  shown = 0
  for doc in order:
    rng = maker.rng(int(doc), 0)
    for pair in maker.pairs(int(doc), rng):
      if shown == n:
        return
      ex = maker.features(pair, rng)
      length = int(ex['attention_mask'].sum())
      ids = ex['input_ids'][:length]
      original = ids.copy()
      weights = ex['masked_lm_weights'] > 0
      positions = ex['masked_lm_positions'][weights]
      original[positions] = ex['masked_lm_ids'][weights]
      masked = np.zeros(length, bool)
      masked[positions] = True
      sep = 1 + len(pair.tokens_a)
      kinds = ids[positions]
      n_mask = int((kinds == tok.mask_id).sum())
      n_kept = int((kinds == original[positions]).sum())
      label = 'NotNext' if pair.is_random_next else 'IsNext'
      docs_of = corpus.documents.doc_id(pair.a.doc)
      if pair.is_random_next:
        docs_of += ' + ' + corpus.documents.doc_id(pair.b.doc)
      shown += 1
      print(f'--- example {shown}: {label}, {length} tokens, from {docs_of}')
      print('A:', render_tokens(tok, ids[1:sep], original[1:sep], masked[1:sep]))
      print('B:', render_tokens(tok, ids[sep + 1:length - 1], original[sep + 1:length - 1],
                                masked[sep + 1:length - 1]))
      print(f'predicted {len(positions)}: {n_mask} [MASK], '
            f'{len(positions) - n_mask - n_kept} random, {n_kept} kept')


def _skipped(counts) -> str:
  parts = [f'{counts[k]:,} {what}' for k, what in (
      ('skipped_short_documents', 'with < 2 sentences'), ('empty_files', 'empty files'),
      ('invalid_utf8_lines', 'invalid UTF-8 lines')) if counts.get(k)]
  return f'; skipped: {", ".join(parts)}' if parts else ''
