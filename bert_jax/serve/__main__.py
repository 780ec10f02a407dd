r"""The bert_jax demo web app (the seed's maum.ai demos), over fine-tuned models:

  XDC  explainable document classifier: paste a document, see its predicted class,
       the probability of every class, and the words and sentences that weighed
       most in the decision (highlighted by attention from [CLS]);
  MRC  reading comprehension: give a passage and a question, see the answer
       highlighted in the passage (or "no answer" from a SQuAD v2.0 reader).

usage: python -m bert_jax.serve [--classifier WORKDIR] [--reader WORKDIR] [--host HOST]
           [--port PORT] [--threads N] [--max_chars N] [--max_seq_length N]
           [--null_threshold X] [--batch_size N] [--no_warmup]

Each model is a fine-tuning workdir written by `python -m bert_jax.finetune` (or
`python -m bert_jax.demo`): a classification one for --classifier, a squad one for
--reader. Give either or both. Korean and English text both work.

examples:
  # fine-tune the demo models first (see README), then:
  python -m bert_jax.serve --classifier=/tmp/bert_demo/ft/ko_news_topic \
      --reader=/tmp/bert_demo/ft/squad_ko
  # open http://127.0.0.1:8080/ in a browser; or call the JSON API:
  curl -s localhost:8080/api/classify -H 'Content-Type: application/json' \
      -d '{"text": "기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다."}'
  curl -s localhost:8080/api/answer -H 'Content-Type: application/json' \
      -d '{"passage": "...", "question": "..."}'

Served by waitress (a production WSGI server, --threads request threads); the
requests of all threads are queued and batched onto each compiled model, so a
long document does not hold up short requests. The app has NO authentication:
--host other than 127.0.0.1 / localhost exposes it to every machine that can
reach the port (a warning says so). Bad flags or workdirs: one ``error:`` line, exit 2.
The library behind it: ``bert_jax.serve.server``.
"""
from __future__ import annotations

import sys
from typing import Any, Sequence

from absl import flags

from bert_jax import errors
from bert_jax.config_checks import parse_args
from bert_jax.serve import server

FLAGS = flags.FlagValues()  # its own: main(argv) is also called in-process (tests)
_CLASSIFIER = flags.DEFINE_string(
    'classifier', None, 'WORKDIR: fine-tuning workdir of a classification model (e.g. '
    'experiments/classification.py:ko_news_topic); serves the XDC page.', flag_values=FLAGS)
_READER = flags.DEFINE_string(
    'reader', None, 'WORKDIR: fine-tuning workdir of a span (squad) model (e.g. '
    'experiments/squad.py:squad_ko); serves the MRC page.', flag_values=FLAGS)
flags.DEFINE_string('host', '127.0.0.1', 'Address to listen on (this machine only; 0.0.0.0 '
                    'for every interface).', flag_values=FLAGS)
flags.DEFINE_integer('port', 8080, 'Port (0: any free port, printed at start).',
                     lower_bound=0, upper_bound=65535, flag_values=FLAGS)
flags.DEFINE_integer('threads', 8, 'Request threads of the WSGI server; their model calls '
                     'are batched together.', lower_bound=1, flag_values=FLAGS)
_MAX_CHARS = flags.DEFINE_integer('max_chars', 20_000, 'Longest document / passage accepted, '
                                  'in characters.', lower_bound=1, flag_values=FLAGS)
_MAX_LEN = flags.DEFINE_integer('max_seq_length', None, "Tokens per window (default: the "
                                "workdir's max_seq_length).", flag_values=FLAGS)
_NULL = flags.DEFINE_float('null_threshold', None, 'SQuAD v2.0 reader: answer only when the '
                           "null score exceeds the best span's by at most this (default: the "
                           "threshold tuned on dev, best.json's best_f1_thresh).",
                           flag_values=FLAGS)
_BATCH = flags.DEFINE_integer('batch_size', 8, 'Windows per forward pass.', lower_bound=1,
                              flag_values=FLAGS)
_NO_WARMUP = flags.DEFINE_bool('no_warmup', False, 'Do not compile the models before '
                               'listening (the first request then waits for the compile).',
                               flag_values=FLAGS)
for _name in ('max_chars', 'max_seq_length', 'null_threshold', 'batch_size', 'no_warmup'):
  flags.DEFINE_alias(_name.replace('_', '-'), _name, flag_values=FLAGS)


def build_app(argv: Sequence[str] | None = None) -> tuple[Any, Any]:
  """(the Flask app, the parsed flags) for ``argv``; models loaded and compiled."""
  if argv is not None:  # called in-process; main() has parsed them already
    parse_args(argv, FLAGS)
  if not _CLASSIFIER.value and not _READER.value:
    raise errors.UsageError('nothing to serve: give --classifier=WORKDIR (a classification '
                            'workdir) and / or --reader=WORKDIR (a squad workdir).')
  app = server.load_app(_CLASSIFIER.value, _READER.value, batch_size=_BATCH.value,
                        max_seq_length=_MAX_LEN.value, null_threshold=_NULL.value,
                        max_chars=_MAX_CHARS.value, warmup=not _NO_WARMUP.value)
  return app, FLAGS  # host, port, threads: server.serve reads them


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m bert_jax.serve`` with ``argv`` (default ``sys.argv[1:]``)."""
  return errors.run_absl(lambda _: server.serve(*build_app()), argv, flag_values=FLAGS,
                         usage=__doc__)


if __name__ == '__main__':
  sys.exit(main())
