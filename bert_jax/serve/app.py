"""The demo web app: an explainable document classifier (XDC) and a reader (MRC).

  python -m bert_jax.serve --classifier=WORKDIR --reader=WORKDIR   (see --help)

Pages (plain HTML forms, no JavaScript):

- ``/xdc``: paste a document; shows the predicted class, the probability of every
  label, the document with each word shaded by its attention score and again with each
  sentence shaded by its sentence score (``bert_jax.serve.explain``; the seed's BERT-XDC).
- ``/mrc``: a passage and a question; shows the passage with the answer highlighted, or
  "no answer" when a SQuAD v2.0 reader predicts the null answer (``bert_jax.serve.mrc``;
  the seed's BERT MRC / MRC 2.0).

JSON API (exactly what the pages show):

- ``POST /api/classify`` ``{"text": str, "method": "cls_last" | "rollout"}`` ->
  ``{label, probs: {label: p}, method, num_windows, words: [{text, start, end, score}],
  sentences: [{text, start, end, score}]}``;
- ``POST /api/answer`` ``{"passage": str, "question": str}`` ->
  ``{answer, start, end, score, null_score, probability, has_answer, version_2,
  null_threshold}`` (``answer == ''`` and ``start``/``end`` null when there is no answer;
  v2.0 answers when ``null_score - score <= null_threshold``);
- ``GET /api/info``: the loaded models (``source``: the checkpoint's name, e.g.
  ``squad_ko (step 120)``, never a path; labels, window length) and the limits.

``start``/``end`` are character offsets into the submitted string: ``text[start:end]``
(Python ``str`` indices, i.e. Unicode code points). Errors: ``400 {"error": ...}`` for a
bad request (missing / empty / non-string / unknown field, a lone surrogate, text over
``max_chars``; the field is named), ``404`` when
the model a route needs was not loaded, ``413`` for a body over the size limit.
"""
from __future__ import annotations

import pathlib
from typing import Any, Mapping, Sequence

import flask
import numpy as np
from werkzeug.exceptions import HTTPException

from bert_jax.errors import InputError
from bert_jax.serve import explain as explain_lib
from bert_jax.workdir import CHECKPOINTS_DIR

DEFAULT_MAX_CHARS = 20_000
MAX_QUESTION_CHARS = 1_000
METHODS = {  # explain method -> what the page calls it
    'cls_last': 'last layer: attention of [CLS], heads averaged',
    'rollout': 'attention rollout through all layers',
    'attention': "the model's own word and sentence attention (BERT-XDC head, HAN)",
}
assert set(explain_lib.METHODS) < set(METHODS)
TOP_WORDS, TOP_SENTENCES = 10, 3


# ----------------------------------------------------------------------------
# Requests.
# ----------------------------------------------------------------------------
def check_fields(data: Mapping[str, Any], allowed: Sequence[str]) -> None:
  """An unknown key (a typo such as ``txt``) is named, not silently ignored."""
  unknown = [k for k in data if k not in allowed]
  if unknown:
    raise InputError(f'unknown field {unknown[0]!r}; expected only {list(allowed)}.')


def text_field(data: Mapping[str, Any], name: str, max_chars: int) -> str:
  """``data[name]``: a non-empty string of at most ``max_chars`` characters, valid Unicode
  (JSON lets a lone surrogate such as ``"\\ud800"`` through; it is no text)."""
  value = data.get(name)
  if value is None:
    raise InputError(f'missing field {name!r}.')
  if not isinstance(value, str):
    raise InputError(f'field {name!r} should be a string, not {type(value).__name__}.')
  if not value.strip():
    raise InputError(f'field {name!r} is empty.')
  if len(value) > max_chars:
    raise InputError(f'field {name!r} has {len(value)} characters; at most {max_chars} are '
                     'accepted (the server\'s --max_chars).')
  try:
    value.encode('utf-8')
  except UnicodeEncodeError as e:
    raise InputError(f'field {name!r} is not valid Unicode: a lone surrogate '
                     f'U+{ord(value[e.start]):04X} at character {e.start}.') from None
  return value


def method_field(data: Mapping[str, Any]) -> str:
  method = data.get('method')
  if method is None or method == '':
    return 'cls_last'
  if not isinstance(method, str):
    raise InputError(f'field \'method\' should be a string, one of {list(METHODS)}; not '
                     f'{type(method).__name__}.')
  if method not in METHODS:
    raise InputError(f'field \'method\' is {method!r}; expected one of {list(METHODS)}.')
  return method


def model_name(source: str) -> str:
  """What pages and responses call a checkpoint: ``WORKDIR (step N)`` for a workdir's step
  directory ``.../WORKDIR/checkpoints/N``, else the directory's own name. Never the
  absolute path (it tells a visitor about the server's file system)."""
  path = pathlib.PurePath(source)
  if path.parent.name == CHECKPOINTS_DIR and path.parent.parent.name:
    return f'{path.parent.parent.name} (step {path.name})'
  return path.name or str(source)


def json_body() -> Mapping[str, Any]:
  data = flask.request.get_json(silent=True)
  if not isinstance(data, dict):
    raise InputError('expected a JSON object as the request body (Content-Type: '
                     'application/json), e.g. {"text": "..."}.')
  return data


def _plain(x: Any) -> Any:
  """numpy scalars -> Python numbers, recursively (for JSON)."""
  if isinstance(x, dict):
    return {k: _plain(v) for k, v in x.items()}
  if isinstance(x, (list, tuple)):
    return [_plain(v) for v in x]
  if isinstance(x, np.generic):
    return x.item()
  return x


# ----------------------------------------------------------------------------
# What the pages draw.
# ----------------------------------------------------------------------------
def shaded(text: str, spans: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
  """All of ``text`` as pieces ``{text, level, score}``: the (sorted, disjoint) ``spans``
  with ``level`` = score / the top score (0..1), the text between them with level None."""
  top = max((float(s['score']) for s in spans), default=0.0)
  pieces, pos = [], 0
  for s in spans:
    if s['start'] > pos:
      pieces.append({'text': text[pos:s['start']], 'level': None, 'score': None})
    pieces.append({'text': text[s['start']:s['end']], 'score': float(s['score']),
                   'level': round(float(s['score']) / top, 3) if top > 0 else 0.0})
    pos = max(pos, s['end'])
  if pos < len(text):
    pieces.append({'text': text[pos:], 'level': None, 'score': None})
  return pieces


def answer_pieces(passage: str, result: Mapping[str, Any]) -> list[dict[str, Any]]:
  """The passage as (before, answer, after), the answer marked."""
  if not result.get('has_answer'):
    return [{'text': passage, 'mark': False}]
  s, e = result['start'], result['end']
  return [{'text': passage[:s], 'mark': False}, {'text': passage[s:e], 'mark': True},
          {'text': passage[e:], 'mark': False}]


PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bert_jax demo: {{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Apple SD Gothic Neo","Malgun Gothic",sans-serif;max-width:62rem;margin:1rem auto;padding:0 1rem;color:#222}
nav{border-bottom:1px solid #bbb;margin-bottom:1rem}
nav a,nav span{display:inline-block;padding:.45rem 1rem;margin-right:.2rem;border:1px solid #bbb;border-bottom:none;border-radius:.4rem .4rem 0 0;text-decoration:none;color:#333}
nav .on{background:#eef3ff;font-weight:bold}
nav .off{color:#aaa}
textarea,input[type=text]{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}
button{font:inherit;padding:.35rem 1.2rem;margin-top:.5rem}
.doc{white-space:pre-wrap;line-height:1.9;border:1px solid #ddd;padding:.8rem;border-radius:.3rem;background:#fff}
.error{background:#fee;border:1px solid #c33;padding:.6rem;border-radius:.3rem}
.hint{color:#666;font-size:.9rem}
table{border-collapse:collapse}
td{padding:.15rem .6rem;vertical-align:middle}
.bar{background:#4a7;height:.9rem;min-width:1px}
.best td{font-weight:bold}
mark{background:#ffd54f;padding:.1rem 0;border-radius:.15rem}
.none{color:#a22}
</style>
</head>
<body>
<h1>bert_jax demo</h1>
<nav>
{%- for key, name, loaded, flag in tabs %}
{%- if not loaded %}<span class="off" title="not loaded: start the app with {{ flag }}=WORKDIR">{{ name }}</span>
{%- elif key == page %}<a class="on" href="{{ url_for(key) }}">{{ name }}</a>
{%- else %}<a href="{{ url_for(key) }}">{{ name }}</a>{% endif %}
{%- endfor %}
</nav>
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}

{% if page == 'xdc' %}
<p class="hint">Explainable document classifier (XDC): the class of a document and the words
and sentences that weighed most in the decision (attention from [CLS]). Any length: a long
document is read in overlapping windows of {{ model.max_seq_length }} tokens.
Classes: {{ model.labels|join(', ') }}.</p>
<form method="post" action="{{ url_for('xdc') }}" accept-charset="utf-8">
<p><label for="text"><b>Document</b> (문서 본문, at most {{ max_chars }} characters)</label></p>
<textarea id="text" name="text" rows="10" maxlength="{{ max_chars }}" required>{{ form.text }}</textarea>
<p>Word scores:
{%- for m, desc in methods %}
<label><input type="radio" name="method" value="{{ m }}"{% if m == form.method %} checked{% endif %}> {{ desc }}</label>
{%- endfor %}</p>
<button type="submit">Analyse (분석하기)</button>
</form>
{% if result %}
<h2>Predicted class: <span id="label">{{ result.label }}</span></h2>
<table id="probs">
{%- for label, p in result.probs.items() %}
<tr{% if label == result.label %} class="best"{% endif %}><td>{{ label }}</td><td style="width:22rem"><div class="bar" style="width:{{ '%.1f'|format(100 * p) }}%"></div></td><td>{{ '%.1f'|format(100 * p) }} %</td></tr>
{%- endfor %}
</table>
<p class="hint">{{ result.num_windows }} window(s); word scores: {{ methods_dict[result.method] }}.</p>
<h3>Influential words</h3>
<div class="doc" id="words">{% for p in word_view %}{% if p.level is none %}{{ p.text }}{% else %}<span style="background:rgba(255,140,0,{{ p.level }})" title="{{ '%.2f'|format(100 * p.score) }} %">{{ p.text }}</span>{% endif %}{% endfor %}</div>
<p class="hint">Top words:
{%- for w in top_words %} <b>{{ w.text }}</b> {{ '%.1f'|format(100 * w.score) }} %{% if not loop.last %},{% endif %}{% endfor %}</p>
<h3>Influential sentences</h3>
<div class="doc" id="sentences">{% for p in sentence_view %}{% if p.level is none %}{{ p.text }}{% else %}<span style="background:rgba(66,133,244,{{ '%.3f'|format(0.6 * p.level) }})" title="{{ '%.2f'|format(100 * p.score) }} %">{{ p.text }}</span>{% endif %}{% endfor %}</div>
<ol class="hint">
{%- for s in top_sentences %}
<li>{{ '%.1f'|format(100 * s.score) }} %: {{ s.text }}</li>
{%- endfor %}
</ol>
{% endif %}
{% endif %}

{% if page == 'mrc' %}
<p class="hint">Reading comprehension (MRC): the answer to a question, found in the passage
and highlighted there.{% if model.version_2 %} This reader was trained on SQuAD v2.0: it
says "no answer" when the passage does not answer the question.{% endif %}</p>
<form method="post" action="{{ url_for('mrc') }}" accept-charset="utf-8">
<p><label for="passage"><b>Passage</b> (예문, at most {{ max_chars }} characters)</label></p>
<textarea id="passage" name="passage" rows="10" maxlength="{{ max_chars }}" required>{{ form.passage }}</textarea>
<p><label for="question"><b>Question</b> (질문)</label></p>
<input type="text" id="question" name="question" maxlength="{{ max_question_chars }}" value="{{ form.question }}" required>
<button type="submit">Find the answer (답변찾기)</button>
</form>
{% if result %}
{% if result.has_answer %}
<h2>Answer: <mark id="answer">{{ result.answer }}</mark></h2>
<p class="hint">characters {{ result.start }}&ndash;{{ result.end }}; span score {{ '%.3f'|format(result.score) }}{% if result.probability is not none %}, probability among the n-best {{ '%.1f'|format(100 * result.probability) }} %{% endif %}{% if result.null_score is not none %}; null score {{ '%.3f'|format(result.null_score) }}{% endif %}.</p>
{% else %}
<h2 class="none" id="no-answer">No answer in the passage</h2>
<p class="hint">{% if result.null_score is not none and result.score is not none %}The null ("no answer") score {{ '%.3f'|format(result.null_score) }} minus the best span's {{ '%.3f'|format(result.score) }} is {{ '%.3f'|format(result.null_score - result.score) }}, above the threshold {{ '%.3f'|format(result.null_threshold) }}.{% else %}No span of the passage fits the question.{% endif %}</p>
{% endif %}
<div class="doc" id="passage-view">{% for p in passage_view %}{% if p.mark %}<mark>{{ p.text }}</mark>{% else %}{{ p.text }}{% endif %}{% endfor %}</div>
{% endif %}
{% endif %}

{% if page == 'missing' %}
<p>{{ message }}</p>
{% endif %}
<p class="hint">Model: {{ model.source if model else '' }}. JSON API: POST /api/classify
{"text", "method"}, POST /api/answer {"passage", "question"}, GET /api/info.</p>
</body>
</html>
"""


def _threshold(reader: Any) -> float | None:
  """The null-score threshold a v2.0 reader answers with (None for v1.1)."""
  if not reader.version_2:
    return None
  if reader.null_threshold is not None:
    return float(reader.null_threshold)
  return float(reader.cfg.squad.null_score_diff_threshold)


# ----------------------------------------------------------------------------
# The app.
# ----------------------------------------------------------------------------
def create_app(classifier: Any = None, reader: Any = None, *,
               max_chars: int = DEFAULT_MAX_CHARS) -> flask.Flask:
  """The Flask app over a ``runners.Classifier`` and / or a ``runners.Reader``.

  Args:
    classifier: serves ``/xdc`` and ``/api/classify`` (None: those answer 404).
    reader: serves ``/mrc`` and ``/api/answer`` (None: those answer 404).
    max_chars: the longest document / passage accepted, in characters (questions:
      ``MAX_QUESTION_CHARS``).
  """
  if classifier is None and reader is None:
    raise InputError('nothing to serve: give a classifier and / or a reader.')
  if max_chars < 1:
    raise InputError(f'max_chars={max_chars}; expected >= 1.')
  app = flask.Flask(__name__)
  app.json.ensure_ascii = False  # Korean stays readable in the JSON
  app.json.sort_keys = False     # probs keep the model's label order
  # Room for max_chars characters however they are encoded (UTF-8, %XX, \uXXXX).
  app.config['MAX_CONTENT_LENGTH'] = 16 * (max_chars + MAX_QUESTION_CHARS) + 65536
  app.extensions['bert_jax'] = {'classifier': classifier, 'reader': reader,
                                'max_chars': max_chars}
  tabs = [('xdc', 'Document classifier (XDC)', classifier is not None, '--classifier'),
          ('mrc', 'Reading comprehension (MRC)', reader is not None, '--reader')]

  def need(model, what: str, flag: str):
    if model is None:
      flask.abort(404, description=f'no {what} is loaded: start the app with '
                                   f'{flag}=WORKDIR.')
    return model

  def classify(text: str, method: str) -> dict[str, Any]:
    return _plain(classifier.explain(text, method if method in classifier.methods else None))

  def answer(passage: str, question: str) -> dict[str, Any]:
    result = _plain(reader.answer(passage, question))
    result['version_2'] = reader.version_2
    result['null_threshold'] = _threshold(reader)
    return result

  def render(page: str, status: int = 200, **kw: Any):
    html = flask.render_template_string(
        PAGE, page=page, tabs=tabs, methods=list(METHODS.items()), methods_dict=METHODS,
        max_chars=max_chars, max_question_chars=MAX_QUESTION_CHARS,
        title={'xdc': 'document classifier', 'mrc': 'reading comprehension'}.get(page, ''),
        **{'error': None, 'result': None, 'model': None, 'form': {}, **kw})
    return html, status, {'Content-Type': 'text/html; charset=utf-8'}

  @app.errorhandler(HTTPException)
  def http_error(e: HTTPException):
    if flask.request.path.startswith('/api/'):
      return flask.jsonify(error=e.description, status=e.code), e.code
    if e.code == 404 and flask.request.endpoint in ('xdc', 'mrc'):
      return render('missing', 404, message=e.description)
    return e

  @app.errorhandler(InputError)
  def input_error(e: InputError):  # only the API lets these out
    return flask.jsonify(error=str(e), status=400), 400

  @app.get('/')
  def index():
    return flask.redirect(flask.url_for('xdc' if classifier is not None else 'mrc'))

  @app.route('/xdc', methods=['GET', 'POST'])
  def xdc():
    model = need(classifier, 'classifier', '--classifier')
    info = {'source': model_name(model.source), 'labels': model.labels,
            'max_seq_length': model.max_seq_length}
    if flask.request.method == 'GET':
      return render('xdc', model=info, form={'text': '', 'method': 'cls_last'})
    form = {'text': flask.request.form.get('text', ''),
            'method': flask.request.form.get('method') or 'cls_last'}
    try:
      text = text_field(flask.request.form, 'text', max_chars)
      result = classify(text, method_field(form))
    except InputError as e:
      return render('xdc', 400, model=info, form=form, error=str(e))
    by_score = lambda items, n: sorted(items, key=lambda x: -x['score'])[:n]
    return render('xdc', model=info, form=form, result=result,
                  word_view=shaded(text, result['words']),
                  sentence_view=shaded(text, result['sentences']),
                  top_words=by_score(result['words'], TOP_WORDS),
                  top_sentences=by_score(result['sentences'], TOP_SENTENCES))

  @app.route('/mrc', methods=['GET', 'POST'])
  def mrc():
    model = need(reader, 'reader', '--reader')
    info = {'source': model_name(model.source), 'version_2': model.version_2}
    if flask.request.method == 'GET':
      return render('mrc', model=info, form={'passage': '', 'question': ''})
    form = {k: flask.request.form.get(k, '') for k in ('passage', 'question')}
    try:
      passage = text_field(flask.request.form, 'passage', max_chars)
      question = text_field(flask.request.form, 'question', MAX_QUESTION_CHARS)
      result = answer(passage, question)
    except InputError as e:
      return render('mrc', 400, model=info, form=form, error=str(e))
    return render('mrc', model=info, form=form, result=result,
                  passage_view=answer_pieces(passage, result))

  @app.post('/api/classify')
  def api_classify():
    need(classifier, 'classifier', '--classifier')
    data = json_body()
    check_fields(data, ('text', 'method'))
    return flask.jsonify(classify(text_field(data, 'text', max_chars), method_field(data)))

  @app.post('/api/answer')
  def api_answer():
    need(reader, 'reader', '--reader')
    data = json_body()
    check_fields(data, ('passage', 'question'))
    return flask.jsonify(answer(text_field(data, 'passage', max_chars),
                                text_field(data, 'question', MAX_QUESTION_CHARS)))

  @app.get('/api/info')
  def api_info():
    return flask.jsonify(
        classifier=None if classifier is None else {
            'source': model_name(classifier.source), 'labels': classifier.labels,
            'max_seq_length': classifier.max_seq_length, 'methods': list(METHODS)},
        reader=None if reader is None else {
            'source': model_name(reader.source), 'version_2': reader.version_2,
            'max_seq_length': int(reader.cfg.data.max_seq_length),
            'null_threshold': _threshold(reader)},
        max_chars=max_chars, max_question_chars=MAX_QUESTION_CHARS)

  return app
