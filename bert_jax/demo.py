r"""The fine-tuning half of the README demo: one head of each kind from one checkpoint.

  python -m bert_jax.demo --init_checkpoint=/tmp/bert_demo/pretrain --workdir=/tmp/bert_demo/ft

Fine-tunes, on the small real sets shipped in ``bert_jax/resources/finetune`` (offline):
classification (``sentiment`` / Korean ``ko_news_topic``), span extraction (``squad_en`` /
``squad_ko``, SQuAD v2.0 with the null-threshold search) and tagging (``ner_en`` /
``ner_ko``, entity F1), each through ``python -m bert_jax.finetune`` machinery, then prints
the dev scores. The language follows the checkpoint's vocabulary (Hangul-heavy -> Korean)
unless ``--lang`` says otherwise. ``--baseline`` also trains each head from random init
(same architecture and tokenizer) and prints both, which is what the README table shows.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Sequence

from bert_jax.errors import report_errors

EXPERIMENTS = pathlib.Path(__file__).resolve().parent.parent / 'experiments'
JOBS = {  # lang: [(head kind, experiment file, arg)]
    'en': [('classification', 'classification.py', 'sentiment'),
           ('span', 'squad.py', 'squad_en'),
           ('tagging', 'ner.py', 'ner_en')],
    'ko': [('classification', 'classification.py', 'ko_news_topic'),
           ('span', 'squad.py', 'squad_ko'),
           ('tagging', 'ner.py', 'ner_ko')],
}


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
  from bert_jax.convert import load_pretrained  # pylint: disable=g-import-not-at-top
  from bert_jax.convert.pretrained import quiet_load_tokenizer  # pylint: disable=g-import-not-at-top
  from bert_jax.tokenization.common import HANGUL_SYLLABLE_RE  # pylint: disable=g-import-not-at-top
  pre = load_pretrained(init_checkpoint)
  if not pre.tokenizer_path:
    return 'en'
  tok = quiet_load_tokenizer(pre.tokenizer_path)
  pieces = tok.convert_ids_to_tokens(range(tok.vocab_size))
  hangul = sum(bool(HANGUL_SYLLABLE_RE.search(p)) for p in pieces)
  return 'ko' if hangul >= 0.2 * len(pieces) else 'en'


def run_demo(init_checkpoint: str, workdir: str | pathlib.Path, *, lang: str = 'auto',
             baseline: bool = False, overrides: dict | None = None,
             heads: Sequence[str] = ('classification', 'span', 'tagging'),
             verbose: bool = True) -> dict[str, dict[str, float]]:
  """Fine-tunes one head of each kind; returns ``{'<head>[/random]': dev metrics}``."""
  from bert_jax import finetune  # pylint: disable=g-import-not-at-top
  workdir = pathlib.Path(workdir)
  if lang == 'auto':
    lang = guess_language(init_checkpoint)
  results = {}
  for kind, experiment, arg in JOBS[lang]:
    if kind not in heads:
      continue
    for random_init in ((False, True) if baseline else (False,)):
      cfg = load_experiment(experiment, arg)
      cfg.init_checkpoint = str(init_checkpoint)
      cfg.random_init = random_init
      for key, value in (overrides or {}).items():
        cfg.update_from_flattened_dict({key: value})
      name = f'{kind}/random' if random_init else kind
      out = workdir / f'{arg}{"_random" if random_init else ""}'
      metrics = finetune.run(cfg, out, verbose=verbose)
      results[name] = metrics
      if verbose:
        print(f'demo: {name} ({arg}) dev {finetune.format_metrics(metrics)}', flush=True)
  return results


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
  parser = argparse.ArgumentParser(prog='python -m bert_jax.demo', description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument('--init_checkpoint', required=True,
                      help='pretraining workdir, step dir, model export or HF directory')
  parser.add_argument('--workdir', required=True, help='one fine-tuning workdir per head goes here')
  parser.add_argument('--lang', choices=('auto', 'en', 'ko'), default='auto')
  parser.add_argument('--baseline', action='store_true',
                      help='also fine-tune each head from random init and print both')
  parser.add_argument('--num_epochs', type=float, default=None,
                      help='override every experiment\'s num_epochs')
  parser.add_argument('--learning_rate', type=float, default=None,
                      help='override every experiment\'s learning_rate (the experiments '
                      'carry the BERT paper\'s 2e-5..5e-5 for BERT-base; a BERT-tiny '
                      'checkpoint wants ~1e-3)')
  args = parser.parse_args(argv)
  overrides = {k: v for k, v in (('num_epochs', args.num_epochs),
                                 ('learning_rate', args.learning_rate)) if v is not None}
  results = run_demo(args.init_checkpoint, args.workdir, lang=args.lang,
                     baseline=args.baseline, overrides=overrides)
  print(json.dumps(results, indent=2))
  return 0


if __name__ == '__main__':
  sys.exit(main())
