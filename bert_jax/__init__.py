"""bert_jax: pretrain BERT-style encoders with JAX/Flax NNX and fine-tune the checkpoints."""
__version__ = '0.1.0'
