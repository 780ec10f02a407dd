"""Masked-LM targets, as google-research/bert ``create_masked_lm_predictions``.

``num_to_predict = min(max_predictions, max(1, round(len(tokens) * masked_lm_prob)))``
(``len`` counts [CLS]/[SEP], as BERT); candidates are every token except [CLS], [SEP],
[PAD] (and [MASK], were it in the text); with whole-word masking a candidate is a whole
word (a word-start piece and the continuation pieces after it), and a word that would
overshoot the budget is skipped. Each chosen position becomes [MASK] 80 % of the time, a random token 10 %
(drawn from the vocabulary without its special tokens) and stays unchanged 10 %.
"""
from __future__ import annotations

import dataclasses

import numpy as np

MASK_PROB = 0.8
RANDOM_PROB = 0.1


@dataclasses.dataclass(frozen=True)
class MaskingSpec:
  """What masking needs to know about the vocabulary, and BERT's knobs."""
  mask_id: int
  unmaskable_ids: np.ndarray  # [PAD] [CLS] [SEP] [MASK] ([UNK] is a word like others).
  word_start: np.ndarray  # bool [vocab]: token i starts a word (whole-word masking).
  random_ids: np.ndarray  # The ids a random replacement is drawn from.
  masked_lm_prob: float = 0.15
  max_predictions: int = 20
  whole_word: bool = False

  @classmethod
  def from_tokenizer(cls, tokenizer, **kwargs) -> 'MaskingSpec':
    vocab = tokenizer.vocab_size
    unmaskable = np.array(sorted({tokenizer.pad_id, tokenizer.cls_id, tokenizer.sep_id,
                                  tokenizer.mask_id}), np.int64)
    special = np.append(unmaskable, tokenizer.unk_id)
    tokens = tokenizer.convert_ids_to_tokens(range(vocab))
    word_start = np.array([tokenizer.is_word_start(t) for t in tokens], bool)
    word_start[special] = True
    random_ids = np.setdiff1d(np.arange(vocab), special).astype(np.int32)
    return cls(mask_id=tokenizer.mask_id, unmaskable_ids=unmaskable, word_start=word_start,
               random_ids=random_ids, **kwargs)


def candidate_groups(input_ids: np.ndarray, maskable: np.ndarray,
                     word_start: np.ndarray | None) -> list[np.ndarray]:
  """Positions that are masked together: one per token, or one per whole word.

  A word never spans a special token: a continuation piece right after [SEP] (its
  word start was truncated away) starts a group of its own.
  """
  positions = np.flatnonzero(maskable)
  if word_start is None or len(positions) == 0:
    return [positions[i:i + 1] for i in range(len(positions))]
  starts = word_start[input_ids[positions]].copy()
  starts[1:] |= np.diff(positions) > 1  # A special token in between.
  starts[0] = True
  return np.split(positions, np.flatnonzero(starts)[1:])


def mask_tokens(input_ids: np.ndarray, rng: np.random.Generator, spec: MaskingSpec
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """(masked input ids, sorted masked positions, original ids there) of one sequence."""
  input_ids = np.asarray(input_ids)
  maskable = ~np.isin(input_ids, spec.unmaskable_ids)
  groups = candidate_groups(input_ids, maskable,
                            spec.word_start if spec.whole_word else None)
  num_to_predict = min(spec.max_predictions,
                       max(1, int(round(len(input_ids) * spec.masked_lm_prob))))
  chosen: list[np.ndarray] = []
  count = 0
  for g in rng.permutation(len(groups)):
    if count >= num_to_predict:
      break
    group = groups[g]
    if count + len(group) > num_to_predict:
      continue
    chosen.append(group)
    count += len(group)
  positions = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
  labels = input_ids[positions]
  output = input_ids.copy()
  r = rng.random(len(positions))
  replace = rng.choice(spec.random_ids, size=len(positions))
  output[positions] = np.where(r < MASK_PROB, spec.mask_id,
                               np.where(r < MASK_PROB + RANDOM_PROB, replace, labels))
  return output, positions, labels

