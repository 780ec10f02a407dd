"""Tokenizers behind one small interface: WordPiece (``vocab.txt``) and SentencePiece.

  tok = load_tokenizer('path/to/checkpoint_or_vocab')   # vocab.txt, *.model or a dir
  enc = tok.encode('first text', 'second text', max_length=128)
  enc.input_ids, enc.token_type_ids, enc.offsets, enc.special_tokens_mask

Train a vocab: ``python -m bert_jax.tokenization.train --help`` or ``train_sentencepiece``
/ ``train_wordpiece`` below.
"""
from bert_jax.tokenization.base import SPECIAL_TOKENS, Encoding, Tokenizer
from bert_jax.tokenization.common import TRUNCATION_STRATEGIES, truncated_lengths
from bert_jax.tokenization.files import (load_tokenizer, read_tokenizer_config,
                                         save_tokenizer_files)
from bert_jax.tokenization.sentencepiece_tok import SentencePieceTokenizer
from bert_jax.tokenization.training import expand_inputs, train_sentencepiece, train_wordpiece
from bert_jax.tokenization.wordpiece import WordPieceTokenizer

__all__ = [
    'SPECIAL_TOKENS', 'Encoding', 'Tokenizer', 'TRUNCATION_STRATEGIES', 'truncated_lengths',
    'load_tokenizer', 'read_tokenizer_config', 'save_tokenizer_files',
    'SentencePieceTokenizer', 'WordPieceTokenizer', 'expand_inputs', 'train_sentencepiece',
    'train_wordpiece',
]
