"""Training: mesh + logical-axis rules, optimizer, pure train/eval steps, the loop, checkpoints.

  from bert_jax.train import TrainSpec, train, default_train_config
  result = train(config, workdir, TrainSpec(name, build_model, loss_fn, train_iter, ...))

Modules: ``partitioning`` (mesh, rules table, shardings), ``optimizer`` (AdamW/LAMB,
schedules, masks), ``step`` (pure steps), ``checkpoints`` (Orbax), ``metrics_writer``
(JSONL / TensorBoard / progress), ``mfu``, ``loop`` (``train``), ``pretraining``
(MLM + NSP).
"""
from bert_jax.train.loop import NonFiniteError, TrainSpec, TrainResult, default_train_config, train
from bert_jax.train.step import TrainState, make_eval_step, make_train_step

__all__ = ['NonFiniteError', 'TrainSpec', 'TrainResult', 'TrainState', 'default_train_config',
           'make_eval_step', 'make_train_step', 'train']
