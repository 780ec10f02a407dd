"""Fine-tuning tasks: features -> head -> loss -> metrics -> predictions, one file per family.

A task is a module (no class tower). What the one trainer (``bert_jax.train``) needs from
any task, pretraining included, is ``TrainableTask`` (``bert_jax.train.pretraining``, named
by ``PRETRAINING``, implements it):

  make_model(model_cfg, cfg, n_outputs, rngs) -> model with its head (encoder under ``bert``)
  make_loss_fn(cfg) -> loss_fn(model, batch, rng) -> (loss, metrics)
  predict_fn(model, batch) -> outputs                      deterministic, jittable
  main_metric(cfg) -> str                                  ranks evaluations (higher: better)
  frozen_params(cfg) -> str                                prefixes the optimizer leaves alone

A fine-tuning task (``TaskModule``) adds examples, features, post-processing and files; the
driver (``bert_jax.tasks.driver``, run by ``python -m bert_jax.finetune``) calls only these
and has no branch on the task's name:

  load_examples(cfg, split) -> (examples, where)          split: 'train' | 'dev' | 'predict'
  label_list(cfg, train_examples) -> labels                num_outputs(cfg, labels) -> int
  make_features(examples, tokenizer, cfg, labels, *, labelled) -> (arrays [N, ...], meta)
  postprocess(cfg, examples, meta, outputs, labels) -> result
  score(cfg, examples, arrays, result) -> metrics          (labelled data only)
  write_predictions(cfg, directory, examples, result, labels) -> paths
  predict_config(cfg, dev_metrics) -> cfg                  what predict takes from the dev run

``tests/test_task_interface.py`` checks that every module in ``TASKS`` (and ``PRETRAINING``, for
``TrainableTask``) has each of them with these parameter names (a module may add keyword parameters with defaults).
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
PRETRAINING = 'bert_jax.train.pretraining'  # implements TrainableTask

Arrays = dict[str, Any]  # name -> numpy array [N, ...] (features) or [B, ...] (a batch)


class TrainableTask(Protocol):
  """What the one trainer needs from any task, pretraining included
  (``bert_jax.train.pretraining`` implements it, and so does every ``TaskModule``): the
  model with its head, the loss, a deterministic jittable step for evaluation, the
  parameters the optimizer leaves alone and the metric that ranks checkpoints."""

  def make_model(self, model_cfg: Any, cfg: Any, n_outputs: int, rngs: Any) -> Any:
    """The task model (an ``nnx.Module``: the encoder of ``model_cfg``, a ``BertConfig``,
    under the attribute ``bert``, and the task's head with ``n_outputs`` outputs)."""

  def make_loss_fn(self, cfg: Any) -> Callable[..., Any]:
    """``loss_fn(model, batch, rng) -> (loss, metrics)`` for ``bert_jax.train``."""

  def predict_fn(self, model: Any, batch: Arrays) -> Arrays:
    """Deterministic, jittable outputs of ``model`` on one batch."""

  def main_metric(self, cfg: Any) -> str:
    """The evaluation metric that ranks checkpoints (higher is better): fine-tuning's dev
    metric (a key of ``score``'s), which picks the best checkpoint; pretraining's held-out
    MLM accuracy."""

  def frozen_params(self, cfg: Any) -> str:
    """Comma-separated parameter path prefixes the optimizer leaves unchanged ('' none;
    'bert': the encoder, the feature-based approach)."""


class TaskModule(TrainableTask, Protocol):
  """What a fine-tuning task module provides besides ``TrainableTask`` (``cfg``: the
  experiment's ConfigDict): examples, features, post-processing, scoring, output files."""

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

  def postprocess(self, cfg: Any, examples: Sequence[Any], meta: Any, outputs: Arrays,
                  labels: Sequence[str]) -> Any:
    """The predictions of the examples from the outputs of all their features."""

  def score(self, cfg: Any, examples: Sequence[Any], arrays: Arrays, result: Any
            ) -> dict[str, float]:
    """Dev metrics of ``result`` against the labelled examples."""

  def write_predictions(self, cfg: Any, directory: pathlib.Path, examples: Sequence[Any],
                        result: Any, labels: Sequence[str]) -> list[pathlib.Path]:
    """Writes ``result`` under ``directory`` in the task's usual format; the paths."""

  def predict_config(self, cfg: Any, dev_metrics: dict[str, float]) -> Any:
    """The config ``--config.mode=predict`` runs with, given the dev metrics of the
    checkpoint it restores (SQuAD v2.0: the tuned null-score threshold)."""


def get_task(name: str) -> TaskModule:
  """The task module for ``config.task``."""
  if name not in TASKS:
    from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
    raise InputError(f'--config.task={name!r}; expected one of {sorted(TASKS)}.')
  return importlib.import_module(TASKS[name])
