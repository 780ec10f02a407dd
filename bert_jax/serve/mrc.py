"""Answer extraction for a span model (the seed's BERT-MRC and MRC 2.0), one question.

The work is the fine-tuning code's (``bert_jax.tasks.squad``), called, not copied:

- ``squad.make_features``: ``[CLS] question [SEP] passage window [SEP]`` windows
  ``doc_stride`` tokens apart, each context token with its character offsets;
- ``squad.postprocess``: n-best spans over all windows (inside the passage, maximal
  context, ``end >= start``, at most ``max_answer_length`` tokens, score = start + end
  logit) and, for v2.0, the null score (smallest ``[CLS]`` start + end logit) against the
  best span: no answer when ``null_score - score > null_threshold``.

What this module adds is the way back to the passage: ``postprocess`` names the answer
by its text, ``locate_answer`` finds the span (window, start token, end token) with
exactly that text and those logits, so the page highlights the right occurrence of a
word that appears more than once. The result::

  {answer, start, end, score, null_score, probability, has_answer}

``passage[start:end] == answer``; with no answer, ``answer == ''`` and ``start``/``end``
are None (``score`` is still the best span's). ``null_score`` is None for v1.1 models.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from bert_jax.errors import InputError
from bert_jax.tasks import squad
from bert_jax.tasks.readers import SquadExample

Predict = Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]]
QUESTION_ID = 'q'


def make_example(passage: str, question: str) -> SquadExample:
  """The one unlabelled SQuAD example of a request (empty input is an ``InputError``)."""
  if not passage.strip():
    raise InputError('the passage is empty.')
  if not question.strip():
    raise InputError('the question is empty.')
  return SquadExample(QUESTION_ID, question, passage, (), False)


def locate_answer(passage: str, windows: Sequence[squad.Window],
                  outputs: Mapping[str, np.ndarray], entry: Mapping[str, Any]
                  ) -> tuple[int, int] | None:
  """Character span of the n-best ``entry`` (``{text, start_logit, end_logit}``).

  The span whose text is ``entry['text']`` and whose start / end logits are exactly the
  entry's (as ``postprocess`` read them); among several (equal logits), the first.
  None when no context span matches (e.g. the reference's 'empty' placeholder).
  """
  text = entry['text']
  if not text:
    return None
  for f, w in enumerate(windows):
    n = len(w.token_offsets)
    inside = lambda i, w=w, n=n: 0 <= i - w.first_token < n
    starts = [int(i) for i in np.flatnonzero(np.asarray(outputs['start_logits'][f])
                                             == entry['start_logit']) if inside(i)]
    ends = [int(i) for i in np.flatnonzero(np.asarray(outputs['end_logits'][f])
                                           == entry['end_logit']) if inside(i)]
    for s in starts:
      for e in ends:
        if e < s:
          continue
        a, b = w.token_offsets[s - w.first_token][0], w.token_offsets[e - w.first_token][1]
        if passage[a:b] == text:
          return a, b
  return None


def decode(cfg: Any, passage: str, question: str, windows: Sequence[squad.Window],
           outputs: Mapping[str, np.ndarray], *, null_threshold: float | None = None
           ) -> dict[str, Any]:
  """The answer of one question from the start / end logits of its windows.

  Args:
    cfg: a fine-tuning config (``cfg.squad``: version_2_with_negative, n_best_size,
      max_answer_length, null_score_diff_threshold), e.g. the reader's run config.
    passage, question: the request.
    windows: ``squad.make_features``'s bookkeeping, one per row of ``outputs``.
    outputs: ``start_logits`` / ``end_logits`` ``[W, L]`` (padding at -1e9).
    null_threshold: overrides ``cfg.squad.null_score_diff_threshold`` (v2.0 only).
  """
  example = make_example(passage, question)
  _, nbest, null_odds = squad.postprocess(cfg, [example], windows, outputs,
                                          null_threshold=null_threshold)
  entries = nbest[QUESTION_ID]
  best = next((x for x in entries if x['text']), None)
  span = None if best is None else locate_answer(passage, windows, outputs, best)
  score = None if span is None else best['start_logit'] + best['end_logit']
  null_score = None
  has_answer = span is not None
  if cfg.squad.version_2_with_negative:
    thresh = cfg.squad.null_score_diff_threshold if null_threshold is None else null_threshold
    odds = null_odds[QUESTION_ID]
    null_score = odds + best['start_logit'] + best['end_logit']
    has_answer = has_answer and odds <= thresh
  return {
      'answer': passage[span[0]:span[1]] if has_answer else '',
      'start': span[0] if has_answer else None,
      'end': span[1] if has_answer else None,
      'score': score,
      'null_score': null_score,
      'probability': best['probability'] if has_answer else None,
      'has_answer': has_answer,
  }


def answer(passage: str, question: str, tokenizer: Any, cfg: Any, predict: Predict, *,
           null_threshold: float | None = None) -> dict[str, Any]:
  """Features -> ``predict`` (``arrays -> {start_logits, end_logits}``) -> ``decode``."""
  example = make_example(passage, question)
  arrays, windows = squad.make_features([example], tokenizer, cfg, labelled=False)
  outputs = predict(arrays)
  return decode(cfg, passage, question, windows, outputs, null_threshold=null_threshold)
