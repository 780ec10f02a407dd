"""``load_pretrained``: one entry point for every checkpoint format bert_jax reads.

Accepted (docs/CONTRACTS.md): an HF directory (config.json + model.safetensors), a model
export (``--to_orbax`` output), a training workdir (its latest committed step), a step
directory ``W/checkpoints/<step>``, or ``W/checkpoints``. Conversions between the
formats (``hf_to_orbax`` / ``orbax_to_hf``) are built on it.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil
import warnings
from typing import Any

import numpy as np

from bert_jax.convert import fsio, hf, orbax_io
from bert_jax.convert.params import (Params, check_params, convert_layout, is_scanned)
from bert_jax.errors import InputError
from bert_jax.fileio import read_json_object
from bert_jax.models import BertConfig
from bert_jax import workdir as wd

_ACCEPTED = ('an HF BERT directory (config.json + model.safetensors), a bert_jax model '
             'export (model_config.json + params/), a training workdir (model_config.json + '
             'checkpoints/) or a step directory W/checkpoints/<step>')
# Tokenizer files worth carrying between formats (HF reads the json ones; bert_jax the vocab).
_TOKENIZER_FILES = ('vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json',
                    'tokenizer.json', 'added_tokens.json')
_TOKENIZER_GLOBS = ('*.model', '*.vocab')


@dataclasses.dataclass
class Pretrained:
  """What ``load_pretrained`` found.

  Attributes:
    config: the encoder's BertConfig (``scan_layers`` matches the layout of ``params``).
    params: nested dict of numpy arrays in the ``BertForPreTraining`` layout; ``mlm``,
      ``nsp`` and ``bert/pooler`` are present only when the source has them.
    tokenizer_path: directory with the tokenizer files (for ``load_tokenizer``), or None.
    source: the directory the weights were read from (for a workdir: its step dir).
    kind: 'hf', 'export' or 'workdir'.
    step: the training step (workdirs and step dirs), else None.
    hf_layout: how the HF files spelled things (set when the weights came from HF), so
      writing them back gives the same tensors.
  """
  config: BertConfig
  params: Params
  tokenizer_path: str | None
  source: str
  kind: str = 'hf'
  step: int | None = None
  hf_layout: hf.HfLayout | None = None

  @property
  def extra_tensors(self) -> list[str]:
    """HF tensors outside the param tree that a conversion carries along verbatim."""
    if self.hf_layout is None:
      return []
    return sorted(self.hf_layout.extra)


def _resolve(path: str | pathlib.Path) -> tuple[str, pathlib.Path, pathlib.Path | None]:
  """(kind, root directory, step directory or None)."""
  p = pathlib.Path(path)
  if not p.exists():
    raise InputError(f'checkpoint {p} does not exist; expected {_ACCEPTED}.')
  if p.is_file():
    if p.name in (hf.CONFIG_NAME, hf.WEIGHTS_NAME):
      p = p.parent
    else:
      raise InputError(f'checkpoint {p} is a file; expected {_ACCEPTED}.')
  if (p / wd.MODEL_CONFIG).is_file():
    if (p / wd.PARAMS_DIR).is_dir():
      return 'export', p, None
    if (p / wd.CHECKPOINTS_DIR).is_dir():
      return 'workdir', p, wd.find_step_dir(p)
    raise InputError(f'{p} has {wd.MODEL_CONFIG} but neither {wd.PARAMS_DIR}/ nor '
                     f'{wd.CHECKPOINTS_DIR}/; expected {_ACCEPTED}.')
  if p.name == wd.CHECKPOINTS_DIR and (p.parent / wd.MODEL_CONFIG).is_file():
    return 'workdir', p.parent, wd.find_step_dir(p.parent)
  if (p / wd.PARAMS_DIR).is_dir() and p.parent.name == wd.CHECKPOINTS_DIR:
    root = p.parent.parent
    if not p.name.isdigit() or int(p.name) not in wd.committed_steps(p.parent):
      raise InputError(f'{p} is not a committed checkpoint step (Orbax had not finished '
                       'writing it); use the workdir to get the latest committed step.')
    if not (root / wd.MODEL_CONFIG).is_file():
      raise InputError(f'{root / wd.MODEL_CONFIG} not found: a step directory needs '
                       'the model_config.json of its workdir.')
    return 'workdir', root, p
  if (p / hf.CONFIG_NAME).is_file() or (p / hf.WEIGHTS_NAME).is_file():
    if not (p / hf.CONFIG_NAME).is_file():
      raise InputError(f'{p / hf.CONFIG_NAME} not found: an HF BERT directory needs '
                       f'{hf.CONFIG_NAME} next to {hf.WEIGHTS_NAME}.')
    return 'hf', p, None
  raise InputError(f'{p / hf.CONFIG_NAME} not found (nor {wd.MODEL_CONFIG}): expected '
                   f'{_ACCEPTED}.')


def quiet_load_tokenizer(path: str | pathlib.Path, **kwargs: Any):
  """``bert_jax.tokenization.load_tokenizer`` without its casing hints."""
  try:
    from bert_jax.tokenization import load_tokenizer  # pylint: disable=g-import-not-at-top
  except ImportError:
    from bert_jax.tokenization.files import load_tokenizer  # pylint: disable=g-import-not-at-top
  with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    return load_tokenizer(path, **kwargs)


def _has_tokenizer_files(d: pathlib.Path) -> bool:
  return d.is_dir() and ((d / 'vocab.txt').is_file() or any(d.glob('*.model')))


def _check_vocab(tokenizer_dir: pathlib.Path, params: Params, weights: str) -> None:
  """Raises when the tokenizer's vocabulary and the embedding table disagree."""
  try:
    tok = quiet_load_tokenizer(tokenizer_dir)
  except (ValueError, OSError) as e:
    raise InputError(f'cannot read the tokenizer in {tokenizer_dir}: {e}') from None
  rows = np.shape(params['bert']['embeddings']['word_embeddings']['embedding'])[0]
  if tok.vocab_size != rows:
    raise InputError(f'{tok.source} has {tok.vocab_size} tokens but the word embeddings in '
                     f'{weights} have {rows} rows; the vocabulary does not belong to these '
                     'weights.')


def load_pretrained(path: str | pathlib.Path, *, scan_layers: bool | None = None) -> Pretrained:
  """Reads any checkpoint bert_jax knows (see module doc) into host numpy arrays.

  Args:
    path: HF directory, model export, workdir (latest committed step), step directory.
    scan_layers: None keeps the stored layer layout; True/False converts ``params`` to the
      scanned / unscanned layout and sets ``config.scan_layers`` accordingly.

  Raises:
    InputError: naming the file and what was expected (missing/corrupt files, shapes that
      do not fit the config, a tokenizer whose size differs from the embedding table).
  """
  kind, root, step_dir = _resolve(path)
  layout = None
  step = None
  if kind == 'hf':
    hf_config = read_json_object(root / hf.CONFIG_NAME, 'an HF BERT config.json')
    config = hf.config_from_hf(hf_config, root / hf.CONFIG_NAME)
    tensors, metadata = hf.read_hf_tensors(root)
    weights = root / hf.WEIGHTS_NAME
    params, layout = hf.hf_to_params(tensors, config, metadata=metadata, hf_config=hf_config,
                                     source=str(weights))
    source, tok_dir = root, root
  else:
    config = wd.read_model_config(root / wd.MODEL_CONFIG)
    source = step_dir if step_dir is not None else root
    step = int(step_dir.name) if step_dir is not None else None
    weights = source / wd.PARAMS_DIR
    params = orbax_io.restore_params(weights)
    tok_dir = root / wd.TOKENIZER_DIR
    if kind == 'export' and (root / wd.HF_LAYOUT).is_file():
      extra = {}
      if (root / wd.HF_EXTRA).is_file():
        extra, _ = hf.load_safetensors(root / wd.HF_EXTRA)
      layout = hf.HfLayout.from_json(
          read_json_object(root / wd.HF_LAYOUT, 'the HF layout of an export'), extra)
  try:
    config = dataclasses.replace(config, scan_layers=is_scanned(params))
  except InputError as e:
    raise InputError(f'{weights}: {e}') from None
  check_params(params, config, source=str(weights))
  if scan_layers is not None and scan_layers != config.scan_layers:
    params = convert_layout(params, scan_layers)
    config = dataclasses.replace(config, scan_layers=scan_layers)
  tokenizer_path = None
  if _has_tokenizer_files(tok_dir):
    _check_vocab(tok_dir, params, str(weights))
    tokenizer_path = str(tok_dir)
  return Pretrained(config, params, tokenizer_path, str(source), kind, step, layout)


def copy_tokenizer_files(src: pathlib.Path, dst: pathlib.Path) -> list[str]:
  """Copies the tokenizer files of ``src`` into ``dst``; makes sure do_lower_case is stated.

  Returns the names copied. A ``tokenizer_config.json`` without ``do_lower_case`` gets
  the value the tokenizer resolves to (what bert_jax and HF would otherwise guess).
  """
  dst.mkdir(parents=True, exist_ok=True)
  names = [n for n in _TOKENIZER_FILES if (src / n).is_file()]
  names += sorted({p.name for g in _TOKENIZER_GLOBS for p in src.glob(g) if p.is_file()})
  for n in names:
    shutil.copyfile(src / n, dst / n)
  config_path = dst / 'tokenizer_config.json'
  config: dict[str, Any] = {}
  if config_path.is_file():
    config = read_json_object(config_path, 'a tokenizer_config.json')
  if 'do_lower_case' not in config:
    tok = quiet_load_tokenizer(src)
    config.update(do_lower_case=tok.do_lower_case)
    if tok.kind == 'wordpiece':
      config.setdefault('tokenizer_class', 'BertTokenizer')
    config_path.write_text(json.dumps(config, indent=2) + '\n', encoding='utf-8')
    if 'tokenizer_config.json' not in names:
      names.append('tokenizer_config.json')
  return names


def hf_to_orbax(src: str | pathlib.Path, dst: str | pathlib.Path, *,
                overwrite: bool = False) -> Pretrained:
  """HF directory -> model export at ``dst`` (written atomically; see module doc)."""
  fsio.check_output_dir(dst, overwrite=overwrite)
  fsio.check_not_inside(src, dst)
  pre = load_pretrained(src, scan_layers=False)
  if pre.kind != 'hf':
    raise InputError(f'--from_hf: {src} is a bert_jax {pre.kind}, not an HF directory '
                     '(use --from_orbax).')
  with fsio.atomic_output_dir(dst, overwrite=overwrite) as tmp:
    orbax_io.write_export(tmp, pre.config, pre.params, hf_layout=pre.hf_layout.to_json(),
                          hf_extra=pre.hf_layout.extra)
    if pre.tokenizer_path:
      copy_tokenizer_files(pathlib.Path(pre.tokenizer_path), tmp / wd.TOKENIZER_DIR)
  return pre


def orbax_to_hf(src: str | pathlib.Path, dst: str | pathlib.Path, *,
                overwrite: bool = False) -> Pretrained:
  """Model export / workdir / step dir -> HF directory at ``dst`` (written atomically)."""
  fsio.check_output_dir(dst, overwrite=overwrite)
  fsio.check_not_inside(src, dst)
  pre = load_pretrained(src, scan_layers=False)
  if pre.kind == 'hf':
    raise InputError(f'--from_orbax: {src} is an HF directory, not a bert_jax checkpoint '
                     '(use --from_hf).')
  with fsio.atomic_output_dir(dst, overwrite=overwrite) as tmp:
    hf.write_hf(tmp, pre.params, pre.config, pre.hf_layout)
    if pre.tokenizer_path:
      copy_tokenizer_files(pathlib.Path(pre.tokenizer_path), tmp)
  return pre


def notable_extras(pre: Pretrained) -> list[str]:
  """Carried-over HF tensors worth telling the user about (not the usual buffers)."""
  return [k for k in pre.extra_tensors if not k.endswith(hf.BUFFERS)]


def summary(pre: Pretrained, dst: str) -> list[str]:
  """What ``python -m bert_jax.convert`` tells the user about a conversion into ``dst``."""
  cfg = pre.config
  heads = [n for n, there in (('pooler', 'pooler' in pre.params['bert']),
                              ('MLM', 'mlm' in pre.params), ('NSP', 'nsp' in pre.params))
           if there]
  step = f' step {pre.step}' if pre.step is not None else ''
  lines = [f'wrote {dst}: {cfg.num_hidden_layers} layers, hidden {cfg.hidden_size}, vocab '
           f'{cfg.vocab_size}, heads: {", ".join(heads) or "none"} (from {pre.source}{step})']
  if pre.tokenizer_path is None:
    lines.append(f'note: {pre.source} has no tokenizer files; none were written.')
  extras = notable_extras(pre)
  if extras:
    lines.append(f'note: carried {len(extras)} tensors that are not BertForPreTraining '
                 f'parameters unchanged: {extras[:8]}')
  return lines
