"""Parameter trees of ``BertForPreTraining``: layout (scanned or not), checks, and models.

A *params* tree is the nested dict ``nnx.to_pure_dict(nnx.state(model, nnx.Param))``
of a ``BertForPreTraining`` (see docs/CONTRACTS.md)::

  bert/embeddings/..., bert/encoder/layers/<i>/..., bert/pooler/..., mlm/..., nsp/...

With ``cfg.scan_layers=True`` the layers are one subtree whose leaves have a leading
``[num_hidden_layers, ...]`` axis. ``bert/pooler``, ``mlm`` and ``nsp`` are optional
(an HF ``BertModel`` checkpoint has no heads, some have no pooler).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from bert_jax.errors import InputError
from bert_jax.models import BertConfig, BertForPreTraining, BertModel

Params = dict[str, Any]
Path = tuple[Any, ...]

# Groups a checkpoint may lack (all-or-nothing each); everything else is required.
OPTIONAL_GROUPS: tuple[Path, ...] = (('bert', 'pooler'), ('mlm',), ('nsp',))
LAYERS_PATH: Path = ('bert', 'encoder', 'layers')


def path_str(path: Path) -> str:
  return '/'.join(str(k) for k in path)


def flatten(tree: Mapping[Any, Any], prefix: Path = ()) -> dict[Path, Any]:
  """Nested dict -> {path tuple: leaf}."""
  out = {}
  for k, v in tree.items():
    if isinstance(v, Mapping):
      out.update(flatten(v, prefix + (k,)))
    else:
      out[prefix + (k,)] = v
  return out


def unflatten(flat: Mapping[Path, Any]) -> Params:
  """{path tuple: leaf} -> nested dict."""
  out: Params = {}
  for path, v in flat.items():
    node = out
    for k in path[:-1]:
      node = node.setdefault(k, {})
    node[path[-1]] = v
  return out


def normalize_keys(tree: Mapping[Any, Any]) -> Params:
  """Digit-string keys (how Orbax stores list indices) -> int, as ``nnx.to_pure_dict``."""
  out = {}
  for k, v in tree.items():
    key = int(k) if isinstance(k, str) and k.isdigit() else k
    out[key] = normalize_keys(v) if isinstance(v, Mapping) else v
  return out


def _layers_node(params: Params) -> tuple[Path, Params]:
  """Where the encoder layers live: ``bert/encoder/layers`` (or ``encoder/layers``)."""
  for path in (LAYERS_PATH, LAYERS_PATH[1:]):
    node = params
    for k in path:
      node = node.get(k) if isinstance(node, Mapping) else None
    if isinstance(node, Mapping):
      return path, node
  raise InputError('parameter tree has no encoder layers (expected bert/encoder/layers).')


def is_scanned(params: Params) -> bool:
  """True when the encoder layers are stacked (``cfg.scan_layers=True`` layout)."""
  _, layers = _layers_node(params)
  return not all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in layers)


def _with_layers(params: Params, path: Path, layers: Params) -> Params:
  out = dict(params)
  node = out
  for k in path[:-1]:
    node[k] = dict(node[k])
    node = node[k]
  node[path[-1]] = layers
  return out


def stack_layers(params: Params) -> Params:
  """Unscanned (``layers/<i>/...``) -> scanned (one subtree, leading layer axis)."""
  if is_scanned(params):
    return params
  path, layers = _layers_node(params)
  per_layer = [flatten(layers[i]) for i in sorted(layers, key=int)]
  keys = set(per_layer[0])
  if any(set(p) != keys for p in per_layer):
    raise InputError('encoder layers do not all have the same parameters; cannot stack them.')
  stacked = {k: np.stack([np.asarray(p[k]) for p in per_layer]) for k in per_layer[0]}
  return _with_layers(params, path, unflatten(stacked))


def unstack_layers(params: Params) -> Params:
  """Scanned (leading layer axis) -> unscanned (``layers/<i>/...``)."""
  if not is_scanned(params):
    return params
  path, layers = _layers_node(params)
  flat = flatten(layers)
  counts = {np.shape(v)[0] for v in flat.values()}
  if len(counts) != 1:
    raise InputError(f'scanned encoder layers disagree on the number of layers: {counts}.')
  n = counts.pop()
  unstacked = {i: unflatten({k: np.asarray(v)[i] for k, v in flat.items()}) for i in range(n)}
  return _with_layers(params, path, unstacked)


def convert_layout(params: Params, scan_layers: bool) -> Params:
  """Returns ``params`` in the scanned (True) or unscanned (False) layer layout (a model
  without a BERT encoder, such as the HAN baseline of ``bert_jax.models.xdc``, as is)."""
  if 'bert' not in params:
    return params
  return stack_layers(params) if scan_layers else unstack_layers(params)


@functools.lru_cache(maxsize=16)
def expected_shapes(config: BertConfig) -> dict[Path, jax.ShapeDtypeStruct]:
  """Every parameter of ``BertForPreTraining(config)``, unscanned, without allocating."""
  cfg = dataclasses.replace(config, scan_layers=False)
  model = nnx.eval_shape(lambda r: BertForPreTraining(cfg, rngs=r), nnx.Rngs(0))
  return flatten(nnx.to_pure_dict(nnx.state(model, nnx.Param)))


def check_params(params: Params, config: BertConfig, *, source: str = 'checkpoint') -> None:
  """Raises ``InputError`` unless ``params`` fits ``config`` (names tensor and shapes).

  Accepts either layout; optional groups (pooler, mlm, nsp) may be absent as a whole.
  """
  flat = flatten(unstack_layers(normalize_keys(params)))
  expected = expected_shapes(config)
  unexpected = sorted(path_str(p) for p in flat if p not in expected)
  if unexpected:
    raise InputError(f'{source}: unexpected parameters {unexpected[:5]} '
                     f'({len(unexpected)} in all) for a BERT of this config.')
  for path, want in expected.items():
    if path in flat and tuple(np.shape(flat[path])) != tuple(want.shape):
      raise InputError(f'{source}: parameter {path_str(path)} has shape '
                       f'{tuple(np.shape(flat[path]))}, the config expects {tuple(want.shape)}.')
  for group in OPTIONAL_GROUPS:
    members = [p for p in expected if p[:len(group)] == group]
    present = [p for p in members if p in flat]
    if present and len(present) != len(members):
      missing = [path_str(p) for p in members if p not in flat]
      raise InputError(f'{source}: incomplete {path_str(group)} parameters, missing {missing}.')
  missing = [path_str(p) for p in expected
             if p not in flat and not any(p[:len(g)] == g for g in OPTIONAL_GROUPS)]
  if missing:
    raise InputError(f'{source}: missing parameters {missing[:5]} ({len(missing)} in all).')


def has_heads(params: Params) -> bool:
  """True when both pretraining heads (MLM and NSP) and the pooler are present."""
  return 'mlm' in params and 'nsp' in params and 'pooler' in params.get('bert', {})


def params_to_model(params: Params, config: BertConfig, *,
                    model_cls: Callable[..., nnx.Module] | None = None,
                    rngs: nnx.Rngs | None = None, allow_unused: bool = False) -> nnx.Module:
  """Builds an NNX model holding ``params`` (numpy or jax arrays, either layer layout).

  Args:
    params: a ``BertForPreTraining`` tree (or a bare encoder tree ``{embeddings, encoder,
      pooler?}``), e.g. ``load_pretrained(...).params``.
    config: the model's config; ``config.scan_layers`` picks the layout the model gets
      (``params`` is converted to it) and arrays are cast to ``config.param_dtype``.
    model_cls: ``BertForPreTraining``, ``BertModel`` or any ``f(config, rngs=) -> Module``
      whose parameter tree matches (fine-tuning models keep the encoder under ``bert``).
      Default: ``BertForPreTraining`` when ``params`` has both heads and the pooler, else
      ``BertModel`` (with a pooler when ``params`` has one; a lone MLM head is dropped).
    rngs: without it the model is built abstractly (``nnx.eval_shape``, nothing random
      is computed) and every parameter must come from ``params``; with it the model is
      initialised and parameters missing from ``params`` (e.g. a new task head) keep their
      fresh values.
    allow_unused: ignore entries of ``params`` the model does not have (e.g. the
      pretraining heads when building a ``BertModel`` or a fine-tuning model).
  """
  params = normalize_keys(params)
  if 'bert' not in params and 'embeddings' in params:
    params = {'bert': params}
  params = convert_layout(params, config.scan_layers)
  if model_cls is None:
    model_cls = BertForPreTraining if has_heads(params) else BertModel
    allow_unused = allow_unused or model_cls is BertModel  # e.g. an MLM head without NSP
  if model_cls is BertModel:
    heads = sorted(k for k in params if k != 'bert')
    if heads and not allow_unused:
      raise InputError(f'parameters {heads} are not in the BertModel (pass allow_unused=True '
                       'to drop them).')
    params = params['bert']
    pool = 'pooler' in params
    make = lambda r: BertModel(config, add_pooling_layer=pool, rngs=r)
  else:
    make = lambda r: model_cls(config, rngs=r)
  model = nnx.eval_shape(make, nnx.Rngs(0)) if rngs is None else make(rngs)
  state = nnx.state(model, nnx.Param)
  want = flatten(nnx.to_pure_dict(state))
  given = flatten(params)
  unused = sorted(path_str(p) for p in given if p not in want)
  if unused and not allow_unused:
    raise InputError(f'parameters {unused[:5]} ({len(unused)} in all) are not in the '
                     f'{getattr(model_cls, "__name__", "model")} (pass allow_unused=True).')
  missing = sorted(path_str(p) for p in want if p not in given)
  if missing and rngs is None:
    raise InputError(f'the {getattr(model_cls, "__name__", "model")} needs parameters '
                     f'{missing[:5]} ({len(missing)} in all) that the checkpoint lacks; '
                     'pass rngs= to initialise them fresh.')
  update = {}
  for path, w in want.items():
    if path not in given:
      continue
    shape = tuple(np.shape(given[path]))
    if shape != tuple(w.shape):
      raise InputError(f'parameter {path_str(path)} has shape {shape}, the model expects '
                       f'{tuple(w.shape)}.')
    update[path] = jnp.asarray(given[path], dtype=w.dtype)
  nnx.replace_by_pure_dict(state, unflatten(update))
  nnx.update(model, state)
  return model


def model_to_params(model: nnx.Module) -> Params:
  """The parameter tree of ``model`` as numpy arrays (layout as the model has it)."""
  tree = nnx.to_pure_dict(nnx.state(model, nnx.Param))
  return jax.tree.map(np.asarray, tree)
