r"""Latency of short requests to the web app while long documents keep arriving.

  python benchmarks/serve_latency.py                 # BERT-tiny, ~2 min on 2 CPU cores
  python benchmarks/serve_latency.py --model=mini --long_windows=48 --seconds=60

The question: does a client sending long documents stall everybody else? Both modes run in
this one process, on the same model, through the real server (``bert_jax.serve.app`` under
waitress, ``--threads`` request threads, HTTP on 127.0.0.1):

- ``lock``: one global lock around the model, the whole request inside it (what the app did
  before ``bert_jax.serve.batching``): a short request that arrives while a long document
  runs waits for all of the document's windows;
- ``batched``: ``batching.Batcher``, the app's own: windows of all queued requests go
  round-robin into fixed-size forwards, so a short request rides in the next forward.

Load: ``--long_clients`` threads each POST a document of ``--long_windows`` windows to
``/api/classify`` back to back; ``--short_clients`` threads each POST a one-sentence text
(one window) back to back. After ``--warmup`` untimed seconds, for ``--seconds``: p50 / p95
/ max latency of the short requests started and finished in that time, plus those still
waiting at its end, counted with the time waited so far (a lower bound); how many of each
kind completed. A random-init model
of the ``--model`` preset (the latency does not depend on the weights), a tiny
character vocabulary, ``--seq`` tokens per window, ``--batch`` windows per forward.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import threading
import time
import urllib.request

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

SHORT = '기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다.'
LONG_SENTENCE = ('전국에 장맛비가 내린 지난 24일 오전 대전 서구의 한 신호등에서 시민들이 우산을 '
                 '쓰고 걷고 있다. The market closed higher on Tuesday as investors weighed '
                 'the data. ')


def make_classifier(args, directory: pathlib.Path):
  from flax import nnx  # pylint: disable=g-import-not-at-top
  from bert_jax.models import BertConfig  # pylint: disable=g-import-not-at-top
  from bert_jax.models.heads import BertForTask  # pylint: disable=g-import-not-at-top
  from bert_jax.serve.runners import Classifier  # pylint: disable=g-import-not-at-top
  from bert_jax.tokenization.wordpiece import WordPieceTokenizer  # pylint: disable=g-import-not-at-top
  chars = sorted({c for c in SHORT + LONG_SENTENCE if not c.isspace()})
  tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', *chars, *('##' + c for c in chars)]
  (directory / 'vocab.txt').write_text('\n'.join(tokens) + '\n', encoding='utf-8')
  tokenizer = WordPieceTokenizer(directory / 'vocab.txt', do_lower_case=False)
  cfg = BertConfig.preset(args.model, vocab_size=len(tokens), max_position_embeddings=args.seq)
  model = BertForTask(cfg, head='classification', num_outputs=4, rngs=nnx.Rngs(0))
  return Classifier(model, tokenizer, ['a', 'b', 'c', 'd'], max_seq_length=args.seq,
                    batch_size=args.batch, source='bench')


def long_document(classifier, windows: int) -> str:
  """A text that makes ``windows`` windows (no overlap: stride = window)."""
  text = LONG_SENTENCE
  per_window = classifier.max_seq_length - 2
  while len(classifier.tokenizer.encode(text).offsets) - 2 < windows * per_window:
    text += LONG_SENTENCE
  return text


def post(url: str, payload: dict) -> float:
  data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
  req = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'})
  t0 = time.perf_counter()
  with urllib.request.urlopen(req, timeout=600) as r:
    r.read()
    assert r.status == 200
  return time.perf_counter() - t0


def serve_until_closed(server) -> None:
  try:
    server.run()
  except OSError:  # the benchmark closed the listening socket under the loop
    pass


def run_mode(mode: str, classifier, args) -> dict:
  import waitress.server  # pylint: disable=g-import-not-at-top
  from bert_jax.serve import app as app_lib  # pylint: disable=g-import-not-at-top
  batched = classifier.predict
  if mode == 'lock':
    lock = threading.Lock()
    predictor, model = classifier._predictor, classifier.model  # pylint: disable=protected-access

    def predict(arrays):
      with lock:
        return predictor(model, arrays)
    classifier.predict = predict
  try:
    app = app_lib.create_app(classifier)
    server = waitress.server.create_server(app, host='127.0.0.1', port=0, threads=args.threads)
    threading.Thread(target=serve_until_closed, args=(server,), daemon=True).start()
    url = f'http://127.0.0.1:{server.effective_port}/api/classify'
    long_text = long_document(classifier, args.long_windows)
    stop, start = threading.Event(), time.perf_counter() + args.warmup
    short_lat, long_lat, waiting = [], [], {}

    def client(text, out):
      me = threading.get_ident()
      while not stop.is_set():
        t0 = time.perf_counter()
        waiting[me] = (t0, out is short_lat)
        dt = post(url, {'text': text})
        waiting.pop(me, None)
        if t0 >= start and t0 + dt <= start + args.seconds:
          out.append(dt)

    threads = [threading.Thread(target=client, args=(long_text, long_lat))
               for _ in range(args.long_clients)]
    threads += [threading.Thread(target=client, args=(SHORT, short_lat))
                for _ in range(args.short_clients)]
    for t in threads:
      t.start()
    time.sleep(args.warmup + args.seconds)
    end = time.perf_counter()
    # Short requests still waiting at the end count with the time they have waited so far
    # (a lower bound): otherwise a mode that starves them would look fast.
    censored = [end - max(t0, start) for t0, short in list(waiting.values()) if short]
    stop.set()
    for t in threads:
      t.join()
    # The server is left running (a daemon thread, idle from here): closing waitress's
    # socket under its loop only prints a spurious EBADF traceback.
  finally:
    classifier.predict = batched
  short = np.array(short_lat + censored) * 1000
  return {'mode': mode, 'short_n': len(short_lat), 'short_waiting': len(censored),
          'long_n': len(long_lat),
          'short_p50_ms': float(np.percentile(short, 50)) if len(short) else None,
          'short_p95_ms': float(np.percentile(short, 95)) if len(short) else None,
          'short_max_ms': float(short.max()) if len(short) else None,
          'long_p50_ms': float(np.median(long_lat) * 1000) if long_lat else None}


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument('--model', default='tiny', help='BertConfig preset (default: %(default)s)')
  p.add_argument('--seq', type=int, default=128, help='tokens per window')
  p.add_argument('--batch', type=int, default=8, help='windows per forward')
  p.add_argument('--threads', type=int, default=8, help='waitress request threads')
  p.add_argument('--long_windows', type=int, default=32, help='windows of a long document')
  p.add_argument('--long_clients', type=int, default=2)
  p.add_argument('--short_clients', type=int, default=4)
  p.add_argument('--warmup', type=float, default=5.0, help='untimed seconds first')
  p.add_argument('--seconds', type=float, default=40.0, help='timed seconds per mode')
  p.add_argument('--json', help='also write the rows here')
  args = p.parse_args(argv)
  os.environ.setdefault('JAX_PLATFORMS', 'cpu')
  import jax  # pylint: disable=g-import-not-at-top
  with tempfile.TemporaryDirectory() as tmp:
    classifier = make_classifier(args, pathlib.Path(tmp))
    classifier.explain('warm up.')  # compile once, outside the timing
    rows = [run_mode(mode, classifier, args) for mode in ('lock', 'batched')]
  print(f'# {args.model}, seq {args.seq}, batch {args.batch}, {args.threads} server threads, '
        f'{args.long_clients} clients x {args.long_windows}-window documents, '
        f'{args.short_clients} clients x 1-window texts, {args.seconds:.0f} s each; '
        f'{jax.default_backend()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}')
  print('| mode | short p50 (ms) | short p95 (ms) | short max (ms) | short done | '
        'short still waiting | long done | long p50 (ms) |')
  print('|---|---|---|---|---|---|---|---|')
  fmt = lambda x: '-' if x is None else f'{x:.0f}'
  for r in rows:
    print(f'| {r["mode"]} | {fmt(r["short_p50_ms"])} | {fmt(r["short_p95_ms"])} | '
          f'{fmt(r["short_max_ms"])} | {r["short_n"]} | {r["short_waiting"]} | {r["long_n"]} | '
          f'{fmt(r["long_p50_ms"])} |')
  if args.json:
    pathlib.Path(args.json).write_text(json.dumps(rows, indent=2) + '\n', encoding='utf-8')
  return 0


if __name__ == '__main__':
  sys.exit(main())
