"""Bad input to the converter: one clear error naming the file, no partial output."""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from bert_jax.convert import hf_to_orbax, load_pretrained, orbax_io, orbax_to_hf
from bert_jax.convert.testing import save_random_hf_bert
from bert_jax.errors import InputError

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def good_hf(tmp_path_factory):
  import transformers  # noqa: F401  (a declared dependency: fail, never skip)
  return save_random_hf_bert(tmp_path_factory.mktemp('good') / 'bert', seed=3)


@pytest.fixture
def hf_copy(good_hf, tmp_path):
  return pathlib.Path(shutil.copytree(good_hf, tmp_path / 'src'))


def _cli(*args):
  return subprocess.run([sys.executable, '-m', 'bert_jax.convert', *args], cwd=ROOT,
                        capture_output=True, text=True, timeout=300)


def _assert_clean_failure(r, *needles):
  assert r.returncode == 2, (r.returncode, r.stderr)
  assert r.stderr.startswith('error: ') and 'Traceback' not in r.stderr, r.stderr
  for n in needles:
    assert str(n) in r.stderr, (n, r.stderr)


def _edit_tensors(directory, fn):
  path = directory / 'model.safetensors'
  tensors = load_file(path)
  fn(tensors)
  save_file(tensors, str(path), metadata={'format': 'pt'})


def test_cli_missing_directory(tmp_path):
  r = _cli(f'--from_hf={tmp_path / "nope"}', f'--to_orbax={tmp_path / "out"}')
  _assert_clean_failure(r, tmp_path / 'nope', 'does not exist')
  assert sorted(os.listdir(tmp_path)) == []


def test_cli_truncated_safetensors_leaves_nothing(hf_copy, tmp_path):
  path = hf_copy / 'model.safetensors'
  path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
  r = _cli(f'--from_hf={hf_copy}', f'--to_orbax={tmp_path / "out"}')
  _assert_clean_failure(r, path, 'truncated or corrupt')
  assert sorted(os.listdir(tmp_path)) == ['src']  # no output, no temp dir


def test_cli_refuses_non_empty_output_unless_overwrite(good_hf, tmp_path):
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'keep.txt').write_text('mine')
  r = _cli(f'--from_hf={good_hf}', f'--to_orbax={out}')
  _assert_clean_failure(r, out, '--overwrite')
  assert os.listdir(out) == ['keep.txt']
  # Issue 10: --overwrite onto a directory of unrelated files deleted them all.
  r = _cli(f'--from_hf={good_hf}', f'--to_orbax={out}', '--overwrite')
  _assert_clean_failure(r, out, 'not the output of a previous conversion (keep.txt')
  assert os.listdir(out) == ['keep.txt'] and (out / 'keep.txt').read_text() == 'mine'
  # A previous conversion's output is replaced.
  out2 = tmp_path / 'out2'
  for _ in range(2):
    r = _cli(f'--from_hf={good_hf}', f'--to_orbax={out2}', '--overwrite')
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out2)) == ['.bert_jax_output.json', 'hf_layout.json',
                                        'model_config.json', 'params', 'tokenizer']
  assert sorted(os.listdir(tmp_path)) == ['out', 'out2']


def test_cli_usage_errors_exit_2(tmp_path):
  assert _cli().returncode == 2
  assert _cli(f'--from_hf={tmp_path}', f'--to_hf={tmp_path / "x"}').returncode == 2


def test_directory_without_config_json(hf_copy, tmp_path):
  (hf_copy / 'config.json').unlink()
  with pytest.raises(InputError, match=f'{hf_copy / "config.json"} not found'):
    hf_to_orbax(hf_copy, tmp_path / 'out')
  empty = tmp_path / 'empty'
  empty.mkdir()
  with pytest.raises(InputError, match='config.json not found'):
    load_pretrained(empty)
  assert not (tmp_path / 'out').exists()


def test_invalid_config_json_and_unsupported_model(hf_copy):
  (hf_copy / 'config.json').write_text('{"vocab_size": 99,')
  with pytest.raises(InputError, match='config.json is not valid JSON'):
    load_pretrained(hf_copy)
  (hf_copy / 'config.json').write_text(json.dumps({'model_type': 'roberta'}))
  with pytest.raises(InputError, match="model_type='roberta'"):
    load_pretrained(hf_copy)


def test_only_pytorch_bin(hf_copy):
  (hf_copy / 'model.safetensors').rename(hf_copy / 'pytorch_model.bin')
  with pytest.raises(InputError, match=r'model.safetensors not found.*pytorch_model.bin.*'
                     'safe_serialization=True'):
    load_pretrained(hf_copy)


def test_tensor_shape_mismatch_names_tensor_and_shapes(hf_copy, tmp_path):
  name = 'bert.encoder.layer.1.intermediate.dense.weight'
  _edit_tensors(hf_copy, lambda t: t.update({name: np.zeros((36, 32), np.float32)}))
  with pytest.raises(InputError) as e:
    hf_to_orbax(hf_copy, tmp_path / 'out')
  msg = str(e.value)
  assert name in msg and '(36, 32)' in msg and '(37, 32)' in msg
  assert 'model.safetensors' in msg
  assert not (tmp_path / 'out').exists()


def test_config_that_does_not_fit_the_weights(hf_copy):
  cfg = json.loads((hf_copy / 'config.json').read_text())
  cfg['intermediate_size'] = 64
  (hf_copy / 'config.json').write_text(json.dumps(cfg))
  with pytest.raises(InputError, match=r'bert.encoder.layer.0.intermediate.dense.weight has '
                     r'shape \(37, 32\), but config.json implies \(64, 32\)'):
    load_pretrained(hf_copy)


def test_more_layers_in_the_weights_than_in_the_config(hf_copy):
  cfg = json.loads((hf_copy / 'config.json').read_text())
  cfg['num_hidden_layers'] = 1
  (hf_copy / 'config.json').write_text(json.dumps(cfg))
  with pytest.raises(InputError, match='unexpected tensor bert.encoder.layer.1.'):
    load_pretrained(hf_copy)


def test_missing_and_incomplete_tensors(hf_copy):
  _edit_tensors(hf_copy, lambda t: t.pop('cls.predictions.transform.dense.weight'))
  with pytest.raises(InputError, match='incomplete MLM head.*transform.dense.weight'):
    load_pretrained(hf_copy)
  _edit_tensors(hf_copy, lambda t: t.pop('bert.encoder.layer.0.attention.self.key.bias'))
  with pytest.raises(InputError, match=r'missing tensor bert.encoder.layer.0.attention.self.key'
                     r'.bias \(config.json implies shape \(32,\)'):
    load_pretrained(hf_copy)


def test_untied_decoder_is_refused(hf_copy):
  _edit_tensors(hf_copy, lambda t: t.update(
      {'cls.predictions.decoder.weight': t['bert.embeddings.word_embeddings.weight'] + 1}))
  with pytest.raises(InputError, match='decoder.weight differs'):
    load_pretrained(hf_copy)


def test_vocab_size_differs_from_embedding_table(hf_copy, tmp_path):
  lines = (hf_copy / 'vocab.txt').read_text().splitlines()
  (hf_copy / 'vocab.txt').write_text('\n'.join(lines[:-2]) + '\n')
  with pytest.raises(InputError) as e:
    hf_to_orbax(hf_copy, tmp_path / 'out')
  msg = str(e.value)
  assert str(hf_copy / 'vocab.txt') in msg and '97 tokens' in msg and '99 rows' in msg
  assert not (tmp_path / 'out').exists()


def test_failure_while_writing_leaves_nothing(good_hf, tmp_path, monkeypatch):
  def broken_save(path, params):
    path.mkdir()
    (path / 'partial').write_text('x')
    raise OSError('disk full')
  monkeypatch.setattr(orbax_io, 'save_params', broken_save)
  with pytest.raises(OSError, match='disk full'):
    hf_to_orbax(good_hf, tmp_path / 'out')
  assert os.listdir(tmp_path) == []


# TensorStore finishes futures of the failed read on Orbax's closed event loop.
@pytest.mark.filterwarnings('ignore::pytest.PytestUnraisableExceptionWarning')
def test_bad_orbax_inputs(good_hf, tmp_path):
  hf_to_orbax(good_hf, tmp_path / 'export')
  with pytest.raises(InputError, match='is a bert_jax export, not an HF directory'):
    hf_to_orbax(tmp_path / 'export', tmp_path / 'x')
  with pytest.raises(InputError, match='is an HF directory'):
    orbax_to_hf(good_hf, tmp_path / 'x')
  with pytest.raises(InputError, match='overlaps the input'):
    orbax_to_hf(tmp_path / 'export', tmp_path / 'export' / 'hf')
  # Corrupt the Orbax params.
  broken = pathlib.Path(shutil.copytree(tmp_path / 'export', tmp_path / 'broken'))
  for f in (broken / 'params').rglob('*'):  # truncate the array data, keep the metadata
    if f.is_file() and not f.name.startswith('_') and f.stat().st_size > 16:
      f.write_bytes(f.read_bytes()[:16])
  with pytest.raises(InputError, match=f'{broken / "params"} is not a readable Orbax'):
    orbax_to_hf(broken, tmp_path / 'x')
  r = _cli(f'--from_orbax={broken}', f'--to_hf={tmp_path / "x"}')
  _assert_clean_failure(r, broken / 'params', 'not a readable Orbax checkpoint')
  (broken / 'params' / '_METADATA').unlink()
  with pytest.raises(InputError, match=f'{broken / "params"} is not a readable Orbax'):
    load_pretrained(broken)
  (broken / 'model_config.json').write_text('not json')
  with pytest.raises(InputError, match='model_config.json is not valid JSON'):
    load_pretrained(broken)
  assert not (tmp_path / 'x').exists()
  # A workdir with no committed step.
  w = tmp_path / 'workdir'
  (w / 'checkpoints' / '5.orbax-checkpoint-tmp-9').mkdir(parents=True)
  (w / 'model_config.json').write_text((tmp_path / 'export' / 'model_config.json').read_text())
  with pytest.raises(InputError, match='no committed checkpoint step'):
    load_pretrained(w)
