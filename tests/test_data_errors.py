"""Bad input: a clear error naming the file/field, or a counted skip; never a hang."""
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_jax import errors
from bert_jax.data import ExampleOptions, PretrainingExamples, make_pretrain_iterator
from bert_jax.data import open_corpus, split_documents
from test_data_support import data_config, write_text_corpus

pytestmark = pytest.mark.timeout(120)

GOOD = [[f'Document {d} sentence {s} talks about item {d * s}.' for s in range(6)]
        for d in range(8)]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config(tmp_path, files, **overrides):
  settings = dict(data_dir=str(tmp_path / 'data'), vocab_size=200, eval_fraction=0.0)
  return data_config('text_corpus', files=files, **{**settings, **overrides})


def test_glob_that_matches_nothing(tmp_path):
  with pytest.raises(errors.InputError, match=r'no file matches .*nothing-\*\.txt'):
    open_corpus(_config(tmp_path, str(tmp_path / 'nothing-*.txt')))
  with pytest.raises(errors.InputError, match='data.files is empty'):
    open_corpus(_config(tmp_path, ''))


def test_empty_file_is_counted_and_all_empty_is_an_error(tmp_path):
  good = write_text_corpus(tmp_path / 'in', GOOD)
  (tmp_path / 'in' / 'empty.txt').write_bytes(b'')
  corpus = open_corpus(_config(tmp_path, str(tmp_path / 'in' / '*.txt')))
  assert corpus.counts['empty_files'] == 1 and corpus.counts['documents'] == 8
  assert any('empty.txt: empty file' in p for p in corpus.counts['problems'])
  assert good.is_file()
  with pytest.raises(errors.InputError, match=r"empty.txt'\]: no document with at least 2"):
    open_corpus(_config(tmp_path, str(tmp_path / 'in' / 'empty.txt')))


def _with_bad_utf8(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD)
  lines = path.read_bytes().split(b'\n')
  lines[2] = b'Broken \xff\xfe line.'  # Line 3 of the file.
  path.write_bytes(b'\n'.join(lines))
  return path


def test_invalid_utf8_is_skipped_and_reported(tmp_path, capsys):
  path = _with_bad_utf8(tmp_path)  # 1 of 55 lines: above the default 1 %, allowed here
  corpus = open_corpus(_config(tmp_path, str(path), max_invalid_utf8_fraction=0.02))
  assert (f'warning: 1 of 55 lines (1.82%) are not valid UTF-8 and were skipped: {path}:3'
          in capsys.readouterr().err)
  assert corpus.counts['invalid_utf8_lines'] == 1
  assert corpus.counts['sentences'] == 6 * 8 - 1 and corpus.counts['documents'] == 8
  assert f'{path}:3: invalid UTF-8' in corpus.counts['problems'][0]


def test_half_latin1_corpus_fails_unless_allowed(tmp_path, capsys):
  """Issue 10: half the lines in Latin-1 used to build silently with half the text gone."""
  path = write_text_corpus(tmp_path / 'in', GOOD)
  lines = path.read_bytes().split(b'\n')
  bad = [i for i in range(0, len(lines), 2) if lines[i]]
  for i in bad:
    lines[i] = lines[i].decode().replace('item', 'caf\u00e9').encode('latin-1')
  path.write_bytes(b'\n'.join(lines))
  first = ', '.join(f'{path}:{i + 1}' for i in bad[:5])
  with pytest.raises(errors.InputError) as e:
    open_corpus(_config(tmp_path, str(path)))
  n_lines = len(path.read_bytes().splitlines())
  assert str(e.value).startswith(f'{len(bad)} of {n_lines} lines')
  assert f'skipped: {first} ...; that is more than data.max_invalid_utf8_fraction=0.01' in str(
      e.value)
  corpus = open_corpus(_config(tmp_path, str(path), max_invalid_utf8_fraction=1.0))
  assert corpus.counts['invalid_utf8_lines'] == len(bad)
  assert f'are not valid UTF-8 and were skipped: {first} ...' in capsys.readouterr().err


def test_invalid_utf8_can_be_an_error(tmp_path):
  path = _with_bad_utf8(tmp_path)
  with pytest.raises(errors.InputError, match=rf'{path}:3: invalid UTF-8.*invalid_utf8=skip'):
    open_corpus(_config(tmp_path, str(path), invalid_utf8='error'))
  with pytest.raises(errors.InputError, match='invalid_utf8'):
    open_corpus(_config(tmp_path, str(path), invalid_utf8='ignore'))


def test_one_sentence_documents_are_skipped_and_counted(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD + [['Only one sentence here.']] * 3)
  corpus = open_corpus(_config(tmp_path, str(path)))
  assert corpus.counts['skipped_short_documents'] == 3 and corpus.counts['documents'] == 8


def test_sentence_longer_than_max_seq_length(tmp_path):
  long = ' '.join(f'word{i % 50}' for i in range(400)) + '.'
  docs = [[long, 'A short one.'], [long, long], *GOOD]
  path = write_text_corpus(tmp_path / 'in', docs)
  cfg = _config(tmp_path, str(path), max_seq_length=32, max_predictions_per_seq=5)
  it, tok = make_pretrain_iterator(cfg, global_batch_size=4, seed=0, process_index=0,
                                   process_count=1)
  seen_long = False
  for _ in range(20):
    b = next(it)
    assert b['input_ids'].shape == (4, 32)
    assert ((b['input_ids'] == tok.sep_id).sum(1) == 2).all()  # Both segments present.
    seen_long |= bool(b['attention_mask'].all(1).any())
  assert seen_long  # Truncated to max_seq_length, not dropped.


def test_too_few_documents_and_bad_values(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD[:3])
  with pytest.raises(errors.InputError, match='too few'):
    make_pretrain_iterator(_config(tmp_path, str(path), eval_fraction=0.5),
                           global_batch_size=2, seed=0, process_index=0, process_count=1)
  with pytest.raises(errors.InputError, match='cannot be shared by 4 processes'):
    make_pretrain_iterator(_config(tmp_path, str(path), process_split='documents'),
                           global_batch_size=4, seed=0, process_index=3, process_count=4)
  with pytest.raises(errors.InputError, match='masked_lm_prob'):
    make_pretrain_iterator(_config(tmp_path, str(path), masked_lm_prob=0.0),
                           global_batch_size=2, seed=0, process_index=0, process_count=1)
  with pytest.raises(errors.InputError, match='multiple of the process count'):
    make_pretrain_iterator(_config(tmp_path, str(path)), global_batch_size=3, seed=0,
                           process_index=0, process_count=2)
  eight = write_text_corpus(tmp_path / 'eight', GOOD)
  with pytest.raises(errors.InputError, match='fewer than one global batch of 512'):
    make_pretrain_iterator(_config(tmp_path, str(eight), eval_fraction=0.1), split='eval',
                           global_batch_size=512, seed=0, process_index=0, process_count=1)
  with pytest.raises(errors.InputError, match="data.corpus='bogus'"):
    open_corpus(data_config('bogus'))
  with pytest.raises(errors.InputError, match='not prepared'):
    open_corpus(data_config('tfds:mnist', data_dir=str(tmp_path / 'no-tfds')))
  with pytest.raises(errors.InputError, match='data.vocab'):
    make_pretrain_iterator(_config(tmp_path, str(path), vocab=str(tmp_path / 'missing.txt')),
                           global_batch_size=2, seed=0, process_index=0, process_count=1)


def test_documents_whose_sentences_tokenize_to_nothing(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD)
  cfg = _config(tmp_path, str(path))
  corpus = open_corpus(cfg)
  from bert_jax.data import get_tokenizer  # pylint: disable=import-outside-toplevel
  tok = get_tokenizer(cfg, corpus)
  train, _ = split_documents(len(corpus.documents), 0.0)
  maker = PretrainingExamples(corpus.documents, train, tok, seed=0,
                              options=ExampleOptions.from_config(cfg))
  maker.tokenized = lambda doc: [[] for _ in range(5)]
  assert maker(0, 0) == []  # No example, no error, no endless loop.


def _prepare(*args):
  return subprocess.run([sys.executable, '-m', 'bert_jax.data.prepare', *args],
                        capture_output=True, text=True, cwd=REPO, timeout=120,
                        env={**os.environ, 'JAX_PLATFORMS': 'cpu'})


def test_prepare_cli_counts_and_inspects(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD)
  out = _prepare('--config.corpus=text_corpus', f'--config.files={path}',
                 f'--config.data_dir={tmp_path / "data"}', '--config.vocab_size=200',
                 '--config.eval_fraction=0.25', '--inspect=2')
  assert out.returncode == 0, out.stderr
  for line in ('documents   8 (train 6, eval 2)', 'sentences   48', 'tokens', 'examples',
               '--- example 1:', '--- example 2:', 'A: ', 'B: ', '[MASK→'):
    assert line in out.stdout, (line, out.stdout)
  bad = _prepare('--config.corpus=text_corpus', f'--config.files={tmp_path}/none*.txt',
                 f'--config.data_dir={tmp_path / "data"}')
  assert bad.returncode == errors.EXIT_BAD_INPUT
  assert bad.stderr.strip().splitlines()[-1].startswith('error: data.files: no file matches')


def test_masked_positions_never_point_at_padding(tmp_path):
  path = write_text_corpus(tmp_path / 'in', GOOD)
  it, _ = make_pretrain_iterator(_config(tmp_path, str(path), max_seq_length=64),
                                 global_batch_size=8, seed=0, process_index=0, process_count=1)
  b = next(it)
  rows, cols = np.nonzero(b['masked_lm_weights'])
  assert (b['attention_mask'][rows, b['masked_lm_positions'][rows, cols]] == 1).all()
