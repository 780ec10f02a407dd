"""Shared pieces of the trainer tests ``tests/test_train_*.py`` (this module holds no tests).

- ``tiny_config``: the ``tiny`` pretraining preset on the session's shared data_dir
  (the embedded corpus is built once, see ``test_data_support``).
- ``ToyTask``: a two-layer MLP regression task with a checkpointable JSON iterator; it
  compiles in about a second, for the loop behaviours that do not need BERT (non-finite
  steps, corrupt checkpoints). A batch can carry NaN (``poison_steps``) to make the loss
  of a chosen step non-finite.
- ``read_metrics``: the rows of ``W/metrics.jsonl`` as parsed JSON (floats exact).
- ``cli_env`` / ``pretrain_cmd``: the environment and command line of
  ``python -m bert_jax.pretrain`` subprocesses (8 fake CPU devices as in conftest).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import bert_jax.models  # noqa: F401  (switches Flax's eager sharding off, as the trainer expects)
from bert_jax.tokenization.wordpiece import WordPieceTokenizer
from bert_jax.train import loop
from test_data_support import built, shared_data_dir

REPO = pathlib.Path(__file__).resolve().parents[1]
# Fields of a metrics row that are measured time, not computed values.
TIMING_KEYS = ('tokens_per_sec', 'steps_per_sec', 'mfu')


@functools.lru_cache(maxsize=None)
def _pretrain_configs():
  spec = importlib.util.spec_from_file_location('bert_jax_test_pretrain_configs',
                                                REPO / 'configs' / 'pretrain.py')
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def tiny_config(**overrides):
  """``configs/pretrain.py:tiny`` on the shared data_dir; no eval, no progress bar."""
  built('embedded')  # the corpus and its vocabulary, once per session
  c = _pretrain_configs().get_config('tiny')
  c.data.data_dir = shared_data_dir()
  c.eval = False
  c.progress_bar = False
  c.update_from_flattened_dict(overrides)
  return c


def pretrain_korean_tiny(workdir, *, steps: int, max_positions: int) -> pathlib.Path:
  """BERT-tiny pretrained ``steps`` steps on the konlpy Korean corpus (SentencePiece vocab,
  sequences of 64), as a real pretraining workdir for the Korean fine-tuning tests."""
  from bert_jax.train.pretraining import make_pretraining_spec  # pylint: disable=g-import-not-at-top
  config = _pretrain_configs().get_config('tiny')
  config.update_from_flattened_dict({
      'data.corpus': 'konlpy_ko', 'data.max_seq_length': 64,
      'data.max_predictions_per_seq': 10, 'model.max_position_embeddings': max_positions,
      'num_train_steps': steps, 'checkpoint_every_steps': steps, 'eval': False,
      'progress_bar': False})
  result = loop.train(config, workdir, make_pretraining_spec(config))
  assert result.status == 'completed' and result.step == steps
  return pathlib.Path(workdir)


def char_wordpiece(directory) -> WordPieceTokenizer:
  """A WordPiece vocab where every ASCII mark and a few Hangul syllables are pieces."""
  basic = [chr(c) for c in range(33, 127)] + list('오늘날씨가맑다비온')
  tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', *basic, *('##' + t for t in basic)]
  path = pathlib.Path(directory) / 'vocab.txt'
  path.write_text('\n'.join(tokens) + '\n', encoding='utf-8')
  return WordPieceTokenizer(path, do_lower_case=False)


def set_mesh(c, data, fsdp, tensor):
  c.mesh.data, c.mesh.fsdp, c.mesh.tensor = data, fsdp, tensor
  return c


def read_metrics(workdir, name: str = 'metrics.jsonl') -> list[dict]:
  path = pathlib.Path(workdir) / name
  if not path.is_file():
    return []
  rows = []
  for line in path.read_text(encoding='utf-8').splitlines():
    try:
      rows.append(json.loads(line))
    except json.JSONDecodeError:  # a line being written right now (polling a live run)
      pass
  return rows


def committed_steps(workdir) -> list[int]:
  """Step directories Orbax has committed (renamed from their tmp name) under W/checkpoints."""
  root = pathlib.Path(workdir) / 'checkpoints'
  if not root.is_dir():
    return []
  return sorted(int(p.name) for p in root.iterdir()
                if p.name.isdigit() and (p / '_CHECKPOINT_METADATA').is_file())


def flat(tree) -> dict[str, np.ndarray]:
  return {jax.tree_util.keystr(path): np.asarray(leaf)
          for path, leaf in jax.tree_util.tree_leaves_with_path(jax.device_get(tree))}


def assert_trees_equal(a, b):
  """Same paths, dtypes and values, bit for bit."""
  fa, fb = flat(a), flat(b)
  assert fa.keys() == fb.keys()
  for k in fa:
    assert fa[k].dtype == fb[k].dtype, k
    np.testing.assert_array_equal(fa[k], fb[k], err_msg=k)


# ----------------------------------------------------------------------------
# A toy task that compiles fast.
# ----------------------------------------------------------------------------
class ToyModel(nnx.Module):

  def __init__(self, rngs: nnx.Rngs):
    init = nnx.initializers.lecun_normal()
    self.hidden = nnx.Linear(4, 16, kernel_init=nnx.with_partitioning(init, ('embed', 'mlp')),
                             rngs=rngs)
    self.out = nnx.Linear(16, 1, kernel_init=nnx.with_partitioning(init, ('mlp', 'embed')),
                          rngs=rngs)

  def __call__(self, x):
    return self.out(jnp.tanh(self.hidden(x)))[:, 0]


def toy_loss(model, batch, rng):
  del rng
  mse = jnp.mean((model(batch['x']) - batch['y']) ** 2)
  # 'poison' is 0 (no effect) or NaN (a non-finite loss for that step).
  return mse + jnp.mean(batch['poison']), {'mse': mse}


class ToyIterator:
  """Deterministic batches; batch i feeds step i + 1. JSON position (get/set_state)."""

  def __init__(self, batch_size: int = 8, poison_steps=(), skip_steps=()):
    self.batch_size = batch_size
    self.poison_steps = set(poison_steps)
    self.indices = [i for i in range(10_000) if i + 1 not in set(skip_steps)]
    self.position = 0

  def __iter__(self):
    return self

  def __next__(self):
    i = self.indices[self.position]
    self.position += 1
    rng = np.random.default_rng(i)
    x = rng.normal(size=(self.batch_size, 4)).astype(np.float32)
    y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2]).astype(np.float32)
    poison = np.full((self.batch_size,), np.nan if i + 1 in self.poison_steps else 0.0,
                     np.float32)
    return {'x': x, 'y': y, 'poison': poison}

  def get_state(self):
    return {'position': self.position}

  def set_state(self, state):
    self.position = int(state['position'])


def toy_spec(**iterator_kw) -> loop.TrainSpec:
  return loop.TrainSpec(name='toy', build_model=ToyModel, loss_fn=toy_loss,
                   train_iter=ToyIterator(**iterator_kw))


def toy_config(**overrides):
  c = loop.default_train_config()
  c.global_batch_size = 8
  c.num_train_steps = 4
  c.log_every_steps = 1
  c.checkpoint_every_steps = 2
  c.keep_checkpoints = 0
  c.progress_bar = False
  c.optimizer.learning_rate = 0.05
  c.optimizer.warmup_steps = 3
  c.optimizer.decay = 'linear'
  c.update_from_flattened_dict(overrides)
  return c


def one_device():
  return [jax.devices()[0]]


# ----------------------------------------------------------------------------
# The command line, as a user runs it.
# ----------------------------------------------------------------------------
def cli_env(compilation_cache: str | os.PathLike | None = None) -> dict[str, str]:
  env = dict(os.environ)
  env['XLA_FLAGS'] = os.environ.get('XLA_FLAGS', '--xla_force_host_platform_device_count=8')
  env['JAX_PLATFORMS'] = os.environ.get('JAX_PLATFORMS', 'cpu')
  env.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
  env['PYTHONPATH'] = os.pathsep.join([str(REPO)] + [p for p in [env.get('PYTHONPATH')] if p])
  if compilation_cache is not None:
    # Later runs of the same program load the compiled train step instead of compiling it
    # again (seconds each on 2 cores); the executable is the same.
    env['JAX_COMPILATION_CACHE_DIR'] = str(compilation_cache)
    env['JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS'] = '0'
    env['JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES'] = '0'
  return env


def pretrain_cmd(workdir, *overrides: str) -> list[str]:
  built('embedded')
  return [sys.executable, '-m', 'bert_jax.pretrain', '--config=configs/pretrain.py:tiny',
          f'--workdir={workdir}', f'--config.data.data_dir={shared_data_dir()}',
          '--config.eval=False', '--config.progress_bar=False', *overrides]
