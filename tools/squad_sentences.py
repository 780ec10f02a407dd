r"""A SQuAD-v2.0-format set whose contexts are two sentences of the original paragraphs.

  python tools/squad_sentences.py bert_jax/resources/finetune/squad_en /tmp/squad_en_sent

Each question gets its own context: the sentence that holds its answer and the next one
(the previous one for a paragraph's last sentence), so the answer is still to be found
among a distractor sentence's words; an unanswerable question gets the sentence that
shares the most words with it and its neighbour, and stays unanswerable. The answers keep
their text and move their ``answer_start``. Contexts of ~40 word pieces instead of ~140 make
span fine-tuning ~4x cheaper per example and remove the windows without an answer, which
is what the span learning test (``tests/test_finetune_learning.py``) needs to fit CI.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bert_jax.data.text import sentence_spans  # pylint: disable=g-import-not-at-top,wrong-import-position

_WORD = re.compile(r'\w+')


def _two_sentences(spans: list[tuple[int, int]], i: int) -> tuple[int, int]:
  j = i + 1 if i + 1 < len(spans) else max(i - 1, 0)
  lo, hi = min(i, j), max(i, j)
  return spans[lo][0], spans[hi][1]


def _closest_sentence(context: str, spans: list[tuple[int, int]], question: str) -> int:
  words = set(_WORD.findall(question.lower()))
  overlap = [len(words & set(_WORD.findall(context[s:e].lower()))) for s, e in spans]
  return max(range(len(spans)), key=lambda k: (overlap[k], -k))


def sentence_set(squad: dict) -> dict:
  """``squad`` (SQuAD v2.0 JSON) with each question on its own two-sentence context."""
  articles = []
  for article in squad['data']:
    paragraphs = []
    for p in article['paragraphs']:
      context, spans = p['context'], sentence_spans(p['context'])
      for qa in p['qas']:
        if qa.get('is_impossible') or not qa['answers']:
          i = _closest_sentence(context, spans, qa['question'])
        else:
          a = qa['answers'][0]
          i = next(k for k, (s, e) in enumerate(spans) if a['answer_start'] < e)
        start, end = _two_sentences(spans, i)
        answers = []
        for a in qa['answers']:
          if not (start <= a['answer_start'] and a['answer_start'] + len(a['text']) <= end):
            continue  # an answer that crosses the cut (none in the shipped sets)
          answers.append({'text': a['text'], 'answer_start': a['answer_start'] - start})
        if not qa.get('is_impossible') and not answers:
          continue
        paragraphs.append({'context': context[start:end],
                           'qas': [{**qa, 'answers': answers}]})
    articles.append({**article, 'paragraphs': paragraphs})
  return {**squad, 'data': articles}


def write_sentence_set(src: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
  """``out/{train,dev}.json`` from ``src/{train,dev}.json``; returns ``out``."""
  out.mkdir(parents=True, exist_ok=True)
  for split in ('train', 'dev'):
    data = json.loads((src / f'{split}.json').read_text(encoding='utf-8'))
    (out / f'{split}.json').write_text(json.dumps(sentence_set(data), ensure_ascii=False),
                                       encoding='utf-8')
  return out


if __name__ == '__main__':
  if len(sys.argv) != 3:
    sys.exit(__doc__)
  print(write_sentence_set(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))
