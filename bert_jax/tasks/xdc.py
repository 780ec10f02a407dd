"""Explainable document classification (the seed's BERT-XDC) and its baselines.

A document is one TSV field holding several sentences. ``document_windows`` splits it
into sentences (``bert_jax.data.text.sentence_spans``, the splitter the web app
shows), tokenizes it once, and packs whole sentences in order into ``max_windows``
windows ``[CLS] pieces [SEP]`` of ``data.max_seq_length`` tokens; a sentence that does not fit
in the room left starts a new window, and one longer than a window continues in the
next. ``sentence_ids`` (1..S; 0 on ``[CLS]``, ``[SEP]``, padding) carry the sentence
boundaries to the model, so a sentence across two windows stays one sentence.

``cfg.xdc.model`` picks the model trained on these same features by the same trainer:

- ``'xdc'``: ``bert_jax.models.xdc.BertXDC`` (BERT + conv + word/sentence attention);
- ``'cls'``: the plain ``[CLS]`` classifier (``BertForTask`` classification head) on
  every window, the document's logits the mean over its windows;
- ``'han'``: ``bert_jax.models.xdc.HAN`` (BiGRU word and sentence encoders, no BERT;
  use it with ``random_init=True``: only the tokenizer of the checkpoint is used).

Arrays: ``input_ids, token_type_ids, attention_mask, sentence_ids`` int32 ``[N, W, L]``
and ``label`` int32 ``[N]``. Metrics: accuracy and macro F1.
"""
from __future__ import annotations

import bisect
import dataclasses
import pathlib
import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from bert_jax.data.text import sentence_spans
from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.metrics import glue_metrics
from bert_jax.models.heads import BertForTask
from bert_jax.models.xdc import HAN, BertXDC
from bert_jax.tasks import classification, sources
from bert_jax.tasks.readers import TextExample, read_glue_tsv

HEAD = 'xdc'
MODELS = ('xdc', 'cls', 'han')
KEYS = ('input_ids', 'token_type_ids', 'attention_mask', 'sentence_ids')
Span = tuple[int, int]


# ----------------------------------------------------------------------------
# Documents -> windows of whole sentences.
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class DocumentWindows:
  """One document's model inputs and how they map back to its text."""
  arrays: dict[str, np.ndarray]  # KEYS, int32 [W, L]
  pieces: np.ndarray             # int32 [W, L]: index of the word piece there, -1 if none
  offsets: list[Span]            # per word piece of the text: character (start, end)
  sentences: list[Span]          # character spans of the sentences (ids 1..S in order)
  truncated: bool                # pieces or sentences beyond max_windows / max_sentences


def pack_sentences(lengths: Sequence[int], room: int, max_windows: int
                   ) -> list[list[tuple[int, int]]]:
  """Windows of ``(sentence, piece within it)``: whole sentences in order; a sentence that
  does not fit in the room left starts a new window unless it is longer than a window
  (then it fills the current one and continues in the next). At most ``max_windows``."""
  windows: list[list[tuple[int, int]]] = [[]]
  for s, n in enumerate(lengths):
    left = room - len(windows[-1])
    if windows[-1] and n > left and n <= room:
      windows.append([])
    for j in range(n):
      if len(windows[-1]) == room:
        windows.append([])
      windows[-1].append((s, j))
  windows = [w for w in windows if w]
  return windows[:max_windows]


def document_windows(tokenizer: Any, text: str, *, max_seq_length: int, max_windows: int,
                     max_sentences: int) -> DocumentWindows:
  """``text`` as ``max_windows`` fixed-shape windows of whole sentences (module doc)."""
  room = max_seq_length - 2
  if room < 1:
    raise InputError(f'max_seq_length={max_seq_length} leaves no room for text.')
  enc = tokenizer.encode(text)
  ids, offsets = enc.input_ids[1:-1], [tuple(o) for o in enc.offsets[1:-1]]
  all_sentences = sentence_spans(text)
  sentences = all_sentences[:max_sentences]
  starts = [s for s, _ in sentences]
  members: list[list[int]] = [[] for _ in sentences]  # piece indices per sentence
  for p, (s, e) in enumerate(offsets):
    i = bisect.bisect_right(starts, s) - 1
    if i >= 0 and (s < sentences[i][1] or s == e == sentences[i][0]):
      members[i].append(p)
  windows = pack_sentences([len(m) for m in members], room, max_windows)
  arrays = {k: np.zeros((max_windows, max_seq_length), np.int32) for k in KEYS}
  pieces = np.full((max_windows, max_seq_length), -1, np.int32)
  for w, slots in enumerate(windows):
    arrays['input_ids'][w, 0] = tokenizer.cls_id
    for t, (s, j) in enumerate(slots, start=1):
      p = members[s][j]
      arrays['input_ids'][w, t] = ids[p]
      arrays['sentence_ids'][w, t] = s + 1
      pieces[w, t] = p
    arrays['input_ids'][w, len(slots) + 1] = tokenizer.sep_id
    arrays['attention_mask'][w, :len(slots) + 2] = 1
  kept = sum(len(w) for w in windows)
  truncated = len(all_sentences) > max_sentences or kept < sum(len(m) for m in members)
  return DocumentWindows(arrays, pieces, offsets, sentences, truncated)


# ----------------------------------------------------------------------------
# The task interface (bert_jax/tasks/__init__.py).
# ----------------------------------------------------------------------------
def load_examples(cfg: Any, split: str) -> tuple[list[TextExample], str]:
  """Documents of ``split`` from a TSV file (``data.text_fields[0]``, ``data.label_field``)."""
  kind, spec = sources.split_spec(cfg.data, split)
  if kind != 'file':
    raise InputError(f'--config.task=xdc reads TSV files; set --config.data.{split}_file.')
  path = sources.resolve_path(spec, f'--config.data.{split}_file')
  labelled = split != 'predict'
  examples = read_glue_tsv(path, tuple(cfg.data.text_fields)[:1],
                           cfg.data.label_field if labelled else None,
                           label_set=(set(cfg.data.labels) or None) if labelled else None)
  return sources.require_examples(examples, str(path)), str(path)


def label_list(cfg: Any, train_examples: Sequence[TextExample]) -> list[str]:
  return list(cfg.data.labels) or sorted({e.label for e in train_examples})


def num_outputs(cfg: Any, labels: Sequence[str]) -> int:
  del cfg
  return len(labels)


def main_metric(cfg: Any) -> str:
  """The dev metric that picks the best checkpoint: ``classification.main_metric``."""
  return classification.main_metric(cfg)


frozen_params = classification.frozen_params
predict_config = classification.predict_config


def make_features(examples: Sequence[TextExample], tokenizer, cfg: Any,
                  labels: Sequence[str], *, labelled: bool = True
                  ) -> tuple[dict[str, np.ndarray], list[DocumentWindows]]:
  """Arrays (module doc) and, as meta, each document's ``DocumentWindows``."""
  x = cfg.xdc
  index = {l: i for i, l in enumerate(labels)}
  docs, ys = [], []
  for ex in examples:
    docs.append(document_windows(tokenizer, ex.texts[0], max_seq_length=cfg.data.max_seq_length,
                                 max_windows=x.max_windows, max_sentences=x.max_sentences))
    if labelled and ex.label not in index:
      raise InputError(f'example at line {ex.line}: unknown label {ex.label!r}; expected one '
                       f'of {list(labels)}.')
    ys.append(index[ex.label] if labelled else 0)
  cut = sum(d.truncated for d in docs)
  if cut:
    warnings.warn(f'{cut} of {len(docs)} documents were longer than max_windows='
                  f'{x.max_windows} x data.max_seq_length={cfg.data.max_seq_length} or max_sentences='
                  f'{x.max_sentences}; their ends were dropped.', stacklevel=2)
  arrays = {k: np.stack([d.arrays[k] for d in docs]) for k in KEYS}
  arrays['label'] = np.asarray(ys, np.int32)
  return arrays, docs


def make_model(model_cfg, cfg: Any, n_outputs: int, rngs):
  x = cfg.xdc
  if x.model == 'xdc':
    return BertXDC(model_cfg, num_outputs=n_outputs, kernel_size=x.kernel_size,
                   conv_features=x.conv_features, attention_size=x.attention_size,
                   max_sentences=x.max_sentences, rngs=rngs)
  if x.model == 'cls':
    return BertForTask(model_cfg, head='classification', num_outputs=n_outputs,
                       head_init=cfg.head_init, rngs=rngs)
  if x.model == 'han':
    return HAN(model_cfg, num_outputs=n_outputs, embed_size=x.han_embed_size,
               gru_size=x.han_gru_size, attention_size=x.attention_size or 2 * x.han_gru_size,
               max_sentences=x.max_sentences, rngs=rngs)
  raise InputError(f'--config.xdc.model={x.model!r}; expected one of {MODELS}.')


def forward(model, batch: dict[str, jax.Array], rng=None) -> dict[str, jax.Array]:
  """``{'logits' [B, C]}`` plus, for the attention models, ``word_attention [B, W, L]`` and
  ``sentence_attention [B, S]``."""
  if isinstance(model, BertForTask):  # [CLS] baseline: mean of the windows' logits
    ids = batch['input_ids']
    b, w, l = ids.shape
    flat = lambda v: v.reshape(b * w, l)
    logits = model(flat(ids), flat(batch['token_type_ids']),
                   make_attention_mask(flat(batch['attention_mask'])), rng=rng)
    real = (batch['attention_mask'][:, :, 0] > 0).astype(jnp.float32)  # [B, W]
    logits = logits.reshape(b, w, -1)
    return {'logits': (logits * real[..., None]).sum(1) / jnp.maximum(real.sum(1), 1.0)[:, None]}
  out = model(batch['input_ids'], batch['token_type_ids'], batch['attention_mask'],
              batch['sentence_ids'], rng=rng)
  return out._asdict()


def make_loss_fn(cfg: Any):
  del cfg

  def loss_fn(model, batch, rng):
    logits = forward(model, batch, rng)['logits']
    w = batch.get('weight')
    w = jnp.ones(logits.shape[0], jnp.float32) if w is None else w.astype(jnp.float32)
    denom = jnp.maximum(w.sum(), 1.0)
    per = optax.softmax_cross_entropy_with_integer_labels(logits, batch['label'])
    acc = (jnp.argmax(logits, -1) == batch['label']).astype(jnp.float32)
    return (per * w).sum() / denom, {'accuracy': (acc * w).sum() / denom}

  return loss_fn


def predict_fn(model, batch):
  return forward(model, batch, None)


def postprocess(cfg: Any, examples, meta, outputs: dict[str, np.ndarray], labels) -> np.ndarray:
  del cfg, examples, meta, labels
  return np.argmax(outputs['logits'], axis=-1)


def score(cfg: Any, examples, arrays: dict[str, np.ndarray], result: np.ndarray
          ) -> dict[str, float]:
  del examples
  return glue_metrics(cfg.classification.metric, result, arrays['label'])


def write_predictions(cfg: Any, directory: pathlib.Path, examples: Sequence[TextExample],
                      result: np.ndarray, labels: Sequence[str]) -> list[pathlib.Path]:
  return classification.write_predictions(cfg, directory, examples, result, labels)
