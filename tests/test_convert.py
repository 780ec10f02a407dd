"""Checkpoint interop: HF <-> Orbax round trips (bit-exact), workdirs, layouts, models."""
import dataclasses
import json
import os
import pathlib
import subprocess
import sys

import jax
import numpy as np
import pytest
from flax import nnx
from safetensors.numpy import load_file, save_file

from bert_jax.convert import (hf_to_orbax, is_scanned, load_pretrained, model_to_params,
                              orbax_to_hf, params_to_model, stack_layers, unstack_layers)
from bert_jax.convert import orbax_io
from bert_jax.convert.params import flatten
from bert_jax.convert.testing import minilm_dir, save_random_hf_bert, write_vocab
from bert_jax.masks import make_attention_mask
from bert_jax.models import BertConfig, BertForPreTraining, BertModel

MINILM = minilm_dir()
ROOT = pathlib.Path(__file__).resolve().parents[1]


def assert_same_tensors(a_dir, b_dir):
  a = load_file(os.path.join(a_dir, 'model.safetensors'))
  b = load_file(os.path.join(b_dir, 'model.safetensors'))
  assert sorted(a) == sorted(b)
  for k in a:
    assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
    assert np.array_equal(a[k], b[k]), k  # bit-exact (no NaNs in these files)


@pytest.fixture(scope='module')
def hf_pretraining(tmp_path_factory):
  import transformers  # noqa: F401  (a declared dependency: fail, never skip)
  return save_random_hf_bert(tmp_path_factory.mktemp('hf') / 'bert', seed=2)


def test_round_trip_random_bert_for_pretraining_is_bit_exact(hf_pretraining, tmp_path):
  pre = hf_to_orbax(hf_pretraining, tmp_path / 'export')
  assert set(pre.params) == {'bert', 'mlm', 'nsp'}
  assert sorted(os.listdir(tmp_path / 'export')) == ['.bert_jax_output.json', 'hf_layout.json',
                                                    'model_config.json', 'params', 'tokenizer']
  orbax_to_hf(tmp_path / 'export', tmp_path / 'hf')
  assert_same_tensors(hf_pretraining, tmp_path / 'hf')
  for name in ('vocab.txt', 'tokenizer_config.json'):
    assert (tmp_path / 'hf' / name).read_bytes() == (hf_pretraining / name).read_bytes()
  assert json.loads((tmp_path / 'hf' / 'config.json').read_text()) == json.loads(
      (hf_pretraining / 'config.json').read_text())
  assert sorted(os.listdir(tmp_path)) == ['export', 'hf']  # no temp dirs left


def test_round_trip_keeps_legacy_names_buffers_tied_decoder_and_fp16(hf_pretraining, tmp_path):
  """Older checkpoints: gamma/beta, stored decoder weight/bias, position_ids, fp16."""
  src = tmp_path / 'legacy'
  src.mkdir()
  tensors = load_file(hf_pretraining / 'model.safetensors')
  legacy = {}
  for k, v in tensors.items():
    k = k.replace('LayerNorm.weight', 'LayerNorm.gamma').replace('LayerNorm.bias', 'LayerNorm.beta')
    legacy[k] = v.astype(np.float16)
  legacy['cls.predictions.decoder.weight'] = legacy['bert.embeddings.word_embeddings.weight']
  legacy['cls.predictions.decoder.bias'] = legacy['cls.predictions.bias']
  legacy['bert.embeddings.position_ids'] = np.arange(40, dtype=np.int64)[None]
  legacy['classifier.weight'] = np.ones((3, 32), np.float32)  # not ours: carried verbatim
  save_file(legacy, str(src / 'model.safetensors'), metadata={'format': 'pt'})
  (src / 'config.json').write_bytes((hf_pretraining / 'config.json').read_bytes())
  pre = hf_to_orbax(src, tmp_path / 'export')
  assert pre.params['bert']['embeddings']['word_embeddings']['embedding'].dtype == np.float16
  assert pre.extra_tensors == ['bert.embeddings.position_ids', 'classifier.weight']
  orbax_to_hf(tmp_path / 'export', tmp_path / 'back')
  assert_same_tensors(src, tmp_path / 'back')


def test_sharded_safetensors_and_mlm_only_checkpoint(hf_pretraining, tmp_path):
  tensors = load_file(hf_pretraining / 'model.safetensors')
  names = sorted(k for k in tensors if not k.startswith('cls.seq_relationship'))  # MaskedLM
  shards = {'model-00001-of-00002.safetensors': names[:20],
            'model-00002-of-00002.safetensors': names[20:]}
  src = tmp_path / 'sharded'
  src.mkdir()
  for shard, keys in shards.items():
    save_file({k: tensors[k] for k in keys}, str(src / shard), metadata={'format': 'pt'})
  weight_map = {k: shard for shard, keys in shards.items() for k in keys}
  (src / 'model.safetensors.index.json').write_text(json.dumps({'weight_map': weight_map}))
  (src / 'config.json').write_bytes((hf_pretraining / 'config.json').read_bytes())
  pre = load_pretrained(src)
  assert 'mlm' in pre.params and 'nsp' not in pre.params
  full = load_pretrained(hf_pretraining)
  assert_trees_equal(pre.params['mlm'], full.params['mlm'])
  assert isinstance(params_to_model(pre.params, pre.config), BertModel)  # no NSP: encoder
  hf_to_orbax(src, tmp_path / 'export')
  orbax_to_hf(tmp_path / 'export', tmp_path / 'back')
  back = load_file(tmp_path / 'back' / 'model.safetensors')
  assert sorted(back) == names
  assert all(np.array_equal(back[k], tensors[k]) for k in names)


def test_cli_round_trip_minilm_weights_is_bit_exact(tmp_path):
  """BertModel checkpoint: no 'bert.' prefix, no heads, a position_ids buffer."""
  run = lambda *a: subprocess.run([sys.executable, '-m', 'bert_jax.convert', *a], cwd=ROOT,
                                  capture_output=True, text=True, timeout=300)
  r = run(f'--from_hf={MINILM}', f'--to_orbax={tmp_path / "export"}')
  assert r.returncode == 0, r.stderr
  r = run(f'--from_orbax={tmp_path / "export"}', f'--to_hf={tmp_path / "hf"}')
  assert r.returncode == 0, r.stderr
  assert_same_tensors(MINILM, tmp_path / 'hf')
  assert (tmp_path / 'hf' / 'vocab.txt').read_bytes() == (MINILM / 'vocab.txt').read_bytes()
  tok_cfg = json.loads((tmp_path / 'export' / 'tokenizer' / 'tokenizer_config.json').read_text())
  assert tok_cfg['do_lower_case'] is True
  pre = load_pretrained(tmp_path / 'export')
  assert 'mlm' not in pre.params and 'pooler' in pre.params['bert']
  assert pre.tokenizer_path == str(tmp_path / 'export' / 'tokenizer')


def assert_trees_equal(a, b):
  fa, fb = flatten(a), flatten(b)
  assert sorted(map(str, fa)) == sorted(map(str, fb))
  for path, x in fa.items():
    assert x.dtype == fb[path].dtype and np.array_equal(x, fb[path]), path


def _random_params(cfg, seed=0):
  return model_to_params(BertForPreTraining(cfg, rngs=nnx.Rngs(seed)))


TINY = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=37, max_position_embeddings=40)


def test_export_from_bert_jax_loads_in_transformers(tmp_path):
  """A checkpoint born in bert_jax (no HF layout recorded) -> an HF dir transformers reads."""
  import transformers
  import torch
  params = _random_params(TINY, seed=4)
  params['mlm']['bias'] = np.random.default_rng(0).normal(size=99).astype(np.float32)
  (tmp_path / 'export').mkdir()
  orbax_io.write_export(tmp_path / 'export', TINY, params)
  (tmp_path / 'export' / 'tokenizer').mkdir()
  write_vocab(tmp_path / 'export' / 'tokenizer', 99)
  orbax_to_hf(tmp_path / 'export', tmp_path / 'hf')
  hf, info = transformers.BertForPreTraining.from_pretrained(
      tmp_path / 'hf', attn_implementation='eager', output_loading_info=True)
  assert not any(info.values()), info  # nothing missing, unexpected or mismatched
  ids = np.array([[2, 10, 11, 12, 3, 0]], np.int32)
  mask = (ids > 0).astype(np.int32)
  with torch.no_grad():
    ref = hf.eval()(input_ids=torch.tensor(ids, dtype=torch.long),
                    attention_mask=torch.tensor(mask))
  out = params_to_model(params, TINY)(ids, None, make_attention_mask(mask))
  np.testing.assert_allclose(np.asarray(out['mlm_logits'])[0, :5],
                             ref.prediction_logits.numpy()[0, :5], atol=1e-4)
  np.testing.assert_allclose(np.asarray(out['nsp_logits']), ref.seq_relationship_logits.numpy(),
                             atol=1e-4)
  assert transformers.BertTokenizer.from_pretrained(tmp_path / 'hf').tokenize('the cat') == [
      'the', 'cat']


def _workdir(tmp_path, cfg, steps):
  """A training workdir as docs/CONTRACTS.md describes (params saved as the trainer does)."""
  import orbax.checkpoint as ocp
  w = tmp_path / 'workdir'
  (w / 'tokenizer').mkdir(parents=True)
  write_vocab(w / 'tokenizer', cfg.vocab_size)
  (w / 'model_config.json').write_text(cfg.to_json())
  saved = {}
  with ocp.CheckpointManager((w / 'checkpoints').absolute(), item_names=('params', 'meta')) as m:
    for step in steps:
      model = BertForPreTraining(cfg, rngs=nnx.Rngs(step))
      tree = nnx.to_pure_dict(nnx.state(model, nnx.Param))  # jax arrays, int layer keys
      saved[step] = jax.tree.map(np.asarray, tree)
      m.save(step, args=ocp.args.Composite(params=ocp.args.StandardSave(tree),
                                           meta=ocp.args.JsonSave({'step': step})))
    m.wait_until_finished()
  return w, saved


def test_workdir_latest_committed_step_and_step_dir(tmp_path):
  cfg = dataclasses.replace(TINY, scan_layers=True)
  w, saved = _workdir(tmp_path, cfg, (10, 20))
  # Not committed: an Orbax temp dir, and a step dir without metadata (crashed mid-write).
  (w / 'checkpoints' / '30.orbax-checkpoint-tmp-123' / 'params').mkdir(parents=True)
  (w / 'checkpoints' / '40' / 'params').mkdir(parents=True)

  pre = load_pretrained(w)
  assert (pre.kind, pre.step, pre.source) == ('workdir', 20, str(w / 'checkpoints' / '20'))
  assert pre.config.scan_layers and is_scanned(pre.params)
  assert pre.tokenizer_path == str(w / 'tokenizer')
  assert_trees_equal(pre.params, saved[20])

  old = load_pretrained(w / 'checkpoints' / '10', scan_layers=False)
  assert old.step == 10 and not old.config.scan_layers and not is_scanned(old.params)
  np.testing.assert_array_equal(old.params['bert']['encoder']['layers'][1]['output']['kernel'],
                                saved[10]['bert']['encoder']['layers']['output']['kernel'][1])
  assert load_pretrained(w / 'checkpoints').step == 20
  with pytest.raises(ValueError, match='not a committed checkpoint step'):
    load_pretrained(w / 'checkpoints' / '40')

  orbax_to_hf(w, tmp_path / 'hf')  # scanned workdir -> HF
  back = load_pretrained(tmp_path / 'hf', scan_layers=True)
  assert_trees_equal(back.params, saved[20])


def test_layout_converters_and_params_to_model():
  params = _random_params(TINY)
  scanned = stack_layers(params)
  assert is_scanned(scanned) and not is_scanned(params)
  assert scanned['bert']['encoder']['layers']['intermediate']['kernel'].shape == (2, 32, 37)
  assert_trees_equal(unstack_layers(scanned), params)

  # A scanned tree into an unscanned model (and vice versa) converts on the way in.
  loop = params_to_model(scanned, TINY)
  scan = params_to_model(params, dataclasses.replace(TINY, scan_layers=True))
  ids = np.array([[2, 5, 6, 3]], np.int32)
  np.testing.assert_allclose(np.asarray(loop(ids)['mlm_logits']),
                             np.asarray(scan(ids)['mlm_logits']), atol=1e-5)

  # Encoder only: heads absent -> BertModel; asking for heads needs rngs (fresh heads).
  encoder = {'bert': {k: v for k, v in params['bert'].items() if k != 'pooler'}}
  assert isinstance(params_to_model(encoder, TINY), BertModel)
  with pytest.raises(ValueError, match='lacks'):
    params_to_model(encoder, TINY, model_cls=BertForPreTraining)
  full = params_to_model(encoder, TINY, model_cls=BertForPreTraining, rngs=nnx.Rngs(0))
  np.testing.assert_array_equal(
      np.asarray(full.bert.embeddings.word_embeddings.embedding[...]),
      params['bert']['embeddings']['word_embeddings']['embedding'])
  with pytest.raises(ValueError, match='not in the BertModel'):
    params_to_model(params, TINY, model_cls=BertModel)
  assert params_to_model(params, TINY, model_cls=BertModel, allow_unused=True).pooler is not None
