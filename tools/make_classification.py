"""Generates the shipped classification sets (GLUE-style TSV, header row).

  python tools/make_classification.py [--out DIR]

* ``sentiment/{train,dev}.tsv``: ``sentence\\tlabel`` (SST-2 format; 1 = positive,
  0 = negative). Hand-written sentences plus sentences composed from hand-written
  subject and predicate phrases of six review domains.
* ``pair/{train,dev}.tsv``: ``sentence1\\tsentence2\\tlabel`` (MRPC-like; 1 = the
  two sentences are paraphrases). Each event frame has several hand-written
  phrasings; positives pair two phrasings with the same slot values, negatives
  change one slot (a different person, place, number, day or swapped roles) or
  pair two different events about the same people or places.
* ``ko_news_topic/{train,dev}.tsv``: ``sentence\\tlabel`` with label one of
  경제/스포츠/날씨/정치: short Korean news-style sentences (hand-written templates,
  slot values and whole sentences; companies, teams and parties are fictional).

Everything is written by the bert_jax authors; output is deterministic.
"""
from __future__ import annotations

import pathlib
import random
import re
import sys
from typing import Iterable, Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/
import shipped_sets  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position
from korean_text import attach  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position

# ----------------------------------------------------------------------------
# English sentiment.
# ----------------------------------------------------------------------------
POSITIVE = """\
What a fantastic evening, everything went perfectly.
I loved this place and I cannot wait to come back.
The concert was the best night out I have had in years.
This is a charming little cafe with wonderful cakes.
She gave a brilliant performance that moved the whole audience.
Our guide was knowledgeable, funny and patient with the children.
A beautiful, heartfelt story told with great skill.
The new update made the app faster and much easier to use.
I am so happy with this purchase.
The garden was peaceful and full of colourful flowers.
Every dish we ordered was a delight.
It was a warm, funny and uplifting film.
The kids had a wonderful time at the museum.
Great value for money and excellent quality.
The teacher explained everything clearly and kindly.
This was the most relaxing holiday we have ever had.
The hike was tough but the views were breathtaking.
I would give this ten stars if I could.
The staff remembered our names and treated us like family.
A smart, stylish and thoroughly enjoyable thriller.
The repair was done quickly and the price was fair.
This album gets better every time I listen to it.
The bread is always fresh and the coffee is excellent.
It arrived early and was packed with great care.
An inspiring talk that gave me a lot to think about.
We were delighted with the wedding photos.
The game is fun, challenging and beautifully designed.
My new running shoes are light and very comfortable.
The nurses were caring and made a difficult week much easier.
A gorgeous old town with friendly people and great food.
The course was well organised and really useful.
The puppy training class was a huge success.
I felt welcome from the moment I walked in.
Simply the best pizza in town.
The instructions were clear and the furniture was easy to build.
A moving documentary that everyone should see.
The train was clean, quiet and right on time.
Fantastic customer support, they solved my problem in minutes.
The actors were superb and the story was gripping.
The festival was cheerful, lively and well run.
This soup is rich, warm and comforting.
I laughed out loud many times during the show.
The new library is bright, modern and a pleasure to work in.
Our room had a stunning view of the sea.
The software is powerful yet simple to learn.
An excellent book that I could not put down.
The children's choir sang beautifully.
The bike shop gave me honest advice and a great deal.
A wonderful little restaurant with a lovely atmosphere.
The presentation was clear, engaging and well prepared.
I am thrilled with how the kitchen renovation turned out.
The park is clean, safe and perfect for a picnic.
The flight was smooth and the crew were cheerful.
This is my favourite podcast; every episode is a gem.
The cake was moist, sweet and beautifully decorated.
The doctor listened carefully and was very reassuring.
Brilliant design, solid build and a battery that lasts for days.
The exhibition was fascinating from start to finish.
We received a warm welcome and an excellent meal.
The new bus route has made my commute so much easier.
A delightful comedy with a great cast.
The plumber was punctual, tidy and very professional.
I enjoyed every page of this novel.
What a lovely surprise, thank you so much.
The beach was quiet and the water was crystal clear.
The sequel is even better than the original.
The volunteers did an amazing job.
This camera takes stunning pictures even at night.
The lessons are fun and my Spanish has improved a lot.
Excellent food, friendly service and fair prices.
The hotel upgraded our room and made our anniversary special.
A clever puzzle game that kept me happy for weeks.
The orchestra played with real passion.
The market was full of delicious local food.
I would gladly recommend this dentist to my friends.
"""

NEGATIVE = """\
What a terrible evening, everything went wrong.
I hated this place and I will never come back.
The concert was loud, messy and far too short.
The cafe was dirty and the cakes were stale.
Her performance was flat and lifeless.
Our guide was late, rude and clearly bored.
A clumsy, boring story with no heart at all.
The new update made the app slower and full of bugs.
I am very unhappy with this purchase.
The garden was overgrown and full of rubbish.
Every dish we ordered was disappointing.
It was a cold, dreary and depressing film.
The kids were bored at the museum.
Poor quality and a complete waste of money.
The teacher was impatient and explained nothing.
This was the most stressful holiday we have ever had.
The hike was badly marked and we got lost for hours.
I would give this zero stars if I could.
The staff were rude and made us feel unwelcome.
A dull, confusing thriller with a silly ending.
The repair took weeks and it still does not work.
This album is repetitive and forgettable.
The bread was hard and the coffee tasted burnt.
It arrived late and the box was badly damaged.
A boring talk that went on far too long.
We were upset with the blurry wedding photos.
The game is buggy, unfair and frustrating.
My new running shoes gave me painful blisters.
The nurses were careless and ignored our questions.
A grim, dirty town with nothing to do.
The course was chaotic and a waste of time.
The puppy training class was a total failure.
I felt unwelcome from the moment I walked in.
Easily the worst pizza in town.
The instructions were useless and parts were missing.
A preachy documentary that says nothing new.
The train was dirty, crowded and an hour late.
Awful customer support, nobody answered my emails.
The actors were wooden and the story was predictable.
The festival was overcrowded and badly organised.
This soup is watery, cold and tasteless.
I did not laugh once during the show.
The new library is cramped, noisy and badly lit.
Our room faced a noisy car park.
The software is confusing and crashes all the time.
A tedious book that I could not finish.
The choir sang out of tune all evening.
The bike shop overcharged me for a poor repair.
A gloomy restaurant with a terrible atmosphere.
The presentation was confusing and badly prepared.
I regret the kitchen renovation; it was a disaster.
The park is dirty, unsafe and full of litter.
The flight was bumpy and the crew were unfriendly.
This podcast is boring; every episode is the same.
The cake was dry, bland and fell apart.
The doctor rushed us and did not listen at all.
Flimsy design, poor build and a battery that dies in an hour.
The exhibition was dull and overpriced.
We got a cold welcome and an awful meal.
The new bus route has made my commute a nightmare.
A tired comedy with a miserable script.
The plumber was late, messy and unprofessional.
I hated every page of this novel.
What a nasty shock, I am really disappointed.
The beach was crowded and the water was filthy.
The sequel is much worse than the original.
The organisers did a terrible job.
This camera takes blurry pictures even in daylight.
The lessons are dull and I have learned nothing.
Bad food, slow service and high prices.
The hotel lost our booking and ruined our anniversary.
A frustrating puzzle game that I deleted after an hour.
The orchestra sounded tired and careless.
The market was overpriced and the food was poor.
I would warn my friends to stay away from this dentist.
"""

# domain: (subjects, positive predicates, negative predicates)
REVIEW_DOMAINS = {
    'film': (
        ['movie', 'film', 'plot', 'soundtrack', 'ending', 'script', 'new series', 'documentary'],
        ['was absolutely wonderful', 'kept me on the edge of my seat', 'was funny and moving',
         'was a real pleasure to watch', 'exceeded all my expectations', 'was clever and fresh',
         'was beautifully made', 'left me smiling for hours'],
        ['was dull and far too long', 'was a complete waste of time', 'made no sense at all',
         'was boring from start to finish', 'felt lazy and predictable',
         'was painful to sit through', 'was a huge disappointment', 'left me bored and annoyed']),
    'food': (
        ['food', 'pasta', 'soup', 'dessert', 'pizza', 'coffee', 'steak', 'curry', 'salad',
         'breakfast'],
        ['was delicious', 'was fresh and full of flavour', 'tasted amazing',
         'was perfectly cooked', 'was the best I have ever had', 'was generous and very tasty'],
        ['was cold and tasteless', 'tasted stale', 'was overcooked and dry', 'was far too salty',
         'was bland and overpriced', 'was the worst I have ever had']),
    'people': (
        ['waiter', 'staff', 'receptionist', 'manager', 'tour guide', 'delivery driver',
         'customer service team', 'instructor'],
        ['was friendly and helpful', 'was warm and attentive', 'went out of their way to help us',
         'was quick and very polite', 'made us feel welcome'],
        ['was rude and unhelpful', 'ignored us for half an hour', 'was slow and careless',
         'was unfriendly from the start', 'made us feel unwelcome']),
    'room': (
        ['room', 'bed', 'bathroom', 'suite', 'apartment', 'cabin'],
        ['was spotless and comfortable', 'was clean, quiet and cosy', 'was bright and spacious',
         'was even nicer than the photos'],
        ['was dirty and smelled bad', 'was tiny and noisy', 'was cramped and uncomfortable',
         'looked nothing like the photos']),
    'product': (
        ['phone', 'laptop', 'battery', 'camera', 'printer', 'vacuum cleaner', 'blender',
         'keyboard', 'charger', 'smartwatch', 'speaker', 'kettle'],
        ['works perfectly', 'is fast and reliable', 'is worth every penny',
         'works even better than advertised', 'is easy to use and well made',
         'is the best purchase I have made this year'],
        ['stopped working after two days', 'is slow and unreliable',
         'is a complete waste of money', 'broke the first time I used it', 'keeps failing',
         'is cheaply made and flimsy']),
    'book': (
        ['book', 'novel', 'story', 'biography', 'sequel', 'first chapter', 'cookbook'],
        ['was a joy to read', 'was beautifully written', 'was gripping from the first page',
         'made me laugh and cry', 'is one I will happily read again'],
        ['was tedious and badly written', 'was impossible to finish', 'was confusing and dull',
         'put me to sleep', 'was full of mistakes']),
}
_OPENERS = ['', 'Honestly, ', 'Overall, ', 'In my opinion, ', 'I have to say ']
_CLOSERS = {1: ['', ', and I would recommend it to anyone'],
            0: ['', ', and I would not recommend it to anyone']}


def _cap(s: str) -> str:
  return s[0].upper() + s[1:]


def composed_reviews(label: int) -> list[str]:
  """Every subject x predicate x opener x closer review of one polarity."""
  out = []
  for subjects, pos, neg in REVIEW_DOMAINS.values():
    for subject in subjects:
      for pred in (pos if label else neg):
        for opener in _OPENERS:
          for closer in _CLOSERS[label]:
            out.append(_cap(f'{opener}the {subject} {pred}{closer}.'))
  return out


def sentiment_split(rng: random.Random) -> tuple[list, list]:
  """(train, dev) lists of (sentence, label): 420 / 100, balanced."""
  train, dev = [], []
  for label, text in ((1, POSITIVE), (0, NEGATIVE)):
    hand = text.strip().split('\n')
    composed = rng.sample(composed_reviews(label), 200)
    train += [(s, label) for s in hand[:60] + composed[:150]]
    dev += [(s, label) for s in hand[60:] + composed[150:185]]
  rng.shuffle(train)
  rng.shuffle(dev)
  return train, dev


# ----------------------------------------------------------------------------
# English sentence pairs (paraphrase or not).
# ----------------------------------------------------------------------------
SLOTS = {
    'a': ['Maria Lopez', 'James Carter', 'Aiko Tanaka', 'Daniel Kim', 'Sara Jensen',
          'Omar Haddad', 'Elena Petrova', 'Tom Becker', 'Priya Nair', 'Lucas Moreau',
          'Grace Okafor', 'Min-jun Park', 'Hannah Weiss', 'Diego Alvarez'],
    'city': ['Lisbon', 'Toronto', 'Osaka', 'Nairobi', 'Melbourne', 'Busan', 'Denver', 'Lyon',
             'Krakow', 'Cape Town', 'Seattle', 'Hamburg'],
    'day': ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    'month': ['January', 'March', 'April', 'June', 'August', 'October', 'November'],
    'obj': ['car', 'bicycle', 'laptop', 'piano', 'camera', 'sofa'],
    'team': ['Riverside Rovers', 'Hilltop Hawks', 'Harbor Lions', 'Valley Wolves',
             'Northgate Eagles', 'Lakeside Bears'],
    'company': ['Northwind Foods', 'Bluepeak Systems', 'Harbor Motors', 'Greenfield Energy',
                'Sunline Airways', 'Oakridge Bank', 'Brightwave Media'],
    'n': ['3', '5', '7', '12', '15', '20', '25', '40'],
    'score': ['2', '3', '4', '5'],
    'quarter': ['first', 'second', 'third', 'fourth'],
    'ord': ['second', 'third', 'fourth', 'fifth'],
    'race': ['city marathon', 'cycling race', 'chess championship', 'swimming final'],
    'topic': ['jazz', 'the printing press', 'coffee', 'chess', 'the Silk Road', 'bridges',
              'the bicycle', 'tea'],
    'good': ['coffee', 'bread', 'rice', 'petrol', 'train tickets', 'milk'],
    'task': ['move', 'garden', 'school project', 'wedding plans', 'new website'],
}

# Each frame: a list of phrasings with the same meaning. {b}/{city2}/{team2}
# take values different from {a}/{city}/{team}; {low} < {score}.
FRAMES = [
    ['{a} bought a new {obj} in {city} last {day}.',
     'Last {day}, {a} purchased a new {obj} in {city}.',
     '{a} got a new {obj} while shopping in {city} last {day}.'],
    ['{a} met {b} for lunch in {city} on {day}.',
     'On {day}, {a} and {b} had lunch together in {city}.',
     '{b} had lunch with {a} in {city} on {day}.'],
    ['The {team} beat the {team2} {score} to {low} on {day}.',
     'On {day}, the {team} defeated the {team2} {score}-{low}.',
     'The {team2} lost {low} to {score} against the {team} on {day}.'],
    ['{company} said its profit rose {n} percent in the {quarter} quarter.',
     '{company} reported a {n} percent increase in {quarter}-quarter profit.',
     'In the {quarter} quarter, profit at {company} grew by {n} percent, the company said.'],
    ['{a} will move to {city} in {month} to start a new job.',
     'In {month}, {a} is relocating to {city} for a new job.',
     '{a} starts a new job in {city} in {month} and will move there.'],
    ['Heavy rain closed several roads in {city} on {day}.',
     'On {day}, several roads in {city} were closed because of heavy rain.',
     'Several roads in {city} had to be shut on {day} after heavy rain.'],
    ['{a} won the {race} in {city} for the {ord} time.',
     'For the {ord} time, {a} won the {race} in {city}.',
     '{a} took the {race} title in {city}, winning it for the {ord} time.'],
    ['The museum in {city} will be closed for repairs until {month}.',
     'Repairs will keep the {city} museum shut until {month}.',
     'Until {month}, the museum in {city} is closed for repair work.'],
    ['{a} has written a book about the history of {topic}.',
     'A new book by {a} tells the history of {topic}.',
     'The history of {topic} is the subject of a book written by {a}.'],
    ['{company} will hire {n} new workers at its factory in {city}.',
     '{company} plans to add {n} jobs at its {city} factory.',
     'At its factory in {city}, {company} is going to take on {n} more employees.'],
    ['The train from {city} to {city2} was delayed by {n} minutes.',
     'The {city} to {city2} train arrived {n} minutes late.',
     'A delay of {n} minutes hit the train from {city} to {city2}.'],
    ['{a} asked {b} to help with the {task}.',
     '{b} was asked by {a} to help with the {task}.',
     '{a} turned to {b} for help with the {task}.'],
    ['The price of {good} went up by {n} percent this year.',
     'This year {good} became {n} percent more expensive.',
     'Prices for {good} have risen {n} percent this year.'],
    ['{a} was elected mayor of {city} on {day}.',
     'On {day}, voters in {city} chose {a} as their mayor.',
     '{a} won the election for mayor of {city} on {day}.'],
    ['{a} gave a talk about {topic} at the university in {city}.',
     'At the university in {city}, {a} spoke about {topic}.',
     'The university in {city} hosted a talk on {topic} by {a}.'],
]
_SECOND = {'b': 'a', 'city2': 'city', 'team2': 'team'}
# Frames where swapping the two roles keeps the meaning (never a negative).
SYMMETRIC_FRAMES = {FRAMES[1][0]}


def _slot_names(template: str) -> set[str]:
  return set(re.findall(r'\{(\w+)\}', template))


def _draw(rng: random.Random, names: Iterable[str]) -> dict[str, str]:
  values: dict[str, str] = {}
  for name in sorted(names, key=lambda n: (n in _SECOND, n)):  # firsts before seconds
    if name in _SECOND:
      values[name] = rng.choice([v for v in SLOTS[_SECOND[name]]
                                 if v != values.get(_SECOND[name])])
    elif name == 'low':
      continue
    else:
      values[name] = rng.choice(SLOTS[name])
  if 'score' in values:
    values['low'] = str(rng.randrange(0, int(values['score'])))
  return values


def _fill(template: str, values: dict[str, str]) -> str:
  return _cap(template.format(**values))


def _changed(rng: random.Random, frame: list[str], values: dict[str, str]) -> dict[str, str]:
  """Same frame, one meaningful slot changed (or the two roles swapped)."""
  names = _slot_names(' '.join(frame))
  new = dict(values)
  swappable = [(x, y) for y, x in _SECOND.items() if x in names and y in names]
  if swappable and rng.random() < 0.4 and frame[0] not in SYMMETRIC_FRAMES:
    x, y = rng.choice(swappable)
    new[x], new[y] = values[y], values[x]
    return new
  options = {}
  for name in sorted(names - {'low'}):
    pool = SLOTS[_SECOND.get(name, name)]
    choices = [v for v in pool if v != values[name] and v not in values.values()]
    if name == 'score':
      choices = [v for v in choices if int(v) > int(values['low'])]
    if choices:
      options[name] = choices
  name = rng.choice(sorted(options))
  new[name] = rng.choice(options[name])
  return new


def make_pairs(rng: random.Random, n: int) -> list[tuple[str, str, int]]:
  """``n`` (sentence1, sentence2, label) rows, half paraphrases."""
  rows: list[tuple[str, str, int]] = []
  seen: set[tuple[str, str]] = set()
  while len(rows) < n:
    f_i = rng.randrange(len(FRAMES))
    frame = FRAMES[f_i]
    i, j = rng.sample(range(len(frame)), 2)
    values = _draw(rng, _slot_names(' '.join(frame)))
    label = len(rows) % 2 == 0  # alternate -> exactly balanced
    if label:
      s1, s2 = _fill(frame[i], values), _fill(frame[j], values)
    elif rng.random() < 0.6:  # hard negative: one fact differs
      s1, s2 = _fill(frame[i], values), _fill(frame[j], _changed(rng, frame, values))
    else:  # a different event about overlapping people / places
      other = FRAMES[rng.choice([k for k in range(len(FRAMES)) if k != f_i])]
      t = rng.choice(other)
      other_values = _draw(rng, _slot_names(t))
      other_values.update({k: v for k, v in values.items() if k in other_values})
      s1, s2 = _fill(frame[i], values), _fill(t, other_values)
    if (s1, s2) in seen:
      continue
    seen.add((s1, s2))
    rows.append((s1, s2, int(label)))
  return rows


# ----------------------------------------------------------------------------
# Korean news topics.
# ----------------------------------------------------------------------------
def ko_fill(template: str, values: dict[str, str]) -> str:
  """Fills ``{slot}`` and ``{slot:조사}`` (particle chosen by the filler's 받침)."""
  def sub(m: re.Match) -> str:
    word = values[m.group(1)]
    return attach(word, m.group(2)) if m.group(2) else word
  return re.sub(r'\{(\w+)(?::(\w+))?\}', sub, template)


KO_SLOTS = {
    'company': ['미래전자', '한빛자동차', '누리통신', '새솔식품', '다온화학', '바른제약', '하늘항공',
                '푸른에너지', '한결건설', '온누리유통'],
    'city': ['서울', '부산', '울산', '광주', '대전', '평택', '구미', '청주', '인천', '대구'],
    'good': ['배추', '달걀', '쌀', '돼지고기', '사과', '휘발유', '우유', '고등어'],
    'team': ['한빛FC', '바다FC', '별빛유나이티드', '청룡FC', '서울 타이거즈', '대전 호크스',
             '인천 돌핀스', '광주 레오파즈'],
    'player': ['김민준', '박서준', '이도윤', '최하준', '정시우', '강지호', '윤준서', '장유찬',
               '한서연', '오지민'],
    'sport': ['축구', '야구', '배구', '농구', '핸드볼', '하키'],
    'event': ['아시아선수권대회', '아시안게임', '세계선수권대회', '올림픽 예선'],
    'country': ['일본', '중국', '호주', '이란', '태국', '베트남', '캐나다', '프랑스'],
    'region': ['중부지방', '남부지방', '제주도', '강원 산지', '서울과 경기', '충청권', '호남 지방',
               '영남 지방', '동해안'],
    'typhoon': ['개미', '나리', '제비', '노루', '독수리', '미리내'],
    'party': ['한빛당', '새길당', '미래연합', '바른길당'],
    'bill': ['주택임대차보호법', '근로기준법', '공직선거법', '정부조직법', '지방자치법'],
    'policy': ['부동산', '저출산', '일자리', '에너지', '교육'],
    'committee': ['법제사법위원회', '외교통일위원회', '행정안전위원회', '보건복지위원회'],
    'n': ['1.2', '2.5', '3', '4.8', '6', '8', '12', '15'],
    'k': ['2', '3', '4', '5', '6', '7'],
    'm': ['300', '500', '1200', '2000', '4500'],
    't': ['3', '5', '7', '9', '12'],
    'temp': ['18', '21', '24', '27', '30', '33'],
    'mm': ['20', '30', '50', '80'],
    'minute': ['5', '6', '7', '8', '9', '10'],
    'hr': ['12', '18', '25', '31', '40'],
    'dist': ['100', '200', '400', '800', '1500'],
    'fx': ['10', '15', '20', '25'],
    'score': ['2', '3', '4'],
    'q': ['1', '2', '3', '4'],
    'month': ['1월', '3월', '5월', '7월', '9월', '11월'],
}

KO_TEMPLATES = {
    '경제': [
        '{company:은} {q}분기 영업이익이 지난해보다 {n}% 증가했다고 발표했다.',
        '{company:이} {city}에 {m}억 원을 들여 새 공장을 짓기로 했다.',
        '코스피 지수가 외국인 매수세에 힘입어 {n}% 오른 채 장을 마감했다.',
        '지난달 소비자물가가 1년 전보다 {n}% 올라 장바구니 부담이 커졌다.',
        '{company:은} 올해 신입사원 {m}명을 채용할 계획이라고 밝혔다.',
        '{good} 가격이 한 달 사이 {n}% 넘게 오르면서 소비자들의 부담이 커지고 있다.',
        '{company:와} {company2:이} 전기차 배터리 사업에서 손을 잡았다.',
        '올해 {month} 수출액이 지난해 같은 달보다 {n}% 늘어 {k}개월 연속 증가했다.',
        '{city} 아파트 매매가격이 {k}주 연속 오름세를 이어 갔다.',
        '{company} 주가가 신제품 출시 기대감에 {n}% 급등했다.',
        '원·달러 환율이 하루 만에 {fx}원 넘게 오르며 금융시장이 출렁였다.',
        '{company:은} 해외 매출 비중이 처음으로 절반을 넘었다고 밝혔다.',
        '한국은행은 물가 안정을 위해 기준금리를 동결했다.',
        '{company:이} 경영난을 이유로 {city} 공장의 가동을 멈추기로 했다.',
    ],
    '스포츠': [
        '{team:이} {team2:를} {score}대 1로 꺾고 {k}연승을 달렸다.',
        '{player:은} 이날 경기에서 두 골을 넣으며 팀의 승리를 이끌었다.',
        '{player:이} 시즌 {hr}호 홈런을 터뜨리며 홈런 선두로 올라섰다.',
        '한국 {sport} 대표팀이 {country:를} 꺾고 {event} 결승에 올랐다.',
        '{player:은} 남자 {dist}미터 결승에서 한국 신기록을 세우며 금메달을 땄다.',
        '{team:은} 연장 접전 끝에 {team2:에} 1대 {score:로} 졌다.',
        '프로야구 {team:이} 새 외국인 투수와 계약을 마쳤다.',
        '{player:은} 부상에서 회복해 {k}주 만에 그라운드에 복귀했다.',
        '{team} 감독은 경기 뒤 기자회견에서 선수들의 투지를 칭찬했다.',
        '{event}에 나설 {sport} 국가대표 명단이 발표되었다.',
        '{player:이} 국제 마라톤 대회에서 2시간 {minute}분대 기록으로 우승했다.',
        '{team:은} 홈 경기에서 {team2:과} 득점 없이 비겼다.',
        '{player:은} 결승에서 {country} 선수를 세트 스코어 3대 1로 눌렀다.',
        '{team:이} 리그 최하위로 떨어지자 감독이 사퇴했다.',
    ],
    '날씨': [
        '내일은 전국이 대체로 맑겠고 낮 최고기온은 {temp}도 안팎이 되겠다.',
        '{region}에는 모레까지 {mm}밀리미터의 비가 더 내리겠다.',
        '기상청은 {region}에 폭염주의보를 내렸다.',
        '{region}에 대설주의보가 내려진 가운데 밤까지 최고 {t}센티미터의 눈이 오겠다.',
        '태풍 {typhoon:이} 북상하면서 {region} 해안에 강한 바람이 불겠다.',
        '오늘 아침 {city}의 기온이 영하 {t}도까지 떨어지며 올겨울 들어 가장 추웠다.',
        '{region:은} 오후부터 흐려져 밤에는 비가 오겠다.',
        '장마전선의 영향으로 {region}에는 시간당 {mm}밀리미터가 넘는 강한 비가 쏟아지겠다.',
        '낮과 밤의 기온 차가 {t}도 이상 벌어지겠으니 건강 관리에 유의해야 한다.',
        '이번 주는 평년보다 {t}도가량 높은 포근한 날씨가 이어지겠다.',
        '{city}에서 올해 첫 서리가 관측되었다.',
        '{region}에는 짙은 안개가 끼는 곳이 있어 교통안전에 주의해야 한다.',
        '주말에는 미세먼지 농도가 높겠으니 외출할 때 마스크를 쓰는 것이 좋겠다.',
        '{city}의 낮 기온이 {temp}도까지 오르며 초여름 같은 더위가 나타났다.',
    ],
    '정치': [
        '국회는 오늘 본회의를 열어 {bill} 개정안을 통과시켰다.',
        '{party:은} {bill} 처리를 두고 {party2:과} 막판 협상을 벌였다.',
        '대통령은 {country} 정상과 회담을 갖고 두 나라의 협력 방안을 논의했다.',
        '{party} 대표는 기자회견에서 정부의 {policy} 정책을 강하게 비판했다.',
        '여야는 내년도 예산안 처리 시한을 앞두고 신경전을 이어 갔다.',
        '{city} 시장 선거에 {k}명의 후보가 등록을 마쳤다.',
        '국무총리는 국무회의에서 {policy} 대책을 차질 없이 추진하라고 지시했다.',
        '{party:은} 다음 달 전당대회를 열어 새 지도부를 뽑기로 했다.',
        '외교부 장관은 {country} 외교장관과 전화 통화를 하고 현안을 논의했다.',
        '국회 {committee}에서 장관 후보자에 대한 인사청문회가 열렸다.',
        '여론조사에서 {party} 지지율이 지난주보다 {k}%포인트 올랐다.',
        '{party} 의원들은 {bill} 개정안에 반대하며 표결에 불참했다.',
        '대통령실은 {policy} 분야 개각을 검토하고 있다고 밝혔다.',
        '{party:이} 총선을 앞두고 {city} 지역 공천 심사를 시작했다.',
    ],
}

KO_HANDWRITTEN = {
    '경제': [
        '반도체 수출이 회복되면서 무역수지가 석 달 만에 흑자로 돌아섰다.',
        '고금리가 길어지면서 자영업자들의 대출 부담이 커지고 있다.',
        '주요 기업들의 하반기 채용 규모가 지난해보다 줄어들 전망이다.',
        '국제 유가가 오르자 항공사들이 유류할증료를 인상했다.',
        '전세 사기 피해가 잇따르면서 월세를 찾는 세입자가 늘고 있다.',
        '온라인 쇼핑 거래액이 역대 최대를 기록했다.',
        '올해 경제성장률 전망치가 2%대 초반으로 낮아졌다.',
        '편의점 업계가 가격을 낮춘 자체 상표 상품을 잇따라 내놓고 있다.',
        '가계 부채가 다시 늘어나면서 금융당국이 대출 관리에 나섰다.',
        '중소기업들이 원자재 가격 상승으로 어려움을 겪고 있다.',
        '증권사들은 내년 주식시장이 완만하게 오를 것으로 내다봤다.',
        '카드 사용액이 늘면서 내수 소비가 조금씩 살아나고 있다.',
    ],
    '스포츠': [
        '한국 축구 대표팀이 월드컵 예선에서 값진 승리를 거뒀다.',
        '올 시즌 프로야구 관중이 역대 최다를 기록했다.',
        '대표팀 주장은 부상으로 다음 경기에 나서지 못한다.',
        '여자 배구 대표팀이 세트 스코어 3대 0으로 완승했다.',
        '마지막 홀에서 버디를 잡은 선수가 역전 우승을 차지했다.',
        '신인 투수가 데뷔전에서 7이닝 무실점 호투를 펼쳤다.',
        '수영 대표팀이 계영 결승에서 아시아 신기록을 세웠다.',
        '프로농구 개막전에서 홈 팀이 접전 끝에 승리했다.',
        '올림픽 양궁 단체전에서 한국이 또다시 금메달을 땄다.',
        '골키퍼의 연이은 선방으로 팀은 무실점 승리를 지켰다.',
        '전반전에만 세 골을 내준 팀은 끝내 경기를 뒤집지 못했다.',
        '빙상 대표팀이 쇼트트랙 계주에서 금메달을 목에 걸었다.',
    ],
    '날씨': [
        '밤사이 내린 눈이 얼어붙어 출근길 도로가 매우 미끄럽겠다.',
        '올여름 들어 가장 더운 날씨에 온열질환자가 잇따랐다.',
        '봄비가 그친 뒤 꽃샘추위가 찾아오겠다.',
        '황사가 유입되면서 전국의 공기 질이 나빠지겠다.',
        '오늘 밤부터 강한 바람과 함께 기온이 뚝 떨어지겠다.',
        '해안가에는 높은 물결이 일겠으니 선박 운항에 주의해야 한다.',
        '낮에는 구름이 많다가 저녁부터 차차 맑아지겠다.',
        '열대야가 일주일째 이어지며 시민들이 잠 못 이루는 밤을 보내고 있다.',
        '가을 하늘이 맑고 높아 나들이하기 좋은 날씨가 되겠다.',
        '오후 한때 천둥과 번개를 동반한 소나기가 내리는 곳이 있겠다.',
        '한파특보가 내려진 지역은 수도관 동파에 대비해야 한다.',
        '아침 기온이 어제보다 크게 올라 추위가 한풀 꺾이겠다.',
    ],
    '정치': [
        '여야 원내대표가 만나 국회 일정에 합의했다.',
        '국회 본회의에서 대정부 질문이 사흘 동안 이어진다.',
        '야당은 장관 후보자의 자진 사퇴를 요구했다.',
        '지방선거를 앞두고 각 정당이 후보 공천 작업에 속도를 내고 있다.',
        '대통령은 신년 기자회견에서 국정 운영 방향을 밝혔다.',
        '국회의장은 여야에 조속한 법안 처리를 당부했다.',
        '정당 지도부가 민생 현장을 찾아 시민들의 의견을 들었다.',
        '선거관리위원회는 사전투표율이 역대 최고치를 기록했다고 밝혔다.',
        '여당은 정책 의원총회를 열어 당론을 정하기로 했다.',
        '국정감사에서 부처의 예산 집행 문제가 도마에 올랐다.',
        '양국 정상은 공동 성명을 통해 협력을 강화하기로 합의했다.',
        '국회 상임위원회에서 법안 심사가 다시 미뤄졌다.',
    ],
}
KO_SECOND = {'company2': 'company', 'team2': 'team', 'party2': 'party'}


def _ko_draw(rng: random.Random, template: str) -> dict[str, str]:
  names = sorted(set(re.findall(r'\{(\w+)', template)))  # sorted: deterministic draws
  values = {n: rng.choice(KO_SLOTS[n]) for n in names if n not in KO_SECOND}
  for second, first in KO_SECOND.items():
    if second in names:
      values[second] = rng.choice([v for v in KO_SLOTS[first] if v != values.get(first)])
  return values


def ko_news_split(rng: random.Random) -> tuple[list, list]:
  """(train, dev) lists of (sentence, topic): 4 x 120 / 4 x 30."""
  train, dev = [], []
  for topic, templates in KO_TEMPLATES.items():
    seen: set[str] = set()
    composed = []
    while len(composed) < 138:
      template = rng.choice(templates)
      s = ko_fill(template, _ko_draw(rng, template))
      if s in seen:
        continue
      seen.add(s)
      composed.append(s)
    hand = KO_HANDWRITTEN[topic]
    train += [(s, topic) for s in hand[:10] + composed[:110]]
    dev += [(s, topic) for s in hand[10:] + composed[110:]]
  rng.shuffle(train)
  rng.shuffle(dev)
  return train, dev


# ----------------------------------------------------------------------------
# Writing.
# ----------------------------------------------------------------------------
def write_tsv(path: pathlib.Path, header: Sequence[str], rows: Iterable[Sequence]) -> int:
  path.parent.mkdir(parents=True, exist_ok=True)
  lines = ['\t'.join(header)]
  for row in rows:
    fields = [str(x) for x in row]
    assert all('\t' not in f and '\n' not in f for f in fields), row
    lines.append('\t'.join(fields))
  path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
  return len(lines) - 1


def write(out_dir: pathlib.Path) -> dict[str, int]:
  """Writes all classification files; returns row counts."""
  counts = {}
  train, dev = sentiment_split(random.Random(1))
  counts['sentiment/train.tsv'] = write_tsv(out_dir / 'sentiment/train.tsv',
                                            ('sentence', 'label'), train)
  counts['sentiment/dev.tsv'] = write_tsv(out_dir / 'sentiment/dev.tsv',
                                          ('sentence', 'label'), dev)
  rng = random.Random(2)
  pairs = make_pairs(rng, 500)
  counts['pair/train.tsv'] = write_tsv(out_dir / 'pair/train.tsv',
                                       ('sentence1', 'sentence2', 'label'), pairs[:400])
  counts['pair/dev.tsv'] = write_tsv(out_dir / 'pair/dev.tsv',
                                     ('sentence1', 'sentence2', 'label'), pairs[400:])
  train, dev = ko_news_split(random.Random(3))
  counts['ko_news_topic/train.tsv'] = write_tsv(out_dir / 'ko_news_topic/train.tsv',
                                                ('sentence', 'label'), train)
  counts['ko_news_topic/dev.tsv'] = write_tsv(out_dir / 'ko_news_topic/dev.tsv',
                                              ('sentence', 'label'), dev)
  return counts


if __name__ == '__main__':
  shipped_sets.main(write, __doc__, 'rows')
