"""The datasets in bert_jax/resources/finetune: valid, consistent, reproducible."""
import collections
import filecmp
import json
import subprocess
import sys

import pytest

from bert_jax.metrics import ner as ner_metrics
from bert_jax.metrics import squad as squad_metrics
from bert_jax.tasks import readers
from bert_jax.tasks.shipped import ROOT
from bert_jax.tasks.shipped import available_datasets
from bert_jax.tasks.shipped import shipped_path

TOOLS = ROOT.parent.parent.parent / 'tools'  # the generators of the shipped files

NER_LABELS = {'O'} | {f'{p}-{t}' for p in 'BI' for t in ('PER', 'LOC', 'ORG', 'MISC')}
TSV_SETS = {  # folder: (text fields, label set)
    'sentiment': (('sentence',), {'0', '1'}),
    'pair': (('sentence1', 'sentence2'), {'0', '1'}),
    'ko_news_topic': (('sentence',), {'경제', '스포츠', '날씨', '정치'}),
}
SQUAD_SETS = ('squad_en', 'squad_ko')
NER_SETS = ('ner_en', 'ner_ko')


def test_shipped_path_and_listing():
  files = available_datasets()
  for folder in list(TSV_SETS) + list(SQUAD_SETS) + list(NER_SETS):
    assert shipped_path(folder).is_dir()
    ext = {'squad': 'json', 'ner': 'txt'}.get(folder.split('_')[0], 'tsv')
    for split in ('train', 'dev'):
      assert f'{folder}/{split}.{ext}' in files
      assert shipped_path(f'{folder}/{split}.{ext}').is_file()
  with pytest.raises(FileNotFoundError, match=r'no shipped dataset .*squad_ko/dev\.json'):
    shipped_path('squad_kr/dev.json')


def test_files_are_small():
  for name in available_datasets():
    assert (ROOT / name).stat().st_size < 300_000, name


# ----------------------------------------------------------------------------
# TSV classification sets.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('folder', sorted(TSV_SETS))
def test_tsv_sets(folder):
  fields, labels = TSV_SETS[folder]
  header = (ROOT / folder / 'train.tsv').read_text(encoding='utf-8').split('\n')[0]
  assert header.split('\t') == list(fields) + ['label']
  texts = {}
  for split in ('train', 'dev'):
    examples = readers.read_glue_tsv(shipped_path(f'{folder}/{split}.tsv'), fields, 'label',
                                     label_set=labels)
    assert len(examples) >= 100
    assert all(t.strip() and t == t.strip() for ex in examples for t in ex.texts)
    counts = collections.Counter(ex.label for ex in examples)
    assert set(counts) == labels
    assert max(counts.values()) / min(counts.values()) < 1.2, counts  # balanced
    texts[split] = {ex.texts for ex in examples}
    assert len(texts[split]) == len(examples), 'duplicate rows'
  assert not texts['train'] & texts['dev'], 'dev rows also in train'


@pytest.mark.parametrize('folder', ['sentiment', 'ko_news_topic'])
def test_tsv_sets_are_learnable(folder):
  """A bag-of-words classifier beats chance by far: the labels carry signal."""
  from sklearn.feature_extraction import text as feature_extraction
  from sklearn import linear_model
  fields, labels = TSV_SETS[folder]
  train = readers.read_glue_tsv(shipped_path(f'{folder}/train.tsv'), fields)
  dev = readers.read_glue_tsv(shipped_path(f'{folder}/dev.tsv'), fields)
  vec = feature_extraction.CountVectorizer()  # words
  x_train = vec.fit_transform([ex.texts[0] for ex in train])
  clf = linear_model.LogisticRegression(max_iter=2000).fit(x_train, [ex.label for ex in train])
  pred = clf.predict(vec.transform([ex.texts[0] for ex in dev]))
  accuracy = sum(p == ex.label for p, ex in zip(pred, dev)) / len(dev)
  assert accuracy > 0.8, accuracy  # chance: 0.5 / 0.25


# ----------------------------------------------------------------------------
# SQuAD sets.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('folder', SQUAD_SETS)
@pytest.mark.parametrize('split', ['train', 'dev'])
def test_squad_sets(folder, split):
  path = shipped_path(f'{folder}/{split}.json')
  raw = json.loads(path.read_text(encoding='utf-8'))
  assert raw['version'] == 'v2.0'
  n_answers = 0
  for article in raw['data']:
    for p in article['paragraphs']:
      for qa in p['qas']:
        assert qa['is_impossible'] == (not qa['answers'])
        for a in qa['answers']:
          n_answers += 1
          start = a['answer_start']
          assert p['context'][start:start + len(a['text'])] == a['text'], qa['id']
          assert a['text'] == a['text'].strip() and a['text'], qa['id']
  examples = readers.read_squad_json(path)
  impossible = sum(ex.is_impossible for ex in examples)
  assert len(examples) >= 40 and n_answers >= len(examples) - impossible
  assert 0.1 < impossible / len(examples) < 0.35
  assert len({ex.qas_id for ex in examples}) == len(examples)
  # Scoring the gold answers gives 100 (and exercises the shipped data end to end).
  preds = {ex.qas_id: ex.answers[0].text if ex.answers else '' for ex in examples}
  result = squad_metrics.evaluate_v2(raw['data'], preds)
  assert result['exact'] == 100.0 and result['f1'] == 100.0


def test_squad_ko_dev_has_the_seed_examples():
  examples = {ex.question: ex for ex in readers.read_squad_json(shipped_path('squad_ko/dev.json'))}
  weather = examples['수요일 날씨는?']
  assert weather.answers[0].text == '전국이 흐리고 남부지방과 제주도는 빗방울이 떨어지겠다'
  trade = examples['최재훈이랑 트레이드 된 선수는 몇 살이야?']
  assert [a.text for a in trade.answers] == ['27']
  assert trade.context[trade.answers[0].start - 4:trade.answers[0].start + 3] == '신성현(27)'
  assert examples['집값 얼마나 올랐어?'].is_impossible
  assert examples['아파트 값이 몇주 만에 하락세를 멈췄니?'].answers[0].text == '33주'
  assert examples['정부가 활용한 통계지표가 뭐야?'].answers[0].text == '주간 아파트 가격 동향'
  assert '에이미' in examples['마인즈랩은 어디에 합류했나요?'].answers[0].text


# ----------------------------------------------------------------------------
# NER sets.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('folder', NER_SETS)
@pytest.mark.parametrize('split', ['train', 'dev'])
def test_ner_sets(folder, split):
  path = shipped_path(f'{folder}/{split}.txt')
  sentences = readers.read_conll(path, label_set=NER_LABELS)
  assert len(sentences) >= 50
  n_cols = 4
  for line in path.read_text(encoding='utf-8').splitlines():
    if line and not line.startswith('-DOCSTART-'):
      cols = line.split(' ')
      assert len(cols) == n_cols, line
      if folder == 'ner_ko':
        assert cols[1:3] == ['_', '_'], line
  types = collections.Counter()
  for tokens, tags in sentences:
    assert len(tokens) == len(tags) and tokens
    prev = 'O'
    for tag in tags:  # strict IOB2: I-X only continues B-X / I-X
      if tag.startswith('I-'):
        assert prev[2:] == tag[2:], (tokens, tags)
      prev = tag
    for type_, _, _ in ner_metrics.get_entities(tags):
      types[type_] += 1
  assert set(types) == {'PER', 'LOC', 'ORG', 'MISC'}
  assert min(types.values()) >= 20, types
  # Gold against gold scores 1.0 with the conlleval-style metric.
  gold = [tags for _, tags in sentences]
  assert ner_metrics.precision_recall_f1(gold, gold)['f1'] == 1.0


def test_ner_dev_has_unseen_names():
  train_tokens = {t for tokens, _ in readers.read_conll(shipped_path('ner_en/train.txt'))
                  for t in tokens}
  dev = readers.read_conll(shipped_path('ner_en/dev.txt'))
  unseen = {t for tokens, tags in dev for t, tag in zip(tokens, tags)
            if tag != 'O' and t not in train_tokens}
  assert unseen


# ----------------------------------------------------------------------------
# Reproducibility: the generators write exactly the shipped files.
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('script', ['make_classification.py', 'make_squad.py', 'make_ner.py'])
def test_generators_reproduce_shipped_files(script, tmp_path):
  if script == 'make_squad.py':
    import konlpy  # noqa: F401  (a declared dependency: fail, never skip)
  r = subprocess.run([sys.executable, str(TOOLS / script), '--out', str(tmp_path)],
                     capture_output=True, text=True, timeout=120)
  assert r.returncode == 0, r.stderr
  made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*') if p.is_file())
  assert made
  for name in made:
    assert filecmp.cmp(tmp_path / name, ROOT / name, shallow=False), name


# ----------------------------------------------------------------------------
# Reader errors name the file and the place.
# ----------------------------------------------------------------------------
def test_read_squad_json_bad_offset_names_file_and_id(tmp_path):
  path = tmp_path / 'bad.json'
  path.write_text(json.dumps({'data': [{'title': 't', 'paragraphs': [{
      'context': 'The cat sat.', 'qas': [{'id': 'q-17', 'question': 'Who sat?',
                                         'answers': [{'text': 'cat', 'answer_start': 5}]}]}]}]}))
  with pytest.raises(readers.DataFormatError, match=r"bad\.json.*'q-17'.*answer_start=5"):
    readers.read_squad_json(path)
  path.write_text('{"data": [')
  with pytest.raises(readers.DataFormatError, match=r'bad\.json.*not valid JSON'):
    readers.read_squad_json(path)


def test_read_conll_unknown_label_names_file_and_line(tmp_path):
  path = tmp_path / 'bad.txt'
  path.write_text('-DOCSTART- -X- -X- O\n\nJohn NNP B-NP B-PER\nlives VBZ B-VP B-PERSON\n')
  with pytest.raises(readers.DataFormatError, match=r"bad\.txt:4: unknown label 'B-PERSON'"):
    readers.read_conll(path, label_set=NER_LABELS)
  assert readers.read_conll(path) == [(['John', 'lives'], ['B-PER', 'B-PERSON'])]


def test_read_glue_tsv_errors_name_file(tmp_path):
  path = tmp_path / 'bad.tsv'
  path.write_text('sentence\tlabel\nfine\t1\nbroken line\n')
  with pytest.raises(readers.DataFormatError, match=r'bad\.tsv:3: expected 2'):
    readers.read_glue_tsv(path, ('sentence',))
  with pytest.raises(readers.DataFormatError, match=r"bad\.tsv:1: header has no column.*'text'"):
    readers.read_glue_tsv(path, ('text',))
  path.write_text('sentence\tlabel\nfine\t7\n')
  with pytest.raises(readers.DataFormatError, match=r"bad\.tsv:2: unknown label '7'"):
    readers.read_glue_tsv(path, ('sentence',), label_set={'0', '1'})
  path.write_text('sentence\nno label "quoted" here\n')
  [ex] = readers.read_glue_tsv(path, ('sentence',), None)
  assert ex.texts == ('no label "quoted" here',) and ex.label is None
