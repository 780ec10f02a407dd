"""bert_jax.fileio: every bad user file is one InputError that names it."""
import pytest

from bert_jax import fileio
from bert_jax.errors import InputError


def test_reads_text_lines_and_json(tmp_path):
  (tmp_path / 'a.txt').write_text('x\ny\n', encoding='utf-8')
  (tmp_path / 'a.json').write_text('{"k": [1, 2]}', encoding='utf-8')
  assert fileio.read_text(tmp_path / 'a.txt') == 'x\ny\n'
  assert list(fileio.read_lines(tmp_path / 'a.txt')) == [(1, 'x'), (2, 'y')]
  assert fileio.read_json(tmp_path / 'a.json') == {'k': [1, 2]}


@pytest.mark.parametrize('content, expected', [
    (b'ok\nLatin-1 caf\xe9\n', r'a.txt:2: not valid UTF-8 \(byte 0xe9\)'),
    (b'  \n', 'corpus .*a.txt is empty'),
])
def test_bad_bytes_and_empty_files_name_the_file(tmp_path, content, expected):
  (tmp_path / 'a.txt').write_bytes(content)
  with pytest.raises(InputError, match=expected):
    fileio.read_text(tmp_path / 'a.txt', what='corpus')
  with pytest.raises(InputError, match=expected):
    list(fileio.read_lines(tmp_path / 'a.txt', what='corpus'))


def test_missing_path_directory_and_invalid_json(tmp_path):
  with pytest.raises(InputError, match='does not exist'):
    fileio.read_text(tmp_path / 'nope.tsv')
  with pytest.raises(InputError, match='is a directory; expected a file'):
    fileio.read_text(tmp_path)
  (tmp_path / 'b.json').write_text('{\n  "a": ,\n}', encoding='utf-8')
  with pytest.raises(InputError, match=r'b.json:2:8: not valid JSON'):
    fileio.read_json(tmp_path / 'b.json')
