"""The grain pipeline: batch contract, determinism, process shards, exact resume, eval."""
import json

import grain
import numpy as np
import orbax.checkpoint as ocp
import pytest

from bert_jax.data import make_pretrain_iterator, mlm_majority_baseline, split_documents
from bert_jax.data import pretraining
from test_data_support import built, data_config

KEYS = {'input_ids', 'token_type_ids', 'attention_mask', 'masked_lm_positions',
        'masked_lm_ids', 'masked_lm_weights', 'next_sentence_label'}


@pytest.fixture(scope='module', autouse=True)
def embedded():
  return built('embedded')


def _iterator(seed=0, batch=8, split='train', process_index=0, process_count=1, **overrides):
  cfg = data_config(**overrides)
  it, tok = make_pretrain_iterator(cfg, global_batch_size=batch, seed=seed, split=split,
                                   process_index=process_index, process_count=process_count)
  return it, tok


def _take(it, n):
  return [next(it) for _ in range(n)]


def _assert_same(xs, ys):
  assert len(xs) == len(ys)
  for x, y in zip(xs, ys):
    assert x.keys() == y.keys()
    for k in x:
      np.testing.assert_array_equal(x[k], y[k], err_msg=k)


def test_batch_contract():
  it, tok = _iterator(batch=8, process_count=2, process_index=1)
  b = next(it)
  assert set(b) == KEYS
  assert b['input_ids'].shape == (4, 128) and b['masked_lm_ids'].shape == (4, 20)
  assert b['next_sentence_label'].shape == (4,)
  for k, v in b.items():
    assert v.dtype == (np.float32 if k == 'masked_lm_weights' else np.int32), k
  assert (b['input_ids'] < tok.vocab_size).all() and (b['input_ids'] >= 0).all()
  json.dumps(it.get_state())  # What Orbax stores must be JSON.


def test_same_seed_same_batches_other_seed_other_batches():
  a = _take(_iterator(seed=3, prefetch=2)[0], 4)
  b = _take(_iterator(seed=3, prefetch=0)[0], 4)
  _assert_same(a, b)
  c = _take(_iterator(seed=4)[0], 1)
  assert not np.array_equal(a[0]['input_ids'], c[0]['input_ids'])


def test_process_shards_are_disjoint_and_cover_the_documents(embedded):
  corpus, _ = embedded
  train, _ = split_documents(len(corpus.documents), 0.05)
  seen = []
  for p in range(3):
    docs = pretraining.process_documents(train, p, 3)
    stream = pretraining.document_stream(docs, seed=0)
    epoch = [stream[i][0] for i in range(len(docs))]
    assert sorted(epoch) == sorted(docs.tolist())  # Each of its documents once per epoch.
    seen.append(set(epoch))
  assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
  assert set.union(*seen) == set(train.tolist())
  # And with data.process_split='documents' the batches two processes get share no example.
  rows = [{r.tobytes() for b in _take(_iterator(process_index=p, process_count=2,
                                                process_split='documents')[0], 3)
           for r in b['input_ids']} for p in range(2)]
  assert len(rows[0]) == len(rows[1]) == 12 and not rows[0] & rows[1]


def test_default_process_split_cuts_the_one_global_stream():
  """data.process_split='batches' (default): process p of 2 gets rows [4p, 4p+4) of the
  batches one process gets, so the stream (and a checkpointed position) does not depend
  on the process count."""
  whole = _take(_iterator(batch=8)[0], 3)
  halves = [_take(_iterator(batch=8, process_index=p, process_count=2)[0], 3) for p in range(2)]
  for i, batch in enumerate(whole):
    for key, value in batch.items():
      np.testing.assert_array_equal(
          np.concatenate([halves[0][i][key], halves[1][i][key]]), value, err_msg=key)
  it = _iterator(batch=8, process_index=1, process_count=2)[0]
  _take(it, 2)
  resumed = _iterator(batch=8)[0]
  resumed.set_state(it.get_state())  # a 2-process position adopted by 1 process
  np.testing.assert_array_equal(next(resumed)['input_ids'], whole[2]['input_ids'])


def test_epochs_reshuffle_and_masking_generations():
  docs = np.arange(10, 20)
  dynamic = pretraining.document_stream(docs, seed=0, dupe_factor=2, dynamic=True)
  static = pretraining.document_stream(docs, seed=0, dupe_factor=2, dynamic=False)
  e0 = [dynamic[i] for i in range(20)]
  e1 = [dynamic[i] for i in range(20, 40)]
  assert sorted(d for d, _ in e0) == sorted(2 * docs.tolist())
  assert [d for d, _ in e0] != [d for d, _ in e1]  # A new order every epoch.
  assert {g for _, g in e0} == {0, 1} and {g for _, g in e1} == {2, 3}  # New masks.
  assert {static[i][1] for i in range(40)} == {0, 1}  # Static: dupe_factor fixed copies.


@pytest.mark.parametrize('overrides', [
    {'prefetch': 2},
    {'packing': True, 'short_seq_prob': 0.5},
    {'dynamic_masking': False, 'dupe_factor': 2, 'whole_word_masking': True},
], ids=['prefetch', 'packing', 'static'])
def test_restore_after_k_batches_continues_exactly(overrides):
  it, _ = _iterator(seed=1, **overrides)
  _take(it, 3)
  state = json.loads(json.dumps(it.get_state()))
  expected = _take(it, 4)
  fresh, _ = _iterator(seed=1, **overrides)
  fresh.set_state(state)
  _assert_same(_take(fresh, 4), expected)


def test_orbax_saves_and_restores_the_iterator(tmp_path):
  it, _ = _iterator(seed=2, prefetch=2)
  _take(it, 2)
  with ocp.CheckpointManager(tmp_path / 'ckpt') as mngr:
    mngr.save(2, args=ocp.args.Composite(data_iter=grain.checkpoint.CheckpointSave(it)))
    mngr.wait_until_finished()
  expected = _take(it, 3)
  fresh, _ = _iterator(seed=2, prefetch=2)
  with ocp.CheckpointManager(tmp_path / 'ckpt') as mngr:
    mngr.restore(mngr.latest_step(),
                 args=ocp.args.Composite(data_iter=grain.checkpoint.CheckpointRestore(fresh)))
  _assert_same(_take(fresh, 3), expected)


def test_worker_processes_give_the_same_batches():
  a = _take(_iterator(seed=5, worker_count=1)[0], 3)
  b = _take(_iterator(seed=5, worker_count=0)[0], 3)
  _assert_same(a, b)


def test_packing_rows_are_consistent():
  it, tok = _iterator(batch=8, packing=True, short_seq_prob=1.0)
  b = next(it)
  assert set(b) == KEYS | {'segment_ids', 'position_ids', 'cls_positions',
                           'next_sentence_weights'}
  seg, pos = b['segment_ids'], b['position_ids']
  assert seg.max() > 1  # Several sequences share a row.
  assert b['cls_positions'].shape == b['next_sentence_label'].shape == (8, 8)  # S = 8
  assert (b['attention_mask'] == (seg > 0)).all()
  for row in range(len(seg)):
    n = seg[row].max()
    assert b['next_sentence_weights'][row].tolist() == [1.0] * n + [0.0] * (8 - n)
    for s in range(1, n + 1):
      idx = np.flatnonzero(seg[row] == s)
      assert (pos[row, idx] == np.arange(len(idx))).all()
      assert b['input_ids'][row, idx[0]] == tok.cls_id
      assert b['cls_positions'][row, s - 1] == idx[0]  # Each sequence's NSP pools its [CLS].
  assert set(np.unique(b['next_sentence_label'][b['next_sentence_weights'] > 0])) == {0, 1}
  w = b['masked_lm_weights'] > 0
  rows, cols = np.nonzero(w)
  assert (seg[rows, b['masked_lm_positions'][rows, cols]] > 0).all()
  assert not np.isin(b['masked_lm_ids'][w], [tok.cls_id, tok.sep_id, tok.pad_id]).any()


def test_eval_split_is_finite_fixed_and_split_between_processes():
  full = list(_iterator(batch=16, split='eval', seed=0)[0])
  again = list(_iterator(batch=16, split='eval', seed=99)[0])
  _assert_same(full, again)  # Held-out examples do not depend on the run's seed.
  assert 5 <= len(full) < 100
  halves = [list(_iterator(batch=16, split='eval', process_index=p, process_count=2)[0])
            for p in range(2)]
  assert len(halves[0]) == len(halves[1]) == len(full)
  for whole, h0, h1 in zip(full, *halves):
    np.testing.assert_array_equal(whole['input_ids'],
                                  np.concatenate([h0['input_ids'], h1['input_ids']]))


def test_eval_documents_never_train(embedded):
  corpus, _ = embedded
  train, held_out = split_documents(len(corpus.documents), 0.05)
  assert not set(train) & set(held_out)
  assert len(held_out) == round(0.05 * len(corpus.documents))
  # Growing the held-out fraction only moves documents from train to eval.
  train2, held_out2 = split_documents(len(corpus.documents), 0.1)
  assert set(held_out) <= set(held_out2)


def test_mlm_majority_baseline():
  batch = {'masked_lm_ids': np.array([[5, 5, 7, 0], [5, 8, 0, 0]]),
           'masked_lm_weights': np.array([[1, 1, 1, 0], [1, 1, 0, 0]], np.float32),
           'next_sentence_label': np.array([1, 1])}
  base = mlm_majority_baseline([batch, {**batch, 'next_sentence_label': np.array([0, 1])}])
  assert base['mlm_token_id'] == 5 and base['mlm_accuracy'] == pytest.approx(6 / 10)
  assert base['nsp_accuracy'] == pytest.approx(3 / 4) and base['num_examples'] == 4
  packed = {**batch, 'next_sentence_label': np.array([[1, 0, 0], [1, 1, 0]]),
            'next_sentence_weights': np.array([[1, 1, 0], [1, 0, 0]], np.float32)}
  base = mlm_majority_baseline([packed])  # Empty slots (weight 0) are not examples.
  assert base['num_examples'] == 3 and base['nsp_accuracy'] == pytest.approx(2 / 3)
  it, _ = _iterator(batch=16, split='eval')
  real = mlm_majority_baseline(it)
  assert 0.02 < real['mlm_accuracy'] < 0.2 and real['num_predictions'] > 1000
