r"""Serve fine-tuned models in a web page: python -m bert_jax.serve --help."""
from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Any, Sequence

from bert_jax.errors import EXIT_BAD_INPUT, InputError, report_errors

DESCRIPTION = """\
The bert_jax demo web app (the seed's maum.ai demos), over fine-tuned models:

  XDC  explainable document classifier: paste a document, see its predicted class,
       the probability of every class, and the words and sentences that weighed
       most in the decision (highlighted by attention from [CLS]);
  MRC  reading comprehension: give a passage and a question, see the answer
       highlighted in the passage (or "no answer" from a SQuAD v2.0 reader).

Each model is a fine-tuning workdir written by `python -m bert_jax.finetune` (or
`python -m bert_jax.demo`): a classification one for --classifier, a squad one for
--reader. Give either or both. Korean and English text both work.
"""

EPILOG = """\
examples:
  # fine-tune the demo models first (see README), then:
  python -m bert_jax.serve --classifier=/tmp/bert_demo/ft/ko_news_topic \\
      --reader=/tmp/bert_demo/ft/squad_ko
  # open http://127.0.0.1:8080/ in a browser; or call the JSON API:
  curl -s localhost:8080/api/classify -H 'Content-Type: application/json' \\
      -d '{"text": "기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다."}'
  curl -s localhost:8080/api/answer -H 'Content-Type: application/json' \\
      -d '{"passage": "...", "question": "..."}'

Served by waitress (a production WSGI server, --threads request threads); the
requests of all threads are queued and batched onto each compiled model, so a
long document does not hold up short requests. The app has NO authentication:
--host other than 127.0.0.1 / localhost exposes it to every machine that can
reach the port (a warning says so).
"""


def build_parser() -> argparse.ArgumentParser:
  p = argparse.ArgumentParser(prog='python -m bert_jax.serve', description=DESCRIPTION,
                              epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
  models = p.add_argument_group('models (at least one)')
  models.add_argument('--classifier', metavar='WORKDIR',
                      help='fine-tuning workdir of a classification model (e.g. '
                           'experiments/classification.py:ko_news_topic); serves the XDC page')
  models.add_argument('--reader', metavar='WORKDIR',
                      help='fine-tuning workdir of a span (squad) model (e.g. '
                           'experiments/squad.py:squad_ko); serves the MRC page')
  server = p.add_argument_group('server')
  server.add_argument('--host', default='127.0.0.1',
                      help='address to listen on (default: %(default)s, this machine only; '
                           '0.0.0.0 for every interface)')
  server.add_argument('--port', type=int, default=8080,
                      help='port (default: %(default)s; 0: any free port, printed at start)')
  server.add_argument('--threads', type=int, default=8,
                      help='request threads of the WSGI server (default: %(default)s); their '
                           'model calls are batched together')
  server.add_argument('--max_chars', '--max-chars', type=int, default=20_000,
                      help='longest document / passage accepted, in characters (default: '
                           '%(default)s)')
  tuning = p.add_argument_group('model options')
  tuning.add_argument('--max_seq_length', '--max-seq-length', type=int, default=None,
                      help='tokens per window (default: the workdir\'s max_seq_length)')
  tuning.add_argument('--null_threshold', '--null-threshold', type=float, default=None,
                      help='SQuAD v2.0 reader: answer only when the null score exceeds the '
                           'best span\'s by at most this (default: the threshold tuned on '
                           'dev, best.json\'s best_f1_thresh)')
  tuning.add_argument('--batch_size', '--batch-size', type=int, default=8,
                      help='windows per forward pass (default: %(default)s)')
  tuning.add_argument('--no_warmup', '--no-warmup', action='store_true',
                      help='do not compile the models before listening (the first request '
                           'then waits for the compile)')
  return p


def build_app(argv: Sequence[str] | None = None) -> tuple[Any, argparse.Namespace]:
  """(the Flask app, the parsed arguments); models loaded and (unless --no_warmup)
  compiled. ``InputError`` names the flag whose workdir is wrong."""
  parser = build_parser()
  args = parser.parse_args(argv)
  if not args.classifier and not args.reader:
    parser.error('nothing to serve: give --classifier=WORKDIR (a classification workdir) '
                 'and / or --reader=WORKDIR (a squad workdir).')
  if args.max_chars < 1 or args.batch_size < 1 or args.threads < 1:
    parser.error('--max_chars, --batch_size and --threads must be >= 1.')
  if not 0 <= args.port <= 65535:
    parser.error(f'--port={args.port}; expected 0..65535.')
  try:
    import flask  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
    import waitress  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    raise InputError('the web app needs Flask and waitress: pip install -e ".[serve]" (or '
                     'pip install "flask>=3.0" "waitress>=3.0").') from None
  # Heavy imports (jax, the models) only once the arguments are known to be sane.
  from bert_jax.serve import app as app_lib  # pylint: disable=g-import-not-at-top
  from bert_jax.serve import runners  # pylint: disable=g-import-not-at-top
  classifier = reader = None
  if args.classifier:
    try:
      classifier = runners.load_classifier(args.classifier, batch_size=args.batch_size,
                                           max_seq_length=args.max_seq_length)
    except InputError as e:
      raise InputError(f'--classifier={args.classifier}: {e}') from None
  if args.reader:
    try:
      reader = runners.load_reader(args.reader, batch_size=args.batch_size,
                                   max_seq_length=args.max_seq_length,
                                   null_threshold=args.null_threshold)
    except InputError as e:
      raise InputError(f'--reader={args.reader}: {e}') from None
  if not args.no_warmup:  # compile now: the first visitor does not wait
    if classifier is not None:
      classifier.explain('warm up.')
    if reader is not None:
      reader.answer('warm up.', 'warm up?')
  return app_lib.create_app(classifier, reader, max_chars=args.max_chars), args


def is_loopback(host: str) -> bool:
  """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
  if host.lower() == 'localhost':
    return True
  try:
    return ipaddress.ip_address(host.strip('[]')).is_loopback
  except ValueError:  # a host name: it may resolve to anything
    return False


NO_AUTH_WARNING = ('warning: --host={host} makes the app reachable from other machines, and '
                   'it has NO authentication: anyone who can reach port {port} can submit '
                   'text to the models. Use --host=127.0.0.1 unless that is what you want.')


def make_server(app: Any, args: argparse.Namespace):
  """The waitress server over ``app`` (bound, not yet serving)."""
  import waitress.server  # pylint: disable=g-import-not-at-top
  return waitress.server.create_server(app, host=args.host, port=args.port,
                                       threads=args.threads, ident='bert_jax',
                                       clear_untrusted_proxy_headers=True)


@report_errors
def main(argv: Sequence[str] | None = None) -> int:
  app, args = build_app(argv)
  models = app.extensions['bert_jax']
  for name, page, model in (('classifier', 'xdc', models['classifier']),
                            ('reader', 'mrc', models['reader'])):
    if model is not None:
      extra = (f'labels {", ".join(model.labels)}' if name == 'classifier' else
               'SQuAD v2.0, can say "no answer"' if model.version_2 else 'SQuAD v1.1')
      print(f'serve: {name} {model.source} ({extra}) at /{page}', file=sys.stderr)
  if not is_loopback(args.host):
    print(NO_AUTH_WARNING.format(host=args.host, port=args.port), file=sys.stderr)
  try:
    server = make_server(app, args)
  except OSError as e:  # port in use, no permission, unknown host
    print(f'error: cannot listen on {args.host}:{args.port}: {e}', file=sys.stderr)
    return EXIT_BAD_INPUT
  port = getattr(server, 'effective_port', args.port)
  host = f'[{args.host}]' if ':' in args.host else args.host
  print(f'serve: open http://{host}:{port}/ (waitress, {args.threads} threads; Ctrl-C stops)',
        file=sys.stderr, flush=True)
  try:
    server.run()
  except KeyboardInterrupt:
    pass
  finally:
    server.close()
  return 0


if __name__ == '__main__':
  sys.exit(main())
