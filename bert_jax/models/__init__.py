"""Flax NNX modules of the BERT family (modules only: no training logic here)."""
from flax import nnx

from bert_jax.models.bert import (BertForPreTraining, BertModel, Encoder, EncoderOutput,
                                  MaskedLMHead, gather_positions)
from bert_jax.models.config import PRESETS, BertConfig
from bert_jax.models.layers import Embeddings, Layer, SelfAttention

# Parameters carry logical axis names; bert_jax creates them unsharded under jax.eval_shape
# and places them with explicit shardings from one rules table (bert_jax.train.partitioning),
# so Flax's eager variable sharding (which needs a mesh context at construction) is off.
nnx.use_eager_sharding(False)

__all__ = ['BertConfig', 'PRESETS', 'BertModel', 'BertForPreTraining', 'Encoder',
           'EncoderOutput', 'MaskedLMHead', 'Embeddings', 'Layer', 'SelfAttention',
           'gather_positions']
