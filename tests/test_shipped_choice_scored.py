"""The shipped multiple-choice (``qa_choice``) and regression (``sts_pair``) sets."""
import collections
import filecmp
import pathlib
import subprocess
import sys

from bert_jax.tasks import readers
from bert_jax.tasks.classification import read_swag_csv
from bert_jax.tasks.shipped import shipped_path

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_qa_choice_gold_answer_is_in_the_passage_sentence_and_distractors_differ():
  for split, n in (('train', 225), ('dev', 60)):
    examples = read_swag_csv(shipped_path(f'qa_choice/{split}.csv'))
    assert len(examples) == n
    for ex in examples:
      sentence, *choices = ex.texts
      question = choices[0].split('? ', 1)[0] + '?'
      assert all(c.startswith(question + ' ') for c in choices)  # question + ' ' + answer
      answers = [c[len(question) + 1:] for c in choices]
      assert len({a.lower() for a in answers}) == 4, ex
      assert answers[int(ex.label)] in sentence, ex
    counts = collections.Counter(ex.label for ex in examples)
    assert set(counts) == {'0', '1', '2', '3'}


def test_sts_pair_scores_are_balanced_on_the_sts_scale():
  for split, n in (('train', 360), ('dev', 120)):
    examples = readers.read_glue_tsv(shipped_path(f'sts_pair/{split}.tsv'),
                                     ('sentence1', 'sentence2'), 'label')
    assert len(examples) == n
    assert collections.Counter(ex.label for ex in examples) == {
        '5.0': n // 3, '3.0': n // 3, '1.0': n // 3}
    assert all(ex.texts[0] != ex.texts[1] for ex in examples)


def test_generator_reproduces_the_shipped_files(tmp_path):
  r = subprocess.run([sys.executable, str(ROOT / 'tools/make_choice_and_scored_sets.py'),
                      '--out', str(tmp_path)], capture_output=True, text=True, timeout=120)
  assert r.returncode == 0, r.stderr
  made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*') if p.is_file())
  assert made == ['qa_choice/dev.csv', 'qa_choice/train.csv', 'sts_pair/dev.tsv',
                  'sts_pair/train.tsv']
  for name in made:
    assert filecmp.cmp(tmp_path / name, shipped_path(name), shallow=False), name
