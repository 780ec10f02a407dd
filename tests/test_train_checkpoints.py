"""Unreadable checkpoints: the previous one is used (the bad one kept aside), and a workdir
of only unreadable checkpoints is an error, never a silent fresh start."""
import logging
import pathlib
import shutil

import pytest
from absl import logging as absl_logging

from bert_jax.train import checkpoints as ckpt_lib
from bert_jax.train import loop
from test_train_support import committed_steps, one_device, read_metrics, toy_config, toy_spec

# Orbax's abandoned reads of a truncated checkpoint report 'Event loop is closed' as
# unraisable exceptions once the restore has failed over; that noise is expected here.
pytestmark = pytest.mark.filterwarnings('ignore::pytest.PytestUnraisableExceptionWarning')


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
  """A toy run of 4 steps with checkpoints at 2 and 4."""
  workdir = tmp_path_factory.mktemp('ckpt_src')
  result = loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  assert result.step == 4 and committed_steps(workdir) == [2, 4]
  return workdir


def _copy(src, tmp_path) -> pathlib.Path:
  dst = tmp_path / 'w'
  shutil.copytree(src, dst)
  return dst


def _truncate_arrays(workdir, step):
  """Cuts every array data file of ``params`` of ``step`` to half its size."""
  files = [p for p in (workdir / 'checkpoints' / str(step) / 'params').rglob('*')
           if p.is_file() and p.parent.name == 'd']
  assert files
  for p in files:
    data = p.read_bytes()
    p.write_bytes(data[:len(data) // 2])


@pytest.fixture
def absl_warnings():
  """absl's WARNING records while the test runs (whatever verbosity other code left set)."""
  old = absl_logging.get_verbosity()
  absl_logging.set_verbosity(absl_logging.WARNING)
  yield
  absl_logging.set_verbosity(old)


def _warnings(caplog):
  return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_truncated_latest_checkpoint_falls_back_to_the_previous(finished, tmp_path, caplog,
                                                                absl_warnings):
  workdir = _copy(finished, tmp_path)
  before = read_metrics(workdir)
  _truncate_arrays(workdir, 4)
  with caplog.at_level(logging.WARNING):
    result = loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  messages = _warnings(caplog)
  assert any('checkpoint step 4' in m and 'cannot be restored' in m for m in messages), messages
  assert any('resumed from step 2 instead of the latest step 4' in m for m in messages), messages
  # Step 2 was used: steps 3 and 4 ran again, from the same state and the same batches.
  assert (result.start_step, result.step, result.status) == (2, 4, 'completed')
  assert result.train_step_compiles == 1
  after = read_metrics(workdir)
  assert [r['step'] for r in after] == [1, 2, 3, 4]
  assert [r['loss'] for r in after] == [r['loss'] for r in before]
  # The unreadable step is kept aside, not deleted; a good step 4 was written again.
  corrupt = list((workdir / ckpt_lib.CORRUPT_DIR).iterdir())
  assert [p.name.split('-')[0] for p in corrupt] == ['4']
  assert (corrupt[0] / 'params').is_dir()
  assert committed_steps(workdir) == [2, 4]


def test_only_unreadable_checkpoints_raise(finished, tmp_path):
  workdir = _copy(finished, tmp_path)
  _truncate_arrays(workdir, 2)
  _truncate_arrays(workdir, 4)
  metrics = (workdir / 'metrics.jsonl').read_text()
  with pytest.raises(ckpt_lib.CheckpointError, match=r'none of the checkpoints \[4, 2\]'):
    loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  # Nothing was started over them or moved away.
  assert committed_steps(workdir) == [2, 4]
  assert not (workdir / ckpt_lib.CORRUPT_DIR).exists()
  assert (workdir / 'metrics.jsonl').read_text() == metrics


def test_unreadable_meta_falls_back(finished, tmp_path):
  workdir = _copy(finished, tmp_path)
  (workdir / 'checkpoints' / '4' / 'meta' / 'metadata').write_text('{"step": 4, trunc')
  result = loop.train(toy_config(), workdir, toy_spec(), devices=one_device())
  assert result.start_step == 2


def test_uncommitted_step_directories_are_not_a_fresh_start(tmp_path):
  (tmp_path / 'checkpoints' / '7').mkdir(parents=True)  # a step directory without its items
  with pytest.raises(ckpt_lib.CheckpointError, match='7'):
    loop.train(toy_config(), tmp_path, toy_spec(), devices=one_device())
  assert (tmp_path / 'checkpoints' / '7').is_dir()
  assert not (tmp_path / 'metrics.jsonl').exists()


def test_rerun_resumes_where_the_last_run_stopped(finished, tmp_path):
  workdir = _copy(finished, tmp_path)
  before = read_metrics(workdir)
  result = loop.train(toy_config(num_train_steps=7), workdir, toy_spec(), devices=one_device())
  assert (result.start_step, result.step) == (4, 7)
  assert result.train_step_compiles == 1
  after = read_metrics(workdir)
  assert [r['step'] for r in after] == list(range(1, 8))
  assert after[:4] == before  # the first run's lines are kept as they were
  assert committed_steps(workdir) == [2, 4, 6, 7]


def test_asyncio_reports_of_abandoned_orbax_reads_are_dropped_and_others_kept():
  """After a failed restore, asyncio may log "Task exception was never retrieved" with
  the traceback of one of Orbax's abandoned reads, after the CLI's one-line error (seen in
  the preemption test under load): the filter on the 'asyncio' logger drops those, and
  only those."""
  import logging  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  from bert_jax.errors import _drop_abandoned_orbax_reads  # pylint: disable=g-import-not-at-top

  def record(filename):
    ns = {}
    exec(compile('def read():\n  raise ValueError("OUT_OF_RANGE")', filename, 'exec'), ns)  # pylint: disable=exec-used
    try:
      ns['read']()
    except ValueError:
      info = sys.exc_info()
    return logging.LogRecord('asyncio', logging.ERROR, __file__, 1,
                             'Task exception was never retrieved\nfuture: <Task finished>',
                             None, info)

  assert not _drop_abandoned_orbax_reads(record('/site-packages/orbax/checkpoint/serialization.py'))
  assert _drop_abandoned_orbax_reads(record('/site-packages/mylib/reader.py'))
