"""SQuAD v1.1 and v2.0 evaluation, identical to the official scripts.

The scoring follows the official ``evaluate-v1.1.py`` and ``evaluate-v2.0.py``
(answer normalisation, exact match, token F1, max over gold answers, the v2.0
no-answer threshold and the HasAns/NoAns breakdown) with these documented
differences, all of which only matter where the official script crashes or
reports a threshold that does not reproduce its own best score:

* **All-null predictions / empty inputs** never crash (google-research/bert#476):
  an empty-string prediction is a "no answer" prediction; a data file that no
  prediction matches raises a ``ValueError`` naming the problem instead of a
  ``ZeroDivisionError``.
* **No probability/odds mixing** (transformers#8710): ``na_probs`` values are
  compared to thresholds exactly as given (``na_prob > thresh`` means "predict no
  answer"); they are never converted, and ``best_*_thresh`` is a value of the same
  kind, so ``evaluate_v2(..., na_prob_thresh=best_f1_thresh)['f1'] == best_f1``.
  When ``na_probs`` is not given, every question is answered (``na_prob = 0``,
  as in the official script) and the ``best_*`` keys are not reported.
* **Ties** in ``na_probs``: the official ``find_best_thresh`` may stop inside a
  group of equal values and report a score that no threshold reaches. Here only
  whole tie groups are considered. If predicting "no answer" everywhere is best,
  the threshold is ``0.0`` when every ``na_prob`` is positive (as the official
  script), else ``min(na_probs) - 1`` (e.g. for log-odds that can be negative).
* Questions with no prediction are skipped with a warning (as the official v2.0
  script) and ``find_best_thresh`` counts no-answer questions over the scored
  questions only.

Korean (and other non-English) text: the official normalisation only lowercases,
strips ASCII punctuation (``string.punctuation``), the English articles
``a/an/the`` and extra whitespace; Korean particles (조사) are *not* stripped.
We keep it identical so numbers are comparable with the official script's; e.g.
``'33주'`` vs ``'33주 만에'`` is EM 0, F1 0.67 (whitespace tokens). KorQuAD's own
script scores F1 over characters instead; it is not implemented here.

Command line (prints the same JSON as the official scripts)::

  python -m bert_jax.metrics.squad DATA.json PRED.json \
      [--na-prob-file NA.json] [--na-prob-thresh 1.0] [--out-file F [--overwrite]]
      [--version {auto,1.1,2.0}]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import string
import sys
from typing import Any, Iterable, Mapping, NoReturn, Sequence

from bert_jax import fileio
from bert_jax.errors import EXIT_BAD_INPUT, InputError

_ARTICLES = re.compile(r'\b(a|an|the)\b', re.UNICODE)
_PUNCT = frozenset(string.punctuation)

Dataset = Sequence[Mapping[str, Any]]  # the 'data' list of a SQuAD JSON file


# ----------------------------------------------------------------------------
# Answer normalisation and per-answer scores.
# ----------------------------------------------------------------------------
def normalize_answer(s: str) -> str:
  """Lowercase, remove punctuation, articles (a/an/the) and extra whitespace."""
  s = s.lower()
  s = ''.join(ch for ch in s if ch not in _PUNCT)
  s = _ARTICLES.sub(' ', s)
  return ' '.join(s.split())


def get_tokens(s: str) -> list[str]:
  """Normalised whitespace tokens of ``s`` (``[]`` for an empty answer)."""
  if not s:
    return []
  return normalize_answer(s).split()


def compute_exact(a_gold: str, a_pred: str) -> int:
  """1 if the normalised strings are equal, else 0."""
  return int(normalize_answer(a_gold) == normalize_answer(a_pred))


def compute_f1(a_gold: str, a_pred: str) -> float:
  """Token-overlap F1 (v2.0 rules: two empty answers agree, F1 = 1)."""
  gold_toks = get_tokens(a_gold)
  pred_toks = get_tokens(a_pred)
  if not gold_toks or not pred_toks:
    return float(gold_toks == pred_toks)
  common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
  num_same = sum(common.values())
  if num_same == 0:
    return 0.0
  precision = num_same / len(pred_toks)
  recall = num_same / len(gold_toks)
  return 2 * precision * recall / (precision + recall)


def f1_score_v1(prediction: str, ground_truth: str) -> float:
  """Token F1 as in ``evaluate-v1.1.py`` (empty vs empty scores 0)."""
  pred_toks = normalize_answer(prediction).split()
  gold_toks = normalize_answer(ground_truth).split()
  common = collections.Counter(pred_toks) & collections.Counter(gold_toks)
  num_same = sum(common.values())
  if num_same == 0:
    return 0.0
  precision = num_same / len(pred_toks)
  recall = num_same / len(gold_toks)
  return 2 * precision * recall / (precision + recall)


def _iter_qas(dataset: Dataset) -> Iterable[Mapping[str, Any]]:
  for article in dataset:
    for paragraph in article['paragraphs']:
      yield from paragraph['qas']


def _warn(msg: str) -> None:
  print(msg, file=sys.stderr)


# ----------------------------------------------------------------------------
# SQuAD v1.1.
# ----------------------------------------------------------------------------
def evaluate_v1(dataset: Dataset, predictions: Mapping[str, str]) -> dict[str, float]:
  """``{'exact_match', 'f1'}`` (percentages) as ``evaluate-v1.1.py``.

  A question without a prediction scores 0 and still counts in the total.
  """
  total = 0
  exact = f1 = 0.0
  for qa in _iter_qas(dataset):
    total += 1
    if qa['id'] not in predictions:
      _warn(f"Unanswered question {qa['id']} will receive score 0.")
      continue
    golds = [a['text'] for a in qa['answers']]
    pred = predictions[qa['id']]
    if not golds:
      continue  # v1.1 has no unanswerable questions; nothing can match.
    exact += max(compute_exact(g, pred) for g in golds)
    f1 += max(f1_score_v1(pred, g) for g in golds)
  if total == 0:
    raise ValueError('SQuAD data has no questions.')
  return {'exact_match': 100.0 * exact / total, 'f1': 100.0 * f1 / total}


# ----------------------------------------------------------------------------
# SQuAD v2.0.
# ----------------------------------------------------------------------------
def make_qid_to_has_ans(dataset: Dataset) -> dict[str, bool]:
  """Question id -> whether it has at least one gold answer."""
  return {qa['id']: bool(qa['answers']) for qa in _iter_qas(dataset)}


def get_raw_scores(dataset: Dataset, preds: Mapping[str, str]
                   ) -> tuple[dict[str, int], dict[str, float]]:
  """Per-question exact and F1 before any no-answer threshold."""
  exact_scores: dict[str, int] = {}
  f1_scores: dict[str, float] = {}
  for qa in _iter_qas(dataset):
    qid = qa['id']
    gold_answers = [a['text'] for a in qa['answers'] if normalize_answer(a['text'])]
    if not gold_answers:
      gold_answers = ['']  # unanswerable: the only correct answer is ''
    if qid not in preds:
      _warn(f'Missing prediction for {qid}')
      continue
    a_pred = preds[qid] or ''
    exact_scores[qid] = max(compute_exact(a, a_pred) for a in gold_answers)
    f1_scores[qid] = max(compute_f1(a, a_pred) for a in gold_answers)
  return exact_scores, f1_scores


def apply_no_ans_threshold(scores: Mapping[str, float], na_probs: Mapping[str, float],
                           qid_to_has_ans: Mapping[str, bool],
                           na_prob_thresh: float) -> dict[str, float]:
  """Questions with ``na_prob > thresh`` are predicted unanswerable."""
  new_scores = {}
  for qid, s in scores.items():
    if na_probs[qid] > na_prob_thresh:
      new_scores[qid] = float(not qid_to_has_ans[qid])
    else:
      new_scores[qid] = s
  return new_scores


def make_eval_dict(exact_scores: Mapping[str, float], f1_scores: Mapping[str, float],
                   qid_list: Sequence[str] | None = None) -> dict[str, float]:
  """``{'exact', 'f1', 'total'}`` over ``qid_list`` (default: all scored)."""
  qids = list(exact_scores) if qid_list is None else list(qid_list)
  total = len(qids)
  if total == 0:
    return {'exact': 0.0, 'f1': 0.0, 'total': 0}
  return {
      'exact': 100.0 * sum(exact_scores[k] for k in qids) / total,
      'f1': 100.0 * sum(f1_scores[k] for k in qids) / total,
      'total': total,
  }


def find_best_thresh(preds: Mapping[str, str], scores: Mapping[str, float],
                     na_probs: Mapping[str, float],
                     qid_to_has_ans: Mapping[str, bool]) -> tuple[float, float]:
  """Best score (percent) over no-answer thresholds, and its threshold.

  Starts from "every scored question predicted unanswerable" and answers
  questions in increasing ``na_prob`` order, one whole tie group at a time, so
  that thresholding at the returned value reproduces the returned score.
  """
  qids = [k for k in scores]
  if not qids:
    return 0.0, 0.0
  cur_score = sum(1 for k in qids if not qid_to_has_ans[k])
  best_score = cur_score
  min_prob = min(na_probs[k] for k in qids)
  best_thresh = 0.0 if min_prob > 0.0 else float(min_prob) - 1.0
  ordered = sorted(qids, key=lambda k: na_probs[k])
  for i, qid in enumerate(ordered):
    if qid_to_has_ans[qid]:
      diff = scores[qid]
    else:
      diff = -1 if preds[qid] else 0
    cur_score += diff
    last_of_group = i + 1 == len(ordered) or na_probs[ordered[i + 1]] != na_probs[qid]
    if last_of_group and cur_score > best_score:
      best_score = cur_score
      best_thresh = na_probs[qid]
  return 100.0 * best_score / len(qids), best_thresh


def find_all_best_thresh(main_eval: dict[str, Any], preds: Mapping[str, str],
                         exact_raw: Mapping[str, float], f1_raw: Mapping[str, float],
                         na_probs: Mapping[str, float],
                         qid_to_has_ans: Mapping[str, bool]) -> None:
  """Adds best_exact, best_exact_thresh, best_f1, best_f1_thresh to ``main_eval``."""
  best_exact, exact_thresh = find_best_thresh(preds, exact_raw, na_probs, qid_to_has_ans)
  best_f1, f1_thresh = find_best_thresh(preds, f1_raw, na_probs, qid_to_has_ans)
  main_eval['best_exact'] = best_exact
  main_eval['best_exact_thresh'] = exact_thresh
  main_eval['best_f1'] = best_f1
  main_eval['best_f1_thresh'] = f1_thresh


def evaluate_v2(dataset: Dataset, preds: Mapping[str, str],
                na_probs: Mapping[str, float] | None = None,
                na_prob_thresh: float = 1.0) -> dict[str, Any]:
  """The official v2.0 result dict (key order as the official script prints it).

  Args:
    dataset: the ``'data'`` list of a SQuAD JSON file.
    preds: question id -> predicted answer text (``''`` = no answer).
    na_probs: optional question id -> no-answer score (probability, odds or
      logit difference; used as given). Enables the ``best_*`` keys.
    na_prob_thresh: predict "no answer" where ``na_prob > na_prob_thresh``.
  """
  preds = {k: (v or '') for k, v in preds.items()}
  with_na_probs = na_probs is not None
  if na_probs is None:
    na_probs = {k: 0.0 for k in preds}
  qid_to_has_ans = make_qid_to_has_ans(dataset)
  exact_raw, f1_raw = get_raw_scores(dataset, preds)
  if not exact_raw:
    raise ValueError(
        f'No prediction matches any of the {len(qid_to_has_ans)} question ids in the data '
        '(are the data and prediction files for the same split?).')
  missing = [k for k in exact_raw if k not in na_probs]
  if missing:
    raise ValueError(f'na_probs has no value for {len(missing)} predicted question ids, '
                     f'e.g. {missing[0]!r}.')
  has_ans_qids = [k for k in exact_raw if qid_to_has_ans[k]]
  no_ans_qids = [k for k in exact_raw if not qid_to_has_ans[k]]
  exact_thresh = apply_no_ans_threshold(exact_raw, na_probs, qid_to_has_ans, na_prob_thresh)
  f1_thresh = apply_no_ans_threshold(f1_raw, na_probs, qid_to_has_ans, na_prob_thresh)
  out_eval: dict[str, Any] = dict(make_eval_dict(exact_thresh, f1_thresh))
  if has_ans_qids:
    for k, v in make_eval_dict(exact_thresh, f1_thresh, has_ans_qids).items():
      out_eval[f'HasAns_{k}'] = v
  if no_ans_qids:
    for k, v in make_eval_dict(exact_thresh, f1_thresh, no_ans_qids).items():
      out_eval[f'NoAns_{k}'] = v
  if with_na_probs:
    find_all_best_thresh(out_eval, preds, exact_raw, f1_raw, na_probs, qid_to_has_ans)
  return out_eval


# ----------------------------------------------------------------------------
# Command line.
# ----------------------------------------------------------------------------
def _fail(message: str) -> NoReturn:
  """Bad input: ``error: message`` on stderr, exit status 2."""
  print(f'error: {message}', file=sys.stderr)
  sys.exit(EXIT_BAD_INPUT)


def _load_json(path: str, what: str) -> Any:
  try:  # a missing file, a directory, an empty file, bad bytes or JSON: one line
    return fileio.read_json(path, what=f'{what} file')
  except InputError as e:
    _fail(str(e))


def _check_mapping(obj: Any, path: str, what: str, value_types: tuple[type, ...]) -> None:
  if not isinstance(obj, dict):
    _fail(f'{what} file {path} must hold a JSON object '
          f'{{question id: value}}, got {type(obj).__name__}.')
  for k, v in obj.items():
    if not isinstance(v, value_types) or isinstance(v, bool):
      _fail(f'{what} file {path}: value for {k!r} must be '
            f'{" or ".join(t.__name__ for t in value_types)}, got {v!r}.')


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
  """Command-line entry point; prints (or writes) the result JSON."""
  parser = argparse.ArgumentParser(
      prog='python -m bert_jax.metrics.squad',
      description='Official SQuAD v1.1/v2.0 evaluation.')
  parser.add_argument('data_file', metavar='DATA.json', help='SQuAD-format data file.')
  parser.add_argument('pred_file', metavar='PRED.json',
                      help='JSON object: question id -> predicted answer text.')
  parser.add_argument('--na-prob-file', '-n', metavar='NA.json',
                      help='JSON object: question id -> no-answer score (v2.0).')
  parser.add_argument('--na-prob-thresh', '-t', type=float, default=1.0,
                      help='Predict no-answer where na_prob > this (default 1.0).')
  parser.add_argument('--out-file', '-o', metavar='F',
                      help='Write the JSON here (refuses to replace an existing file).')
  parser.add_argument('--overwrite', action='store_true',
                      help='Allow --out-file to replace an existing file.')
  parser.add_argument('--version', choices=('auto', '1.1', '2.0'), default='auto',
                      help="'auto': 1.1 output if the data's version is '1.1' and no "
                           'na-prob file is given, else 2.0.')
  args = parser.parse_args(argv)
  if args.out_file and os.path.exists(args.out_file) and not args.overwrite:
    _fail(f'output file {args.out_file} exists; pass --overwrite to '
          'replace it.')

  data_json = _load_json(args.data_file, 'data')
  if not isinstance(data_json, dict) or not isinstance(data_json.get('data'), list):
    _fail(f"data file {args.data_file} must be a JSON object with a "
          "'data' list (SQuAD format).")
  preds = _load_json(args.pred_file, 'prediction')
  _check_mapping(preds, args.pred_file, 'prediction', (str,))
  na_probs = None
  if args.na_prob_file:
    na_probs = _load_json(args.na_prob_file, 'na-prob')
    _check_mapping(na_probs, args.na_prob_file, 'na-prob', (int, float))

  version = args.version
  if version == 'auto':
    version = '1.1' if str(data_json.get('version')) == '1.1' and na_probs is None else '2.0'
  try:
    if version == '1.1':
      result = evaluate_v1(data_json['data'], preds)
    else:
      result = evaluate_v2(data_json['data'], preds, na_probs, args.na_prob_thresh)
  except (KeyError, TypeError) as e:
    _fail(f'data file {args.data_file} is not in SQuAD format '
          f'(missing or bad field {e}).')
  except ValueError as e:
    _fail(f'{args.data_file} / {args.pred_file}: {e}')

  if args.out_file:
    with open(args.out_file, 'w', encoding='utf-8') as f:
      json.dump(result, f)
  else:
    print(json.dumps(result, indent=2))
  return result


if __name__ == '__main__':
  main()
