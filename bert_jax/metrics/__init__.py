"""Evaluation metrics (pure numpy / python): GLUE, SQuAD v1.1/v2.0, entity span F1.

  from bert_jax.metrics import glue_metrics, precision_recall_f1, squad_v2

Command lines:
  python -m bert_jax.metrics.squad DATA.json PRED.json [--na-prob-file NA.json]
  python -m bert_jax.metrics.conlleval < token_gold_pred.txt

The SQuAD functions are imported lazily so that ``python -m bert_jax.metrics.squad``
does not import its own module twice.
"""
from typing import Any

from bert_jax.metrics.glue import accuracy
from bert_jax.metrics.glue import f1_binary
from bert_jax.metrics.glue import glue_metrics
from bert_jax.metrics.glue import macro_f1
from bert_jax.metrics.glue import matthews_corr
from bert_jax.metrics.glue import pearson
from bert_jax.metrics.glue import spearman
from bert_jax.metrics.ner import entity_report
from bert_jax.metrics.ner import get_entities
from bert_jax.metrics.ner import precision_recall_f1

_LAZY = {'squad_v1': 'evaluate_v1', 'squad_v2': 'evaluate_v2'}

__all__ = [
    'accuracy', 'entity_report', 'f1_binary', 'get_entities', 'glue_metrics', 'macro_f1',
    'matthews_corr', 'pearson', 'precision_recall_f1', 'spearman', 'squad_v1', 'squad_v2',
]


def __getattr__(name: str) -> Any:
  if name in _LAZY:
    from bert_jax.metrics import squad  # pylint: disable=import-outside-toplevel
    return getattr(squad, _LAZY[name])
  raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
