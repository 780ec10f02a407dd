"""Requests queued and batched onto one compiled forward, fairly.

A request to a served model becomes ``n`` windows (rows of fixed-shape arrays): one for a
short text, hundreds for a long document. ``Batcher`` owns the model's forward pass in one
worker thread. Each forward takes at most ``batch_size`` rows, chosen **round-robin over
the queued requests** (one row of each in turn, in arrival order), so a request that needs
one window rides in the next forward whatever else is queued: a client sending long
documents slows a short request by about one forward, never by the whole document (what a
single lock around the model did). Rows of different requests share a forward (more
throughput under load); each request gets back exactly its own rows, in order.

The forward (``run_batch``) is called with ``1 <= rows <= batch_size`` rows and returns a
dict of arrays with the same leading dimension (``tasks.predictor.Predictor`` pads to its
fixed batch, so one compile serves every batch). An exception in it fails the requests whose
rows were in that forward, not the worker.

Assumption: rows are independent (a window's outputs depend on that window only), true of
the ``[CLS]`` classifier and the span reader. A model whose forward couples the windows of
one document must not be fed through this round-robin; it needs a request's rows kept in
one forward.
"""
from __future__ import annotations

import collections
import dataclasses
import threading
from typing import Callable

import numpy as np

Arrays = dict[str, np.ndarray]


@dataclasses.dataclass(eq=False)
class _Job:
  arrays: Arrays
  rows: int
  next_row: int = 0  # the next row to put into a forward
  filled: int = 0    # rows whose outputs came back
  outputs: list | None = None
  error: BaseException | None = None
  done: threading.Event = dataclasses.field(default_factory=threading.Event)


class Batcher:
  """``batcher(arrays) -> outputs``: thread-safe; blocks until the rows are computed."""

  def __init__(self, run_batch: Callable[[Arrays], Arrays], batch_size: int,
               name: str = 'model'):
    if batch_size < 1:
      raise ValueError(f'batch_size={batch_size}; expected >= 1.')
    self.batch_size = batch_size
    self.forwards = 0          # forward passes run (for tests and the benchmark)
    self.max_requests_per_forward = 0
    self._run_batch = run_batch
    self._queue: collections.deque[_Job] = collections.deque()
    self._cond = threading.Condition()
    self._thread = threading.Thread(target=self._loop, name=f'batcher-{name}', daemon=True)
    self._thread.start()

  def __call__(self, arrays: Arrays) -> Arrays:
    rows = len(next(iter(arrays.values())))
    if rows == 0:
      raise ValueError('no rows to run.')
    job = _Job(arrays, rows, outputs=[None] * rows)
    with self._cond:
      self._queue.append(job)
      self._cond.notify()
    job.done.wait()
    if job.error is not None:
      raise job.error
    return {k: np.stack([row[k] for row in job.outputs]) for k in job.outputs[0]}

  def _take(self) -> list[tuple[_Job, int]]:
    """Up to ``batch_size`` (job, row): one row of each queued job in turn."""
    with self._cond:
      while not self._queue:
        self._cond.wait()
      picks: list[tuple[_Job, int]] = []
      while len(picks) < self.batch_size and self._queue:
        for job in list(self._queue):
          if len(picks) == self.batch_size:
            break
          picks.append((job, job.next_row))
          job.next_row += 1
          if job.next_row == job.rows:
            self._queue.remove(job)  # every row handed out; waits for its outputs
      return picks

  def _loop(self) -> None:
    while True:
      picks = self._take()
      jobs = list(dict.fromkeys(job for job, _ in picks))
      self.max_requests_per_forward = max(self.max_requests_per_forward, len(jobs))
      try:
        batch = {k: np.stack([job.arrays[k][i] for job, i in picks])
                 for k in picks[0][0].arrays}
        out = self._run_batch(batch)
        self.forwards += 1
      except BaseException as e:  # pylint: disable=broad-except
        with self._cond:
          for job in jobs:
            if job.error is None:
              job.error = e
              if job in self._queue:
                self._queue.remove(job)
              job.done.set()
        continue
      for r, (job, i) in enumerate(picks):
        if job.error is not None:
          continue
        job.outputs[i] = {k: v[r] for k, v in out.items()}
        job.filled += 1
        if job.filled == job.rows:
          job.done.set()
