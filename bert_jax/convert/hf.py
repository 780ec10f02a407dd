"""HF ``transformers`` BERT checkpoints (config.json + model.safetensors) <-> params trees.

Pure numpy via ``safetensors.numpy``: no torch at run time. Every tensor keeps its dtype
and bits (kernels are only transposed / reshaped), so HF -> params -> HF is exact.

Tensor names handled (``{p}`` is ``bert.`` for BertFor* checkpoints, empty for BertModel):

  {p}embeddings.{word,position,token_type}_embeddings.weight, {p}embeddings.LayerNorm.*
  {p}encoder.layer.<i>.attention.self.{query,key,value}.*, .attention.output.dense.*,
      .attention.output.LayerNorm.*, .intermediate.dense.*, .output.dense.*, .output.LayerNorm.*
  {p}pooler.dense.*
  cls.predictions.{bias, transform.dense.*, transform.LayerNorm.*}   (MLM head)
  cls.predictions.decoder.weight  == word embeddings (tied; may be absent)
  cls.predictions.decoder.bias    == cls.predictions.bias (may be absent)
  cls.seq_relationship.*                                                (NSP head)

LayerNorm parameters may be called ``weight/bias`` or (old checkpoints) ``gamma/beta``.
Anything else (buffers such as ``embeddings.position_ids``, task heads such as
``classifier.*``) is not part of the params tree; it is returned as ``extra`` so a
conversion can carry it along unchanged.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import Any, Callable

import jax
import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from bert_jax.convert.params import (Params, Path, expected_shapes, flatten, has_heads,
                                     path_str, unflatten, unstack_layers)
from bert_jax.errors import InputError
from bert_jax.fileio import read_json_object
from bert_jax.models import BertConfig

CONFIG_NAME = 'config.json'
WEIGHTS_NAME = 'model.safetensors'
WEIGHTS_INDEX_NAME = 'model.safetensors.index.json'
DECODER_WEIGHT = 'cls.predictions.decoder.weight'
DECODER_BIAS = 'cls.predictions.decoder.bias'
MLM_BIAS = 'cls.predictions.bias'
WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight'
# Non-parameter buffers transformers may store (carried along verbatim).
BUFFERS = ('embeddings.position_ids', 'embeddings.token_type_ids')


# --- how one tensor maps: (ours <- hf, hf <- ours) -------------------------------------

def _ident(x):
  return x


def _linear_to_ours(w):  # HF [out, in] -> ours [in, out]
  return w.T


def _qkv_kernel_to_ours(cfg):  # HF [N*D, H] -> ours [H, N, D]
  return lambda w: w.T.reshape(cfg.hidden_size, cfg.num_attention_heads, cfg.head_dim)


def _qkv_kernel_to_hf(w):  # ours [H, N, D] -> HF [N*D, H]
  return w.reshape(w.shape[0], -1).T


def _qkv_bias_to_ours(cfg):  # HF [N*D] -> ours [N, D]
  return lambda b: b.reshape(cfg.num_attention_heads, cfg.head_dim)


def _flat(b):  # ours [N, D] -> HF [N*D]
  return b.reshape(-1)


def _attn_out_to_ours(cfg):  # HF [H, N*D] -> ours [N, D, H]
  return lambda w: w.T.reshape(cfg.num_attention_heads, cfg.head_dim, cfg.hidden_size)


def _attn_out_to_hf(w):  # ours [N, D, H] -> HF [H, N*D]
  return w.reshape(-1, w.shape[-1]).T


@dataclasses.dataclass(frozen=True)
class _Rule:
  hf: str               # HF tensor name without the model prefix
  ours: Path            # path in the params tree
  to_ours: Callable
  to_hf: Callable


def _dense(hf: str, ours: Path) -> list[_Rule]:
  return [_Rule(f'{hf}.weight', ours + ('kernel',), _linear_to_ours, _linear_to_ours),
          _Rule(f'{hf}.bias', ours + ('bias',), _ident, _ident)]


def _norm(hf: str, ours: Path, names: tuple[str, str]) -> list[_Rule]:
  return [_Rule(f'{hf}.{names[0]}', ours + ('scale',), _ident, _ident),
          _Rule(f'{hf}.{names[1]}', ours + ('bias',), _ident, _ident)]


def rules(cfg: BertConfig, prefix: str, ln_names: tuple[str, str] = ('weight', 'bias')
          ) -> list[_Rule]:
  """The name/transform table between HF tensors and the (unscanned) params tree."""
  p = prefix
  emb = ('bert', 'embeddings')
  out = [_Rule(f'{p}embeddings.{n}.weight', emb + (n, 'embedding'), _ident, _ident)
         for n in ('word_embeddings', 'position_embeddings', 'token_type_embeddings')]
  out += _norm(f'{p}embeddings.LayerNorm', emb + ('layer_norm',), ln_names)
  for i in range(cfg.num_hidden_layers):
    hf, ours = f'{p}encoder.layer.{i}', ('bert', 'encoder', 'layers', i)
    for n in ('query', 'key', 'value'):
      out += [_Rule(f'{hf}.attention.self.{n}.weight', ours + ('attention', n, 'kernel'),
                    _qkv_kernel_to_ours(cfg), _qkv_kernel_to_hf),
              _Rule(f'{hf}.attention.self.{n}.bias', ours + ('attention', n, 'bias'),
                    _qkv_bias_to_ours(cfg), _flat)]
    out += [_Rule(f'{hf}.attention.output.dense.weight', ours + ('attention', 'output', 'kernel'),
                  _attn_out_to_ours(cfg), _attn_out_to_hf),
            _Rule(f'{hf}.attention.output.dense.bias', ours + ('attention', 'output', 'bias'),
                  _ident, _ident)]
    out += _norm(f'{hf}.attention.output.LayerNorm', ours + ('attention_layer_norm',), ln_names)
    out += _dense(f'{hf}.intermediate.dense', ours + ('intermediate',))
    out += _dense(f'{hf}.output.dense', ours + ('output',))
    out += _norm(f'{hf}.output.LayerNorm', ours + ('output_layer_norm',), ln_names)
  out += _dense(f'{p}pooler.dense', ('bert', 'pooler'))
  out += [_Rule(MLM_BIAS, ('mlm', 'bias'), _ident, _ident)]
  out += _dense('cls.predictions.transform.dense', ('mlm', 'transform'))
  out += _norm('cls.predictions.transform.LayerNorm', ('mlm', 'layer_norm'), ln_names)
  out += _dense('cls.seq_relationship', ('nsp',))
  return out


# --- what we remember about an HF checkpoint, to write it back the same way ------------

@dataclasses.dataclass
class HfLayout:
  """How an HF checkpoint spelled things that the params tree does not record."""
  prefix: str = 'bert.'                      # '' for BertModel checkpoints
  ln_names: tuple[str, str] = ('weight', 'bias')
  decoder_weight: bool = False               # cls.predictions.decoder.weight stored (tied)
  decoder_bias: bool = False                 # cls.predictions.decoder.bias stored
  mlm_bias: bool = True                      # cls.predictions.bias stored
  metadata: dict[str, str] = dataclasses.field(default_factory=lambda: {'format': 'pt'})
  hf_config: dict[str, Any] = dataclasses.field(default_factory=dict)  # config.json as read
  extra: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # carried verbatim

  def to_json(self) -> dict[str, Any]:
    d = dataclasses.asdict(self)
    d.pop('extra')
    d['ln_names'] = list(self.ln_names)
    return d

  @classmethod
  def from_json(cls, d: dict[str, Any], extra: dict[str, np.ndarray] | None = None) -> 'HfLayout':
    names = {f.name for f in dataclasses.fields(cls)} - {'extra'}
    kw = {k: v for k, v in d.items() if k in names}
    if 'ln_names' in kw:
      kw['ln_names'] = tuple(kw['ln_names'])
    return cls(**kw, extra=dict(extra or {}))


# --- reading ---------------------------------------------------------------------------

def config_from_hf(hf_config: dict[str, Any], path: pathlib.Path) -> BertConfig:
  """BertConfig from an HF config.json dict; refuses what this BERT cannot represent."""
  model_type = hf_config.get('model_type', 'bert')
  if model_type != 'bert':
    raise InputError(f'{path}: model_type={model_type!r}; expected "bert".')
  pos = hf_config.get('position_embedding_type', 'absolute')
  if pos != 'absolute':
    raise InputError(f'{path}: position_embedding_type={pos!r} is not supported; '
                     'expected "absolute".')
  for key in ('is_decoder', 'add_cross_attention'):
    if hf_config.get(key):
      raise InputError(f'{path}: {key}=true is not supported (encoder-only BERT).')
  missing = [k for k in ('vocab_size', 'hidden_size', 'num_hidden_layers',
                         'num_attention_heads', 'intermediate_size') if k not in hf_config]
  if missing:
    raise InputError(f'{path}: missing {missing}; expected a BERT config.json.')
  try:
    return BertConfig.from_hf_dict(hf_config)
  except (TypeError, ValueError) as e:
    raise InputError(f'{path}: {e}') from None


def load_safetensors(path: pathlib.Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
  from safetensors import safe_open  # pylint: disable=g-import-not-at-top
  try:
    tensors = load_file(path)
    with safe_open(path, framework='np') as f:
      metadata = f.metadata() or {}
  except (SafetensorError, OSError, ValueError) as e:
    raise InputError(f'{path} is not a readable safetensors file ({e}); the file may be '
                     'truncated or corrupt.') from None
  return tensors, metadata


def read_hf_tensors(directory: pathlib.Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
  """All tensors of ``model.safetensors`` (or the shards of its index) + file metadata."""
  single, index = directory / WEIGHTS_NAME, directory / WEIGHTS_INDEX_NAME
  if single.is_file():
    return load_safetensors(single)
  if index.is_file():
    idx = read_json_object(index, 'a safetensors index ({"weight_map": {...}})')
    weight_map = idx.get('weight_map')
    if not isinstance(weight_map, dict) or not weight_map:
      raise InputError(f'{index} has no "weight_map"; expected a safetensors shard index.')
    tensors, metadata = {}, {}
    for shard in sorted(set(weight_map.values())):
      if not (directory / shard).is_file():
        raise InputError(f'{directory / shard} not found (listed in {index}).')
      t, m = load_safetensors(directory / shard)
      tensors.update(t)
      metadata.update(m)
    return tensors, metadata
  others = [p.name for p in directory.iterdir()
            if p.suffix in ('.bin', '.h5', '.msgpack', '.pt') or p.name.endswith('.index')]
  hint = (f' Found {others}: only safetensors are read (re-save with '
          'save_pretrained(..., safe_serialization=True)).' if others else '')
  raise InputError(f'{single} not found: expected an HF BERT directory with {CONFIG_NAME} '
                   f'and {WEIGHTS_NAME}.{hint}')


def hf_to_params(tensors: dict[str, np.ndarray], cfg: BertConfig, *, metadata=None,
                 hf_config=None, source: str = WEIGHTS_NAME) -> tuple[Params, HfLayout]:
  """HF tensors -> (unscanned params tree, layout to write them back identically)."""
  prefix = 'bert.' if any(k.startswith('bert.') for k in tensors) else ''
  gamma = any(k.endswith('LayerNorm.gamma') for k in tensors)
  ln_names = ('gamma', 'beta') if gamma else ('weight', 'bias')
  table = rules(cfg, prefix, ln_names)
  expected = expected_shapes(cfg)
  flat, used = {}, set()
  for rule in table:
    if rule.hf not in tensors:
      continue
    arr = tensors[rule.hf]
    want = jax.eval_shape(rule.to_hf, jax.ShapeDtypeStruct(expected[rule.ours].shape, arr.dtype))
    if tuple(arr.shape) != tuple(want.shape):
      raise InputError(f'{source}: tensor {rule.hf} has shape {tuple(arr.shape)}, but '
                       f'config.json implies {tuple(want.shape)}.')
    flat[rule.ours] = np.ascontiguousarray(rule.to_ours(arr))
    used.add(rule.hf)
  layout = HfLayout(prefix=prefix, ln_names=ln_names, metadata=dict(metadata or {'format': 'pt'}),
                    hf_config=dict(hf_config or {}))
  word = tensors.get(prefix + WORD_EMBEDDINGS)
  if DECODER_WEIGHT in tensors:
    dec = tensors[DECODER_WEIGHT]
    if word is None or dec.shape != word.shape or not np.array_equal(dec, word):
      raise InputError(f'{source}: {DECODER_WEIGHT} differs from {prefix}{WORD_EMBEDDINGS}; '
                       'only checkpoints whose MLM decoder is tied to the word embeddings '
                       'are supported.')
    layout.decoder_weight = True
    used.add(DECODER_WEIGHT)
  if DECODER_BIAS in tensors:
    bias = tensors.get(MLM_BIAS)
    dec_b = tensors[DECODER_BIAS]
    if bias is None:  # Some checkpoints store the MLM bias only under the decoder.
      flat[('mlm', 'bias')] = np.ascontiguousarray(dec_b)
      layout.mlm_bias = False
    elif dec_b.shape != bias.shape or not np.array_equal(dec_b, bias):
      raise InputError(f'{source}: {DECODER_BIAS} differs from {MLM_BIAS}; expected the '
                       'two to be the same tensor.')
    layout.decoder_bias = True
    used.add(DECODER_BIAS)
  _check_groups(flat, expected, table, source)
  layout.extra = {k: v for k, v in tensors.items() if k not in used}
  ours = tuple(f'{prefix}{n}.' for n in ('embeddings', 'encoder', 'pooler')) + ('cls.',)
  stray = sorted(k for k in layout.extra
                 if k.startswith(ours) and not k.endswith(BUFFERS))
  if stray:
    raise InputError(f'{source}: unexpected tensor {stray[0]} ({len(stray)} in all) for the '
                     f'config in config.json ({cfg.num_hidden_layers} layers); the config and '
                     'the weights do not match.')
  return unflatten(flat), layout


def _check_groups(flat, expected, table, source) -> None:
  """Required tensors present; optional groups (pooler, mlm, nsp) all-or-nothing."""
  hf_name = {r.ours: r.hf for r in table}
  hf_shape = lambda path: tuple(jax.eval_shape(
      next(r.to_hf for r in table if r.ours == path), expected[path]).shape)
  groups = {('bert', 'pooler'): 'pooler', ('mlm',): 'MLM head', ('nsp',): 'NSP head'}
  for path in expected:
    group = next((g for g in groups if path[:len(g)] == g), None)
    if path in flat:
      continue
    if group is None:
      raise InputError(f'{source}: missing tensor {hf_name[path]} (config.json implies '
                       f'shape {hf_shape(path)} for it).')
    present = [p for p in expected if p[:len(group)] == group and p in flat]
    if present:
      raise InputError(f'{source}: incomplete {groups[group]}: has {hf_name[present[0]]} '
                       f'but not {hf_name[path]}.')


# --- writing ---------------------------------------------------------------------------

def params_to_hf(params: Params, cfg: BertConfig, layout: HfLayout | None = None
                 ) -> dict[str, np.ndarray]:
  """Params tree (either layout) -> HF tensors named as ``layout`` says."""
  params = unstack_layers(params)
  heads = has_heads(params)
  if layout is None:
    layout = HfLayout(prefix='bert.' if heads or 'mlm' in params else '')
  flat = flatten(params)
  out: dict[str, np.ndarray] = {}
  for rule in rules(cfg, layout.prefix, layout.ln_names):
    if rule.ours in flat:
      out[rule.hf] = np.ascontiguousarray(rule.to_hf(np.asarray(flat[rule.ours])))
  known = {r.ours for r in rules(cfg, layout.prefix)}
  unknown = [path_str(p) for p in flat if p not in known]
  if unknown:
    raise InputError(f'parameters {unknown[:5]} have no HF name; expected a BertForPreTraining '
                     'tree.')
  if 'mlm' in params:
    if layout.decoder_weight:
      out[DECODER_WEIGHT] = out[layout.prefix + WORD_EMBEDDINGS]
    if layout.decoder_bias:
      out[DECODER_BIAS] = out[MLM_BIAS]
    if not layout.mlm_bias and layout.decoder_bias:
      del out[MLM_BIAS]
  clash = sorted(set(out) & set(layout.extra))
  if clash:
    raise InputError(f'carried-over tensors {clash[:5]} clash with converted parameters.')
  out.update(layout.extra)
  return out


def hf_config_dict(cfg: BertConfig, params: Params, layout: HfLayout | None) -> dict[str, Any]:
  """config.json: the original keys (if any) with the shape-defining ones from ``cfg``."""
  d = dict(layout.hf_config) if layout is not None else {}
  if not d:
    heads = has_heads(params)
    arch = ('BertForPreTraining' if heads else 'BertForMaskedLM' if 'mlm' in params
            else 'BertModel')
    d.update(architectures=[arch], model_type='bert', position_embedding_type='absolute',
             tie_word_embeddings=True)
    dtypes = {np.asarray(v).dtype.name for v in flatten(params).values()}
    if len(dtypes) == 1:
      d['dtype'] = dtypes.pop()
  hf = cfg.to_hf_dict()
  hf.pop('architectures')
  d.update(hf)
  return d


def write_hf(directory: pathlib.Path, params: Params, cfg: BertConfig,
             layout: HfLayout | None = None) -> None:
  """Writes config.json + model.safetensors into an existing (empty) ``directory``."""
  tensors = params_to_hf(params, cfg, layout)
  metadata = dict(layout.metadata) if layout is not None else {}
  metadata.setdefault('format', 'pt')  # transformers refuses files without it.
  save_file(tensors, os.fspath(directory / WEIGHTS_NAME), metadata=metadata)
  config = hf_config_dict(cfg, params, layout)
  (directory / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True) + '\n',
                                       encoding='utf-8')
