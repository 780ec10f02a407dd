"""docs/CONFIG.md lists every key of the real configs (configs/pretrain.py presets, the
fine-tuning base config of every task, every experiment), and no key that none has."""
import pathlib
import re

import ml_collections
import pytest

from bert_jax import config_checks
from bert_jax.tasks.config import base_config
from repo_files import load_module

REPO = pathlib.Path(__file__).resolve().parents[1]
DOC = REPO / 'docs' / 'CONFIG.md'
PRESETS = [p + s for p in ('tiny', 'demo', 'base', 'large') for s in ('', '_phase2')]
TASKS = ('classification', 'squad', 'ner', 'xdc')


def _module(name: str):
  return load_module(name, 'config_doc_' + name.replace('/', '_').removesuffix('.py'))


def _experiment_args() -> dict[str, list[str]]:
  cls = _module('experiments/classification.py')
  ner = ['conll2003', 'ner_en', 'ner_ko']
  xdc = ['en_news_topic', 'ko_news_topic']
  return {
      'classification.py': [*cls.GLUE, *cls.SHIPPED, 'sts_pair', 'qa_choice', 'swag',
                            'hellaswag'],
      'squad.py': ['v1.1', 'v2.0', 'squad_en', 'squad_ko'],
      'ner.py': ner + [f'{n},feature_based' for n in ner],
      'xdc.py': xdc + [f'{x},{m}' for x in xdc for m in ('cls', 'han')],
  }


def keys(c: ml_collections.ConfigDict, prefix: str = '') -> set[str]:
  out = set()
  for k in c.keys():
    if isinstance(c[k], ml_collections.ConfigDict):
      out |= keys(c[k], f'{prefix}{k}.')
    else:
      out.add(prefix + k)
  return out


def config_keys() -> tuple[set[str], set[str]]:
  """(pretraining keys, fine-tuning keys) over every preset / task / experiment."""
  pre = _module('configs/pretrain.py')
  pretraining = set().union(*(keys(pre.get_config(p)) for p in PRESETS))
  finetuning = set().union(*(keys(base_config(t)) for t in TASKS))
  for name, args in _experiment_args().items():
    module = _module(f'experiments/{name}')
    finetuning |= set().union(*(keys(module.get_config(a)) for a in args))
  return pretraining, finetuning


def doc_keys() -> list[str]:
  return re.findall(r'^\| `([^`]+)` \|', DOC.read_text(encoding='utf-8'), re.MULTILINE)


def test_every_config_key_is_documented_once_and_nothing_else():
  pretraining, finetuning = config_keys()
  documented = doc_keys()
  assert len(documented) == len(set(documented)), sorted(
      k for k in documented if documented.count(k) > 1)
  missing = sorted((pretraining | finetuning) - set(documented))
  assert not missing, f'docs/CONFIG.md lacks {missing}'
  extra = sorted(set(documented) - pretraining - finetuning)
  assert not extra, f'docs/CONFIG.md lists {extra}, which no config has'


def test_one_schema_renamed_keys_are_gone_and_their_new_names_exist():
  pretraining, finetuning = config_keys()
  table = dict(re.findall(r'^\| `([^`]+)` \([a-z-]+\) \| `([^`]+)` \|',
                          DOC.read_text(encoding='utf-8'), re.MULTILINE))
  assert table == config_checks.RENAMED
  for old, new in config_checks.RENAMED.items():
    assert old not in pretraining | finetuning, old
    assert new in pretraining and new in finetuning, new
  # The trainer's keys are fine-tuning's too: one vocabulary.
  shared = {'global_batch_size', 'seed', 'prng_impl', 'num_train_steps', 'log_every_steps',
            'keep_checkpoints', 'progress_bar', 'init_checkpoint', 'eval_batch_size',
            'data.max_seq_length'}
  opt = {k for k in pretraining if k.startswith(('optimizer.', 'mesh.'))}
  assert shared | opt <= pretraining & finetuning


@pytest.mark.parametrize('task', TASKS)
def test_finetuning_defaults_are_the_bert_papers(task):
  c = base_config(task)
  o = c.optimizer
  assert (c.global_batch_size, o.learning_rate, o.warmup_steps, o.warmup_fraction) == (
      32, 2e-5, -1, 0.1)
  assert (o.decay, o.weight_decay, o.max_grad_norm, o.recipe) == ('linear', 0.01, 1.0, 'bert')
