"""``Predictor``: a task model's ``predict_fn`` through the one eval step
(``bert_jax.train.step.EvalStep``), run over fixed-shape batches.

Shared by fine-tuning (evaluation during training and ``--config.mode=eval|predict``,
``bert_jax.finetune``) and serving (``bert_jax.serve.runners``), so neither imports the
other.
"""
from __future__ import annotations

import itertools

import jax
import numpy as np
from flax import nnx

from bert_jax.data.finetune import eval_batches
from bert_jax.train import partitioning
from bert_jax.train import step as step_lib

_PREDICTORS = itertools.count()


class Predictor:
  """``task.predict_fn`` on fixed-shape batches of ``batch_size`` rows (one compile).

  With ``mesh`` (evaluation during training, whose parameters live on the global mesh of
  all processes, laid out by ``rules``) every process feeds the whole batch, spread over
  the batch mesh axes, and gets the whole output back; without it the model's arrays are
  local (``partitioning.local_mesh``).
  """

  def __init__(self, task, batch_size: int, mesh: jax.sharding.Mesh | None = None,
               rules=partitioning.RULES):
    self.batch_size, self.mesh, self.rules = batch_size, mesh, rules
    self.predict_fn = task.predict_fn
    self.step: step_lib.EvalStep | None = None  # made for the first model's graph
    self._name = f'predict{next(_PREDICTORS)}'  # the same on every process

  def __call__(self, model, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    graphdef, state = nnx.split(model)
    if self.step is None or self.step.graphdef != graphdef:
      self.step = step_lib.make_eval_step(model, self.predict_fn, mesh=self.mesh,
                                          rules=self.rules, name=self._name)
    params = nnx.to_pure_dict(state)
    chunks = []
    for batch, real in eval_batches(arrays, self.batch_size):
      out = self.step(params, self.step.place(batch))
      chunks.append(jax.tree.map(lambda x, r=real: np.asarray(x)[:r], out))
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
