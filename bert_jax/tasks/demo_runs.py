r"""The fine-tuning half of the README demo: one head of each kind from one checkpoint.
``python -m bert_jax.demo`` is its command line (``run_demo`` + ``report``).

Fine-tunes, on the small real sets shipped in ``bert_jax/resources/finetune`` (offline):
classification (``sentiment`` / Korean ``ko_news_topic``), span extraction (``squad_en`` /
``squad_ko``, SQuAD v2.0 with the null-threshold search) and tagging (``ner_en`` /
``ner_ko``, entity F1), each through ``bert_jax.tasks.driver.run``, then prints
the dev scores. The language follows the checkpoint's vocabulary (Hangul-heavy -> Korean)
unless ``--lang`` says otherwise. ``--baseline`` also trains each head from random init
(same architecture and tokenizer) and prints both, which is what the README table shows.
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
from typing import Sequence

from bert_jax.tasks import driver
from bert_jax.tasks.config import main_metric


EXPERIMENTS = pathlib.Path(__file__).resolve().parents[2] / 'experiments'
JOBS = {  # lang: [(head kind, experiment file, arg)]
    'en': [('classification', 'classification.py', 'sentiment'),
           ('span', 'squad.py', 'squad_en'),
           ('tagging', 'ner.py', 'ner_en')],
    'ko': [('classification', 'classification.py', 'ko_news_topic'),
           ('span', 'squad.py', 'squad_ko'),
           ('tagging', 'ner.py', 'ner_ko')],
}
# Per-set settings of the demo, under the user's overrides. squad_en's own default is seq 160
# (whole paragraphs, for a MiniLM-sized reader); the demo's BERT-tiny is pretrained at 128
# positions. Epochs: 10 for the classifier and the tagger (the tagger's gain from pretraining
# shows after ~10, not at 5: README); 4 for the reader, which stays at the all-null score from
# either start at 4 and at 10 epochs, and whose 10 epochs were a third of the demo's time.
DEMO_SETTINGS = {'sentiment': {'num_epochs': 10.0}, 'ner_en': {'num_epochs': 10.0},
                 'squad_en': {'data.max_seq_length': 128, 'num_epochs': 4.0}}


def enable_compilation_cache(workdir: str | pathlib.Path) -> str:
  """Turns on JAX's persistent compilation cache in ``workdir/jax_cache`` unless one is
  configured (``JAX_COMPILATION_CACHE_DIR``); returns the directory in use. The demo's runs
  of one head share their shapes, so every run after the first loads its train and eval
  steps instead of compiling them (~7 s a run on 2 CPU cores)."""
  import jax  # pylint: disable=g-import-not-at-top
  if not jax.config.jax_compilation_cache_dir:
    jax.config.update('jax_compilation_cache_dir', str(pathlib.Path(workdir) / 'jax_cache'))
    jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.0)
  return jax.config.jax_compilation_cache_dir


def load_experiment(name: str, arg: str):
  """``get_config(arg)`` of ``experiments/<name>`` (as ``--config=experiments/name:arg``)."""
  import importlib.util  # pylint: disable=g-import-not-at-top
  path = EXPERIMENTS / name
  spec = importlib.util.spec_from_file_location(f'experiments_{path.stem}', path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config(arg)


def guess_language(init_checkpoint: str) -> str:
  """'ko' when at least 20 % of the checkpoint's vocabulary contains Hangul, else 'en'."""
  from bert_jax.workdir import load_pretrained  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.pretrained import quiet_load_tokenizer  # pylint: disable=g-import-not-at-top
  from bert_jax.tokenization.common import HANGUL_SYLLABLE_RE  # pylint: disable=g-import-not-at-top
  pre = load_pretrained(init_checkpoint)
  if not pre.tokenizer_path:
    return 'en'
  tok = quiet_load_tokenizer(pre.tokenizer_path)
  pieces = tok.convert_ids_to_tokens(range(tok.vocab_size))
  hangul = sum(bool(HANGUL_SYLLABLE_RE.search(p)) for p in pieces)
  return 'ko' if hangul >= 0.2 * len(pieces) else 'en'


def job_config(experiment: str, arg: str, init_checkpoint: str, *, random_init: bool,
               seed: int, overrides: dict | None = None):
  """The config of one demo run: the experiment's, Hugging Face's recipe, the demo's
  ``DEMO_SETTINGS`` for the set, then the user's ``overrides`` (which win)."""
  cfg = load_experiment(experiment, arg)
  cfg.init_checkpoint = str(init_checkpoint)
  cfg.random_init = random_init
  cfg.seed = int(seed)
  # The demo's README figures were measured with Hugging Face's recipe (bias-corrected
  # Adam, decay after warmup); `python -m bert_jax.demo --recipe=bert`
  # (optimizer.recipe) gives google-research/bert's.
  cfg.optimizer.recipe = 'hf'
  for key, value in {**DEMO_SETTINGS.get(arg, {}), **(overrides or {})}.items():
    cfg.update_from_flattened_dict({key: value})
  return cfg


def run_demo(init_checkpoint: str, workdir: str | pathlib.Path, *, lang: str = 'auto',
             baseline: bool = False, overrides: dict | None = None,
             heads: Sequence[str] = ('classification', 'span', 'tagging'),
             seeds: Sequence[int] = (0,), verbose: bool = True) -> dict[str, list[dict]]:
  """Fine-tunes one head of each kind once per seed (``cfg.seed``: init of the head,
  dropout, data order); returns ``{'<head>[/random]': [dev metrics of each seed]}``.
  Workdirs: ``workdir/<arg>[_random]_seed<k>``."""
  workdir = pathlib.Path(workdir)
  if lang == 'auto':
    lang = guess_language(init_checkpoint)
  results = {}
  for kind, experiment, arg in JOBS[lang]:
    if kind not in heads:
      continue
    for random_init in ((False, True) if baseline else (False,)):
      name = f'{kind}/random' if random_init else kind
      results[name] = []
      for seed in seeds:
        cfg = job_config(experiment, arg, init_checkpoint, random_init=random_init, seed=seed,
                         overrides=overrides)
        metrics = driver.run(cfg, workdir / run_name(arg, random_init, seed), verbose=verbose)
        metrics = {'arg': arg, 'metric': main_metric(cfg), 'seed': int(seed), **metrics}
        results[name].append(metrics)
        if verbose:
          print(f'demo: {name} ({arg}, seed {seed}) dev {driver.format_metrics(metrics)}',
                flush=True)
  return results


def run_name(arg: str, random_init: bool, seed: int) -> str:
  return f'{arg}{"_random" if random_init else ""}_seed{seed}'


def mean_std(values: Sequence[float]) -> tuple[float, float]:
  """Mean and sample standard deviation (ddof=1; 0 for a single value)."""
  n = len(values)
  mean = sum(values) / n
  var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
  return mean, var ** 0.5


def results_table(results: dict[str, list[dict]]) -> str:
  """The README table: each head pretrained vs random init, mean +- std over the seeds,
  and whether the gap exceeds the spread (difference of means > the sum of the stds)."""
  lines = ['| head (shipped set) | dev metric (0-100) | pretrained (mean ± std) | random init '
           '(mean ± std) | difference | beyond the seed spread? |',
           '|---|---|---|---|---|---|']
  for name, runs in results.items():
    if name.endswith('/random') or f'{name}/random' not in results:
      continue
    base = results[f'{name}/random']
    metric, arg = runs[0]['metric'], runs[0]['arg']
    scale = 100.0 if max(r[metric] for r in runs + base) <= 1.0 else 1.0  # all in points
    (m1, s1), (m0, s0) = (mean_std([scale * r[metric] for r in rs]) for rs in (runs, base))
    verdict = ('? (one seed: no spread to compare with)' if min(len(runs), len(base)) < 2 else
               '**yes**, pretraining helps' if m1 - m0 > s1 + s0 else
               'no, it hurts' if m0 - m1 > s1 + s0 else 'no (within the spread)')
    lines.append(f'| {name} (`{arg}`) | {metric} | {m1:.1f} ± {s1:.1f} | {m0:.1f} ± '
                 f'{s0:.1f} | {m1 - m0:+.1f} | {verdict} |')
  n = len(next(iter(results.values()), []))
  lines.append(f'\n({n} fine-tuning seeds each; std is the sample standard deviation.)')
  return '\n'.join(lines)


def serve_command(workdir: str | pathlib.Path, lang: str, seed: int) -> str:
  """The command that opens the web app on the seed-``seed`` pretrained models."""
  args = {kind: arg for kind, _, arg in JOBS[lang]}
  workdir = pathlib.Path(workdir)
  python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else 'python'
  return (f'{python} -m bert_jax.serve --classifier={workdir / run_name(args["classification"], False, seed)} '
          f'--reader={workdir / run_name(args["span"], False, seed)}')


def report(results: dict[str, list[dict]], workdir: str | pathlib.Path, lang: str, *,
           baseline: bool) -> None:
  """Writes ``workdir/results.json`` and prints the dev scores (the README table with
  ``baseline``) and the command that serves the models just trained."""
  workdir = pathlib.Path(workdir)
  (workdir / 'results.json').write_text(json.dumps(results, indent=2) + '\n', encoding='utf-8')
  print(f'\ndemo: dev scores (all runs: {workdir / "results.json"}):\n')
  if baseline:
    print(results_table(results))
  else:
    for name, runs in results.items():
      metric = runs[0]['metric']
      mean, std = mean_std([r[metric] for r in runs])
      print(f'{name} ({runs[0]["arg"]}): {metric} {mean:.4f} ± {std:.4f}')
  print('\nOpen the web app on the models just trained (then http://127.0.0.1:8080/):\n'
        f'  {serve_command(workdir.absolute(), lang, 0)}', flush=True)
