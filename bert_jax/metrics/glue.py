"""GLUE-style classification / regression metrics in plain numpy.

Each function matches its scikit-learn / scipy counterpart (tested):
``accuracy`` (accuracy_score), ``f1_binary`` (f1_score, pos_label=1),
``macro_f1`` (f1_score average='macro'), ``matthews_corr`` (matthews_corrcoef,
multi-class too), ``pearson`` (scipy.stats.pearsonr), ``spearman``
(scipy.stats.spearmanr: Pearson of ranks, ties get their average rank).

``glue_metrics(task_name, preds, labels)`` returns the dict each task reports.
Classification ``preds`` may be label ids ``[N]`` or logits ``[N, C]`` (argmax
is taken); regression (STS-B) ``preds`` may be ``[N]`` or ``[N, 1]``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

ArrayLike = np.ndarray | list | tuple


def _labels(preds: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
  preds, labels = np.asarray(preds), np.asarray(labels)
  if preds.ndim == 2 and labels.ndim == 1:
    preds = preds.argmax(axis=-1)
  if preds.shape != labels.shape:
    raise ValueError(f'preds shape {preds.shape} does not match labels shape {labels.shape}.')
  if preds.size == 0:
    raise ValueError('empty predictions.')
  return preds, labels


def _values(preds: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
  preds = np.asarray(preds, dtype=np.float64)
  labels = np.asarray(labels, dtype=np.float64)
  if preds.ndim == 2 and preds.shape[1] == 1:
    preds = preds[:, 0]
  if preds.shape != labels.shape or preds.ndim != 1:
    raise ValueError(f'preds shape {preds.shape} does not match labels shape {labels.shape}.')
  if preds.size < 2:
    raise ValueError('need at least two values for a correlation.')
  return preds, labels


def accuracy(preds: ArrayLike, labels: ArrayLike) -> float:
  """Fraction of exact matches."""
  preds, labels = _labels(preds, labels)
  return float(np.mean(preds == labels))


def _f1(tp: float, fp: float, fn: float) -> float:
  denom = 2 * tp + fp + fn
  return float(2 * tp / denom) if denom else 0.0


def f1_binary(preds: ArrayLike, labels: ArrayLike, pos_label: int = 1) -> float:
  """F1 of the positive class (0.0 when it never occurs in preds nor labels)."""
  preds, labels = _labels(preds, labels)
  tp = np.sum((preds == pos_label) & (labels == pos_label))
  fp = np.sum((preds == pos_label) & (labels != pos_label))
  fn = np.sum((preds != pos_label) & (labels == pos_label))
  return _f1(tp, fp, fn)


def macro_f1(preds: ArrayLike, labels: ArrayLike) -> float:
  """Unweighted mean of per-class F1 over classes present in preds or labels."""
  preds, labels = _labels(preds, labels)
  classes = np.union1d(preds, labels)
  return float(np.mean([f1_binary(preds, labels, c) for c in classes]))


def matthews_corr(preds: ArrayLike, labels: ArrayLike) -> float:
  """Matthews correlation coefficient (Gorodkin's multi-class form; 0.0 if undefined)."""
  preds, labels = _labels(preds, labels)
  classes, idx = np.unique(np.concatenate([labels, preds]), return_inverse=True)
  n = labels.size
  cm = np.zeros((classes.size, classes.size), dtype=np.float64)
  np.add.at(cm, (idx[:n], idx[n:]), 1.0)  # rows: true, cols: predicted
  t_sum, p_sum = cm.sum(axis=1), cm.sum(axis=0)
  n_correct, n_samples = np.trace(cm), cm.sum()
  cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
  cov_ypyp = n_samples ** 2 - np.dot(p_sum, p_sum)
  cov_ytyt = n_samples ** 2 - np.dot(t_sum, t_sum)
  if cov_ypyp * cov_ytyt == 0:
    return 0.0
  return float(cov_ytyp / np.sqrt(cov_ytyt * cov_ypyp))


def pearson(preds: ArrayLike, labels: ArrayLike) -> float:
  """Pearson correlation (nan if either side is constant, as scipy)."""
  x, y = _values(preds, labels)
  x, y = x - x.mean(), y - y.mean()
  denom = np.sqrt(np.dot(x, x) * np.dot(y, y))
  if denom == 0:
    return float('nan')
  return float(np.clip(np.dot(x, y) / denom, -1.0, 1.0))


def rankdata(x: ArrayLike) -> np.ndarray:
  """1-based ranks, ties get the average of their ranks (scipy 'average')."""
  x = np.asarray(x)
  order = np.argsort(x, kind='mergesort')
  sorted_x = x[order]
  # Start index of each run of equal values in sorted order.
  new_run = np.concatenate([[True], sorted_x[1:] != sorted_x[:-1]])
  run_id = np.cumsum(new_run) - 1
  starts = np.flatnonzero(new_run)
  ends = np.concatenate([starts[1:], [x.size]])  # exclusive
  avg_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
  ranks = np.empty(x.size, dtype=np.float64)
  ranks[order] = avg_rank[run_id]
  return ranks


def spearman(preds: ArrayLike, labels: ArrayLike) -> float:
  """Spearman rank correlation (Pearson of tie-averaged ranks)."""
  x, y = _values(preds, labels)
  return pearson(rankdata(x), rankdata(y))


def _acc(p, l):
  return {'accuracy': accuracy(p, l)}


def _acc_f1(p, l):
  return {'accuracy': accuracy(p, l), 'f1': f1_binary(p, l)}


def _acc_macro_f1(p, l):
  return {'accuracy': accuracy(p, l), 'macro_f1': macro_f1(p, l)}


def _mcc(p, l):
  return {'mcc': matthews_corr(p, l)}


def _corr(p, l):
  return {'pearson': pearson(p, l), 'spearman': spearman(p, l)}


_TASK_METRICS: dict[str, Callable[[ArrayLike, ArrayLike], dict[str, float]]] = {
    'cola': _mcc,
    'sst2': _acc,
    'mrpc': _acc_f1,
    'qqp': _acc_f1,
    'stsb': _corr,
    'mnli': _acc,
    'mnlim': _acc,
    'mnlimm': _acc,
    'mnlimatched': _acc,
    'mnlimismatched': _acc,
    'qnli': _acc,
    'rte': _acc,
    'wnli': _acc,
    'ax': _mcc,  # GLUE diagnostic set is scored with R3 (= multi-class MCC)
    'swag': _acc,
    # Datasets shipped in bert_jax/resources/finetune.
    'sentiment': _acc_f1,
    'pair': _acc_f1,
    'konewstopic': _acc_macro_f1,
    'newstopic': _acc_macro_f1,  # xdc documents (experiments/xdc.py), any language
}


def _canonical(task_name: str) -> str:
  return ''.join(ch for ch in task_name.lower() if ch.isalnum())


def glue_metrics(task_name: str, preds: ArrayLike, labels: ArrayLike) -> dict[str, float]:
  """Metrics of a GLUE (or shipped) task.

  cola: mcc; sst2, qnli, rte, wnli, mnli(-m/-mm), swag: accuracy; mrpc, qqp:
  accuracy + f1; stsb: pearson + spearman; sentiment, pair: accuracy + f1;
  ko_news_topic, news_topic: accuracy + macro_f1. Names are case/punctuation-insensitive
  ('SST-2', 'sts_b', 'mnli-mm').
  """
  fn = _TASK_METRICS.get(_canonical(task_name))
  if fn is None:
    raise ValueError(f'unknown task {task_name!r}; known: {sorted(_TASK_METRICS)}')
  return fn(preds, labels)
