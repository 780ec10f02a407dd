"""Multi-process start-up shared by ``bert_jax.pretrain`` and ``bert_jax.finetune``.

  flags = distributed.define_flags()        # --coordinator_address --num_processes --process_id
  ...
  distributed.initialize_from_flags()       # in main(), before anything touches a device

Three cases (the flag names are ``jax.distributed.initialize``'s arguments):

- the flags are given: ``jax.distributed.initialize(coordinator_address, num_processes,
  process_id)``; all three are needed (e.g. 2 processes on one machine, or hosts you
  start yourself);
- no flag, on a cluster JAX detects (SLURM with ``srun``, a Cloud TPU pod slice, Open MPI,
  Kubernetes JobSet, or ``JAX_COORDINATOR_ADDRESS`` set): ``jax.distributed.initialize()``
  with JAX's own auto-detection;
- no flag on one plain machine: nothing is initialised (one process, all local devices).

Before initialising, CPU collectives are set to gloo
(``jax_cpu_collectives_implementation``), so cross-process CPU runs work as on a pod (the
setting only concerns the CPU backend). After it every process sees all global devices;
the trainer builds one mesh over them and each process feeds its rows of every batch.
"""
from __future__ import annotations

import os
from typing import Any

from bert_jax.errors import InputError

FLAG_NAMES = ('coordinator_address', 'num_processes', 'process_id')
_STATE: dict[str, Any] = {'how': None}


def define_flags() -> None:
  """Defines the three absl flags (once per program)."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  if 'coordinator_address' in flags.FLAGS:
    return
  flags.DEFINE_string(
      'coordinator_address', None, 'Multi-process runs: HOST:PORT of process 0 (the '
      'coordinator), the same for every process. Leave unset on one machine, or on SLURM / '
      'Cloud TPU pods / Open MPI, where JAX finds it.')
  flags.DEFINE_integer('num_processes', None, 'Multi-process runs: how many processes '
                       '(with --coordinator_address).')
  flags.DEFINE_integer('process_id', None, 'Multi-process runs: this process, 0 .. '
                       'num_processes-1 (with --coordinator_address).')


def detected_cluster() -> str | None:
  """The name of the cluster environment JAX's auto-detection would use, or None."""
  if os.environ.get('JAX_COORDINATOR_ADDRESS'):
    return 'JAX_COORDINATOR_ADDRESS'
  try:
    from jax._src import clusters  # pylint: disable=g-import-not-at-top
    for env in clusters.ClusterEnv._cluster_types:  # pylint: disable=protected-access
      if not env.opt_in_only_method and env.is_env_present():
        return env.__name__
  except Exception:  # pylint: disable=broad-except  (a JAX without this API: no auto-detect)
    return None
  return None


def initialize(coordinator_address: str | None = None, num_processes: int | None = None,
               process_id: int | None = None) -> str:
  """Starts ``jax.distributed`` as the module doc says; returns how ('single process',
  'flags', or the detected cluster's name). Idempotent."""
  if _STATE['how'] is not None:
    return _STATE['how']
  given = {'coordinator_address': coordinator_address, 'num_processes': num_processes,
           'process_id': process_id}
  missing = [f'--{k}' for k, v in given.items() if v is None]
  cluster = detected_cluster()
  if len(missing) == 3 and cluster is None:
    _STATE['how'] = 'single process'
    return _STATE['how']
  if missing and cluster is None:
    raise InputError(f'{", ".join(missing)} missing: a multi-process run needs '
                     '--coordinator_address=HOST:PORT, --num_processes=N and --process_id=I '
                     '(or none of them on a cluster JAX detects: SLURM, Cloud TPU, Open MPI).')
  if num_processes is not None and num_processes < 1:
    raise InputError(f'--num_processes={num_processes}; expected >= 1.')
  if process_id is not None and num_processes is not None and not 0 <= process_id < num_processes:
    raise InputError(f'--process_id={process_id}; expected 0 <= process_id < '
                     f'--num_processes={num_processes}.')
  if coordinator_address is not None and ':' not in coordinator_address:
    raise InputError(f'--coordinator_address={coordinator_address}; expected HOST:PORT.')
  import jax  # pylint: disable=g-import-not-at-top
  jax.config.update('jax_cpu_collectives_implementation', 'gloo')
  jax.distributed.initialize(coordinator_address=coordinator_address,
                             num_processes=num_processes, process_id=process_id)
  _STATE['how'] = 'flags' if not missing else cluster
  if jax.process_count() > 1:
    _meet_and_warm_up()
  return _STATE['how']


def _meet_and_warm_up(timeout_s: int = 1800) -> None:
  """Waits for every process (coordination service barrier, no collective), then runs
  one tiny collective over all devices while they are together.

  The CPU (gloo) collectives set up their connections on the first collective over a set
  of devices and give up when a peer is not there within 30 s; the first collective of a
  run would otherwise be the train step's, which each process reaches after its own
  compilation (minutes apart on a loaded machine). The connections are kept for the run.
  """
  from jax._src import distributed as jax_distributed  # pylint: disable=g-import-not-at-top
  from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
  client = jax_distributed.global_state.client
  if client is not None:
    client.wait_at_barrier('bert_jax_start', timeout_s * 1000)
  multihost_utils.sync_global_devices('bert_jax_collectives')


def initialize_from_flags() -> str:
  """``initialize`` with the values of the absl flags of ``define_flags``."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  f = flags.FLAGS
  return initialize(f.coordinator_address, f.num_processes, f.process_id)


def describe() -> str:
  """'process I of N (D local / G global devices)' for logs."""
  import jax  # pylint: disable=g-import-not-at-top
  return (f'process {jax.process_index()} of {jax.process_count()} '
          f'({jax.local_device_count()} local / {jax.device_count()} global devices)')


def is_main() -> bool:
  """Process 0: the one that writes the workdir's files (metrics, best.json, outputs)."""
  import jax  # pylint: disable=g-import-not-at-top
  return jax.process_index() == 0


def barrier(name: str) -> None:
  """Waits until every process gets here (nothing to do with one process)."""
  import jax  # pylint: disable=g-import-not-at-top
  if jax.process_count() > 1:
    from jax.experimental import multihost_utils  # pylint: disable=g-import-not-at-top
    multihost_utils.sync_global_devices(name)


def finish(code: int) -> int:
  """The end of a multi-process entry point: runs the exit handlers (grain, Orbax,
  ``jax.distributed.shutdown``) and ends the process with ``code`` at once; Python's final
  garbage collection can otherwise block on the distributed runtime's objects after all
  the work is done. One process: returns ``code`` (a normal exit)."""
  if _STATE['how'] in (None, 'single process'):
    return code
  import atexit  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  sys.stdout.flush()
  sys.stderr.flush()
  atexit._run_exitfuncs()  # pylint: disable=protected-access
  sys.stdout.flush()
  sys.stderr.flush()
  os._exit(code)  # pylint: disable=protected-access


def compile_and_meet(jitted, *args, name: str) -> None:
  """Compiles ``jitted`` for ``args`` (ahead of time; the next call reuses it), then waits
  for every process to have done the same. A process that compiled faster would otherwise
  wait inside the first collective for one still compiling, and the CPU collectives give up
  after 30 s. Nothing to do with one process."""
  import jax  # pylint: disable=g-import-not-at-top
  if jax.process_count() == 1:
    return
  jitted.lower(*args).compile()
  from jax._src import distributed as jax_distributed  # pylint: disable=g-import-not-at-top
  client = jax_distributed.global_state.client
  if client is not None:
    client.wait_at_barrier(f'bert_jax_compiled_{name}', 1800 * 1000)
