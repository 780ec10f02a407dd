"""Word- and sentence-level importance for a document classifier (the seed's BERT-XDC).

Pure functions; the model is behind one callable ``predict(arrays) -> outputs``.

1. ``make_windows``: the text is tokenized once; its word pieces are cut into windows of
   ``max_seq_length - 2`` pieces, ``stride`` pieces apart (as SQuAD's doc stride), each
   ``[CLS] pieces [SEP]``, padded to one fixed length (one compile).
2. The model gives, per window, class probabilities and an importance per token:
   the attention flowing from ``[CLS]`` (``cls_token_scores``):
     - ``'cls_last'``: the last layer's attention of ``[CLS]``, averaged over heads;
     - ``'rollout'``: attention rollout (Abnar & Zuidema, 2020) over all layers:
       per layer ``A' = norm_rows(0.5 * mean_heads(A) + 0.5 * I)``, ``R = A'_L ... A'_1``,
       and the ``[CLS]`` row of ``R``.
3. ``average_window_scores``: a piece seen by several windows gets the mean of its scores.
4. ``word_scores``: pieces are merged into the whitespace-separated words of the text via
   their character offsets (a word's score = the sum of its pieces'; Korean eojeol
   included), normalised to sum 1.
5. ``split_sentences`` / ``sentence_scores``: sentences end at ``.?!`` (plus closing
   quotes/brackets) before a space, at Korean ``다.`` even without a space, and at
   newlines; a sentence's score is the sum of its words' scores, normalised to sum 1.

``explain(...)`` runs the whole chain and returns the JSON-able::

  {label, probs: {label: p}, method, num_windows,
   words: [{text, start, end, score}], sentences: [{text, start, end, score}]}

``start``/``end`` are character offsets into the text (``text[start:end]``).
"""
from __future__ import annotations

import bisect
import dataclasses
from typing import Any, Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from bert_jax.data.text import sentence_spans as split_sentences
from bert_jax.data.text import word_spans as split_words
from bert_jax.errors import InputError
from bert_jax.tasks.squad import window_spans

METHODS = ('cls_last', 'rollout')
Span = tuple[int, int]
Predict = Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]]


# ----------------------------------------------------------------------------
# Attention -> per-token importance.
# ----------------------------------------------------------------------------
def attention_rollout(attentions: jax.Array, *, residual: bool = True) -> jax.Array:
  """Attention rollout: ``[layers, B, N, L, L] -> [B, L, L]`` (rows sum to 1).

  ``R[b, i, j]``: how much of token i's last-layer representation flows from input
  token j, following the attention of every layer (heads averaged). ``residual`` adds
  the skip connection as ``0.5 * A + 0.5 * I`` (row-renormalised), as the paper.
  """
  a = jnp.asarray(attentions, jnp.float32).mean(axis=2)  # [layers, B, L, L]
  eye = jnp.eye(a.shape[-1], dtype=a.dtype)
  if residual:
    a = 0.5 * a + 0.5 * eye
    a = a / a.sum(axis=-1, keepdims=True)

  def step(r, layer_a):  # R_l = A_l @ R_{l-1}
    return jnp.einsum('bij,bjk->bik', layer_a, r), None

  r0 = jnp.broadcast_to(eye, a.shape[1:])
  r, _ = jax.lax.scan(step, r0, a)
  return r


def cls_token_scores(attentions: jax.Array, method: str = 'cls_last') -> jax.Array:
  """Importance of every token for the ``[CLS]`` decision: ``[layers, B, N, L, L] -> [B, L]``."""
  if method == 'cls_last':
    return jnp.asarray(attentions[-1], jnp.float32).mean(axis=1)[:, 0, :]
  if method == 'rollout':
    return attention_rollout(attentions)[:, 0, :]
  raise InputError(f'method={method!r}; expected one of {METHODS}.')


# ----------------------------------------------------------------------------
# Long documents: windows over the word pieces.
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class Windows:
  """The model inputs for one text and how they map back to it."""
  arrays: dict[str, np.ndarray]   # input_ids, token_type_ids, attention_mask: int32 [W, L]
  spans: list[tuple[int, int]]    # per window: (first piece, number of pieces)
  offsets: list[Span]             # per piece of the whole text: character (start, end)


def make_windows(tokenizer: Any, text: str, max_seq_length: int,
                 stride: int | None = None) -> Windows:
  """``[CLS] pieces [SEP]`` windows of ``text`` padded to ``max_seq_length``.

  ``stride`` (pieces between window starts) defaults to half a window.
  """
  size = max_seq_length - 2
  if size < 1:
    raise InputError(f'max_seq_length={max_seq_length} leaves no room for text.')
  enc = tokenizer.encode(text)
  ids, offsets = enc.input_ids[1:-1], [tuple(o) for o in enc.offsets[1:-1]]
  if not ids:
    raise InputError('the text has no tokens to classify.')
  spans = window_spans(len(ids), size, stride or max(1, size // 2))
  arrays = {k: np.zeros((len(spans), max_seq_length), np.int32)
            for k in ('input_ids', 'token_type_ids', 'attention_mask')}
  for w, (first, length) in enumerate(spans):
    row = [tokenizer.cls_id, *ids[first:first + length], tokenizer.sep_id]
    arrays['input_ids'][w, :len(row)] = row
    arrays['attention_mask'][w, :len(row)] = 1
  return Windows(arrays, spans, offsets)


def average_window_scores(spans: Sequence[tuple[int, int]], window_scores: np.ndarray,
                          num_pieces: int) -> np.ndarray:
  """Per-piece scores ``[num_pieces]`` from per-window token scores ``[W, L]``.

  Window token ``1 + j`` (after ``[CLS]``) is piece ``first + j``; a piece in several
  windows gets the mean of its scores there.
  """
  total = np.zeros(num_pieces, np.float64)
  count = np.zeros(num_pieces, np.float64)
  for w, (first, length) in enumerate(spans):
    total[first:first + length] += np.asarray(window_scores[w][1:1 + length], np.float64)
    count[first:first + length] += 1
  return total / np.maximum(count, 1)


# ----------------------------------------------------------------------------
# Words and sentences.
# ----------------------------------------------------------------------------
def _normalised(scores: Sequence[float]) -> list[float]:
  total = float(sum(scores))
  if total <= 0:
    return [1.0 / len(scores)] * len(scores) if scores else []
  return [float(s) / total for s in scores]


def word_scores(text: str, offsets: Sequence[Span], piece_scores: Sequence[float]
                ) -> list[dict[str, Any]]:
  """``[{text, start, end, score}]`` per word of ``text``: the sum of the scores of the
  pieces that start inside it (a zero-width piece at a word's first character, such as
  SentencePiece's lone '▁', counts for that word), normalised to sum 1."""
  words = split_words(text)
  starts = [s for s, _ in words]
  sums = [0.0] * len(words)
  for (s, e), score in zip(offsets, piece_scores):
    i = bisect.bisect_right(starts, s) - 1
    if i >= 0 and (s < words[i][1] or (s == e == words[i][0])):
      sums[i] += float(score)
  return [{'text': text[s:e], 'start': s, 'end': e, 'score': p}
          for (s, e), p in zip(words, _normalised(sums))]


def sentence_scores(text: str, words: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
  """``[{text, start, end, score}]`` per sentence: the sum of its words' scores (a word
  belongs to the sentence its first character is in), normalised to sum 1."""
  sentences = split_sentences(text)
  starts = [s for s, _ in sentences]
  sums = [0.0] * len(sentences)
  for w in words:
    i = bisect.bisect_right(starts, w['start']) - 1
    if i >= 0:
      sums[i] += w['score']
  return [{'text': text[s:e], 'start': s, 'end': e, 'score': p}
          for (s, e), p in zip(sentences, _normalised(sums))]


# ----------------------------------------------------------------------------
# The whole chain.
# ----------------------------------------------------------------------------
def explain(text: str, tokenizer: Any, predict: Predict, labels: Sequence[str], *,
            max_seq_length: int, stride: int | None = None, method: str = 'cls_last'
            ) -> dict[str, Any]:
  """Classifies ``text`` and says which words and sentences drove the decision.

  Args:
    text: the document (any length: it is cut into windows).
    tokenizer: a ``bert_jax.tokenization`` tokenizer (offsets into ``text``).
    predict: ``arrays [W, L] -> {'probs': [W, C], <method>: [W, L]}`` (token scores of
      each window per ``cls_token_scores``).
    labels: the class names, in the model's output order.
    max_seq_length: the window length in tokens (``[CLS]`` and ``[SEP]`` included).
    stride: pieces between window starts (default: half a window).
    method: 'cls_last' or 'rollout'.

  Returns:
    ``{label, probs, method, num_windows, words, sentences}`` (see module doc); the
    document's probabilities are the mean over its windows.
  """
  if method not in METHODS:
    raise InputError(f'method={method!r}; expected one of {METHODS}.')
  if not text.strip():
    raise InputError('the text is empty.')
  windows = make_windows(tokenizer, text, max_seq_length, stride)
  out = predict(windows.arrays)
  probs = np.asarray(out['probs'], np.float64).mean(axis=0)
  if len(probs) != len(labels):
    raise InputError(f'the classifier has {len(probs)} outputs but {len(labels)} labels.')
  pieces = average_window_scores(windows.spans, np.asarray(out[method]), len(windows.offsets))
  words = word_scores(text, windows.offsets, pieces)
  return {
      'label': labels[int(np.argmax(probs))],
      'probs': {label: float(p) for label, p in zip(labels, probs)},
      'method': method,
      'num_windows': len(windows.spans),
      'words': words,
      'sentences': sentence_scores(text, words),
  }


# ----------------------------------------------------------------------------
# A model with its own attention (BERT-XDC, HAN: bert_jax.models.xdc).
# ----------------------------------------------------------------------------
def head_attention_explanation(text: str, doc: Any, outputs: Mapping[str, np.ndarray],
                               labels: Sequence[str]) -> dict[str, Any]:
  """The explanation of a hierarchical attention model, read off its own weights.

  Args:
    text: the document.
    doc: its ``bert_jax.tasks.xdc.DocumentWindows``.
    outputs: the model's outputs for that one document: ``probs [C]``,
      ``word_attention [W, L]`` (sums to 1 within each sentence), ``sentence_attention
      [S]`` (sums to 1 over the document).
    labels: the class names.

  Returns:
    ``{label, probs, method: 'attention', num_windows, truncated, words, sentences}`` as
    ``explain`` (same keys), except that a word's ``score`` is its attention within its
    sentence (the sum of its pieces'; the words of each sentence sum to 1), with
    ``sentence`` (index into ``sentences``) and ``document_score`` (word x sentence
    attention; sums to 1 over the document) beside it; a sentence's ``score`` is its
    sentence attention. Text beyond the model's windows / sentences scores 0.
  """
  probs = np.asarray(outputs['probs'], np.float64)
  if len(probs) != len(labels):
    raise InputError(f'the classifier has {len(probs)} outputs but {len(labels)} labels.')
  alpha = np.asarray(outputs['word_attention'], np.float64)
  beta = np.asarray(outputs['sentence_attention'], np.float64)
  piece_scores = np.zeros(len(doc.offsets), np.float64)
  real = doc.pieces >= 0
  np.add.at(piece_scores, doc.pieces[real], alpha[real])
  sentence_spans = split_sentences(text)
  sentence_starts = [s for s, _ in sentence_spans]
  words = []
  word_spans = split_words(text)
  word_starts = [s for s, _ in word_spans]
  sums = [0.0] * len(word_spans)
  for (s, e), score in zip(doc.offsets, piece_scores):
    i = bisect.bisect_right(word_starts, s) - 1
    if i >= 0 and (s < word_spans[i][1] or s == e == word_spans[i][0]):
      sums[i] += float(score)
  for (s, e), score in zip(word_spans, sums):
    j = max(0, bisect.bisect_right(sentence_starts, s) - 1)
    weight = float(beta[j]) if j < len(beta) else 0.0
    words.append({'text': text[s:e], 'start': s, 'end': e, 'score': score, 'sentence': j,
                  'document_score': score * weight})
  sentences = [{'text': text[s:e], 'start': s, 'end': e,
                'score': float(beta[j]) if j < len(beta) else 0.0}
               for j, (s, e) in enumerate(sentence_spans)]
  return {
      'label': labels[int(np.argmax(probs))],
      'probs': {label: float(p) for label, p in zip(labels, probs)},
      'method': 'attention',
      'num_windows': int((doc.arrays['attention_mask'][:, 0] > 0).sum()),
      'truncated': bool(doc.truncated),
      'words': words,
      'sentences': sentences,
  }
