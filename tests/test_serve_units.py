"""The serving pieces that need no model: explain's windows and word sums, mrc's way back
to the passage, the app's request checks and highlighting (milliseconds, no training)."""
import numpy as np
import pytest

from bert_jax.errors import InputError
from bert_jax.serve import app as app_lib
from bert_jax.serve import explain as explain_lib
from bert_jax.serve import mrc
from bert_jax.tasks import squad
from bert_jax.tasks.config import base_config
from test_train_support import char_wordpiece


@pytest.fixture(scope='module')
def tokenizer(tmp_path_factory):
  """Characters as pieces: every Hangul syllable / letter a piece of its own."""
  return char_wordpiece(tmp_path_factory.mktemp('vocab'))


def test_explain_averages_overlapping_windows_and_sums_pieces_per_word(tokenizer):
  text = '오늘 날씨가 맑다. 비 온다!'
  pieces = tokenizer.encode(text).offsets[1:-1]
  assert len(pieces) == 12  # one per character, punctuation included
  seen = []

  def predict(arrays):  # window w gives every token the score w + 1
    seen.append(arrays)
    n = len(arrays['input_ids'])
    return {'probs': np.tile([[0.25, 0.75]], (n, 1)),
            'cls_last': np.repeat(np.arange(1.0, n + 1)[:, None], 8, axis=1)}

  r = explain_lib.explain(text, tokenizer, predict, ['neg', 'pos'], max_seq_length=8, stride=3,
                          method='cls_last')
  arrays = seen[0]
  assert arrays['input_ids'].shape == (3, 8)  # 6 pieces per window, 3 apart: 0, 3, 6..12
  assert (arrays['input_ids'][:, 0] == tokenizer.cls_id).all()
  assert r['num_windows'] == 3 and r['label'] == 'pos' and r['probs'] == {'neg': .25, 'pos': .75}
  # piece i gets the mean of w + 1 over the windows w that hold it (pieces 3w .. 3w + 5)
  per_piece = [np.mean([w + 1 for w in range(3) if 3 * w <= i < 3 * w + 6]) for i in range(12)]
  words = [(0, 2), (3, 6), (7, 10), (11, 12), (13, 16)]  # 오늘 날씨가 맑다. 비 온다!
  want = [sum(p for p, (s, _) in zip(per_piece, pieces) if a <= s < b) for a, b in words]
  want = np.array(want) / sum(want)
  assert [(w['start'], w['end']) for w in r['words']] == words
  np.testing.assert_allclose([w['score'] for w in r['words']], want)
  assert [s['text'] for s in r['sentences']] == ['오늘 날씨가 맑다.', '비 온다!']
  np.testing.assert_allclose([s['score'] for s in r['sentences']],
                             [want[:3].sum(), want[3:].sum()])
  with pytest.raises(InputError, match='empty'):
    explain_lib.explain(' \n', tokenizer, predict, ['a', 'b'], max_seq_length=8)
  with pytest.raises(InputError, match='method'):
    explain_lib.explain(text, tokenizer, predict, ['a', 'b'], max_seq_length=8, method='grad')


def test_rollout_of_identity_attention_is_identity_and_cls_last_is_the_mean_of_heads():
  rng = np.random.default_rng(0)
  a = rng.random((3, 2, 4, 5, 5))
  a /= a.sum(-1, keepdims=True)
  np.testing.assert_allclose(explain_lib.cls_token_scores(a, 'cls_last'),
                             a[-1].mean(1)[:, 0], rtol=1e-6)
  eye = np.broadcast_to(np.eye(5), (3, 2, 4, 5, 5))
  np.testing.assert_allclose(explain_lib.attention_rollout(eye), np.broadcast_to(np.eye(5),
                                                                                 (2, 5, 5)))
  r = np.asarray(explain_lib.attention_rollout(a))
  np.testing.assert_allclose(r.sum(-1), 1.0, rtol=1e-5)


def _one_window(passage, offsets, start_logits, end_logits):
  n = len(offsets)
  windows = [squad.Window(example_index=0, first_token=2, token_offsets=offsets,
                          max_context=[True] * n)]
  pad = [-1e9] * (8 - 2 - n)
  outputs = {'start_logits': np.array([start_logits + pad], np.float32),
             'end_logits': np.array([end_logits + pad], np.float32)}
  return windows, outputs


def test_mrc_highlights_the_occurrence_the_logits_chose_not_the_first():
  passage = 'cat sat. cat ran.'
  offsets = [(0, 3), (4, 8), (9, 12), (13, 17)]  # cat | sat. | cat | ran.
  # [CLS] q | cat sat. cat ran.: the best span is the *second* 'cat' (token 4).
  windows, outputs = _one_window(passage, offsets, [0, -5, 1, 0, 6, 0], [0, -5, 1, 0, 6, 0])
  cfg = base_config('squad')
  a = mrc.decode(cfg, passage, 'who?', windows, outputs)
  assert (a['answer'], a['start'], a['end'], a['has_answer']) == ('cat', 9, 12, True)
  assert a['score'] == pytest.approx(12.0) and a['null_score'] is None  # v1.1
  # v2.0: a [CLS] score above the span's by more than the threshold -> no answer.
  cfg.squad.version_2_with_negative = True
  windows, outputs = _one_window(passage, offsets, [9, -5, 1, 0, 6, 0], [9, -5, 1, 0, 6, 0])
  a = mrc.decode(cfg, passage, 'who?', windows, outputs, null_threshold=0.0)
  assert (a['answer'], a['start'], a['end'], a['has_answer']) == ('', None, None, False)
  assert a['null_score'] == pytest.approx(18.0) and a['score'] == pytest.approx(12.0)
  a = mrc.decode(cfg, passage, 'who?', windows, outputs, null_threshold=6.5)
  assert (a['answer'], a['start']) == ('cat', 9)
  with pytest.raises(InputError, match='question is empty'):
    mrc.make_example(passage, '  ')


def test_request_fields_and_highlight_pieces():
  assert app_lib.text_field({'t': ' 안녕 '}, 't', 5) == ' 안녕 '
  for data, message in (({}, 'missing'), ({'t': None}, 'missing'), ({'t': 3}, 'string'),
                        ({'t': ['a']}, 'string'), ({'t': '\n'}, 'empty'),
                        ({'t': '안녕하세요!'}, 'at most 5')):
    with pytest.raises(InputError, match=message):
      app_lib.text_field(data, 't', 5)
  assert app_lib.method_field({}) == 'cls_last'
  with pytest.raises(InputError, match='method'):
    app_lib.method_field({'method': 'gradient'})

  text = '  서울 <b>맑음</b>\n비 '
  words = [{'start': s, 'end': e, 'score': sc}
           for (s, e), sc in zip(explain_lib.split_words(text), (0.2, 0.6, 0.2))]
  pieces = app_lib.shaded(text, words)
  assert ''.join(p['text'] for p in pieces) == text
  assert [p['level'] for p in pieces] == [None, 0.333, None, 1.0, None, 0.333, None]
  assert [p['text'] for p in pieces if p['level'] is not None] == ['서울', '<b>맑음</b>', '비']
  a = {'has_answer': True, 'start': 3, 'end': 5}
  assert [(p['text'], p['mark']) for p in app_lib.answer_pieces(text, a)] == [
      ('  서', False), ('울 ', True), (text[5:], False)]
  assert app_lib.answer_pieces(text, {'has_answer': False}) == [{'text': text, 'mark': False}]


def test_batcher_interleaves_requests_and_returns_each_its_own_rows():
  """A 1-row request queued behind a 40-row one rides in the next forward (round-robin),
  every request gets exactly its rows back in order, and a failing forward fails only
  the requests in it (the worker goes on)."""
  import threading  # pylint: disable=g-import-not-at-top
  from bert_jax.serve.batching import Batcher  # pylint: disable=g-import-not-at-top
  gate, seen = threading.Event(), []

  def run(rows):  # doubles each row; the first forward waits so that both requests queue
    gate.wait(10)
    seen.append(rows['x'][:, 0].tolist())
    if (rows['x'] < 0).any():
      raise ValueError('bad row')
    return {'y': 2 * rows['x'], 'n': rows['x'].sum(axis=1)}

  b = Batcher(run, batch_size=4)
  results = {}
  long = np.arange(40 * 3).reshape(40, 3)
  short = np.full((1, 3), 1000)
  t_long = threading.Thread(target=lambda: results.update(long=b({'x': long})))
  t_long.start()
  while not seen and b.forwards == 0 and not b._queue:  # the long one is queued first
    pass
  t_short = threading.Thread(target=lambda: results.update(short=b({'x': short})))
  t_short.start()
  while len(b._queue) < 2 and not seen:
    pass
  gate.set()
  t_long.join(10), t_short.join(10)
  np.testing.assert_array_equal(results['long']['y'], 2 * long)
  np.testing.assert_array_equal(results['long']['n'], long.sum(axis=1))
  np.testing.assert_array_equal(results['short']['y'], 2 * short)
  # The short request was in the first or second forward of ten, not after the long one.
  first_with_short = next(i for i, xs in enumerate(seen) if 1000 in xs)
  assert first_with_short <= 1 and len(seen) == 11 and b.max_requests_per_forward == 2
  with pytest.raises(ValueError, match='bad row'):
    b({'x': -np.ones((2, 3), int)})
  np.testing.assert_array_equal(b({'x': short})['y'], 2 * short)  # the worker lives on
