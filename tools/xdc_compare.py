r"""BERT-XDC vs a plain [CLS] classifier vs HAN on the shipped news-topic documents.

  nice -n 10 python tools/xdc_compare.py --workdir=runs/xdc_compare          # ko and en
  python tools/xdc_compare.py --workdir=runs/xdc_compare --langs=en \
      --checkpoint_en=PATH      # e.g. a BERT you have (HF directory, bert_jax workdir)

For each language, the three models of ``experiments/xdc.py`` (``xdc``, ``cls``, ``han``)
are fine-tuned by ``bert_jax.finetune`` on the same features over ``--seeds`` and the dev
accuracy is printed as mean +- sample std. dev. per model. Without ``--checkpoint_LANG``
the encoder is a BERT-tiny (2 layers, 128 hidden) pretrained here by bert_jax for
``--pretrain_steps`` steps: on the konlpy Korean corpus (ko) or the embedded English
corpus (en). HAN uses only the checkpoint's tokenizer. Re-running reuses finished runs
(``WORKDIR/results.jsonl``).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = {'xdc': 'BERT-XDC (conv + word/sentence attention)', 'cls': '[CLS] classifier',
          'han': 'HAN (BiGRU, no BERT)'}
LANGS = {'ko': ('ko_news_topic', 'konlpy_ko'), 'en': ('en_news_topic', 'embedded')}


def pretrain(workdir: pathlib.Path, corpus: str, steps: int) -> pathlib.Path:
  """A BERT-tiny pretrained by bert_jax on ``corpus`` (resumed / reused if there)."""
  sys.path.insert(0, str(ROOT / 'configs'))
  import pretrain as pretrain_configs  # pylint: disable=g-import-not-at-top
  from bert_jax.train import loop  # pylint: disable=g-import-not-at-top
  from bert_jax.train.pretraining import make_pretraining_spec  # pylint: disable=g-import-not-at-top
  config = pretrain_configs.get_config('tiny')
  config.data.corpus = corpus
  config.data.max_seq_length = 64
  config.data.max_predictions_per_seq = 10
  config.model.max_position_embeddings = 64
  config.num_train_steps = steps
  config.checkpoint_every_steps = steps
  config.optimizer.warmup_steps = max(1, steps // 10)
  config.log_every_steps = max(1, steps // 4)
  config.eval = False
  config.progress_bar = False
  result = loop.train(config, workdir, make_pretraining_spec(config))
  print(f'pretrained {workdir} on {corpus}: step {result.step}', flush=True)
  return workdir


def finetune_once(lang: str, model: str, seed: int, checkpoint: str, workdir: pathlib.Path,
                  overrides: dict) -> dict:
  from bert_jax.tasks import driver  # pylint: disable=g-import-not-at-top
  from bert_jax.tasks.demo_runs import load_experiment  # pylint: disable=g-import-not-at-top
  cfg = load_experiment('xdc.py', f'{LANGS[lang][0]},{model}')
  cfg.init_checkpoint, cfg.seed, cfg.progress_bar = checkpoint, seed, False
  cfg.eval_every_epochs = cfg.num_epochs  # evaluate once, at the end
  cfg.update_from_flattened_dict(overrides)
  t0 = time.time()
  # train() evaluates on dev at the end and records the best checkpoint's metrics
  # (driver.run would restore it and evaluate once more: same numbers, more compiles).
  metrics = driver.train(driver.prepare(cfg, workdir), workdir, verbose=False)['metrics']
  return {'lang': lang, 'model': model, 'seed': seed, 'checkpoint': checkpoint,
          'accuracy': metrics['accuracy'], 'macro_f1': metrics['macro_f1'],
          'seconds': round(time.time() - t0, 1)}


def table(rows: list[dict], langs: list[str]) -> str:
  def cell(lang, model):
    acc = [r['accuracy'] for r in rows if r['lang'] == lang and r['model'] == model]
    if not acc:
      return '-'
    sd = statistics.stdev(acc) if len(acc) > 1 else 0.0
    return f'{100 * statistics.mean(acc):.1f} +- {100 * sd:.1f} (n={len(acc)})'
  head = '| model | ' + ' | '.join(f'{LANGS[l][0]} dev accuracy %' for l in langs) + ' |'
  lines = [head, '|' + '---|' * (len(langs) + 1)]
  for m, desc in MODELS.items():
    lines.append(f'| {desc} | ' + ' | '.join(cell(l, m) for l in langs) + ' |')
  return '\n'.join(lines)


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog=__doc__.split('\n\n', 1)[1])
  p.add_argument('--workdir', required=True, help='all runs and results.jsonl go here')
  p.add_argument('--langs', default='ko,en', help='comma-separated: ko, en')
  p.add_argument('--models', default=','.join(MODELS), help='comma-separated: xdc, cls, han')
  p.add_argument('--seeds', default='0,1,2', help='fine-tuning seeds (init, dropout, order)')
  p.add_argument('--pretrain_steps', type=int, default=400,
                 help='steps of the BERT-tiny pretrained when no --checkpoint_LANG is given')
  p.add_argument('--checkpoint_ko', default='', help='encoder for Korean (default: pretrain)')
  p.add_argument('--checkpoint_en', default='', help='encoder for English (default: pretrain)')
  p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                 help='fine-tuning config override for every run, e.g. num_epochs=2')
  args = p.parse_args(argv)
  langs = [l for l in args.langs.split(',') if l]
  bad = [l for l in langs if l not in LANGS] + [
      m for m in args.models.split(',') if m not in MODELS]
  if bad:
    print(f'error: unknown --langs/--models value(s) {bad}; expected {list(LANGS)} / '
          f'{list(MODELS)}.', file=sys.stderr)
    return 2
  overrides = {}
  for kv in args.set:
    k, _, v = kv.partition('=')
    overrides[k] = json.loads(v) if v[:1] in '0123456789-[{tf' and v not in ('true', 'false') \
        else {'true': True, 'false': False}.get(v, v)
  work = pathlib.Path(args.workdir).absolute()
  work.mkdir(parents=True, exist_ok=True)
  results = work / 'results.jsonl'
  rows = [json.loads(l) for l in results.read_text().splitlines()] if results.is_file() else []
  done = {(r['lang'], r['model'], r['seed']) for r in rows}
  for lang in langs:
    checkpoint = getattr(args, f'checkpoint_{lang}') or str(
        pretrain(work / f'pretrain_{lang}', LANGS[lang][1], args.pretrain_steps))
    for seed in (int(s) for s in args.seeds.split(',')):  # seed-major: partial runs compare
      for model in args.models.split(','):
        if (lang, model, seed) in done:
          continue
        row = finetune_once(lang, model, seed, checkpoint, work / f'{lang}_{model}_{seed}',
                            overrides)
        print(json.dumps(row), flush=True)
        rows.append(row)
        with open(results, 'a', encoding='utf-8') as f:
          f.write(json.dumps(row) + '\n')
  print(table(rows, langs))
  return 0


if __name__ == '__main__':
  sys.exit(main())
