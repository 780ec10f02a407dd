"""Fine-tuning tasks: features -> head -> loss -> metrics -> predictions, one file per family.

A task is a module (no class tower) with the functions of ``TaskModule`` below; the driver
(``bert_jax.tasks.driver``, run by ``python -m bert_jax.finetune``) calls only these,
through the one trainer (``bert_jax.train``), and has no branch on the task's name:

  load_examples(cfg, split) -> (examples, where)          split: 'train' | 'dev' | 'predict'
  label_list(cfg, train_examples) -> labels                num_outputs(cfg, labels) -> int
  make_features(examples, tokenizer, cfg, labels, *, labelled) -> (arrays [N, ...], meta)
  make_model(model_cfg, cfg, n_outputs, rngs) -> task model (encoder under ``bert``)
  make_loss_fn(cfg) -> loss_fn(model, batch, rng) -> (loss, metrics)
  predict_fn(model, batch) -> outputs                      deterministic, jittable
  postprocess(cfg, examples, meta, outputs, labels) -> result
  score(cfg, examples, arrays, result) -> metrics          (labelled data only)
  write_predictions(cfg, directory, examples, result, labels) -> paths
  main_metric(cfg) -> str                                  picks the best checkpoint
  frozen_params(cfg) -> str                                prefixes the optimizer leaves alone
  predict_config(cfg, dev_metrics) -> cfg                  what predict takes from the dev run

``tests/test_task_interface.py`` checks that every module in ``TASKS`` has each of them with these
parameter names (a module may add keyword parameters with defaults).
"""
from __future__ import annotations

import importlib
import pathlib
from typing import Any, Callable, Protocol, Sequence

TASKS = {
    'classification': 'bert_jax.tasks.classification',
    'squad': 'bert_jax.tasks.squad',
    'ner': 'bert_jax.tasks.ner',
    'xdc': 'bert_jax.tasks.xdc',
}

Arrays = dict[str, Any]  # name -> numpy array [N, ...] (features) or [B, ...] (a batch)


class TaskModule(Protocol):
  """What a fine-tuning task module provides (``cfg``: the experiment's ConfigDict)."""

  def load_examples(self, cfg: Any, split: str) -> tuple[list[Any], str]:
    """The examples of ``split`` ('train' | 'dev' | 'predict') and where they came from;
    ``InputError`` naming the file / ``--config.data.*`` key when they cannot be read."""

  def label_list(self, cfg: Any, train_examples: Sequence[Any]) -> list[str]:
    """The label vocabulary (``[]`` for span extraction and regression)."""

  def num_outputs(self, cfg: Any, labels: Sequence[str]) -> int:
    """Outputs of the head per position / example."""

  def make_features(self, examples: Sequence[Any], tokenizer: Any, cfg: Any,
                    labels: Sequence[str], *, labelled: bool = True) -> tuple[Arrays, Any]:
    """Fixed-shape arrays ``[N, ...]`` and the ``meta`` that maps features back to
    examples (windows, word positions; None when one feature is one example)."""

  def make_model(self, model_cfg: Any, cfg: Any, n_outputs: int, rngs: Any) -> Any:
    """The task model (an ``nnx.Module``) with the encoder under the attribute ``bert``."""

  def make_loss_fn(self, cfg: Any) -> Callable[..., Any]:
    """``loss_fn(model, batch, rng) -> (loss, metrics)`` for ``bert_jax.train``."""

  def predict_fn(self, model: Any, batch: Arrays) -> Arrays:
    """Deterministic, jittable outputs of ``model`` on one batch."""

  def postprocess(self, cfg: Any, examples: Sequence[Any], meta: Any, outputs: Arrays,
                  labels: Sequence[str]) -> Any:
    """The predictions of the examples from the outputs of all their features."""

  def score(self, cfg: Any, examples: Sequence[Any], arrays: Arrays, result: Any
            ) -> dict[str, float]:
    """Dev metrics of ``result`` against the labelled examples."""

  def write_predictions(self, cfg: Any, directory: pathlib.Path, examples: Sequence[Any],
                        result: Any, labels: Sequence[str]) -> list[pathlib.Path]:
    """Writes ``result`` under ``directory`` in the task's usual format; the paths."""

  def main_metric(self, cfg: Any) -> str:
    """The key of ``score``'s metrics that picks the best checkpoint (higher is better)."""

  def frozen_params(self, cfg: Any) -> str:
    """Comma-separated parameter path prefixes the optimizer leaves unchanged ('' none;
    'bert': the encoder, the feature-based approach)."""

  def predict_config(self, cfg: Any, dev_metrics: dict[str, float]) -> Any:
    """The config ``--config.mode=predict`` runs with, given the dev metrics of the
    checkpoint it restores (SQuAD v2.0: the tuned null-score threshold)."""


def get_task(name: str) -> TaskModule:
  """The task module for ``config.task``."""
  if name not in TASKS:
    from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
    raise InputError(f'--config.task={name!r}; expected one of {sorted(TASKS)}.')
  return importlib.import_module(TASKS[name])
