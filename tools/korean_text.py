"""Korean particles (조사) for the data generators in tools/: the one copy.

  josa('서울', '으로')    -> '로'       (the form that follows the word)
  attach('한빛FC', '은')  -> '한빛FC는'  (the word and that form)

The form depends on whether the word's last syllable has a final consonant (받침):
은/는, 이/가, 을/를, 과/와, and 으로/로 (로 also after ㄹ). Digits are read in
Sino-Korean (영 일 삼 육 칠 팔 end in a consonant, 일 칠 팔 in ㄹ); Latin letters by
their sound, roughly (L, M, N). Any other particle (에, 에서, 의, ...) is unchanged.
"""
from __future__ import annotations

_FORMS = {'은': ('은', '는'), '는': ('은', '는'), '이': ('이', '가'), '가': ('이', '가'),
          '을': ('을', '를'), '를': ('을', '를'), '과': ('과', '와'), '와': ('과', '와'),
          '으로': ('으로', '로'), '로': ('으로', '로')}


def _last(word: str) -> str:
  return word.rstrip()[-1]


def has_final_consonant(word: str) -> bool:
  """Whether the last syllable of ``word`` has a 받침."""
  c = _last(word)
  if '가' <= c <= '힣':
    return (ord(c) - 0xAC00) % 28 != 0
  return c in '013678LMNlmn'  # 영 일 삼 육 칠 팔; 엘 엠 엔


def final_is_rieul(word: str) -> bool:
  """Whether that 받침 is ㄹ (then 으로 becomes 로)."""
  c = _last(word)
  if '가' <= c <= '힣':
    return (ord(c) - 0xAC00) % 28 == 8
  return c in '178Ll'  # 일 칠 팔; 엘


def josa(word: str, particle: str) -> str:
  """The form of ``particle`` that follows ``word``."""
  if particle not in _FORMS:
    return particle
  with_final, without = _FORMS[particle]
  if particle in ('으로', '로'):
    return with_final if has_final_consonant(word) and not final_is_rieul(word) else without
  return with_final if has_final_consonant(word) else without


def attach(word: str, particle: str) -> str:
  """``word`` followed by the right form of ``particle``."""
  return word + josa(word, particle)
