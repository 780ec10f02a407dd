"""A ``gs://`` workdir: every file bert_jax writes itself goes through ``etils.epath``.

``etils.epath.testing.mock_epath`` routes every epath backend (gs:// included) to
functions of ours that map ``gs://bucket/...`` onto a local folder and record each path;
a ``pathlib`` / ``open()`` on a gs:// path would instead fail (or write a local ``gs:``
folder, which the test also rules out). The Orbax arrays themselves go through
TensorStore's own gs:// driver, which this machine cannot reach.
"""
from __future__ import annotations

import json
import os

import ml_collections
import pytest
from etils import epath
from etils.epath import testing as epath_testing

from bert_jax.errors import InputError
from bert_jax.sweep import grid, results
from bert_jax.train import checkpoints, metrics_writer
from bert_jax import workdir as workdir_lib
from bert_jax.workdir import as_workdir, write_model_files

from test_data_support import built

BUCKET = 'gs://bucket'


@pytest.fixture
def bucket(tmp_path, monkeypatch):
  """(local folder holding the bucket, list of every gs:// path touched)."""
  root = tmp_path / 'bucket'
  root.mkdir()
  monkeypatch.chdir(tmp_path / 'bucket')  # a stray local 'gs:' folder would land here
  seen: list[str] = []

  def local(p):
    p = os.fspath(p)
    if p.startswith(BUCKET):
      seen.append(p)
      return str(root) + p[len(BUCKET):]
    return p

  def remote(p):
    p = os.fspath(p)
    return BUCKET + p[len(str(root)):] if p.startswith(str(root)) else p

  def one(fn, path, *a, **k):
    return fn(local(path), *a, **k)

  def two(fn, path, dst, *a, **k):
    return fn(local(path), local(dst), *a, **k)

  def glob(fn, pattern):
    return [remote(p) for p in fn(local(pattern))]

  def walk(fn, top, **k):
    for d, dirs, files in fn(local(top), **k):
      yield remote(d), dirs, files

  with epath_testing.mock_epath(open=one, exists=one, isdir=one, listdir=one, makedirs=one,
                                mkdir=one, remove=one, rmtree=one, stat=one, copy=two,
                                rename=two, replace=two, glob=glob, walk=walk):
    yield root, seen
  assert not (tmp_path / 'bucket' / 'gs:').exists()


def test_trainer_files_in_a_bucket(bucket):
  root, seen = bucket
  w = as_workdir(f'{BUCKET}/run')
  assert str(w) == f'{BUCKET}/run'
  checkpoints.check_workdir(w)
  cfg = ml_collections.ConfigDict({'seed': 0, 'optimizer': {'learning_rate': 1e-3}})
  w.mkdir(parents=True, exist_ok=True)
  assert workdir_lib.write_config(w, cfg) == []
  cfg.optimizer.learning_rate = 2e-3
  assert workdir_lib.write_config(w, cfg) == ['optimizer.learning_rate']  # old one kept
  assert len(list((root / 'run').glob('config.*.json'))) == 1

  writer = metrics_writer.MetricsWriter(w, total_steps=3, progress=False, tensorboard=False)
  for step in (1, 2, 3):
    writer.write(step, {'loss': 1.0 / step})
  writer.write(3, {'mlm_accuracy': 0.5}, kind='eval')
  writer.close()
  # A resumed run from step 2 drops the later line, then appends again.
  writer = metrics_writer.MetricsWriter(w, total_steps=3, initial_step=2, progress=False,
                                        tensorboard=False)
  writer.write(3, {'loss': 0.25})
  writer.close()
  rows = [json.loads(l) for l in (root / 'run' / 'metrics.jsonl').read_text().splitlines()]
  assert rows == [{'step': 1, 'loss': 1.0}, {'step': 2, 'loss': 0.5}, {'step': 3, 'loss': 0.25}]
  assert not (root / 'run' / 'eval_metrics.jsonl').read_text()  # step 3 eval dropped too

  from bert_jax.models import BertConfig  # pylint: disable=g-import-not-at-top
  _, tokenizer = built('embedded')
  bert = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                    num_attention_heads=2, intermediate_size=64)
  write_model_files(w, bert, tokenizer=tokenizer)
  write_model_files(w, bert, tokenizer=tokenizer)  # a resumed run: same files, no error
  assert json.loads((root / 'run' / 'model_config.json').read_text())['hidden_size'] == 32
  assert (root / 'run' / 'tokenizer' / 'vocab.txt').read_bytes() == \
      epath.Path(tokenizer.source).read_bytes()
  assert f'{BUCKET}/run/config.json' in seen and f'{BUCKET}/run/metrics.jsonl' in seen

  # Reading the tokenizer back (resume, fine-tuning from this workdir) works from the bucket.
  from bert_jax.tokenization.files import load_tokenizer  # pylint: disable=g-import-not-at-top
  back = load_tokenizer(f'{BUCKET}/run/tokenizer')
  assert f'{BUCKET}/run/tokenizer/vocab.txt' in seen
  text = 'Return the number of items in a container.'
  assert back.vocab_size == tokenizer.vocab_size
  assert back.encode_ids(text) == tokenizer.encode_ids(text)
  with pytest.raises(FileNotFoundError, match='does not exist'):
    load_tokenizer(f'{BUCKET}/nowhere/tokenizer')


def test_sweep_results_in_a_bucket(bucket):
  root, seen = bucket
  trials = grid.trials_from_grid([{'learning_rate': 1e-4}], [0])
  d = epath.Path(f'{BUCKET}/sweep/trials/{trials[0].name}')
  d.mkdir(parents=True)
  (d / 'best.json').write_text(json.dumps({'metric': 'accuracy', 'metrics': {'accuracy': 0.9}}))
  main, rows = results.collect(trials, epath.Path(f'{BUCKET}/sweep'),
                               {trials[0].name: {'status': 'completed'}})
  results.write_csv(epath.Path(f'{BUCKET}/sweep/results.csv'), rows)
  assert results.plot(epath.Path(f'{BUCKET}/sweep/results.png'), rows, ['learning_rate'], main)
  assert (root / 'sweep' / 'results.csv').read_text().splitlines()[1].endswith(',0.9')
  assert (root / 'sweep' / 'results.png').is_file()
  assert f'{BUCKET}/sweep/results.csv' in seen


def test_text_corpus_files_in_a_bucket(bucket):
  """``data.files=gs://...`` globs: found, stamped and read through etils.epath."""
  from bert_jax.data import builders, text_files  # pylint: disable=g-import-not-at-top
  root, seen = bucket
  (root / 'corpus' / 'sub').mkdir(parents=True)
  (root / 'corpus' / 'a.txt').write_text('One sentence.\nTwo.\n\nNext document.\n')
  (root / 'corpus' / 'sub' / 'b.txt').write_bytes(b'caf\xe9 latin-1\nfine line\n')
  (root / 'corpus' / 'notes.md').write_text('not matched')
  paths = text_files.expand_globs(f'{BUCKET}/corpus/*.txt,{BUCKET}/corpus/sub/*.txt')
  assert paths == [f'{BUCKET}/corpus/a.txt', f'{BUCKET}/corpus/sub/b.txt']
  config = builders.text_corpus_config(f'{BUCKET}/corpus/*.txt')
  assert config.files == (f'{BUCKET}/corpus/a.txt',)
  report = text_files.ReadReport()
  lines = list(text_files.decoded_lines(paths[1], report, 'skip'))
  assert lines == ['fine line\n'] and report.invalid_places == [f'{BUCKET}/corpus/sub/b.txt:1']
  with pytest.raises(InputError, match='no file matches'):
    text_files.expand_globs(f'{BUCKET}/corpus/*.json')
  assert f'{BUCKET}/corpus/a.txt' in seen
