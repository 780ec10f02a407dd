"""Entity-level (span) precision / recall / F1 for tagging, as conlleval / seqeval.

Spans are read exactly as ``seqeval``'s default (non-strict) mode, which follows
``conlleval.pl``: works for IOB2, IOB1 and IOBES tags, and a malformed start is
still an entity, i.e. an ``I-X`` after ``O`` (or after a different type) opens a
new ``X`` entity, and a type switch ``B-X I-Y`` closes ``X`` and opens ``Y``. An
entity counts as correct only if its type, start and end all match.

  >>> get_entities(['B-PER', 'I-PER', 'O', 'I-LOC', 'B-LOC'])
  [('PER', 0, 1), ('LOC', 3, 3), ('LOC', 4, 4)]

Scores are fractions in [0, 1]; a zero denominator gives 0.0 (seqeval's default
``zero_division`` value).
"""
from __future__ import annotations

import collections
import dataclasses
from typing import Sequence

Entity = tuple[str, int, int]  # (type, first token, last token), inclusive


def _split_tag(chunk: str) -> tuple[str, str]:
  """('B'|'I'|'E'|'S'|'O'|..., type) exactly as seqeval (prefix scheme)."""
  tag = chunk[0] if chunk else 'O'
  type_ = chunk[1:].split('-', maxsplit=1)[-1] or '_'
  return tag, type_


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
  if prev_tag in ('E', 'S'):
    return True
  if prev_tag in ('B', 'I') and tag in ('B', 'S', 'O'):
    return True
  return prev_tag not in ('O', '.') and prev_type != type_


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
  if tag in ('B', 'S'):
    return True
  if prev_tag in ('E', 'S', 'O') and tag in ('E', 'I'):
    return True
  return tag not in ('O', '.') and prev_type != type_


def get_entities(tags: Sequence[str]) -> list[Entity]:
  """Entities ``(type, start, end)`` (inclusive token indices) of one sequence."""
  prev_tag, prev_type, begin = 'O', '', 0
  chunks: list[Entity] = []
  for i, chunk in enumerate(list(tags) + ['O']):
    tag, type_ = _split_tag(chunk)
    if _end_of_chunk(prev_tag, tag, prev_type, type_):
      chunks.append((prev_type, begin, i - 1))
    if _start_of_chunk(prev_tag, tag, prev_type, type_):
      begin = i
    prev_tag, prev_type = tag, type_
  return chunks


@dataclasses.dataclass(frozen=True)
class SpanScores:
  """Counts and scores for one entity type (or all types together)."""
  num_gold: int
  num_pred: int
  num_correct: int

  @property
  def precision(self) -> float:
    return self.num_correct / self.num_pred if self.num_pred else 0.0

  @property
  def recall(self) -> float:
    return self.num_correct / self.num_gold if self.num_gold else 0.0

  @property
  def f1(self) -> float:
    p, r = self.precision, self.recall
    return 2 * p * r / (p + r) if p + r else 0.0

  def as_dict(self) -> dict[str, float]:
    return {'precision': self.precision, 'recall': self.recall, 'f1': self.f1,
            'num_gold': self.num_gold, 'num_pred': self.num_pred,
            'num_correct': self.num_correct}


def _check_lengths(gold_seqs: Sequence[Sequence[str]], pred_seqs: Sequence[Sequence[str]]):
  if len(gold_seqs) != len(pred_seqs):
    raise ValueError(f'{len(gold_seqs)} gold sequences but {len(pred_seqs)} predicted ones.')
  for i, (g, p) in enumerate(zip(gold_seqs, pred_seqs)):
    if len(g) != len(p):
      raise ValueError(f'sequence {i}: {len(g)} gold tags but {len(p)} predicted tags.')


def entity_report(gold_seqs: Sequence[Sequence[str]],
                  pred_seqs: Sequence[Sequence[str]]) -> dict[str, SpanScores]:
  """Per-type scores plus ``'overall'`` (micro average over all entities)."""
  _check_lengths(gold_seqs, pred_seqs)
  gold: dict[str, set] = collections.defaultdict(set)
  pred: dict[str, set] = collections.defaultdict(set)
  for i, (g, p) in enumerate(zip(gold_seqs, pred_seqs)):
    for type_, start, end in get_entities(g):
      gold[type_].add((i, start, end))
    for type_, start, end in get_entities(p):
      pred[type_].add((i, start, end))
  report = {}
  for type_ in sorted(set(gold) | set(pred)):
    report[type_] = SpanScores(len(gold[type_]), len(pred[type_]),
                               len(gold[type_] & pred[type_]))
  report['overall'] = SpanScores(sum(s.num_gold for s in report.values()),
                                 sum(s.num_pred for s in report.values()),
                                 sum(s.num_correct for s in report.values()))
  return report


def precision_recall_f1(gold_seqs: Sequence[Sequence[str]],
                        pred_seqs: Sequence[Sequence[str]]) -> dict[str, float]:
  """Micro-averaged entity ``{'precision', 'recall', 'f1'}`` (seqeval default)."""
  overall = entity_report(gold_seqs, pred_seqs)['overall']
  return {'precision': overall.precision, 'recall': overall.recall, 'f1': overall.f1}
