"""Pretraining data: corpora as TFDS builders, NSP pairs + MLM masks, grain pipelines.

  from bert_jax.data import default_data_config, make_pretrain_iterator
  data = default_data_config()                 # corpus='embedded': no download
  it, tokenizer = make_pretrain_iterator(data, global_batch_size=32, seed=0)
  batch = next(it)                             # input_ids [32, 128], masked_lm_ids [32, 20], ...

Build and look at the data: ``python -m bert_jax.data.prepare --inspect=3``.

Saving the data position with Orbax (beside the train state)::

  import grain, orbax.checkpoint as ocp
  mngr.save(step, args=ocp.args.Composite(
      params=ocp.args.StandardSave(params), data_iter=grain.checkpoint.CheckpointSave(it)))
  mngr.restore(step, args=ocp.args.Composite(
      params=ocp.args.StandardRestore(abstract), data_iter=grain.checkpoint.CheckpointRestore(it)))

``CheckpointRestore`` sets the state of the iterator it is given (a fresh one from
``make_pretrain_iterator`` with the same config, seed and process layout) and the next
batch is the one the saved run would have seen. Each process writes its own
``process_<i>-of-<n>.json``. Without Orbax: ``it.get_state()`` (a JSON-serialisable
dict) and ``it.set_state(state)``.
"""
from bert_jax.data.config import default_data_config
from bert_jax.data.corpus import Corpus, Documents, open_corpus, split_documents
from bert_jax.data.examples import ExampleOptions, PretrainingExamples
from bert_jax.data.pretraining import (make_pretrain_dataset, make_pretrain_iterator,
                                       mlm_majority_baseline)
from bert_jax.data.vocab import get_tokenizer

__all__ = [
    'default_data_config', 'Corpus', 'Documents', 'open_corpus', 'split_documents',
    'ExampleOptions', 'PretrainingExamples', 'make_pretrain_dataset', 'make_pretrain_iterator',
    'mlm_majority_baseline', 'get_tokenizer',
]
