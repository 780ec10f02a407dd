"""Test setup: 8 fake CPU devices so sharding is really exercised, no network."""
import os

os.environ.setdefault('XLA_FLAGS', '--xla_force_host_platform_device_count=8')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def pytest_collection_modifyitems(config, items):
  """The files with minute-long ``slow`` tests first (the learning tests lead, stable order
  otherwise): ``scripts/test.sh`` runs pytest-xdist with ``--dist loadfile
  --no-loadscope-reorder``, so each worker starts on one long file and the short files fill
  in around them, instead of one long file trailing at the end."""
  slow_files = {item.path for item in items if item.get_closest_marker('slow')}
  items.sort(key=lambda item: item.path not in slow_files)
