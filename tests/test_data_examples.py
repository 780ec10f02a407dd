"""BERT's example statistics, measured on > 100k tokens of the embedded corpus.

Masking 15 % (80/10/10), never a special token; NSP 50 %; IsNext pairs are consecutive
text of one document, NotNext segments come from another; whole-word masking.
"""
import dataclasses

import numpy as np
import pytest

from bert_jax.data import ExampleOptions, PretrainingExamples, split_documents
from bert_jax.data import masking
from test_data_support import built, data_config


@pytest.fixture(scope='module')
def embedded():
  corpus, tok = built('embedded')
  train, _ = split_documents(len(corpus.documents), 0.05)
  return corpus, tok, train


def _maker(embedded, **options):
  corpus, tok, train = embedded
  return PretrainingExamples(corpus.documents, train, tok, seed=7,
                             options=ExampleOptions.from_config(data_config(**options)))


@pytest.fixture(scope='module')
def generations(embedded):
  """Every training document's examples, generations 0..3 (~17k examples, 1.9M tokens)."""
  maker = _maker(embedded)
  examples = [e for g in range(4) for d in embedded[2] for e in maker(d, g)]
  return {k: np.stack([e[k] for e in examples]) for k in examples[0]}


def test_enough_tokens_and_shapes(generations):
  assert generations['attention_mask'].sum() > 100_000
  assert generations['input_ids'].shape[1] == 128
  assert generations['masked_lm_ids'].shape[1] == 20
  assert generations['masked_lm_weights'].dtype == np.float32
  assert generations['input_ids'].dtype == np.int32
  assert generations['next_sentence_label'].shape == (len(generations['input_ids']),)


def _original_ids(ex):
  """Unmasked input ids of every example."""
  original = ex['input_ids'].copy()
  rows, cols = np.nonzero(ex['masked_lm_weights'])
  original[rows, ex['masked_lm_positions'][rows, cols]] = ex['masked_lm_ids'][rows, cols]
  return original


def test_masked_fraction_and_80_10_10(generations, embedded):
  ex, tok = generations, embedded[1]
  w = ex['masked_lm_weights'] > 0
  assert abs(w.sum() / ex['attention_mask'].sum() - 0.15) < 0.01
  rows, cols = np.nonzero(w)
  shown = ex['input_ids'][rows, ex['masked_lm_positions'][rows, cols]]
  target = ex['masked_lm_ids'][rows, cols]
  as_mask = np.mean(shown == tok.mask_id)
  kept = np.mean(shown == target)
  random = 1 - as_mask - kept
  assert abs(as_mask - 0.8) < 0.02 and abs(kept - 0.1) < 0.02 and abs(random - 0.1) < 0.02, (
      as_mask, kept, random)
  assert (w.sum(1) <= 20).all()


def test_no_special_token_is_ever_masked(generations, embedded):
  ex, tok = generations, embedded[1]
  w = ex['masked_lm_weights'] > 0
  rows, cols = np.nonzero(w)
  positions = ex['masked_lm_positions'][rows, cols]
  original = _original_ids(ex)
  assert not np.isin(original[rows, positions], [tok.cls_id, tok.sep_id, tok.pad_id]).any()
  assert (ex['attention_mask'][rows, positions] == 1).all()
  # [CLS] first, and exactly two [SEP] in every sequence, none of them touched.
  assert (ex['input_ids'][:, 0] == tok.cls_id).all()
  assert ((ex['input_ids'] == tok.sep_id).sum(1) == 2).all()
  # Padding rows of the prediction slots have weight 0 and point at position 0.
  assert (ex['masked_lm_positions'][~w] == 0).all()


def test_nsp_labels_are_balanced(generations):
  assert abs(generations['next_sentence_label'].mean() - 0.5) < 0.02


def test_token_types_and_padding(generations, embedded):
  ex, tok = generations, embedded[1]
  lengths = ex['attention_mask'].sum(1)
  for row in range(0, len(lengths), 97):
    n = lengths[row]
    seps = np.flatnonzero(ex['input_ids'][row] == tok.sep_id)
    assert seps[-1] == n - 1
    assert (ex['token_type_ids'][row, :seps[0] + 1] == 0).all()
    assert (ex['token_type_ids'][row, seps[0] + 1:n] == 1).all()
    assert (ex['input_ids'][row, n:] == tok.pad_id).all()


def _flat_offsets(maker, doc):
  sentences = maker.tokenized(doc)
  starts = np.concatenate([[0], np.cumsum([len(s) for s in sentences])])
  return [t for s in sentences for t in s], starts


def test_isnext_is_consecutive_and_notnext_from_another_document(embedded):
  maker = _maker(embedded)
  train = set(int(d) for d in embedded[2])
  counts = {'next': 0, 'exact': 0, 'random': 0}
  for doc in embedded[2][:150]:
    flat, starts = _flat_offsets(maker, int(doc))
    for pair in maker.pairs(int(doc), maker.rng(int(doc), 0)):
      a0 = starts[pair.a.sentence] + pair.a.offset
      assert pair.a.doc == doc and pair.tokens_a == flat[a0:a0 + pair.a.length]
      if pair.is_random_next:
        counts['random'] += 1
        assert pair.b.doc != doc and pair.b.doc in train
        b_flat, b_starts = _flat_offsets(maker, pair.b.doc)
        b0 = b_starts[pair.b.sentence] + pair.b.offset
        assert pair.tokens_b == b_flat[b0:b0 + pair.b.length]
      else:
        counts['next'] += 1
        assert pair.b.doc == doc
        b0 = starts[pair.b.sentence] + pair.b.offset
        assert pair.tokens_b == flat[b0:b0 + pair.b.length]
        assert a0 + pair.a.length <= b0
        if len(pair.tokens_a) + len(pair.tokens_b) < 125:  # Not truncated: no gap at all.
          counts['exact'] += 1
          assert a0 + pair.a.length == b0
  assert min(counts.values()) > 50, counts


def _words(ids, word_start, special):
  """[start, end) of each word (a word start and its continuation pieces)."""
  bounds = []
  for i, t in enumerate(ids):
    if t in special:
      continue
    if word_start[t] or not bounds or bounds[-1][1] != i:
      bounds.append([i, i + 1])
    else:
      bounds[-1][1] = i + 1
  return bounds


@pytest.mark.parametrize('whole_word', [True, False])
def test_whole_word_masking_masks_all_pieces_or_none(embedded, whole_word):
  maker = _maker(embedded, whole_word_masking=whole_word)
  tok = embedded[1]
  spec = maker.spec
  special = {tok.cls_id, tok.sep_id, tok.pad_id}
  partial = multi_piece_masked = 0
  for doc in embedded[2][:60]:
    for ex in maker(int(doc), 0):
      w = ex['masked_lm_weights'] > 0
      predicted = set(ex['masked_lm_positions'][w].tolist())
      original = ex['input_ids'].copy()
      original[ex['masked_lm_positions'][w]] = ex['masked_lm_ids'][w]
      n = int(ex['attention_mask'].sum())
      for start, end in _words(original[:n].tolist(), spec.word_start, special):
        hit = sum(i in predicted for i in range(start, end))
        partial += 0 < hit < end - start
        multi_piece_masked += hit == end - start > 1
  if whole_word:
    assert partial == 0 and multi_piece_masked > 20
  else:
    assert partial > 20  # The check above can fail: token masking splits words.


def test_masking_budget_follows_bert():
  """num_to_predict = min(max, max(1, round(len * p))); [UNK] can be masked."""
  spec = masking.MaskingSpec(mask_id=4, unmaskable_ids=np.array([0, 2, 3, 4]),
                             word_start=np.ones(100, bool), random_ids=np.arange(5, 100),
                             masked_lm_prob=0.15, max_predictions=20)
  rng = np.random.default_rng(0)
  for length, expected in ((10, 2), (3, 1), (128, 19), (400, 20)):
    ids = np.array([2] + [1] * (length - 2) + [3])  # [CLS] [UNK]... [SEP]
    _, positions, labels = masking.mask_tokens(ids, rng, spec)
    assert len(positions) == min(expected, length - 2)
    assert (labels == 1).all()


def test_examples_are_a_function_of_seed_generation_and_document(embedded):
  a, b = _maker(embedded), _maker(embedded)
  doc = int(embedded[2][3])
  same = [np.array_equal(x['input_ids'], y['input_ids']) for x, y in zip(a(doc, 0), b(doc, 0))]
  assert all(same) and same
  other = b(doc, 1)
  assert not all(np.array_equal(x['input_ids'], y['input_ids'])
                 for x, y in zip(a(doc, 0), other))
  with pytest.raises(dataclasses.FrozenInstanceError):
    a.options.max_seq_length = 3
