"""The fine-tuning config every experiment in ``experiments/`` starts from.

``base_config(task)`` holds the BERT paper's fine-tuning defaults (Adam lr 2e-5..5e-5,
batch 32, 3 epochs, 10 % linear warmup then linear decay, weight decay 0.01, dropout 0.1)
with google-research/bert's optimizer (``recipe='bert'``: ``run_classifier.py`` /
``run_squad.py`` call ``optimization.create_optimizer``: the linear decay runs over all
steps from step 0, Adam without bias correction; ``recipe='hf'``: Hugging Face's, decay
over the steps after warmup, bias-corrected AdamW) and every knob the task modules read; an experiment sets the dataset and the few values
that differ.
"""
from __future__ import annotations

import ml_collections

from bert_jax.tasks import get_task
from bert_jax.tasks.ner import CONLL2003_LABELS


def base_config(task: str) -> ml_collections.ConfigDict:
  """Defaults for ``task`` in 'classification' | 'squad' | 'ner' | 'xdc'."""
  c = ml_collections.ConfigDict()
  c.task = task
  c.mode = 'train'                 # 'train' (train, evaluate, keep the best) | 'eval' | 'predict'
  c.init_checkpoint = ''           # pretraining workdir, step dir, export or HF directory
  c.random_init = False            # same architecture + tokenizer, fresh weights (baseline)
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
  c.max_seq_length = 128
  c.seed = 0

  # Optimisation (BERT paper section A.3).
  c.batch_size = 32
  c.eval_batch_size = 64
  c.num_epochs = 3.0
  c.num_train_steps = -1           # > 0 overrides num_epochs
  c.learning_rate = 2e-5
  c.warmup_fraction = 0.1
  c.weight_decay = 0.01
  c.max_grad_norm = 1.0
  c.recipe = 'bert'                # 'bert' (google-research/bert) | 'hf' (Hugging Face)
  c.eval_every_epochs = 1.0        # evaluate on dev (and checkpoint) this often
  c.log_every_steps = 50
  c.keep_checkpoints = 0           # 0: keep every evaluated checkpoint (best.json names the best)
  c.progress_bar = True

  # Devices: the pretraining trainer's (data, fsdp, tensor) mesh, -1 = the remaining devices.
  c.mesh = ml_collections.ConfigDict({'data': -1, 'fsdp': 1, 'tensor': 1})

  # Data: files (``shipped:NAME`` for the sets in bert_jax/resources/finetune) or TFDS.
  c.data = ml_collections.ConfigDict()
  c.data.name = ''
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
  c.xdc.max_windows = 4               # W windows of max_seq_length per document
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
