"""Fine-tuning tasks: features -> head -> loss -> metrics -> predictions, one file per family.

Every task module has the same functions (a module is the interface; no class tower):

  load_examples(cfg, split) -> (examples, where)          split: 'train' | 'dev' | 'predict'
  label_list(cfg, train_examples) -> labels                num_outputs(cfg, labels) -> int
  make_features(examples, tokenizer, cfg, labels, *, labelled) -> (arrays [N, ...], meta)
  make_model(bert_config, cfg, num_outputs, rngs) -> BertForTask (encoder under ``bert``)
  make_loss_fn(cfg) -> loss_fn(model, batch, rng) -> (loss, metrics)
  predict_fn(model, batch) -> outputs                      deterministic, jittable
  postprocess(cfg, examples, meta, outputs, labels) -> result
  score(cfg, examples, arrays, result) -> metrics          (labelled data only)
  write_predictions(cfg, directory, examples, result, labels) -> paths

``bert_jax.finetune`` drives them through the one trainer (``bert_jax.train``).
"""
from __future__ import annotations

import importlib
import types

TASKS = {
    'classification': 'bert_jax.tasks.classification',
    'squad': 'bert_jax.tasks.squad',
    'ner': 'bert_jax.tasks.ner',
    'xdc': 'bert_jax.tasks.xdc',
}


def get_task(name: str) -> types.ModuleType:
  """The task module for ``config.task``."""
  if name not in TASKS:
    from bert_jax.errors import InputError  # pylint: disable=g-import-not-at-top
    raise InputError(f'--config.task={name!r}; expected one of {sorted(TASKS)}.')
  return importlib.import_module(TASKS[name])
