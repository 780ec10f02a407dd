"""The repository's own script files (``tools/``, ``configs/``, ``experiments/``) as modules
in tests: they are files of the checkout, not installed packages. pytest puts ``tests/``
on ``sys.path`` (rootdir-relative imports), so a test says ``from repo_files import
load_module``."""
from __future__ import annotations

import importlib.util
import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_module(relative_path: str, name: str = '') -> types.ModuleType:
  """``ROOT/relative_path`` executed as a fresh module (named ``name`` or after the file),
  registered in ``sys.modules`` under that name (dataclasses look their module up there)."""
  path = ROOT / relative_path
  spec = importlib.util.spec_from_file_location(name or f'repo_{path.stem}', path)
  module = importlib.util.module_from_spec(spec)
  sys.modules[spec.name] = module
  spec.loader.exec_module(module)
  return module
