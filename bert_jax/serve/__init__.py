"""Serving fine-tuned models: the demo web app (``python -m bert_jax.serve``).

- ``loading``: read a fine-tuning workdir (best checkpoint, tokenizer, task.json).
- ``explain``: word / sentence importance of a document classifier (BERT-XDC).
- ``mrc``: the answer span of a question in a passage (BERT-MRC, MRC 2.0).
- ``runners``: ``Classifier`` / ``Reader``, one compiled forward each.
- ``app``: the Flask app (pages + JSON API) over a ``Classifier`` and / or a ``Reader``.

Nothing is imported here, so ``python -m bert_jax.serve --help`` answers at once.
"""
