"""What the generators of the shipped fine-tuning sets (tools/make_*.py) share.

  python tools/make_ner.py [--out DIR]    # default: bert_jax/resources/finetune
"""
from __future__ import annotations

import argparse
import pathlib
from typing import Callable

RESOURCES = pathlib.Path(__file__).resolve().parent.parent / 'bert_jax' / 'resources' / 'finetune'


def main(write: Callable[[pathlib.Path], dict[str, int]], doc: str, unit: str) -> None:
  """The command line of a generator: ``write(--out)``, then one ``name: N unit`` line a file."""
  parser = argparse.ArgumentParser(description=doc.split('\n')[0])
  parser.add_argument('--out', type=pathlib.Path, default=RESOURCES,
                      help='Output folder (default: bert_jax/resources/finetune).')
  args = parser.parse_args()
  for name, n in write(args.out).items():
    print(f'{name}: {n} {unit}')
