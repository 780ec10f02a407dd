"""Metrics against hand-computed values and reference implementations."""
import json
import random
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bert_jax.metrics import conlleval
from bert_jax.metrics import glue
from bert_jax.metrics import ner
from bert_jax.metrics import squad


# ----------------------------------------------------------------------------
# SQuAD.
# ----------------------------------------------------------------------------
def _squad_data(qas):
  """qas: list of (id, [gold texts])."""
  return [{'title': 't', 'paragraphs': [{
      'context': 'unused',
      'qas': [{'id': qid, 'question': '?', 'answers': [{'text': t, 'answer_start': 0}
                                                        for t in golds]}
              for qid, golds in qas]}]}]


DATA = _squad_data([
    ('q1', ['the Eiffel Tower', 'Eiffel Tower']),
    ('q2', ['Paris, France']),
    ('q3', []),  # unanswerable
    ('q4', []),  # unanswerable
])
PREDS = {'q1': 'Eiffel tower!', 'q2': 'in Paris', 'q3': '', 'q4': 'London'}


def test_normalize_answer_articles_punctuation_whitespace():
  assert squad.normalize_answer("The  Cat's, hat!") == 'cats hat'
  assert squad.normalize_answer('An apple') == 'apple'
  assert squad.normalize_answer('Theory of the Atom') == 'theory of atom'  # 'the' as a word only
  assert squad.compute_exact('a dog', 'The dog.') == 1
  # Korean is left alone apart from ASCII punctuation: particles are not stripped.
  assert squad.normalize_answer("'주간 아파트 가격 동향'") == '주간 아파트 가격 동향'
  assert squad.compute_exact('33주', '33주 만에') == 0
  assert squad.compute_f1('33주', '33주 만에') == pytest.approx(2 / 3)


def test_compute_f1_by_hand():
  # gold 'paris france', pred 'in paris': 1 common, P = R = 1/2.
  assert squad.compute_f1('Paris, France', 'in Paris') == pytest.approx(0.5)
  assert squad.compute_f1('', '') == 1.0
  assert squad.compute_f1('', 'London') == 0.0
  assert squad.compute_f1('London', '') == 0.0
  # v1.1 rule: empty vs empty is 0.
  assert squad.f1_score_v1('', '') == 0.0


def test_v2_without_na_probs():
  out = squad.evaluate_v2(DATA, PREDS)
  # EM: q1 1, q2 0, q3 1, q4 0; F1: 1, .5, 1, 0.
  assert out == {
      'exact': 50.0, 'f1': 62.5, 'total': 4,
      'HasAns_exact': 50.0, 'HasAns_f1': 75.0, 'HasAns_total': 2,
      'NoAns_exact': 50.0, 'NoAns_f1': 50.0, 'NoAns_total': 2,
  }
  assert list(out) == ['exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total',
                       'NoAns_exact', 'NoAns_f1', 'NoAns_total']


def test_v2_with_na_probs_and_best_thresh():
  na = {'q1': 0.1, 'q2': 0.6, 'q3': 0.9, 'q4': 0.8}
  out = squad.evaluate_v2(DATA, PREDS, na, na_prob_thresh=0.7)
  # q3, q4 predicted unanswerable (0.9, 0.8 > 0.7): both correct.
  assert out['exact'] == 75.0 and out['f1'] == 87.5
  assert out['NoAns_exact'] == 100.0
  # Sweep: start all-null (2/4); answer q1 (+1 -> 3), q2 (+0 EM / +.5 F1),
  # q4 (-1, wrong non-null), q3 (0, empty prediction).
  assert out['best_exact'] == 75.0 and out['best_exact_thresh'] == 0.1
  assert out['best_f1'] == 87.5 and out['best_f1_thresh'] == 0.6
  assert list(out)[-4:] == ['best_exact', 'best_exact_thresh', 'best_f1', 'best_f1_thresh']


def test_v2_all_null_predictions_do_not_crash():
  preds = {k: '' for k in PREDS}
  out = squad.evaluate_v2(DATA, preds, {'q1': .2, 'q2': .3, 'q3': .4, 'q4': .5})
  assert out['exact'] == 50.0 and out['f1'] == 50.0
  assert out['HasAns_exact'] == 0.0 and out['NoAns_exact'] == 100.0
  assert out['best_exact'] == 50.0 and out['best_exact_thresh'] == 0.0
  # None (a post-processor's "no answer") is the same as ''.
  assert squad.evaluate_v2(DATA, {k: None for k in PREDS})['exact'] == 50.0


def test_v2_thresholds_are_used_as_given_for_log_odds():
  # Negative scores (log-odds): the all-null threshold must be below all of them,
  # not 0.0 (that would answer q1 and q2), and it must reproduce best_*.
  preds = {k: '' for k in PREDS}
  na = {'q1': -2.0, 'q2': -1.0, 'q3': 3.0, 'q4': 4.0}
  out = squad.evaluate_v2(DATA, preds, na)
  assert out['best_exact_thresh'] == -3.0
  again = squad.evaluate_v2(DATA, preds, na, na_prob_thresh=out['best_exact_thresh'])
  assert again['exact'] == out['best_exact']


def test_v2_threshold_ties_use_whole_groups():
  data = _squad_data([('a', ['x']), ('b', [])])
  preds = {'a': 'x', 'b': 'wrong'}
  # Same score: any threshold answers both or neither -> 50 %, never 100 %.
  out = squad.evaluate_v2(data, preds, {'a': 0.5, 'b': 0.5})
  assert out['best_exact'] == 50.0 and out['best_exact_thresh'] == 0.0
  out = squad.evaluate_v2(data, preds, {'a': 0.4, 'b': 0.5})
  assert out['best_exact'] == 100.0 and out['best_exact_thresh'] == 0.4


def test_v2_best_thresh_is_reachable_on_random_data():
  rng = random.Random(0)
  for trial in range(30):
    qas, preds, na = [], {}, {}
    for i in range(12):
      has = rng.random() < 0.5
      qas.append((f'q{i}', ['red fox'] if has else []))
      preds[f'q{i}'] = rng.choice(['', 'red fox', 'fox', 'blue'])
      na[f'q{i}'] = rng.choice([0.1, 0.2, 0.3, -1.0, 0.0]) if trial % 2 else rng.random()
    data = _squad_data(qas)
    out = squad.evaluate_v2(data, preds, na)
    candidates = sorted(set(na.values()) | {min(na.values()) - 1.0})
    for key in ('exact', 'f1'):
      scores = [squad.evaluate_v2(data, preds, na, t)[key] for t in candidates]
      assert out[f'best_{key}'] == pytest.approx(max(scores))
      at_best = squad.evaluate_v2(data, preds, na, out[f'best_{key}_thresh'])[key]
      assert at_best == pytest.approx(out[f'best_{key}'])


def _official_find_best_thresh(preds, scores, na_probs, qid_to_has_ans):
  """evaluate-v2.0.py's sweep, transcribed (valid when na_probs has no ties)."""
  cur = best = sum(1 for k in qid_to_has_ans if not qid_to_has_ans[k])
  best_thresh = 0.0
  for qid in sorted(na_probs, key=lambda k: na_probs[k]):
    if qid not in scores:
      continue
    cur += scores[qid] if qid_to_has_ans[qid] else (-1 if preds[qid] else 0)
    if cur > best:
      best, best_thresh = cur, na_probs[qid]
  return 100.0 * best / len(scores), best_thresh


def test_v2_best_thresh_equals_official_without_ties():
  rng = random.Random(1)
  for _ in range(30):
    qas, preds = [], {}
    for i in range(15):
      qas.append((f'q{i}', ['the red fox', 'red fox'] if rng.random() < 0.5 else []))
      preds[f'q{i}'] = rng.choice(['', 'red fox', 'a fox', 'blue'])
    na = {f'q{i}': rng.random() for i in range(15)}  # probabilities, no ties
    data = _squad_data(qas)
    out = squad.evaluate_v2(data, preds, na)
    exact_raw, f1_raw = squad.get_raw_scores(data, preds)
    has_ans = squad.make_qid_to_has_ans(data)
    assert (out['best_exact'], out['best_exact_thresh']) == pytest.approx(
        _official_find_best_thresh(preds, exact_raw, na, has_ans))
    assert (out['best_f1'], out['best_f1_thresh']) == pytest.approx(
        _official_find_best_thresh(preds, f1_raw, na, has_ans))


def test_v1():
  data = _squad_data([('q1', ['the Eiffel Tower']), ('q2', ['Paris, France']), ('q3', ['x'])])
  out = squad.evaluate_v1(data, {'q1': 'Eiffel Tower', 'q2': 'in Paris'})  # q3 missing -> 0
  assert out == {'exact_match': pytest.approx(100 / 3), 'f1': pytest.approx(150 / 3)}


def _run(module, *args, stdin=None):
  return subprocess.run([sys.executable, '-m', module, *map(str, args)], input=stdin,
                        capture_output=True, text=True, timeout=60)


def test_squad_cli(tmp_path):
  data_file, pred_file = tmp_path / 'data.json', tmp_path / 'pred.json'
  na_file = tmp_path / 'na.json'
  data_file.write_text(json.dumps({'version': 'v2.0', 'data': DATA}))
  pred_file.write_text(json.dumps(PREDS))
  na_file.write_text(json.dumps({'q1': 0.1, 'q2': 0.6, 'q3': 0.9, 'q4': 0.8}))
  r = _run('bert_jax.metrics.squad', data_file, pred_file, '--na-prob-file', na_file,
           '--na-prob-thresh', '0.7')
  assert r.returncode == 0, r.stderr
  assert r.stderr == ''  # no warnings (e.g. runpy's double-import warning)
  out = json.loads(r.stdout)
  assert list(out) == ['exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total',
                       'NoAns_exact', 'NoAns_f1', 'NoAns_total', 'best_exact',
                       'best_exact_thresh', 'best_f1', 'best_f1_thresh']
  assert out['exact'] == 75.0
  # --out-file writes, and refuses to replace an existing file.
  out_file = tmp_path / 'eval.json'
  assert _run('bert_jax.metrics.squad', data_file, pred_file, '--out-file', out_file
              ).returncode == 0
  assert json.loads(out_file.read_text())['exact'] == 50.0
  r = _run('bert_jax.metrics.squad', data_file, pred_file, '--out-file', out_file)
  assert r.returncode != 0 and 'exists' in r.stderr
  # v1.1 data -> v1.1 keys.
  data_file.write_text(json.dumps({'version': '1.1', 'data': DATA[:1]}))
  out = json.loads(_run('bert_jax.metrics.squad', data_file, pred_file).stdout)
  assert set(out) == {'exact_match', 'f1'}


def test_squad_cli_errors_name_the_file(tmp_path):
  data_file, pred_file = tmp_path / 'data.json', tmp_path / 'pred.json'
  data_file.write_text(json.dumps({'version': 'v2.0', 'data': DATA}))
  r = _run('bert_jax.metrics.squad', data_file, tmp_path / 'missing_preds.json')
  assert r.returncode != 0 and 'missing_preds.json' in r.stderr
  pred_file.write_text('{"q1": "x",')  # truncated JSON
  r = _run('bert_jax.metrics.squad', data_file, pred_file)
  assert r.returncode != 0 and 'pred.json' in r.stderr and 'not valid JSON' in r.stderr
  assert 'Traceback' not in r.stderr
  pred_file.write_text(json.dumps({'other': 'x'}))
  r = _run('bert_jax.metrics.squad', data_file, pred_file)
  assert r.returncode != 0 and 'No prediction matches' in r.stderr


# ----------------------------------------------------------------------------
# Entity F1 vs seqeval.
# ----------------------------------------------------------------------------
TYPES = ('PER', 'LOC', 'ORG', 'MISC')


def _random_tags(rng, n, scheme_tags=('B', 'I')):
  tags = []
  for _ in range(n):
    r = rng.random()
    if r < 0.4:
      tags.append('O')
    else:
      tags.append(f'{rng.choice(scheme_tags)}-{rng.choice(TYPES)}')  # includes malformed I-
  return tags


def _perturb(rng, tags, scheme_tags=('B', 'I')):
  out = list(tags)
  for i in range(len(out)):
    if rng.random() < 0.25:
      out[i] = rng.choice(['O', f'{rng.choice(scheme_tags)}-{rng.choice(TYPES)}'])
  return out


@pytest.mark.parametrize('scheme_tags', [('B', 'I'), ('B', 'I', 'E', 'S')])
def test_entity_f1_equals_seqeval(scheme_tags):
  from seqeval import metrics as seqeval_metrics
  from seqeval.metrics.sequence_labeling import get_entities as seqeval_get_entities
  rng = random.Random(1234)
  gold = [_random_tags(rng, rng.randint(1, 15), scheme_tags) for _ in range(300)]
  pred = [_perturb(rng, g, scheme_tags) for g in gold]
  # Hand-picked malformed starts and type switches.
  gold += [['I-PER', 'I-PER', 'O'], ['B-PER', 'I-LOC', 'I-LOC'], ['O', 'I-ORG', 'B-ORG']]
  pred += [['B-PER', 'I-PER', 'O'], ['B-PER', 'B-LOC', 'I-LOC'], ['I-ORG', 'I-ORG', 'B-ORG']]
  for seq in gold + pred:
    assert ner.get_entities(seq) == seqeval_get_entities(seq), seq
  with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    ref_p = seqeval_metrics.precision_score(gold, pred)
    ref_r = seqeval_metrics.recall_score(gold, pred)
    ref_f = seqeval_metrics.f1_score(gold, pred)
    ref_report = seqeval_metrics.classification_report(gold, pred, output_dict=True)
  ours = ner.precision_recall_f1(gold, pred)
  assert ours['precision'] == pytest.approx(ref_p)
  assert ours['recall'] == pytest.approx(ref_r)
  assert ours['f1'] == pytest.approx(ref_f)
  assert 0.2 < ours['f1'] < 0.9  # non-trivial mix of hits and misses
  report = ner.entity_report(gold, pred)
  for type_ in TYPES:
    assert report[type_].precision == pytest.approx(ref_report[type_]['precision'])
    assert report[type_].recall == pytest.approx(ref_report[type_]['recall'])
    assert report[type_].f1 == pytest.approx(ref_report[type_]['f1-score'])
    assert report[type_].num_gold == ref_report[type_]['support']


def test_entity_f1_by_hand():
  gold = [['B-PER', 'I-PER', 'O', 'B-LOC']]
  pred = [['B-PER', 'I-PER', 'O', 'I-ORG']]  # PER right, LOC missed, ORG spurious
  assert ner.get_entities(['O', 'I-LOC', 'I-LOC', 'B-PER', 'I-ORG']) == [
      ('LOC', 1, 2), ('PER', 3, 3), ('ORG', 4, 4)]
  assert ner.precision_recall_f1(gold, pred) == {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
  assert ner.precision_recall_f1([['O']], [['O']]) == {'precision': 0, 'recall': 0, 'f1': 0}
  with pytest.raises(ValueError, match='sequence 0'):
    ner.precision_recall_f1([['O', 'O']], [['O']])


def test_conlleval_cli():
  text = ('-DOCSTART- -X- -X- O\n\n'
          'John NNP B-PER B-PER\nlives VBZ O O\nin IN O O\nNew NNP B-LOC B-LOC\n'
          'York NNP I-LOC I-LOC\n\n'
          'Acme NNP B-ORG B-LOC\nCorp NNP I-ORG I-LOC\n.  . O O\n')
  r = _run('bert_jax.metrics.conlleval', stdin=text)
  assert r.returncode == 0, r.stderr
  lines = r.stdout.splitlines()
  assert lines[0] == 'processed 8 tokens with 3 phrases; found: 3 phrases; correct: 2.'
  assert lines[1] == 'accuracy:  75.00%; precision:  66.67%; recall:  66.67%; FB1:  66.67'
  assert lines[2] == '              LOC: precision:  50.00%; recall: 100.00%; FB1:  66.67  2'
  assert 'ORG: precision:   0.00%' in r.stdout and 'PER: precision: 100.00%' in r.stdout
  r = _run('bert_jax.metrics.conlleval', '--json', stdin=text)
  assert json.loads(r.stdout)['overall']['f1'] == pytest.approx(2 / 3)
  r = _run('bert_jax.metrics.conlleval', stdin='John B-PER\n')
  assert r.returncode != 0 and '<stdin>:1' in r.stderr
  r = _run('bert_jax.metrics.conlleval', 'no_such_file.txt')
  assert r.returncode != 0 and 'no_such_file.txt' in r.stderr


def test_conlleval_reader_matches_library(tmp_path):
  golds, preds = conlleval.read_gold_pred(['a B-PER I-PER', '', 'b O O', 'c B-LOC B-LOC'])
  assert golds == [['B-PER'], ['O', 'B-LOC']] and preds == [['I-PER'], ['O', 'B-LOC']]


# ----------------------------------------------------------------------------
# GLUE vs scikit-learn / scipy.
# ----------------------------------------------------------------------------
def test_glue_metrics_equal_sklearn_scipy():
  from sklearn import metrics as skm
  from scipy import stats
  rng = np.random.default_rng(0)
  for trial in range(40):
    n = int(rng.integers(5, 200))
    labels, preds = rng.integers(0, 2, n), rng.integers(0, 2, n)
    assert glue.accuracy(preds, labels) == pytest.approx(skm.accuracy_score(labels, preds))
    assert glue.f1_binary(preds, labels) == pytest.approx(
        skm.f1_score(labels, preds, zero_division=0))
    assert glue.matthews_corr(preds, labels) == pytest.approx(
        skm.matthews_corrcoef(labels, preds))
    labels3, preds3 = rng.integers(0, 3, n), rng.integers(0, 3, n)
    assert glue.matthews_corr(preds3, labels3) == pytest.approx(
        skm.matthews_corrcoef(labels3, preds3))
    assert glue.macro_f1(preds3, labels3) == pytest.approx(
        skm.f1_score(labels3, preds3, average='macro', zero_division=0))
    # Regression, with ties half of the time (rounded values).
    x = rng.normal(size=n) * 2.5
    y = x + rng.normal(size=n)
    if trial % 2:
      x, y = np.round(x), np.round(y)
    assert glue.pearson(x, y) == pytest.approx(stats.pearsonr(x, y)[0])
    assert glue.spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0])
    np.testing.assert_allclose(glue.rankdata(x), stats.rankdata(x))


def test_glue_metrics_per_task():
  labels = np.array([0, 1, 1, 0, 1])
  logits = np.array([[2, 1], [0, 3], [1, 0], [5, 1], [0, 1]], dtype=float)  # argmax 0 1 0 0 1
  assert set(glue.glue_metrics('CoLA', logits, labels)) == {'mcc'}
  for task in ('sst2', 'SST-2', 'qnli', 'rte', 'wnli', 'mnli-m', 'mnli-mm', 'swag'):
    assert glue.glue_metrics(task, logits, labels) == {'accuracy': 0.8}
  assert glue.glue_metrics('mrpc', logits, labels) == {'accuracy': 0.8, 'f1': 0.8}
  assert set(glue.glue_metrics('qqp', logits, labels)) == {'accuracy', 'f1'}
  stsb = glue.glue_metrics('sts-b', np.array([[1.0], [2.0], [3.0]]), [1.5, 2.5, 2.0])
  assert set(stsb) == {'pearson', 'spearman'} and stsb['spearman'] == pytest.approx(0.5)
  assert set(glue.glue_metrics('ko_news_topic', [0, 1, 2], [0, 1, 1])) == {'accuracy',
                                                                           'macro_f1'}
  with pytest.raises(ValueError, match='unknown task'):
    glue.glue_metrics('imagenet', [0], [0])
  with pytest.raises(ValueError, match='shape'):
    glue.accuracy([0, 1], [0, 1, 1])
