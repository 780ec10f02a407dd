"""BertConfig: the hyper-parameters of an encoder, and the size presets of the BERT family."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

import jax.numpy as jnp

# (num_layers, hidden_size, num_heads) as released by google-research/bert; d_ff = 4 * hidden.
PRESETS: dict[str, tuple[int, int, int]] = {
    'tiny': (2, 128, 2),
    'mini': (4, 256, 4),
    'small': (4, 512, 8),
    'medium': (8, 512, 8),
    'base': (12, 768, 12),
    'large': (24, 1024, 16),
}

_DTYPES = {'float32': jnp.float32, 'bfloat16': jnp.bfloat16, 'float16': jnp.float16}


@dataclasses.dataclass(frozen=True)
class BertConfig:
  """Everything that fixes the shapes and the arithmetic of a BERT encoder."""
  vocab_size: int = 30522
  hidden_size: int = 768
  num_hidden_layers: int = 12
  num_attention_heads: int = 12
  intermediate_size: int = 3072
  hidden_act: str = 'gelu'  # exact (erf) GELU, as BERT
  hidden_dropout_prob: float = 0.1
  attention_probs_dropout_prob: float = 0.1
  max_position_embeddings: int = 512
  type_vocab_size: int = 2
  initializer_range: float = 0.02
  layer_norm_eps: float = 1e-12
  pad_token_id: int = 0
  # Arithmetic / memory options (not part of the checkpoint's shapes).
  dtype: str = 'float32'        # compute dtype (activations); 'bfloat16' on accelerators
  param_dtype: str = 'float32'  # master weights
  scan_layers: bool = False     # one nnx.scan over stacked layers (fast compile for deep models)
  remat_policy: str = 'none'    # 'none' | 'full' | 'dots' | 'dots_no_batch'

  @property
  def head_dim(self) -> int:
    return self.hidden_size // self.num_attention_heads

  @property
  def jnp_dtype(self):
    return _DTYPES[self.dtype]

  @property
  def jnp_param_dtype(self):
    return _DTYPES[self.param_dtype]

  def __post_init__(self):
    if self.hidden_size % self.num_attention_heads:
      raise ValueError(f'hidden_size={self.hidden_size} is not a multiple of '
                       f'num_attention_heads={self.num_attention_heads}')
    if self.dtype not in _DTYPES or self.param_dtype not in _DTYPES:
      raise ValueError(f'dtype/param_dtype must be one of {sorted(_DTYPES)}')
    if self.hidden_act not in ('gelu', 'gelu_new', 'gelu_tanh', 'relu'):
      raise ValueError(f'unsupported hidden_act={self.hidden_act!r}')

  @classmethod
  def preset(cls, name: str, **overrides: Any) -> 'BertConfig':
    """``BertConfig.preset('base', vocab_size=30522)``; d_ff = 4 * hidden as in BERT."""
    if name not in PRESETS:
      raise ValueError(f'unknown model preset {name!r}; expected one of {list(PRESETS)}')
    layers, hidden, heads = PRESETS[name]
    kw = dict(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=heads,
              intermediate_size=4 * hidden)
    kw.update(overrides)
    return cls(**kw)

  # HF `config.json` interop (the shape-defining keys only).
  HF_KEYS = ('vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads',
             'intermediate_size', 'hidden_act', 'hidden_dropout_prob',
             'attention_probs_dropout_prob', 'max_position_embeddings', 'type_vocab_size',
             'initializer_range', 'layer_norm_eps', 'pad_token_id')

  def to_hf_dict(self) -> dict[str, Any]:
    d = {k: getattr(self, k) for k in self.HF_KEYS}
    d.update(model_type='bert', architectures=['BertForPreTraining'])
    return d

  @classmethod
  def from_hf_dict(cls, d: dict[str, Any], **overrides: Any) -> 'BertConfig':
    kw = {k: d[k] for k in cls.HF_KEYS if k in d and d[k] is not None}
    kw.update(overrides)
    return cls(**kw)

  def to_dict(self) -> dict[str, Any]:
    return dataclasses.asdict(self)

  @classmethod
  def from_dict(cls, d: dict[str, Any], **overrides: Any) -> 'BertConfig':
    names = {f.name for f in dataclasses.fields(cls)}
    kw = {k: v for k, v in d.items() if k in names}
    kw.update(overrides)
    return cls(**kw)

  def to_json(self) -> str:
    return json.dumps(self.to_dict(), indent=2, sort_keys=True)
