r"""BERT-XDC (the seed's explainable document classifier) and its baselines on news topics.

  python -m bert_jax.finetune --config=experiments/xdc.py:en_news_topic \
      --workdir=/tmp/ft/xdc_en --config.init_checkpoint=PATH_TO_MINILM_OR_ANY_BERT
  python -m bert_jax.finetune --config=experiments/xdc.py:ko_news_topic \
      --workdir=/tmp/ft/xdc_ko --config.init_checkpoint=/tmp/pretrain/ko

ARG: ``ko_news_topic`` | ``en_news_topic`` (the shipped documents in
``bert_jax/resources/finetune/xdc_{ko,en}``: 480 train / 240 dev documents of 5-9
sentences, four topics; made by ``tools/make_xdc_docs.py``), optionally followed by
``,cls`` or ``,han`` for the baselines trained on the same features by the same trainer:
``,cls`` the plain [CLS] classifier (mean of its windows' logits), ``,han`` a
Hierarchical Attention Network (BiGRU, no BERT; ``random_init`` is set: only the
checkpoint's tokenizer is used). ``--config.xdc.model`` does the same.

Each document is packed into ``xdc.max_windows`` windows of ``data.max_seq_length`` pieces,
whole sentences in order (``bert_jax/tasks/xdc.py``). Expected: dev accuracy and macro F1
in ``WORKDIR/best.json``; ``python tools/xdc_compare.py`` trains the three models over
3 seeds and prints the table the README's XDC section shows.
"""
from bert_jax.tasks.config import base_config

DATA = {'ko_news_topic': 'xdc_ko', 'en_news_topic': 'xdc_en'}


def get_config(arg: str = 'en_news_topic'):
  name, _, model = arg.partition(',')
  if name not in DATA or model not in ('', 'xdc', 'cls', 'han'):
    raise ValueError(f'experiments/xdc.py:{arg}: expected ARG in {sorted(DATA)}, optionally '
                     'followed by ,cls or ,han.')
  c = base_config('xdc')
  c.data.update(dict(name=name, train_file=f'shipped:{DATA[name]}/train.tsv',
                     dev_file=f'shipped:{DATA[name]}/dev.tsv', text_fields=('text',),
                     label_field='label'))
  c.classification.update(dict(metric='news_topic', main_metric='accuracy'))
  c.xdc.model = model or 'xdc'
  c.xdc.max_windows = 5
  c.xdc.max_sentences = 16
  # Small set, short windows (documents of ~100-250 pieces span 2-5 windows of 64).
  c.update_from_flattened_dict({'data.max_seq_length': 64, 'global_batch_size': 16,
                                 'optimizer.learning_rate': 5e-5, 'num_epochs': 3.0,
                                 'eval_every_epochs': 1.0})
  if c.xdc.model == 'han':  # no BERT: a from-scratch RNN wants a larger step
    c.update_from_flattened_dict({'random_init': True, 'optimizer.learning_rate': 3e-3,
                                   'optimizer.weight_decay': 0.0})
  return c
