"""Which encoder layers make a token's vector: the BERT paper's feature-based table.

``combine_layers`` (section 5.3, table 7) and ``select_layers`` (google-research/bert
``extract_features.py`` indexing) over ``EncoderOutput.hidden_states``
``[num_layers + 1, B, L, H]`` (0 = the embedding output). Used by the feature-based NER
tagger (``bert_jax.models.heads``) and by ``bert_jax.features`` (extract_features).
"""
from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from bert_jax.errors import InputError

# name -> what it computes from hidden_states [num_layers + 1, B, L, H] (0 = embeddings).
COMBINATIONS: dict[str, str] = {
    'first': 'embedding output (hidden_states[0])',
    'last': 'last layer',
    'sum_all': 'sum of all num_layers encoder layer outputs (embeddings excluded)',
    'second_to_last': 'second-to-last layer',
    'sum_last_four': 'sum of the last four layers',
    'concat_last_four': 'concatenation of the last four layers, last first (H\' = 4H)',
}


def combine_layers(hidden_states, how: str):
  """hidden_states [num_layers + 1, B, L, H] -> [B, L, H'] as the BERT paper's table 7.

  ``how``: 'first' (embeddings), 'last', 'second_to_last', 'sum_last_four', 'sum_all'
  (all encoder layers, not the embeddings) -> H' = H; 'concat_last_four' (layers -1, -2,
  -3, -4 in that order, as the reference's default ``--layers``) -> H' = 4H.
  Works on jax and numpy arrays (the result is of the same kind).
  """
  xp = jnp if isinstance(hidden_states, jax.Array) else np
  check_combination(how, hidden_states.shape[0] - 1)
  if how == 'first':
    return hidden_states[0]
  if how == 'last':
    return hidden_states[-1]
  if how == 'second_to_last':
    return hidden_states[-2]
  if how == 'sum_last_four':
    return hidden_states[-4:].sum(axis=0)
  if how == 'sum_all':
    return hidden_states[1:].sum(axis=0)
  return xp.concatenate([hidden_states[-1], hidden_states[-2], hidden_states[-3],
                         hidden_states[-4]], axis=-1)


def check_combination(how: str, num_layers: int) -> None:
  """``InputError`` unless ``how`` is a known combination that a model of ``num_layers``
  encoder layers can compute."""
  if how not in COMBINATIONS:
    raise InputError(f'combine={how!r}; expected one of {list(COMBINATIONS)}.')
  need = {'second_to_last': 2, 'sum_last_four': 4, 'concat_last_four': 4}.get(how, 1)
  if num_layers < need:
    raise InputError(f'combine={how!r} needs at least {need} encoder layers; the model '
                     f'has {num_layers}.')


def check_layer_indexes(layer_indexes: Sequence[int], num_layers: int) -> list[int]:
  """Validates reference-style layer indexes (-num_layers .. num_layers - 1)."""
  bad = [i for i in layer_indexes if not -num_layers <= i < num_layers]
  if bad or not layer_indexes:
    raise InputError(f'--layers={",".join(map(str, layer_indexes))}: the model has '
                     f'{num_layers} layers; expected indexes in [{-num_layers}, '
                     f'{num_layers - 1}] (-1 = last layer).')
  return list(layer_indexes)


def select_layers(hidden_states, layer_indexes: Sequence[int]):
  """hidden_states [num_layers + 1, B, L, H] -> [K, B, L, H], reference indexing."""
  encoder = hidden_states[1:]
  check_layer_indexes(layer_indexes, encoder.shape[0])
  return encoder[np.asarray(layer_indexes) % encoder.shape[0]]
