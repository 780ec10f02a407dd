"""Orbax checkpoints of a training workdir (docs/CONTRACTS.md; names: ``bert_jax.workdir``).

  W/checkpoints/<step>/  params      StandardSave of the pure param dict
                         opt_state   StandardSave of the optax state
                         meta        JSON: step, skipped-step counters, mesh, config
                         data_iter   the input iterator's position (grain handler:
                                     process_<i>-of-<n>.json per process)

Saves are asynchronous (the next steps run while the arrays are written); ``close``
waits for them. ``restore_latest`` walks the committed steps from the newest: a step that
cannot be read gets a warning, the previous one is used, and the unreadable one is moved
to ``W/checkpoints_corrupt/`` (kept, never deleted). When no step can be read it raises:
a workdir that holds checkpoints never silently starts from scratch.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import warnings
from typing import Any, Mapping

import grain
import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp
from absl import logging
from etils import epath

from bert_jax.errors import InputError, RunError
from bert_jax.workdir import CHECKPOINTS_DIR, CORRUPT_DIR, PathLike, as_workdir
from bert_jax.train.step import TrainState

# A restore that fails inside Orbax's zarr metadata reader drops one of its coroutines; when
# the garbage collector later finds it, Python prints a two-line RuntimeWarning at a random
# point (seen in the middle of JSON decoding), between the one warning per unreadable step
# and the one error line that a corrupt workdir is promised. Nothing is lost: the failure is
# the exception restore_latest reports.
warnings.filterwarnings('ignore', message=r"coroutine 'Store\._get_array_metadatas' was never "
                        'awaited', category=RuntimeWarning)


class CheckpointError(RunError):
  """A workdir holds checkpoints but none of them can be restored (exit status 1)."""


def make_manager(workdir: PathLike, *, max_to_keep: int | None = 3,
                 async_save: bool = True) -> ocp.CheckpointManager:
  """``CheckpointManager`` over ``W/checkpoints`` keeping the newest ``max_to_keep``."""
  options = ocp.CheckpointManagerOptions(
      max_to_keep=max_to_keep if max_to_keep and max_to_keep > 0 else None,
      create=True, enable_async_checkpointing=async_save, cleanup_tmp_directories=True)
  return ocp.CheckpointManager(as_workdir(workdir) / CHECKPOINTS_DIR,
                               options=options)


def _iter_args(data_iter: Any, restore: bool):
  """Orbax args for the input iterator's position, or None when it has none."""
  if data_iter is None:
    return None
  if isinstance(data_iter, grain.DatasetIterator):
    return (grain.checkpoint.CheckpointRestore if restore else grain.checkpoint.CheckpointSave)(
        data_iter)
  if hasattr(data_iter, 'get_state') and hasattr(data_iter, 'set_state'):
    return ocp.args.JsonRestore() if restore else ocp.args.JsonSave(data_iter.get_state())
  return None


def _grain_file(process_index: int, process_count: int) -> str:
  return f'process_{process_index}-of-{process_count}.json'  # grain's CheckpointHandler


def _adopt_iterator_state(data_iter: Any, files: list[epath.Path], meta: Mapping[str, Any],
                          step_dir: epath.Path) -> None:
  """Restores a grain iterator from a checkpoint written by another number of processes.

  Allowed when the run that wrote it marked its stream portable (``portable_data_iter``:
  every process held the same position of one global stream and took its rows), so any
  process's file is the position of the global stream.
  """
  here = _grain_file(jax.process_index(), jax.process_count())
  if not files:
    raise CheckpointError(f'{step_dir}/data_iter has no grain state file ({here} expected).')
  if not meta.get('portable_data_iter'):
    raise CheckpointError(
        f'{step_dir} was written by {meta.get("process_count", "?")} processes whose input '
        f'streams differ per process ({files[0].name}, ...); resume it with that many '
        f'processes (this run has {jax.process_count()}), or use data.process_split=batches.')
  data_iter.set_state(json.loads(files[0].read_text()))
  if hasattr(data_iter, 'start_prefetch'):
    data_iter.start_prefetch()  # as grain's own restore does
  logging.info('input position of %s adopted from %s (written by %s processes).', step_dir,
               files[0].name, meta.get('process_count'))


@jax.jit
def _finite(tree) -> jax.Array:
  leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)
            if jnp.issubdtype(x.dtype, jnp.inexact)]
  return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def save(manager: ocp.CheckpointManager, state: TrainState, *, data_iter: Any = None,
         meta: Mapping[str, Any] | None = None) -> int:
  """Starts an (asynchronous) save of ``state`` at ``state.step``; returns the step.

  Raises ``FloatingPointError`` rather than write non-finite parameters (the train step
  never produces them; this is the last guard).
  """
  step = int(jax.device_get(state.step))
  if not bool(_finite(state.params)):
    raise FloatingPointError(f'refusing to save step {step}: the parameters are not finite.')
  info = {'step': step, 'nonfinite_steps': int(jax.device_get(state.nonfinite_steps)),
          'nonfinite_in_a_row': int(jax.device_get(state.nonfinite_in_a_row)),
          'time': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}
  info.update(meta or {})
  items = dict(params=ocp.args.StandardSave(state.params),
               opt_state=ocp.args.StandardSave(state.opt_state), meta=ocp.args.JsonSave(info))
  it_args = _iter_args(data_iter, restore=False)
  if it_args is not None:
    items['data_iter'] = it_args
  manager.save(step, args=ocp.args.Composite(**items), force=True)
  return step


@dataclasses.dataclass
class Restored:
  state: TrainState
  meta: dict[str, Any]
  step: int


def _step_dirs(manager: ocp.CheckpointManager) -> list[int]:
  """Integer-named step directories on disk, committed or not."""
  root = epath.Path(manager.directory)
  return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()) \
      if root.is_dir() else []


def _restore_step(manager, step: int, abstract: TrainState, data_iter: Any) -> Restored:
  items = dict(params=ocp.args.StandardRestore(abstract.params),
               opt_state=ocp.args.StandardRestore(abstract.opt_state),
               meta=ocp.args.JsonRestore())
  it_args = _iter_args(data_iter, restore=True)
  step_dir = epath.Path(manager.directory) / str(step)
  other_topology = None  # a grain state file of another process count, to adopt
  if it_args is not None:
    if not (step_dir / 'data_iter').is_dir():
      logging.warning('checkpoint %s has no data_iter item: the input iterator starts from '
                      'its beginning.', step_dir)
    elif isinstance(data_iter, grain.DatasetIterator) and not (
        step_dir / 'data_iter' / _grain_file(jax.process_index(), jax.process_count())).exists():
      other_topology = sorted((step_dir / 'data_iter').glob('process_*-of-*.json'))
    else:
      items['data_iter'] = it_args
  out = manager.restore(step, args=ocp.args.Composite(**items))
  meta = dict(out['meta'])
  if other_topology is not None:
    _adopt_iterator_state(data_iter, other_topology, meta, step_dir)
  if 'data_iter' in items and not isinstance(data_iter, grain.DatasetIterator):
    data_iter.set_state(out['data_iter'])
  if int(meta.get('step', step)) != step:
    raise CheckpointError(f'{step_dir}: meta says step {meta.get("step")}.')
  # The counters are placed as ``abstract`` says (committed, like the train step's outputs):
  # an uncommitted scalar would give the jitted step a second signature and a recompile.
  as_int = lambda v, like: jax.device_put(np.asarray(int(v), np.int32),
                                          getattr(like, 'sharding', None))
  state = TrainState(step=as_int(step, abstract.step), params=out['params'],
                     opt_state=out['opt_state'],
                     nonfinite_steps=as_int(meta.get('nonfinite_steps', 0),
                                            abstract.nonfinite_steps),
                     nonfinite_in_a_row=as_int(meta.get('nonfinite_in_a_row', 0),
                                               abstract.nonfinite_in_a_row))
  return Restored(state, meta, step)


def restore_latest(manager: ocp.CheckpointManager, abstract: TrainState, *,
                   data_iter: Any = None) -> Restored | None:
  """The newest readable checkpoint, restored onto the shardings of ``abstract``.

  ``abstract`` is a ``TrainState`` of ``jax.ShapeDtypeStruct`` with shardings (any mesh:
  Orbax reshards). The input iterator's position is restored into ``data_iter`` in place.
  Returns None only when the workdir has no checkpoint at all.
  """
  steps = sorted(manager.all_steps(), reverse=True)
  on_disk = _step_dirs(manager)
  if not steps:
    if on_disk:
      raise CheckpointError(
          f'{manager.directory} holds step directories {on_disk} that Orbax does not consider '
          'complete; refusing to start from scratch over them. Move them away (or use a new '
          '--workdir) to start a new run.')
    return None
  failures: list[tuple[int, Exception]] = []
  for step in steps:
    try:
      restored = _restore_step(manager, step, abstract, data_iter)
    except Exception as e:  # pylint: disable=broad-except  (unreadable files of any kind)
      logging.warning('checkpoint step %d in %s cannot be restored (%s); trying the '
                      'previous one.', step, manager.directory, _brief(e))
      failures.append((step, e))
      continue
    if failures:
      _set_aside(manager, [s for s, _ in failures])
      logging.warning('resumed from step %d instead of the latest step %d (unreadable, moved '
                      'to %s).', step, failures[0][0],
                      epath.Path(manager.directory).parent / CORRUPT_DIR)
    return restored
  step, err = failures[0]
  raise CheckpointError(
      f'none of the checkpoints {steps} in {manager.directory} can be restored with this '
      f'config; the latest ({step}) failed with {_brief(err)}. (Different model '
      'shapes? Use the config the workdir was trained with, see config.json, or a new '
      '--workdir.)') from err


def _brief(err: Exception, limit: int = 300) -> str:
  """``Type: message`` cut to ``limit`` characters (TensorStore errors carry kilobytes of
  spec JSON; the chained exception keeps all of it)."""
  text = f'{type(err).__name__}: {err}'
  return text if len(text) <= limit else text[:limit] + ' ...'


def _set_aside(manager: ocp.CheckpointManager, steps: list[int]) -> None:
  """Moves unreadable steps out of the manager's directory (kept for inspection)."""
  root = epath.Path(manager.directory)
  dest = root.parent / CORRUPT_DIR
  if jax.process_index() == 0:
    dest.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    for step in steps:
      src = root / str(step)
      if src.exists():
        src.rename(dest / f'{step}-{stamp}')
  _sync('bert_jax_set_aside')
  manager.reload()


def _sync(name: str) -> None:
  if jax.process_count() > 1:
    from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
    multihost_utils.sync_global_devices(name)


def check_workdir(workdir: PathLike) -> None:
  p = epath.Path(workdir)
  if p.exists() and not p.is_dir():
    raise InputError(f'--workdir={p} exists and is not a directory.')
