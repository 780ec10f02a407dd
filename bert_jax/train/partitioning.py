"""The device mesh, the one logical-axis rules table, and shardings derived from them.

Every parameter of the models carries logical axis names (``nnx.with_partitioning``), and
the models mark their key activations with the same names
(``flax.linen.with_logical_constraint``). ``RULES`` maps logical names to mesh axes; data
parallel, FSDP and tensor parallel are just different mesh shapes over the same rules:

  mesh (data=8, fsdp=1, tensor=1)   pure data parallel (params replicated)
  mesh (data=2, fsdp=4, tensor=1)   batch over 8 devices, params sharded 4 ways on 'embed'
  mesh (data=2, fsdp=2, tensor=2)   + heads / mlp / vocab split over 'tensor'

Activations have names of their own (``activation_batch``, ``activation_length``,
``activation_embed``, ``activation_heads``, ``activation_kv``, ``activation_mlp``,
``activation_vocab``), as MaxText's rules do: an activation ``[activation_batch,
activation_length, activation_embed]`` has its batch over ``('data', 'fsdp')`` and its
embed dimension replicated whatever the order of the parameter rules, while a parameter
``[embed, mlp]`` is split over ``fsdp`` x ``tensor``. Every batch array and every step's
batch argument is ``activation_batch`` too.

A rule is ``(logical, mesh_axes)``; rules are tried in order and a mesh axis is used at
most once per array. A dimension that does not divide by its mesh axes is replicated
instead (logged once).
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Iterator, Mapping, Sequence

import jax
import numpy as np
from absl import logging
from flax import nnx
from flax.core import spmd as flax_spmd
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec as P

from bert_jax.errors import InputError

MESH_AXES = ('data', 'fsdp', 'tensor')
ACTIVATION_AXES = ('activation_batch', 'activation_length', 'activation_embed',
                   'activation_heads', 'activation_kv', 'activation_mlp', 'activation_vocab')
BATCH = 'activation_batch'  # the leading dimension of every batch array

# The one table: logical axis name -> mesh axis (or axes, or None = replicated).
RULES: tuple[tuple[str, Any], ...] = (
    # activations (and batches)
    ('activation_batch', ('data', 'fsdp')),
    ('activation_length', None),
    ('activation_embed', None),
    ('activation_heads', 'tensor'),
    ('activation_kv', None),
    ('activation_mlp', 'tensor'),
    ('activation_vocab', 'tensor'),
    # parameters
    ('vocab', 'tensor'),
    ('heads', 'tensor'),
    ('mlp', 'tensor'),
    ('embed', 'fsdp'),
    ('kv', None),
    ('embed_out', None),
    ('layers', None),
)


def mesh_shape(mesh_config: Mapping[str, int], num_devices: int) -> tuple[int, int, int]:
  """``{'data': d, 'fsdp': f, 'tensor': t}`` with at most one -1 (= the remaining devices)."""
  sizes = [int(mesh_config[a]) for a in MESH_AXES]
  if sizes.count(-1) > 1:
    raise InputError(f'mesh {dict(zip(MESH_AXES, sizes))}: at most one axis may be -1.')
  if any(s == 0 or s < -1 for s in sizes):
    raise InputError(f'mesh {dict(zip(MESH_AXES, sizes))}: sizes must be positive or -1.')
  known = math.prod(s for s in sizes if s != -1)
  if -1 in sizes:
    if num_devices % known:
      raise InputError(f'mesh {dict(zip(MESH_AXES, sizes))}: {num_devices} devices do not '
                       f'divide by {known}.')
    sizes[sizes.index(-1)] = num_devices // known
  if math.prod(sizes) != num_devices:
    raise InputError(f'mesh {dict(zip(MESH_AXES, sizes))} needs {math.prod(sizes)} devices; '
                     f'{num_devices} are in use (set one axis to -1 to take the rest).')
  return tuple(sizes)


def make_mesh(mesh_config: Mapping[str, int], devices: Sequence[Any] | None = None) -> Mesh:
  """The (data, fsdp, tensor) mesh over ``devices`` (default: all of them)."""
  devices = list(jax.devices() if devices is None else devices)
  shape = mesh_shape(mesh_config, len(devices))
  return jax.make_mesh(shape, MESH_AXES, axis_types=(AxisType.Auto,) * 3, devices=devices)


def local_mesh() -> Mesh:
  """The one-device mesh of this process's default device: where a model built or loaded
  outside any mesh (serving, feature extraction, ``--config.mode=eval``) holds its arrays."""
  return make_mesh({'data': 1, 'fsdp': 1, 'tensor': 1}, jax.local_devices()[:1])


def logical_to_mesh_axes(names: Sequence[str | None], rules=RULES,
                         shape: Sequence[int] | None = None, mesh: Mesh | None = None) -> P:
  """Logical names of one array -> its ``PartitionSpec`` (see module doc).

  With ``shape`` and ``mesh``, a dimension that does not divide by the size of its mesh
  axes stays replicated.
  """
  result: list[Any] = [None] * len(names)
  used: set[str] = set()
  for logical, mesh_axes in rules:
    if logical not in names or mesh_axes is None:
      continue
    i = list(names).index(logical)
    axes = (mesh_axes,) if isinstance(mesh_axes, str) else tuple(mesh_axes)
    if result[i] is not None or used.intersection(axes):
      continue
    if shape is not None and mesh is not None:
      size = math.prod(mesh.shape[a] for a in axes)
      if shape[i] % size:
        _log_replicated(tuple(names), tuple(shape), logical, axes, size)
        continue
    result[i] = axes[0] if len(axes) == 1 else axes
    used.update(axes)
  return P(*result)


_REPLICATED_LOGGED: set[tuple] = set()


def _log_replicated(names, shape, logical, axes, size) -> None:
  key = (names, shape, logical)
  if key not in _REPLICATED_LOGGED:
    _REPLICATED_LOGGED.add(key)
    logging.info('sharding: %s %s: dimension %r (%d) does not divide by mesh axes %s (%d); '
                 'replicated.', names, shape, logical, shape[names.index(logical)], axes, size)


def _names(variable: nnx.Variable) -> tuple[str | None, ...]:
  """The logical axis names of a (possibly abstract) variable; () when it has none."""
  meta = variable.get_metadata()
  names = meta.get('out_sharding') or meta.get('sharding_names') or meta.get('sharding')
  return tuple(names) if names else ()


def logical_specs(state: nnx.State) -> Any:
  """nnx state (from ``nnx.split`` of a model or of ``nnx.eval_shape``) -> a pure dict of
  logical name tuples, one per parameter (``()`` for an unannotated scalar)."""
  named = jax.tree.map(lambda v: _names(v) or (None,) * len(np.shape(v.get_value())), state,
                       is_leaf=lambda x: isinstance(x, nnx.Variable))
  return nnx.to_pure_dict(named) if isinstance(named, nnx.State) else named


def param_shardings(abstract_params: Any, names: Any, mesh: Mesh, rules=RULES) -> Any:
  """Pure dict of ``ShapeDtypeStruct`` + pure dict of logical names -> NamedShardings."""
  def one(x, n):
    return NamedSharding(mesh, logical_to_mesh_axes(n, rules, np.shape(x), mesh))
  return jax.tree.map(one, abstract_params, names,
                      is_leaf=lambda x: isinstance(x, tuple) and all(
                          e is None or isinstance(e, str) for e in x))


def state_shardings(state: nnx.State, mesh: Mesh, rules=RULES) -> Any:
  """A model's (possibly abstract) nnx state -> pure dict of NamedShardings from its
  parameters' logical axes: how the trainer lays them out on ``mesh``."""
  return param_shardings(nnx.to_pure_dict(state), logical_specs(state), mesh, rules)


def replicated(mesh: Mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def batch_sharding(mesh: Mesh, rules=RULES) -> NamedSharding:
  """Sharding of every batch array: leading (batch) dimension over the batch mesh axes."""
  return NamedSharding(mesh, logical_to_mesh_axes((BATCH,), rules))


def rows_sharding(mesh: Mesh, rows: int, rules=RULES) -> NamedSharding:
  """``batch_sharding`` for a batch of ``rows``; replicated when they do not divide."""
  return NamedSharding(mesh, logical_to_mesh_axes((BATCH,), rules, (rows,), mesh))


def batch_divisor(mesh: Mesh, rules=RULES) -> int:
  """How many ways the batch dimension is split (the global batch must divide by it)."""
  spec = logical_to_mesh_axes((BATCH,), rules)[0]
  axes = () if spec is None else ((spec,) if isinstance(spec, str) else spec)
  return math.prod(mesh.shape[a] for a in axes)


def shard_batch(batch: Mapping[str, np.ndarray], mesh: Mesh, rules=RULES) -> dict[str, jax.Array]:
  """This process's rows (numpy) -> global arrays sharded over the batch axes.

  ``jax.make_array_from_process_local_data`` stitches the per-process rows into one
  global batch of ``process_count`` x the local rows.
  """
  sharding = batch_sharding(mesh, rules)
  return {k: jax.make_array_from_process_local_data(sharding, np.asarray(v))
          for k, v in batch.items()}


@contextlib.contextmanager
def activation_sharding(mesh: Mesh, rules=RULES) -> Iterator[None]:
  """While tracing a step: the models' ``with_logical_constraint`` calls use these rules
  and this mesh (outside this context they are no-ops)."""
  with flax_spmd.logical_axis_rules(rules), jax.sharding.use_abstract_mesh(mesh.abstract_mesh):
    yield


def describe(mesh: Mesh) -> str:
  return ' x '.join(f'{a}={mesh.shape[a]}' for a in MESH_AXES) + f' ({mesh.size} devices)'


def rules_from_config(rules) -> tuple[tuple[str, Any], ...]:
  """Config value (lists from JSON, or tuples) -> the rules tuple; None/empty -> RULES."""
  if not rules:
    return RULES
  old = sorted({str(r[0]) for r in rules} & {'batch', 'length'})
  if old:
    raise InputError(f'--config.mesh.rules names {old}: activations and batches are now '
                     f'{", ".join("activation_" + n for n in old)} (see partitioning.RULES).')
  out = []
  for logical, axes in rules:
    if isinstance(axes, (list, tuple)):
      axes = tuple(axes) if axes else None
    out.append((str(logical), axes))
  return tuple(out)
