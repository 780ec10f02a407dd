"""The trials of a sweep: axes (``--sweep=KEY=V1,V2``) x seeds, or a config's ``get_sweep``.

A trial is a dict of config overrides (dotted keys) with ``seed`` last; its name is
readable from them (``optimizer.learning_rate=3e-05__num_epochs=2__seed=1``). Every override is
checked against the experiment's config before anything runs: an unknown key or a value
of the wrong type is an ``InputError`` naming it.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib.util
import itertools
import re
from typing import Any, Mapping, Sequence

import ml_collections

from bert_jax import config_checks
from bert_jax.errors import InputError


@dataclasses.dataclass(frozen=True)
class Trial:
  name: str
  overrides: dict[str, Any]    # dotted key -> value (seed included)
  setting: str                 # the name without the seed (trials over seeds share it)


def lookup(config: ml_collections.ConfigDict, key: str) -> Any:
  node = config
  for i, part in enumerate(key.split('.')):
    if not isinstance(node, (ml_collections.ConfigDict, Mapping)) or part not in node:
      where = '.'.join(key.split('.')[:i]) or 'the config'
      new = config_checks.renamed(key)
      hint = f'; did you mean {new!r}? ({key} was renamed {new})' if new else ''
      raise InputError(f'--sweep: unknown config key {key!r} ({where} has no {part!r}){hint}.')
    node = node[part]
  if isinstance(node, ml_collections.ConfigDict):
    raise InputError(f'--sweep: {key!r} is a group of keys, not a value.')
  return node


def _field_type(config, key: str):
  parent, _, leaf = key.rpartition('.')
  node = config
  for part in parent.split('.') if parent else []:
    node = node[part]
  try:
    return node.get_type(leaf)
  except (AttributeError, KeyError):
    return type(node[leaf])


def parse_value(config, key: str, text: str) -> Any:
  """``text`` as a value of the type ``config.key`` holds."""
  old = lookup(config, key)
  kind = _field_type(config, key)
  text = text.strip()
  try:
    if kind is bool:
      if text.lower() not in ('true', 'false', '1', '0'):
        raise ValueError(text)
      return text.lower() in ('true', '1')
    if kind is int:
      return int(text)
    if kind is float:
      return float(text)
    if kind is str:
      return text
    return ast.literal_eval(text)
  except (ValueError, SyntaxError):
    raise InputError(f'--sweep={key}=...: {text!r} is not a valid {kind.__name__} (the config has '
                     f'{key}={old!r}).') from None


def parse_axes(config, specs: Sequence[str]) -> dict[str, list[Any]]:
  """``['optimizer.learning_rate=1e-3,3e-4', ...]`` -> ``{'optimizer.learning_rate':
  [0.001, 0.0003]}``."""
  axes: dict[str, list[Any]] = {}
  for spec in specs:
    key, eq, values = spec.partition('=')
    key = key.strip()
    if not eq or not key or not values.strip():
      raise InputError(f'--sweep={spec}: expected KEY=V1,V2,... (e.g. optimizer.learning_rate=1e-4,3e-5).')
    if key == 'seed':
      raise InputError('--sweep=seed=...: use --seeds=N for repeats over seeds.')
    if key in axes:
      raise InputError(f'--sweep: {key!r} is given twice.')
    axes[key] = [parse_value(config, key, v) for v in values.split(',')]
  return axes


def fmt(value: Any) -> str:
  if isinstance(value, bool):
    return 'true' if value else 'false'
  if isinstance(value, float):
    return f'{value:g}'
  return str(value)


def _slug(text: str) -> str:
  return re.sub(r'[^A-Za-z0-9._=+-]+', '-', text)


def trials_from_grid(settings: Sequence[Mapping[str, Any]], seeds: Sequence[int]) -> list[Trial]:
  out, seen = [], set()
  for setting in settings:
    setting_name = '__'.join(f'{_slug(k)}={_slug(fmt(v))}' for k, v in setting.items()) or 'base'
    for seed in seeds:
      name = f'{setting_name}__seed={seed}'
      if name in seen:
        raise InputError(f'--sweep: two trials would be named {name!r} (a value repeated?).')
      seen.add(name)
      out.append(Trial(name, {**dict(setting), 'seed': int(seed)}, setting_name))
  return out


def product(axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
  keys = list(axes)
  return [dict(zip(keys, values)) for values in itertools.product(*(axes[k] for k in keys))]


def check(config, trials: Sequence[Trial]) -> None:
  """Every trial's overrides set on a copy of ``config`` (type-checked by ml_collections)."""
  for trial in trials:
    c = config.copy_and_resolve_references()
    for key, value in trial.overrides.items():
      lookup(c, key)
      try:
        c.update_from_flattened_dict({key: value})
      except (TypeError, KeyError, ValueError) as e:
        raise InputError(f'--sweep: {key}={value!r} does not fit the config ({key}='
                         f'{lookup(config, key)!r}): {e}') from None


def config_sweep(config_file: str, arg: str | None) -> list[dict[str, Any]] | None:
  """``get_sweep(arg)`` of the config file (a list of override dicts), or None."""
  spec = importlib.util.spec_from_file_location('bert_jax_sweep_config', config_file)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  fn = getattr(module, 'get_sweep', None)
  if fn is None:
    return None
  grid = fn(arg) if arg is not None else fn()
  if not isinstance(grid, list) or not all(isinstance(d, dict) for d in grid) or not grid:
    raise InputError(f'{config_file}: get_sweep({arg!r}) must return a non-empty list of '
                     'override dicts.')
  return grid


def swept_keys(trials: Sequence[Trial]) -> list[str]:
  keys: list[str] = []
  for t in trials:
    keys += [k for k in t.overrides if k != 'seed' and k not in keys]
  return keys


def bert_paper_finetuning_grid() -> list[dict[str, Any]]:
  """The BERT paper's fine-tuning grid (Devlin et al. 2019, appendix A.3): learning rate
  {5e-5, 4e-5, 3e-5, 2e-5} x batch {16, 32} x epochs {2, 3, 4}, picked on dev."""
  return [{'optimizer.learning_rate': lr, 'global_batch_size': bs, 'num_epochs': float(ep)}
          for lr in (5e-5, 4e-5, 3e-5, 2e-5) for bs in (16, 32) for ep in (2, 3, 4)]
