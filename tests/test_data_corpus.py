"""Corpora: the embedded English corpus, the Korean konlpy corpus, user files, TFDS names."""
import time

import numpy as np
import tensorflow_datasets as tfds

from bert_jax.data import get_tokenizer, make_pretrain_iterator, open_corpus, text
from bert_jax.data import korean_corpus
from bert_jax.tokenization import SentencePieceTokenizer, WordPieceTokenizer
from test_data_support import built, data_config, write_text_corpus


def _records(corpus):
  docs = corpus.documents
  return [(docs.doc_id(i), docs.sentences(i)) for i in range(len(docs))]


def test_embedded_corpus_is_large_natural_and_builds_deterministically(tmp_path):
  shared, tok = built('embedded')
  start = time.perf_counter()
  again = open_corpus(data_config(data_dir=str(tmp_path)))
  seconds = time.perf_counter() - start
  assert seconds < 60
  assert _records(again) == _records(shared)  # Same text, same order, same ids.
  counts = shared.counts
  assert counts['words'] > 250_000 and counts['documents'] > 500
  ids = [doc_id for doc_id, _ in _records(shared)]
  assert len(set(ids)) == len(ids)
  assert {i.split(':')[0] for i in ids} == {'topic', 'module'}  # One topic / one module each.
  assert 'module:json' in ids and 'topic:assert' in ids
  assert isinstance(tok, WordPieceTokenizer) and tok.do_lower_case and tok.vocab_size == 8000
  assert (shared.directory / 'vocab-wordpiece-8000-uncased' / 'vocab.txt').is_file()


def test_korean_corpus_gives_valid_batches_with_its_sentencepiece_vocab():
  corpus, tok = built('konlpy_ko')
  assert isinstance(tok, SentencePieceTokenizer) and not tok.do_lower_case
  assert corpus.counts['documents'] >= 15
  it, tok2 = make_pretrain_iterator(data_config('konlpy_ko'), global_batch_size=4, seed=0,
                                    process_index=0, process_count=1)
  assert tok2.source == tok.source
  for _ in range(3):
    b = next(it)
    assert b['input_ids'].shape == (4, 128)
    assert (b['input_ids'] < tok.vocab_size).all()
    w = b['masked_lm_weights'] > 0
    assert w.sum() > 0
    assert not np.isin(b['masked_lm_ids'][w], [tok.cls_id, tok.sep_id, tok.pad_id]).any()
  n = int(b['attention_mask'][0].sum())
  decoded = tok.decode(b['masked_lm_ids'][w].tolist() + b['input_ids'][0, :n].tolist())
  assert any('\uac00' <= c <= '\ud7a3' for c in decoded)  # Hangul syllables, not jamo.
  ev, _ = make_pretrain_iterator(data_config('konlpy_ko'), global_batch_size=4, seed=0,
                                 split='eval', process_index=0, process_count=1)
  assert len(list(ev)) >= 1


def test_korean_documents_are_chapters_and_bills():
  docs = dict(korean_corpus.konlpy_documents())
  assert 'kolaw:constitution:제1장' in docs and 'kobill:1809890' in docs
  assert any('대한민국은 민주공화국이다.' in s for s in docs['kolaw:constitution:제1장'])
  assert not any('-----' in s for sentences in docs.values() for s in sentences)


def test_sentence_splitter():
  assert text.split_sentences('It works. See e.g. the docs. Mr. J. Smith agrees! Why? yes.') \
      == ['It works.', 'See e.g. the docs.', 'Mr. J. Smith agrees!', 'Why? yes.']
  assert text.split_sentences('대한민국은 민주공화국이다. 주권은 국민에게 있다.') == [
      '대한민국은 민주공화국이다.', '주권은 국민에게 있다.']
  assert text.split_sentences('Released 2010. 11. 12. Done.') == ['Released 2010. 11. 12.',
                                                                 'Done.']
  assert text.split_sentences('   ') == []


def test_prose_filter_drops_code_and_rules():
  doc = ('The Title Line\n**************\n\nSome prose here that\ncontinues.\n\n'
         '   indented = code()\n\n>>> print(1)\n1\n\nMore prose. Two sentences.\n\n'
         'Word\n\n| a | b |\n\n=== ==== ===')
  assert text.prose_sentences(doc) == ['The Title Line', 'Some prose here that continues.',
                                       'More prose.', 'Two sentences.']


def test_text_corpus_with_split_paragraphs_and_its_own_vocab(tmp_path):
  para = ('The cat sat on the mat. It was warm there. The dog watched it closely. '
          'Nobody moved for an hour.')
  src = write_text_corpus(tmp_path / 'in', [[para, para], [para], [para.upper()]])
  cfg = data_config('text_corpus', files=str(src), split_paragraphs=True, vocab_size=120,
                    data_dir=str(tmp_path / 'data'), eval_fraction=0.0)
  corpus = open_corpus(cfg)
  assert corpus.counts['documents'] == 3 and corpus.counts['sentences'] == 16
  assert corpus.documents.sentences(1) == text.split_sentences(para)
  tok = get_tokenizer(cfg, corpus)
  assert isinstance(tok, WordPieceTokenizer) and tok.vocab_size <= 200
  # Changed input is a new build; the old one stays.
  src.write_text(para + '\n' + para + '\n\n' + para + '\n', encoding='utf-8')
  again = open_corpus(cfg)
  assert again.directory != corpus.directory and corpus.directory.is_dir()
  assert again.counts['documents'] == 2


class WikiLike(tfds.core.GeneratorBasedBuilder):
  """A stand-in for a user-prepared TFDS text dataset (e.g. wikipedia)."""
  VERSION = tfds.core.Version('1.0.0')
  url_infos = None

  def _info(self):
    return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict(
        {'title': tfds.features.Text(), 'text': tfds.features.Text()}))

  def _split_generators(self, dl_manager):
    return {'train': self._generate_examples()}

  def _generate_examples(self):
    for i in range(12):
      body = (f'Article {i} starts here. It has facts about topic {i}.\n\n'
              f'A second paragraph follows. It ends the article.')
      yield str(i), {'title': f'T{i}', 'text': body}


def test_any_prepared_tfds_text_dataset_by_name(tmp_path):
  WikiLike(data_dir=str(tmp_path), file_format='array_record').download_and_prepare()
  cfg = data_config('tfds:wiki_like', data_dir=str(tmp_path), split_paragraphs=True,
                    vocab_size=150, eval_fraction=0.2)
  corpus = open_corpus(cfg)
  assert len(corpus.documents) == 12
  sentences = corpus.documents.sentences(0)  # TFDS stores records in its own order.
  k = sentences[0].split()[1]
  assert sentences == [f'Article {k} starts here.', f'It has facts about topic {k}.',
                       'A second paragraph follows.', 'It ends the article.']
  it, _ = make_pretrain_iterator(cfg, global_batch_size=2, seed=0, process_index=0,
                                 process_count=1)
  assert next(it)['input_ids'].shape == (2, 128)


def test_module_prose_interleaves_docstrings_and_comment_blocks_in_source_order():
  from bert_jax.data import python_docs  # pylint: disable=g-import-not-at-top
  source = b'''"""Module doc."""
# First comment line
# continues here.
import os  # trailing remark
# noqa: E501
# type: ignore


def f():
  """Function doc."""
  # Inside the body.
  return 1
'''
  assert python_docs.module_prose(source) == [
      'Module doc.', 'First comment line continues here.', 'trailing remark',
      'Function doc.', 'Inside the body.']
  assert python_docs.comment_blocks(b'x = (\n# unterminated') == [(2, 'unterminated')]
