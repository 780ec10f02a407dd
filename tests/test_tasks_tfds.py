"""Tasks read TFDS datasets the user has prepared (array_record, no TensorFlow, no network).

Small stand-in builders with the feature names of TFDS's ``glue/sst2``, ``squad/v2.0`` and
``conll2003`` are prepared in a temp dir and read through the same config keys.
"""
import numpy as np
import pytest
import tensorflow_datasets as tfds

from bert_jax.errors import InputError
from bert_jax.tasks import classification, ner, squad
from bert_jax.tasks.config import base_config

SST = [('a gripping , funny film', 1), ('dull and far too long', 0)]
CONTEXT = '감정원이 27일 발표한 동향에 따르면 서울 아파트값은 33주 만에 하락세를 멈췄다.'


class FakeGlue(tfds.core.GeneratorBasedBuilder):
  """glue/sst2's features: sentence, label (ClassLabel negative/positive), idx."""
  VERSION = tfds.core.Version('1.0.0')
  BUILDER_CONFIGS = [tfds.core.BuilderConfig(name='sst2')]

  def _info(self):
    return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict({
        'sentence': tfds.features.Text(),
        'label': tfds.features.ClassLabel(names=['negative', 'positive']),
        'idx': np.int32}))

  def _split_generators(self, dl_manager):
    return {'train': self._generate_examples(), 'validation': self._generate_examples()}

  def _generate_examples(self):
    for i, (s, y) in enumerate(SST):
      yield i, {'sentence': s, 'label': y, 'idx': i}


class FakeSquad(tfds.core.GeneratorBasedBuilder):
  """squad/v2.0's features."""
  VERSION = tfds.core.Version('1.0.0')

  def _info(self):
    answers = tfds.features.Sequence({'text': tfds.features.Text(), 'answer_start': np.int32})
    return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict({
        'id': np.str_, 'title': tfds.features.Text(), 'context': tfds.features.Text(),
        'question': tfds.features.Text(), 'is_impossible': np.bool_, 'answers': answers,
        'plausible_answers': answers}))

  def _split_generators(self, dl_manager):
    return {'validation': self._generate_examples()}

  def _generate_examples(self):
    none = {'text': [], 'answer_start': []}
    yield 0, {'id': 'q0', 'title': 't', 'context': CONTEXT, 'question': '몇 주 만에 멈췄니?',
              'is_impossible': False, 'plausible_answers': none,
              'answers': {'text': ['33주'], 'answer_start': [CONTEXT.index('33주')]}}
    yield 1, {'id': 'q1', 'title': 't', 'context': CONTEXT, 'question': '집값 얼마나 올랐어?',
              'is_impossible': True, 'answers': none, 'plausible_answers': none}


class FakeConll(tfds.core.GeneratorBasedBuilder):
  """conll2003's features: tokens, pos, chunks, ner (Sequence(ClassLabel))."""
  VERSION = tfds.core.Version('1.0.0')
  NAMES = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC']

  def _info(self):
    return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict({
        'tokens': tfds.features.Sequence(tfds.features.Text()),
        'pos': tfds.features.Sequence(tfds.features.Text()),
        'chunks': tfds.features.Sequence(tfds.features.Text()),
        'ner': tfds.features.Sequence(tfds.features.ClassLabel(names=self.NAMES))}))

  def _split_generators(self, dl_manager):
    return {'validation': self._generate_examples()}

  def _generate_examples(self):
    yield 0, {'tokens': ['Alice', 'visited', 'New', 'York'], 'pos': ['NNP', 'VBD', 'NNP', 'NNP'],
              'chunks': ['B-NP', 'B-VP', 'B-NP', 'I-NP'], 'ner': [1, 0, 5, 6]}


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
  d = str(tmp_path_factory.mktemp('tfds'))
  for builder in (FakeGlue(config='sst2', data_dir=d, file_format='array_record'),
                  FakeSquad(data_dir=d, file_format='array_record'),
                  FakeConll(data_dir=d, file_format='array_record')):
    builder.download_and_prepare()
  return d


def test_classification_from_tfds(data_dir):
  cfg = base_config('classification')
  cfg.data.update(dict(tfds_name='fake_glue/sst2', tfds_data_dir=data_dir,
                       labels=('negative', 'positive')))
  examples, where = classification.load_examples(cfg, 'dev')
  assert where == 'TFDS fake_glue/sst2:validation'
  assert sorted((e.texts, e.label) for e in examples) == sorted(
      ((s,), ['negative', 'positive'][y]) for s, y in SST)


def test_squad_from_tfds(data_dir):
  cfg = base_config('squad')
  cfg.squad.version_2_with_negative = True
  cfg.data.update(dict(tfds_name='fake_squad', tfds_data_dir=data_dir))
  examples, _ = squad.load_examples(cfg, 'dev')
  by_id = {e.qas_id: e for e in examples}
  assert by_id['q0'].answers[0].text == '33주' and not by_id['q0'].is_impossible
  assert by_id['q1'].is_impossible and by_id['q1'].answers == ()


def test_ner_from_tfds(data_dir):
  cfg = base_config('ner')
  cfg.data.update(dict(tfds_name='fake_conll', tfds_data_dir=data_dir))
  (sent,), _ = ner.load_examples(cfg, 'dev')
  assert sent.words == ('Alice', 'visited', 'New', 'York')
  assert sent.tags == ('B-PER', 'O', 'B-LOC', 'I-LOC')
  cfg.data.labels = ('O', 'B-PER', 'I-PER')
  with pytest.raises(InputError, match="example 0: unknown label 'B-LOC'"):
    ner.load_examples(cfg, 'dev')


def test_missing_tfds_dataset_says_how_to_prepare_it(tmp_path):
  cfg = base_config('classification')
  cfg.data.update(dict(tfds_name='glue/cola', tfds_data_dir=str(tmp_path)))
  with pytest.raises(InputError, match='tfds build glue/cola --file_format=array_record'):
    classification.load_examples(cfg, 'train')
