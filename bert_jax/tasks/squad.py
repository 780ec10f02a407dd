"""Span extraction (SQuAD v1.1 / v2.0, the seed's BERT-MRC and MRC 2.0).

Features (google-research/bert ``run_squad.py``, with character offsets instead of
whitespace-token bookkeeping): ``[CLS] question [SEP] context window [SEP]``; a context
longer than the window is cut into windows ``doc_stride`` tokens apart; the question is
cut to ``max_query_length`` tokens. Every context token keeps its ``(start, end)``
character offsets, so a predicted token span maps back to the exact context substring
(Korean included, no de-tokenisation heuristics).

Training targets: the first / last token overlapping the gold answer's characters; a
window that does not contain the whole answer, and an unanswerable question, point at
``[CLS]`` (position 0), as the reference.

Prediction (the reference's ``write_predictions``): per question, over all its windows,
the ``n_best_size`` best start and end logits give candidate spans (inside the context,
start at a token whose window gives it maximal context, ``end >= start``, at most
``max_answer_length`` tokens); score = start + end logit. v2.0: the null score is the
smallest ``[CLS]`` start + end logit over the windows; ``null_odds`` = null score - best
span score, and the prediction is the empty string (no answer) where ``null_odds >
null_score_diff_threshold``. The evaluation also searches the threshold that maximises
F1 / EM on the dev set (``best_f1``, ``best_f1_thresh``; bert_jax.metrics.squad).

Outputs: ``predictions.json``, ``nbest_predictions.json`` and (v2.0) ``null_odds.json``.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import math
import pathlib
import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.metrics import squad as squad_metrics
from bert_jax.models.heads import BertForTask
from bert_jax.tasks import sources
from bert_jax.tasks.readers import Answer, SquadExample, read_squad_json

HEAD = 'span'


# ----------------------------------------------------------------------------
# Examples.
# ----------------------------------------------------------------------------
def _tfds_example(r: dict[str, Any], labelled: bool) -> SquadExample:
  ans = r.get('answers') or {}
  texts, starts = ans.get('text', []), ans.get('answer_start', [])
  answers = tuple(Answer(t, int(s)) for t, s in zip(texts, starts))
  context, qid = r['context'], str(r['id'])
  for a in answers:
    if labelled and context[a.start:a.start + len(a.text)] != a.text:
      raise InputError(f'TFDS question {qid!r}: answer {a.text!r} does not match the context '
                       f'at answer_start={a.start}.')
  impossible = bool(r.get('is_impossible', not answers)) if labelled else False
  return SquadExample(qid, r['question'], context, answers if labelled else (), impossible,
                      r.get('title', ''))


def load_examples(cfg: Any, split: str) -> tuple[list[SquadExample], str]:
  """Examples of ``split`` ('train', 'dev', 'predict') and where they came from."""
  data = cfg.data
  kind, spec = sources.split_spec(data, split)
  labelled = split != 'predict'
  if kind == 'file':
    path = sources.resolve_path(spec, f'--config.data.{split}_file')
    examples, where = read_squad_json(path, labelled=labelled), str(path)
  else:
    records, _ = sources.tfds_records(data.tfds_name, spec, data.tfds_data_dir)
    examples = [_tfds_example(r, labelled) for r in records]
    where = f'TFDS {data.tfds_name}:{spec}'
  if labelled and not cfg.squad.version_2_with_negative:
    bad = [e.qas_id for e in examples if e.is_impossible]
    if bad:
      raise InputError(f'{where}: question {bad[0]!r} (and {len(bad) - 1} more) has no answer, '
                       'but squad.version_2_with_negative=False (SQuAD v1.1); use the v2.0 '
                       'experiment for data with unanswerable questions.')
  return sources.require_examples(examples, where), where


def label_list(cfg: Any, train_examples: Sequence[SquadExample]) -> list[str]:
  del cfg, train_examples
  return []


def num_outputs(cfg: Any, labels: Sequence[str]) -> int:
  del cfg, labels
  return 2


def main_metric(cfg: Any) -> str:
  """The dev metric that picks the best checkpoint: F1, for v2.0 at the best null threshold."""
  return 'best_f1' if cfg.squad.version_2_with_negative else 'f1'


def frozen_params(cfg: Any) -> str:
  """Parameter path prefixes the optimizer leaves unchanged ('' none)."""
  del cfg
  return ''


def predict_config(cfg: Any, dev_metrics: dict[str, float]) -> Any:
  """``cfg`` with ``squad.null_score_diff_threshold`` = the dev run's ``best_f1_thresh``
  (with ``squad.use_dev_threshold``, when the dev metrics have one)."""
  thresh = dev_metrics.get('best_f1_thresh')
  if not cfg.squad.use_dev_threshold or thresh is None:
    return cfg
  cfg = cfg.copy_and_resolve_references()
  cfg.squad.null_score_diff_threshold = float(thresh)
  return cfg


# ----------------------------------------------------------------------------
# Features.
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class Window:
  """Bookkeeping of one feature (a context window of one question)."""
  example_index: int
  first_token: int      # index in the feature of the first context token
  token_offsets: list[tuple[int, int]]  # char offsets in the context, per context token
  max_context: list[bool]               # per context token


def _pieces(tokenizer, text: str) -> tuple[list[int], list[tuple[int, int]]]:
  """Word-piece ids and character offsets of ``text`` (no special tokens)."""
  enc = tokenizer.encode(text)
  return enc.input_ids[1:-1], enc.offsets[1:-1]


def answer_token_span(offsets: Sequence[tuple[int, int]], start_char: int, end_char: int
                      ) -> tuple[int, int] | None:
  """First and last token overlapping ``[start_char, end_char)`` (None if none does)."""
  first = last = None
  for i, (s, e) in enumerate(offsets):
    if e > start_char and s < end_char and e > s:
      if first is None:
        first = i
      last = i
  return None if first is None else (first, last)


def window_spans(n: int, size: int, stride: int) -> list[tuple[int, int]]:
  """(first, length) of windows of at most ``size`` over ``n`` items, ``stride`` apart;
  the last window ends at ``n`` (the reference's doc spans). Also the serving windows."""
  if size < 1 or stride < 1:
    raise ValueError(f'window size={size} and stride={stride} must be >= 1.')
  spans, start = [], 0
  while start < n:
    length = min(n - start, size)
    spans.append((start, length))
    if start + length == n:
      break
    start += min(length, stride)
  return spans


def _windows(n: int, max_len: int, stride: int) -> list[tuple[int, int]]:
  """(start, length) of the context windows; an empty context still gets one window."""
  return window_spans(n, max_len, stride) or [(0, 0)]


def _max_context(spans: list[tuple[int, int]], span_index: int, position: int) -> bool:
  """The reference's ``_check_is_max_context``."""
  best_score, best = None, None
  for i, (start, length) in enumerate(spans):
    end = start + length - 1
    if position < start or position > end:
      continue
    score = min(position - start, end - position) + 0.01 * length
    if best_score is None or score > best_score:
      best_score, best = score, i
  return best == span_index


def make_features(examples: Sequence[SquadExample], tokenizer, cfg: Any,
                  labels: Sequence[str] = (), *, labelled: bool = True
                  ) -> tuple[dict[str, np.ndarray], list[Window]]:
  """Arrays ``input_ids, token_type_ids, attention_mask`` [F, L] and (labelled)
  ``start_position, end_position`` [F], plus one ``Window`` per feature."""
  del labels
  sq, length = cfg.squad, cfg.data.max_seq_length
  rows: dict[str, list] = collections.defaultdict(list)
  windows: list[Window] = []
  cut_questions = 0
  for ex_index, ex in enumerate(examples):
    q_ids, _ = _pieces(tokenizer, ex.question)
    if len(q_ids) > sq.max_query_length:
      q_ids, cut_questions = q_ids[:sq.max_query_length], cut_questions + 1
    c_ids, c_offsets = _pieces(tokenizer, ex.context)
    max_ctx = length - len(q_ids) - 3
    if max_ctx < 1:
      raise InputError(f'data.max_seq_length={length} leaves no room for the context after a '
                       f'{len(q_ids)}-token question (max_query_length={sq.max_query_length}).')
    span = None
    if labelled and not ex.is_impossible:
      a = ex.answers[0]
      span = answer_token_span(c_offsets, a.start, a.start + len(a.text))
      if span is None:
        raise InputError(f'question {ex.qas_id!r}: answer {a.text!r} at character {a.start} '
                         'covers no token of the context.')
    spans = _windows(len(c_ids), max_ctx, sq.doc_stride)
    for w_index, (w_start, w_len) in enumerate(spans):
      ids = [tokenizer.cls_id, *q_ids, tokenizer.sep_id, *c_ids[w_start:w_start + w_len],
             tokenizer.sep_id]
      types = [0] * (len(q_ids) + 2) + [1] * (w_len + 1)
      first = len(q_ids) + 2
      pad = length - len(ids)
      rows['input_ids'].append(ids + [0] * pad)
      rows['token_type_ids'].append(types + [0] * pad)
      rows['attention_mask'].append([1] * len(ids) + [0] * pad)
      if labelled:
        start = end = 0
        if span is not None and w_start <= span[0] and span[1] < w_start + w_len:
          start, end = first + span[0] - w_start, first + span[1] - w_start
        rows['start_position'].append(start)
        rows['end_position'].append(end)
      windows.append(Window(
          ex_index, first, c_offsets[w_start:w_start + w_len],
          [_max_context(spans, w_index, w_start + j) for j in range(w_len)]))
  if cut_questions:
    warnings.warn(f'{cut_questions} questions were longer than max_query_length='
                  f'{sq.max_query_length} tokens and were cut.', stacklevel=2)
  arrays = {k: np.asarray(v, np.int32) for k, v in rows.items()}
  return arrays, windows


def feature_answer_text(example: SquadExample, window: Window, start: int, end: int) -> str:
  """The context substring of feature token positions ``start..end`` ('' for [CLS])."""
  if start == 0 and end == 0:
    return ''
  s = window.token_offsets[start - window.first_token][0]
  e = window.token_offsets[end - window.first_token][1]
  return example.context[s:e]


# ----------------------------------------------------------------------------
# Model, loss, prediction.
# ----------------------------------------------------------------------------
def make_model(model_cfg, cfg: Any, n_outputs: int, rngs) -> BertForTask:
  del n_outputs
  return BertForTask(model_cfg, head=HEAD, head_init=cfg.head_init, rngs=rngs)


def forward(model, batch, rng=None):
  """(start_logits [B, L], end_logits [B, L]) over every position, padding included.

  The loss is a softmax over all L positions, as google-research/bert's ``run_squad.py``
  (``compute_loss``) and transformers' ``BertForQuestionAnswering`` compute it: the pad
  positions' logits are trained down with the rest. Only prediction masks them
  (``predict_fn``): a pad is never an answer.
  """
  return model(batch['input_ids'], batch['token_type_ids'],
               make_attention_mask(batch['attention_mask']), rng=rng)


def make_loss_fn(cfg: Any):
  """Mean of the start and end cross entropies, as the reference."""
  del cfg

  def loss_fn(model, batch, rng):
    start, end = forward(model, batch, rng)
    w = batch.get('weight')
    w = jnp.ones(start.shape[0], jnp.float32) if w is None else w.astype(jnp.float32)
    denom = jnp.maximum(w.sum(), 1.0)
    ce = lambda logits, y: optax.softmax_cross_entropy_with_integer_labels(logits, y)
    per = 0.5 * (ce(start, batch['start_position']) + ce(end, batch['end_position']))
    exact = ((jnp.argmax(start, -1) == batch['start_position'])
             & (jnp.argmax(end, -1) == batch['end_position'])).astype(jnp.float32)
    return (per * w).sum() / denom, {'span_accuracy': (exact * w).sum() / denom}

  return loss_fn


def predict_fn(model, batch):
  """Logits with padding positions at -1e9 (never a span start or end)."""
  start, end = forward(model, batch, None)
  pad = batch['attention_mask'] == 0
  return {'start_logits': jnp.where(pad, -1e9, start), 'end_logits': jnp.where(pad, -1e9, end)}


# ----------------------------------------------------------------------------
# Post-processing, metrics, files.
# ----------------------------------------------------------------------------
def _top(logits: np.ndarray, n: int) -> list[int]:
  return [int(i) for i in np.argsort(-logits, kind='stable')[:n]]


def _softmax(scores: Sequence[float]) -> list[float]:
  if not scores:
    return []
  m = max(scores)
  exps = [math.exp(s - m) for s in scores]
  total = sum(exps)
  return [e / total for e in exps]


def postprocess(cfg: Any, examples: Sequence[SquadExample], meta: Sequence[Window],
                outputs: dict[str, np.ndarray], labels: Sequence[str] = (), *,
                null_threshold: float | None = None
                ) -> tuple[dict[str, str], dict[str, list[dict]], dict[str, float]]:
  """(predictions, nbest, null_odds) as the reference's ``write_predictions``.

  ``null_threshold`` defaults to ``squad.null_score_diff_threshold``; ``null_odds`` is
  empty for v1.1.
  """
  windows = meta  # make_features' windows, one per feature
  sq = cfg.squad
  v2 = bool(sq.version_2_with_negative)
  thresh = sq.null_score_diff_threshold if null_threshold is None else null_threshold
  by_example: dict[int, list[int]] = collections.defaultdict(list)
  for f, w in enumerate(windows):
    by_example[w.example_index].append(f)
  preds, nbest_out, null_odds = {}, {}, {}
  for ex_index, ex in enumerate(examples):
    cands = []  # (score, start_logit, end_logit, feature, start, end)
    null_score, null_start, null_end = math.inf, 0.0, 0.0
    for f in by_example.get(ex_index, []):
      w = windows[f]
      start_l, end_l = outputs['start_logits'][f], outputs['end_logits'][f]
      if v2 and start_l[0] + end_l[0] < null_score:
        null_score, null_start, null_end = float(start_l[0] + end_l[0]), float(start_l[0]), \
            float(end_l[0])
      n_ctx = len(w.token_offsets)
      for s in _top(start_l, sq.n_best_size):
        for e in _top(end_l, sq.n_best_size):
          si, ei = s - w.first_token, e - w.first_token
          if not (0 <= si < n_ctx and 0 <= ei < n_ctx) or e < s:
            continue
          if not w.max_context[si] or e - s + 1 > sq.max_answer_length:
            continue
          cands.append((float(start_l[s] + end_l[e]), float(start_l[s]), float(end_l[e]), f, s,
                        e))
    cands.sort(key=lambda c: -c[0])
    nbest, seen = [], set()
    for score, sl, el, f, s, e in cands:
      if len(nbest) >= sq.n_best_size:
        break
      text = feature_answer_text(ex, windows[f], s, e)
      if text in seen:
        continue
      seen.add(text)
      nbest.append({'text': text, 'start_logit': sl, 'end_logit': el})
    empty = {'text': 'empty', 'start_logit': 0.0, 'end_logit': 0.0}  # the reference's nonce
    if v2 and '' not in seen:
      nbest.append({'text': '', 'start_logit': null_start, 'end_logit': null_end})
      if len(nbest) == 1:
        nbest.insert(0, empty)
    if not nbest:
      nbest.append(empty)
    nbest.sort(key=lambda x: -(x['start_logit'] + x['end_logit']))
    probs = _softmax([x['start_logit'] + x['end_logit'] for x in nbest])
    nbest_out[ex.qas_id] = [{'text': x['text'], 'probability': p, 'start_logit': x['start_logit'],
                             'end_logit': x['end_logit']} for x, p in zip(nbest, probs)]
    best_non_null = next((x for x in nbest if x['text']), None)
    if not v2:
      preds[ex.qas_id] = nbest[0]['text']
      continue
    diff = null_score - best_non_null['start_logit'] - best_non_null['end_logit']
    null_odds[ex.qas_id] = diff
    preds[ex.qas_id] = '' if diff > thresh else best_non_null['text']
  return preds, nbest_out, null_odds


def dataset_json(examples: Sequence[SquadExample]) -> list[dict[str, Any]]:
  """The SQuAD ``data`` list (one article) the official scorer reads."""
  qas = [{'id': e.qas_id, 'question': e.question, 'is_impossible': e.is_impossible,
          'answers': [{'text': a.text, 'answer_start': a.start} for a in e.answers]}
         for e in examples]
  return [{'title': '', 'paragraphs': [{'context': '', 'qas': qas}]}]


def score(cfg: Any, examples: Sequence[SquadExample], arrays: dict[str, np.ndarray],
          result: tuple) -> dict[str, float]:
  """Official EM/F1; v2.0 adds HasAns/NoAns and the best null threshold on this set."""
  del arrays
  preds, _, null_odds = result
  data = dataset_json(examples)
  if cfg.squad.version_2_with_negative:
    metrics = squad_metrics.evaluate_v2(data, preds, null_odds,
                                        na_prob_thresh=cfg.squad.null_score_diff_threshold)
  else:
    metrics = squad_metrics.evaluate_v1(data, preds)
  return {k: float(v) for k, v in metrics.items()}


def write_predictions(cfg: Any, directory: pathlib.Path, examples: Sequence[SquadExample],
                      result: tuple, labels: Sequence[str] = ()) -> list[pathlib.Path]:
  """predictions.json, nbest_predictions.json, null_odds.json (v2.0) as the reference."""
  del examples, labels
  preds, nbest, null_odds = result
  directory.mkdir(parents=True, exist_ok=True)
  files = {'predictions.json': preds, 'nbest_predictions.json': nbest}
  if cfg.squad.version_2_with_negative:
    files['null_odds.json'] = null_odds
  paths = []
  for name, obj in files.items():
    path = directory / name
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    paths.append(path)
  return paths
