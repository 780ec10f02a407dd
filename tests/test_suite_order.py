"""The suite's own scheduling (``tests/conftest.py``): files with ``slow`` tests run first,
so scripts/test.sh's two pytest-xdist workers (``--dist loadfile --no-loadscope-reorder``)
each start on a long file instead of one long file trailing at the end."""
import pathlib

import conftest


class _Item:

  def __init__(self, path: str, slow: bool):
    self.path, self.slow = pathlib.Path(path), slow

  def get_closest_marker(self, name):
    return object() if name == 'slow' and self.slow else None

  def __repr__(self):
    return f'{self.path.name}{"*" if self.slow else ""}'


def test_files_with_a_slow_test_come_first_in_collection_order_whole_files_together():
  items = [_Item('a.py', False), _Item('b.py', False), _Item('b.py', True),
           _Item('c.py', True), _Item('d.py', False), _Item('c.py', False)]
  conftest.pytest_collection_modifyitems(None, items)
  # b and c hold slow tests: all their items first (collection order kept), then a and d.
  assert [(i.path.name, i.slow) for i in items] == [
      ('b.py', False), ('b.py', True), ('c.py', True), ('c.py', False), ('a.py', False),
      ('d.py', False)]


def test_the_test_script_keeps_whole_files_on_a_worker_in_collection_order():
  # loadfile: a module's fixtures are built once; without --no-loadscope-reorder xdist would
  # sort files by their number of tests and undo the order above.
  script = (pathlib.Path(__file__).parent.parent / 'scripts' / 'test.sh').read_text()
  assert '--dist loadfile --no-loadscope-reorder' in script
  assert '-n "${BERT_JAX_TEST_WORKERS:-2}"' in script
