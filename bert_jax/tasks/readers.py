"""Readers for the fine-tuning file formats: GLUE TSV, SQuAD JSON, CoNLL columns.

Each returns plain Python examples and fails with an error that names the file
(and line or question id) and what was expected. Files are read through
``bert_jax.fileio`` (local or bucket paths; missing, directory, empty and non-UTF-8
files are one ``InputError`` naming ``file:line``).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
from typing import Any, Collection, Sequence

from bert_jax import fileio
from bert_jax.errors import InputError

PathLike = str | os.PathLike


class DataFormatError(InputError):
  """A data file does not have the expected format (an ``InputError``: CLIs report it)."""


# ----------------------------------------------------------------------------
# GLUE-style TSV.
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TextExample:
  """One classification example: 1 or 2 texts and a label (None if unlabelled)."""
  texts: tuple[str, ...]
  label: str | None
  line: int  # 1-based line in the file, for error messages


def read_glue_tsv(path: PathLike, text_fields: Sequence[str | int],
                  label_field: str | int | None = 'label', *,
                  label_set: Collection[str] | None = None,
                  has_header: bool = True) -> list[TextExample]:
  """Reads a tab-separated file with a header row (GLUE format).

  Args:
    path: the .tsv file.
    text_fields: header names of the text columns, e.g. ``('sentence',)`` or
      ``('sentence1', 'sentence2')``; or 0-based column numbers (files without a
      header such as CoLA's, or to pick a column by position).
    label_field: header name (or column number) of the label column; ``None`` for
      unlabelled files.
    label_set: if given, every label must be one of these.
    has_header: False for files whose first line is already data (CoLA); columns must
      then be given by number.
  Returns:
    Examples in file order. No quoting: fields may contain quote characters.
  """
  path = fileio.as_path(path)
  wanted = list(text_fields) + ([label_field] if label_field is not None else [])
  text = fileio.read_text(path, what='TSV file')
  with io.StringIO(text, newline='') as f:
    rows = csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE)
    first = 1
    if has_header:
      header = next(rows, None)
      if header is None:
        raise DataFormatError(f'{path}: empty file, expected a header row.')
      first = 2
    else:
      rows = list(rows)
      header = [str(i) for i in range(len(rows[0]))] if rows else []
      named = [n for n in wanted if not isinstance(n, int)]
      if named:
        raise DataFormatError(f'{path}: has_header=False needs column numbers, got names '
                              f'{named}.')
    missing = [name for name in wanted
               if (name >= len(header) if isinstance(name, int) else name not in header)]
    if missing and header:
      raise DataFormatError(f'{path}:1: header has no column(s) {missing}; columns are '
                            f'{header}.')
    cols = [name if isinstance(name, int) else header.index(name) for name in wanted]
    examples = []
    for lineno, row in enumerate(rows, start=first):
      if not row or (len(row) == 1 and not row[0].strip()):
        continue
      if len(row) != len(header):
        raise DataFormatError(f'{path}:{lineno}: expected {len(header)} tab-separated '
                              f'fields, got {len(row)}.')
      values = [row[c] for c in cols]
      label = values.pop() if label_field is not None else None
      if label_set is not None and label not in label_set:
        raise DataFormatError(f'{path}:{lineno}: unknown label {label!r}; expected one of '
                              f'{sorted(label_set)}.')
      examples.append(TextExample(tuple(values), label, lineno))
  return examples


# ----------------------------------------------------------------------------
# SQuAD JSON (v1.1 and v2.0).
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Answer:
  text: str
  start: int  # character offset in the context


@dataclasses.dataclass(frozen=True)
class SquadExample:
  """One question over one context."""
  qas_id: str
  question: str
  context: str
  answers: tuple[Answer, ...]  # empty iff is_impossible
  is_impossible: bool
  title: str = ''


def read_squad_json(path: PathLike, *, check_offsets: bool = True,
                    labelled: bool = True) -> list[SquadExample]:
  """Reads a SQuAD v1.1/v2.0 file (``data -> paragraphs -> qas``).

  ``is_impossible`` defaults to "no answers" when the key is absent (v1.1).
  Every answer must satisfy ``context[start:start + len(text)] == text`` (unless
  ``check_offsets`` is False); question ids must be unique. ``labelled=False`` reads
  questions to predict: answers are optional (and ignored).
  """
  path = fileio.as_path(path)
  try:
    obj = fileio.read_json(path, what='SQuAD file')
  except InputError as e:  # the file's bytes or JSON: a format error of the data file
    raise DataFormatError(str(e)) from None
  if not isinstance(obj, dict) or not isinstance(obj.get('data'), list):
    raise DataFormatError(f"{path}: expected a JSON object with a 'data' list (SQuAD format).")
  examples: list[SquadExample] = []
  seen: set[str] = set()
  for a_i, article in enumerate(obj['data']):
    article = _json_type(article, dict, f'{path}: data[{a_i}]', 'an object (article)')
    title = article.get('title', '')
    paragraphs = _json_type(article.get('paragraphs', []), list,
                            f'{path}: data[{a_i}].paragraphs', 'a list')
    for p_i, paragraph in enumerate(paragraphs):
      where = f'{path}: data[{a_i}].paragraphs[{p_i}]'
      paragraph = _json_type(paragraph, dict, where, 'an object (paragraph)')
      context = paragraph.get('context')
      if not isinstance(context, str):
        raise DataFormatError(f"{where}: missing 'context' string.")
      qas = _json_type(paragraph.get('qas', []), list, f'{where}.qas', 'a list')
      for q_i, qa in enumerate(qas):
        qa = _json_type(qa, dict, f'{where}.qas[{q_i}]', 'an object (question)')
        qid = qa.get('id')
        if not isinstance(qid, str) or not qid:
          raise DataFormatError(f"{where}.qas[{q_i}]: a question has no 'id' string.")
        if qid in seen:
          raise DataFormatError(f'{path}: duplicate question id {qid!r}.')
        seen.add(qid)
        answers = []
        for ans in _json_type(qa.get('answers', []), list,
                              f'{path}: question {qid!r}: answers', 'a list'):
          try:
            text, start = ans['text'], ans['answer_start']
            if not isinstance(text, str) or isinstance(start, bool):
              raise TypeError
            start = int(start)
          except (KeyError, TypeError, ValueError):
            raise DataFormatError(f"{path}: question {qid!r}: each answer needs a 'text' "
                                  f"string and an integer 'answer_start', got {ans!r}."
                                  ) from None
          if check_offsets and context[start:start + len(text)] != text:
            found = context[start:start + len(text)]
            raise DataFormatError(
                f'{path}: question {qid!r}: answer {text!r} does not match the context at '
                f'answer_start={start} (context has {found!r} there).')
          answers.append(Answer(text, start))
        if not labelled:
          answers = []
          is_impossible = False
        else:
          is_impossible = bool(qa.get('is_impossible', not answers))
        if is_impossible and answers:
          raise DataFormatError(f'{path}: question {qid!r} is_impossible but has answers.')
        if labelled and not is_impossible and not answers:
          raise DataFormatError(f'{path}: question {qid!r} has no answers and is not '
                                'marked is_impossible.')
        question = qa.get('question')
        if not isinstance(question, str) or not question.strip():
          raise DataFormatError(f"{path}: question {qid!r} has no 'question' text.")
        examples.append(SquadExample(qid, question, context, tuple(answers), is_impossible,
                                     title))
  return examples


def _json_type(value: Any, kind: type, where: str, expected: str) -> Any:
  if not isinstance(value, kind):
    raise DataFormatError(f'{where}: expected {expected}, got {type(value).__name__} '
                          f'{str(value)[:60]!r}.')
  return value


# ----------------------------------------------------------------------------
# CoNLL column format.
# ----------------------------------------------------------------------------
def read_conll(path: PathLike, label_set: Collection[str] | None = None
               ) -> list[tuple[list[str], list[str]]]:
  """Reads ``token ... tag`` lines (token first, tag last; blank line = new sentence).

  ``-DOCSTART-`` lines are skipped. If ``label_set`` is given, every tag must be
  in it. Returns ``[(tokens, tags), ...]``.
  """
  path = fileio.as_path(path)
  sentences: list[tuple[list[str], list[str]]] = []
  tokens: list[str] = []
  tags: list[str] = []
  for lineno, line in fileio.read_lines(path, what='CoNLL file'):
    fields = line.split()
    if not fields or fields[0] == '-DOCSTART-':
      if tokens:
        sentences.append((tokens, tags))
        tokens, tags = [], []
      continue
    if len(fields) < 2:
      raise DataFormatError(f'{path}:{lineno}: expected "token ... tag" (>= 2 columns), '
                            f'got {line.rstrip()!r}.')
    if label_set is not None and fields[-1] not in label_set:
      raise DataFormatError(f'{path}:{lineno}: unknown label {fields[-1]!r}; expected one '
                            f'of {sorted(label_set)}.')
    tokens.append(fields[0])
    tags.append(fields[-1])
  if tokens:
    sentences.append((tokens, tags))
  return sentences
