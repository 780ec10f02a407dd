"""Where training metrics go: ``W/metrics.jsonl``, TensorBoard under ``W/tb/``, a progress bar.

  writer = MetricsWriter(workdir, total_steps=1000, initial_step=0)
  writer.write(step, {'loss': 2.3, ...})          # one JSON line + TensorBoard scalars
  writer.write(step, {'mlm_accuracy': .4}, kind='eval')   # -> W/eval_metrics.jsonl, 'eval/'
  writer.advance(step)                            # progress bar (with ETA) only
  writer.close()

Only process 0 writes. A resumed run first drops the lines of steps after the restored
one (those steps are about to run again and be logged again with the same values), so
each file holds one line per logged step.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any, Mapping

import jax
from etils import epath

from bert_jax.workdir import EVAL_METRICS_FILE, METRICS_FILE, TB_DIR, PathLike, is_local
_BAR_KEYS = ('loss', 'mlm_accuracy', 'nsp_accuracy', 'tokens_per_sec', 'mfu')


def _clean(v: Any) -> Any:
  """JSON value: floats stay exact (repr), NaN/inf -> None (valid JSON)."""
  if hasattr(v, 'item'):
    v = v.item()
  if isinstance(v, float) and not math.isfinite(v):
    return None
  return v


def truncate_after(path: epath.Path, step: int) -> None:
  """Keeps the lines of ``path`` with ``step <= step`` (and any unparsable line)."""
  if not path.is_file():
    return
  kept = []
  for line in path.read_text(encoding='utf-8').splitlines():
    try:
      if int(json.loads(line).get('step', -1)) > step:
        continue
    except (ValueError, AttributeError, TypeError):
      pass
    kept.append(line)
  path.write_text(''.join(f'{line}\n' for line in kept), encoding='utf-8')


class _JsonlAppender:
  """Appends lines to a local file, or (a bucket object cannot be appended to) rewrites a
  bucket file with every line so far: each write is visible at once either way."""

  def __init__(self, path: epath.Path):
    self.path = path
    self._local = is_local(path)
    if self._local:
      self._f = path.open('a')
    else:
      self._text = path.read_text() if path.exists() else ''

  def append(self, line: str) -> None:
    if self._local:
      self._f.write(line)
      self._f.flush()
    else:
      self._text += line
      self.path.write_text(self._text)

  def close(self) -> None:
    if self._local:
      self._f.close()


class MetricsWriter:
  """JSONL + TensorBoard + tqdm progress with ETA (see module doc)."""

  def __init__(self, workdir: PathLike, *, total_steps: int, initial_step: int = 0,
               progress: bool = True, tensorboard: bool = True, desc: str = 'train'):
    self.enabled = jax.process_index() == 0
    self.workdir = epath.Path(workdir)
    self._tb = None
    self._bar = None
    if not self.enabled:
      return
    self.workdir.mkdir(parents=True, exist_ok=True)
    for name in (METRICS_FILE, EVAL_METRICS_FILE):
      truncate_after(self.workdir / name, initial_step)
    self._files = {'train': _JsonlAppender(self.workdir / METRICS_FILE),
                   'eval': _JsonlAppender(self.workdir / EVAL_METRICS_FILE)}
    if tensorboard:
      from tensorboardX import SummaryWriter  # pylint: disable=g-import-not-at-top
      self._tb = SummaryWriter(str(self.workdir / TB_DIR), purge_step=initial_step + 1)
    if progress:
      from tqdm import tqdm  # pylint: disable=g-import-not-at-top
      tty = sys.stderr.isatty()
      self._bar = tqdm(total=total_steps, initial=initial_step, desc=desc, unit='step',
                       dynamic_ncols=True, mininterval=0.5 if tty else 30.0, file=sys.stderr,
                       smoothing=0.1)

  def write(self, step: int, metrics: Mapping[str, Any], *, kind: str = 'train') -> None:
    if not self.enabled:
      return
    row = {'step': int(step)}
    row.update({k: _clean(v) for k, v in metrics.items()})
    self._files[kind].append(json.dumps(row) + '\n')
    if self._tb is not None:
      prefix = '' if kind == 'train' else f'{kind}/'
      for k, v in row.items():
        if k != 'step' and isinstance(v, (int, float)) and not isinstance(v, bool):
          self._tb.add_scalar(prefix + k, v, int(step))
      self._tb.flush()
    if self._bar is not None and kind == 'train':
      post = {k: row[k] for k in _BAR_KEYS if isinstance(row.get(k), (int, float))}
      self._bar.set_postfix({k: f'{v:.4g}' for k, v in post.items()}, refresh=False)

  def advance(self, step: int) -> None:
    if self._bar is not None and step > self._bar.n:
      self._bar.update(step - self._bar.n)

  def message(self, text: str) -> None:
    """A line of text that does not break the progress bar."""
    if not self.enabled:
      return
    if self._bar is not None:
      self._bar.write(text, file=sys.stderr)
    else:
      print(text, file=sys.stderr, flush=True)

  def close(self) -> None:
    if not self.enabled:
      return
    if self._bar is not None:
      self._bar.close()
      self._bar = None
    if self._tb is not None:
      self._tb.close()
      self._tb = None
    for f in self._files.values():
      f.close()
