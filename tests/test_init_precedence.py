"""Where a pretraining run starts (docs/CONTRACTS.md, docs/CONFIG.md): the workdir's own
latest checkpoint (resume) > ``init_checkpoint`` > fresh init. Fine-tuning's side of the
same rule: tests/test_finetune.py::test_rerun_resumes_instead_of_retraining."""
import dataclasses

import numpy as np

from bert_jax.train import loop
from bert_jax.train.pretraining import make_pretraining_spec
from bert_jax.workdir import load_pretrained
from test_train_support import committed_steps, flat, read_metrics, tiny_config


def _spec(config, calls: list):
  """The pretraining spec, recording what its ``init_params`` returned (if it ran)."""
  spec = make_pretraining_spec(config)
  if spec.init_params is None:
    return spec
  init = spec.init_params

  def counted():
    calls.append(init())
    return calls[-1]

  return dataclasses.replace(spec, init_params=counted)


def test_resume_wins_over_init_checkpoint_which_wins_over_fresh_init(tmp_path):
  phase1 = tmp_path / 'p1'
  config = tiny_config(num_train_steps=2, checkpoint_every_steps=2, log_every_steps=1)
  assert loop.train(config, phase1, make_pretraining_spec(config)).step == 2

  # A fresh workdir with init_checkpoint: phase 1's parameters start the run.
  calls = []
  config = tiny_config(num_train_steps=2, checkpoint_every_steps=2, log_every_steps=1,
                       init_checkpoint=str(phase1))
  result = loop.train(config, tmp_path / 'p2', _spec(config, calls))
  assert (result.start_step, result.step) == (0, 2) and len(calls) == 1
  want = flat(load_pretrained(phase1, scan_layers=False).params)
  got = flat(calls[0])
  assert got and set(got) <= set(want)
  for k, v in got.items():
    np.testing.assert_array_equal(np.asarray(v), np.asarray(want[k]), err_msg=k)

  # The same workdir again, init_checkpoint still set: it resumes, init_checkpoint unread.
  calls = []
  config = tiny_config(num_train_steps=4, checkpoint_every_steps=2, log_every_steps=1,
                       init_checkpoint=str(phase1))
  result = loop.train(config, tmp_path / 'p2', _spec(config, calls))
  assert (result.start_step, result.step) == (2, 4) and calls == []
  assert committed_steps(tmp_path / 'p2') == [2, 4]
  assert [r['step'] for r in read_metrics(tmp_path / 'p2')] == [1, 2, 3, 4]

  # No init_checkpoint, no checkpoint: fresh init (init_params is not even there).
  config = tiny_config(num_train_steps=2, checkpoint_every_steps=2, log_every_steps=1)
  assert make_pretraining_spec(config).init_params is None
