"""The fine-tuning config every experiment in ``experiments/`` starts from.

``base_config(task)`` is the pretraining trainer's config
(``bert_jax.train.loop.default_train_config``: ``global_batch_size``, ``optimizer.*``,
``seed``, ``mesh``, ``log_every_steps``, ``keep_checkpoints``, ...: the same keys, the same
meaning) with the BERT paper's fine-tuning defaults on them (Adam lr 2e-5..5e-5, batch 32,
3 epochs, 10 % linear warmup then linear decay, weight decay 0.01, clip 1.0, dropout 0.1),
google-research/bert's optimizer (``optimizer.recipe='bert'``: ``run_classifier.py`` /
``run_squad.py`` call ``optimization.create_optimizer``: the linear decay runs over all
steps from step 0, Adam without bias correction; ``'hf'``: Hugging Face's, decay over the
steps after warmup, bias-corrected AdamW), plus the fine-tuning keys (``num_epochs``,
``eval_every_epochs``, ``mode``, ``init_checkpoint``, ``data.*``, the task blocks) that
the task modules read. An experiment sets the dataset and the few values that differ.
Every key: docs/CONFIG.md.
"""
from __future__ import annotations

import ml_collections

from bert_jax.tasks import get_task
from bert_jax.tasks.ner import CONLL2003_LABELS
from bert_jax.train.loop import default_train_config


def base_config(task: str) -> ml_collections.ConfigDict:
  """Defaults for ``task`` in 'classification' | 'squad' | 'ner' | 'xdc'."""
  c = default_train_config()
  c.task = task
  c.mode = 'train'                 # 'train' (train, evaluate, keep the best) | 'eval' | 'predict'
  # Where the run starts: the workdir's own latest checkpoint (resume) > init_checkpoint
  # (its encoder; the head starts fresh) > fresh init (random_init).
  c.init_checkpoint = ''           # pretraining workdir, step dir, export or HF directory
  c.random_init = False            # same architecture + tokenizer, fresh weights (baseline)
  c.head_init = 'bert'             # the new head's kernel: 'bert' (truncated) | 'normal' | 'zeros'
  c.tokenizer = ''                 # default: the checkpoint's tokenizer/
  c.do_lower_case = ml_collections.config_dict.placeholder(bool)  # None: the checkpoint's
  c.model = ml_collections.ConfigDict()  # BertConfig overrides: checked against the
  c.model.hidden_size = ml_collections.config_dict.placeholder(int)         # checkpoint
  c.model.num_hidden_layers = ml_collections.config_dict.placeholder(int)
  c.model.vocab_size = ml_collections.config_dict.placeholder(int)
  c.model.max_position_embeddings = ml_collections.config_dict.placeholder(int)
  c.model.hidden_dropout_prob = 0.1
  c.model.attention_probs_dropout_prob = 0.1
  c.model.dtype = 'float32'
  c.model.scan_layers = False      # one nnx.scan over stacked layers (faster compile, large models)
  c.model.remat_policy = 'none'    # 'none' | 'full' | 'dots' | 'dots_no_batch' (less memory)

  # Optimisation (BERT paper section A.3), on the trainer's keys.
  c.global_batch_size = 32
  c.eval_batch_size = 64
  c.num_epochs = 3.0
  c.num_train_steps = -1           # > 0 overrides num_epochs
  c.eval_every_epochs = 1.0        # evaluate on dev (and checkpoint) this often
  c.eval_every_steps = 0           # > 0 overrides eval_every_epochs
  c.checkpoint_every_steps = 0     # 0: at every evaluation (the best is kept)
  c.keep_checkpoints = 0           # 0: keep every evaluated checkpoint (best.json names the best)
  c.optimizer.learning_rate = 2e-5
  c.optimizer.warmup_steps = -1    # warmup_fraction of the run
  c.optimizer.warmup_fraction = 0.1
  c.optimizer.decay = 'linear'
  c.optimizer.weight_decay = 0.01
  c.optimizer.max_grad_norm = 1.0
  c.optimizer.recipe = 'bert'      # 'bert' (google-research/bert) | 'hf' (Hugging Face)

  # Data: files (``shipped:NAME`` for the sets in bert_jax/resources/finetune) or TFDS.
  c.data = ml_collections.ConfigDict()
  c.data.name = ''
  c.data.max_seq_length = 128      # word pieces per input (xdc: per window)
  c.data.train_file = ''
  c.data.dev_file = ''             # several dev sets: comma-separated (MNLI m,mm)
  c.data.predict_file = ''
  c.data.tfds_name = ''
  c.data.tfds_data_dir = ''
  c.data.tfds_train_split = 'train'
  c.data.tfds_dev_split = 'validation'
  c.data.tfds_predict_split = ''
  c.data.format = 'tsv'            # classification: 'tsv' (GLUE) | 'swag_csv'
  c.data.has_header = True
  c.data.text_fields = ('sentence',)  # file columns (header names, or numbers if no header)
  c.data.label_field = 'label'
  c.data.tfds_text_fields = ()     # TFDS feature names when they differ from the file's
  c.data.tfds_label_field = ''
  c.data.choices_field = ''        # TFDS multiple choice with a list of endings (hellaswag)
  c.data.labels = ()               # () = the sorted labels of the train set
  c.data.tokens_field = 'tokens'   # ner, TFDS conll2003
  c.data.tag_field = 'ner'

  c.classification = ml_collections.ConfigDict()
  c.classification.metric = 'sst2'   # bert_jax.metrics.glue_metrics task name
  c.classification.main_metric = 'accuracy'
  c.classification.regression = False
  c.classification.num_choices = 0

  c.squad = ml_collections.ConfigDict()
  c.squad.version_2_with_negative = False
  c.squad.doc_stride = 128
  c.squad.max_query_length = 64
  c.squad.max_answer_length = 30
  c.squad.n_best_size = 20
  c.squad.null_score_diff_threshold = 0.0  # predict: 'auto' threshold = dev best_f1_thresh
  c.squad.use_dev_threshold = True

  c.ner = ml_collections.ConfigDict()
  c.ner.feature_combination = 'last'  # first|last|sum_all|second_to_last|sum_last_four|concat_last_four
  c.ner.freeze_encoder = False        # True: the feature-based approach
  c.ner.tagger = 'linear'             # 'linear' | 'bilstm'
  c.ner.lstm_size = 256

  c.xdc = ml_collections.ConfigDict()  # task 'xdc' (bert_jax/tasks/xdc.py)
  c.xdc.model = 'xdc'                 # 'xdc' (BERT-XDC) | 'cls' ([CLS] baseline) | 'han'
  c.xdc.max_windows = 4               # W windows of data.max_seq_length per document
  c.xdc.max_sentences = 32            # S sentences per document
  c.xdc.kernel_size = 3               # conv width over word pieces
  c.xdc.conv_features = 0             # 0: the encoder's hidden size
  c.xdc.attention_size = 0            # 0: conv_features (xdc) / 2 * han_gru_size (han)
  c.xdc.han_embed_size = 128
  c.xdc.han_gru_size = 64
  if task == 'ner':
    c.data.labels = CONLL2003_LABELS
  return c


def main_metric(cfg: ml_collections.ConfigDict) -> str:
  """The dev metric that picks the best checkpoint (higher is better): the task's own."""
  return get_task(cfg.task).main_metric(cfg)
