"""Issue 10 rows for bad input files and config values: one line naming the file:line (or
the question id / the key), exit status 2, before any work."""
import json
import subprocess
import sys

import pytest

from bert_jax.convert.testing import minilm_dir
from bert_jax.errors import InputError
from bert_jax.tasks import readers, sources
from test_train_support import REPO, cli_env, pretrain_cmd

LATIN1 = 'caf\u00e9'.encode('latin-1')  # b'caf\xe9': not UTF-8

SQUAD = {'version': 'v2.0', 'data': [{'title': 't', 'paragraphs': [{
    'context': 'The cat sat on the mat.',
    'qas': [{'id': 'q1', 'question': 'Who sat?', 'answers': [{'text': 'cat', 'answer_start': 4}]},
            {'id': 'q2', 'question': 'Where?', 'answers': [{'text': 'mat', 'answer_start': 19}]}]
}]}]}


def _tsv(path, bad_line=None):
  lines = [b'sentence\tlabel', b'good movie\t1', b'bad movie\t0', b'fine film\t1']
  if bad_line:
    lines[bad_line - 1] = LATIN1 + b' movie\t1'
  path.write_bytes(b'\n'.join(lines) + b'\n')
  return path


def _conll(path, bad_line=None):
  lines = [b'John B-PER', b'lives O', b'', b'Paris B-LOC', b'. O']
  if bad_line:
    lines[bad_line - 1] = LATIN1 + b' O'
  path.write_bytes(b'\n'.join(lines) + b'\n')
  return path


def _squad(path, bad_line=None):
  lines = json.dumps(SQUAD, indent=1).encode().split(b'\n')
  if bad_line:
    lines[bad_line - 1] = lines[bad_line - 1].replace(b'The cat', LATIN1)
  path.write_bytes(b'\n'.join(lines))
  return path


READERS = {
    'tsv': (_tsv, lambda p: readers.read_glue_tsv(p, ('sentence',), 'label'), 'TSV file'),
    'conll': (_conll, readers.read_conll, 'CoNLL file'),
    'squad': (_squad, readers.read_squad_json, 'SQuAD file'),
}


@pytest.mark.parametrize('kind', sorted(READERS))
def test_latin1_byte_names_file_and_line(tmp_path, kind):
  write, read, _ = READERS[kind]
  assert read(write(tmp_path / 'good'))  # the same file without the byte reads
  squad_line = 1 + [i for i, line in enumerate(json.dumps(SQUAD, indent=1).split('\n'))
                    if '"context"' in line][0]
  bad_line = {'tsv': 3, 'conll': 4, 'squad': squad_line}[kind]
  path = write(tmp_path / 'bad', bad_line)
  with pytest.raises(InputError) as e:
    read(path)
  assert str(e.value) == (f'{path}:{bad_line}: not valid UTF-8 (byte 0xe9); save the file as '
                          'UTF-8.')


@pytest.mark.parametrize('kind', sorted(READERS))
def test_missing_directory_and_empty_files(tmp_path, kind):
  _, read, what = READERS[kind]
  (tmp_path / 'empty').write_bytes(b'')
  (tmp_path / 'blank').write_bytes(b'\n \n')
  for name, says in (('nope', 'does not exist'), ('', 'is a directory; expected a file'),
                     ('empty', 'is empty'), ('blank', 'is empty')):
    path = tmp_path / name
    with pytest.raises(InputError, match=f'^{what} {path}.* {says}'):
      read(path)


@pytest.mark.parametrize('edit,says', [
    (lambda d: d['data'][0]['paragraphs'][0]['qas'][0]['answers'][0].update(text=12),
     "question 'q1': each answer needs a 'text' string and an integer 'answer_start'"),
    (lambda d: d['data'].__setitem__(0, 'an article'),
     "data[0]: expected an object (article), got str 'an article'"),
    (lambda d: d['data'][0]['paragraphs'][0]['qas'].__setitem__(1, ['q2']),
     'data[0].paragraphs[0].qas[1]: expected an object (question), got list'),
    (lambda d: d['data'][0].__setitem__('paragraphs', {'context': 'x'}),
     'data[0].paragraphs: expected a list, got dict'),
    (lambda d: d['data'][0]['paragraphs'][0]['qas'][1].update(answers='mat'),
     "question 'q2': answers: expected a list, got str"),
    (lambda d: d['data'][0]['paragraphs'][0]['qas'][0]['answers'][0].update(answer_start=True),
     "question 'q1': each answer needs"),
])
def test_squad_type_errors_name_the_place(tmp_path, edit, says):
  data = json.loads(json.dumps(SQUAD))
  edit(data)
  path = tmp_path / 'squad.json'
  path.write_text(json.dumps(data))
  with pytest.raises(readers.DataFormatError) as e:
    readers.read_squad_json(path)
  assert str(e.value).startswith(f'{path}: ') and says in str(e.value), str(e.value)


def test_data_file_that_is_a_directory(tmp_path):
  with pytest.raises(InputError, match=r"data.train_file='.*': .* is a directory; expected a"):
    sources.resolve_path(str(tmp_path), 'data.train_file')


def _run(args, timeout=300):
  return subprocess.run([sys.executable, *args], cwd=REPO, env=cli_env(), capture_output=True,
                        text=True, timeout=timeout)


def _one_error_line(out, says):
  assert out.returncode == 2, (out.returncode, out.stderr[-3000:])
  assert 'Traceback' not in out.stderr, out.stderr[-3000:]
  lines = out.stderr.strip().splitlines()
  assert lines[-1].startswith('error: ') and says in lines[-1], out.stderr[-3000:]
  assert sum(line.startswith('error: ') for line in lines) == 1


@pytest.mark.parametrize('module', ['bert_jax.metrics.squad', 'bert_jax.metrics.conlleval'])
def test_metrics_clis_given_a_directory(tmp_path, module):
  args = ['-m', module, str(tmp_path)] + ([str(tmp_path)] if module.endswith('squad') else [])
  _one_error_line(_run(args), f'{tmp_path} is a directory; expected a file.')


def test_metrics_clis_given_latin1(tmp_path):
  conll = tmp_path / 'c.txt'
  conll.write_bytes(b'John B-PER B-PER\n' + LATIN1 + b' O O\n')
  _one_error_line(_run(['-m', 'bert_jax.metrics.conlleval', str(conll)]),
                  f'{conll}:2: not valid UTF-8')
  data = _squad(tmp_path / 'd.json', bad_line=1)  # line 1 has no context: changed below
  text = json.dumps(SQUAD, indent=1).encode().split(b'\n')
  line = next(i for i, t in enumerate(text) if b'"context"' in t)
  text[line] = text[line].replace(b'The cat', LATIN1)
  data.write_bytes(b'\n'.join(text))
  _one_error_line(_run(['-m', 'bert_jax.metrics.squad', str(data), str(data)]),
                  f'{data}:{line + 1}: not valid UTF-8')


@pytest.mark.parametrize('override,says', [
    ('--config.num_train_stepz=5',
     '--config.num_train_stepz: no such config key; did you mean --config.num_train_steps?'),
    ('--config.optimizer.learning_rate=nan',
     '--config.optimizer.learning_rate=nan; expected a finite number.'),
    ('--config.optimizer.learning_rate=0', 'expected a learning rate > 0'),
    ('--config.num_train_steps=five', "flag --config.num_train_steps=five: invalid literal"),
    ('--config.optimizer.b2=1.5', '--config.optimizer.b2=1.5; expected 0 <= b2 < 1.'),
    ('--config.init_from=/tmp/p1', '--config.init_from: no such config key; did you mean '
     '--config.init_checkpoint? (init_from was renamed init_checkpoint: docs/CONFIG.md)'),
])
def test_pretrain_config_errors(tmp_path, override, says):
  workdir = tmp_path / 'w'
  _one_error_line(_run(pretrain_cmd(workdir, override)[1:]), says)
  assert not workdir.exists()  # before any work


@pytest.mark.parametrize('override,says', [
    ('--config.optimizer.learning_rat=1e-3', '--config.optimizer.learning_rat: no such config '
     'key; did you mean --config.optimizer.learning_rate?'),
    ('--config.optimizer.learning_rate=nan',
     '--config.optimizer.learning_rate=nan; expected a finite number.'),
    ('--config.optimizer.recipe=tf', "--config.optimizer.recipe='tf'; expected bert"),
    # The old fine-tuning names point at the one schema's (docs/CONFIG.md).
    ('--config.batch_size=8', '--config.batch_size: no such config key; did you mean '
     '--config.global_batch_size? (batch_size was renamed global_batch_size: docs/CONFIG.md)'),
    ('--config.learning_rate=1e-4', '--config.learning_rate: no such config key; did you mean '
     '--config.optimizer.learning_rate? (learning_rate was renamed optimizer.learning_rate: '
     'docs/CONFIG.md)'),
    ('--config.max_seq_length=64', '--config.max_seq_length: no such config key; did you mean '
     '--config.data.max_seq_length? (max_seq_length was renamed data.max_seq_length: '
     'docs/CONFIG.md)'),
    ('--config.recipe=hf', '--config.recipe: no such config key; did you mean '
     '--config.optimizer.recipe? (recipe was renamed optimizer.recipe: docs/CONFIG.md)'),
    ('--config.data.train_file=/', "data.train_file='/': / is a directory; expected a file."),
])
def test_finetune_config_and_file_errors(tmp_path, override, says):
  workdir = tmp_path / 'w'
  _one_error_line(_run(['-m', 'bert_jax.finetune', '--config=experiments/classification.py:sst2',
                        f'--workdir={workdir}', '--config.init_checkpoint=' + str(minilm_dir()),
                        override]), says)
  assert not workdir.exists()


@pytest.mark.parametrize('module', ['bert_jax.pretrain', 'bert_jax.finetune'])
def test_help_documents_the_exit_statuses(module):
  out = _run(['-m', module, '--help'])
  assert out.returncode == 0, out.stderr[-2000:]
  text = ' '.join(out.stdout.split())
  assert 'Ctrl-C saves a checkpoint and exits' in text and '75' in text
  assert 'One run' in text and 'per workdir' in text
