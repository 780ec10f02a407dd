r"""Generates the shipped multiple-choice and regression sets from the shipped English sets.

  python tools/make_choice_and_scored_sets.py [--out bert_jax/resources/finetune]

* ``qa_choice/{train,dev}.csv`` (SWAG CSV: ``sent1, sent2, ending0..3, label``): for every
  answerable question of ``squad_en/{train,dev}.json``, ``sent1`` is the sentence of the
  passage that holds the answer, ``sent2`` the question, the endings the gold answer and
  three other answers of the same passage (else of other passages), in a seeded order;
  ``label`` the gold ending. Text: the squad_en paragraphs and questions (bert_jax authors).
* ``sts_pair/{train,dev}.tsv`` (STS-B-like ``sentence1\tsentence2\tlabel``, a 0-5
  similarity): the event frames of ``make_classification.py``'s ``pair`` set, scored by
  how the second sentence was made, on the STS-B guideline scale: 5.0 a paraphrase (same
  frame, same slot values), 3.0 one fact differs (a person, place, number, day, or the
  roles swapped: "roughly equivalent, some important information differs"), 1.0 another
  event (sharing people or places where the two frames have such slots).

Deterministic (same bytes on every run).
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import pathlib
import random
import re
import sys

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
import shipped_sets  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position
from shipped_sets import RESOURCES  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position


def _sentence_with(context: str, start: int) -> str:
  pos = 0
  for sentence in re.split(r'(?<=[.!?])\s+', context):
    pos = context.index(sentence, pos)
    if pos <= start < pos + len(sentence):
      return sentence
    pos += len(sentence)
  raise ValueError(f'no sentence holds character {start}')


def qa_choice_rows(squad_json: pathlib.Path, rng: random.Random) -> list[list[str]]:
  data = json.loads(squad_json.read_text(encoding='utf-8'))['data']
  paragraphs = [p for a in data for p in a['paragraphs']]
  all_answers = sorted({qa['answers'][0]['text'] for p in paragraphs for qa in p['qas']
                        if not qa['is_impossible']})
  rows = []
  for p in paragraphs:
    local = sorted({qa['answers'][0]['text'] for qa in p['qas'] if not qa['is_impossible']})
    for qa in p['qas']:
      if qa['is_impossible']:
        continue
      gold = qa['answers'][0]['text']
      others = [a for a in local if a.lower() != gold.lower()]
      rng.shuffle(others)
      distractors = others[:3]
      while len(distractors) < 3:
        cand = rng.choice(all_answers)
        if cand.lower() != gold.lower() and cand not in distractors:
          distractors.append(cand)
      endings = [gold] + distractors
      rng.shuffle(endings)
      sentence = _sentence_with(p['context'], qa['answers'][0]['answer_start'])
      rows.append([sentence, qa['question'], *endings, str(endings.index(gold))])
  return rows


def _pair_module():
  spec = importlib.util.spec_from_file_location('make_classification',
                                                TOOLS / 'make_classification.py')
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def scored_pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
  """``n`` (sentence1, sentence2, score) rows: a third each of 5.0, 3.0 and 1.0."""
  m = _pair_module()
  rows, seen = [], set()
  while len(rows) < n:
    f_i = rng.randrange(len(m.FRAMES))
    frame = m.FRAMES[f_i]
    i, j = rng.sample(range(len(frame)), 2)
    values = m._draw(rng, m._slot_names(' '.join(frame)))  # pylint: disable=protected-access
    kind = len(rows) % 3
    s1 = m._fill(frame[i], values)  # pylint: disable=protected-access
    if kind == 0:
      s2, score = m._fill(frame[j], values), '5.0'  # pylint: disable=protected-access
    elif kind == 1:
      s2, score = m._fill(frame[j], m._changed(rng, frame, values)), '3.0'  # pylint: disable=protected-access
    else:
      other = m.FRAMES[rng.choice([k for k in range(len(m.FRAMES)) if k != f_i])]
      t = rng.choice(other)
      other_values = m._draw(rng, m._slot_names(t))  # pylint: disable=protected-access
      other_values.update({k: v for k, v in values.items() if k in other_values})
      s2, score = m._fill(t, other_values), '1.0'  # pylint: disable=protected-access
    if (s1, s2) in seen or s1 == s2:
      continue
    seen.add((s1, s2))
    rows.append((s1, s2, score))
  return rows


def _write(path: pathlib.Path, text: str) -> None:
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(text, encoding='utf-8', newline='')


def write(out: pathlib.Path) -> dict[str, int]:
  counts = {}
  rng = random.Random(4)
  header = ['sent1', 'sent2', 'ending0', 'ending1', 'ending2', 'ending3', 'label']
  for split in ('train', 'dev'):
    rows = qa_choice_rows(RESOURCES / 'squad_en' / f'{split}.json', rng)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    _write(out / 'qa_choice' / f'{split}.csv', buf.getvalue())
    counts[f'qa_choice/{split}.csv'] = len(rows)
  pairs = scored_pairs(random.Random(5), 480)
  for split, part in (('train', pairs[:360]), ('dev', pairs[360:])):
    lines = ['sentence1\tsentence2\tlabel'] + ['\t'.join(r) for r in part]
    _write(out / 'sts_pair' / f'{split}.tsv', '\n'.join(lines) + '\n')
    counts[f'sts_pair/{split}.tsv'] = len(part)
  return counts


if __name__ == '__main__':
  shipped_sets.main(write, __doc__, 'rows')
