"""The demo web app (``python -m bert_jax.serve``) on tiny models really fine-tuned here.

Once per module: a tiny random ``transformers.BertForPreTraining`` (``save_pretrained``)
with a WordPiece vocabulary of ASCII + the Hangul syllables of the shipped Korean sets,
fine-tuned by ``bert_jax.tasks.driver.run`` for 2 steps on ``ko_news_topic`` (classification)
and ``squad_ko`` (SQuAD v2.0 span extraction). The app is then built the way the command
line builds it (``build_app``: load both workdirs, compile once) and driven with Flask's
test client. What the scores say is checked against ``transformers.BertModel`` run on the
same weights (attention of [CLS], rollout, probabilities, the best span).
"""
import concurrent.futures
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import jax
import markupsafe
import numpy as np
import pytest

import torch
import transformers

from bert_jax.convert import model_to_params
from bert_jax.convert.hf import HfLayout, write_hf
from bert_jax.convert.testing import save_random_hf_bert
from bert_jax.errors import InputError
from bert_jax.serve import app as app_lib
from bert_jax.serve import explain as explain_lib
from bert_jax.serve import server as serve_server
from bert_jax.serve.__main__ import build_app, main
from bert_jax.tasks import driver
from bert_jax.tasks.demo_runs import load_experiment

REPO = pathlib.Path(__file__).resolve().parent.parent
SHIPPED = REPO / 'bert_jax' / 'resources' / 'finetune'
MAX_SEQ_LENGTH = 64

# The seed's MRC 2.0 example (shortened) and its BERT-XDC style news text.
KO_NEWS = ("정부가 공식 통계 지표로 활용하는 한국감정원의 '주간 아파트 가격 동향'마저 보합 "
           "전환하며 서울 집값 오름세에 대한 우려가 커지고 있다.\n"
           "감정원이 27일 발표한 주간 아파트 매매가격 동향에 따르면 6월 마지막 주 서울 "
           "아파트값은 전주와 같았다.내림 폭이 줄어들다 결국 33주 만에 하락세를 멈춘 것이다.\n"
           "기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다. 2016.6.24/뉴스1 "
           "아침 최저기온은 17~21도, 낮 최고기온은 23~32도로 오늘과 비슷하겠다.")
KO_PASSAGE = ("인공지능(AI) 전문기업 마인즈랩이 캐나다 3대 인공지능 연구기관 에이미(AMII: Alberta "
              "Machine Intelligence Institute)에 합류하고, 구글 딥마인드를 비롯한 세계 최고 "
              "수준의 AI 연구진과 함께 딥러닝 분야의 연구를 함께한다. 마인즈랩은 에이미의 "
              "회원사로서 에이미 소속의 연구진들과 함께 공동 연구를 추진한다.")
KO_QUESTION = '마인즈랩은 어디에 합류했나요?'
SCRIPT = '<script>alert("x")</script>'


# ----------------------------------------------------------------------------
# Fixtures: fine-tuned workdirs, the app, a transformers twin of each model.
# ----------------------------------------------------------------------------
def write_ko_en_vocab(directory: pathlib.Path) -> int:
  """vocab.txt: specials, printable ASCII and the Hangul syllables of the shipped Korean
  sets, each also as a ``##`` continuation (so every Korean word splits into syllables);
  cased, no accent stripping (Hangul stays whole)."""
  chars = set()
  for name in ('ko_news_topic/train.tsv', 'ko_news_topic/dev.tsv', 'squad_ko/train.json',
               'squad_ko/dev.json'):
    chars |= {c for c in (SHIPPED / name).read_text(encoding='utf-8') if '가' <= c <= '힣'}
  chars |= {c for c in KO_NEWS + KO_PASSAGE + KO_QUESTION + KO_MRC2_PASSAGE + KO_WEATHER
            + ''.join(KO_MRC2_QUESTIONS) if '가' <= c <= '힣'}
  basic = [chr(c) for c in range(33, 127)] + sorted(chars)
  tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', *basic, *('##' + t for t in basic)]
  (directory / 'vocab.txt').write_text('\n'.join(tokens) + '\n', encoding='utf-8')
  (directory / 'tokenizer_config.json').write_text(
      json.dumps({'do_lower_case': False, 'tokenizer_class': 'BertTokenizer'}), encoding='utf-8')
  return len(tokens)


@pytest.fixture(scope='module')
def workdirs(tmp_path_factory):
  """{'classification': WORKDIR, 'squad': WORKDIR}, 2 fine-tuning steps each."""
  root = tmp_path_factory.mktemp('serve')
  hf = root / 'hf'
  hf.mkdir()
  vocab_size = write_ko_en_vocab(hf)
  save_random_hf_bert(hf, vocab=False, vocab_size=vocab_size,
                      max_position_embeddings=MAX_SEQ_LENGTH)
  out = {}
  for task, experiment, arg, extra in (
      ('classification', 'classification.py', 'ko_news_topic', {}),
      ('squad', 'squad.py', 'squad_ko', {'squad.doc_stride': 24, 'squad.max_query_length': 24})):
    cfg = load_experiment(experiment, arg)
    cfg.init_checkpoint = str(hf)
    cfg.update_from_flattened_dict({'num_train_steps': 2, 'global_batch_size': 8,
                                    'eval_batch_size': 32,
                                    'data.max_seq_length': MAX_SEQ_LENGTH,
                                    'progress_bar': False, **extra})
    # One device: the same run as on 8, minus the compile time of an 8-way mesh (the
    # sharded trainer has its own tests).
    driver.run(cfg, root / arg, verbose=False, devices=jax.devices()[:1])
    out[task] = root / arg
  return out


@pytest.fixture(scope='module')
def app(workdirs):
  """The app as ``python -m bert_jax.serve`` builds it (models loaded and compiled)."""
  app, _ = build_app([f'--classifier={workdirs["classification"]}',
                      f'--reader={workdirs["squad"]}'])
  app.testing = True
  return app


@pytest.fixture(scope='module')
def classifier(app):
  return app.extensions['bert_jax']['classifier']


@pytest.fixture(scope='module')
def reader(app):
  return app.extensions['bert_jax']['reader']


@pytest.fixture()
def client(app):
  return app.test_client()


def hf_twin(model, directory: pathlib.Path):
  """(``transformers.BertModel`` holding ``model.bert``'s weights, the head's params)."""
  params = model_to_params(model)
  directory.mkdir()
  write_hf(directory, {'bert': params['bert']}, model.cfg, HfLayout(prefix=''))
  hf, info = transformers.BertModel.from_pretrained(
      directory, attn_implementation='eager', output_loading_info=True,
      add_pooling_layer='pooler' in params['bert'])
  assert not info['missing_keys'] and not info['unexpected_keys'], info
  return hf.eval(), params['head']


def hf_forward(hf, ids, types, mask):
  with torch.no_grad():
    out = hf(input_ids=torch.tensor(np.asarray(ids), dtype=torch.long),
             token_type_ids=torch.tensor(np.asarray(types), dtype=torch.long),
             attention_mask=torch.tensor(np.asarray(mask), dtype=torch.long),
             output_attentions=True)
  attn = np.stack([a.numpy().astype(np.float64) for a in out.attentions])  # [layers, B, N, L, L]
  return out, attn


def post(client, url, payload):
  """POST raw UTF-8 JSON (Korean not \\u-escaped, as a browser's fetch sends it)."""
  return client.post(url, data=json.dumps(payload, ensure_ascii=False).encode('utf-8'),
                     content_type='application/json; charset=utf-8')


# ----------------------------------------------------------------------------
# Command line.
# ----------------------------------------------------------------------------
def test_help_explains_the_command_without_loading_anything():
  r = subprocess.run([sys.executable, '-m', 'bert_jax.serve', '--help'], cwd=REPO,
                     capture_output=True, text=True, timeout=60)
  assert r.returncode == 0, r.stderr
  for words in ('--classifier WORKDIR', '--reader WORKDIR', '--host', '--port', 'XDC', 'MRC',
                'no answer', 'python -m bert_jax.finetune', '/api/classify'):
    assert words in r.stdout


def test_bad_command_lines_exit_2_with_a_clear_error(workdirs, tmp_path, capsys):
  with pytest.raises(SystemExit) as e:
    main([])
  assert e.value.code == 2
  assert 'nothing to serve' in capsys.readouterr().err

  missing = tmp_path / 'nope'
  assert main([f'--classifier={missing}']) == 2
  err = capsys.readouterr().err
  assert err.startswith(f'error: --classifier={missing}: ') and 'not a directory' in err

  assert main([f'--reader={tmp_path}']) == 2  # a directory, but no workdir
  assert 'not a fine-tuning workdir' in capsys.readouterr().err

  assert main([f'--classifier={workdirs["squad"]}']) == 2
  err = capsys.readouterr().err
  assert "'squad' model; expected a 'classification' one" in err and '--classifier=' in err
  assert main([f'--reader={workdirs["classification"]}']) == 2
  assert "'classification' model; expected a 'squad' one" in capsys.readouterr().err


class FakeServer:
  effective_port = 8123

  def __init__(self, calls):
    self.calls = calls

  def run(self):
    self.calls.append('run')

  def close(self):
    self.calls.append('close')


def test_main_serves_with_waitress_and_warns_off_loopback(workdirs, monkeypatch, capsys):
  calls = []
  monkeypatch.setattr(serve_server, 'make_server',
                      lambda app, args: calls.append((args.host, args.port, args.threads))
                      or FakeServer(calls))
  assert main([f'--reader={workdirs["squad"]}', '--host=0.0.0.0', '--port=8123',
               '--threads=3', '--no_warmup']) == 0
  assert calls == [('0.0.0.0', 8123, 3), 'run', 'close']
  err = capsys.readouterr().err
  assert 'open http://0.0.0.0:8123/' in err and 'SQuAD v2.0' in err and '/mrc' in err
  assert 'warning: --host=0.0.0.0' in err and 'NO authentication' in err
  calls.clear()
  assert main([f'--reader={workdirs["squad"]}', '--host=127.0.0.1', '--no_warmup']) == 0
  assert 'warning' not in capsys.readouterr().err
  for host, loopback in (('localhost', True), ('127.0.0.2', True), ('::1', True),
                         ('[::1]', True), ('0.0.0.0', False), ('::', False),
                         ('192.168.1.5', False), ('example.org', False)):
    assert serve_server.is_loopback(host) is loopback, host


def test_a_port_in_use_is_a_one_line_error(workdirs, capsys):
  import socket  # pylint: disable=g-import-not-at-top
  with socket.socket() as taken:
    taken.bind(('127.0.0.1', 0))
    taken.listen()
    port = taken.getsockname()[1]
    assert main([f'--reader={workdirs["squad"]}', f'--port={port}', '--no_warmup']) == 2
  err = capsys.readouterr().err
  assert f'error: cannot listen on 127.0.0.1:{port}' in err and 'Traceback' not in err


def test_pages_and_api_name_checkpoints_without_their_paths(client, workdirs):
  info = client.get('/api/info').get_json()
  assert info['classifier']['source'].startswith('ko_news_topic (step ')
  assert info['reader']['source'].startswith('squad_ko (step ')
  root = str(workdirs['squad'].parent)
  for url in ('/xdc', '/mrc', '/api/info'):
    page = client.get(url).get_data(as_text=True)
    assert root not in page and 'checkpoints/' not in page, url
  assert app_lib.model_name('/a/b/export') == 'export'


# ----------------------------------------------------------------------------
# XDC: /api/classify.
# ----------------------------------------------------------------------------
def check_explanation(text, r, labels):
  assert list(r['probs']) == labels
  assert math.isclose(sum(r['probs'].values()), 1.0, abs_tol=1e-5)
  assert all(0 <= p <= 1 for p in r['probs'].values())
  assert r['label'] == max(r['probs'], key=r['probs'].get)
  words = r['words']
  assert [w['text'] for w in words] == text.split()  # every word, in order
  for w in words:
    assert text[w['start']:w['end']] == w['text'] and w['score'] >= 0
  assert math.isclose(sum(w['score'] for w in words), 1.0, abs_tol=1e-6)
  sentences = r['sentences']
  assert sentences
  for s in sentences:
    assert text[s['start']:s['end']] == s['text'] and s['text'] == s['text'].strip()
    inside = sum(w['score'] for w in words if s['start'] <= w['start'] < s['end'])
    assert math.isclose(s['score'], inside, abs_tol=1e-6)
  assert math.isclose(sum(s['score'] for s in sentences), 1.0, abs_tol=1e-6)


@pytest.mark.parametrize('method', ['cls_last', 'rollout'])
def test_classify_api_korean_and_english(client, classifier, method):
  labels = sorted(['경제', '날씨', '스포츠', '정치'])
  assert classifier.labels == labels
  for text in (KO_NEWS, 'The cat sat on the mat. Then it ran!', f'서울 {SCRIPT} 날씨?  맑음'):
    r = post(client, '/api/classify', {'text': text, 'method': method})
    assert r.status_code == 200 and r.mimetype == 'application/json'
    assert '경제'.encode('utf-8') in r.data  # UTF-8, not \u-escaped
    body = r.get_json()
    assert body['method'] == method
    check_explanation(text, body, labels)
  body = post(client, '/api/classify', {'text': KO_NEWS}).get_json()
  assert body['method'] == 'cls_last' and body['num_windows'] > 3
  # Sentences end at a newline, at "다." even before a word ("같았다.내림"), at ". ",
  # never inside a number ("2016.6.24").
  texts = [s['text'] for s in body['sentences']]
  assert texts[0].endswith('커지고 있다.') and texts[1].startswith('감정원이 27일')
  assert texts[1].endswith('같았다.') and texts[2].startswith('내림 폭이')
  assert texts[-1].startswith('2016.6.24/뉴스1 아침') and len(texts) == 5


def test_classify_scores_equal_transformers_attention(classifier, tmp_path):
  """explain's numbers, recomputed from ``transformers.BertModel(output_attentions)`` on the
  served weights: per window the last layer's [CLS] attention row averaged over heads
  ('cls_last') or the rollout of all layers by hand, averaged over the windows that see a
  piece, summed per word, normalised; probabilities = mean over windows of the softmax of
  the pooled [CLS] through the head."""
  hf, head = hf_twin(classifier.model, tmp_path / 'hf_cls')
  text = KO_NEWS + ' Hello, world!'
  win = explain_lib.make_windows(classifier.tokenizer, text, classifier.max_seq_length)
  assert len(win.spans) > 3
  out, attn = hf_forward(hf, win.arrays['input_ids'], win.arrays['token_type_ids'],
                         win.arrays['attention_mask'])
  logits = out.pooler_output.numpy() @ np.asarray(head['kernel']) + np.asarray(head['bias'])
  probs = np.exp(logits - logits.max(-1, keepdims=True))
  probs = (probs / probs.sum(-1, keepdims=True)).mean(0)

  mean_heads = attn.mean(axis=2)  # [layers, W, L, L]
  length = mean_heads.shape[-1]
  rollout = []
  for w in range(mean_heads.shape[1]):
    r = np.eye(length)
    for layer in mean_heads[:, w]:
      a = 0.5 * layer + 0.5 * np.eye(length)
      r = (a / a.sum(-1, keepdims=True)) @ r
    rollout.append(r[0])
  per_window = {'cls_last': mean_heads[-1][:, 0, :], 'rollout': np.stack(rollout)}

  num_pieces = len(win.offsets)
  words = text.split()
  word_starts = [s for s, _ in explain_lib.split_words(text)]
  for method, scores in per_window.items():
    sums, counts = np.zeros(num_pieces), np.zeros(num_pieces)
    for w, (first, n) in enumerate(win.spans):
      for j in range(n):  # window token 1 + j is piece first + j
        sums[first + j] += scores[w, 1 + j]
        counts[first + j] += 1
    piece = sums / counts
    want = np.zeros(len(words))
    for (s, _), p in zip(win.offsets, piece):
      want[max(i for i, ws in enumerate(word_starts) if ws <= s)] += p
    want /= want.sum()

    got = classifier.explain(text, method)
    assert [w['text'] for w in got['words']] == words
    np.testing.assert_allclose([w['score'] for w in got['words']], want, atol=2e-5)
    np.testing.assert_allclose(list(got['probs'].values()), probs, atol=2e-5)
  assert not np.allclose(per_window['cls_last'], per_window['rollout'], atol=1e-3)


# ----------------------------------------------------------------------------
# MRC: /api/answer.
# ----------------------------------------------------------------------------
def test_answer_api_span_is_exactly_the_passage_slice(client, reader, monkeypatch):
  assert reader.version_2
  questions = [KO_QUESTION, '연구진은 누구와 함께하나요?', 'Who joined AMII?']
  for passage in (KO_PASSAGE, KO_PASSAGE + '\n' + KO_NEWS, f'{SCRIPT} 마인즈랩이 에이미에 합류했다.'):
    for q in questions:
      r = post(client, '/api/answer', {'passage': passage, 'question': q})
      assert r.status_code == 200
      a = r.get_json()
      assert a['version_2'] is True and isinstance(a['has_answer'], bool)
      if a['has_answer']:
        assert a['answer'] and passage[a['start']:a['end']] == a['answer']
      else:
        assert a['answer'] == '' and a['start'] is None and a['end'] is None
  # Whatever the tuned threshold says: forced to answer, forced to abstain.
  monkeypatch.setattr(reader, 'null_threshold', 1e9)
  for passage in (KO_PASSAGE, KO_PASSAGE + '\n' + KO_NEWS):
    a = post(client, '/api/answer', {'passage': passage, 'question': KO_QUESTION}).get_json()
    assert a['has_answer'] and a['answer'] == passage[a['start']:a['end']] != ''
    assert a['probability'] is not None and 0 < a['probability'] <= 1
  monkeypatch.setattr(reader, 'null_threshold', -1e9)
  a = post(client, '/api/answer', {'passage': KO_PASSAGE, 'question': KO_QUESTION}).get_json()
  assert a == {**a, 'answer': '', 'start': None, 'end': None, 'has_answer': False,
               'probability': None}
  assert a['null_score'] is not None and a['score'] is not None and a['null_threshold'] == -1e9


def test_answer_is_the_best_span_of_transformers_logits(client, reader, monkeypatch, tmp_path):
  """One window, built by hand ([CLS] question [SEP] passage [SEP]); the span logits from
  ``transformers.BertModel`` + the served head; the reference's search (top-n starts and
  ends inside the passage, end >= start, at most max_answer_length tokens): the API's
  answer is that span's characters, its score the span's logit sum, its null score the
  [CLS] start + end logits."""
  hf, head = hf_twin(reader.model, tmp_path / 'hf_span')
  passage = '마인즈랩이 캐나다 인공지능 연구기관 에이미에 합류했다. 구글 딥마인드도 함께한다.'
  tok = reader.tokenizer
  q, p = tok.encode(KO_QUESTION), tok.encode(passage)
  q_ids, p_ids, p_offsets = q.input_ids[1:-1], p.input_ids[1:-1], p.offsets[1:-1]
  ids = [tok.cls_id, *q_ids, tok.sep_id, *p_ids, tok.sep_id]
  assert len(ids) <= reader.cfg.data.max_seq_length  # one window
  types = [0] * (len(q_ids) + 2) + [1] * (len(p_ids) + 1)
  out, _ = hf_forward(hf, [ids], [types], [[1] * len(ids)])
  logits = out.last_hidden_state.numpy()[0] @ np.asarray(head['kernel']) + np.asarray(head['bias'])
  start, end = logits[:, 0], logits[:, 1]
  first = len(q_ids) + 2
  n_best, max_len = reader.cfg.squad.n_best_size, reader.cfg.squad.max_answer_length
  top = lambda x: [int(i) for i in np.argsort(-x, kind='stable')[:n_best]]
  context = range(first, first + len(p_ids))
  pairs = [(start[s] + end[e], s, e) for s in top(start) for e in top(end)
           if s in context and e in context and s <= e < s + max_len]
  best, s, e = max(pairs)

  monkeypatch.setattr(reader, 'null_threshold', 1e9)
  a = post(client, '/api/answer', {'passage': passage, 'question': KO_QUESTION}).get_json()
  assert (a['start'], a['end']) == (p_offsets[s - first][0], p_offsets[e - first][1])
  assert a['answer'] == passage[a['start']:a['end']]
  assert math.isclose(a['score'], best, abs_tol=1e-4)
  assert math.isclose(a['null_score'], start[0] + end[0], abs_tol=1e-4)


# ----------------------------------------------------------------------------
# Pages.
# ----------------------------------------------------------------------------
def test_pages_render_korean_and_escape_user_text(client, classifier, reader, monkeypatch):
  r = client.get('/')
  assert r.status_code == 302 and r.headers['Location'].endswith('/xdc')
  for url in ('/xdc', '/mrc'):
    r = client.get(url)
    assert r.status_code == 200 and r.headers['Content-Type'] == 'text/html; charset=utf-8'
    assert '<form method="post"' in r.get_data(as_text=True)

  text = f'{SCRIPT} 서울 아파트값은 전주와 같았다. <b>bold</b> 날씨 & "quotes"'
  r = client.post('/xdc', data={'text': text, 'method': 'rollout'})
  html = r.get_data(as_text=True)
  assert r.status_code == 200
  assert '<script>alert' not in html and '<b>bold' not in html
  assert '&lt;script&gt;alert(' in html and '&lt;b&gt;bold&lt;/b&gt;' in html
  result = classifier.explain(text, 'rollout')
  assert f'<span id="label">{result["label"]}</span>' in html
  for label in classifier.labels:
    assert f'<td>{label}</td>' in html
  # Each word is one shaded span, in the text's order.
  assert '>서울</span> <span' in html and '>같았다.</span>' in html
  assert html.count('rgba(255,140,0,') == len(result['words'])
  assert html.count('rgba(66,133,244,') == len(result['sentences'])

  monkeypatch.setattr(reader, 'null_threshold', 1e9)
  passage = f'{SCRIPT} {KO_PASSAGE}'
  r = client.post('/mrc', data={'passage': passage, 'question': KO_QUESTION})
  html = r.get_data(as_text=True)
  a = reader.answer(passage, KO_QUESTION)
  assert r.status_code == 200 and '<script>alert' not in html and '&lt;script&gt;' in html
  marked = str(markupsafe.escape(a['answer']))
  assert f'<mark id="answer">{marked}</mark>' in html and f'<mark>{marked}</mark>' in html
  monkeypatch.setattr(reader, 'null_threshold', -1e9)
  html = client.post('/mrc', data={'passage': passage, 'question': KO_QUESTION}
                     ).get_data(as_text=True)
  assert 'No answer in the passage' in html and '<mark' not in html
  assert 'above the threshold -1000000000.000' in html

  r = client.post('/xdc', data={'text': '   '})
  html = r.get_data(as_text=True)
  assert r.status_code == 400 and 'id="error">field &#39;text&#39; is empty.<' in html
  r = client.post('/mrc', data={'passage': KO_PASSAGE})
  assert r.status_code == 400 and 'missing field &#39;question&#39;' in r.get_data(as_text=True)
  assert KO_PASSAGE[:20] in r.get_data(as_text=True)  # the form keeps what was typed


# ----------------------------------------------------------------------------
# Bad requests, missing models, one compile.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('url, payload, message', [
    ('/api/classify', None, 'expected a JSON object'),
    ('/api/classify', ['text'], 'expected a JSON object'),
    ('/api/classify', {}, "missing field 'text'"),
    ('/api/classify', {'text': ''}, "field 'text' is empty"),
    ('/api/classify', {'text': ' \n\t'}, "field 'text' is empty"),
    ('/api/classify', {'text': 12}, "field 'text' should be a string"),
    ('/api/classify', {'text': 'ok', 'method': 'saliency'}, "expected one of ['cls_last'"),
    ('/api/classify', {'text': 'ok', 'method': ['rollout']}, "field 'method' should be a string"),
    ('/api/classify', {'text': 'ok', 'method': 1}, "field 'method' should be a string"),
    ('/api/classify', {'txt': 'ok'}, "unknown field 'txt'"),
    ('/api/classify', {'text': 'a\ud800b'}, "field 'text' is not valid Unicode: a lone "
                                             "surrogate U+D800 at character 1"),
    ('/api/answer', {'passage': '\udfff', 'question': 'q'}, "field 'passage' is not valid"),
    ('/api/answer', {'passage': 'p', 'question': 'q\udbff'}, "field 'question' is not valid"),
    ('/api/answer', {'passage': 'p', 'question': ['q']}, "field 'question' should be a string"),
    ('/api/answer', {'passage': {'a': 1}, 'question': 'q'}, "field 'passage' should be a"),
    ('/api/answer', {'passage': 'p', 'question': 'q', 'top_k': 3}, "unknown field 'top_k'"),
    ('/api/classify', {'text': 'x' * (app_lib.DEFAULT_MAX_CHARS + 1)}, 'at most 20000'),
    ('/api/answer', {'passage': KO_PASSAGE}, "missing field 'question'"),
    ('/api/answer', {'question': KO_QUESTION, 'passage': '  '}, "field 'passage' is empty"),
    ('/api/answer', {'passage': 'p', 'question': 'q' * 1001}, 'at most 1000'),
])
def test_bad_requests_get_400_with_a_json_error(client, url, payload, message):
  if payload is None:
    r = client.post(url, data=b'{not json', content_type='application/json')
  else:  # \u-escaped JSON: the only way a lone surrogate travels
    r = client.post(url, data=json.dumps(payload), content_type='application/json')
  assert r.status_code == 400 and r.mimetype == 'application/json'
  assert message in r.get_json()['error']


def test_wrong_method_unknown_route_and_oversized_body_answer_json(client):
  r = client.get('/api/classify')
  assert r.status_code == 405 and 'error' in r.get_json()
  assert client.get('/api/nothing').status_code == 404
  r = client.post('/api/classify', data=b'{"text": "' + b'a' * 2_000_000 + b'"}',
                  content_type='application/json')
  assert r.status_code == 413 and 'error' in r.get_json()
  info = client.get('/api/info').get_json()
  assert info['classifier']['labels'] and info['reader']['version_2'] is True
  assert info['max_chars'] == app_lib.DEFAULT_MAX_CHARS


def test_an_app_with_one_model_says_how_to_add_the_other(classifier, reader):
  c = app_lib.create_app(classifier=classifier).test_client()
  r = c.post('/api/answer', json={'passage': 'p', 'question': 'q'})
  assert r.status_code == 404 and '--reader=WORKDIR' in r.get_json()['error']
  r = c.get('/mrc')
  assert r.status_code == 404 and '--reader=WORKDIR' in r.get_data(as_text=True)
  assert 'class="off"' in c.get('/xdc').get_data(as_text=True)
  c = app_lib.create_app(reader=reader).test_client()
  assert c.get('/').headers['Location'].endswith('/mrc')
  assert c.post('/api/classify', json={'text': 't'}).status_code == 404
  with pytest.raises(InputError, match='nothing to serve'):
    app_lib.create_app()


def test_each_model_compiles_once_whatever_the_request(client, classifier, reader):
  assert classifier.traces == 1 and reader.traces == 1  # compiled at start-up (warm-up)
  for n in (1, 3, 20):
    text = ' '.join([KO_NEWS] * n)[: 30 * n * n]
    assert post(client, '/api/classify', {'text': text, 'method': 'rollout'}).status_code == 200
    assert client.post('/xdc', data={'text': text}).status_code == 200
    r = post(client, '/api/answer', {'passage': text, 'question': KO_QUESTION * n})
    assert r.status_code == 200
  assert classifier.traces == 1 and reader.traces == 1


# ----------------------------------------------------------------------------
# The real server (`python -m bert_jax.serve` under waitress) and a real browser.
# ----------------------------------------------------------------------------
# The seed's MRC 2.0 example: a news passage, two answerable questions and one it does not
# answer (질문1: '' in the seed); and its XDC example, a weather news article.
KO_MRC2_PASSAGE = (
    "정부가 공식 통계 지표로 활용하는 한국감정원의 '주간 아파트 가격 동향'마저 보합 전환하며 "
    "서울 집값 오름세에 대한 우려가 커지고 있다. 감정원이 27일 발표한 주간 아파트 매매가격 "
    "동향에 따르면 6월 마지막 주 서울 아파트값은 전주와 같았다. 서울 아파트 가격은 민간 기관 "
    "집계로는 이미 플러스 전환했다. 감정원은 \"강남 일부 지역 재건축 및 신축 매수세로 시장 하방 "
    "경직성이 커지며 보합 전환했다\"고 설명했다.")
KO_MRC2_QUESTIONS = ('집값 얼마나 올랐어?', '정부가 활용한 통계지표가 뭐야?',
                     '아파트 값이 몇주 만에 하락세를 멈췄니?')
KO_WEATHER = (
    "전국에 장맛비가 내린 지난 24일 오전 대전 서구의 한 신호등에서 시민들이 우산을 쓰고 걷고 "
    "있다. 기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다. 수요일인 29일 전국이 "
    "흐리고 남부지방과 제주도는 빗방울이 떨어지겠다. 남부지방 비는 아침에 그치고 제주는 종일 "
    "내릴 것으로 보인다. 아침 최저기온은 17~21도, 낮 최고기온은 23~32도로 오늘과 비슷하겠다.")
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                  '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--window-size=1100,1500')
SCREENSHOTS = os.environ.get('BERT_JAX_SCREENSHOTS')  # e.g. docs/: where the PNGs go


def null_threshold_between(reader, passage, questions) -> float:
  """A threshold under which the tiny reader answers some questions and not others: the
  midpoint of the largest gap between their (null - best span) score differences."""
  diffs = sorted(r['null_score'] - r['score'] for r in (reader.answer(passage, q)
                                                      for q in questions))
  gap, i = max((b - a, i) for i, (a, b) in enumerate(zip(diffs, diffs[1:])))
  assert gap > 1e-3, diffs
  return (diffs[i] + diffs[i + 1]) / 2


@pytest.fixture(scope='module')
def server(workdirs, reader, tmp_path_factory):
  """``python -m bert_jax.serve`` on 127.0.0.1 (a free port): yields (base url, threshold)."""
  threshold = null_threshold_between(reader, KO_MRC2_PASSAGE, KO_MRC2_QUESTIONS)
  log = tmp_path_factory.mktemp('server') / 'stderr.txt'
  env = {**os.environ, 'XLA_FLAGS': ''}  # one CPU device is all the server uses
  with log.open('w') as err:
    proc = subprocess.Popen(
        [sys.executable, '-m', 'bert_jax.serve', f'--classifier={workdirs["classification"]}',
         f'--reader={workdirs["squad"]}', '--port=0', f'--null_threshold={threshold!r}'],
        cwd=REPO, env=env, stdout=err, stderr=err)
  try:
    url, deadline = None, time.time() + 300
    while url is None and time.time() < deadline and proc.poll() is None:
      time.sleep(0.2)
      found = re.search(r'open (http://127\.0\.0\.1:\d+/)', log.read_text())
      url = found and found.group(1)
    assert url, log.read_text()
    yield url, threshold
  finally:
    proc.terminate()
    proc.wait(30)
  assert 'Traceback' not in log.read_text(), log.read_text()


def http(url, payload=None, data=None, timeout=120):
  """(status, JSON body) of a GET (no payload) or a POST over real HTTP."""
  if payload is not None:
    data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
  req = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'})
  try:
    with urllib.request.urlopen(req, timeout=timeout) as r:
      return r.status, json.loads(r.read())
  except urllib.error.HTTPError as e:
    return e.code, json.loads(e.read())


def test_server_answers_100_concurrent_requests_as_the_models_do(server, classifier, reader):
  url, threshold = server
  status, info = http(url + 'api/info')
  assert status == 200 and info['reader']['null_threshold'] == pytest.approx(threshold)
  assert info['classifier']['source'].startswith('ko_news_topic (step ')
  texts = [KO_NEWS, KO_WEATHER, ' '.join([KO_WEATHER] * 6), '비', KO_MRC2_PASSAGE]
  jobs = [('api/classify', {'text': texts[i % 5]}) if i % 2 else
          ('api/answer', {'passage': texts[i % 5], 'question': KO_MRC2_QUESTIONS[i % 3]})
          for i in range(100)]
  with concurrent.futures.ThreadPoolExecutor(100) as pool:
    replies = list(pool.map(lambda job: http(url + job[0], job[1]), jobs))
  assert [s for s, _ in replies] == [200] * 100, [b for s, b in replies if s != 200][:3]
  for (route, payload), (_, body) in zip(jobs, replies):  # batched rows == alone, in-process
    if route == 'api/classify':
      alone = classifier.explain(payload['text'])
      assert body['label'] == alone['label']
      np.testing.assert_allclose(list(body['probs'].values()),
                                 list(alone['probs'].values()), atol=1e-5)
    else:
      alone = reader.answer(payload['passage'], payload['question'])  # its own threshold
      assert body['null_score'] == pytest.approx(alone['null_score'], abs=1e-4)
      if alone['score'] is None:  # no span fits (a one-syllable passage)
        assert body['score'] is None and not body['has_answer']
        continue
      assert body['score'] == pytest.approx(alone['score'], abs=1e-4)
      assert body['has_answer'] == (alone['null_score'] - alone['score'] <= threshold)
      if body['has_answer']:
        assert body['answer'] == payload['passage'][body['start']:body['end']]


def test_server_rejects_oversize_bad_fields_and_surrogates(server):
  url, _ = server
  status, body = http(url + 'api/classify', data=b'{"text": "' + b'a' * 2_000_000 + b'"}')
  assert status == 413 and 'error' in body
  for payload, message in (({'text': ['a']}, "field 'text' should be a string"),
                           ({'text': 'a', 'method': ['rollout']}, "field 'method' should be"),
                           ({'text': 'x' * 20_001}, 'at most 20000')):
    status, body = http(url + 'api/classify', payload)
    assert status == 400 and message in body['error'], body
  status, body = http(url + 'api/answer', data=b'{"passage": "\\ud800", "question": "q"}')
  assert status == 400 and 'lone surrogate U+D800' in body['error']


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
  """Debian's headless chromium through its chromedriver (Selenium), a fresh profile."""
  os.environ.setdefault('SE_OFFLINE', 'true')  # never let Selenium Manager download
  from selenium import webdriver  # pylint: disable=g-import-not-at-top
  from selenium.webdriver.chrome.service import Service  # pylint: disable=g-import-not-at-top
  options = webdriver.ChromeOptions()
  options.binary_location = '/usr/bin/chromium'
  for flag in (*CHROMIUM_FLAGS, f'--user-data-dir={tmp_path_factory.mktemp("profile")}'):
    options.add_argument(flag)
  driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
  driver.set_page_load_timeout(120)
  yield driver
  driver.quit()


def submit(driver, fields: dict[str, str], button: str):
  """Fills the form as a user would (the long text pasted, short text typed) and submits."""
  from selenium.webdriver.common.by import By  # pylint: disable=g-import-not-at-top
  for name, value in fields.items():
    box = driver.find_element(By.ID, name)
    if len(value) > 60:  # paste
      driver.execute_script('arguments[0].value = arguments[1];', box, value)
    else:
      box.clear()
      box.send_keys(value)
  old = driver.find_element(By.TAG_NAME, 'html')
  driver.find_element(By.XPATH, f'//button[contains(., "{button}")]').click()
  deadline = time.time() + 120
  while time.time() < deadline:  # the new page replaced the old one
    try:
      old.tag_name  # pylint: disable=pointless-statement
    except Exception:  # pylint: disable=broad-except  (stale: navigated)
      if driver.execute_script('return document.readyState') == 'complete':
        return
    time.sleep(0.1)
  raise AssertionError('the page did not answer the form')


def screenshot(driver, tmp_path, name):
  directory = pathlib.Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
  path = directory / name
  height = driver.execute_script('return document.documentElement.scrollHeight')
  driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {  # the whole page
      'width': 1000, 'height': height, 'deviceScaleFactor': 1, 'mobile': False})
  try:
    assert driver.save_screenshot(str(path))
  finally:
    driver.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
  assert path.stat().st_size > 10_000  # a real rendered page, not an empty canvas
  return path


def test_browser_mrc_highlights_the_answer_or_says_no_answer(server, browser, reader, tmp_path,
                                                            monkeypatch):
  from selenium.webdriver.common.by import By  # pylint: disable=g-import-not-at-top
  url, threshold = server
  monkeypatch.setattr(reader, 'null_threshold', threshold)  # as the server answers
  expected = {q: reader.answer(KO_MRC2_PASSAGE, q) for q in KO_MRC2_QUESTIONS}
  answered = {q: r['null_score'] - r['score'] <= threshold for q, r in expected.items()}
  assert any(answered.values()) and not all(answered.values())
  browser.get(url + 'mrc')
  assert '독해' in browser.title or 'reading comprehension' in browser.title
  shots = []
  for q in KO_MRC2_QUESTIONS:
    submit(browser, {'passage': KO_MRC2_PASSAGE, 'question': q}, '답변찾기')
    view = browser.find_element(By.ID, 'passage-view')
    assert view.text.replace('\n', ' ').split() == KO_MRC2_PASSAGE.split()
    marks = view.find_elements(By.TAG_NAME, 'mark')
    if answered[q]:
      answer = expected[q]['answer']
      assert browser.find_element(By.ID, 'answer').text == answer.strip()
      assert [m.text for m in marks] == [answer.strip()]
      assert KO_MRC2_PASSAGE[expected[q]['start']:expected[q]['end']] == answer
      assert not browser.find_elements(By.ID, 'no-answer')
      shot = 'answer'
    else:
      assert browser.find_element(By.ID, 'no-answer').text == 'No answer in the passage'
      assert not marks and not browser.find_elements(By.ID, 'answer')
      shot = 'no_answer'
    assert browser.find_element(By.ID, 'question').get_attribute('value') == q  # kept
    if shot not in shots:
      shots.append(shot)
      screenshot(browser, tmp_path, f'serve_mrc_{shot}.png')
  footer = browser.find_element(By.TAG_NAME, 'body').text
  assert 'squad_ko (step ' in footer and str(REPO) not in footer and '/tmp' not in footer


def test_browser_xdc_shades_every_word_and_sentence(server, browser, classifier, tmp_path):
  from selenium.webdriver.common.by import By  # pylint: disable=g-import-not-at-top
  url, _ = server
  browser.get(url + 'xdc')
  submit(browser, {'text': KO_WEATHER}, '분석하기')
  expected = classifier.explain(KO_WEATHER)
  assert browser.find_element(By.ID, 'label').text == expected['label']
  rows = browser.find_elements(By.CSS_SELECTOR, '#probs tr')
  assert [r.find_element(By.TAG_NAME, 'td').text for r in rows] == classifier.labels
  words = browser.find_elements(By.CSS_SELECTOR, '#words span')
  assert [w.text for w in words] == KO_WEATHER.split()
  # Shade = score / top score, as the page's alpha; the top word is fully shaded.
  alphas = [float(re.search(r'rgba?\(255, 140, 0(?:, ([\d.]+))?\)',
                            w.value_of_css_property('background-color')).group(1) or 1)
            for w in words]
  scores = np.array([w['score'] for w in expected['words']])
  np.testing.assert_allclose(alphas, scores / scores.max(), atol=0.01)
  sentences = browser.find_elements(By.CSS_SELECTOR, '#sentences span')
  assert [s.text for s in sentences] == [s['text'] for s in expected['sentences']]
  assert len(sentences) == 5
  screenshot(browser, tmp_path, 'serve_xdc.png')
