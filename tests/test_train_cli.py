"""``python -m bert_jax.pretrain``: --help, and a bad config is one line on stderr."""
import subprocess

import pytest

from test_train_support import REPO, cli_env, pretrain_cmd


def _run(cmd, timeout=300):
  return subprocess.run(cmd, cwd=REPO, env=cli_env(), capture_output=True, text=True,
                        timeout=timeout)


def test_help_exits_zero_and_names_the_flags():
  out = _run(pretrain_cmd('unused')[:3] + ['--help'])
  assert out.returncode == 0, out.stderr
  assert '--config' in out.stdout and '--workdir' in out.stdout
  assert 'configs/pretrain.py' in out.stdout


@pytest.mark.parametrize('override,says', [
    ('--config.global_batch_size=12', 'global_batch_size=12 must be a positive multiple of 8'),
    ('--config.optimizer.name=sgd', "optimizer.name='sgd'; expected adamw or lamb"),
    ('--config.mesh.fsdp=3', '8 devices do not divide by 3'),
    ('--config.model.preset=huge', "unknown model preset 'huge'"),
])
def test_bad_config_is_a_one_line_error(tmp_path, override, says):
  workdir = tmp_path / 'w'
  out = _run(pretrain_cmd(workdir, override))
  assert out.returncode == 2, out.stderr[-2000:]
  assert 'Traceback' not in out.stderr
  errors = [line for line in out.stderr.splitlines() if line.startswith('error: ')]
  assert len(errors) == 1 and says in errors[0], out.stderr[-2000:]
  assert out.stderr.strip().splitlines()[-1] == errors[0]
  assert not workdir.exists()  # nothing written for a run that cannot start
