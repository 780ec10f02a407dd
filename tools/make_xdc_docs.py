r"""Writes the multi-sentence news-topic documents of ``experiments/xdc.py`` (deterministic).

  python tools/make_xdc_docs.py     # -> bert_jax/resources/finetune/xdc_{ko,en}/{train,dev}.tsv

A document is 5-9 sentences in a shuffled order: ``k + 1`` sentences of its topic, ``k``
sentences of one other topic (k = 0, 1 or 2: the label is the topic with the most
sentences, so a model has to weigh sentences, not spot one keyword), and the rest
topic-neutral news filler. Topics: economy, sports, weather, politics (경제, 스포츠, 날씨,
정치).

- Korean topic sentences are those of the shipped ``ko_news_topic/`` set (train documents
  from its train.tsv, dev documents from its dev.tsv: no sentence is shared between the
  splits).
- English topic sentences are made here from templates and slot values written for this
  set; the pools are shuffled and split 80/20 before any document is built, so dev
  documents use sentences never seen in training.
- Filler sentences (both languages) are written here; they carry no topic.

Everything is project-made or from the project's own shipped set (Apache-2.0); company,
team and person names are fictional.
"""
from __future__ import annotations

import csv
import itertools
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/
from shipped_sets import RESOURCES as OUT  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position
TOPICS_KO = ('경제', '스포츠', '날씨', '정치')
TOPICS_EN = ('economy', 'sports', 'weather', 'politics')
SIZES = {'train': 480, 'dev': 240}

EN_SLOTS = {
    'company': ['Northwind Motors', 'Bluepeak Electronics', 'Harbor Steel', 'Greenfield Foods',
                'Silverline Bank', 'Orion Chemicals', 'Redstone Airlines', 'Maple Telecom'],
    'team': ['the Riverside Hawks', 'the Eastport Mariners', 'the Hillcrest Bears',
             'the Lakeside Comets', 'the Westfield Rovers', 'the Granite City Lions'],
    'player': ['Daniel Reyes', 'Marcus Hill', 'Owen Park', 'Lucas Brandt', 'Ethan Cole',
               'Samuel Ortiz', 'Noah Fischer', 'Leo Martins'],
    'politician': ['Senator Ellen Ward', 'Minister Paul Grant', 'Governor Ruth Adler',
                   'Representative Tom Reilly', 'Prime Minister Alan Brooks',
                   'Mayor Grace Holloway'],
    'region': ['the northern coast', 'the central valley', 'the eastern highlands',
               'the southern plains', 'the capital region', 'the western islands'],
    'city': ['Eastport', 'Riverside', 'Hillcrest', 'Westfield', 'Lakeside', 'Granite City'],
    'day': ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'the weekend'],
    'n': ['2', '3', '4', '5', '7', '8', '12', '15'],
    'tens': ['20', '30', '40', '50', '60'],
    'hot': ['31', '33', '35', '37'],
    'nth': ['5th', '8th', '12th', '20th', '31st'],
}
EN_TEMPLATES = {
    'economy': [
        '{company} reported a {n} percent rise in quarterly profit on strong overseas sales.',
        'Shares of {company} fell {n} percent after the firm cut its annual revenue forecast.',
        'The central bank held its benchmark interest rate steady, citing stubborn inflation.',
        'Exports rose {n} percent from a year earlier, the {nth} straight month of growth.',
        '{company} will invest {n} billion dollars in a new factory near {city}.',
        'Consumer prices climbed {n} percent, driven by higher fuel and food costs.',
        'The stock market closed higher as investors bet on lower borrowing costs.',
        '{company} agreed to buy a smaller rival in a deal worth {n} billion dollars.',
        'Unemployment edged down to {n} percent as employers kept hiring.',
        'The currency weakened against the dollar amid worries about the trade deficit.',
    ],
    'sports': [
        '{player} scored twice as {team} beat {team2} {n} to 1.',
        '{team} signed {player} to a {n}-year contract worth a club record fee.',
        '{player} hit his {nth} home run of the season to take the league lead.',
        'The coach of {team} was fired after a run of {n} straight defeats.',
        '{team} clinched a playoff spot with a late goal against {team2}.',
        '{player} will miss {n} weeks with a hamstring injury, the club said.',
        'Fans packed the stadium in {city} for the final match of the season.',
        '{player} set a new national record in the 100 meters at the championships.',
        '{team} and {team2} drew 1 to 1 after extra time in the cup semifinal.',
        'The referee sent off two players in a heated derby in {city}.',
    ],
    'weather': [
        'Heavy rain of up to {tens} millimeters is expected in {region} through {day}.',
        'Temperatures will drop to minus {n} degrees in {region} on {day} morning.',
        'A typhoon is moving north and could bring strong winds to {region} by {day}.',
        'Forecasters issued a heat wave warning as highs reach {hot} degrees in {city}.',
        'Snow will fall across {region} on {day}, with up to {n} centimeters in the hills.',
        'Fine dust levels will be poor in {city}, so residents should wear masks outdoors.',
        'Skies will clear on {day}, but the gap between day and night temperatures will widen.',
        'A cold front will bring thunderstorms and hail to {region} in the afternoon.',
        'Drivers were warned of fog and icy roads in {region} early on {day}.',
        'The rainy season is expected to start in {region} about {n} days earlier than usual.',
    ],
    'politics': [
        '{politician} announced a bid for re-election at a rally in {city}.',
        'Parliament passed the budget bill by {tens} votes after a long overnight debate.',
        '{politician} met the foreign minister of a neighbouring country to discuss trade.',
        'The opposition party called for an investigation into the election results.',
        '{politician} resigned after criticism over the handling of the housing policy.',
        'Voters in {city} will choose a new mayor in a by-election on {day}.',
        'The ruling party unveiled a reform plan for the pension system.',
        '{politician} vetoed the bill, sending it back to the assembly for a new vote.',
        'Lawmakers from both parties agreed to hold hearings on the defense budget.',
        'A new poll shows support for the government at {tens} percent, down from last month.',
    ],
}
EN_FILLER = [
    'The report was released early on {day}.',
    'More details are expected to be announced later this week.',
    'Officials did not immediately respond to requests for comment.',
    'The news was first reported by local media in {city}.',
    'Reporters gathered outside the building as the announcement was made.',
    'The full statement was posted online shortly afterwards.',
    'Analysts said it was too early to draw firm conclusions.',
    'A spokesperson said the situation would be reviewed again next month.',
    'The announcement came a day after a similar statement in {city}.',
    'Readers can find updates on this story on our website.',
    'This article has been updated with additional information.',
    'The interview took place in {city} on {day}.',
]
KO_FILLER = [
    '자세한 내용은 이번 주 안에 다시 발표될 예정이다.',
    '관계자는 아직 구체적인 입장을 밝히지 않았다.',
    '이 소식은 지역 언론을 통해 처음 알려졌다.',
    '현장에는 이른 아침부터 취재진이 몰렸다.',
    '전체 발표문은 오후에 홈페이지에 올라왔다.',
    '전문가들은 결론을 내리기에는 아직 이르다고 말했다.',
    '담당 부서는 다음 달에 상황을 다시 점검하기로 했다.',
    '이 기사는 추가 취재 내용을 반영해 수정됐다.',
    '인터뷰는 지난 주말 서울에서 진행됐다.',
    '독자들은 누리집에서 최신 소식을 확인할 수 있다.',
    '비슷한 발표는 하루 전에도 있었다.',
    '관련 자료는 다음 주 초에 공개될 예정이다.',
]


def _fill(template: str, rng: random.Random) -> str:
  values = {k: rng.choice(v) for k, v in EN_SLOTS.items()}
  values['team2'] = rng.choice([t for t in EN_SLOTS['team'] if t != values['team']])
  text = template.format(**values)
  return text[0].upper() + text[1:]


def english_pools(rng: random.Random) -> dict[str, dict[str, list[str]]]:
  """{split: {topic: sentences}}: 60 distinct sentences per topic, split 48 / 12."""
  pools = {'train': {}, 'dev': {}}
  for topic, templates in EN_TEMPLATES.items():
    seen: list[str] = []
    for t in itertools.cycle(templates):
      s = _fill(t, rng)
      if s not in seen:
        seen.append(s)
      if len(seen) == 60:
        break
    rng.shuffle(seen)
    pools['train'][topic], pools['dev'][topic] = seen[:48], seen[48:]
  return pools


def korean_pools() -> dict[str, dict[str, list[str]]]:
  pools = {}
  for split in SIZES:
    with open(OUT / 'ko_news_topic' / f'{split}.tsv', encoding='utf-8', newline='') as f:
      rows = list(csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE))[1:]
    pools[split] = {t: [s for s, l in rows if l == t] for t in TOPICS_KO}
  return pools


def documents(pools: dict[str, list[str]], filler: list[str], n: int, rng: random.Random,
              fill=lambda s, rng: s) -> list[tuple[str, str]]:
  topics = sorted(pools)
  docs = []
  for i in range(n):
    label = topics[i % len(topics)]
    k = rng.choice((0, 1, 1, 2))
    other = rng.choice([t for t in topics if t != label])
    sentences = rng.sample(pools[label], k + 1) + rng.sample(pools[other], k)
    sentences += [fill(s, rng) for s in rng.sample(filler, rng.randint(5, 9) - 2 * k - 1)]
    rng.shuffle(sentences)
    docs.append((' '.join(sentences), label))
  rng.shuffle(docs)
  return docs


def write(path: pathlib.Path, docs: list[tuple[str, str]]) -> None:
  path.parent.mkdir(parents=True, exist_ok=True)
  with open(path, 'w', encoding='utf-8', newline='') as f:
    f.write('text\tlabel\n')
    for text, label in docs:
      assert '\t' not in text and '\n' not in text
      f.write(f'{text}\t{label}\n')


def main(out: pathlib.Path = OUT) -> None:
  rng = random.Random(12)
  en, ko = english_pools(rng), korean_pools()
  for split, n in SIZES.items():
    write(out / 'xdc_ko' / f'{split}.tsv', documents(ko[split], KO_FILLER, n, rng))
    write(out / 'xdc_en' / f'{split}.tsv',
          documents(en[split], EN_FILLER, n, rng, fill=_fill))
  print(f'wrote {out}/xdc_ko, {out}/xdc_en')


if __name__ == '__main__':
  main()
