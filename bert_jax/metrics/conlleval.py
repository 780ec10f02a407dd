"""conlleval-style entity scoring of a ``token ... gold pred`` file.

  python -m bert_jax.metrics.conlleval < predictions.txt
  python -m bert_jax.metrics.conlleval predictions.txt --json

Input: one token per line, whitespace-separated columns whose last two are the
gold and the predicted tag; a blank line (or a ``-DOCSTART-`` line) ends a
sentence. Spans are read as :func:`bert_jax.metrics.ner.get_entities`
(conlleval / seqeval default). Output mimics ``conlleval.pl``::

  processed 10 tokens with 3 phrases; found: 3 phrases; correct: 2.
  accuracy:  90.00%; precision:  66.67%; recall:  66.67%; FB1:  66.67
                LOC: precision: 100.00%; recall: 100.00%; FB1: 100.00  1

(the last number is the count of predicted phrases of that type).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable, Sequence, TextIO

from bert_jax import fileio
from bert_jax.errors import EXIT_BAD_INPUT
from bert_jax.metrics import ner


def read_gold_pred(lines: Iterable[str], source: str = '<stdin>'
                   ) -> tuple[list[list[str]], list[list[str]]]:
  """Gold and predicted tag sequences from conlleval-format lines."""
  golds: list[list[str]] = []
  preds: list[list[str]] = []
  gold: list[str] = []
  pred: list[str] = []
  for lineno, line in enumerate(lines, start=1):
    fields = line.split()
    if not fields or fields[0] == '-DOCSTART-':
      if gold:
        golds.append(gold)
        preds.append(pred)
        gold, pred = [], []
      continue
    if len(fields) < 3:
      raise ValueError(f'{source}:{lineno}: expected "token ... gold pred" (>= 3 columns), '
                       f'got {len(fields)}: {line.rstrip()!r}')
    gold.append(fields[-2])
    pred.append(fields[-1])
  if gold:
    golds.append(gold)
    preds.append(pred)
  return golds, preds


def format_report(golds: Sequence[Sequence[str]], preds: Sequence[Sequence[str]]) -> str:
  """The conlleval.pl text report."""
  report = ner.entity_report(golds, preds)
  overall = report.pop('overall')
  num_tokens = sum(len(g) for g in golds)
  num_ok = sum(g == p for gs, ps in zip(golds, preds) for g, p in zip(gs, ps))
  accuracy = 100.0 * num_ok / num_tokens if num_tokens else 0.0
  lines = [
      f'processed {num_tokens} tokens with {overall.num_gold} phrases; '
      f'found: {overall.num_pred} phrases; correct: {overall.num_correct}.',
      f'accuracy: {accuracy:6.2f}%; precision: {100 * overall.precision:6.2f}%; '
      f'recall: {100 * overall.recall:6.2f}%; FB1: {100 * overall.f1:6.2f}',
  ]
  for type_, s in report.items():
    lines.append(f'{type_:>17}: precision: {100 * s.precision:6.2f}%; '
                 f'recall: {100 * s.recall:6.2f}%; FB1: {100 * s.f1:6.2f}  {s.num_pred}')
  return '\n'.join(lines)


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
  """Command-line entry point."""
  parser = argparse.ArgumentParser(prog='python -m bert_jax.metrics.conlleval',
                                   description='Entity-level P/R/F1 (conlleval).')
  parser.add_argument('file', nargs='?', help='Input file (default: stdin).')
  parser.add_argument('--json', action='store_true', help='Print JSON instead of text.')
  args = parser.parse_args(argv)
  try:  # bad input: one line, exit 2 (a missing file, a directory, bad bytes or columns)
    if args.file:
      lines = (line for _, line in fileio.read_lines(args.file, what='input file'))
      golds, preds = read_gold_pred(lines, args.file)
    else:
      golds, preds = read_gold_pred(stdin or sys.stdin)
  except UnicodeDecodeError as e:  # stdin (files are decoded by fileio, naming the line)
    print(f'error: <stdin>: not valid UTF-8 ({e.reason}).', file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)
  except ValueError as e:  # InputError is a ValueError
    print(f'error: {e}', file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)
  if args.json:
    report = {k: v.as_dict() for k, v in ner.entity_report(golds, preds).items()}
    print(json.dumps(report, indent=2))
  else:
    print(format_report(golds, preds))
  return 0


if __name__ == '__main__':
  sys.exit(main())
