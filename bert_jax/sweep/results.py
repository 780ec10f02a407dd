"""A sweep's results: ``DIR/results.csv``, the table (mean +- std over seeds per setting,
sorted by the main metric, best named) and ``DIR/results.png`` (metric vs each swept value,
one point per seed).

The metrics of a trial are those of its workdir: a fine-tuning trial's ``best.json`` (every
dev metric of the best checkpoint; its ``metric`` is the main one), a pretraining trial's
last row of ``eval_metrics.jsonl`` (main metric: held-out ``mlm_accuracy``).
"""
from __future__ import annotations

import csv
import io
import math
from typing import Any, Sequence

from etils import epath

from bert_jax import workdir
from bert_jax.sweep.grid import Trial, fmt

PRETRAIN_METRIC = 'mlm_accuracy'
RESULTS_CSV = 'results.csv'
RESULTS_PNG = 'results.png'


def trial_metrics(trial_dir: epath.Path) -> tuple[str | None, dict[str, float]]:
  """(main metric name, {metric: value}) of a trial's workdir; (None, {}) before any eval."""
  b = workdir.read_best(trial_dir)
  if b:
    return b.get('metric'), {k: v for k, v in (b.get('metrics') or {}).items()
                             if isinstance(v, (int, float))}
  rows = workdir.read_eval_metrics(trial_dir)
  if rows:
    return PRETRAIN_METRIC, {k: v for k, v in rows[-1].items()
                             if k != 'step' and isinstance(v, (int, float))}
  return None, {}


def collect(trials: Sequence[Trial], root: epath.Path, records: dict[str, dict[str, Any]]
            ) -> tuple[str | None, list[dict[str, Any]]]:
  """One row per trial (name, swept keys, seed, status, wall time, metrics)."""
  main, rows = None, []
  for t in trials:
    rec = records.get(t.name, {})
    name, metrics = trial_metrics(root / 'trials' / t.name)
    main = main or name
    row = {'trial': t.name, **t.overrides, 'status': rec.get('status', 'not run'),
           'wall_time_s': round(float(rec.get('wall_time', 0.0)), 1)}
    row.update(metrics if rec.get('status') == 'completed' else {})
    rows.append(row)
  return main, rows


def write_csv(path: epath.Path, rows: list[dict[str, Any]]) -> None:
  columns: list[str] = []
  for r in rows:
    columns += [k for k in r if k not in columns]
  buf = io.StringIO()
  w = csv.DictWriter(buf, fieldnames=columns)
  w.writeheader()
  for r in rows:
    w.writerow({k: fmt(v) if isinstance(v, (bool, float)) else v for k, v in r.items()})
  path.write_text(buf.getvalue())


def summary(rows: list[dict[str, Any]], trials: Sequence[Trial], keys: Sequence[str],
            main: str | None) -> tuple[str, str | None]:
  """The table (settings sorted by mean main metric, best first) and the best setting."""
  if main is None:
    return 'no trial has metrics yet.', None
  by_setting: dict[str, list[float]] = {}
  values: dict[str, dict[str, Any]] = {}
  for t, r in zip(trials, rows):
    values.setdefault(t.setting, {k: t.overrides.get(k) for k in keys})
    if r['status'] == 'completed' and isinstance(r.get(main), (int, float)):
      by_setting.setdefault(t.setting, []).append(float(r[main]))
    else:
      by_setting.setdefault(t.setting, [])
  stats = []
  for setting, xs in by_setting.items():
    mean = sum(xs) / len(xs) if xs else -math.inf
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    stats.append((mean, std, len(xs), setting))
  stats.sort(key=lambda s: -s[0])
  head = [*keys, f'{main} (mean +- std)', 'seeds']
  lines = [[*(fmt(values[s][k]) for k in keys),
            f'{m:.4f} +- {sd:.4f}' if n else 'n/a', str(n)] for m, sd, n, s in stats]
  widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
  out = ['  '.join(h.ljust(w) for h, w in zip(head, widths))]
  out += ['  '.join(c.ljust(w) for c, w in zip(l, widths)) for l in lines]
  best = stats[0] if stats and stats[0][2] else None
  best_text = None
  if best is not None:
    best_text = (', '.join(f'{k}={fmt(values[best[3]][k])}' for k in keys) or 'base') + \
        f': {main} {best[0]:.4f} +- {best[1]:.4f} over {best[2]} seed(s)'
  return '\n'.join(out), best_text


def plot(path: epath.Path, rows: list[dict[str, Any]], keys: Sequence[str], main: str | None
         ) -> bool:
  """``results.png``: for each swept key, the main metric of every completed trial against
  its value (one point per seed). False when nothing is plotted."""
  done = [r for r in rows if r['status'] == 'completed' and isinstance(r.get(main), (int, float))]
  if main is None or not done or not keys:
    return False
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  from matplotlib import pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2), squeeze=False)
  for ax, key in zip(axes[0], keys):
    levels = sorted({r[key] for r in rows if key in r}, key=lambda v: (str(type(v)), v))
    pos = {v: i for i, v in enumerate(levels)}
    xs = [pos[r[key]] for r in done]
    ax.scatter(xs, [r[main] for r in done], alpha=0.8)
    ax.set_xticks(range(len(levels)), [fmt(v) for v in levels])
    ax.set_xlabel(key)
    ax.set_ylabel(main)
    ax.grid(alpha=0.3)
  fig.tight_layout()
  buf = io.BytesIO()
  fig.savefig(buf, format='png', dpi=100)
  plt.close(fig)
  path.write_bytes(buf.getvalue())
  return True
