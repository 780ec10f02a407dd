"""The pretrained encoder a fine-tuning run starts from, checked before any training.

``load_encoder(cfg)`` reads ``cfg.init_checkpoint`` (a pretraining workdir = its latest
committed step, a step directory, a model export or an HF directory) with
``bert_jax.workdir.load_pretrained`` and keeps only the encoder (``bert`` subtree; the
pretraining heads are dropped, task heads start fresh). Everything that would make the
run meaningless is an ``InputError`` naming the item, before a single step runs:

- an experiment that pins the model size (``--config.model.hidden_size`` etc.) and a
  checkpoint of another size;
- ``data.max_seq_length`` above the checkpoint's ``max_position_embeddings``;
- a tokenizer whose vocabulary size differs from the embedding table, or whose casing
  (``do_lower_case``) contradicts the checkpoint's tokenizer or its vocabulary;
- resuming a fine-tuning workdir that was started from an encoder of another shape
  (``bert_jax.workdir.check_model_files``).

``--config.model.scan_layers`` / ``--config.model.remat_policy`` (BERT-large fine-tuning
needs them) apply to the task model whatever the checkpoint's own layout: a checkpoint's
per-layer weights are stacked for a scanned model (``load_pretrained(scan_layers=)``).
"""
from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

from bert_jax.convert.pretrained import quiet_load_tokenizer
from bert_jax.errors import InputError
from bert_jax.models import BertConfig
from bert_jax.workdir import MODEL_CONFIG, TOKENIZER_DIR, load_pretrained, read_model_config

@dataclasses.dataclass
class Encoder:
  """What fine-tuning needs from the checkpoint."""
  config: BertConfig
  params: dict[str, Any] | None   # the ``bert`` subtree (numpy); None = random init
  tokenizer: Any
  tokenizer_dir: str | None
  source: str


def _tokenizer_casing(tok) -> str:
  """'cased' / 'uncased' / 'unknown' from the vocabulary itself (WordPiece only)."""
  if getattr(tok, 'kind', '') != 'wordpiece':
    return 'unknown'
  from bert_jax.tokenization.common import casing_of_vocab  # pylint: disable=g-import-not-at-top
  return casing_of_vocab(tok.convert_ids_to_tokens(range(tok.vocab_size)))


def _load_tokenizer(cfg: Any, default_dir: str | None, checkpoint: str):
  path = cfg.tokenizer or default_dir
  if not path:
    raise InputError(f'init_checkpoint {checkpoint} has no tokenizer files (vocab.txt / '
                     '*.model); pass --config.tokenizer=PATH.')
  try:
    tok = quiet_load_tokenizer(path, do_lower_case=cfg.do_lower_case)
  except (ValueError, OSError) as e:
    raise InputError(f'cannot load the tokenizer {path}: {e}') from None
  if default_dir and cfg.do_lower_case is not None:
    ckpt_tok = quiet_load_tokenizer(default_dir)
    if ckpt_tok.do_lower_case != cfg.do_lower_case:
      raise InputError(
          f'--config.do_lower_case={cfg.do_lower_case} but the tokenizer of init_checkpoint '
          f'{checkpoint} was trained with do_lower_case={ckpt_tok.do_lower_case}: the '
          'encoder would see text cased differently from pretraining.')
  casing = _tokenizer_casing(tok)
  if (casing == 'cased' and tok.do_lower_case) or (casing == 'uncased' and not tok.do_lower_case):
    raise InputError(f'tokenizer {tok.source}: do_lower_case={tok.do_lower_case} but the '
                     f'vocabulary looks {casing}; set --config.do_lower_case='
                     f'{casing == "uncased"} (or fix tokenizer_config.json).')
  return tok, str(path)


def check_against_config(cfg: Any, model_config: BertConfig, source: str) -> None:
  """The experiment's pinned sizes and data.max_seq_length must fit the checkpoint."""
  for key in ('hidden_size', 'num_hidden_layers', 'vocab_size', 'max_position_embeddings'):
    want = cfg.model.get(key)
    have = getattr(model_config, key)
    if want is not None and want != have:
      raise InputError(f'init_checkpoint {source} has {key}={have}, but the experiment '
                       f'asks for --config.model.{key}={want}: the checkpoint is a model of '
                       'another size.')
  if cfg.data.max_seq_length > model_config.max_position_embeddings:
    raise InputError(f'--config.data.max_seq_length={cfg.data.max_seq_length} exceeds the '
                     f'max_position_embeddings={model_config.max_position_embeddings} of '
                     f'init_checkpoint {source}.')


def load_encoder(cfg: Any) -> Encoder:
  """The checked encoder of ``cfg.init_checkpoint`` (weights dropped if ``random_init``)."""
  if not cfg.init_checkpoint:
    raise InputError('--config.init_checkpoint is required: a pretraining workdir, a step '
                     'directory W/checkpoints/<step>, a model export or an HF directory '
                     '(add --config.random_init=True for a from-scratch baseline of the same '
                     'architecture).')
  scan = bool(cfg.model.get('scan_layers', False))
  pre = load_pretrained(cfg.init_checkpoint, scan_layers=scan)  # stacked when scanned
  check_against_config(cfg, pre.config, cfg.init_checkpoint)
  tok, tok_dir = _load_tokenizer(cfg, pre.tokenizer_path, cfg.init_checkpoint)
  rows = pre.config.vocab_size
  if tok.vocab_size != rows:
    raise InputError(f'tokenizer {tok.source} has {tok.vocab_size} tokens but init_checkpoint '
                     f'{cfg.init_checkpoint} has vocab_size={rows}: they do not belong together.')
  model_config = dataclasses.replace(
      pre.config, hidden_dropout_prob=cfg.model.hidden_dropout_prob,
      attention_probs_dropout_prob=cfg.model.attention_probs_dropout_prob,
      dtype=cfg.model.dtype, scan_layers=scan,
      remat_policy=cfg.model.get('remat_policy', 'none') or 'none')
  params = None if cfg.random_init else pre.params['bert']
  return Encoder(model_config, params, tok, tok_dir, pre.source)


def encoder_from_workdir(workdir: pathlib.Path, cfg: Any) -> Encoder:
  """The encoder description of a fine-tuning workdir (``--config.mode=eval|predict``):
  its ``model_config.json`` and ``tokenizer/``; the weights come from its checkpoint."""
  config = read_model_config(workdir / MODEL_CONFIG)
  check_against_config(cfg, config, str(workdir))
  tok, tok_dir = _load_tokenizer(cfg, str(workdir / TOKENIZER_DIR), str(workdir))
  config = dataclasses.replace(config, dtype=cfg.model.dtype, scan_layers=False)
  return Encoder(config, None, tok, tok_dir, str(workdir))
