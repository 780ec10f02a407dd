"""``Predictor``: a task model's ``predict_fn`` jitted once, run over fixed-shape batches.

Shared by fine-tuning (evaluation during training and ``--config.mode=eval|predict``,
``bert_jax.finetune``) and serving (``bert_jax.serve.runners``), so neither imports the
other.
"""
from __future__ import annotations

import itertools

import jax
import numpy as np
from flax import nnx

from bert_jax import distributed
from bert_jax.data.finetune import eval_batches

_PREDICTORS = itertools.count()


class Predictor:
  """``task.predict_fn`` jitted once for fixed-shape batches of one model's state.

  With ``mesh`` (evaluation during training, whose parameters live on the global mesh of
  all processes) every process feeds the whole batch, replicated, and gets the whole
  output back; without it the model's arrays are local.
  """

  def __init__(self, task, batch_size: int, mesh: jax.sharding.Mesh | None = None):
    self.batch_size = batch_size
    self._replicated = None if mesh is None else jax.sharding.NamedSharding(
        mesh, jax.sharding.PartitionSpec())

    def run(graphdef, state, batch):
      return task.predict_fn(nnx.merge(graphdef, state), batch)

    self._run = jax.jit(run, out_shardings=self._replicated)
    self._met = False  # all processes compiled it (distributed.compile_and_meet)
    self._serial = next(_PREDICTORS)  # the same on every process

  def __call__(self, model, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    graphdef, state = nnx.split(model)
    chunks = []
    for batch, real in eval_batches(arrays, self.batch_size):
      if self._replicated is not None:
        batch = {k: jax.make_array_from_process_local_data(self._replicated, v)
                 for k, v in batch.items()}
      if self._replicated is not None and not self._met:
        distributed.compile_and_meet(self._run, graphdef, state, batch, name=f'predict{self._serial}')
        self._met = True
      out = self._run(graphdef, state, batch)
      chunks.append(jax.tree.map(lambda x, r=real: np.asarray(x)[:r], out))
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
