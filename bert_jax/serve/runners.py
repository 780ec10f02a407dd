"""The served models: a fixed-shape jitted forward each, behind one small method.

- ``Classifier.explain(text, method)``: ``bert_jax.serve.explain`` on a classification
  model; one forward gives the probabilities and the ``[CLS]`` token scores of both
  methods ('cls_last' and 'rollout'), so switching method never recompiles.
- ``AttentionClassifier.explain(text)``: a model with its own word and sentence attention
  (task 'xdc': the BERT-XDC head or HAN); the words and sentences are scored by that
  attention (``explain.head_attention_explanation``), method 'attention'.
  ``load_classifier`` picks the right one for a workdir; both name the methods they
  accept in ``methods`` (the first is the default).
- ``Reader.answer(passage, question)``: ``bert_jax.serve.mrc`` on a span model
  (``squad.predict_fn``).

Both run windows in batches of ``batch_size`` rows of ``max_seq_length`` tokens (the last
batch padded) through ``bert_jax.tasks.predictor.Predictor``: one compile per model,
whatever the text. ``traces`` counts the compilations (tests assert it stays 1). Concurrent calls
(the web server is threaded) are queued and batched together by ``batching.Batcher``.
"""
from __future__ import annotations

import types
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.serve import batching
from bert_jax.serve import explain as explain_lib
from bert_jax.serve import mrc
from bert_jax.tasks import squad
from bert_jax.tasks import xdc as xdc_task
from bert_jax.tasks.predictor import Predictor
from bert_jax.workdir import Finetuned, load_finetuned


def classify_with_attention(model, batch: dict[str, jax.Array]) -> dict[str, jax.Array]:
  """``{'probs' [B, C], 'cls_last' [B, L], 'rollout' [B, L]}`` of a classification
  ``BertForTask``, deterministic. The same arithmetic as ``BertForTask.__call__``
  (pooled ``[CLS]`` -> head; dropout off), with the encoder's attentions kept."""
  out = model.bert(batch['input_ids'], batch['token_type_ids'],
                   make_attention_mask(batch['attention_mask']), output_attentions=True)
  logits = model.head(out.pooled_output).astype(jnp.float32)
  result = {'probs': jax.nn.softmax(logits, axis=-1)}
  for method in explain_lib.METHODS:
    result[method] = explain_lib.cls_token_scores(out.attentions, method)
  return result


class _Runner:
  """A model + ``Predictor`` over a counting ``predict_fn``, fed by a ``Batcher``."""

  def __init__(self, model, predict_fn, batch_size: int):
    self.model = model
    self.batch_size = batch_size
    self.traces = 0

    def counted(model, batch):
      self.traces += 1  # runs only while jax traces
      return predict_fn(model, batch)

    self._predictor = Predictor(types.SimpleNamespace(predict_fn=counted), batch_size)
    self.batcher = batching.Batcher(lambda rows: self._predictor(self.model, rows), batch_size,
                                    name=type(self).__name__)

  def predict(self, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return self.batcher(arrays)


def _max_len(requested: int | None, default: int, config) -> int:
  length = requested or default
  if length > config.max_position_embeddings:
    raise InputError(f'max_seq_length={length} exceeds the model\'s max_position_embeddings='
                     f'{config.max_position_embeddings}.')
  return length


class Classifier(_Runner):
  """A plain [CLS] classifier explained post hoc (attention of [CLS], or rollout)."""

  methods = explain_lib.METHODS

  def __init__(self, model, tokenizer, labels: Sequence[str], *, max_seq_length: int,
               stride: int | None = None, batch_size: int = 8, source: str = ''):
    if model.head_kind != 'classification' or model.head.out_features != len(labels) \
        or len(labels) < 2:
      raise InputError(f'{source or "model"}: XDC needs a classifier with one output per '
                       f'label (>= 2 labels); found head={model.head_kind!r} with '
                       f'{model.head.out_features} outputs and labels {list(labels)}.')
    super().__init__(model, classify_with_attention, batch_size)
    self.tokenizer, self.labels = tokenizer, list(labels)
    self.max_seq_length, self.stride, self.source = max_seq_length, stride, source

  @classmethod
  def from_finetuned(cls, ft: Finetuned, *, max_seq_length: int | None = None,
                     stride: int | None = None, batch_size: int = 8) -> 'Classifier':
    c = ft.run_config.classification
    if c.regression or c.num_choices:
      raise InputError(f'{ft.source}: a regression / multiple-choice model cannot be served '
                       'as a document classifier.')
    return cls(ft.model, ft.tokenizer, ft.task.get('labels') or [],
               max_seq_length=_max_len(max_seq_length, ft.run_config.data.max_seq_length,
                                       ft.config),
               stride=stride, batch_size=batch_size, source=ft.source)

  def explain(self, text: str, method: str | None = None) -> dict[str, Any]:
    """See ``bert_jax.serve.explain.explain`` (``method`` None: 'cls_last')."""
    return explain_lib.explain(text, self.tokenizer, self.predict, self.labels,
                               max_seq_length=self.max_seq_length, stride=self.stride,
                               method=method or self.methods[0])


def xdc_predict_fn(model, batch: dict[str, jax.Array]) -> dict[str, jax.Array]:
  """``{'probs' [B, C], 'word_attention' [B, W, L], 'sentence_attention' [B, S]}`` of a
  ``bert_jax.models.xdc`` model (BERT-XDC or HAN), deterministic."""
  out = xdc_task.forward(model, batch)
  return {'probs': jax.nn.softmax(out['logits'], axis=-1),
          'word_attention': out['word_attention'],
          'sentence_attention': out['sentence_attention']}


class AttentionClassifier(_Runner):
  """A document classifier that explains itself with its own word and sentence attention
  (the seed's BERT-XDC head, or a HAN): ``explain(text)`` returns the model's weights,
  not a post-hoc reading of [CLS] attention. One row per document: ``max_windows``
  windows of ``max_seq_length`` pieces, whole sentences (``bert_jax.tasks.xdc``)."""

  methods = ('attention',)

  def __init__(self, model, tokenizer, labels: Sequence[str], *, max_seq_length: int,
               max_windows: int, max_sentences: int, batch_size: int = 8, source: str = ''):
    if len(labels) < 2:
      raise InputError(f'{source or "model"}: XDC needs >= 2 labels; found {list(labels)}.')
    super().__init__(model, xdc_predict_fn, batch_size)
    self.tokenizer, self.labels, self.source = tokenizer, list(labels), source
    self.max_seq_length, self.max_windows = max_seq_length, max_windows
    self.max_sentences = max_sentences

  @classmethod
  def from_finetuned(cls, ft: Finetuned, *, max_seq_length: int | None = None,
                     batch_size: int = 8, **unused: Any) -> 'AttentionClassifier':
    del unused  # stride: windows here hold whole sentences, they do not overlap
    x = ft.run_config.xdc
    return cls(ft.model, ft.tokenizer, ft.task.get('labels') or [],
               max_seq_length=_max_len(max_seq_length, ft.run_config.data.max_seq_length,
                                       ft.config),
               max_windows=x.max_windows, max_sentences=x.max_sentences,
               batch_size=batch_size, source=ft.source)

  def explain(self, text: str, method: str | None = None) -> dict[str, Any]:
    """See ``bert_jax.serve.explain.head_attention_explanation``."""
    if method not in (None, *self.methods):
      raise InputError(f'method={method!r}: this model explains itself with its own '
                       f'attention; expected one of {list(self.methods)}.')
    if not text.strip():
      raise InputError('the text is empty.')
    doc = xdc_task.document_windows(self.tokenizer, text, max_seq_length=self.max_seq_length,
                                    max_windows=self.max_windows,
                                    max_sentences=self.max_sentences)
    if not doc.pieces.max() >= 0:
      raise InputError('the text has no tokens to classify.')
    out = self.predict({k: v[None] for k, v in doc.arrays.items()})
    return explain_lib.head_attention_explanation(
        text, doc, {k: v[0] for k, v in out.items()}, self.labels)


class Reader(_Runner):
  """A reading-comprehension model (BERT-MRC; MRC 2.0 when trained on SQuAD v2.0)."""

  def __init__(self, model, tokenizer, cfg, *, null_threshold: float | None = None,
               batch_size: int = 8, source: str = ''):
    if model.head_kind != 'span':
      raise InputError(f'{source or "model"}: MRC needs a span-extraction (squad) model; '
                       f'found head={model.head_kind!r}.')
    super().__init__(model, squad.predict_fn, batch_size)
    self.tokenizer, self.cfg, self.source = tokenizer, cfg, source
    self.null_threshold = null_threshold

  @property
  def version_2(self) -> bool:
    return bool(self.cfg.squad.version_2_with_negative)

  @classmethod
  def from_finetuned(cls, ft: Finetuned, *, max_seq_length: int | None = None,
                     null_threshold: float | None = None, batch_size: int = 8) -> 'Reader':
    cfg = ft.run_config
    cfg.data.max_seq_length = _max_len(max_seq_length, cfg.data.max_seq_length, ft.config)
    if null_threshold is None and cfg.squad.use_dev_threshold:
      null_threshold = _find_number(ft.best, 'best_f1_thresh')
    return cls(ft.model, ft.tokenizer, cfg, null_threshold=null_threshold,
               batch_size=batch_size, source=ft.source)

  def answer(self, passage: str, question: str) -> dict[str, Any]:
    """See ``bert_jax.serve.mrc``."""
    return mrc.answer(passage, question, self.tokenizer, self.cfg, self.predict,
                      null_threshold=self.null_threshold)


def _find_number(d: Any, key: str) -> float | None:
  """``d[key]`` searched through nested dicts (``best.json`` may nest its metrics)."""
  if isinstance(d, dict):
    if isinstance(d.get(key), (int, float)):
      return float(d[key])
    for v in d.values():
      found = _find_number(v, key)
      if found is not None:
        return found
  return None


def load_classifier(path: str, **kwargs: Any) -> Classifier | AttentionClassifier:
  """The document classifier of a fine-tuning workdir: an ``AttentionClassifier`` when the
  model has its own word / sentence attention (task 'xdc' with the BERT-XDC head or HAN),
  else a ``Classifier`` explained by [CLS] attention or rollout."""
  ft = load_finetuned(path)
  task = ft.task.get('task')
  if task == 'xdc' and ft.run_config.xdc.model in ('xdc', 'han'):
    return AttentionClassifier.from_finetuned(ft, **kwargs)
  if task not in ('classification', 'xdc'):
    raise InputError(f'{ft.source}: this is a {task!r} model; expected a \'classification\' '
                     'one (or an \'xdc\' one).')
  return Classifier.from_finetuned(ft, **kwargs)


def load_reader(path: str, **kwargs: Any) -> Reader:
  return Reader.from_finetuned(load_finetuned(path, task='squad'), **kwargs)
