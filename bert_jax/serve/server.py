"""Start the web app: load the fine-tuned models, compile them, listen (``python -m
bert_jax.serve`` is the command line over these functions)."""
from __future__ import annotations

import ipaddress
import sys
from typing import Any

from bert_jax.errors import EXIT_BAD_INPUT, InputError

NO_AUTH_WARNING = ('warning: --host={host} makes the app reachable from other machines, and '
                   'it has NO authentication: anyone who can reach port {port} can submit '
                   'text to the models. Use --host=127.0.0.1 unless that is what you want.')


def load_app(classifier: str | None, reader: str | None, *, batch_size: int = 8,
             max_seq_length: int | None = None, null_threshold: float | None = None,
             max_chars: int = 20_000, warmup: bool = True) -> Any:
  """The Flask app over the fine-tuning workdirs ``classifier`` / ``reader``, compiled
  unless ``warmup`` is False. ``InputError`` names the flag whose workdir is wrong."""
  try:
    import flask  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
    import waitress  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    raise InputError('the web app needs Flask and waitress: pip install -e ".[serve]" (or '
                     'pip install "flask>=3.0" "waitress>=3.0").') from None
  # Heavy imports (jax, the models) only once the arguments are known to be sane.
  from bert_jax.serve import app as app_lib  # pylint: disable=g-import-not-at-top
  from bert_jax.serve import runners  # pylint: disable=g-import-not-at-top
  models = {}
  for flag, path, load, kwargs in (
      ('classifier', classifier, runners.load_classifier, {}),
      ('reader', reader, runners.load_reader, {'null_threshold': null_threshold})):
    if path:
      try:
        models[flag] = load(path, batch_size=batch_size, max_seq_length=max_seq_length,
                            **kwargs)
      except InputError as e:
        raise InputError(f'--{flag}={path}: {e}') from None
  if warmup:  # compile now: the first visitor does not wait
    if 'classifier' in models:
      models['classifier'].explain('warm up.')
    if 'reader' in models:
      models['reader'].answer('warm up.', 'warm up?')
  return app_lib.create_app(models.get('classifier'), models.get('reader'),
                            max_chars=max_chars)


def is_loopback(host: str) -> bool:
  """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
  if host.lower() == 'localhost':
    return True
  try:
    return ipaddress.ip_address(host.strip('[]')).is_loopback
  except ValueError:  # a host name: it may resolve to anything
    return False


def make_server(app: Any, args: Any):
  """The waitress server over ``app`` (bound, not yet serving) at ``args.host``,
  ``args.port`` with ``args.threads`` request threads."""
  import waitress.server  # pylint: disable=g-import-not-at-top
  return waitress.server.create_server(app, host=args.host, port=args.port,
                                       threads=args.threads, ident='bert_jax',
                                       clear_untrusted_proxy_headers=True)


def serve(app: Any, args: Any) -> int:
  """Says what is served where, then serves ``app`` until Ctrl-C (``args``: host, port,
  threads); exit status 2 when the address cannot be listened on."""
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
