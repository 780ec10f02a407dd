"""The unlabelled text of the *training* splits of the fine-tuning sets shipped in
``bert_jax/resources/finetune`` (``data.corpus=shipped_en`` / ``shipped_ko``).

Pretraining on the unlabelled text of the task before fine-tuning on its labels is
task-adaptive pretraining (Gururangan et al., 2020, "Don't Stop Pretraining"). The README
demo uses it: Python's documentation (``embedded``) is too far from reviews, news and
encyclopedic paragraphs for eight minutes of BERT-tiny to help most heads (measured,
README). Only the ``train`` files are read, and a training sentence that also occurs in any
shipped ``dev`` file of the language is dropped (the generated sets share a few, e.g. 57 of
xdc_en's dev sentences): no sentence a dev score is computed on is seen in pretraining.
Labels, answers and tags are dropped.

Documents (NSP pairs segments from one document; every document has >= 2 sentences):
- one-sentence-a-row TSVs (``sentiment``, ``ko_news_topic``): runs of
  ``SENTENCES_PER_DOCUMENT`` consecutive rows;
- sentence-pair TSVs (``pair``, ``sts_pair``): the two sentences of a row;
- multi-sentence documents (``xdc_en`` / ``xdc_ko``) and SQuAD paragraphs (``squad_*``):
  one document each, split into sentences;
- CoNLL files (``ner_*``): the tokens of a sentence joined by spaces, runs of
  ``SENTENCES_PER_DOCUMENT`` sentences.
Files are read in ``SOURCES`` order; the ids say where each document came from.
"""
from __future__ import annotations

import csv
import io
import json
import pathlib
from typing import Iterator

from bert_jax.data import text

ROOT = pathlib.Path(__file__).resolve().parents[1] / 'resources' / 'finetune'
SENTENCES_PER_DOCUMENT = 8
# language -> (file under ROOT, how it holds its text)
SOURCES = {
    'en': (('sentiment/train.tsv', 'rows'), ('pair/train.tsv', 'pairs'),
           ('sts_pair/train.tsv', 'pairs'), ('squad_en/train.json', 'squad'),
           ('ner_en/train.txt', 'conll'), ('xdc_en/train.tsv', 'documents')),
    'ko': (('ko_news_topic/train.tsv', 'rows'), ('squad_ko/train.json', 'squad'),
           ('ner_ko/train.txt', 'conll'), ('xdc_ko/train.tsv', 'documents')),
}


def _tsv_rows(path: pathlib.Path) -> list[list[str]]:
  """Data rows of a GLUE-style TSV (header dropped, no quoting)."""
  with io.StringIO(path.read_text(encoding='utf-8'), newline='') as f:
    rows = list(csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE))
  return rows[1:]


def _conll_sentences(path: pathlib.Path) -> list[str]:
  sentences, tokens = [], []
  for line in path.read_text(encoding='utf-8').splitlines() + ['']:
    fields = line.split()
    if fields and fields[0] != '-DOCSTART-':
      tokens.append(fields[0])
    elif tokens:
      sentences.append(' '.join(tokens))
      tokens = []
  return sentences


def _runs(sentences: list[str]) -> list[list[str]]:
  n = SENTENCES_PER_DOCUMENT
  return [sentences[i:i + n] for i in range(0, len(sentences), n)]


def _file_documents(path: pathlib.Path, how: str) -> list[list[str]]:
  if how == 'rows':
    return _runs([row[0] for row in _tsv_rows(path)])
  if how == 'pairs':
    return [[row[0], row[1]] for row in _tsv_rows(path)]
  if how == 'documents':
    return [text.split_sentences(row[0]) for row in _tsv_rows(path)]
  if how == 'squad':
    data = json.loads(path.read_text(encoding='utf-8'))['data']
    return [text.split_sentences(p['context']) for article in data
            for p in article['paragraphs']]
  if how == 'conll':
    return _runs(_conll_sentences(path))
  raise ValueError(f'unknown source kind {how!r}')


def dev_sentences(lang: str) -> set[str]:
  """Every sentence of the ``lang`` dev files (as their documents split them)."""
  return {text.normalize_space(s) for name, how in SOURCES[lang]
          for doc in _file_documents(ROOT / name.replace('train.', 'dev.'), how) for s in doc}


def shipped_documents(lang: str) -> Iterator[tuple[str, list[str]]]:
  """(id, sentences) of every document of the ``lang`` training splits, in a fixed order,
  without the sentences that occur in a dev file."""
  if lang not in SOURCES:
    raise ValueError(f'shipped text language {lang!r}; expected one of {sorted(SOURCES)}.')
  held_out = dev_sentences(lang)
  for name, how in SOURCES[lang]:
    for i, sentences in enumerate(_file_documents(ROOT / name, how)):
      sentences = (text.normalize_space(s) for s in sentences)
      yield f'{name}:{i}', [s for s in sentences if s and s not in held_out]
