"""Generates ner_en/{train,dev}.txt and ner_ko/{train,dev}.txt (CoNLL-2003 columns).

  python tools/make_ner.py [--out DIR]

Sentences are filled from hand-written templates and hand-written lists of
people, places, organisations and other names (PER / LOC / ORG / MISC, IOB2).
English columns are ``token POS chunk NER``: the POS tags are written into the
templates and entity lists by hand (Penn Treebank tags), the chunk tags come
from a small rule-based chunker over them (approximate, CoNLL-2000 style), the
NER tags are exact. Korean columns are ``token _ _ NER``; a particle (조사)
attached to a name is split into its own token so the entity span is exact.
The dev sets also use names that never occur in train. Output is deterministic.
"""
from __future__ import annotations

import pathlib
import random
import re
import sys
from typing import Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/
import shipped_sets  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position
from korean_text import josa  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position
Token = tuple[str, str, str]  # (word, POS, NER)


# ----------------------------------------------------------------------------
# English.
# ----------------------------------------------------------------------------
def _names(*items: str) -> list[str]:
  return list(items)


_FIRST = ['Maria', 'James', 'Aiko', 'Daniel', 'Sara', 'Omar', 'Elena', 'Thomas', 'Priya',
          'Lucas', 'Grace', 'Hannah', 'Diego', 'Fatima', 'Peter', 'Yuki', 'Anna', 'David',
          'Chen', 'Olga', 'Samuel', 'Ines', 'Kwame', 'Laura']
_LAST = ['Lopez', 'Carter', 'Tanaka', 'Kim', 'Jensen', 'Haddad', 'Petrova', 'Becker', 'Nair',
         'Moreau', 'Okafor', 'Weiss', 'Alvarez', 'Rahman', 'Novak', 'Sato', 'Schmidt',
         'Wilson', 'Wang', 'Ivanova', 'Mensah', 'Costa', 'Boateng', 'Rossi']

# slot -> (NER type, [entity strings]); an entity token may carry its POS as
# 'word/POS' (default NNP).
EN_ENTITIES = {
    'LOC': ('LOC', _names('Paris', 'Berlin', 'Tokyo', 'Seoul', 'New York', 'South Korea',
                          'Brazil', 'Kenya', 'London', 'Madrid', 'Cairo', 'Sydney', 'Toronto',
                          'Mexico City', 'Nairobi', 'Lisbon', 'Vietnam', 'Chile', 'Busan',
                          'Norway', 'Istanbul', 'Peru')),
    'COUNTRY': ('LOC', _names('Brazil', 'Germany', 'Japan', 'France', 'Italy', 'Ghana',
                              'Argentina', 'Spain', 'Mexico', 'Australia', 'Canada', 'Sweden')),
    'ORG': ('ORG', _names('Google', 'Microsoft', 'Samsung Electronics', 'Toyota', 'Siemens',
                          'Deutsche Bank', 'Hyundai Motor', 'Sony', 'Airbus', 'Nestle',
                          'Volvo', 'Philips', 'Nokia', 'Unilever')),
    'ORG_THE': ('ORG', _names('United Nations', 'European Union', 'World Health Organization',
                              'Red Cross', 'World Bank', 'Bank/NNP of/IN England',
                              'International Monetary Fund', 'African Union')),
    'NEWS': ('ORG', _names('Reuters', 'Bloomberg', 'AFP', 'Yonhap', 'Kyodo')),
    'TEAM': ('ORG', _names('Real Madrid', 'Bayern Munich', 'Manchester United', 'Ajax',
                           'Juventus', 'Celtic', 'Porto', 'Benfica', 'FC Seoul', 'Galatasaray')),
    'UNIV': ('ORG', _names('Oxford University', 'Harvard University', 'Kyoto University',
                           'Seoul National University', 'Stanford University',
                           'University/NNP of/IN Toronto', 'Yale University')),
    'NAT': ('MISC', _names('German/JJ', 'French/JJ', 'Korean/JJ', 'Japanese/JJ', 'Brazilian/JJ',
                           'Italian/JJ', 'American/JJ', 'Chinese/JJ', 'Kenyan/JJ', 'Spanish/JJ',
                           'British/JJ', 'Canadian/JJ', 'Dutch/JJ', 'Mexican/JJ')),
    'LANG': ('MISC', _names('English', 'Korean', 'Spanish', 'Arabic', 'French', 'Japanese',
                            'Portuguese', 'Swahili')),
    'EVENT': ('MISC', _names('World Cup', 'Olympic Games', 'Tour/NNP de/FW France',
                             'Australian Open', 'Asian Games', 'Champions League',
                             'Paris Marathon', 'Wimbledon')),
    'PRIZE': ('MISC', _names('Nobel Peace Prize', 'Nobel Prize', 'Booker Prize',
                             'Pulitzer Prize', 'Fields Medal')),
}

# Non-entity slot fillers (tag O): slot -> [(word, POS)].
EN_FILLERS = {
    'DAY': [(d, 'NNP') for d in ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
                                 'Saturday', 'Sunday')],
    'NUM': [(n, 'CD') for n in ('two', 'three', 'five', '12', '20', '35', '150', '400')],
    'YEAR': [(y, 'CD') for y in ('1998', '2004', '2010', '2016', '2019', '2022')],
    'SCORE': [(s, 'CD') for s in ('1-0', '2-1', '3-1', '2-0', '4-2', '3-2')],
    'AGE': [(a, 'CD') for a in ('24', '29', '31', '38', '45')],
}

EN_TEMPLATES = [
    '{PER} visited/VBD {LOC} on/IN {DAY} ./.',
    '{PER} ,/, the/DT {NAT} foreign/JJ minister/NN ,/, arrived/VBD in/IN {LOC} on/IN {DAY} ./.',
    '{ORG} said/VBD on/IN {DAY} it/PRP would/MD open/VB a/DT new/JJ office/NN in/IN {LOC} ./.',
    '{PER} scored/VBD twice/RB as/IN {TEAM} beat/VBD {TEAM} {SCORE} ./.',
    'The/DT {NAT} government/NN has/VBZ invited/VBN {PER} to/TO {LOC} ./.',
    '{PER} won/VBD the/DT {EVENT} in/IN {YEAR} ./.',
    'Shares/NNS in/IN {ORG} rose/VBD {NUM} percent/NN on/IN {DAY} ./.',
    '{PER} works/VBZ for/IN {ORG} in/IN {LOC} ./.',
    '{PER} told/VBD {NEWS} that/IN the/DT talks/NNS in/IN {LOC} had/VBD gone/VBN well/RB ./.',
    'The/DT {NAT} team/NN will/MD play/VB {COUNTRY} in/IN the/DT {EVENT} ./.',
    '{PER} speaks/VBZ {LANG} and/CC {LANG} fluently/RB ./.',
    'The/DT {ORG_THE} sent/VBD aid/NN to/TO {LOC} after/IN the/DT earthquake/NN ./.',
    '{PER} ,/, a/DT spokesman/NN for/IN the/DT {ORG_THE} ,/, declined/VBD to/TO comment/VB ./.',
    '{ORG} plans/VBZ to/TO buy/VB {ORG} for/IN $/$ {NUM} billion/CD ./.',
    'Police/NNS in/IN {LOC} arrested/VBD two/CD men/NNS on/IN {DAY} ./.',
    '{PER} was/VBD born/VBN in/IN {LOC} in/IN {YEAR} ./.',
    '{PER} and/CC {PER} met/VBD in/IN {LOC} to/TO discuss/VB trade/NN ./.',
    'The/DT {EVENT} will/MD be/VB held/VBN in/IN {LOC} next/JJ year/NN ./.',
    '{PER} studied/VBD at/IN {UNIV} before/IN joining/VBG {ORG} ./.',
    'Flights/NNS between/IN {LOC} and/CC {LOC} were/VBD cancelled/VBN after/IN heavy/JJ '
    'snow/NN ./.',
    '{PER} ,/, who/WP coaches/VBZ {TEAM} ,/, said/VBD the/DT team/NN played/VBD well/RB ./.',
    'A/DT {NAT} court/NN fined/VBD {ORG} {NUM} million/CD euros/NNS ./.',
    '{ORG} reported/VBD higher/JJR profits/NNS for/IN the/DT third/JJ quarter/NN ./.',
    '{PER} will/MD lead/VB the/DT {NAT} delegation/NN at/IN the/DT {ORG_THE} meeting/NN in/IN '
    '{LOC} ./.',
    'Thousands/NNS of/IN fans/NNS watched/VBD the/DT {EVENT} final/NN in/IN {LOC} ./.',
    '{PER} is/VBZ a/DT {NAT} writer/NN who/WP lives/VBZ in/IN {LOC} ./.',
    'The/DT new/JJ {ORG} factory/NN near/IN {LOC} employs/VBZ {NUM} people/NNS ./.',
    '{COUNTRY} beat/VBD {COUNTRY} {SCORE} in/IN a/DT friendly/JJ match/NN on/IN {DAY} ./.',
    '{PER} said/VBD {ORG} would/MD hire/VB {NUM} engineers/NNS in/IN {LOC} ./.',
    'Temperatures/NNS in/IN {LOC} fell/VBD below/IN zero/CD on/IN {DAY} ./.',
    'The/DT {ORG_THE} has/VBZ warned/VBN that/IN food/NN prices/NNS in/IN {LOC} may/MD '
    'rise/VB ./.',
    '{PER} ,/, the/DT chief/JJ executive/NN of/IN {ORG} ,/, resigned/VBD on/IN {DAY} ./.',
    '{PER} finished/VBD second/RB behind/IN {PER} at/IN the/DT {EVENT} ./.',
    '{NAT} and/CC {NAT} officials/NNS met/VBD in/IN {LOC} ./.',
    'The/DT museum/NN in/IN {LOC} is/VBZ showing/VBG paintings/NNS by/IN {PER} ./.',
    '{ORG} and/CC {ORG} signed/VBD a/DT deal/NN in/IN {LOC} ./.',
    'Heavy/JJ rain/NN hit/VBD {LOC} on/IN {DAY} ./.',
    '{PER} translated/VBD the/DT novel/NN from/IN {LANG} into/IN {LANG} ./.',
    'Talks/NNS between/IN {ORG} and/CC the/DT {ORG_THE} ended/VBD without/IN a/DT deal/NN ./.',
    '{PER} ,/, {AGE} ,/, from/IN {LOC} ,/, won/VBD the/DT race/NN ./.',
    'The/DT {NAT} prime/JJ minister/NN ,/, {PER} ,/, visited/VBD {LOC} on/IN {DAY} ./.',
    'He/PRP moved/VBD to/TO {LOC} to/TO play/VB for/IN {TEAM} ./.',
    '{PER} won/VBD the/DT {PRIZE} in/IN {YEAR} ./.',
    'The/DT {EVENT} opened/VBD in/IN {LOC} with/IN a/DT colourful/JJ ceremony/NN ./.',
    'Exports/NNS from/IN {COUNTRY} to/TO {COUNTRY} grew/VBD by/IN {NUM} percent/NN ./.',
    '{PER} joined/VBD {TEAM} from/IN {TEAM} last/JJ season/NN ./.',
    '{ORG} launched/VBD its/PRP$ new/JJ phone/NN in/IN {LOC} on/IN {DAY} ./.',
    '{PER} lives/VBZ near/IN {LOC} with/IN her/PRP$ family/NN ./.',
    'Mr./NNP {PER_LAST} said/VBD the/DT {ORG_THE} would/MD send/VB experts/NNS to/TO {LOC} ./.',
    '{PER} ,/, a/DT professor/NN at/IN {UNIV} ,/, won/VBD the/DT {PRIZE} ./.',
    'Fans/NNS of/IN {TEAM} celebrated/VBD in/IN the/DT streets/NNS of/IN {LOC} ./.',
    '{PER} ,/, a/DT {NAT} citizen/NN ,/, was/VBD released/VBN on/IN {DAY} ./.',
]

NP_POS = {'DT', 'PDT', 'JJ', 'JJR', 'JJS', 'NN', 'NNS', 'NNP', 'NNPS', 'CD', 'PRP', 'PRP$',
          'POS', '$', 'FW', 'WP'}
VP_POS = {'MD', 'VB', 'VBD', 'VBG', 'VBN', 'VBP', 'VBZ'}


def chunk_tags(words: Sequence[str], pos: Sequence[str], ner: Sequence[str]) -> list[str]:
  """Approximate CoNLL-2000 chunk tags (NP, VP, PP, ADVP, SBAR; O for the rest)."""
  tags: list[str] = []
  for i, p in enumerate(pos):
    prev_p = pos[i - 1] if i else None
    prev_chunk = tags[-1][2:] if tags and tags[-1] != 'O' else None
    nxt = pos[i + 1] if i + 1 < len(pos) else None
    if p in NP_POS and p != 'WP':
      new_np = (prev_chunk != 'NP' or prev_p == 'POS' or p in ('DT', 'PDT', 'PRP', 'PRP$')
                or (p == 'CD' and prev_p in ('NNP', 'NNPS') and ner[i - 1] != 'O')
                or (ner[i].startswith('B-') and prev_p in ('NNP', 'NNPS')
                    and ner[i - 1] != 'O'))
      tags.append('B-NP' if new_np else 'I-NP')
    elif p == 'WP':
      tags.append('B-NP')
    elif p in VP_POS:
      tags.append('I-VP' if prev_chunk == 'VP' else 'B-VP')
    elif p == 'TO' and nxt == 'VB':
      tags.append('I-VP' if prev_chunk == 'VP' else 'B-VP')
    elif p == 'RB' and prev_chunk == 'VP' and nxt in VP_POS:
      tags.append('I-VP')
    elif p == 'RB':
      tags.append('B-ADVP')
    elif p == 'IN' and words[i] == 'that':
      tags.append('B-SBAR')
    elif p in ('IN', 'TO'):
      tags.append('B-PP')
    else:
      tags.append('O')
  return tags


def _entity_tokens(text: str, type_: str) -> list[Token]:
  out = []
  for j, item in enumerate(text.split()):
    word, _, p = item.partition('/')
    out.append((word, p or 'NNP', ('B-' if j == 0 else 'I-') + type_))
  return out


def en_sentence(rng: random.Random, template: str, entities: dict[str, list[str]]
                ) -> list[tuple[str, str, str, str]]:
  """One sentence as (word, POS, chunk, NER) rows."""
  tokens: list[Token] = []
  used: set[str] = set()
  for item in template.split():
    m = re.fullmatch(r'\{(\w+)\}', item)
    if not m:
      word, _, p = item.rpartition('/')
      tokens.append((word, p, 'O'))
      continue
    slot = m.group(1)
    if slot in ('PER', 'PER_LAST'):
      while True:
        first, last = rng.choice(entities['FIRST']), rng.choice(entities['LAST'])
        name = last if slot == 'PER_LAST' else f'{first} {last}'
        if name not in used:
          break
      tokens += _entity_tokens(name, 'PER')
    elif slot in EN_FILLERS:
      word, p = rng.choice(EN_FILLERS[slot])
      tokens.append((word, p, 'O'))
      continue
    else:
      type_ = EN_ENTITIES[slot][0]
      name = rng.choice([e for e in entities[slot] if e not in used])
      tokens += _entity_tokens(name, type_)
    used.add(name)
  words, pos, ner = zip(*tokens)
  return list(zip(words, pos, chunk_tags(words, pos, ner), ner))


def en_split(rng: random.Random) -> tuple[list, list]:
  """(train, dev) sentences: 400 / 100. Dev may use names held out of train."""
  full = {k: v for k, (_, v) in EN_ENTITIES.items()}
  full['FIRST'], full['LAST'] = _FIRST, _LAST
  train_names = {k: v[:-2] if len(v) > 6 else v for k, v in full.items()}
  out = []
  for names, n in ((train_names, 400), (full, 100)):
    seen: set[str] = set()
    sents = []
    while len(sents) < n:
      template = EN_TEMPLATES[len(sents) % len(EN_TEMPLATES)] if len(sents) < len(
          EN_TEMPLATES) else rng.choice(EN_TEMPLATES)
      sent = en_sentence(rng, template, names)
      key = ' '.join(r[0] for r in sent)
      if key not in seen:
        seen.add(key)
        sents.append(sent)
    out.append(sents)
  return out[0], out[1]


# ----------------------------------------------------------------------------
# Korean.
# ----------------------------------------------------------------------------
KO_ENTITIES = {
    'PER': ('PER', ['김민준', '이서연', '박지훈', '최수아', '정우진', '윤서준', '장민서', '임도현',
                    '한지우', '오세린', '신동현', '권나연', '황준호', '송지아', '존 스미스',
                    '마리아 로페스']),
    'LOC': ('LOC', ['서울', '부산', '대구', '인천', '광주', '대전', '제주도', '강원도', '경기도',
                    '일본', '미국', '중국', '프랑스', '베트남', '뉴욕', '도쿄', '런던', '파리',
                    '독일', '브라질']),
    'COMPANY': ('ORG', ['삼성전자', '현대자동차', '네이버', '카카오', 'LG전자', '한국전력', 'SK하이닉스',
                        '포스코', '대한항공', '쿠팡']),
    'AGENCY': ('ORG', ['통계청', '한국은행', '기획재정부', '기상청', '국토교통부']),
    'INTORG': ('ORG', ['유엔', '세계보건기구', '국제적십자위원회', '세계은행', '국제통화기금']),
    'UNIV': ('ORG', ['서울대학교', '연세대학교', '고려대학교', '카이스트', '부산대학교', '포항공과대학교']),
    'TEAM': ('ORG', ['한빛FC', '바다FC', '서울 타이거즈', '대전 호크스', '인천 돌핀스', '광주 레오파즈']),
    'EVENT': ('MISC', ['월드컵', '올림픽', '아시안게임', '부산국제영화제', '세계육상선수권대회',
                       '평창 동계올림픽']),
    'LANG': ('MISC', ['한국어', '영어', '일본어', '중국어', '스페인어', '프랑스어']),
    'PRIZE': ('MISC', ['노벨 평화상', '노벨 문학상', '부커상', '퓰리처상', '그래미상']),
}

KO_TEMPLATES = [
    '{PER:은} 어제 {LOC:에서} 열린 {EVENT:에} 참석했다 .',
    '{COMPANY:은} {LOC:에} 새 연구소를 세운다고 밝혔다 .',
    '{PER} 대표는 {COMPANY:과} 협력 계약을 맺었다 .',
    '{PER:이} {EVENT:에서} 금메달을 땄다 .',
    '{COMPANY} 관계자는 {LOC} 공장의 생산을 늘리겠다고 말했다 .',
    '{PER} 교수는 {UNIV:에서} 인공지능을 연구한다 .',
    '{LOC:과} {LOC} 정상이 {LOC:에서} 만났다 .',
    '{PER:은} {LOC:에서} 태어나 {UNIV:를} 졸업했다 .',
    '{COMPANY:은} 다음 달 {LOC:에서} 신제품을 공개한다 .',
    '{EVENT:이} 오는 7월 {LOC:에서} 개막한다 .',
    '{PER:은} {LANG:와} {LANG:를} 유창하게 구사한다 .',
    '{AGENCY:은} {LOC:에} 폭염주의보를 내렸다 .',
    '{TEAM:은} {LOC:에서} 열린 경기에서 {TEAM:를} 2대 1로 이겼다 .',
    '{PER:은} 이번 시즌을 앞두고 {TEAM:으로} 이적했다 .',
    '{COMPANY:와} {COMPANY:가} 배터리 사업에서 손을 잡았다 .',
    '{PER} 감독이 이끄는 {TEAM:이} 우승을 차지했다 .',
    '{AGENCY:에} 따르면 지난달 물가가 2% 올랐다 .',
    '{PER} 작가는 지난해 {PRIZE:을} 받았다 .',
    '{LOC:에서} 열리는 {EVENT:에} 관광객이 몰렸다 .',
    '{PER:이} {LOC:을} 방문해 {PER:와} 회담했다 .',
    '{COMPANY:은} {LOC} 지사를 폐쇄하기로 했다 .',
    '{PER:은} 내년 {LOC:으로} 유학을 떠난다 .',
    '{INTORG:는} {LOC:에} 긴급 구호품을 보냈다 .',
    '{PER:은} {LOC:에서} {LOC:까지} 자전거로 여행했다 .',
    '{COMPANY:은} {PER:를} 새 대표이사로 선임했다 .',
    '{UNIV} 연구팀은 새로운 배터리 소재를 개발했다 .',
    '{PER:은} {EVENT} 개막식에서 축사를 했다 .',
    '{LOC:의} 인구는 꾸준히 늘고 있다 .',
    '{PER:과} {PER:은} {UNIV} 동창이다 .',
    '{INTORG} 사무총장은 {LOC:의} 상황을 우려했다 .',
    '{PER:은} {COMPANY:에} 입사해 반도체를 설계한다 .',
    '{AGENCY:은} {LOC} 지역의 주택 공급을 늘리겠다고 발표했다 .',
]


def ko_sentence(rng: random.Random, template: str, entities: dict[str, list[str]]
                ) -> list[tuple[str, str]]:
  """One sentence as (token, NER) rows; particles after names are separate tokens."""
  rows: list[tuple[str, str]] = []
  used: set[str] = set()
  for item in template.split():
    m = re.fullmatch(r'\{(\w+)(?::(\w+))?\}', item)
    if not m:
      rows.append((item, 'O'))
      continue
    slot, particle = m.groups()
    type_ = KO_ENTITIES[slot][0]
    name = rng.choice([e for e in entities[slot] if e not in used])
    used.add(name)
    for j, word in enumerate(name.split()):
      rows.append((word, ('B-' if j == 0 else 'I-') + type_))
    if particle:
      rows.append((josa(name, particle), 'O'))
  return rows


def ko_split(rng: random.Random) -> tuple[list, list]:
  """(train, dev) sentences: 250 / 60. Dev may use names held out of train."""
  full = {k: v for k, (_, v) in KO_ENTITIES.items()}
  train_names = {k: v[:-1] for k, v in full.items()}
  out = []
  for names, n in ((train_names, 250), (full, 60)):
    seen: set[str] = set()
    sents = []
    while len(sents) < n:
      sent = ko_sentence(rng, rng.choice(KO_TEMPLATES), names)
      key = ' '.join(r[0] for r in sent)
      if key not in seen:
        seen.add(key)
        sents.append(sent)
    out.append(sents)
  return out[0], out[1]


# ----------------------------------------------------------------------------
# Writing.
# ----------------------------------------------------------------------------
def write_conll(path: pathlib.Path, sentences: Sequence[Sequence[Sequence[str]]]) -> int:
  path.parent.mkdir(parents=True, exist_ok=True)
  lines = ['-DOCSTART- -X- -X- O', '']
  for sent in sentences:
    lines += [' '.join(row) for row in sent]
    lines.append('')
  path.write_text('\n'.join(lines), encoding='utf-8')
  return len(sentences)


def write(out_dir: pathlib.Path) -> dict[str, int]:
  """Writes the four files; returns sentence counts."""
  en_train, en_dev = en_split(random.Random(11))
  ko_train, ko_dev = ko_split(random.Random(12))

  def ko_rows(sents):
    return [[(w, '_', '_', t) for w, t in s] for s in sents]

  return {
      'ner_en/train.txt': write_conll(out_dir / 'ner_en/train.txt', en_train),
      'ner_en/dev.txt': write_conll(out_dir / 'ner_en/dev.txt', en_dev),
      'ner_ko/train.txt': write_conll(out_dir / 'ner_ko/train.txt', ko_rows(ko_train)),
      'ner_ko/dev.txt': write_conll(out_dir / 'ner_ko/dev.txt', ko_rows(ko_dev)),
  }


if __name__ == '__main__':
  shipped_sets.main(write, __doc__, 'sentences')
