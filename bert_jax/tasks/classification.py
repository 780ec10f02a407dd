"""Sequence classification: single sentence, sentence pair, regression, multiple choice.

One mechanism with parameters (the seed's fine-tuning inputs (a) and (b)):

- single sentence (SST-2, CoLA): ``[CLS] a [SEP]`` -> pooled -> C logits;
- sentence pair (MNLI, QQP, QNLI, MRPC, RTE): ``[CLS] a [SEP] b [SEP]`` -> C logits;
- regression (STS-B, ``regression=True``): one output, mean squared error;
- multiple choice (SWAG, ``num_choices=K``): the K pairs ``(context, choice_k)`` of an
  example are encoded as ``[B, K, L]``, flattened to ``[B*K, L]`` for the encoder, and the
  one score per pair is read back as ``[B, K]`` logits over the choices.

Examples are ``readers.TextExample(texts, label, line)``; for multiple choice
``texts = (context, choice_0, ..., choice_{K-1})``.
"""
from __future__ import annotations

import csv
import io
import pathlib
import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.metrics import glue_metrics
from bert_jax.models.heads import BertForTask
from bert_jax.tasks import sources
from bert_jax import fileio
from bert_jax.tasks.readers import DataFormatError, TextExample, read_glue_tsv

HEAD = 'classification'


# ----------------------------------------------------------------------------
# Examples.
# ----------------------------------------------------------------------------
def read_swag_csv(path: pathlib.Path, labelled: bool = True) -> list[TextExample]:
  """SWAG's own CSV (rowanz/swagaf: sent1, sent2, ending0..3, label).

  The context is ``sent1``; choice k is ``sent2 + ' ' + ending_k`` (as the BERT paper).
  """
  with io.StringIO(fileio.read_text(path, what='SWAG CSV file'), newline='') as f:
    reader = csv.DictReader(f)
    need = ['sent1', 'sent2', 'ending0', 'ending1', 'ending2', 'ending3']
    if labelled:
      need.append('label')
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
      raise DataFormatError(f'{path}:1: SWAG CSV header lacks {missing}; columns are '
                            f'{reader.fieldnames}.')
    out = []
    for lineno, row in enumerate(reader, start=2):
      choices = tuple(f"{row['sent2']} {row[f'ending{k}']}".strip() for k in range(4))
      label = row.get('label') if labelled else None
      if labelled and label not in ('0', '1', '2', '3'):
        raise DataFormatError(f'{path}:{lineno}: label {label!r}; expected 0, 1, 2 or 3.')
      out.append(TextExample((row['sent1'], *choices), label, lineno))
  return out


def _tfds_fields(data: Any) -> tuple[list[str], str]:
  return (list(data.tfds_text_fields or data.text_fields),
          data.tfds_label_field or data.label_field)


def _tfds_example(record: dict[str, Any], data: Any, names: list[str] | None,
                  index: int) -> TextExample:
  fields, label_field = _tfds_fields(data)
  if data.get('choices_field', ''):  # e.g. hellaswag: context + endings list
    texts = (record[fields[0]], *record[data.choices_field])
  else:
    texts = tuple(record[f] for f in fields)
  label = record.get(label_field) if label_field else None
  if isinstance(label, (int, np.integer)):
    label = None if label < 0 else (names[label] if names else str(label))  # -1 = test split
  elif isinstance(label, float):
    label = repr(label)
  return TextExample(tuple(str(t) for t in texts), label, index)


def load_examples(cfg: Any, split: str) -> tuple[list[TextExample], str]:
  """Examples of ``split`` ('train', 'dev', 'predict') and where they came from."""
  data = cfg.data
  kind, spec = sources.split_spec(data, split)
  labelled = split != 'predict'
  if kind == 'file':
    path = sources.resolve_path(spec, f'--config.data.{split}_file')
    if data.format == 'swag_csv':
      examples = read_swag_csv(path, labelled)
    else:
      label_set = None if (cfg.classification.regression or not labelled) else (
          set(data.labels) or None)
      header = data.get('has_header', True)
      column = lambda f: f if header or isinstance(f, int) else int(f)  # '1' -> column 1
      examples = read_glue_tsv(path, tuple(column(f) for f in data.text_fields),
                               column(data.label_field) if labelled else None,
                               label_set=label_set, has_header=header)
    where = str(path)
  else:
    records, info = sources.tfds_records(data.tfds_name, spec, data.tfds_data_dir)
    label_field = _tfds_fields(data)[1]
    names = sources.class_names(info, label_field) if label_field else None
    examples = [_tfds_example(r, data, names, i) for i, r in enumerate(records)]
    if labelled and not cfg.classification.regression and data.labels:
      bad = [e for e in examples if e.label is not None and e.label not in set(data.labels)]
      if bad:
        raise InputError(f'TFDS {data.tfds_name}:{spec} example {bad[0].line}: unknown label '
                         f'{bad[0].label!r}; expected one of {list(data.labels)}.')
    if labelled:
      examples = [e for e in examples if e.label is not None]
    where = f'TFDS {data.tfds_name}:{spec}'
  return sources.require_examples(examples, where), where


def label_list(cfg: Any, train_examples: Sequence[TextExample]) -> list[str]:
  """The label vocabulary: ``data.labels``; else a TFDS ClassLabel's names in their order
  (so index 1 stays the positive class of MRPC / QQP F1); else the sorted labels of the
  train set (GLUE TSV: '0' < '1', MNLI contradiction < entailment < neutral)."""
  if cfg.classification.regression:
    return []
  if cfg.data.labels:
    return list(cfg.data.labels)
  if cfg.classification.num_choices:
    return [str(k) for k in range(cfg.classification.num_choices)]
  if sources.split_spec(cfg.data, 'train')[0] == 'tfds':
    _, info = sources.tfds_records(cfg.data.tfds_name, cfg.data.tfds_train_split,
                                   cfg.data.tfds_data_dir)
    names = sources.class_names(info, _tfds_fields(cfg.data)[1])
    if names:
      return names
  return sorted({e.label for e in train_examples})


def num_outputs(cfg: Any, labels: Sequence[str]) -> int:
  c = cfg.classification
  return 1 if (c.regression or c.num_choices) else len(labels)


def main_metric(cfg: Any) -> str:
  """The dev metric that picks the best checkpoint (higher is better)."""
  return cfg.classification.main_metric


def frozen_params(cfg: Any) -> str:
  """Parameter path prefixes the optimizer leaves unchanged ('' none)."""
  del cfg
  return ''


def predict_config(cfg: Any, dev_metrics: dict[str, float]) -> Any:
  """The config ``--config.mode=predict`` runs with: ``cfg`` (no setting comes from dev)."""
  del dev_metrics
  return cfg


# ----------------------------------------------------------------------------
# Features.
# ----------------------------------------------------------------------------
def _pad(ids: Sequence[int], length: int) -> np.ndarray:
  out = np.zeros(length, np.int32)
  out[:len(ids)] = ids
  return out


def encode_pair(tokenizer, a: str, b: str | None, max_seq_length: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
  """(input_ids, token_type_ids, attention_mask) padded to ``max_seq_length``, #truncated."""
  enc = tokenizer.encode(a, b, max_length=max_seq_length, truncation='longest_first')
  n = len(enc.input_ids)
  mask = np.zeros(max_seq_length, np.int32)
  mask[:n] = 1
  return (_pad(enc.input_ids, max_seq_length), _pad(enc.token_type_ids, max_seq_length), mask,
          enc.num_truncated)


def make_features(examples: Sequence[TextExample], tokenizer, cfg: Any,
                  labels: Sequence[str], *, labelled: bool = True
                  ) -> tuple[dict[str, np.ndarray], None]:
  """Arrays ``input_ids, token_type_ids, attention_mask`` [N, L] (or [N, K, L] for multiple
  choice) and ``label`` [N] (int32 class index; float32 for regression); no side info."""
  c, length = cfg.classification, cfg.data.max_seq_length
  label_index = {l: i for i, l in enumerate(labels)}
  rows, ys, truncated = [], [], 0
  for ex in examples:
    if c.num_choices:
      if len(ex.texts) != c.num_choices + 1:
        raise InputError(f'example at line {ex.line}: {len(ex.texts) - 1} choices, expected '
                         f'num_choices={c.num_choices}.')
      enc = [encode_pair(tokenizer, ex.texts[0], ch, length) for ch in ex.texts[1:]]
      rows.append(tuple(np.stack([e[j] for e in enc]) for j in range(3)))  # [K, L] each
      truncated += sum(e[3] > 0 for e in enc)
    else:
      b = ex.texts[1] if len(ex.texts) > 1 else None
      *arrs, t = encode_pair(tokenizer, ex.texts[0], b, length)
      rows.append(tuple(arrs))
      truncated += t > 0
    if not labelled:
      ys.append(0)
    elif c.regression:
      try:
        ys.append(float(ex.label))
      except (TypeError, ValueError):
        raise InputError(f'example at line {ex.line}: regression label {ex.label!r} is not a '
                         'number.') from None
    else:
      if ex.label not in label_index:
        raise InputError(f'example at line {ex.line}: unknown label {ex.label!r}; expected one '
                         f'of {list(labels)}.')
      ys.append(label_index[ex.label])
  if truncated:
    warnings.warn(f'{truncated} of {len(examples)} inputs were longer than data.max_seq_length='
                  f'{length} and were truncated.', stacklevel=2)
  ids, types, mask = (np.stack([r[j] for r in rows]) for j in range(3))
  label = np.asarray(ys, np.float32 if c.regression else np.int32)
  return {'input_ids': ids, 'token_type_ids': types, 'attention_mask': mask,
          'label': label}, None


# ----------------------------------------------------------------------------
# Model, loss, prediction.
# ----------------------------------------------------------------------------
def make_model(model_cfg, cfg: Any, n_outputs: int, rngs) -> BertForTask:
  return BertForTask(model_cfg, head=HEAD, num_outputs=n_outputs, head_init=cfg.head_init,
                     rngs=rngs)


def forward(model: BertForTask, batch: dict[str, jax.Array], rng=None) -> jax.Array:
  """Logits: [B, C]; multiple choice [B, K]; regression [B]."""
  ids = batch['input_ids']
  shape = ids.shape  # [B, L] or [B, K, L]
  flat = lambda x: x.reshape(-1, shape[-1])
  logits = model(flat(ids), flat(batch['token_type_ids']),
                 make_attention_mask(flat(batch['attention_mask'])), rng=rng)  # [B*K, C]
  if len(shape) == 3:
    return logits.reshape(shape[0], shape[1])  # one score per choice
  if model.head.out_features == 1:
    return logits[:, 0]
  return logits


def make_loss_fn(cfg: Any):
  """``loss_fn(model, batch, rng) -> (loss, metrics)``; ``batch['weight']`` masks padding."""
  regression = bool(cfg.classification.regression)

  def loss_fn(model, batch, rng):
    logits = forward(model, batch, rng)
    w = batch.get('weight')
    w = jnp.ones(logits.shape[0], jnp.float32) if w is None else w.astype(jnp.float32)
    denom = jnp.maximum(w.sum(), 1.0)
    if regression:
      per = jnp.square(logits - batch['label'].astype(jnp.float32))
      return (per * w).sum() / denom, {'mse': (per * w).sum() / denom}
    per = optax.softmax_cross_entropy_with_integer_labels(logits, batch['label'])
    acc = (jnp.argmax(logits, -1) == batch['label']).astype(jnp.float32)
    loss = (per * w).sum() / denom
    return loss, {'accuracy': (acc * w).sum() / denom}

  return loss_fn


def predict_fn(model, batch):
  """Deterministic outputs for evaluation / prediction: {'logits'}."""
  return {'logits': forward(model, batch, None)}


# ----------------------------------------------------------------------------
# Metrics and predictions.
# ----------------------------------------------------------------------------
def postprocess(cfg: Any, examples: Sequence[TextExample], meta: None,
                outputs: dict[str, np.ndarray], labels: Sequence[str]) -> np.ndarray:
  """Predicted class indices [N] (regression: scores [N])."""
  del examples, meta, labels
  logits = outputs['logits']
  return logits if cfg.classification.regression else np.argmax(logits, axis=-1)


def score(cfg: Any, examples: Sequence[TextExample], arrays: dict[str, np.ndarray],
          result: np.ndarray) -> dict[str, float]:
  """The task's GLUE metrics (``classification.metric`` names the set, e.g. 'mrpc')."""
  del examples
  return glue_metrics(cfg.classification.metric, result, arrays['label'])


def write_predictions(cfg: Any, directory: pathlib.Path, examples: Sequence[TextExample],
                      result: np.ndarray, labels: Sequence[str]) -> list[pathlib.Path]:
  """``predictions.tsv``: GLUE submission columns ``index, prediction`` (+ the inputs)."""
  directory.mkdir(parents=True, exist_ok=True)
  path = directory / 'predictions.tsv'
  if cfg.classification.regression:
    preds = [f'{float(v):.6g}' for v in result]
  else:
    preds = [labels[int(i)] for i in result]
  with open(path, 'w', encoding='utf-8') as f:
    f.write('index\tprediction\ttext\n')
    for i, (ex, p) in enumerate(zip(examples, preds)):
      text = ' ||| '.join(t.replace('\t', ' ').replace('\n', ' ') for t in ex.texts)
      f.write(f'{i}\t{p}\t{text}\n')
  return [path]
