"""Feature extraction: layer combinations, reference JSON layout, values vs transformers."""
import json
import os
import pathlib
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import pytest

from bert_jax import features
from bert_jax.convert.testing import minilm_dir
from bert_jax.errors import InputError
from bert_jax.extract_features import main

MINILM = minilm_dir()
ROOT = pathlib.Path(__file__).resolve().parents[1]
LINES = ['The quick brown fox jumps over the lazy dog.',
         '한국어 문장 ||| and an English second segment',
         '',
         'Hello, world!']


def test_combine_layers_is_the_papers_table():
  hs = np.random.default_rng(0).normal(size=(7, 2, 3, 4)).astype(np.float32)  # 6 layers
  expect = {'first': hs[0], 'last': hs[6], 'second_to_last': hs[5],
            'sum_last_four': hs[3] + hs[4] + hs[5] + hs[6], 'sum_all': hs[1:].sum(0),
            'concat_last_four': np.concatenate([hs[6], hs[5], hs[4], hs[3]], -1)}
  assert set(expect) == set(features.COMBINATIONS)
  for how, want in expect.items():
    got = features.combine_layers(hs, how)
    np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=how)
    np.testing.assert_allclose(np.asarray(features.combine_layers(jnp.asarray(hs), how)), want,
                               rtol=1e-6, err_msg=how)
  assert features.combine_layers(hs, 'concat_last_four').shape == (2, 3, 16)
  with pytest.raises(InputError, match='combine'):
    features.combine_layers(hs, 'mean')
  with pytest.raises(InputError, match='at least 4'):
    features.combine_layers(hs[:3], 'sum_last_four')
  np.testing.assert_array_equal(features.select_layers(hs, [-1, 0, -6]), hs[[6, 1, 1]])
  with pytest.raises(InputError, match=r'\[-6, 5\]'):
    features.select_layers(hs, [-7])


def test_round6_equals_python_round():
  rng = np.random.default_rng(0)
  x = np.concatenate([rng.normal(scale=s, size=20000) for s in (1e-4, 1e-2, 1, 30)])
  x = np.concatenate([x, np.arange(-40, 40) / 2e6 + 0.5, [0.0, -0.0, 1.5e-6, 2.5e-6]])
  x = x.astype(np.float32)
  assert features.round6(x).tolist() == [round(float(v), 6) for v in x]


@pytest.fixture(scope='module')
def hf_reference():
  """transformers' hidden states and tokens for LINES (max_seq_length 16)."""
  import transformers
  import torch
  tok = transformers.BertTokenizerFast.from_pretrained(MINILM)
  model = transformers.BertModel.from_pretrained(MINILM, attn_implementation='eager').eval()
  out = []
  for line in LINES:
    a, *b = line.split(' ||| ')
    enc = tok(a, b[0] if b else None, truncation='longest_first', max_length=16,
              return_tensors='pt')
    with torch.no_grad():
      hs = model(**enc, output_hidden_states=True).hidden_states
    out.append((tok.convert_ids_to_tokens(enc['input_ids'][0]),
                np.stack([h[0].numpy() for h in hs])))  # [7, n, 384]
  return out


def _read(path):
  return [json.loads(line) for line in pathlib.Path(path).read_text().splitlines()]


@pytest.mark.filterwarnings('ignore:Text contains Hangul')  # uncased vocab: jamo, as HF
def test_layers_output_matches_reference_layout_and_transformers(tmp_path, hf_reference,
                                                                  capsys):
  inp = tmp_path / 'in.txt'
  inp.write_text('\n'.join(LINES) + '\n', encoding='utf-8')
  out = tmp_path / 'out.jsonl'
  argv = [f'--checkpoint={MINILM}', f'--input_file={inp}', f'--output_file={out}',
          '--layers=-1,-2,0', '--max_seq_length=16', '--batch_size=3']
  assert main(argv) == 0
  rows = _read(out)
  assert [r['linex_index'] for r in rows] == [0, 1, 2, 3]
  assert list(rows[0]) == ['linex_index', 'features']
  assert list(rows[0]['features'][0]) == ['token', 'layers']
  assert list(rows[0]['features'][0]['layers'][0]) == ['index', 'values']
  max_diff = 0.0
  for row, (tokens, hs) in zip(rows, hf_reference):
    assert [f['token'] for f in row['features']] == tokens
    assert tokens[0] == '[CLS]' and tokens[-1] == '[SEP]'
    for t, feat in enumerate(row['features']):
      assert [lay['index'] for lay in feat['layers']] == [-1, -2, 0]
      for lay, ref in zip(feat['layers'], (hs[-1], hs[-2], hs[1])):
        values = np.array(lay['values'])
        assert values.shape == (384,)
        max_diff = max(max_diff, np.abs(values - ref[t]).max())
  print('max |extract_features - transformers|:', max_diff)
  assert max_diff < 1e-4
  assert len(rows[1]['features']) == 16  # the pair was truncated to max_seq_length
  err = capsys.readouterr().err
  assert 'warning: 1 line(s) longer than --max_seq_length=16' in err and 'lines 2 ' in err
  assert sorted(os.listdir(tmp_path)) == ['in.txt', 'out.jsonl']

  # --combine: one vector per token under the combination's name.
  out2 = tmp_path / 'combined.jsonl'
  assert main(argv[:2] + [f'--output_file={out2}', '--combine=concat_last_four',
                          '--max_seq_length=16']) == 0
  for row, (_, hs) in zip(_read(out2), hf_reference):
    for t, feat in enumerate(row['features']):
      (lay,) = feat['layers']
      assert lay['index'] == 'concat_last_four'
      np.testing.assert_allclose(lay['values'], features.combine_layers(hs, 'concat_last_four')[t],
                                 atol=1e-4)


def test_one_compile_for_all_batches():
  from bert_jax.convert import load_pretrained, params_to_model
  from bert_jax.models import BertModel
  pre = load_pretrained(MINILM)
  model = params_to_model(pre.params, pre.config, model_cls=BertModel)
  ext = features.FeatureExtractor(model, max_seq_length=8, batch_size=2, layer_indexes=[-1])
  feats = [features.InputFeatures(i, ['x'] * n, [101] + [2000] * (n - 2) + [102], [0] * n)
           for i, n in enumerate([3, 8, 5, 4, 6])]
  outs = [ext(feats[i:i + 2]) for i in range(0, 5, 2)]
  assert [o.shape for o in outs] == [(1, 2, 8, 384), (1, 2, 8, 384), (1, 1, 8, 384)]
  assert ext.num_compiles == 1


def test_bad_inputs_fail_cleanly_without_output(tmp_path, capsys, monkeypatch):
  inp = tmp_path / 'in.txt'
  inp.write_text('one\ntwo\nthree\n')
  out = tmp_path / 'out.jsonl'
  base = [f'--checkpoint={MINILM}', f'--input_file={inp}', f'--output_file={out}']

  def fails(argv, *needles):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: '), err
    for n in needles:
      assert str(n) in err, (n, err)
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ['in.txt']

  fails(base + ['--max_seq_length=513'], 'max_position_embeddings=512')
  fails(base + ['--layers=-7'], '--layers=-7', '[-6, 5]')
  fails(base + ['--layers=last'], '--layers')
  fails([base[0], f'--input_file={tmp_path / "missing.txt"}', base[2]], tmp_path / 'missing.txt')
  fails([f'--checkpoint={tmp_path / "nockpt"}'] + base[1:], tmp_path / 'nockpt')

  # A failure in the middle of the run leaves neither the output nor a temp file.
  calls = []
  real = features.FeatureExtractor.__call__

  def flaky(self, feats):
    calls.append(1)
    if len(calls) == 2:
      raise OSError('device lost')
    return real(self, feats)
  monkeypatch.setattr(features.FeatureExtractor, '__call__', flaky)
  fails(base + ['--batch_size=2'], 'device lost')
  monkeypatch.undo()

  # An existing output is kept unless --overwrite.
  out.write_text('precious')
  assert main(base) == 2
  assert 'already exists' in capsys.readouterr().err and out.read_text() == 'precious'
  assert main(base + ['--overwrite', '--layers=-1']) == 0
  assert len(_read(out)) == 3


def test_cli_subprocess_reports_error_and_exit_status(tmp_path):
  r = subprocess.run([sys.executable, '-m', 'bert_jax.extract_features',
                      f'--checkpoint={tmp_path}', f'--input_file={tmp_path / "in.txt"}',
                      f'--output_file={tmp_path / "o.jsonl"}'],
                     cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert r.returncode == 2 and r.stderr.startswith('error: ') and 'Traceback' not in r.stderr
  assert str(tmp_path / 'in.txt') in r.stderr
  assert os.listdir(tmp_path) == []
