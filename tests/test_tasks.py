"""Fine-tuning task pieces in isolation: features, heads, losses, post-processing, errors."""
import json
import pathlib
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from bert_jax.convert.testing import minilm_dir
from bert_jax.errors import InputError
from bert_jax.metrics import squad as squad_metrics
from bert_jax.models import BertConfig
from bert_jax.models.heads import BertForTask
from bert_jax.tasks import classification, get_task, ner, squad
from bert_jax.tasks.config import base_config
from bert_jax.tasks.readers import Answer, SquadExample, read_conll, read_squad_json
from bert_jax.tasks.shipped import shipped_path
from bert_jax.tokenization import load_tokenizer, train_sentencepiece, train_wordpiece

MINILM = minilm_dir()


@pytest.fixture(scope='module')
def tokenizers(tmp_path_factory):
  """English: MiniLM's uncased WordPiece (or a trained one); Korean: SentencePiece and a
  cased WordPiece trained on the shipped SQuAD texts."""
  d = tmp_path_factory.mktemp('tok')
  lines = []
  for name in ('squad_en', 'squad_ko'):
    for split in ('train', 'dev'):
      for e in read_squad_json(shipped_path(f'{name}/{split}.json')):
        lines += [e.context, e.question]
  for name in ('ner_en', 'ner_ko'):
    lines += [' '.join(w) for w, _ in read_conll(shipped_path(f'{name}/train.txt'))]
  (d / 'corpus.txt').write_text('\n'.join(lines), encoding='utf-8')
  with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    toks = {
        'spm': train_sentencepiece(str(d / 'corpus.txt'), 800, d / 'spm'),
        'wordpiece_cased': train_wordpiece(str(d / 'corpus.txt'), 1500, d / 'wp',
                                           do_lower_case=False),
    }
    toks['english'] = load_tokenizer(MINILM) if MINILM else toks['wordpiece_cased']
  return toks


def squad_cfg(v2=True, max_seq_length=96, doc_stride=32):
  cfg = base_config('squad')
  cfg.squad.version_2_with_negative = v2
  cfg.data.max_seq_length = max_seq_length
  cfg.squad.doc_stride = doc_stride
  return cfg


# ----------------------------------------------------------------------------
# SQuAD: doc-stride features map back to the exact answer text.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('dataset,tok_name', [('squad_en', 'english'), ('squad_ko', 'spm'),
                                              ('squad_ko', 'wordpiece_cased')])
def test_doc_stride_features_map_back_to_the_gold_answer(tokenizers, dataset, tok_name):
  tok = tokenizers[tok_name]
  cfg = squad_cfg(max_seq_length=64, doc_stride=24)  # small windows: many per context
  for split in ('train', 'dev'):
    examples = read_squad_json(shipped_path(f'{dataset}/{split}.json'))
    arrays, windows = squad.make_features(examples, tok, cfg)
    assert len(windows) == len(arrays['input_ids']) > len(examples)  # really strided
    found = {}
    for f, w in enumerate(windows):
      ex = examples[w.example_index]
      start, end = int(arrays['start_position'][f]), int(arrays['end_position'][f])
      ids = arrays['input_ids'][f]
      n_ctx = len(w.token_offsets)
      assert ids[w.first_token - 1] == tok.sep_id and ids[w.first_token + n_ctx] == tok.sep_id
      assert (arrays['token_type_ids'][f][w.first_token:w.first_token + n_ctx + 1] == 1).all()
      if start == 0:
        assert end == 0
        continue
      assert not ex.is_impossible
      # The target tokens give back exactly the gold answer text (Korean included).
      assert squad.feature_answer_text(ex, w, start, end) == ex.answers[0].text
      found[ex.qas_id] = True
    # Every gold answer that fits in a window has a feature that holds it.
    for ex in examples:
      if ex.is_impossible:
        continue
      a = ex.answers[0]
      _, offsets = squad._pieces(tok, ex.context)  # pylint: disable=protected-access
      first, last = squad.answer_token_span(offsets, a.start, a.start + len(a.text))
      q_len = min(len(squad._pieces(tok, ex.question)[0]), cfg.squad.max_query_length)  # pylint: disable=protected-access
      if last - first + 1 <= cfg.data.max_seq_length - q_len - 3 - cfg.squad.doc_stride:
        assert found.get(ex.qas_id), (ex.qas_id, a.text)


def test_windows_and_max_context_follow_the_reference():
  assert squad._windows(10, 4, 3) == [(0, 4), (3, 4), (6, 4)]  # pylint: disable=protected-access
  assert squad._windows(3, 4, 3) == [(0, 3)]  # pylint: disable=protected-access
  spans = [(0, 4), (3, 4), (6, 4)]
  # Token 3 is the last of window 0 and the first of window 1: neither is centred;
  # the reference's score min(left, right) + 0.01 * length ties -> the first wins.
  assert squad._max_context(spans, 0, 3) and not squad._max_context(spans, 1, 3)  # pylint: disable=protected-access
  assert squad._max_context(spans, 1, 4) and not squad._max_context(spans, 0, 4)  # pylint: disable=protected-access


def _logits_for(windows, arrays, pick):
  """Logits that put the span ``pick[f] = (start, end)`` (or CLS) on top."""
  n, length = arrays['input_ids'].shape
  start = np.full((n, length), -5.0, np.float32)
  end = np.full((n, length), -5.0, np.float32)
  for f, (s, e, score) in pick.items():
    start[f, s] = score
    end[f, e] = score
  return {'start_logits': start, 'end_logits': end}


def test_postprocess_predicts_exact_korean_text_and_the_empty_string(tokenizers):
  """The seed's MRC 2.0 example: '33주' for one question, '' for the unanswerable one."""
  tok = tokenizers['spm']
  examples = [e for e in read_squad_json(shipped_path('squad_ko/dev.json'))
              if '33주' in e.context][:3]
  assert any(e.is_impossible for e in examples)
  cfg = squad_cfg()
  arrays, windows = squad.make_features(examples, tok, cfg)
  pick = {}
  for f, w in enumerate(windows):
    ex = examples[w.example_index]
    if ex.is_impossible:
      pick[f] = (0, 0, 8.0)  # strong [CLS]: no answer
    elif arrays['start_position'][f]:
      pick[f] = (int(arrays['start_position'][f]), int(arrays['end_position'][f]), 6.0)
    else:
      pick[f] = (0, 0, -9.0)
  outputs = _logits_for(windows, arrays, pick)
  preds, nbest, null_odds = squad.postprocess(cfg, examples, windows, outputs)
  for ex in examples:
    if ex.is_impossible:
      assert preds[ex.qas_id] == '' and null_odds[ex.qas_id] > 0
    else:
      assert preds[ex.qas_id] == ex.answers[0].text and null_odds[ex.qas_id] < 0
    probs = [x['probability'] for x in nbest[ex.qas_id]]
    assert abs(sum(probs) - 1) < 1e-6 and probs == sorted(probs, reverse=True)
  metrics = squad.score(cfg, examples, arrays, (preds, nbest, null_odds))
  assert metrics['exact'] == metrics['f1'] == metrics['best_f1'] == 100.0
  assert metrics['NoAns_total'] >= 1 and metrics['HasAns_total'] >= 1


def test_squad_v2_threshold_search_reproduces_best_f1(tokenizers):
  tok = tokenizers['english']
  examples = read_squad_json(shipped_path('squad_en/dev.json'))
  cfg = squad_cfg(max_seq_length=128, doc_stride=64)
  arrays, windows = squad.make_features(examples, tok, cfg)
  rng = np.random.default_rng(0)
  outputs = {k: rng.normal(size=arrays['input_ids'].shape).astype(np.float32)
             for k in ('start_logits', 'end_logits')}
  result = squad.postprocess(cfg, examples, windows, outputs)
  m = squad.score(cfg, examples, arrays, result)
  for key in ('exact', 'f1', 'HasAns_exact', 'HasAns_f1', 'NoAns_exact', 'NoAns_f1',
              'best_exact', 'best_exact_thresh', 'best_f1', 'best_f1_thresh'):
    assert key in m
  preds, _, null_odds = squad.postprocess(cfg, examples, windows, outputs,
                                          null_threshold=m['best_f1_thresh'])
  again = squad_metrics.evaluate_v2(squad.dataset_json(examples), preds)
  assert again['f1'] == pytest.approx(m['best_f1'])
  # All-null and no-null predictions evaluate without crashing.
  for v in (1e9, -1e9):
    squad_metrics.evaluate_v2(squad.dataset_json(examples), {q: '' for q in preds},
                              {q: v for q in preds})


def test_v1_prediction_ignores_cls_and_respects_max_answer_length(tokenizers):
  tok = tokenizers['english']
  ex = SquadExample('q1', 'Who?', 'Alice met Bob in Paris on Monday morning.',
                    (Answer('Bob', 10),), False)
  cfg = squad_cfg(v2=False, max_seq_length=64)
  cfg.squad.max_answer_length = 2
  arrays, windows = squad.make_features([ex], tok, cfg)
  s = int(arrays['start_position'][0])
  assert squad.feature_answer_text(ex, windows[0], s, int(arrays['end_position'][0])) == 'Bob'
  # CLS is the best "span" and a too-long span is second: v1 must answer 'Bob'.
  outputs = _logits_for(windows, arrays, {0: (0, 0, 9.0)})
  outputs['start_logits'][0, s] = outputs['end_logits'][0, s] = 5.0
  outputs['start_logits'][0, s - 2] = 7.0
  outputs['end_logits'][0, s + 3] = 7.0
  preds, _, null_odds = squad.postprocess(cfg, [ex], windows, outputs)
  assert preds == {'q1': 'Bob'} and null_odds == {}


def test_squad_bad_inputs_are_named(tmp_path, tokenizers):
  data = json.loads(shipped_path('squad_en/train.json').read_text())
  qa = data['data'][0]['paragraphs'][0]['qas'][0]
  qa['answers'][0]['answer_start'] += 3
  bad = tmp_path / 'bad.json'
  bad.write_text(json.dumps(data))
  cfg = squad_cfg()
  cfg.data.train_file = str(bad)
  with pytest.raises(InputError, match=rf"question {qa['id']!r}: answer .* does not match"):
    squad.load_examples(cfg, 'train')
  cfg.data.train_file = 'shipped:squad_en/train.json'
  cfg.squad.version_2_with_negative = False
  with pytest.raises(InputError, match='version_2_with_negative=False'):
    squad.load_examples(cfg, 'train')
  empty = tmp_path / 'empty.json'
  empty.write_text(json.dumps({'version': 'v2.0', 'data': []}))
  cfg.data.dev_file = str(empty)
  with pytest.raises(InputError, match=f'{empty}.* has no examples'):
    squad.load_examples(cfg, 'dev')


# ----------------------------------------------------------------------------
# NER: labels on first word pieces; entity F1.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('dataset,tok_name', [('ner_en', 'english'), ('ner_ko', 'spm'),
                                              ('ner_ko', 'wordpiece_cased')])
def test_ner_labels_sit_on_first_word_pieces(tokenizers, dataset, tok_name):
  tok = tokenizers[tok_name]
  cfg = base_config('ner')
  cfg.data.dev_file = f'shipped:{dataset}/dev.txt'
  examples, _ = ner.load_examples(cfg, 'dev')
  labels = ner.label_list(cfg, examples)
  arrays, positions = ner.make_features(examples, tok, cfg, labels)
  for i, ex in enumerate(examples):
    first = positions[i]
    assert all(p > 0 for p in first) and first == sorted(first)  # all fit, in order
    assert arrays['label_mask'][i].sum() == len(ex.words)
    assert [labels[arrays['label'][i, p]] for p in first] == list(ex.tags)
    # Each first piece starts its word: decoding the pieces up to the next word's gives it.
    bounds = first + [int(arrays['attention_mask'][i].sum()) - 1]
    for w, word in enumerate(ex.words):
      text = tok.decode(arrays['input_ids'][i, bounds[w]:bounds[w + 1]]).replace(' ', '')
      norm = word.lower() if tok.do_lower_case else word
      assert text == norm or tok.unk_id in arrays['input_ids'][i, bounds[w]:bounds[w + 1]]
  # Perfect predictions score 1.0; postprocess maps back to word tags.
  outputs = {'tag_ids': arrays['label']}
  preds = ner.postprocess(cfg, examples, positions, outputs, labels)
  assert preds == [list(e.tags) for e in examples]
  assert ner.score(cfg, examples, arrays, preds)['f1'] == 1.0


def test_ner_truncated_words_are_predicted_o_and_counted(tokenizers):
  cfg = base_config('ner')
  cfg.data.max_seq_length = 8
  ex = ner.Sentence(tuple('Alice met Bob in Paris on Monday with Carol'.split()),
                    ('B-PER', 'O', 'B-PER', 'O', 'B-LOC', 'O', 'O', 'O', 'B-PER'))
  with pytest.warns(UserWarning, match='no word piece within data.max_seq_length=8'):
    arrays, positions = ner.make_features([ex], tokenizers['english'], cfg, cfg.data.labels)
  assert positions[0][-1] == -1
  preds = ner.postprocess(cfg, [ex], positions, {'tag_ids': arrays['label']}, cfg.data.labels)
  assert preds[0][-1] == 'O'
  assert ner.score(cfg, [ex], arrays, preds)['recall'] < 1.0  # the lost PER counts as missed


def test_unknown_ner_label_is_named(tmp_path):
  bad = tmp_path / 'train.txt'
  bad.write_text('-DOCSTART- -X- -X- O\n\nAlice NNP B-NP B-PER\nvisited VBD B-VP O\n'
                 'Paris NNP B-NP B-CITY\n', encoding='utf-8')
  cfg = base_config('ner')
  cfg.data.train_file = str(bad)
  with pytest.raises(InputError, match=rf"{bad}:5: unknown label 'B-CITY'"):
    ner.load_examples(cfg, 'train')


# ----------------------------------------------------------------------------
# Classification: single / pair / regression / multiple choice.
# ----------------------------------------------------------------------------
def test_classification_features_single_pair_choice_regression(tokenizers, tmp_path):
  tok = tokenizers['english']
  cfg = base_config('classification')
  cfg.data.max_seq_length = 32
  cfg.data.train_file = 'shipped:pair/train.tsv'
  cfg.data.text_fields = ('sentence1', 'sentence2')
  examples, _ = classification.load_examples(cfg, 'train')
  labels = classification.label_list(cfg, examples)
  assert labels == ['0', '1']
  arrays, _ = classification.make_features(examples[:5], tok, cfg, labels)
  assert arrays['input_ids'].shape == (5, 32) and arrays['label'].dtype == np.int32
  row = arrays['token_type_ids'][0]
  assert row[0] == 0 and row.max() == 1  # segment B present
  # Multiple choice (SWAG CSV): [N, K, L], each row is (context, choice k).
  swag = tmp_path / 'val.csv'
  swag.write_text('video-id,fold-ind,startphrase,sent1,sent2,gold-source,ending0,ending1,'
                  'ending2,ending3,label\n'
                  'v,1,x,The cat sat on the mat.,Then it,gold,slept.,flew away.,sang.,'
                  'swam.,0\n', encoding='utf-8')
  mc = base_config('classification')
  mc.data.max_seq_length = 16
  mc.data.update(dict(format='swag_csv', dev_file=str(swag), labels=('0', '1', '2', '3')))
  mc.classification.num_choices = 4
  ex, _ = classification.load_examples(mc, 'dev')
  assert ex[0].texts == ('The cat sat on the mat.', 'Then it slept.', 'Then it flew away.',
                         'Then it sang.', 'Then it swam.')
  a, _ = classification.make_features(ex, tok, mc, ['0', '1', '2', '3'])
  assert a['input_ids'].shape == (1, 4, 16)
  assert classification.num_outputs(mc, ['0', '1', '2', '3']) == 1
  # Regression (STS-B-like): float labels, one output.
  sts = tmp_path / 'sts.tsv'
  sts.write_text('sentence1\tsentence2\tscore\nA man.\tA man.\t5.0\nA dog.\tA car.\t0.4\n')
  rg = base_config('classification')
  rg.data.update(dict(dev_file=str(sts), text_fields=('sentence1', 'sentence2'),
                      label_field='score'))
  rg.classification.regression = True
  ex, _ = classification.load_examples(rg, 'dev')
  a, _ = classification.make_features(ex, tok, rg, [])
  assert a['label'].dtype == np.float32 and a['label'].tolist() == pytest.approx([5.0, 0.4])
  # CoLA's files have no header: columns by number.
  cola = tmp_path / 'cola.tsv'
  cola.write_text('gj04\t1\t\tOur friends won\'t buy this analysis.\n'
                  'gj04\t0\t*\tThey drank the pub.\n')
  cl = base_config('classification')
  cl.data.update(dict(dev_file=str(cola), has_header=False, text_fields=('3',),
                      label_field='1'))
  ex, _ = classification.load_examples(cl, 'dev')
  assert [(e.texts, e.label) for e in ex] == [(("Our friends won't buy this analysis.",), '1'),
                                               (('They drank the pub.',), '0')]


def test_classification_bad_inputs_are_named(tmp_path):
  cfg = base_config('classification')
  bad = tmp_path / 'dev.tsv'
  bad.write_text('sentence\tlabel\ngood film\t1\nbad film\tmaybe\n')
  cfg.data.update(dict(dev_file=str(bad), labels=('0', '1')))
  with pytest.raises(InputError, match=rf"{bad}:3: unknown label 'maybe'"):
    classification.load_examples(cfg, 'dev')
  empty = tmp_path / 'empty.tsv'
  empty.write_text('sentence\tlabel\n')
  cfg.data.dev_file = str(empty)
  with pytest.raises(InputError, match=f'{empty} has no examples'):
    classification.load_examples(cfg, 'dev')
  cfg.data.dev_file = 'shipped:no_such/dev.tsv'
  with pytest.raises(InputError, match='no shipped dataset'):
    classification.load_examples(cfg, 'dev')
  cfg.data.dev_file = ''
  cfg.data.tfds_name = ''
  with pytest.raises(InputError, match='no dev data: set --config.data.dev_file'):
    classification.load_examples(cfg, 'dev')


# ----------------------------------------------------------------------------
# Heads.
# ----------------------------------------------------------------------------
TINY = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=4, num_attention_heads=4,
                  intermediate_size=64, max_position_embeddings=32)


def _batch(b=3, length=10, n_real=(10, 6, 3)):
  ids = np.arange(b * length).reshape(b, length) % 60 + 4
  mask = np.zeros((b, length), np.int32)
  for i, n in enumerate(n_real):
    mask[i, :n] = 1
  return {'input_ids': jnp.asarray(ids * mask), 'token_type_ids': jnp.zeros((b, length), jnp.int32),
          'attention_mask': jnp.asarray(mask)}


def test_heads_shapes_and_multiple_choice_reshape():
  batch = _batch()
  model = BertForTask(TINY, head='classification', num_outputs=3, rngs=nnx.Rngs(0))
  assert classification.forward(model, batch).shape == (3, 3)
  one = BertForTask(TINY, head='classification', num_outputs=1, rngs=nnx.Rngs(0))
  assert classification.forward(one, batch).shape == (3,)  # regression
  mc = {k: jnp.stack([v, v[::-1]], axis=1) for k, v in batch.items()}  # [B, K=2, L]
  scores = classification.forward(one, mc)
  assert scores.shape == (3, 2)
  np.testing.assert_allclose(scores[:, 0], classification.forward(one, batch), rtol=1e-5,
                             atol=1e-5)
  span = BertForTask(TINY, head='span', rngs=nnx.Rngs(0))
  start, end = squad.forward(span, batch)  # the training logits: every position
  assert start.shape == end.shape == (3, 10)
  assert float(start[2, 5]) > -1e3
  pred = squad.predict_fn(span, batch)
  assert float(pred['start_logits'][2, 5]) == float(pred['end_logits'][2, 5]) == -1e9  # a pad is never an answer
  np.testing.assert_array_equal(pred['start_logits'][0], start[0])  # a row without padding
  for how in ('last', 'first', 'sum_all', 'second_to_last', 'sum_last_four',
              'concat_last_four'):
    tagger = BertForTask(TINY, head='tagging', num_outputs=5, features=how, tagger='bilstm',
                         lstm_size=8, rngs=nnx.Rngs(0))
    assert ner.forward(tagger, batch).shape == (3, 10, 5)


@pytest.mark.parametrize('task,module,n_out', [('classification', classification, 3),
                                                 ('squad', squad, 2), ('ner', ner, 5)])
def test_head_init_zeros_same_head_every_seed_and_only_it_gets_the_first_gradient(task, module,
                                                                                  n_out):
  """``head_init='zeros'`` (config key, each task's ``make_model``): a zero output kernel and
  bias whatever the seed, the encoder still drawn per seed; the head gets a gradient on the
  first step (it trains), the encoder none (nothing flows back through a zero kernel)."""
  cfg = base_config(task)
  assert cfg.head_init == 'bert'
  drawn = module.make_model(TINY, cfg, n_out, nnx.Rngs(0))
  cfg.head_init = 'zeros'
  models = [module.make_model(TINY, cfg, n_out, nnx.Rngs(seed)) for seed in (0, 1)]
  kernel = lambda m: (m.head.output if task == 'ner' else m.head).kernel[...]
  assert float(jnp.abs(kernel(drawn)).max()) > 0
  for m in models:
    assert float(jnp.abs(kernel(m)).max()) == 0
  assert not np.array_equal(models[0].bert.embeddings.word_embeddings.embedding[...],
                            models[1].bert.embeddings.word_embeddings.embedding[...])
  batch = _batch()
  batch.update({'label': jnp.array([0, 1, 2]), 'start_position': jnp.array([1, 2, 0]),
                'end_position': jnp.array([2, 3, 0]), 'label_mask': batch['attention_mask']})
  if task == 'ner':
    batch['label'] = jnp.ones((3, 10), jnp.int32)
  grads = nnx.grad(lambda m: module.make_loss_fn(cfg)(m, batch, None)[0])(models[0])
  assert float(jnp.abs(jax.tree.leaves(grads['head'])[-1]).max()) > 0
  assert all(float(jnp.abs(g).max()) == 0 for g in jax.tree.leaves(grads['bert']))
  cfg.head_init = 'uniform'
  with pytest.raises(ValueError, match="head_init='uniform'; expected one of"):
    module.make_model(TINY, cfg, n_out, nnx.Rngs(0))


def test_head_init_distributions():
  """'bert': google-research/bert's truncated normal, cut at 2 std, so its std is
  0.8796 * initializer_range (1 - 4 phi(2) / (2 Phi(2) - 1) = 0.7737 of the variance, by hand);
  'normal': transformers' normal(0, initializer_range), with tails past 3 std."""
  from bert_jax.models.layers import kernel_init  # pylint: disable=g-import-not-at-top
  r = TINY.initializer_range
  draw = lambda how: np.asarray(
      kernel_init(TINY, (None, None), how)(jax.random.key(0), (500, 400)).raw_value)
  bert, normal = draw('bert'), draw('normal')
  np.testing.assert_allclose(bert.std(), 0.8796 * r, rtol=0.01)
  assert np.abs(bert).max() <= 2 * r
  np.testing.assert_allclose(normal.std(), r, rtol=0.01)
  assert np.abs(normal).max() > 3 * r
  assert not draw('zeros').any()


def test_feature_based_tagger_freezes_the_encoder_and_bilstm_ignores_padding():
  cfg = base_config('ner')
  cfg.ner.update(dict(feature_combination='concat_last_four', freeze_encoder=True,
                      tagger='bilstm', lstm_size=8))
  model = ner.make_model(TINY, cfg, 5, nnx.Rngs(0))
  batch = _batch()
  batch['label'] = jnp.ones((3, 10), jnp.int32)
  batch['label_mask'] = batch['attention_mask']
  grads = nnx.grad(lambda m: ner.make_loss_fn(cfg)(m, batch, jax.random.key(1))[0])(model)
  bert_g = jax.tree.leaves(grads['bert'])
  head_g = jax.tree.leaves(grads['head'])
  assert all(float(jnp.abs(g).max()) == 0 for g in bert_g)
  assert any(float(jnp.abs(g).max()) > 0 for g in head_g)
  # More padding does not change the real tokens' outputs (both LSTM directions skip it).
  long = {k: jnp.pad(v, ((0, 0), (0, 6))) for k, v in _batch().items()}
  out_short = ner.forward(model, _batch())
  out_long = ner.forward(model, long)
  np.testing.assert_allclose(out_short[1, :6], out_long[1, :6], rtol=1e-5, atol=1e-5)


def test_task_registry():
  assert get_task('squad') is squad
  with pytest.raises(InputError, match="--config.task='qa'"):
    get_task('qa')
