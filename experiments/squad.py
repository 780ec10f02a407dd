r"""Span extraction: SQuAD v1.1 / v2.0 (the seed's BERT-MRC and MRC 2.0), shipped sets.

  python -m bert_jax.finetune --config=experiments/squad.py:v1.1 \
      --workdir=/tmp/ft/squad11 --config.init_checkpoint=/tmp/pretrain/demo

ARG: v1.1 | v2.0 (TFDS squad/v1.1, squad/v2.0; or the official files by path:
``--config.data.train_file=train-v2.0.json --config.data.dev_file=dev-v2.0.json``) |
squad_en | squad_ko (shipped SQuAD-v2.0-format sets, English / Korean, offline; batch 16,
stride 64; squad_ko seq 128, 4 epochs; squad_en seq 160, lr 1e-4, 10 epochs = 200 steps:
MiniLM-L6 reaches dev best_f1 56.5 / 57.6 / 60.8 on seeds 0-2, 22.7-70.8 on seeds 0-5,
transformers with the same recipe 46.1-75.6; a weak run is a weak draw of the span head: it
is weak in transformers too when started from that head; see the README).

Features: data.max_seq_length 384, doc_stride 128, max_query_length 64; prediction:
n_best_size 20, max_answer_length 30, the official answer normalisation and EM / F1.
v2.0 predicts the empty string for a question whose null score beats the best span by more
than ``squad.null_score_diff_threshold``; the dev evaluation also searches the threshold
that maximises F1 (``best_f1``, ``best_f1_thresh``, HasAns / NoAns breakdown), the best
checkpoint is picked by ``best_f1``, and ``--config.mode=predict`` uses that threshold
(``squad.use_dev_threshold``). Writes ``predictions.json``, ``nbest_predictions.json`` and
``null_odds.json`` like google-research/bert; score them again with
``python -m bert_jax.metrics.squad dev-v2.0.json predictions.json --na-prob-file null_odds.json``.

Hyper-parameters (BERT paper): v1.1 lr 5e-5, batch 32, 3 epochs; v2.0 lr 5e-5, 2 epochs
(the paper's batch 48 is outside our {16, 32} grid: 32). Expected (paper): BERT-base
v1.1 dev EM 80.8 / F1 88.5; BERT-large v2.0 dev EM 78.7 / F1 81.9.
"""
from bert_jax.tasks.config import base_config


def get_config(arg: str = 'v1.1'):
  c = base_config('squad')
  c.data.name = arg
  c.update_from_flattened_dict({'data.max_seq_length': 384, 'optimizer.learning_rate': 5e-5,
                                 'global_batch_size': 32, 'num_epochs': 3.0})
  c.squad.update(dict(doc_stride=128, max_query_length=64, max_answer_length=30,
                      n_best_size=20))
  if arg in ('v1.1', 'v2.0'):
    c.data.tfds_name = f'squad/{arg}'
    c.squad.version_2_with_negative = arg == 'v2.0'
    if arg == 'v2.0':
      c.num_epochs = 2.0
  elif arg in ('squad_en', 'squad_ko'):
    c.data.update(dict(train_file=f'shipped:{arg}/train.json', dev_file=f'shipped:{arg}/dev.json'))
    c.squad.version_2_with_negative = True
    c.update_from_flattened_dict({'global_batch_size': 16, 'num_epochs': 4.0,
                                   'data.max_seq_length': 128})
    c.squad.doc_stride = 64
    if arg == 'squad_en':
      # 290 questions are few for a span head: at 4 epochs (80-148 steps) one seed in three
      # stays at or near the all-null score in bert_jax and in transformers alike (README,
      # "Fine-tuning from real weights"). Whole paragraphs in one window (seq 160: 313
      # windows), lr 1e-4 and 10 epochs (200 steps) free seeds 0-2 on both sides (bert_jax
      # 56.5-60.8, transformers 46.1-75.6); one or two seeds in six still learn little.
      c.update_from_flattened_dict({'data.max_seq_length': 160, 'optimizer.learning_rate': 1e-4,
                                     'num_epochs': 10.0})
  else:
    raise ValueError(f'experiments/squad.py:{arg}: unknown ARG; expected v1.1, v2.0, squad_en '
                     'or squad_ko.')
  return c


def get_sweep(arg: str = '') -> list[dict]:
  """The BERT paper's fine-tuning grid (lr x batch x epochs, 24 settings; see
  ``bert_jax.sweep.grid.bert_paper_finetuning_grid``). Used by
  ``python -m bert_jax.sweep --config=THIS_FILE:ARG`` when no --sweep is given."""
  del arg  # the same grid for every ARG
  from bert_jax.sweep.grid import bert_paper_finetuning_grid  # pylint: disable=g-import-not-at-top
  return bert_paper_finetuning_grid()
