"""Checkpoint interop: HF safetensors <-> bert_jax Orbax checkpoints, and loading either.

- ``load_pretrained(path, *, scan_layers=None) -> Pretrained``: any checkpoint format.
- ``params_to_model(params, config, ...)``: an NNX model holding a param tree.
- ``stack_layers`` / ``unstack_layers`` / ``convert_layout``: scanned <-> unscanned layers.
- ``hf_to_orbax`` / ``orbax_to_hf`` (+ ``summary``): what ``python -m bert_jax.convert`` runs.

Google TF (``bert_model.ckpt``) checkpoints are not read: convert them with transformers
(``BertForPreTraining.from_pretrained(..., from_tf=True).save_pretrained(...)``) first.
"""
from bert_jax.convert.hf import HfLayout, hf_to_params, params_to_hf
from bert_jax.convert.params import (check_params, convert_layout, is_scanned, model_to_params,
                                     params_to_model, stack_layers, unstack_layers)
from bert_jax.convert.pretrained import (Pretrained, copy_tokenizer_files, hf_to_orbax,
                                         load_pretrained, orbax_to_hf, summary)

__all__ = ['HfLayout', 'Pretrained', 'check_params', 'convert_layout', 'copy_tokenizer_files',
           'hf_to_orbax', 'hf_to_params', 'is_scanned', 'load_pretrained', 'model_to_params',
           'orbax_to_hf', 'params_to_hf', 'params_to_model', 'stack_layers', 'summary',
           'unstack_layers']
