r"""Sequence classification: GLUE, SWAG / HellaSwag, and the shipped sets (offline).

  python -m bert_jax.finetune --config=experiments/classification.py:sst2 \
      --workdir=/tmp/ft/sst2 --config.init_checkpoint=/tmp/pretrain/demo

ARG (one of):
  single sentence   sst2 (accuracy), cola (Matthews corr.)
  sentence pair     mnli (matched / mismatched accuracy), qqp (accuracy / F1), qnli, mrpc
                    (accuracy / F1), rte, wnli
  regression        stsb (Pearson / Spearman)
  multiple choice   swag (SWAG's own CSV files, 4 choices), hellaswag (TFDS)
  shipped, offline  sentiment, pair, ko_news_topic, sts_pair (regression, Pearson /
                    Spearman), qa_choice (multiple choice, 4 answers; bert_jax/resources/finetune)

Data: by default TFDS (``glue/<task>``, ``hellaswag``), read from ``~/tensorflow_datasets``
or ``--config.data.tfds_data_dir`` once prepared (``tfds build glue/sst2
--file_format=array_record``; nothing is downloaded at run time). The GLUE TSV files work
by path with the same ARG::

  --config.data.train_file=glue_data/SST-2/train.tsv --config.data.dev_file=glue_data/SST-2/dev.tsv
  (MNLI: --config.data.dev_file=glue_data/MNLI/dev_matched.tsv,glue_data/MNLI/dev_mismatched.tsv)
  (SWAG: --config.data.train_file=swagaf/data/train.csv --config.data.dev_file=swagaf/data/val.csv)

Hyper-parameters: the BERT paper's (batch 32, lr 2e-5, 3 epochs, 10 % warmup; the paper
picks lr in {5e-5, 3e-5, 2e-5} and batch in {16, 32} on dev: override with
``--config.optimizer.learning_rate`` /
``--config.global_batch_size``). SWAG: lr 2e-5, batch 16, 3 epochs.

Expected (BERT-base, paper dev/test): SST-2 93.5, CoLA 52.1, MNLI 84.6/83.4, QQP 71.2 F1
(test), QNLI 90.5, MRPC 88.9 F1, RTE 66.4, STS-B 85.8 Spearman, SWAG 81.6 dev accuracy.
"""
from bert_jax.tasks.config import base_config

# name: (tfds name, file text columns, file label column, tfds text features, metric,
#        main metric, dev split(s))
GLUE = {
    'cola': ('glue/cola', ('3',), '1', ('sentence',), 'cola', 'mcc', 'validation'),
    'sst2': ('glue/sst2', ('sentence',), 'label', (), 'sst2', 'accuracy', 'validation'),
    'mrpc': ('glue/mrpc', ('#1 String', '#2 String'), 'Quality', ('sentence1', 'sentence2'),
             'mrpc', 'f1', 'validation'),
    'qqp': ('glue/qqp', ('question1', 'question2'), 'is_duplicate', ('question1', 'question2'),
            'qqp', 'f1', 'validation'),
    'mnli': ('glue/mnli', ('sentence1', 'sentence2'), 'gold_label', ('premise', 'hypothesis'),
             'mnli', 'accuracy', 'validation_matched,validation_mismatched'),
    'qnli': ('glue/qnli', ('question', 'sentence'), 'label', (), 'qnli', 'accuracy',
             'validation'),
    'rte': ('glue/rte', ('sentence1', 'sentence2'), 'label', (), 'rte', 'accuracy',
            'validation'),
    'wnli': ('glue/wnli', ('sentence1', 'sentence2'), 'label', (), 'wnli', 'accuracy',
             'validation'),
    'stsb': ('glue/stsb', ('sentence1', 'sentence2'), 'score', ('sentence1', 'sentence2'),
             'stsb', 'spearman', 'validation'),
}
# name: (folder, text columns, metric, main metric)
SHIPPED = {
    'sentiment': ('sentiment', ('sentence',), 'sentiment', 'accuracy'),
    'pair': ('pair', ('sentence1', 'sentence2'), 'pair', 'accuracy'),
    'ko_news_topic': ('ko_news_topic', ('sentence',), 'ko_news_topic', 'accuracy'),
}


def get_config(arg: str = 'sst2'):
  c = base_config('classification')
  c.data.name = arg
  if arg in GLUE:
    tfds_name, fields, label, tfds_fields, metric, main, dev = GLUE[arg]
    c.data.update(dict(tfds_name=tfds_name, text_fields=fields, label_field=label,
                       tfds_text_fields=tfds_fields, tfds_label_field='label',
                       tfds_dev_split=dev, has_header=arg != 'cola'))
    c.classification.update(dict(metric=metric, main_metric=main, regression=arg == 'stsb'))
  elif arg in ('swag', 'hellaswag'):
    c.classification.update(dict(metric='swag', main_metric='accuracy', num_choices=4))
    c.global_batch_size = 16
    c.data.max_seq_length = 128
    if arg == 'swag':  # TFDS has no SWAG builder: SWAG's own CSV files by path.
      c.data.format = 'swag_csv'
    else:
      c.data.update(dict(tfds_name='hellaswag', text_fields=('context',),
                         choices_field='endings'))
  elif arg in ('sts_pair', 'qa_choice'):  # shipped regression / multiple choice
    if arg == 'sts_pair':
      c.data.update(dict(train_file='shipped:sts_pair/train.tsv',
                         dev_file='shipped:sts_pair/dev.tsv', text_fields=('sentence1', 'sentence2')))
      c.classification.update(dict(metric='stsb', main_metric='spearman', regression=True))
    else:
      c.data.update(dict(train_file='shipped:qa_choice/train.csv',
                         dev_file='shipped:qa_choice/dev.csv', format='swag_csv'))
      c.classification.update(dict(metric='swag', main_metric='accuracy', num_choices=4))
    c.update_from_flattened_dict({'data.max_seq_length': 64, 'global_batch_size': 16,
                                   'optimizer.learning_rate': 5e-5, 'num_epochs': 4.0})
  elif arg in SHIPPED:
    folder, fields, metric, main = SHIPPED[arg]
    c.data.update(dict(train_file=f'shipped:{folder}/train.tsv',
                       dev_file=f'shipped:{folder}/dev.tsv', text_fields=fields))
    c.classification.update(dict(metric=metric, main_metric=main))
    # Small sets: the paper's grid, at its small-batch / high-lr end.
    c.update_from_flattened_dict({'data.max_seq_length': 64, 'global_batch_size': 16,
                                   'optimizer.learning_rate': 5e-5, 'num_epochs': 4.0})
  else:
    raise ValueError(f'experiments/classification.py:{arg}: unknown ARG; expected one of '
                     f'{sorted([*GLUE, *SHIPPED, "sts_pair", "qa_choice", "swag", "hellaswag"])}.')
  return c


def get_sweep(arg: str = '') -> list[dict]:
  """The BERT paper's fine-tuning grid (lr x batch x epochs, 24 settings; see
  ``bert_jax.sweep.grid.bert_paper_finetuning_grid``). Used by
  ``python -m bert_jax.sweep --config=THIS_FILE:ARG`` when no --sweep is given."""
  del arg  # the same grid for every ARG
  from bert_jax.sweep.grid import bert_paper_finetuning_grid  # pylint: disable=g-import-not-at-top
  return bert_paper_finetuning_grid()
