r"""Tagging: CoNLL-2003 NER, fine-tuned or feature-based (the seed's table), shipped sets.

  python -m bert_jax.finetune --config=experiments/ner.py:conll2003 \
      --workdir=/tmp/ft/ner --config.init_checkpoint=/tmp/pretrain/demo

  # feature-based: frozen encoder, layers combined, BiLSTM tagger
  python -m bert_jax.finetune --config=experiments/ner.py:conll2003,feature_based \
      --workdir=/tmp/ft/ner_fb --config.init_checkpoint=/tmp/pretrain/demo \
      --config.ner.feature_combination=concat_last_four

ARG: DATASET[,feature_based] with DATASET one of conll2003 (TFDS ``conll2003``, or the
CoNLL files by path: ``--config.data.train_file=eng.train --config.data.dev_file=eng.testa``),
ner_en, ner_ko (shipped, offline).

Labels: the word's tag sits on its first word piece (BERT paper 5.3), scored with
entity-level precision / recall / F1 equal to seqeval's; ``predictions.txt`` is
``word gold pred`` lines for ``python -m bert_jax.metrics.conlleval``.

``feature_combination`` (feature_based): first (embeddings), last, sum_all,
second_to_last, sum_last_four, concat_last_four. ``ner.tagger``: bilstm (the default with
feature_based; the paper used two 768-unit BiLSTM layers, here one of ``ner.lstm_size``
units per direction) or linear. The frozen encoder gets no updates (no gradient, no weight decay).

Expected (BERT-base CoNLL-2003 dev F1): fine-tuned 96.4; feature-based (paper table 7)
embeddings 91.0, last 94.9, sum_all 95.5, second_to_last 95.6, sum_last_four 95.9,
concat_last_four 96.1.
"""
from bert_jax.tasks.config import base_config


def get_config(arg: str = 'conll2003'):
  dataset, *flags = arg.split(',')
  c = base_config('ner')
  c.data.name = dataset
  c.update_from_flattened_dict({'data.max_seq_length': 128, 'optimizer.learning_rate': 5e-5,
                                 'global_batch_size': 32, 'num_epochs': 3.0})
  if dataset == 'conll2003':
    c.data.update(dict(tfds_name='conll2003', tokens_field='tokens', tag_field='ner'))
  elif dataset in ('ner_en', 'ner_ko'):
    c.data.update(dict(train_file=f'shipped:{dataset}/train.txt',
                       dev_file=f'shipped:{dataset}/dev.txt'))
    c.update(dict(global_batch_size=16, num_epochs=4.0))
  else:
    raise ValueError(f'experiments/ner.py:{arg}: unknown dataset {dataset!r}; expected '
                     'conll2003, ner_en or ner_ko.')
  for flag in flags:
    if flag != 'feature_based':
      raise ValueError(f'experiments/ner.py:{arg}: unknown option {flag!r}; expected '
                       'feature_based.')
    # Only the tagger trains: a larger learning rate, no encoder dropout.
    c.ner.update(dict(freeze_encoder=True, feature_combination='concat_last_four',
                      tagger='bilstm'))
    c.update_from_flattened_dict({'optimizer.learning_rate': 1e-3, 'optimizer.weight_decay': 0.0})
  return c
