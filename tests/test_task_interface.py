"""Every task module implements ``bert_jax.tasks.TaskModule``, and the driver names no task."""
import importlib
import inspect
import pathlib
import types

import pytest

from bert_jax import tasks
from bert_jax.tasks import TASKS, TaskModule, driver

MEMBERS = [name for name, fn in vars(TaskModule).items()
           if inspect.isfunction(fn) and not name.startswith('_')]


def interface_problems(module) -> list[str]:
  """What ``module`` lacks of ``TaskModule``: a function, or a parameter of one (same name,
  order and kind; the module may add parameters that have defaults)."""
  problems = []
  for name in MEMBERS:
    fn = getattr(module, name, None)
    if not callable(fn):
      problems.append(f'{name}: missing')
      continue
    want = list(inspect.signature(getattr(TaskModule, name)).parameters.values())[1:]  # self
    got = list(inspect.signature(fn).parameters.values())
    names = lambda ps: [(p.name, p.kind) for p in ps]
    if names(got[:len(want)]) != names(want):
      problems.append(f'{name}{inspect.signature(fn)}: expected the parameters '
                      f'{[p.name for p in want]}')
    elif any(p.default is inspect.Parameter.empty for p in got[len(want):]):
      problems.append(f'{name}{inspect.signature(fn)}: parameters beyond the interface '
                      'need defaults')
  return problems


def test_the_interface_is_what_the_docstring_lists():
  assert MEMBERS == ['load_examples', 'label_list', 'num_outputs', 'make_features',
                     'make_model', 'make_loss_fn', 'predict_fn', 'postprocess', 'score',
                     'write_predictions', 'main_metric', 'frozen_params', 'predict_config']
  for name in MEMBERS:
    assert f'  {name}(' in tasks.__doc__, name


@pytest.mark.parametrize('task', sorted(TASKS))
def test_every_task_module_implements_the_interface(task):
  module = tasks.get_task(task)
  assert module is importlib.import_module(TASKS[task])
  assert interface_problems(module) == []


def test_a_module_without_a_function_or_with_other_parameters_is_caught():
  module = types.ModuleType('broken')
  vars(module).update({k: getattr(tasks.get_task('ner'), k) for k in MEMBERS})
  del module.frozen_params
  module.score = lambda cfg, examples, result: {}
  module.make_loss_fn = lambda cfg, extra: None
  assert interface_problems(module) == [
      'make_loss_fn(cfg, extra): parameters beyond the interface need defaults',
      'score(cfg, examples, result): expected the parameters '
      "['cfg', 'examples', 'arrays', 'result']",
      'frozen_params: missing']


def test_the_driver_has_no_branch_on_a_task_name():
  source = pathlib.Path(driver.__file__).read_text(encoding='utf-8')
  for name in TASKS:
    assert f"'{name}'" not in source and f'"{name}"' not in source, name
  assert 'cfg.task ==' not in source and '.ner.' not in source and '.squad.' not in source


def test_task_hooks_carry_what_the_driver_used_to_decide():
  from bert_jax.tasks.config import base_config  # pylint: disable=g-import-not-at-top
  ner, squad, cls = (tasks.get_task(t) for t in ('ner', 'squad', 'classification'))
  cfg = base_config('ner')
  assert ner.frozen_params(cfg) == '' and ner.main_metric(cfg) == 'f1'
  cfg.ner.freeze_encoder = True
  assert ner.frozen_params(cfg) == 'bert'
  cfg = base_config('squad')
  cfg.squad.version_2_with_negative = True
  assert squad.main_metric(cfg) == 'best_f1' and squad.frozen_params(cfg) == ''
  tuned = squad.predict_config(cfg, {'best_f1': 80.0, 'best_f1_thresh': -1.5})
  assert tuned.squad.null_score_diff_threshold == -1.5
  assert cfg.squad.null_score_diff_threshold == 0.0  # the given config is left as it was
  cfg.squad.use_dev_threshold = False
  assert squad.predict_config(cfg, {'best_f1_thresh': -1.5}) is cfg
  untuned = squad.predict_config(base_config('squad'), {'f1': 1.0})
  assert untuned.squad.null_score_diff_threshold == 0.0
  cfg = base_config('classification')
  assert cls.main_metric(cfg) == cfg.classification.main_metric
  assert cls.predict_config(cfg, {'accuracy': 1.0}) is cfg
