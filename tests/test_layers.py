"""Nothing imports upward: docs/CONTRACTS.md "Layers", checked on every module's imports."""
import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / 'bert_jax'
LAYERS = {  # the first name under bert_jax -> layer (docs/CONTRACTS.md)
    'errors': 1, 'masks': 1, 'distributed': 1, 'fileio': 1, 'workdir': 1, 'config_checks': 1,
    'models': 2,
    'tokenization': 3, 'convert': 3, 'data': 3, 'metrics': 3,
    'tasks': 4, 'train': 4, 'features': 4,
    'pretrain': 5, 'finetune': 5, 'extract_features': 5, 'serve': 5, 'sweep': 5, 'demo': 5,
}
ENTRY_POINTS = ('pretrain', 'finetune', 'extract_features', 'serve', 'sweep', 'demo')
# workdir.load_pretrained / load_finetuned load a model: they import convert / tasks inside
# the function (docs/CONTRACTS.md), so that naming a workdir's files needs none of them;
ALLOWED = {('workdir', 'convert'), ('workdir', 'tasks'), ('workdir', 'models'),
           ('workdir', 'tokenization')}  # and it writes a tokenizer's files


def _component(path: pathlib.Path) -> str:
  return path.relative_to(PACKAGE).with_suffix('').parts[0]


def _imports(path: pathlib.Path) -> set[str]:
  """The components of bert_jax that ``path`` imports (at the top or inside a function)."""
  out = set()
  for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
    names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
             [f'{node.module}.{a.name}' for a in node.names]
             if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
    for name in names:
      parts = name.split('.')
      if parts[0] == 'bert_jax' and len(parts) > 1 and parts[1] in LAYERS:
        out.add(parts[1])
  return out


def test_every_component_has_a_layer():
  found = {_component(p) for p in PACKAGE.rglob('*.py')} - {'__init__'}
  assert found <= set(LAYERS), found - set(LAYERS)


def test_no_module_imports_a_higher_layer_or_an_entry_point():
  upward = []
  for path in sorted(PACKAGE.rglob('*.py')):
    own = _component(path)
    if own == '__init__':
      continue
    for other in _imports(path):
      if (own, other) in ALLOWED or other == own:
        continue
      if LAYERS[other] > LAYERS[own] or other in ENTRY_POINTS:
        upward.append(f'{path.relative_to(PACKAGE.parent)} imports bert_jax.{other}')
  assert upward == []
