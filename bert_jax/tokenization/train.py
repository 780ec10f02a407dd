r"""Train a BERT vocabulary from text files (one sentence per line, UTF-8).

SentencePiece (unigram or BPE; good for Korean), writes spm.model, spm.vocab and
tokenizer_config.json with [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4:

  python -m bert_jax.tokenization.train --kind=sentencepiece \
      --input='corpus/*.txt' --vocab_size=32000 --output_dir=vocab/ko_spm

WordPiece (HF tokenizers), writes vocab.txt and tokenizer_config.json:

  python -m bert_jax.tokenization.train --kind=wordpiece --do_lower_case \
      --input='wiki/*.txt,books/*.txt' --vocab_size=30522 --output_dir=vocab/en_uncased

An existing vocab in --output_dir is kept unless --overwrite. From Python:
``bert_jax.tokenization.train_sentencepiece`` / ``train_wordpiece``.
"""
from absl import flags

from bert_jax import errors
from bert_jax.tokenization import training

_KIND = flags.DEFINE_enum('kind', None, ['sentencepiece', 'wordpiece'], 'Vocabulary type.')
_INPUT = flags.DEFINE_list('input', None, 'Comma-separated globs of UTF-8 text files.')
_VOCAB_SIZE = flags.DEFINE_integer('vocab_size', None, 'Vocab size, special tokens included.',
                                   lower_bound=6)
_OUTPUT_DIR = flags.DEFINE_string('output_dir', None, 'Directory for the vocab files.')
_LOWER = flags.DEFINE_bool('do_lower_case', False, 'Lower-case the text (uncased vocab).')
_STRIP = flags.DEFINE_bool('strip_accents', None,
                           'WordPiece: strip accents (default: same as --do_lower_case). '
                           'Stripping turns Hangul into jamo.')
_MODEL_TYPE = flags.DEFINE_enum('model_type', 'unigram', ['unigram', 'bpe'],
                                'SentencePiece algorithm.')
_COVERAGE = flags.DEFINE_float('character_coverage', 0.9995,
                               'SentencePiece: share of characters kept in the alphabet.')
_SENTENCES = flags.DEFINE_integer('input_sentence_size', 10_000_000,
                                  'SentencePiece: sentences sampled for training.')
_MIN_FREQ = flags.DEFINE_integer('min_frequency', 2, 'WordPiece: least count of a merge.')
_ALPHABET = flags.DEFINE_integer('limit_alphabet', 1000, 'WordPiece: most initial characters.')
_OVERWRITE = flags.DEFINE_bool('overwrite', False, 'Replace an existing vocab in --output_dir.')
flags.mark_flags_as_required(['kind', 'input', 'vocab_size', 'output_dir'])


def main(argv: list[str]) -> int:
  del argv  # run_absl rejects stray arguments
  if _KIND.value == 'sentencepiece':
    tok = training.train_sentencepiece(
        _INPUT.value, _VOCAB_SIZE.value, _OUTPUT_DIR.value, do_lower_case=_LOWER.value,
        model_type=_MODEL_TYPE.value, character_coverage=_COVERAGE.value,
        input_sentence_size=_SENTENCES.value, overwrite=_OVERWRITE.value)
  else:
    tok = training.train_wordpiece(
        _INPUT.value, _VOCAB_SIZE.value, _OUTPUT_DIR.value, do_lower_case=_LOWER.value,
        strip_accents=_STRIP.value, min_frequency=_MIN_FREQ.value,
        limit_alphabet=_ALPHABET.value, overwrite=_OVERWRITE.value)
  print(f'Wrote {tok!r} to {_OUTPUT_DIR.value}')
  return 0


def run() -> None:
  errors.run_absl(main)


if __name__ == '__main__':
  run()
