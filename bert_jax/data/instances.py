"""Next-sentence-prediction pairs from a tokenized document, as google-research/bert.

``create_instances`` is ``create_instances_from_document`` of BERT's
``create_pretraining_data.py``: walk the document's sentences, gather them into a chunk
until it reaches the target length, split the chunk at a random sentence boundary into
A and B; half of the time B is replaced by a random segment of another document (and the
unused sentences go back to the stream); the longer of A/B loses tokens at a random end
until the pair fits. Two deliberate differences, both to keep NSP at 50/50:

- the target length is drawn (``short_seq_prob``) for every pair, not once per document;
- a chunk of one sentence (a long sentence, or the last one of a document) that draws
  IsNext is split inside the sentence at a random token, instead of always becoming a
  NotNext pair as in BERT (which skews NSP labels towards NotNext).

Every segment records where its tokens come from (``Span``), so tests can check that
IsNext pairs are consecutive text of one document and NotNext segments come from another.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np

from bert_jax.tokenization import truncated_lengths

NUM_SPECIAL_TOKENS = 3  # [CLS] A [SEP] B [SEP]


@dataclasses.dataclass(frozen=True)
class Span:
  """``length`` tokens of document ``doc`` starting ``offset`` tokens into its sentence
  ``sentence`` (the offset can run past that sentence into the next ones)."""
  doc: int
  sentence: int
  offset: int
  length: int


@dataclasses.dataclass(frozen=True)
class PairInstance:
  """One NSP pair before masking."""
  tokens_a: list[int]
  tokens_b: list[int]
  is_random_next: bool
  a: Span
  b: Span


# (rng, target number of tokens) -> (doc index, first sentence, token lists of the
# sentences from there on: at least ``target`` tokens unless the document ends).
RandomSegmentFn = Callable[[np.random.Generator, int], tuple[int, int, list[list[int]]]]


def other_document(rng: np.random.Generator, doc_pool: np.ndarray, exclude: int) -> int:
  """A document of the sorted ``doc_pool`` drawn uniformly, never ``exclude``.

  (BERT retries 10 times and may end with the same document; this never does.)
  """
  pos = int(np.searchsorted(doc_pool, exclude))
  inside = pos < len(doc_pool) and doc_pool[pos] == exclude
  if len(doc_pool) - inside < 1:
    raise ValueError(f'No document other than {exclude} to draw a random segment from.')
  k = int(rng.integers(len(doc_pool) - inside))
  return int(doc_pool[k + (inside and k >= pos)])


def random_segment(rng: np.random.Generator, target: int, *, doc_pool: np.ndarray,
                   exclude: int, sentences_of: Callable[[int], list[str]],
                   encode: Callable[[Sequence[str]], list[list[int]]]
                   ) -> tuple[int, int, list[list[int]]]:
  """A random other document of the pool and a random start sentence in it (BERT).

  Only the sentences that are needed are tokenized (documents can be long).
  """
  doc = other_document(rng, doc_pool, exclude)
  sentences = sentences_of(doc)
  if not sentences:
    return doc, 0, []
  start = int(rng.integers(len(sentences)))
  pieces, total, end = [], 0, start
  while end < len(sentences) and total < target:
    batch = encode(sentences[end:end + 8])  # A few at a time: rarely more are needed.
    for ids in batch:
      pieces.append(ids)
      total += len(ids)
      end += 1
      if total >= target:
        break
  return doc, start, pieces


def target_length(rng: np.random.Generator, max_num_tokens: int, short_seq_prob: float) -> int:
  """``max_num_tokens``, or with probability ``short_seq_prob`` a random 2..max."""
  if rng.random() < short_seq_prob:
    return int(rng.integers(2, max_num_tokens + 1))
  return max_num_tokens


def truncate_pair(len_a: int, len_b: int, max_num_tokens: int, rng: np.random.Generator
                  ) -> tuple[tuple[int, int], tuple[int, int]]:
  """BERT's ``truncate_seq_pair`` in closed form: ((a_start, a_end), (b_start, b_end)).

  One token at a time is removed from the longer sequence (B on a tie), from its front
  or its back with probability 1/2 each: the kept lengths are longest-first, and the
  number removed from the front is Binomial(removed, 1/2).
  """
  keep_a, keep_b = truncated_lengths(len_a, len_b, max_num_tokens)
  front_a = int(rng.binomial(len_a - keep_a, 0.5)) if keep_a < len_a else 0
  front_b = int(rng.binomial(len_b - keep_b, 0.5)) if keep_b < len_b else 0
  return (front_a, front_a + keep_a), (front_b, front_b + keep_b)


def create_instances(doc: int, sentences: list[list[int]], rng: np.random.Generator, *,
                     max_seq_length: int, short_seq_prob: float,
                     random_segment_fn: RandomSegmentFn) -> list[PairInstance]:
  """All NSP pairs of one tokenized document (``sentences``: token ids per sentence)."""
  max_num_tokens = max_seq_length - NUM_SPECIAL_TOKENS
  if max_num_tokens < 2:
    raise ValueError(f'max_seq_length={max_seq_length} leaves no room for two segments.')
  instances = []
  target = target_length(rng, max_num_tokens, short_seq_prob)
  chunk: list[int] = []  # Sentence indices.
  length = 0
  i = 0
  while i < len(sentences):
    if sentences[i]:
      chunk.append(i)
      length += len(sentences[i])
    if chunk and (i == len(sentences) - 1 or length >= target):
      instance, unused = _pair_from_chunk(doc, sentences, chunk, target, rng, random_segment_fn)
      if instance is not None:
        a, b = truncate_pair(len(instance.tokens_a), len(instance.tokens_b),
                             max_num_tokens, rng)
        instances.append(_truncated(instance, a, b))
      i -= unused
      chunk, length = [], 0
      target = target_length(rng, max_num_tokens, short_seq_prob)
    i += 1
  return instances


def _pair_from_chunk(doc, sentences, chunk, target, rng, random_segment_fn):
  """(untruncated pair, number of sentences to put back) for one chunk."""
  if len(chunk) >= 2:
    a_end = int(rng.integers(1, len(chunk)))
    a_pieces = [sentences[j] for j in chunk[:a_end]]
    split_token = None
  else:
    a_end, a_pieces = 1, [sentences[chunk[0]]]
    n = len(a_pieces[0])
    split_token = int(rng.integers(1, n)) if n >= 2 else None
  tokens_a = [t for p in a_pieces for t in p]
  is_random_next = rng.random() < 0.5 or (len(chunk) == 1 and split_token is None)
  a_span = Span(doc, chunk[0], 0, len(tokens_a))
  if is_random_next:
    b_target = max(1, target - len(tokens_a))
    b_doc, b_start, b_pieces = random_segment_fn(rng, b_target)
    tokens_b = [t for p in b_pieces for t in p]
    if not tokens_b:
      return None, 0
    return (PairInstance(tokens_a, tokens_b, True, a_span, Span(b_doc, b_start, 0, len(tokens_b))),
            len(chunk) - a_end)
  if len(chunk) == 1:  # IsNext inside one sentence.
    whole = tokens_a
    tokens_a, tokens_b = whole[:split_token], whole[split_token:]
    return (PairInstance(tokens_a, tokens_b, False, Span(doc, chunk[0], 0, split_token),
                         Span(doc, chunk[0], split_token, len(tokens_b))), 0)
  tokens_b = [t for j in chunk[a_end:] for t in sentences[j]]
  b_span = Span(doc, chunk[a_end], 0, len(tokens_b))
  return PairInstance(tokens_a, tokens_b, False, a_span, b_span), 0


def _truncated(instance: PairInstance, a: tuple[int, int], b: tuple[int, int]) -> PairInstance:
  def cut(tokens, span, keep):
    start, end = keep
    return tokens[start:end], dataclasses.replace(span, offset=span.offset + start,
                                                  length=end - start)
  tokens_a, span_a = cut(instance.tokens_a, instance.a, a)
  tokens_b, span_b = cut(instance.tokens_b, instance.b, b)
  return PairInstance(tokens_a, tokens_b, instance.is_random_next, span_a, span_b)
