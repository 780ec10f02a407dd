"""The feature-based approach: contextual token vectors from a frozen BERT.

``combine_layers`` (``bert_jax.models.hidden_layers``, re-exported here) is the BERT
paper's CoNLL-2003 feature-based table (section 5.3, table 7); the NER feature-based
tagger calls it on ``EncoderOutput.hidden_states``.
``extract_features`` is ``python -m bert_jax.extract_features``: JSON lines in the
layout of google-research/bert ``extract_features.py``.

Layer numbering (as the reference): ``--layers`` indexes the *encoder layer outputs*
(``hidden_states[1:]``, ``num_layers`` of them): -1 is the last layer, -2 the one before,
0 the first transformer layer. The embedding output is ``hidden_states[0]``; only
``combine='first'`` returns it.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import re
import sys
import time
from typing import Any, Iterator, Sequence

import numpy as np
from flax import nnx

from bert_jax import fileio
from bert_jax.errors import InputError
from bert_jax.masks import make_attention_mask
from bert_jax.models.hidden_layers import (COMBINATIONS, check_combination,  # noqa: F401
                                           check_layer_indexes, combine_layers, select_layers)

# --- input -----------------------------------------------------------------------------

@dataclasses.dataclass
class InputExample:
  unique_id: int
  text_a: str
  text_b: str | None = None


_PAIR_RE = re.compile(r'^(.*) \|\|\| (.*)$')


def read_examples(path: str | pathlib.Path) -> list[InputExample]:
  """One example per line, ``text_a`` or ``text_a ||| text_b`` (the reference format)."""
  lines = fileio.read_text(path, what='input file (one text or "text_a ||| text_b" per '
                           'line)').splitlines()  # missing, directory, empty, bad bytes: file:line
  examples = []
  for i, line in enumerate(lines):
    line = line.strip()
    m = _PAIR_RE.match(line)
    examples.append(InputExample(i, m.group(1), m.group(2)) if m else InputExample(i, line))
  if not examples:
    raise InputError(f'input file {path} is empty: expected one text per line.')
  return examples


@dataclasses.dataclass
class InputFeatures:
  unique_id: int
  tokens: list[str]
  input_ids: list[int]
  input_type_ids: list[int]
  num_truncated: int = 0


def convert_example(example: InputExample, tokenizer, max_seq_length: int) -> InputFeatures:
  """[CLS] a [SEP] (b [SEP]), truncated to ``max_seq_length`` as the reference does."""
  enc = tokenizer.encode(example.text_a, example.text_b, max_length=max_seq_length,
                         truncation='longest_first')
  return InputFeatures(example.unique_id, enc.tokens, enc.input_ids, enc.token_type_ids,
                       enc.num_truncated)


# --- the forward pass ------------------------------------------------------------------

class FeatureExtractor:
  """A BERT forward at a fixed [batch_size, max_seq_length] shape through the one eval step
  (``bert_jax.train.step.EvalStep``; one compile).

  Returns ``[K, B, L, H']``: the selected layers (``layer_indexes``) or one combination.
  """

  def __init__(self, model: nnx.Module, *, max_seq_length: int, batch_size: int,
               layer_indexes: Sequence[int] | None = None, combine: str | None = None):
    cfg = model.cfg
    if max_seq_length > cfg.max_position_embeddings:
      raise InputError(f'--max_seq_length={max_seq_length} exceeds the model\'s '
                       f'max_position_embeddings={cfg.max_position_embeddings}.')
    if max_seq_length < 3 or batch_size < 1:
      raise InputError(f'--max_seq_length={max_seq_length} / --batch_size={batch_size}: '
                       'expected max_seq_length >= 3 and batch_size >= 1.')
    if combine is not None:
      combine_layers(np.zeros((cfg.num_hidden_layers + 1, 1, 1, 1)), combine)  # validates
      self.names: list[Any] = [combine]
    else:
      self.names = check_layer_indexes(list(layer_indexes or [-1]), cfg.num_hidden_layers)
    self.max_seq_length, self.batch_size = max_seq_length, batch_size
    names = self.names

    def forward(m, batch):
      out = m(batch['input_ids'], batch['token_type_ids'],
              make_attention_mask(batch['attention_mask']), output_hidden_states=True)
      if combine is not None:
        return combine_layers(out.hidden_states, combine)[None]
      return select_layers(out.hidden_states, names)

    # Imported here: the one eval step lives in train (same layer), and ``--help`` of
    # ``extract_features`` answers without loading the trainer.
    from bert_jax.train import step as step_lib  # pylint: disable=g-import-not-at-top
    self.step = step_lib.make_eval_step(model, forward, name='features')
    self._params = nnx.to_pure_dict(nnx.state(model))

  def __call__(self, features: Sequence[InputFeatures]) -> np.ndarray:
    """Up to ``batch_size`` features -> float32 [K, len(features), max_seq_length, H']."""
    b, length = self.batch_size, self.max_seq_length
    ids = np.zeros((b, length), np.int32)
    types = np.zeros((b, length), np.int32)
    mask = np.zeros((b, length), np.int32)
    for i, f in enumerate(features):
      n = len(f.input_ids)
      ids[i, :n], types[i, :n], mask[i, :n] = f.input_ids, f.input_type_ids, 1
    batch = {'input_ids': ids, 'token_type_ids': types, 'attention_mask': mask}
    out = self.step(self._params, self.step.place(batch))
    return np.asarray(out[:, :len(features)], np.float32)

  @property
  def num_compiles(self) -> int:
    return self.step.num_compiles


def round6(x: np.ndarray) -> np.ndarray:
  """``round(float(v), 6)`` of the reference, vectorised and bit-identical for float32 input.

  float32 * 1e6 is exact in float64 (24 + 14 significant bits), so ``rint`` sees the
  same value Python's ``round`` does (ties to even), and k / 1e6 is correctly rounded.
  """
  return np.round(np.asarray(x, np.float32).astype(np.float64), 6)


def feature_json(feature: InputFeatures, outputs: np.ndarray, names: Sequence[Any]) -> str:
  """One output line: outputs [K, L, H'] of this example (reference key order)."""
  n = len(feature.tokens)
  values = round6(outputs[:, :n]).tolist()  # [K][n][H']
  tokens = [{'token': tok,
             'layers': [{'index': name, 'values': values[k][t]} for k, name in enumerate(names)]}
            for t, tok in enumerate(feature.tokens)]
  return json.dumps({'linex_index': feature.unique_id, 'features': tokens})


# --- the whole job ---------------------------------------------------------------------

def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
  for i in range(0, len(items), size):
    yield items[i:i + size]


def parse_layers(text: str) -> list[int]:
  try:
    return [int(x) for x in text.split(',') if x.strip()]
  except ValueError:
    raise InputError(f'--layers={text!r}: expected comma-separated integers such as '
                     '-1,-2,-3,-4.') from None


def extract_features(checkpoint: str, input_file: str, output_file: str, *,
                     layers: Sequence[int] = (-1, -2, -3, -4), max_seq_length: int = 128,
                     batch_size: int = 32, combine: str | None = None, overwrite: bool = False,
                     vocab_file: str | None = None, do_lower_case: bool | None = None,
                     verbose: bool = True) -> int:
  """Writes one JSON line per input line (see module doc); returns the number of lines.

  The output appears only when everything succeeded (temp file + rename); an existing
  output file is kept unless ``overwrite``. ``verbose``: progress, truncation warnings
  and a summary on stderr.
  """
  # Imported here, so that ``--help`` and argument errors answer at once.
  from bert_jax.convert import params_to_model
  from bert_jax.convert.fsio import atomic_output_file, check_output_file
  from bert_jax.convert.pretrained import quiet_load_tokenizer
  from bert_jax.models import BertModel
  from bert_jax.workdir import load_pretrained
  check_output_file(output_file, overwrite=overwrite, flag='--output_file')
  examples = read_examples(input_file)
  pre = load_pretrained(checkpoint)
  tok_path = vocab_file or pre.tokenizer_path
  if tok_path is None:
    raise InputError(f'checkpoint {checkpoint} has no tokenizer files (vocab.txt / *.model); '
                     'pass --vocab_file.')
  try:
    tokenizer = quiet_load_tokenizer(tok_path, do_lower_case=do_lower_case)
  except (ValueError, OSError) as e:
    raise InputError(f'cannot load the tokenizer {tok_path}: {e}') from None
  encoder = {k: v for k, v in pre.params['bert'].items() if k != 'pooler'}
  model = params_to_model(encoder, pre.config, model_cls=BertModel)
  extractor = FeatureExtractor(model, max_seq_length=max_seq_length, batch_size=batch_size,
                               layer_indexes=layers, combine=combine)
  truncated: list[int] = []
  start = last_report = time.time()
  done = 0
  with atomic_output_file(output_file, overwrite=overwrite) as out:
    for batch in _batches(examples, batch_size):
      features = [convert_example(e, tokenizer, max_seq_length) for e in batch]
      truncated += [f.unique_id for f in features if f.num_truncated]
      outputs = extractor(features)
      for i, f in enumerate(features):
        out.write(feature_json(f, outputs[:, i], extractor.names) + '\n')
      done += len(batch)
      if verbose and time.time() - last_report > 10 and done < len(examples):
        last_report = time.time()
        print(f'extract_features: {done}/{len(examples)} lines '
              f'({done / (last_report - start):.1f} lines/s)', file=sys.stderr, flush=True)
  if verbose:
    if truncated:
      shown = ', '.join(str(i + 1) for i in truncated[:10])
      print(f'warning: {len(truncated)} line(s) longer than --max_seq_length={max_seq_length} '
            f'tokens were truncated (as the reference does); lines {shown}'
            f'{" ..." if len(truncated) > 10 else ""} of {input_file}.', file=sys.stderr)
    print(f'wrote {len(examples)} lines to {output_file} ({time.time() - start:.1f}s).',
          file=sys.stderr)
  return len(examples)
