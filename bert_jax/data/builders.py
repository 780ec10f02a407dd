"""TFDS builders that write corpora as documents in ``array_record`` files.

Every builder here writes the same features, one record per document:
``{'id': Text, 'text': Text}`` where ``text`` holds one sentence per line (BERT's
pretraining format). Records keep the source order (``disable_shuffling``); the grain
pipeline shuffles. Only a ``train`` split is written: held-out documents are chosen by
the pipeline (``data.eval_fraction``), so they never depend on how a corpus was built.

Building needs no TensorFlow; read the result with ``builder.as_data_source()``.
``metadata.json`` beside the data holds the counts (documents, sentences, words) and what
was skipped (documents with fewer than two sentences, invalid UTF-8 lines, empty files).

- ``PythonDocs``  (``python_docs``): the embedded English corpus (``python_docs.py``).
- ``KonlpyKo``    (``konlpy_ko``): the Korean corpus shipped with konlpy (``korean_corpus.py``).
- ``TextCorpus``  (``text_corpus``): the user's files (``text_files.py``); the config name is a
  hash of the files (path, size, mtime) and the reading options, so changed input is a
  new build and an old build is never overwritten.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Iterator

import tensorflow_datasets as tfds

from bert_jax import errors, fileio
from bert_jax.data import korean_corpus, python_docs, text_files

MIN_SENTENCES_PER_DOCUMENT = 2  # NSP needs two segments from one document.


class DocumentBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
  """Writes the documents of ``documents()`` as records {'id', 'text'}, with counts."""

  VERSION = tfds.core.Version('1.0.0')
  DESCRIPTION = ''
  # Nothing to download, so no checksums file to look up (TFDS would otherwise locate
  # this package's files through importlib_resources, which is not a dependency).
  url_infos = None

  def __init__(self, **kwargs):
    kwargs.setdefault('file_format', 'array_record')  # Random access, no TensorFlow.
    super().__init__(**kwargs)

  def documents(self) -> Iterator[tuple[str, list[str]]]:
    """(id, sentences) of every document, in a fixed order."""
    raise NotImplementedError

  def extra_counts(self) -> dict[str, int]:
    """Counts beyond documents/sentences/words, known after ``documents()`` ran."""
    return {}

  def source_label(self) -> str:
    """What the documents were read from, for error messages."""
    return self.name

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self, description=self.DESCRIPTION,
        features=tfds.features.FeaturesDict({'id': tfds.features.Text(),
                                             'text': tfds.features.Text()}),
        disable_shuffling=True, metadata=tfds.core.MetadataDict())

  def _split_generators(self, dl_manager):
    del dl_manager  # Nothing is downloaded.
    return {'train': self._generate_examples()}

  def _generate_examples(self):
    try:
      yield from self._document_records()
    except errors.InputError as e:
      e.plain_message = str(e)  # TFDS prefixes the message; open_corpus shows this one.
      raise

  def _document_records(self):
    counts = dict(documents=0, sentences=0, words=0, characters=0,
                  skipped_short_documents=0)
    for doc_id, sentences in self.documents():
      sentences = [s for s in sentences if s]
      if len(sentences) < MIN_SENTENCES_PER_DOCUMENT:
        counts['skipped_short_documents'] += 1
        continue
      counts['documents'] += 1
      counts['sentences'] += len(sentences)
      counts['words'] += sum(len(s.split()) for s in sentences)
      counts['characters'] += sum(len(s) for s in sentences)
      yield doc_id, {'id': doc_id, 'text': '\n'.join(sentences)}
    counts.update(self.extra_counts())
    if not counts['documents']:
      raise errors.InputError(
          f'{self.source_label()}: no document with at least '
          f'{MIN_SENTENCES_PER_DOCUMENT} sentences in the input ({_summary(counts)}). Expected one sentence per line and a blank '
          'line between documents (or set data.split_paragraphs for paragraphs).')
    self.info.metadata.update(counts)


def _summary(counts: dict) -> str:
  keys = ('files', 'empty_files', 'invalid_utf8_lines', 'skipped_short_documents')
  return ', '.join(f'{k}={counts[k]}' for k in keys if k in counts)


class PythonDocs(DocumentBuilder):
  """The embedded English corpus: Python's own documentation (no download)."""

  DESCRIPTION = python_docs.__doc__
  VERSION = tfds.core.Version('1.1.0')
  RELEASE_NOTES = {'1.0.0': 'Docstrings only.', '1.1.0': 'Comment blocks added.'}
  BUILDER_CONFIGS = [tfds.core.BuilderConfig(name=python_docs.version_tag())]

  def documents(self):
    return python_docs.python_docs_documents()


class KonlpyKo(DocumentBuilder):
  """Korean law and bills shipped with the konlpy package (no download)."""

  DESCRIPTION = korean_corpus.__doc__

  def documents(self):
    return korean_corpus.konlpy_documents()


@dataclasses.dataclass(eq=False)
class TextCorpusConfig(tfds.core.BuilderConfig):
  """Which files, and how to read them."""
  files: tuple[str, ...] = ()
  split_paragraphs: bool = False
  invalid_utf8: str = 'skip'
  max_invalid_fraction: float = text_files.DEFAULT_MAX_INVALID_FRACTION


def text_corpus_config(files: str, *, split_paragraphs: bool = False,
                       invalid_utf8: str = 'skip',
                       max_invalid_fraction: float = text_files.DEFAULT_MAX_INVALID_FRACTION
                       ) -> TextCorpusConfig:
  """The config for the files matching ``files`` (comma-separated globs) as they are now."""
  paths = tuple(text_files.expand_globs(files))
  stats = [fileio.as_path(p).stat() for p in paths]  # local or bucket files
  stamp = [(p, st.length, st.mtime) for p, st in zip(paths, stats)]
  key = json.dumps([stamp, split_paragraphs, invalid_utf8])
  name = 'files_' + hashlib.sha256(key.encode()).hexdigest()[:16]
  return TextCorpusConfig(name=name, files=paths, split_paragraphs=split_paragraphs,
                          invalid_utf8=invalid_utf8, max_invalid_fraction=max_invalid_fraction,
                          description=f'{len(paths)} file(s): {", ".join(paths[:3])}'
                          + (' ...' if len(paths) > 3 else ''))


class TextCorpus(DocumentBuilder):
  """The user's text files (one sentence a line, blank line between documents)."""

  DESCRIPTION = text_files.__doc__

  def __init__(self, *, config: TextCorpusConfig, **kwargs):
    super().__init__(config=config, **kwargs)
    self._report = text_files.ReadReport()

  def documents(self):
    cfg = self.builder_config
    self._report = text_files.ReadReport()
    return text_files.read_documents(cfg.files, split_paragraphs=cfg.split_paragraphs,
                                     invalid_utf8=cfg.invalid_utf8, report=self._report,
                                     max_invalid_fraction=cfg.max_invalid_fraction)

  def source_label(self):
    files = list(self.builder_config.files)
    return f'{files[:5]}{" ..." if len(files) > 5 else ""}'

  def extra_counts(self):
    r = self._report
    return dict(files=r.files, empty_files=r.empty_files,
                invalid_utf8_lines=r.invalid_utf8_lines, problems=r.problems)
