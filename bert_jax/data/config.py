"""Every knob of the pretraining data, in one ``ml_collections.ConfigDict``.

The trainer's ``configs/pretrain.py`` does ``config.data = default_data_config()`` and
overrides fields, e.g. ``--config.data.corpus=text_corpus --config.data.files=a/*.txt``.
"""
from __future__ import annotations

import ml_collections
from ml_collections import config_dict

CORPORA = ('embedded', 'text_corpus', 'konlpy_ko')  # ... or 'tfds:NAME'.
TOKENIZER_KINDS = ('wordpiece', 'sentencepiece')
INVALID_UTF8_POLICIES = ('skip', 'error')
DEFAULT_DATA_DIR = '~/.cache/bert_jax/datasets'


def default_data_config() -> ml_collections.ConfigDict:
  """The pretraining data config with BERT's defaults (sequence length 128)."""
  c = ml_collections.ConfigDict()
  # --- Where the documents come from.
  # 'embedded': Python stdlib docs, no download; 'konlpy_ko': Korean text shipped with
  # konlpy; 'text_corpus': your files (`files`); 'tfds:NAME[/CONFIG][:VERSION]': any
  # TFDS dataset you have prepared in `data_dir` with a text feature (`text_key`).
  c.corpus = 'embedded'
  c.files = ''  # text_corpus: comma-separated globs, one sentence a line, blank line = new doc.
  c.split_paragraphs = False  # text_corpus / tfds: a line is a paragraph; split it into sentences.
  c.invalid_utf8 = 'skip'  # A line that is not UTF-8: 'skip' it (counted) or 'error'.
  # 'skip': more than this fraction of the lines skipped fails the build (1.0: never).
  c.max_invalid_utf8_fraction = 0.01
  c.tfds_split = 'train'  # tfds:NAME: the split holding the documents.
  c.text_key = 'text'  # tfds:NAME: the text feature (one document per record).
  c.data_dir = DEFAULT_DATA_DIR  # Where TFDS builds (and their default vocabs) go.
  c.eval_fraction = 0.05  # Documents held out (chosen by a hash of their id) for 'eval'.
  c.eval_max_examples = 4096  # Cap on held-out examples (0: no cap).
  # --- Vocabulary. vocab='' : the corpus' own vocab, trained once and cached next to it.
  c.vocab = ''  # vocab.txt / *.model / tokenizer dir, or '' (train/use the corpus default).
  c.tokenizer = ''  # 'wordpiece' | 'sentencepiece' | '' (corpus default) for a trained vocab.
  c.vocab_size = 0  # Size of a trained vocab; 0: corpus default (8000 en, 1500 ko, 30522).
  c.do_lower_case = config_dict.placeholder(bool)  # None: corpus default (uncased en).
  # --- Examples, as google-research/bert create_pretraining_data.py.
  c.max_seq_length = 128
  c.max_predictions_per_seq = 20
  c.masked_lm_prob = 0.15
  c.short_seq_prob = 0.1
  c.whole_word_masking = False
  c.dynamic_masking = True  # New pairs and masks every epoch; False: static, `dupe_factor` copies.
  c.dupe_factor = 1  # Differently masked copies of each document per epoch (BERT used 10, static).
  c.packing = False  # Pack several sequences into one row (adds segment_ids, position_ids).
  # packing: at most this many sequences in a row; each gets its own NSP label, pooled at
  # its own [CLS] (cls_positions / next_sentence_label / next_sentence_weights [B, S]).
  c.max_sequences_per_row = 8
  # --- Several processes (hosts). 'batches': every process makes each global batch and
  # keeps its rows, so the stream (and a checkpoint's data position) is the same for any
  # number of processes; 'documents': each process reads 1/N of the documents (N times
  # less data work per host; the batches then depend on N, and a checkpoint resumes only
  # with the same number of processes).
  c.process_split = 'batches'
  # --- grain.
  c.worker_count = 0  # Worker processes (0: in this process).
  c.prefetch = 2  # Batches a background thread prepares ahead (0: none).
  c.shuffle_window = 1024  # Examples mixed across documents before batching.
  return c


def get_config(corpus: str | None = None) -> ml_collections.ConfigDict:
  """For ``--config=bert_jax/data/config.py[:CORPUS]`` (the prepare CLI's default)."""
  c = default_data_config()
  if corpus:
    c.corpus = corpus
  return c
