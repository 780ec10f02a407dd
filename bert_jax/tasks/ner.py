"""Token tagging (CoNLL-2003 NER, the seed's input (d)), fine-tuned or feature-based.

Each word's label sits on its first word piece; the other pieces are ignored by the loss
and the prediction (BERT paper, section 5.3). Scores are entity-level precision / recall /
F1 equal to seqeval's (``bert_jax.metrics.ner``).

The feature-based variant (the seed's table, ``ner.feature_combination`` other than
'last' and ``ner.freeze_encoder``): the encoder is frozen and its hidden states are
combined by ``bert_jax.models.hidden_layers.combine_layers`` (first / last / sum_all /
second_to_last / sum_last_four / concat_last_four) into a linear or BiLSTM tagger
(``ner.tagger``).

Words past ``data.max_seq_length`` word pieces are predicted ``O`` (and warned about), so the
reported F1 counts them as missed, never silently drops them.
"""
from __future__ import annotations

import dataclasses
import pathlib
import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.metrics import ner as ner_metrics
from bert_jax.models.heads import BertForTask
from bert_jax.tasks import sources
from bert_jax import fileio
from bert_jax.tasks.readers import read_conll

HEAD = 'tagging'
CONLL2003_LABELS = ('O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC',
                    'I-MISC')


@dataclasses.dataclass(frozen=True)
class Sentence:
  words: tuple[str, ...]
  tags: tuple[str, ...] | None  # None when unlabelled


# ----------------------------------------------------------------------------
# Examples.
# ----------------------------------------------------------------------------
def load_examples(cfg: Any, split: str) -> tuple[list[Sentence], str]:
  """Sentences of ``split`` ('train', 'dev', 'predict') and where they came from.

  Every tag must be in ``data.labels``: an unknown label is an error naming the file
  and line (or TFDS example).
  """
  data = cfg.data
  kind, spec = sources.split_spec(data, split)
  labelled = split != 'predict'
  labels = set(data.labels)
  if kind == 'file':
    path = sources.resolve_path(spec, f'--config.data.{split}_file')
    if labelled:
      rows = read_conll(path, label_set=labels)
      sentences = [Sentence(tuple(w), tuple(t)) for w, t in rows]
    else:  # one token per line (extra columns ignored: the first is the word)
      sentences = [Sentence(tuple(w), None) for w, _ in _read_words(path)]
    where = str(path)
  else:
    records, info = sources.tfds_records(data.tfds_name, spec, data.tfds_data_dir)
    names = sources.class_names(info, data.tag_field)
    sentences = []
    for i, r in enumerate(records):
      tags = None
      if labelled:
        tags = tuple(names[t] if names else str(t) for t in np.asarray(r[data.tag_field]).tolist())
        bad = [t for t in tags if t not in labels]
        if bad:
          raise InputError(f'TFDS {data.tfds_name}:{spec} example {i}: unknown label '
                           f'{bad[0]!r}; expected one of {sorted(labels)}.')
      sentences.append(Sentence(tuple(r[data.tokens_field]), tags))
    where = f'TFDS {data.tfds_name}:{spec}'
  return sources.require_examples(sentences, where), where


def _read_words(path: pathlib.Path) -> list[tuple[list[str], list[str]]]:
  out, words = [], []
  for _, line in fileio.read_lines(path, what='CoNLL file'):
    fields = line.split()
    if not fields or fields[0] == '-DOCSTART-':
      if words:
        out.append((words, []))
        words = []
      continue
    words.append(fields[0])
  if words:
    out.append((words, []))
  return out


def label_list(cfg: Any, train_examples: Sequence[Sentence]) -> list[str]:
  del train_examples
  return list(cfg.data.labels)


def num_outputs(cfg: Any, labels: Sequence[str]) -> int:
  del cfg
  return len(labels)


def main_metric(cfg: Any) -> str:
  """The dev metric that picks the best checkpoint: entity-level F1."""
  del cfg
  return 'f1'


def frozen_params(cfg: Any) -> str:
  """``bert`` (the encoder) with ``ner.freeze_encoder`` (the feature-based approach)."""
  return 'bert' if cfg.ner.freeze_encoder else ''


def predict_config(cfg: Any, dev_metrics: dict[str, float]) -> Any:
  """The config ``--config.mode=predict`` runs with: ``cfg`` (no setting comes from dev)."""
  del dev_metrics
  return cfg


# ----------------------------------------------------------------------------
# Features.
# ----------------------------------------------------------------------------
def first_pieces(tokenizer, words: Sequence[str], max_seq_length: int
                 ) -> tuple[list[int], list[int]]:
  """(input_ids with [CLS]/[SEP], index in it of each word's first piece or -1)."""
  text, starts, pos = [], [], 0
  for w in words:
    starts.append(pos)
    text.append(w)
    pos += len(w) + 1
  enc = tokenizer.encode(' '.join(text), max_length=max_seq_length)
  first = [-1] * len(words)
  w = 0
  for t, (s, e) in enumerate(enc.offsets):
    if enc.special_tokens_mask[t] or e <= s:
      continue
    while w + 1 < len(words) and s >= starts[w + 1]:
      w += 1
    if first[w] < 0 and starts[w] <= s < starts[w] + len(words[w]):
      first[w] = t
  return enc.input_ids, first


def make_features(examples: Sequence[Sentence], tokenizer, cfg: Any, labels: Sequence[str], *,
                  labelled: bool = True) -> tuple[dict[str, np.ndarray], list[list[int]]]:
  """Arrays ``input_ids, token_type_ids, attention_mask, label, label_mask`` [N, L] and,
  per sentence, the feature position of each word's first piece (-1: truncated)."""
  length = cfg.data.max_seq_length
  index = {l: i for i, l in enumerate(labels)}
  n = len(examples)
  ids = np.zeros((n, length), np.int32)
  mask = np.zeros((n, length), np.int32)
  label = np.zeros((n, length), np.int32)
  label_mask = np.zeros((n, length), np.int32)
  positions, lost = [], 0
  for i, ex in enumerate(examples):
    toks, first = first_pieces(tokenizer, ex.words, length)
    ids[i, :len(toks)] = toks
    mask[i, :len(toks)] = 1
    for w, p in enumerate(first):
      if p < 0:
        lost += 1
      elif labelled:
        label[i, p] = index[ex.tags[w]]
        label_mask[i, p] = 1
    positions.append(first)
  if lost:
    warnings.warn(f'{lost} words had no word piece within data.max_seq_length={length} (long '
                  'sentences, or characters the tokenizer drops); they are predicted "O".',
                  stacklevel=2)
  return ({'input_ids': ids, 'token_type_ids': np.zeros_like(ids), 'attention_mask': mask,
           'label': label, 'label_mask': label_mask}, positions)


# ----------------------------------------------------------------------------
# Model, loss, prediction.
# ----------------------------------------------------------------------------
def make_model(model_cfg, cfg: Any, n_outputs: int, rngs) -> BertForTask:
  n = cfg.ner
  return BertForTask(model_cfg, head=HEAD, num_outputs=n_outputs,
                     features=n.feature_combination, tagger=n.tagger, lstm_size=n.lstm_size,
                     freeze_encoder=n.freeze_encoder, head_init=cfg.head_init, rngs=rngs)


def forward(model, batch, rng=None):
  """Logits [B, L, C]."""
  return model(batch['input_ids'], batch['token_type_ids'],
               make_attention_mask(batch['attention_mask']),
               token_mask=batch['attention_mask'], rng=rng)


def make_loss_fn(cfg: Any):
  """Cross entropy over first word pieces (mean over labelled pieces)."""
  del cfg

  def loss_fn(model, batch, rng):
    logits = forward(model, batch, rng)
    m = batch['label_mask'].astype(jnp.float32)
    if 'weight' in batch:
      m = m * batch['weight'].astype(jnp.float32)[:, None]
    per = optax.softmax_cross_entropy_with_integer_labels(logits, batch['label'])
    denom = jnp.maximum(m.sum(), 1.0)
    acc = (jnp.argmax(logits, -1) == batch['label']).astype(jnp.float32)
    return (per * m).sum() / denom, {'token_accuracy': (acc * m).sum() / denom}

  return loss_fn


def predict_fn(model, batch):
  return {'tag_ids': jnp.argmax(forward(model, batch, None), axis=-1).astype(jnp.int32)}


# ----------------------------------------------------------------------------
# Metrics and predictions.
# ----------------------------------------------------------------------------
def postprocess(cfg: Any, examples: Sequence[Sentence], meta: Sequence[Sequence[int]],
                outputs: dict[str, np.ndarray], labels: Sequence[str]) -> list[list[str]]:
  """Word-level tags (the first piece's; 'O' for words that did not fit). ``meta``: the
  position of each word's first piece, per sentence (``make_features``)."""
  del cfg, examples
  return [[labels[int(outputs['tag_ids'][i, p])] if p >= 0 else 'O' for p in first]
          for i, first in enumerate(meta)]


def score(cfg: Any, examples: Sequence[Sentence], arrays: dict[str, np.ndarray],
          result: list[list[str]]) -> dict[str, float]:
  """Entity-level micro precision / recall / F1 (= seqeval) + per type F1."""
  del cfg, arrays
  golds = [list(e.tags) for e in examples]
  report = ner_metrics.entity_report(golds, result)
  metrics = {k: float(v) for k, v in ner_metrics.precision_recall_f1(golds, result).items()}
  for type_, s in report.items():
    if type_ != 'overall':
      metrics[f'f1_{type_}'] = float(s.f1)
  return metrics


def write_predictions(cfg: Any, directory: pathlib.Path, examples: Sequence[Sentence],
                      result: Sequence[Sequence[str]], labels: Sequence[str] = ()
                      ) -> list[pathlib.Path]:
  """``predictions.txt``: ``word [gold] pred`` lines, blank between sentences; with gold
  tags it is the input of ``python -m bert_jax.metrics.conlleval``."""
  del cfg, labels
  directory.mkdir(parents=True, exist_ok=True)
  path = directory / 'predictions.txt'
  with open(path, 'w', encoding='utf-8') as f:
    for ex, tags in zip(examples, result):
      for w, word in enumerate(ex.words):
        gold = f' {ex.tags[w]}' if ex.tags is not None else ''
        f.write(f'{word}{gold} {tags[w]}\n')
      f.write('\n')
  return [path]
