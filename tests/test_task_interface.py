"""Every fine-tuning task module implements ``bert_jax.tasks.TaskModule``, pretraining
implements its trainer part ``TrainableTask``, and the driver names no task."""
import importlib
import inspect
import pathlib
import types

import pytest

from bert_jax import tasks
from bert_jax.tasks import PRETRAINING, TASKS, TaskModule, TrainableTask, driver


def members(protocol) -> list[str]:
  """The functions of ``protocol``, its bases' first, in the order they are written."""
  return [name for cls in reversed(protocol.__mro__) if cls in (TrainableTask, TaskModule)
          for name, fn in vars(cls).items() if inspect.isfunction(fn) and not name.startswith('_')]


MEMBERS = members(TaskModule)


def interface_problems(module, protocol=TaskModule) -> list[str]:
  """What ``module`` lacks of ``protocol``: a function, or a parameter of one (same name,
  order and kind; the module may add parameters that have defaults)."""
  problems = []
  for name in members(protocol):
    fn = getattr(module, name, None)
    if not callable(fn):
      problems.append(f'{name}: missing')
      continue
    want = list(inspect.signature(getattr(protocol, name)).parameters.values())[1:]  # self
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
  assert members(TrainableTask) == ['make_model', 'make_loss_fn', 'predict_fn', 'main_metric',
                                    'frozen_params']
  assert MEMBERS == ['make_model', 'make_loss_fn', 'predict_fn', 'main_metric', 'frozen_params',
                     'load_examples', 'label_list', 'num_outputs', 'make_features',
                     'postprocess', 'score', 'write_predictions', 'predict_config']
  for name in MEMBERS:
    assert f'  {name}(' in tasks.__doc__, name


@pytest.mark.parametrize('task', sorted(TASKS))
def test_every_task_module_implements_the_interface(task):
  module = tasks.get_task(task)
  assert module is importlib.import_module(TASKS[task])
  assert interface_problems(module) == []


def test_pretraining_implements_the_trainer_part_and_its_spec_uses_it():
  module = importlib.import_module(PRETRAINING)
  assert interface_problems(module, TrainableTask) == []
  assert interface_problems(module)[:1] == ['load_examples: missing']  # not a fine-tuning task
  # The spec builds its model and loss through these functions (no second definition).
  from flax import nnx  # pylint: disable=g-import-not-at-top
  from bert_jax.models import BertConfig, BertForPreTraining  # pylint: disable=g-import-not-at-top
  cfg = BertConfig.preset('tiny', vocab_size=64, max_position_embeddings=16)
  model = module.make_model(cfg, None, module.NSP_CLASSES, nnx.Rngs(0))
  assert isinstance(model, BertForPreTraining) and hasattr(model, 'bert')
  assert module.make_loss_fn(None) is module.pretraining_loss
  assert module.main_metric(None) == 'mlm_accuracy' and module.frozen_params(None) == ''
  with pytest.raises(ValueError, match='2 NSP outputs'):
    module.make_model(cfg, None, 3, nnx.Rngs(0))
  source = pathlib.Path(module.__file__).read_text(encoding='utf-8')
  spec_source = source[source.index('def make_pretraining_spec'):source.index('\n__all__')]
  assert 'make_model(cfg, config, NSP_CLASSES, rngs)' in spec_source
  assert 'loss_fn=make_loss_fn(config)' in spec_source
  assert 'BertForPreTraining(' not in spec_source and 'pretraining_loss' not in spec_source


def test_a_module_without_a_function_or_with_other_parameters_is_caught():
  module = types.ModuleType('broken')
  vars(module).update({k: getattr(tasks.get_task('ner'), k) for k in MEMBERS})
  del module.frozen_params
  module.score = lambda cfg, examples, result: {}
  module.make_loss_fn = lambda cfg, extra: None
  assert interface_problems(module) == [
      'make_loss_fn(cfg, extra): parameters beyond the interface need defaults',
      'frozen_params: missing',
      'score(cfg, examples, result): expected the parameters '
      "['cfg', 'examples', 'arrays', 'result']"]


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
