"""BERT pretraining as a ``TrainSpec``: masked LM + next sentence prediction.

  spec = make_pretraining_spec(config)        # config: configs/pretrain.py
  bert_jax.train.loop.train(config, workdir, spec)

Loss (google-research/bert ``run_pretraining.py``): MLM cross-entropy at the masked
positions only (the vocabulary projection runs on ``[B, P]`` gathered positions, not on
``[B, L]``), averaged with ``masked_lm_weights`` over the whole global batch; plus the
NSP cross-entropy averaged over sequences. Packed rows (``cls_positions`` in the batch,
``bert_jax.data.packing``) have one NSP label per packed sequence, pooled at its own
[CLS] (as MLPerf's packed BERT), and the NSP loss is averaged over the real sequences
(``next_sentence_weights``). ``prepare_batch`` attaches the global masked-token and
sequence counts so that gradient accumulation gives exactly the full-batch loss.

Held-out evaluation: the data pipeline's eval split (documents no training batch ever
sees), one deterministic pass, MLM / NSP loss and accuracy summed over every example,
next to the accuracy of always predicting the most frequent token / label.
"""
from __future__ import annotations

from typing import Any, Mapping

import jax
import jax.numpy as jnp
import optax
from absl import logging
from etils import epath
from flax import nnx

from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.models import BertConfig, BertForPreTraining
from bert_jax.train import partitioning
from bert_jax.train.loop import TrainSpec
from bert_jax.train.mfu import bert_flops_per_token
from bert_jax.train import step as step_lib
from bert_jax.workdir import SHAPE_KEYS, TOKENIZER_DIR, write_model_files



# ----------------------------------------------------------------------------
# Model.
# ----------------------------------------------------------------------------
def model_config(config, vocab_size: int) -> BertConfig:
  """``config.model`` (``preset`` + BertConfig overrides; vocab_size 0 = the tokenizer's)."""
  m = dict(config.model)
  preset = m.pop('preset', 'base')
  overrides = {k: v for k, v in m.items() if v is not None}
  if not overrides.get('vocab_size'):
    overrides['vocab_size'] = int(vocab_size)
  try:
    return BertConfig.preset(preset, **overrides)
  except (TypeError, ValueError) as e:
    raise InputError(f'--config.model: {e}') from None


def _forward(model: BertForPreTraining, batch: Mapping[str, jax.Array], rng):
  mask = make_attention_mask(batch['attention_mask'], segment_ids=batch.get('segment_ids'))
  return model(batch['input_ids'], batch['token_type_ids'], mask,
               position_ids=batch.get('position_ids'),
               masked_positions=batch['masked_lm_positions'],
               cls_positions=batch.get('cls_positions'), rng=rng)


def nsp_weights(batch: Mapping[str, jax.Array]) -> jax.Array:
  """Weight of each NSP label: ``next_sentence_weights`` [B, S] (packed), else ones [B]."""
  if 'next_sentence_weights' in batch:
    return batch['next_sentence_weights'].astype(jnp.float32)
  return jnp.ones(batch['next_sentence_label'].shape, jnp.float32)


def _per_example(model, batch, rng):
  """Per-position / per-sequence losses and hits: (mlm_ce, mlm_hit [B, P], nsp_ce,
  nsp_hit [B], or [B, S] for packed rows)."""
  out = _forward(model, batch, rng)
  mlm_logits = out['mlm_logits']                      # [B, P, V] fp32
  ids = batch['masked_lm_ids']                        # [B, P]
  mlm_ce = optax.softmax_cross_entropy_with_integer_labels(mlm_logits, ids)
  mlm_hit = (jnp.argmax(mlm_logits, -1) == ids).astype(jnp.float32)
  nsp_logits = out['nsp_logits']                      # [B, 2] or [B, S, 2] fp32
  labels = batch['next_sentence_label']               # [B] or [B, S]
  nsp_ce = optax.softmax_cross_entropy_with_integer_labels(nsp_logits, labels)
  nsp_hit = (jnp.argmax(nsp_logits, -1) == labels).astype(jnp.float32)
  return mlm_ce, mlm_hit, nsp_ce, nsp_hit


# ----------------------------------------------------------------------------
# Loss.
# ----------------------------------------------------------------------------
def prepare_batch(batch: dict[str, jax.Array]) -> dict[str, jax.Array]:
  """Adds ``mlm_weight_per_row`` / ``nsp_weight_per_row`` [B]: the global batch's
  masked-token / NSP-sequence weight per row, so a microbatch of b rows normalises by b x
  that (= the full batch's normaliser / k)."""
  w = batch['masked_lm_weights'].astype(jnp.float32)  # [B, P]
  b = w.shape[0]
  per_row = lambda x: jnp.full((b,), jnp.sum(x) / b, jnp.float32)
  return {**batch, 'mlm_weight_per_row': per_row(w),
          'nsp_weight_per_row': per_row(nsp_weights(batch))}


def pretraining_loss(model: BertForPreTraining, batch: Mapping[str, jax.Array], rng=None):
  """``(mlm_loss + nsp_loss, metrics)``; MLM averaged over the weighted masked positions,
  NSP over the (weighted) sequences: every packed sequence counts."""
  mlm_ce, mlm_hit, nsp_ce, nsp_hit = _per_example(model, batch, rng)
  w = batch['masked_lm_weights'].astype(jnp.float32)   # [B, P]
  nsp_w = nsp_weights(batch)                            # [B] or [B, S]

  def normaliser(weights, key):  # the global batch's, when prepare_batch attached it
    return jnp.maximum(jnp.sum(batch[key]) if key in batch else jnp.sum(weights), 1e-5)

  denom, nsp_denom = normaliser(w, 'mlm_weight_per_row'), normaliser(nsp_w, 'nsp_weight_per_row')
  mlm_loss = jnp.sum(mlm_ce * w) / denom
  nsp_loss = jnp.sum(nsp_ce * nsp_w) / nsp_denom
  metrics = {'mlm_loss': mlm_loss, 'nsp_loss': nsp_loss,
             'mlm_accuracy': jnp.sum(mlm_hit * w) / denom,
             'nsp_accuracy': jnp.sum(nsp_hit * nsp_w) / nsp_denom}
  return mlm_loss + nsp_loss, metrics


def eval_sums(model: BertForPreTraining, batch: Mapping[str, jax.Array]) -> dict[str, jax.Array]:
  """Sums over one batch (deterministic): numerators and counts of the held-out metrics."""
  mlm_ce, mlm_hit, nsp_ce, nsp_hit = _per_example(model, batch, None)
  w = batch['masked_lm_weights'].astype(jnp.float32)
  nsp_w = nsp_weights(batch)
  return {'mlm_loss': jnp.sum(mlm_ce * w), 'mlm_accuracy': jnp.sum(mlm_hit * w),
          'mlm_count': jnp.sum(w), 'nsp_loss': jnp.sum(nsp_ce * nsp_w),
          'nsp_accuracy': jnp.sum(nsp_hit * nsp_w), 'nsp_count': jnp.sum(nsp_w)}


# ----------------------------------------------------------------------------
# Held-out evaluation.
# ----------------------------------------------------------------------------
class HeldOutEval:
  """``eval_fn(model, mesh)`` over the data pipeline's eval split, through the one eval
  step (``train.step.EvalStep``, compiled once)."""

  def __init__(self, dataset, *, max_batches: int = 0, rules=partitioning.RULES):
    self.dataset = dataset
    self.max_batches = int(max_batches)
    self.rules = rules
    self.baseline: dict[str, float] | None = None
    self._step: step_lib.EvalStep | None = None

  def batches(self):
    it = iter(self.dataset)
    try:
      for i, batch in enumerate(it):
        if self.max_batches and i >= self.max_batches:
          break
        yield batch
    finally:
      if hasattr(it, 'close'):
        it.close()

  def __call__(self, model: nnx.Module, mesh) -> dict[str, float]:
    from bert_jax.data import mlm_majority_baseline  # pylint: disable=g-import-not-at-top
    if self._step is None:
      self._step = step_lib.make_eval_step(model, predict_fn, mesh=mesh, rules=self.rules,
                                           name='heldout_eval')
    params = nnx.to_pure_dict(nnx.state(model))
    totals: dict[str, float] = {}
    host_batches = []
    for batch in self.batches():
      if self.baseline is None:
        host_batches.append(batch)
      placed = partitioning.shard_batch(batch, mesh, self.rules)  # this process's rows
      sums = jax.device_get(self._step(params, placed))
      for k, v in sums.items():
        totals[k] = totals.get(k, 0.0) + float(v)
    if not totals:
      raise InputError('the eval split gave no batch (eval batch size larger than the '
                       'held-out set?)')
    if self.baseline is None:
      self.baseline = mlm_majority_baseline(host_batches)
    mlm_n, nsp_n = max(totals['mlm_count'], 1.0), max(totals['nsp_count'], 1.0)
    out = {'mlm_loss': totals['mlm_loss'] / mlm_n, 'nsp_loss': totals['nsp_loss'] / nsp_n,
           'mlm_accuracy': totals['mlm_accuracy'] / mlm_n,
           'nsp_accuracy': totals['nsp_accuracy'] / nsp_n}
    out['loss'] = out['mlm_loss'] + out['nsp_loss']
    out.update(mlm_baseline_accuracy=self.baseline['mlm_accuracy'],
               nsp_baseline_accuracy=self.baseline['nsp_accuracy'],
               num_examples=totals['nsp_count'], num_predictions=totals['mlm_count'])
    return out


# ----------------------------------------------------------------------------
# The task interface (``bert_jax.tasks.TrainableTask``), as fine-tuning tasks have it.
# ----------------------------------------------------------------------------
NSP_CLASSES = 2


def make_model(model_cfg: BertConfig, cfg: Any, n_outputs: int, rngs: nnx.Rngs
               ) -> BertForPreTraining:
  """The encoder with the MLM head (tied to the word embeddings) and the NSP head."""
  del cfg
  if n_outputs != NSP_CLASSES:
    raise ValueError(f'pretraining has {NSP_CLASSES} NSP outputs, not {n_outputs}.')
  return BertForPreTraining(model_cfg, rngs=rngs)


def make_loss_fn(cfg: Any):
  """``pretraining_loss``: MLM + NSP (the same for every config)."""
  del cfg
  return pretraining_loss


def predict_fn(model: BertForPreTraining, batch: Mapping[str, jax.Array]) -> dict[str, jax.Array]:
  """``eval_sums``: the held-out evaluation's per-batch sums (deterministic)."""
  return eval_sums(model, batch)


def main_metric(cfg: Any) -> str:
  del cfg
  return 'mlm_accuracy'


def frozen_params(cfg: Any) -> str:
  """Nothing is frozen by pretraining itself (``optimizer.freeze`` still applies)."""
  del cfg
  return ''


# ----------------------------------------------------------------------------
# The spec (its workdir files: ``bert_jax.workdir.write_model_files``).
# ----------------------------------------------------------------------------
def _init_checkpoint(path: str, cfg: BertConfig):
  def load() -> dict[str, Any]:
    from bert_jax.workdir import load_pretrained  # pylint: disable=g-import-not-at-top
    pre = load_pretrained(path, scan_layers=cfg.scan_layers)
    diff = [k for k in SHAPE_KEYS if getattr(pre.config, k) != getattr(cfg, k)]
    if diff:
      raise InputError(f'init_checkpoint={path} has {diff[0]}={getattr(pre.config, diff[0])}, the '
                       f'configured model has {getattr(cfg, diff[0])}.')
    logging.info('initialising from %s (step %s)', pre.source, pre.step)
    return pre.params
  return load


def make_pretraining_spec(config, *, process_index: int | None = None,
                          process_count: int | None = None) -> TrainSpec:
  """The MLM + NSP ``TrainSpec`` of ``config`` (configs/pretrain.py): data, model, eval."""
  from bert_jax.data import make_pretrain_dataset, make_pretrain_iterator  # pylint: disable=g-import-not-at-top
  data = config.data
  init_checkpoint = config.get('init_checkpoint', '') or ''  # used unless the run resumes
  if init_checkpoint and not data.vocab:
    tok_dir = epath.Path(init_checkpoint) / TOKENIZER_DIR
    if tok_dir.is_dir():
      data = data.copy_and_resolve_references()
      data.vocab = str(tok_dir)
  train_iter, tokenizer = make_pretrain_iterator(
      data, global_batch_size=int(config.global_batch_size), seed=int(config.seed),
      split='train', process_index=process_index, process_count=process_count)
  cfg = model_config(config, tokenizer.vocab_size)
  if int(data.max_seq_length) > cfg.max_position_embeddings:
    raise InputError(f'data.max_seq_length={data.max_seq_length} exceeds '
                     f'model.max_position_embeddings={cfg.max_position_embeddings}.')
  if tokenizer.vocab_size > cfg.vocab_size:
    raise InputError(f'the tokenizer has {tokenizer.vocab_size} tokens, model.vocab_size is '
                     f'{cfg.vocab_size}.')
  rules = partitioning.rules_from_config(config.mesh.get('rules'))
  eval_fn = None
  if config.get('eval', True):
    eval_ds, _ = make_pretrain_dataset(
        data, global_batch_size=int(config.get('eval_batch_size', 0) or config.global_batch_size),
        seed=int(config.seed), split='eval', process_index=process_index,
        process_count=process_count, tokenizer=tokenizer)
    eval_fn = HeldOutEval(eval_ds, max_batches=int(config.get('eval_batches', 0)), rules=rules)
  return TrainSpec(
      name='pretraining',
      build_model=lambda rngs: make_model(cfg, config, NSP_CLASSES, rngs),
      loss_fn=make_loss_fn(config),
      train_iter=train_iter,
      eval_fn=eval_fn,
      init_params=_init_checkpoint(init_checkpoint, cfg) if init_checkpoint else None,
      prepare_batch=prepare_batch,
      write_files=lambda workdir: write_model_files(workdir, cfg, tokenizer=tokenizer),
      flops_per_token=bert_flops_per_token(cfg, int(data.max_seq_length),
                                           int(data.max_predictions_per_seq)),
      portable_data_iter=str(data.get('process_split', 'batches')) == 'batches',
  )


__all__ = ['HeldOutEval', 'eval_sums', 'frozen_params', 'main_metric', 'make_loss_fn',
           'make_model', 'make_pretraining_spec', 'model_config', 'nsp_weights',
           'predict_fn', 'prepare_batch', 'pretraining_loss']
