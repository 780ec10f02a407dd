"""Generates squad_en/{train,dev}.json and squad_ko/{train,dev}.json (SQuAD v2.0 format).

  python tools/make_squad.py [--out DIR]

The contexts, questions and answers are written out below (see
bert_jax/resources/finetune/README.md for their origin). Answer offsets are never typed by hand: each answer is located in
its context here, so ``answer_start`` always matches. An answer is given as

* ``None``: unanswerable (``is_impossible``, no answers);
* ``'text'``: must occur exactly once in the context;
* ``('text', 'anchor')``: ``anchor`` occurs exactly once and contains ``text``
  (picks one of several occurrences);
* a list of the above: several gold answers (used in dev sets).

The Korean train set also uses articles of the Constitution of the Republic of
Korea, read from the copy shipped in ``konlpy`` (``konlpy/data/corpus/kolaw``).
Output is deterministic (same bytes on every run).
"""
from __future__ import annotations

import json
import pathlib
import re
import sys
from typing import Any, Sequence

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/
import shipped_sets  # noqa: E402  pylint: disable=g-import-not-at-top,wrong-import-position

AnswerSpec = Any  # None | str | tuple[str, str] | list[str | tuple[str, str]]

# ----------------------------------------------------------------------------
# English.
# ----------------------------------------------------------------------------
EN_TRAIN = [
    ('Eiffel Tower',
     "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. "
     "It is named after the engineer Gustave Eiffel, whose company designed and built the "
     "tower. Construction began in 1887 and was completed in 1889, in time for the World's Fair "
     "held that year to mark the centenary of the French Revolution. The tower was initially "
     "criticised by some of France's leading artists and intellectuals, but it has become a "
     "global cultural icon of France. It is about 330 metres tall, and for 41 years it was the "
     "tallest man-made structure in the world, until the Chrysler Building in New York City was "
     "finished in 1930.",
     [('Who is the Eiffel Tower named after?', 'Gustave Eiffel'),
      ('In what year was the Eiffel Tower completed?', '1889'),
      ('What material is the Eiffel Tower made of?', 'wrought-iron'),
      ('How tall is the Eiffel Tower?', 'about 330 metres'),
      ('Which building took over as the tallest man-made structure?', 'the Chrysler Building'),
      ('What event was the tower finished in time for?', "the World's Fair"),
      ('How many visitors does the Eiffel Tower receive each year?', None),
      ('Who designed the Chrysler Building?', None)]),
    ('Python (programming language)',
     'Python is a high-level, general-purpose programming language. Its design philosophy '
     'emphasizes code readability with the use of significant indentation. Python was '
     'conceived in the late 1980s by Guido van Rossum at Centrum Wiskunde & Informatica (CWI) '
     'in the Netherlands as a successor to the ABC programming language. Its first release, '
     'Python 0.9.0, appeared in 1991. Python 2.0 was released in 2000, and Python 3.0, a major '
     'revision that was not completely backward-compatible with earlier versions, was released '
     'in 2008. The language is named after the British comedy group Monty Python rather than '
     'the snake.',
     [('Who created Python?', 'Guido van Rossum'),
      ('In which country was Python conceived?', 'the Netherlands'),
      ('Which language was Python a successor to?', 'the ABC programming language'),
      ('When was Python 3.0 released?', '2008'),
      ('What is Python named after?', 'the British comedy group Monty Python'),
      ("What does Python's design philosophy emphasize?", 'code readability'),
      ('Who released Python 4.0?', None),
      ('Which company employs the most Python developers?', None)]),
    ('Photosynthesis',
     'Photosynthesis is the process by which green plants, algae and some bacteria convert '
     'light energy into chemical energy. During photosynthesis, light energy is captured by '
     'chlorophyll, a green pigment found in chloroplasts, and used to turn water and carbon '
     'dioxide into glucose. Oxygen is released as a by-product. The overall process takes place '
     'in two stages: the light-dependent reactions, which occur in the thylakoid membranes, and '
     'the Calvin cycle, which takes place in the stroma. Almost all life on Earth depends '
     "directly or indirectly on photosynthesis as a source of energy, and most of the oxygen in "
     "Earth's atmosphere, which makes up about 21 percent of the air, was produced by it.",
     [('What pigment captures light energy?', 'chlorophyll'),
      ('What gas is released as a by-product of photosynthesis?', 'Oxygen'),
      ('Where do the light-dependent reactions occur?', 'the thylakoid membranes'),
      ('Where does the Calvin cycle take place?', 'the stroma'),
      ('What are water and carbon dioxide turned into?', 'glucose'),
      ('How much of the air is oxygen?', 'about 21 percent'),
      ('How much glucose does a single leaf produce in a day?', None),
      ('Which scientist discovered photosynthesis?', None)]),
    ('Great Wall of China',
     'The Great Wall of China is a series of fortifications built across the historical '
     'northern borders of ancient Chinese states to protect against raids by nomadic groups '
     'from the Eurasian Steppe. Several walls were built from as early as the 7th century BC, '
     'and they were later joined together by Qin Shi Huang, the first emperor of China. Most of '
     'the existing wall dates from the Ming dynasty (1368-1644). A survey completed in 2012 '
     'measured all the branches of the wall at 21,196 kilometres. The wall was built with '
     'rammed earth, wood, stone and, in later periods, bricks. It was declared a UNESCO World '
     'Heritage Site in 1987.',
     [('Who joined the early walls together?', 'Qin Shi Huang'),
      ('From which dynasty does most of the existing wall date?', 'the Ming dynasty'),
      ('How long is the wall according to the 2012 survey?', '21,196 kilometres'),
      ('When was the Great Wall declared a World Heritage Site?', '1987'),
      ('What was the wall built to protect against?',
       'raids by nomadic groups from the Eurasian Steppe'),
      ('How many workers died building the Great Wall?', None),
      ('Can the Great Wall be seen from the Moon?', None)]),
    ('Amazon River',
     'The Amazon River in South America is the largest river in the world by discharge volume '
     'of water, and it is often considered the second longest river after the Nile. The '
     'headwaters of the Apurimac River in the Peruvian Andes have long been treated as the most '
     'distant source of the Amazon. The river flows east through Peru, Colombia and Brazil '
     'before it empties into the Atlantic Ocean. Its drainage basin covers about seven million '
     'square kilometres, roughly 40 percent of South America, and much of it is covered by the '
     'Amazon rainforest. No bridges cross the main stem of the Amazon, partly because most of '
     'the river runs through rainforest with few roads.',
     [('By what measure is the Amazon the largest river in the world?',
       'discharge volume of water'),
      ('Into which ocean does the Amazon empty?', 'the Atlantic Ocean'),
      ('Which river is usually considered longer than the Amazon?', 'the Nile'),
      ('How large is the Amazon drainage basin?', 'about seven million square kilometres'),
      ('Why are there no bridges over the main stem of the Amazon?',
       'most of the river runs through rainforest with few roads'),
      ('How deep is the Amazon at its mouth?', None),
      ('Who was the first European to sail down the Amazon?', None)]),
    ('Marie Curie',
     'Marie Curie was a Polish and naturalised-French physicist and chemist who conducted '
     'pioneering research on radioactivity. Born Maria Sklodowska in Warsaw in 1867, she moved '
     'to Paris in 1891 to study at the University of Paris. She was the first woman to win a '
     'Nobel Prize and remains the only person to win Nobel Prizes in two different sciences. '
     'She shared the 1903 Nobel Prize in Physics with her husband Pierre Curie and the '
     'physicist Henri Becquerel, and she won the 1911 Nobel Prize in Chemistry for her '
     'discovery of the elements polonium and radium. She died in 1934 from aplastic anaemia, '
     'likely caused by her long exposure to radiation.',
     [('In which city was Marie Curie born?', 'Warsaw'),
      ("What was Marie Curie's birth name?", 'Maria Sklodowska'),
      ('Which elements did Marie Curie discover?', 'polonium and radium'),
      ('In what year did she move to Paris?', '1891'),
      ('What illness did Marie Curie die from?', 'aplastic anaemia'),
      ('Which physicist shared the 1903 prize with the Curies?', 'Henri Becquerel'),
      ('How many children did Marie Curie have?', None),
      ('When did Pierre Curie die?', None)]),
    ('Honey bee',
     'Honey bees are social insects that live in colonies with a single queen, several '
     'hundred male drones and tens of thousands of female worker bees. The queen is the only '
     'fertile female in the colony and can lay up to 2,000 eggs a day during the peak of the '
     'season. Worker bees gather nectar and pollen from flowers, build the wax comb, care for '
     'the young and defend the hive. Foragers tell their nestmates the direction and distance '
     'of food sources through a movement called the waggle dance, which was decoded by the '
     'Austrian scientist Karl von Frisch. Honey is made from nectar that the bees partially '
     'digest and then store in the comb, where it thickens as water evaporates.',
     [('How many eggs can a queen lay in a day?', 'up to 2,000'),
      ('What movement do bees use to communicate where food is?', 'the waggle dance'),
      ('Who decoded the waggle dance?', 'Karl von Frisch'),
      ('What is honey made from?', ('nectar', 'made from nectar')),
      ('What are the male bees called?', 'drones'),
      ('How long does a worker bee live?', None),
      ('What do drones eat?', None)]),
    ('Apollo 11',
     'Apollo 11 was the American spaceflight that first landed humans on the Moon. Commander '
     'Neil Armstrong and lunar module pilot Buzz Aldrin landed the Apollo Lunar Module Eagle on '
     '20 July 1969. Armstrong became the first person to step onto the lunar surface six hours '
     'and 39 minutes later, and Aldrin joined him about 20 minutes after that. The two men spent '
     'about two and a quarter hours together outside the spacecraft and collected 47.5 pounds '
     'of lunar material to bring back to Earth. Command module pilot Michael Collins flew the '
     'command module Columbia alone in lunar orbit while they were on the surface. The mission '
     'was launched by a Saturn V rocket from the Kennedy Space Center in Florida on 16 July.',
     [('Who was the commander of Apollo 11?', 'Neil Armstrong'),
      ('What was the name of the lunar module?', 'Eagle'),
      ('On what date did the lunar module land?', '20 July 1969'),
      ('Who stayed alone in lunar orbit?', 'Michael Collins'),
      ('How much lunar material did the astronauts collect?', '47.5 pounds'),
      ('What rocket launched Apollo 11?', 'a Saturn V rocket'),
      ('What did Buzz Aldrin say when he stepped onto the Moon?', None),
      ('How long did the return trip to Earth take?', None)]),
    ('Volcano',
     'A volcano is a rupture in the crust of a planet that allows hot lava, volcanic ash and '
     'gases to escape from a magma chamber below the surface. On Earth, most volcanoes are found '
     'where tectonic plates are diverging or converging. The Pacific Ring of Fire, a '
     'horseshoe-shaped belt around the Pacific Ocean, contains about 75 percent of the '
     "world's active and dormant volcanoes. Volcanoes are usually classified as active, dormant "
     'or extinct. Large eruptions can affect the climate: the 1815 eruption of Mount Tambora '
     'in Indonesia threw so much ash into the atmosphere that 1816 became known as the Year '
     'Without a Summer in Europe and North America.',
     [('Where are most volcanoes on Earth found?',
       'where tectonic plates are diverging or converging'),
      ("What share of the world's volcanoes lie in the Ring of Fire?", 'about 75 percent'),
      ('Which eruption caused the Year Without a Summer?', 'the 1815 eruption of Mount Tambora'),
      ('In which country is Mount Tambora?', 'Indonesia'),
      ('How are volcanoes usually classified?', 'active, dormant or extinct'),
      ('When will Mount Tambora erupt again?', None),
      ('What is the tallest volcano in the Solar System?', None)]),
    ('Mount Everest',
     "Mount Everest is Earth's highest mountain above sea level, located in the Mahalangur "
     'Himal sub-range of the Himalayas. The China-Nepal border runs across its summit point. '
     'Its elevation of 8,848.86 metres was most recently established in 2020 by Chinese and '
     'Nepali authorities. The first confirmed ascent was made on 29 May 1953 by Tenzing Norgay, '
     'a Sherpa, and Edmund Hillary, a New Zealander, as members of a British expedition led by '
     'John Hunt. In Nepali the mountain is called Sagarmatha, and in Tibetan it is known as '
     'Chomolungma. It was named in English after George Everest, a British Surveyor General '
     'of India, in 1865.',
     [('What is the elevation of Mount Everest?', '8,848.86 metres'),
      ('Which New Zealander made the first confirmed ascent?', 'Edmund Hillary'),
      ('Who led the 1953 British expedition?', 'John Hunt'),
      ('What is Mount Everest called in Nepali?', 'Sagarmatha'),
      ('When was the first confirmed ascent?', '29 May 1953'),
      ('Which border runs across the summit?', 'The China-Nepal border'),
      ('How many people have died climbing Mount Everest?', None),
      ('Who was the first woman to climb Everest?', None)]),
    ('Printing press',
     'The printing press is a machine that transfers ink from a prepared surface onto paper or '
     'cloth by applying pressure. Johannes Gutenberg, a goldsmith from Mainz in Germany, '
     'developed a movable-type printing press around 1440. His system used metal type cast in a '
     'hand mould, an oil-based ink and a wooden screw press similar to those used to make wine '
     'and olive oil. The best-known book from his workshop is the Gutenberg Bible, printed in '
     'the 1450s, of which about 49 copies survive, some of them incomplete. By 1500, printing '
     'presses in Western Europe had already produced more than twenty million volumes, and the '
     'spread of printed books helped drive the Renaissance, the Reformation and the Scientific '
     'Revolution.',
     [('Who developed the movable-type printing press?', 'Johannes Gutenberg'),
      ('What was Gutenberg\'s trade?', 'a goldsmith'),
      ('Which town was Gutenberg from?', 'Mainz'),
      ('How many copies of the Gutenberg Bible survive?', 'about 49'),
      ('How many volumes had been printed in Western Europe by 1500?',
       'more than twenty million'),
      ('How much did a Gutenberg Bible cost in the 1450s?', None),
      ("Who financed Gutenberg's workshop?", None)]),
    ('Heart',
     'The human heart is a muscular organ about the size of a closed fist that pumps blood '
     'through the blood vessels of the circulatory system. It has four chambers: two upper '
     'atria and two lower ventricles. The right side of the heart receives oxygen-poor blood '
     'from the body and pumps it to the lungs, while the left side receives oxygen-rich blood '
     'from the lungs and pumps it to the rest of the body. The heartbeat is started by a group '
     'of pacemaker cells in the sinoatrial node. At rest, a healthy adult heart beats about 60 '
     'to 100 times a minute, and it pumps roughly five litres of blood every minute.',
     [('How many chambers does the human heart have?', 'four'),
      ('What are the two lower chambers called?', 'ventricles'),
      ('Where does the right side of the heart pump blood?', ('the lungs', 'it to the lungs')),
      ('Where is the heartbeat started?', 'the sinoatrial node'),
      ('How often does a resting adult heart beat?', 'about 60 to 100 times a minute'),
      ('How much blood does the heart pump every minute?', 'roughly five litres'),
      ('How much does the human heart weigh?', None),
      ('What is the most common heart disease?', None)]),
    ('Jazz',
     'Jazz is a music genre that originated in the African-American communities of New '
     'Orleans, Louisiana, in the late 19th and early 20th centuries. It has roots in blues and '
     'ragtime and is characterised by swing and blue notes, complex chords, call-and-response '
     'vocals, polyrhythms and improvisation. Trumpeter Louis Armstrong, who grew up in New '
     'Orleans, became one of the most influential soloists of the 1920s. In the 1940s, '
     'musicians such as Charlie Parker and Dizzy Gillespie created bebop, a fast and '
     "harmonically complex style. Miles Davis's 1959 album Kind of Blue is one of the "
     'best-selling jazz records of all time.',
     [('In which city did jazz originate?', ('New Orleans', 'of New Orleans')),
      ('Which trumpeter became one of the most influential soloists of the 1920s?',
       'Louis Armstrong'),
      ('What style did Charlie Parker and Dizzy Gillespie create?', 'bebop'),
      ('Which Miles Davis album is one of the best-selling jazz records?', 'Kind of Blue'),
      ('In what year was Kind of Blue released?', '1959'),
      ('In which genres does jazz have its roots?', 'blues and ragtime'),
      ('Who founded the first jazz record label?', None),
      ('How many copies has Kind of Blue sold?', None)]),
    ('Olympic Games',
     'The modern Olympic Games are the leading international sporting events, featuring summer '
     'and winter sports competitions in which thousands of athletes from around the world take '
     'part. They were inspired by the ancient Olympic Games held at Olympia in Greece from the '
     '8th century BC to the 4th century AD. The French educator Pierre de Coubertin founded the '
     'International Olympic Committee in 1894, and the first modern Games were held in Athens '
     'in 1896. The Winter Olympic Games were created for snow and ice sports and were first '
     'held in Chamonix, France, in 1924. The Olympic symbol of five interlocking rings '
     'represents the union of five continents.',
     [('Who founded the International Olympic Committee?', 'Pierre de Coubertin'),
      ('When was the International Olympic Committee founded?', '1894'),
      ('Where were the first modern Games held?', 'Athens'),
      ('Where were the first Winter Olympic Games held?', 'Chamonix, France'),
      ('Where were the ancient Olympic Games held?', 'Olympia in Greece'),
      ('What do the five Olympic rings represent?', 'the union of five continents'),
      ('Which country has won the most Olympic gold medals?', None),
      ('Where will the next Summer Olympics be held?', None)]),
    ('Coffee',
     'Coffee is a beverage brewed from the roasted and ground seeds of the tropical coffee '
     'plant. The two most commonly grown species are Coffea arabica and Coffea canephora, which '
     'is better known as robusta. According to a popular legend, coffee was discovered by an '
     'Ethiopian goat herder named Kaldi, who noticed that his goats became energetic after '
     'eating the berries. The earliest credible evidence of coffee drinking appears in the '
     'middle of the 15th century in the Sufi shrines of Yemen. Today Brazil is the world\'s '
     'largest producer of coffee beans, followed by Vietnam. Coffee contains caffeine, a '
     'stimulant that reduces tiredness.',
     [('What are the two most commonly grown coffee species?',
       'Coffea arabica and Coffea canephora'),
      ('What is Coffea canephora better known as?', 'robusta'),
      ('According to legend, who discovered coffee?', 'an Ethiopian goat herder named Kaldi'),
      ('Where is the earliest credible evidence of coffee drinking found?',
       'the Sufi shrines of Yemen'),
      ("Which country is the world's largest coffee producer?", 'Brazil'),
      ('What stimulant does coffee contain?', 'caffeine'),
      ('How many cups of coffee are drunk worldwide each day?', None),
      ('When did coffee first arrive in Europe?', None)]),
    ('World Wide Web',
     'The World Wide Web is an information system that lets documents and other resources be '
     'linked and accessed over the Internet. It was invented by the English computer scientist '
     'Tim Berners-Lee in 1989 while he was working at CERN near Geneva, Switzerland. '
     'Berners-Lee wrote the first web browser, called WorldWideWeb, in 1990, and the first '
     'website went online at the end of that year. Web pages are written in HTML and are '
     'transferred with the Hypertext Transfer Protocol (HTTP). The Web is often confused with '
     'the Internet itself, but the Internet is the global network of computers, while the Web '
     'is one of the services that run on it, alongside email and file transfer.',
     [('Who invented the World Wide Web?', ('Tim Berners-Lee', 'scientist Tim Berners-Lee')),
      ('Where was Berners-Lee working when he invented the Web?', 'CERN'),
      ('What was the first web browser called?', 'WorldWideWeb'),
      ('In what language are web pages written?', 'HTML'),
      ('Which protocol transfers web pages?', 'the Hypertext Transfer Protocol (HTTP)'),
      ('Who invented email?', None),
      ('How many websites exist today?', None)]),
    ('Sahara',
     'The Sahara is a desert in North Africa. With an area of about 9,200,000 square '
     'kilometres, it is the largest hot desert in the world and the third-largest desert '
     'overall, after Antarctica and the Arctic. The name comes from the Arabic word for desert. '
     'Much of the Sahara is covered by barren rocky plateaus called hamadas rather than sand '
     'dunes, which cover only about a quarter of its area. The climate has changed greatly over '
     'time: between about 10,000 and 5,000 years ago, during the African Humid Period, much of '
     'the region was covered with grassland and lakes. Its highest peak is Emi Koussi, a '
     'volcano in Chad.',
     [('In which region is the Sahara?', 'North Africa'),
      ('How large is the Sahara?', 'about 9,200,000 square kilometres'),
      ('What are the barren rocky plateaus of the Sahara called?', 'hamadas'),
      ('How much of the Sahara is covered by sand dunes?', 'about a quarter of its area'),
      ('What is the highest peak of the Sahara?', 'Emi Koussi'),
      ('What does the name Sahara come from?', 'the Arabic word for desert'),
      ('What is the hottest temperature ever recorded in the Sahara?', None),
      ('How many people live in the Sahara?', None)]),
    ('Penguin',
     'Penguins are a group of flightless seabirds that live almost exclusively in the Southern '
     'Hemisphere. Only one species, the Galapagos penguin, is found north of the equator. '
     'Penguins are highly adapted for life in the water: their wings have evolved into '
     'flippers, and their dark and white plumage helps to camouflage them while swimming. The '
     'largest living species is the emperor penguin, which stands about 1.1 metres tall, while '
     'the smallest is the little blue penguin, about 30 centimetres tall. Emperor penguins '
     'breed during the Antarctic winter, and the males incubate the single egg on their feet '
     'for about two months while the females are at sea.',
     [('Which penguin is found north of the equator?', 'the Galapagos penguin'),
      ('What is the largest living penguin species?', 'the emperor penguin'),
      ('How tall is the little blue penguin?', 'about 30 centimetres'),
      ('What have penguin wings evolved into?', 'flippers'),
      ('Who incubates the emperor penguin egg?', 'the males'),
      ('How fast can penguins swim?', None),
      ('How many species of penguin exist?', None)]),
    ('Titanic',
     'RMS Titanic was a British passenger liner that sank in the North Atlantic Ocean on 15 '
     'April 1912 after striking an iceberg during her maiden voyage from Southampton to New '
     'York City. Of the estimated 2,224 passengers and crew aboard, more than 1,500 died, '
     'making it one of the deadliest peacetime sinkings of a single ship. Titanic was operated '
     'by the White Star Line and built by Harland and Wolff in Belfast. She carried only 20 '
     'lifeboats, enough for about half of the people on board. The wreck was found in 1985 at '
     'a depth of about 3,800 metres by a team led by Robert Ballard.',
     [('When did the Titanic sink?', '15 April 1912'),
      ("Where was the Titanic's maiden voyage headed?", 'New York City'),
      ('Which company operated the Titanic?', 'the White Star Line'),
      ('In which city was the Titanic built?', 'Belfast'),
      ('How many lifeboats did the Titanic carry?', ('20', 'only 20 lifeboats')),
      ('Who led the team that found the wreck?', 'Robert Ballard'),
      ('Who was the captain of the Titanic?', None),
      ('How much did a first-class ticket cost?', None)]),
    ('Chess',
     'Chess is a board game for two players, played on a checkered board of 64 squares '
     'arranged in an eight-by-eight grid. Each player begins with 16 pieces: one king, one '
     'queen, two rooks, two bishops, two knights and eight pawns. The object of the game is to '
     "checkmate the opponent's king, which means attacking it so that it has no legal way to "
     'escape. The game is believed to have descended from the Indian game chaturanga, which '
     'was played around the 6th century. In 1997 the IBM computer Deep Blue defeated the '
     'reigning world champion Garry Kasparov in a six-game match, the first time a computer '
     'beat a world champion under standard tournament conditions.',
     [('How many squares are on a chess board?', '64'),
      ('How many pawns does each player start with?', ('eight', 'eight pawns')),
      ('What is the object of the game?', "to checkmate the opponent's king"),
      ('From which game is chess believed to descend?', 'chaturanga'),
      ('Which computer defeated Garry Kasparov?', 'Deep Blue'),
      ('In what year did Deep Blue beat Kasparov?', '1997'),
      ('Who is the current world chess champion?', None),
      ('How many moves did the longest recorded chess game last?', None)]),
    ('Nile',
     'The Nile is a major north-flowing river in northeastern Africa that flows into the '
     'Mediterranean Sea. At about 6,650 kilometres long, it has traditionally been considered '
     'the longest river in the world. Its drainage basin covers eleven countries. The Nile has '
     'two major tributaries: the White Nile, which rises in the Great Lakes region of central '
     'Africa, and the Blue Nile, which begins at Lake Tana in Ethiopia and supplies most of the '
     'water and silt. The two rivers meet near the Sudanese capital Khartoum. In ancient times '
     'the yearly flooding of the Nile deposited fertile soil along its banks, which made the '
     'civilisation of ancient Egypt possible.',
     [('Into which sea does the Nile flow?', 'the Mediterranean Sea'),
      ('How long is the Nile?', 'about 6,650 kilometres'),
      ('Where does the Blue Nile begin?', 'Lake Tana in Ethiopia'),
      ('Near which city do the White Nile and the Blue Nile meet?', 'Khartoum'),
      ('How many countries does the Nile basin cover?', 'eleven'),
      ('When was the Aswan High Dam built?', None),
      ('Which fish are most common in the Nile?', None)]),
    ('Tea',
     'Tea is an aromatic beverage prepared by pouring hot or boiling water over cured or fresh '
     'leaves of Camellia sinensis, an evergreen shrub native to East Asia. After water, it is '
     'the most widely consumed drink in the world. Tea probably originated in southwest China, '
     'where it was first used as a medicinal drink. It was popularised as a recreational drink '
     'during the Chinese Tang dynasty, and tea drinking then spread to other East Asian '
     'countries. Portuguese priests and merchants introduced it to Europe during the 16th '
     'century, and in the 17th century drinking tea became fashionable among the English. '
     'Green tea, oolong and black tea all come from the same plant but are processed '
     'differently, mainly in how much the leaves are oxidised.',
     [('From which plant do tea leaves come?', 'Camellia sinensis'),
      ('Where did tea probably originate?', 'southwest China'),
      ('During which dynasty was tea popularised as a recreational drink?',
       'the Chinese Tang dynasty'),
      ('Who introduced tea to Europe?', 'Portuguese priests and merchants'),
      ('How do green, oolong and black tea mainly differ?', 'how much the leaves are oxidised'),
      ('Which country drinks the most tea per person?', None),
      ('How much caffeine does a cup of black tea contain?', None)]),
    ('Antarctica',
     "Antarctica is Earth's southernmost continent and contains the geographic South Pole. It "
     'is the fifth-largest continent, and about 98 percent of it is covered by ice that '
     'averages at least 1.6 kilometres in thickness. Antarctica is, on average, the coldest, '
     'driest and windiest of the continents, and it has the highest average elevation. The '
     'lowest natural temperature ever recorded on Earth, -89.2 degrees Celsius, was measured at '
     'the Soviet Vostok Station in 1983. There are no permanent residents, but between about '
     '1,000 and 5,000 people live at research stations throughout the year. The Antarctic '
     'Treaty, signed in 1959 by twelve countries, sets the continent aside for peaceful '
     'scientific research.',
     [('How much of Antarctica is covered by ice?', 'about 98 percent'),
      ('What is the lowest natural temperature ever recorded on Earth?',
       '-89.2 degrees Celsius'),
      ('Where was the lowest temperature measured?', 'the Soviet Vostok Station'),
      ('When was the Antarctic Treaty signed?', '1959'),
      ('How many countries signed the Antarctic Treaty?', 'twelve'),
      ('What does the Antarctic Treaty set the continent aside for?',
       'peaceful scientific research'),
      ('Who was the first person to reach the South Pole?', None)]),
    ('Rainbow',
     'A rainbow is an optical phenomenon caused by the reflection, refraction and dispersion of '
     'light in water droplets, which produces a spectrum of light in the sky. It takes the form '
     'of a multicoloured circular arc. Rainbows caused by sunlight always appear in the section '
     'of sky directly opposite the Sun. The colours of a primary rainbow are traditionally '
     'listed as red, orange, yellow, green, blue, indigo and violet, with red on the outer part '
     'of the arc. A double rainbow has a fainter secondary arc outside the primary one, and its '
     'colours are in reverse order. Isaac Newton was among the first to show that white light '
     'is made up of the colours of the rainbow.',
     [('Where do rainbows caused by sunlight appear?',
       'the section of sky directly opposite the Sun'),
      ('Which colour is on the outer part of a primary rainbow?', ('red', 'with red on')),
      ('Which scientist showed that white light is made up of colours?', 'Isaac Newton'),
      ('In what order are the colours of the secondary arc?', 'reverse order'),
      ('What shape does a rainbow take?', 'a multicoloured circular arc'),
      ('How long does a rainbow usually last?', None)]),
    ('Colosseum',
     'The Colosseum is an elliptical amphitheatre in the centre of the city of Rome, Italy, '
     'just east of the Roman Forum. It is the largest ancient amphitheatre ever built and is '
     'still the largest standing amphitheatre in the world today. Construction began under the '
     'emperor Vespasian in AD 72 and was completed in AD 80 under his successor and heir, '
     'Titus. The Colosseum could hold an estimated 50,000 to 80,000 spectators, who came to '
     'watch gladiatorial contests, animal hunts, executions and re-enactments of famous '
     'battles. Although partially ruined by earthquakes and stone robbers, it is today one of '
     "Rome's most popular tourist attractions.",
     [('Under which emperor did construction of the Colosseum begin?', 'Vespasian'),
      ('When was the Colosseum completed?', 'AD 80'),
      ('Under which emperor was the Colosseum completed?', 'Titus'),
      ('How many spectators could the Colosseum hold?', 'an estimated 50,000 to 80,000'),
      ('What partially ruined the Colosseum?', 'earthquakes and stone robbers'),
      ('How many gladiators died in the Colosseum?', None),
      ('How much does a ticket to the Colosseum cost?', None)]),
    ('Vaccine',
     'A vaccine is a biological preparation that provides active acquired immunity to a '
     'particular infectious disease. It typically contains an agent that resembles the '
     'disease-causing microorganism, often made from weakened or killed forms of the microbe, '
     "its toxins or one of its surface proteins. The agent stimulates the body's immune system "
     'to recognise it as a threat, destroy it and remember it. In 1796 the English physician '
     'Edward Jenner showed that material from cowpox sores could protect people against '
     'smallpox; the word vaccine comes from the Latin word vacca, meaning cow. Thanks to a '
     'worldwide vaccination campaign, smallpox was declared eradicated by the World Health '
     'Organization in 1980.',
     [('Who showed that cowpox could protect against smallpox?', 'Edward Jenner'),
      ('In what year did Jenner show this?', '1796'),
      ('What does the Latin word vacca mean?', ('cow', 'meaning cow')),
      ('When was smallpox declared eradicated?', '1980'),
      ('Which organisation declared smallpox eradicated?', 'the World Health Organization'),
      ('What does a vaccine stimulate?', "the body's immune system"),
      ('Who developed the first polio vaccine?', None)]),
    ('Saturn',
     'Saturn is the sixth planet from the Sun and the second largest in the Solar System, after '
     'Jupiter. It is a gas giant with an average radius about nine times that of Earth. '
     "Saturn's most famous feature is its prominent ring system, which is made mostly of ice "
     'particles with smaller amounts of rocky debris and dust. At least 146 moons are known to '
     'orbit the planet; the largest, Titan, is bigger than the planet Mercury and is the only '
     'moon in the Solar System with a thick atmosphere. Saturn takes about 29.5 Earth years to '
     'orbit the Sun. The planet is named after the Roman god of agriculture and wealth.',
     [('Which planet is larger than Saturn?', 'Jupiter'),
      ("What is Saturn's ring system mostly made of?", 'ice particles'),
      ("What is Saturn's largest moon?", 'Titan'),
      ('How long does Saturn take to orbit the Sun?', 'about 29.5 Earth years'),
      ('Who is Saturn named after?', 'the Roman god of agriculture and wealth'),
      ("Who discovered Saturn's rings?", None),
      ("How hot is Saturn's core?", None)]),
    ('DNA',
     'Deoxyribonucleic acid, or DNA, is a molecule made of two chains that coil around each '
     'other to form a double helix. It carries the genetic instructions for the development, '
     'functioning, growth and reproduction of all known organisms and many viruses. Each chain '
     'is made of simpler units called nucleotides, and each nucleotide contains one of four '
     'nitrogen-containing bases: cytosine, guanine, adenine or thymine. Adenine pairs with '
     'thymine, and cytosine pairs with guanine. The double-helix structure was described in '
     '1953 by James Watson and Francis Crick, using X-ray diffraction images taken by Rosalind '
     'Franklin and Raymond Gosling.',
     [('What shape do the two chains of DNA form?', 'a double helix'),
      ('What are the simpler units of each chain called?', 'nucleotides'),
      ('Which base pairs with adenine?', ('thymine', 'pairs with thymine')),
      ('Who described the double-helix structure?', 'James Watson and Francis Crick'),
      ('Who took the X-ray diffraction images?', 'Rosalind Franklin and Raymond Gosling'),
      ('When was the structure of DNA described?', '1953'),
      ('How long is the DNA in a single human cell?', None)]),
    ('Leonardo da Vinci',
     'Leonardo da Vinci was an Italian polymath of the High Renaissance who was active as a '
     'painter, draughtsman, engineer, scientist, theorist, sculptor and architect. He was born '
     'in 1452 in Vinci, a town in Tuscany, as the illegitimate son of a notary. His most famous '
     'paintings include the Mona Lisa, which is kept in the Louvre in Paris, and The Last '
     'Supper, a mural in the refectory of the convent of Santa Maria delle Grazie in Milan. His '
     'notebooks contain drawings of flying machines, anatomy and water, often written in '
     'mirror-image script. He spent his last years in France at the invitation of King Francis '
     'I and died there in 1519.',
     [('When was Leonardo da Vinci born?', '1452'),
      ('Where is the Mona Lisa kept?', 'the Louvre in Paris'),
      ('In which city is The Last Supper?', 'Milan'),
      ('In what script did Leonardo often write his notebooks?', 'mirror-image script'),
      ('Who invited Leonardo to France?', 'King Francis I'),
      ('When did Leonardo da Vinci die?', '1519'),
      ('How much is the Mona Lisa worth?', None)]),
    ('Bicycle',
     'A bicycle is a human-powered, pedal-driven vehicle with two wheels attached to a frame, '
     'one behind the other. The first two-wheeled, steerable machine was the running machine '
     'invented by the German Karl Drais in 1817, which riders pushed along with their feet. '
     'Pedals attached to the front wheel appeared in France in the 1860s, and the high-wheeled '
     'penny-farthing became popular in the 1870s. The safety bicycle, with two wheels of '
     'similar size and a chain driving the rear wheel, was developed in the 1880s and is the '
     'basis of most bicycles today. There are more than one billion bicycles in the world, and '
     'they are the main means of transport in many regions.',
     [('Who invented the running machine?', 'Karl Drais'),
      ('In what year was the running machine invented?', '1817'),
      ('Which high-wheeled bicycle became popular in the 1870s?', 'penny-farthing'),
      ('What drives the rear wheel of a safety bicycle?', 'a chain'),
      ('How many bicycles are there in the world?', 'more than one billion'),
      ('When was the safety bicycle developed?', 'the 1880s'),
      ('Who won the first Tour de France?', None)]),
    ('Earthquake',
     'An earthquake is the shaking of the surface of the Earth caused by a sudden release of '
     'energy in the lithosphere that creates seismic waves. Most earthquakes are caused by the '
     'rupture of geological faults. The point inside the Earth where the rupture begins is '
     'called the hypocentre, and the point on the surface directly above it is the epicentre. '
     'The size of an earthquake is usually reported on the moment magnitude scale, which '
     'replaced the older Richter scale for large events. The largest earthquake ever recorded '
     'was the 1960 Valdivia earthquake in Chile, with a magnitude of 9.5. Earthquakes under the '
     'sea can cause tsunamis, long waves that may travel across entire oceans.',
     [('What is the point where the rupture begins called?', 'the hypocentre'),
      ('What is the point on the surface directly above it called?', 'the epicentre'),
      ('On which scale is earthquake size usually reported?', 'the moment magnitude scale'),
      ('What was the largest earthquake ever recorded?', 'the 1960 Valdivia earthquake'),
      ('What was the magnitude of the largest recorded earthquake?', '9.5'),
      ('What can earthquakes under the sea cause?', 'tsunamis'),
      ('How many people died in the Valdivia earthquake?', None)]),
    ('Statue of Liberty',
     'The Statue of Liberty is a colossal neoclassical sculpture on Liberty Island in New York '
     'Harbor. The copper statue, a gift to the United States from the people of France, was '
     'designed by the French sculptor Frederic Auguste Bartholdi, and its metal framework was '
     'built by Gustave Eiffel. It was dedicated on 28 October 1886. The statue is a figure of '
     'Libertas, the robed Roman goddess of liberty, who holds a torch above her head with her '
     'right hand and carries a tablet in her left hand inscribed with the date of the American '
     "Declaration of Independence, July 4, 1776. The statue's copper skin has turned green over "
     'time because of a natural layer of patina.',
     [('Who designed the Statue of Liberty?', 'Frederic Auguste Bartholdi'),
      ("Who built the statue's metal framework?", 'Gustave Eiffel'),
      ('When was the Statue of Liberty dedicated?', '28 October 1886'),
      ('What does the statue hold in her right hand?', 'a torch'),
      ("Why has the statue's copper skin turned green?", 'a natural layer of patina'),
      ('On which island does the statue stand?', 'Liberty Island'),
      ('How many steps lead up to the crown?', None)]),
    ('Telephone',
     'The telephone is a telecommunications device that lets two or more users hold a '
     'conversation when they are too far apart to be heard directly. Alexander Graham Bell was '
     'granted the first United States patent for a telephone in 1876, although several other '
     'inventors, including Elisha Gray and Antonio Meucci, had worked on similar devices. The '
     'first words Bell spoke over the telephone were reportedly "Mr. Watson, come here, I want '
     'to see you," addressed to his assistant Thomas Watson. Early telephones were connected by '
     'operators working at manual switchboards. Mobile phones, which connect through radio '
     'waves rather than wires, became widely used in the 1990s.',
     [('Who received the first US patent for a telephone?', 'Alexander Graham Bell'),
      ('In what year was the first telephone patent granted?', '1876'),
      ("Who was Bell's assistant?", 'Thomas Watson'),
      ('How were early telephones connected?', 'by operators working at manual switchboards'),
      ('When did mobile phones become widely used?', 'the 1990s'),
      ('How much did the first telephone cost?', None)]),
    ('Glacier',
     'A glacier is a persistent body of dense ice that is constantly moving under its own '
     'weight. A glacier forms where the accumulation of snow exceeds its melting and '
     'sublimation over many years, often centuries. Glaciers slowly deform and flow because of '
     'stresses caused by their weight, forming crevasses and other features. They also carve '
     'the land beneath them, leaving U-shaped valleys, fjords and moraines. On Earth, about 99 '
     'percent of glacial ice is contained in the vast ice sheets of Antarctica and Greenland. '
     'Glacial ice is the largest reservoir of fresh water on Earth, holding about 69 percent of '
     "the world's freshwater.",
     [('Where does a glacier form?',
       'where the accumulation of snow exceeds its melting and sublimation'),
      ('What landforms do glaciers leave behind?', 'U-shaped valleys, fjords and moraines'),
      ('Where is about 99 percent of glacial ice found?',
       'the vast ice sheets of Antarctica and Greenland'),
      ("What share of the world's freshwater do glaciers hold?", 'about 69 percent'),
      ('How fast does the fastest glacier move?', None)]),
    ('Panama Canal',
     'The Panama Canal is an artificial waterway in Panama that connects the Atlantic Ocean '
     'with the Pacific Ocean. It cuts across the Isthmus of Panama and is a conduit for '
     'maritime trade. France began work on the canal in 1881 but stopped because of '
     'engineering problems and a high death rate from diseases such as malaria and yellow '
     'fever. The United States took over the project in 1904 and opened the canal on 15 August '
     '1914. Locks at each end lift ships up to Gatun Lake, an artificial lake 26 metres above '
     'sea level. The United States controlled the canal until 1999, when it was handed over to '
     'the government of Panama.',
     [('Which ocean does the canal connect with the Atlantic?', 'the Pacific Ocean'),
      ('When did France begin work on the canal?', '1881'),
      ('Which diseases caused a high death rate among the workers?', 'malaria and yellow fever'),
      ('When did the Panama Canal open?', '15 August 1914'),
      ('To which lake do the locks lift ships?', 'Gatun Lake'),
      ('When was the canal handed over to Panama?', '1999'),
      ('How much does it cost a ship to pass through the canal?', None)]),
    ('Chocolate',
     'Chocolate is a food made from roasted and ground cacao seed kernels. Cacao has been '
     'consumed by cultures in Mesoamerica for thousands of years; the Maya and the Aztecs made a '
     'bitter, frothy drink from it, often flavoured with chili and vanilla. The seeds of the '
     'cacao tree have an intensely bitter taste and must be fermented to develop their flavour. '
     'After fermentation the seeds are dried, cleaned and roasted, and the shells are removed '
     'to produce cacao nibs, which are ground into cocoa mass. Solid milk chocolate was first '
     'produced in Switzerland in 1875 by Daniel Peter, who used condensed milk developed by '
     "Henri Nestle. Today more than half of the world's cocoa is grown in Ivory Coast and "
     'Ghana.',
     [('Which cultures made a frothy drink from cacao?', 'the Maya and the Aztecs'),
      ('Why must cacao seeds be fermented?', 'to develop their flavour'),
      ('What are cacao nibs ground into?', 'cocoa mass'),
      ('Who first produced solid milk chocolate?', 'Daniel Peter'),
      ('In which country was solid milk chocolate first produced?', 'Switzerland'),
      ("Which two countries grow more than half of the world's cocoa?", 'Ivory Coast and Ghana'),
      ('Who invented white chocolate?', None)]),
    ('William Shakespeare',
     'William Shakespeare was an English playwright, poet and actor, widely regarded as the '
     'greatest writer in the English language. He was born in Stratford-upon-Avon in 1564 and '
     'married Anne Hathaway at the age of 18. Between about 1585 and 1592 he began a successful '
     'career in London as an actor, writer and part-owner of a playing company called the Lord '
     "Chamberlain's Men, later known as the King's Men. His surviving works include about 39 "
     'plays, 154 sonnets and several longer poems. Many of his plays were collected in the '
     'First Folio, published in 1623, seven years after his death.',
     [('Where was Shakespeare born?', 'Stratford-upon-Avon'),
      ('Whom did Shakespeare marry?', 'Anne Hathaway'),
      ('How many sonnets did Shakespeare write?', '154'),
      ("What was Shakespeare's playing company later known as?", "the King's Men"),
      ('When was the First Folio published?', '1623'),
      ('How old was Shakespeare when he married?', '18'),
      ('Which of his plays was performed first?', None)]),
    ('Seoul',
     'Seoul, officially the Seoul Special City, is the capital and largest city of South Korea. '
     'The city has about 9.4 million residents, and its broader metropolitan area, which '
     "includes Incheon and Gyeonggi Province, is home to roughly half of the country's "
     'population. Seoul is divided by the Han River, and it has been the capital of a Korean '
     'state since 1394, when King Taejo of the Joseon dynasty moved the capital there. Its five '
     'palaces built during the Joseon period include Gyeongbokgung, the main royal palace. '
     'Seoul hosted the 1988 Summer Olympics and was one of the host cities of the 2002 FIFA '
     'World Cup.',
     [('Which river divides Seoul?', 'the Han River'),
      ('Since when has Seoul been the capital of a Korean state?', '1394'),
      ('Which king moved the capital to Seoul?', 'King Taejo'),
      ('What is the main royal palace of Seoul?', 'Gyeongbokgung'),
      ('Which Summer Olympics did Seoul host?', 'the 1988 Summer Olympics'),
      ('How many people live in Seoul?', 'about 9.4 million'),
      ('Who is the current mayor of Seoul?', None)]),
    ('Hangul',
     'Hangul is the writing system of the Korean language. It was created in 1443 by King '
     'Sejong the Great of the Joseon dynasty to increase literacy, as the use of Chinese '
     'characters was limited to the educated elite. The new script was published in 1446 in a '
     'document called Hunminjeongeum, which means "the correct sounds for the instruction of '
     'the people". Modern Hangul has 24 basic letters, 14 consonants and 10 vowels, which are '
     'grouped into syllable blocks. The shapes of the consonant letters were designed to '
     'resemble the positions of the mouth and tongue when the sounds are made. In South Korea, '
     'Hangul Day is celebrated on 9 October.',
     [('Who created Hangul?', 'King Sejong the Great'),
      ('In what year was Hangul created?', '1443'),
      ('What was the document that published Hangul called?', 'Hunminjeongeum'),
      ('How many basic letters does modern Hangul have?', '24'),
      ('When is Hangul Day celebrated in South Korea?', '9 October'),
      ('What were the consonant shapes designed to resemble?',
       'the positions of the mouth and tongue'),
      ('When is Hangul Day celebrated in North Korea?', None)]),
    ('BERT (language model)',
     'BERT, short for Bidirectional Encoder Representations from Transformers, is a language '
     'representation model introduced by researchers at Google in 2018. Unlike earlier language '
     'models that read text only from left to right, BERT is pre-trained to use context from '
     'both directions at once. It is pre-trained on two tasks: masked language modelling, in '
     'which 15 percent of the input tokens are chosen for prediction, and next sentence '
     'prediction, in which the model decides whether the second of two sentences follows the '
     'first. The base model has 12 layers, a hidden size of 768 and about 110 million '
     'parameters, while the large model has 24 layers and about 340 million parameters. After '
     'pre-training, BERT can be fine-tuned with one additional output layer for tasks such as '
     'question answering and named entity recognition.',
     [('What does BERT stand for?', 'Bidirectional Encoder Representations from Transformers'),
      ('Who introduced BERT?', 'researchers at Google'),
      ('What fraction of tokens is chosen for prediction in masked language modelling?',
       '15 percent'),
      ('How many parameters does the base model have?', 'about 110 million'),
      ('How many layers does the large model have?', ('24', '24 layers')),
      ('Which pre-training task decides whether one sentence follows another?',
       'next sentence prediction'),
      ('How long did it take to pre-train BERT-large?', None),
      ('How much did it cost to pre-train BERT?', None)]),
]

EN_DEV = [
    ('Moon',
     "The Moon is Earth's only natural satellite. It orbits at an average distance of about "
     '384,400 kilometres, roughly 30 times the diameter of Earth. The Moon is tidally locked to '
     'Earth, so the same side always faces the planet; the far side was first photographed by '
     'the Soviet probe Luna 3 in 1959. Its gravitational pull is the main cause of the ocean '
     'tides on Earth. The Moon is thought to have formed about 4.5 billion years ago from debris '
     'left over after a Mars-sized body collided with the early Earth. Twelve astronauts walked '
     'on its surface during six NASA Apollo missions between 1969 and 1972.',
     [('How far away is the Moon on average?',
       ['about 384,400 kilometres', '384,400 kilometres']),
      ('Which probe first photographed the far side of the Moon?',
       ['the Soviet probe Luna 3', 'Luna 3']),
      ('What is the main cause of the ocean tides?', ['Its gravitational pull',
                                                     'gravitational pull']),
      ('When did the Moon form?', ['about 4.5 billion years ago', '4.5 billion years ago']),
      ('How many astronauts walked on the Moon?', ['Twelve']),
      ('When will astronauts return to the Moon?', None),
      ('How much does the Moon weigh?', None)]),
    ('Ludwig van Beethoven',
     'Ludwig van Beethoven was a German composer and pianist whose works rank among the most '
     'performed in the classical music repertoire. He was born in Bonn in 1770 and moved to '
     'Vienna at the age of 21, where he studied composition with Joseph Haydn. By his late '
     'twenties his hearing had begun to deteriorate, and by the last decade of his life he was '
     'almost completely deaf. Despite this, he continued to compose; his Symphony No. 9, first '
     "performed in 1824, includes a choral setting of Friedrich Schiller's poem Ode to Joy. He "
     'died in Vienna in 1827.',
     [('Where was Beethoven born?', ['Bonn']),
      ('With whom did Beethoven study composition in Vienna?', ['Joseph Haydn', 'Haydn']),
      ('When was the Ninth Symphony first performed?', ['1824']),
      ('Whose poem is set in the Ninth Symphony?',
       ["Friedrich Schiller's", 'Friedrich Schiller']),
      ('How old was Beethoven when he moved to Vienna?', [('21', 'age of 21')]),
      ("Who was Beethoven's first piano teacher?", None),
      ('How many operas did Beethoven write?', None)]),
    ('London Underground',
     'The London Underground is a rapid transit system serving Greater London and some parts '
     'of the adjacent counties of Buckinghamshire, Essex and Hertfordshire. Its first section, '
     'the Metropolitan Railway, opened on 10 January 1863, making it the world\'s oldest '
     'underground passenger railway. Despite its name, about 55 percent of the network is '
     'above ground. The system has 272 stations and 11 lines, and it is commonly known as the '
     'Tube, a nickname that comes from the circular tunnels through which some of the trains '
     'run. The diagrammatic Tube map, designed by Harry Beck in 1931, has become a symbol of '
     'London.',
     [('When did the first section of the Underground open?', ['10 January 1863']),
      ('What was the first section called?', ['the Metropolitan Railway',
                                              'Metropolitan Railway']),
      ('How much of the network is above ground?', ['about 55 percent', '55 percent']),
      ('How many stations does the Underground have?', ['272']),
      ('Who designed the diagrammatic Tube map?', ['Harry Beck']),
      ('Where does the nickname the Tube come from?',
       ['the circular tunnels through which some of the trains run', 'the circular tunnels']),
      ('How many passengers use the Underground each year?', None)]),
    ('Tide',
     'Tides are the rise and fall of sea levels caused by the combined effects of the '
     'gravitational forces exerted by the Moon and the Sun and the rotation of the Earth. Most '
     'coastal places have two high tides and two low tides each day. When the Sun, the Moon and '
     'the Earth are aligned, at new moon and full moon, their pull combines to produce '
     'especially large tides called spring tides. When the Sun and the Moon are at right angles '
     'to each other, the smaller tides are called neap tides. The Bay of Fundy in Canada has '
     'some of the largest tidal ranges in the world, with a difference of up to 16 metres '
     'between high and low water.',
     [('How many high tides do most coastal places have each day?',
       [('two', 'have two high')]),
      ('What are the especially large tides called?', ['spring tides']),
      ('When do spring tides occur?', ['at new moon and full moon', 'new moon and full moon']),
      ('What are the smaller tides called?', ['neap tides']),
      ('Where are some of the largest tidal ranges in the world?',
       ['The Bay of Fundy in Canada', 'The Bay of Fundy']),
      ('What is the highest tide ever recorded in Europe?', None)]),
    ('Hubble Space Telescope',
     'The Hubble Space Telescope is a space telescope that was launched into low Earth orbit in '
     '1990 and remains in operation. It was carried into orbit by the Space Shuttle Discovery. '
     'Shortly after launch, scientists found that its main mirror had been ground incorrectly, '
     'which blurred its images; the flaw was corrected by a servicing mission in 1993. The '
     'telescope is named after the astronomer Edwin Hubble, who showed that the universe is '
     'expanding. Its observations helped to determine the rate of expansion of the universe, '
     'and it has captured famous images such as the Pillars of Creation. Its successor in the '
     'infrared, the James Webb Space Telescope, was launched in 2021.',
     [('When was the Hubble Space Telescope launched?', ['1990']),
      ('Which shuttle carried Hubble into orbit?', ['the Space Shuttle Discovery', 'Discovery']),
      ('What was wrong with Hubble after launch?',
       ['its main mirror had been ground incorrectly']),
      ("When was Hubble's flaw corrected?", ['1993']),
      ('Who is the telescope named after?', ['the astronomer Edwin Hubble', 'Edwin Hubble']),
      ('How much did the Hubble Space Telescope cost?', None)]),
    ('Linux',
     'Linux is a family of open-source operating systems based on the Linux kernel, which was '
     'first released on 17 September 1991 by Linus Torvalds, a Finnish student at the '
     'University of Helsinki. The kernel is released under the GNU General Public License '
     'version 2, so anyone may use, study, change and share it. Linux is usually packaged in '
     'distributions such as Debian, Fedora and Ubuntu, which add system software and libraries, '
     'many of them from the GNU Project. Linux runs on almost every kind of hardware; all of the '
     "world's 500 fastest supercomputers have run Linux since 2017, and the Android operating "
     'system for phones is built on the Linux kernel.',
     [('Who first released the Linux kernel?', ['Linus Torvalds']),
      ('When was the Linux kernel first released?', ['17 September 1991']),
      ('Where was Torvalds studying?', ['the University of Helsinki',
                                        'University of Helsinki']),
      ('Under what license is the kernel released?',
       ['the GNU General Public License version 2', 'GNU General Public License version 2']),
      ('Which phone operating system is built on the Linux kernel?', ['Android']),
      ('What is the most popular Linux distribution?', None)]),
    ('Mount Fuji',
     'Mount Fuji is an active stratovolcano on the island of Honshu and, at 3,776 metres, the '
     'highest mountain in Japan. It last erupted in 1707 and 1708. Its nearly perfect, '
     'snow-capped cone is one of the best-known symbols of Japan and appears often in art, most '
     "famously in Hokusai's series of woodblock prints Thirty-six Views of Mount Fuji. The "
     'mountain is surrounded by five lakes. Mount Fuji was added to the UNESCO World Heritage '
     'List as a cultural site in 2013. The official climbing season runs from early July to '
     'early September, when the summit is usually free of snow.',
     [('How high is Mount Fuji?', ['3,776 metres']),
      ('When did Mount Fuji last erupt?', ['1707 and 1708']),
      ('Which artist made Thirty-six Views of Mount Fuji?', ['Hokusai']),
      ('How many lakes surround Mount Fuji?', ['five']),
      ('When was Mount Fuji added to the World Heritage List?', ['2013']),
      ('How many people climb Mount Fuji each year?', None)]),
    ('Wright brothers',
     'The Wright brothers, Orville and Wilbur Wright, were American aviation pioneers who are '
     "generally credited with inventing, building and flying the world's first successful "
     'motor-operated aeroplane. They made the first controlled, sustained flight of a powered, '
     'heavier-than-air aircraft on 17 December 1903, four miles south of Kitty Hawk, North '
     'Carolina. Orville piloted the first flight, which lasted 12 seconds and covered 120 feet. '
     'The brothers had gained mechanical skills by working for years in their shop with '
     'printing presses, bicycles and motors. Their key invention was three-axis control, which '
     'let the pilot steer the aircraft effectively and keep its balance.',
     [('When did the first powered flight take place?', ['17 December 1903']),
      ('Near which town was the first flight made?',
       ['Kitty Hawk, North Carolina', 'Kitty Hawk']),
      ('Who piloted the first flight?', [('Orville', 'Orville piloted')]),
      ('How long did the first flight last?', ['12 seconds']),
      ("What was the Wright brothers' key invention?", ['three-axis control']),
      ('How much did the first aeroplane cost to build?', None)]),
    ('Kimchi',
     'Kimchi is a traditional Korean side dish of salted and fermented vegetables, most '
     'commonly napa cabbage and Korean radish. It is seasoned with a variety of ingredients, '
     'including chili powder, scallions, garlic, ginger and jeotgal, a salted seafood. There '
     'are hundreds of varieties of kimchi made with different vegetables. Traditionally, large '
     'amounts of kimchi were made in late autumn in a communal activity called gimjang, so that '
     'families would have food through the winter. In 2013 gimjang was inscribed on UNESCO\'s '
     'list of the Intangible Cultural Heritage of Humanity.',
     [('Which vegetables are most commonly used for kimchi?',
       ['napa cabbage and Korean radish']),
      ('What is jeotgal?', ['a salted seafood', 'salted seafood']),
      ('What is the communal kimchi-making activity called?', [('gimjang', 'called gimjang')]),
      ('When was gimjang inscribed on the UNESCO list?', ['2013']),
      ('When was kimchi traditionally made in large amounts?', ['late autumn']),
      ('How long does kimchi take to ferment?', None)]),
    ('Sun',
     'The Sun is the star at the centre of the Solar System. It is a nearly perfect ball of hot '
     'plasma, heated to incandescence by nuclear fusion reactions in its core, which convert '
     "hydrogen into helium. About three quarters of the Sun's mass consists of hydrogen; the "
     "rest is mostly helium. The Sun's light takes about eight minutes and 20 seconds to reach "
     'Earth, about 150 million kilometres away. The temperature at its visible surface, the '
     'photosphere, is about 5,500 degrees Celsius. The Sun formed about 4.6 billion years ago '
     'and is expected to become a red giant in roughly five billion years.',
     [('What heats the Sun?', ['nuclear fusion reactions in its core',
                               'nuclear fusion reactions']),
      ("How much of the Sun's mass is hydrogen?", ['About three quarters']),
      ('How long does sunlight take to reach Earth?',
       ['about eight minutes and 20 seconds', 'eight minutes and 20 seconds']),
      ("What is the Sun's visible surface called?", ['the photosphere', 'photosphere']),
      ('What is the Sun expected to become?', ['a red giant']),
      ('How many sunspots appear each year?', None)]),
    ('Bamboo',
     'Bamboos are a diverse group of evergreen flowering plants in the grass family. Some '
     'species are among the fastest-growing plants in the world, able to grow up to 91 '
     'centimetres in a single day. Bamboo has a higher compressive strength than wood, brick '
     'or concrete, and it has long been used as a building material in Asia, as well as for '
     'scaffolding, furniture and paper. Giant pandas feed almost entirely on bamboo and spend '
     'about 10 to 16 hours a day eating it. Many bamboo species flower only at intervals of 65 '
     'to 120 years, and all plants of the same species tend to flower at the same time and '
     'then die.',
     [('To which family do bamboos belong?', ['the grass family', 'grass']),
      ('How fast can some bamboo species grow?',
       ['up to 91 centimetres in a single day', '91 centimetres in a single day']),
      ('Which animal feeds almost entirely on bamboo?', ['Giant pandas']),
      ('How often do many bamboo species flower?', ['at intervals of 65 to 120 years',
                                                    '65 to 120 years']),
      ('Which country produces the most bamboo?', None)]),
    ('Vincent van Gogh',
     'Vincent van Gogh was a Dutch Post-Impressionist painter who is among the most famous and '
     'influential figures in Western art. In just over a decade he created about 2,100 '
     'artworks, including around 860 oil paintings, most of them in the last two years of his '
     'life. His best-known works include The Starry Night, painted in 1889 while he was staying '
     'at an asylum in Saint-Remy-de-Provence, and a series of paintings of sunflowers. He sold '
     'very few paintings during his lifetime and struggled with mental illness and poverty. He '
     'died in France in 1890 at the age of 37. The Van Gogh Museum in Amsterdam holds the '
     "world's largest collection of his works.",
     [('How many artworks did van Gogh create?', ['about 2,100', '2,100']),
      ('When was The Starry Night painted?', ['1889']),
      ('Where was van Gogh staying when he painted The Starry Night?',
       ['an asylum in Saint-Remy-de-Provence', 'Saint-Remy-de-Provence']),
      ('How old was van Gogh when he died?', ['37']),
      ('In which city is the Van Gogh Museum?', ['Amsterdam']),
      ('How much did The Starry Night sell for?', None)]),
]

# ----------------------------------------------------------------------------
# Korean.
# ----------------------------------------------------------------------------
# Passages, questions and answers from the project's seed document (BERT slides:
# "BERT MRC Model" and "MRC 2.0" examples). The first three quote Korean news
# articles verbatim as the slides do (the last one with the PDF line-break typo
# "강 화학습" fixed to "강화학습").
KO_SEED = [
    ('장마 날씨 (seed: BERT MRC 예시 1)',
     '전국에 장맛비가 내린 지난 24일 오전 대전 서구의 한 신호등에서 시민들이 우산을 쓰고 걷고 '
     '있다. 기상청은 29일 남부지방과 제주에 비가 내릴 것으로 예보했다. 2016.6.24/뉴스1 News1 '
     '주기철 기자차윤주 기자 = 수요일인 29일 전국이 흐리고 남부지방과 제주도는 빗방울이 '
     '떨어지겠다. 기상청은 이날 남부지방과 제주도가 장마전선의 영향을 받아 대체로 흐리고 비가 '
     '오는 곳이 있을 것으로 예보했다. 남부지방 비는 아침에 그치고 제주는 종일 내릴 것으로 '
     '보인다. 강원도 영서는 오후에 소나기가 오는 곳이 있고, 중부지방은 구름이 많이 낄 '
     '전망이다. 아침 최저기온은 17~21도, 낮 최고기온은 23~32도로 오늘과 비슷하겠다.',
     [('수요일 날씨는?', ['전국이 흐리고 남부지방과 제주도는 빗방울이 떨어지겠다']),
      ('제주도에는 비가 언제까지 내려?', [('종일', '제주는 종일')]),
      ('아침 최저기온은 몇 도야?', ['17~21도']),
      ('낮 최고기온은?', ['23~32도']),
      ('강원도 영서에는 언제 소나기가 와?', [('오후', '영서는 오후')]),
      ('목요일 날씨는 어때?', None)]),
    ('두산-한화 트레이드 (seed: BERT MRC 예시 2)',
     '두산이 한화에서 거포 내야수 신성현(27)을 영입했다. 대신 포수 최재훈을 내줬다. 최재훈은 '
     '그동안 여러 팀이 탐냈을 만큼 수비력이 뛰어난 최고의 백업 포수다. 그러나 이미 주전 포수 '
     '양의지와 또 다른 백업 포수 박세혁이 탄탄하게 자리를 잡고 있다. 결국 오랜 고민 끝에 결단을 '
     '내렸다. 신성현은 현재 두산 전력에 꼭 필요한 선수였다. 두산 관계자는 "현재 두산 내야수 '
     '엔트리는 김재호와 허경민을 제외하면 모두 좌타자들"이라며 "힘 있는 대형 우타 내야 자원이 '
     '필요한 상황이었다"고 설명했다. 트레이드 제안은 포수가 필요했던 한화가 먼저 해왔다. 두산도 '
     '이 참에 늘 눈여겨봤던 신성현을 데려오기로 했다. 두산 관계자는 "양 구단의 이해관계가 맞아 '
     '떨어져 트레이드가 성사됐다"고 덧붙였다.',
     [('최재훈이랑 트레이드 된 선수는 몇 살이야?', [('27', '신성현(27)')]),
      ('두산이 한화에서 영입한 선수는 누구야?', [('신성현', '내야수 신성현')]),
      ('두산이 한화에 내준 포수는?', [('최재훈', '포수 최재훈')]),
      ('두산의 주전 포수는 누구야?', ['양의지']),
      ('트레이드를 먼저 제안한 팀은?', [('한화', '필요했던 한화')]),
      ('신성현의 올 시즌 타율은?', None)]),
    ('서울 아파트값 (seed: MRC 2.0 예시)',
     "정부가 공식 통계 지표로 활용하는 한국감정원의 '주간 아파트 가격 동향'마저 보합 전환하며 "
     '서울 집값 오름세에 대한 우려가 커지고 있다. 불안 조짐이 계속되면 추가 대책을 내놓겠다는 '
     "정부·여당의 '경고 메시지'가 지속적으로 나오는 가운데 국토교통부가 검토하겠다고 밝힌 "
     "'민간택지 분양가 상한제 적용'이 주택 가격 안정에 악이 될지 오히려 독이 될지 시장의 관심이 "
     '쏠리고 있다. 감정원이 27일 발표한 주간 아파트 매매가격 동향에 따르면 6월 마지막 주 서울 '
     '아파트값은 전주와 같았다. 내림 폭이 줄어들다 결국 33주 만에 하락세를 멈춘 것이다. 서울 '
     '아파트 가격은 민간 기관 집계로는 이미 플러스 전환했다. 부동산 114의 경우 6월 둘째 '
     '주부터, KB부동산 리브온의 경우 지난주인 6월 셋째 주부터 상승세로 돌아섰다. 감정원은 '
     '"강남 일부 지역 재건축 및 신축 매수세로 시장 하방 경직성이 커지며 보합 전환했다"고 '
     '설명했다.',
     [('집값 얼마나 올랐어?', None),
      ('정부가 활용한 통계지표가 뭐야?', ['주간 아파트 가격 동향',
                                       "한국감정원의 '주간 아파트 가격 동향'"]),
      ('아파트 값이 몇주 만에 하락세를 멈췄니?', ['33주']),
      ('감정원이 주간 동향을 발표한 날은?', [('27일', '감정원이 27일')]),
      ('부동산 114 집계로는 언제부터 상승세로 돌아섰어?', ['6월 둘째 주부터', '6월 둘째 주']),
      ('국토교통부가 검토하겠다고 밝힌 것은?', ['민간택지 분양가 상한제 적용']),
      ('강남 아파트의 평균 가격은 얼마야?', None)]),
    ('마인즈랩 (seed: maum.ai MRC 데모)',
     '인공지능(AI) 전문기업 마인즈랩이 캐나다 3대 인공지능 연구기관 에이미(AMII: Alberta Machine '
     'Intelligence Institute)에 합류하고, 구글 딥마인드를 비롯한 세계 최고 수준의 AI 연구진과 '
     '함께 딥러닝 분야의 연구를 함께한다. 마인즈랩은 에이미의 회원사로서 에이미 소속의 '
     '연구진들과 함께 공동 연구를 추진한다. 인공지능 강국으로 평가받는 캐나다에서 '
     '엘리먼트AI(Element AI), 벡터 연구소(Vector Institute)와 함께 3대 인공지능 연구기관 중 '
     '하나로 꼽히는 에이미는 강화학습의 창시자 리차드 서튼 교수의 주도 아래 알파고를 개발한 구글 '
     '딥마인드와 앨버타 대학 등이 모여 각 분야에서의 딥러닝 연구를 활발하게 이끌고 있다.',
     [('마인즈랩은 어디에 합류했나요?',
       ['캐나다 3대 인공지능 연구기관 에이미(AMII: Alberta Machine Intelligence Institute)',
        ('에이미', '연구기관 에이미')]),
      ('강화학습의 창시자는 누구인가요?', ['리차드 서튼 교수', '리차드 서튼']),
      ('알파고를 개발한 곳은?', [('구글 딥마인드', '개발한 구글 딥마인드')]),
      ('에이미와 함께 캐나다 3대 인공지능 연구기관으로 꼽히는 곳은?',
       ['엘리먼트AI(Element AI), 벡터 연구소(Vector Institute)']),
      ('마인즈랩의 대표는 누구인가요?', None)]),
]

KO_DEV = KO_SEED + [
    ('이순신',
     '이순신은 조선 중기의 무신으로, 임진왜란 때 수군을 이끌고 일본 수군을 여러 차례 크게 '
     '무찔렀다. 그는 거북선을 개량하여 전투에 활용했으며, 1592년 한산도 대첩에서 학익진 전법으로 '
     '큰 승리를 거두었다. 1597년 명량 해전에서는 단 13척의 배로 100척이 넘는 일본 함대를 '
     "물리쳤다. 이순신은 1598년 노량 해전에서 적의 총탄에 맞아 전사하면서 '나의 죽음을 적에게 "
     "알리지 말라'는 말을 남겼다고 전한다. 그가 전쟁 중에 쓴 일기인 난중일기는 2013년 유네스코 "
     '세계기록유산으로 등재되었다.',
     [('한산도 대첩에서 이순신이 쓴 전법은?', ['학익진']),
      ('명량 해전에서 이순신이 이끈 배는 몇 척이었어?', ['13척', '단 13척']),
      ('이순신이 전사한 해전은?', ['노량 해전', '1598년 노량 해전']),
      ('이순신이 전쟁 중에 쓴 일기는?', [('난중일기', '일기인 난중일기')]),
      ('난중일기가 세계기록유산으로 등재된 해는?', ['2013년']),
      ('이순신은 몇 살에 무과에 급제했어?', None)]),
    ('태권도',
     '태권도는 손과 발을 사용하여 공격과 방어를 하는 한국의 전통 무술이다. 1988년 서울 '
     '올림픽에서 시범 종목으로 소개되었고, 2000년 시드니 올림픽부터 정식 종목이 되었다. 태권도의 '
     '수련 단계는 띠의 색깔로 구분하며, 가장 높은 단계는 검은띠이다. 전라북도 무주에는 태권도원이 '
     '있고, 서울에는 국기원이 있어 단증 심사와 지도자 교육을 맡고 있다. 현재 전 세계 200여 개 '
     '나라에서 태권도를 수련하고 있다.',
     [('태권도가 정식 종목이 된 올림픽은?', ['2000년 시드니 올림픽', '시드니 올림픽']),
      ('태권도가 시범 종목으로 소개된 올림픽은?', ['1988년 서울 올림픽']),
      ('태권도의 수련 단계는 무엇으로 구분해?', ['띠의 색깔']),
      ('태권도원은 어디에 있어?', ['전라북도 무주']),
      ('태권도를 수련하는 나라는 몇 곳이야?', ['200여 개 나라', '200여 개']),
      ('태권도 선수가 가장 많은 나라는?', None)]),
    ('한강',
     '한강은 한반도 중부를 흐르는 강으로, 강원도 태백시의 검룡소에서 발원하여 서울을 지나 황해로 '
     '흘러든다. 길이는 약 494킬로미터이며 남한강과 북한강이 경기도 양평군 양수리 부근에서 만나 '
     "한강 본류를 이룬다. 서울 구간에만 30개가 넘는 다리가 놓여 있다. 1960년대 이후 한국의 빠른 "
     "경제 성장은 '한강의 기적'이라고 불린다. 여의도 한강공원에서는 매년 가을 세계불꽃축제가 "
     '열려 많은 시민이 찾는다.',
     [('한강의 발원지는 어디야?', ['강원도 태백시의 검룡소', '검룡소']),
      ('한강의 길이는?', ['약 494킬로미터', '494킬로미터']),
      ('남한강과 북한강이 만나는 곳은?', ['경기도 양평군 양수리 부근', '양수리']),
      ('한국의 빠른 경제 성장을 뭐라고 불러?', ['한강의 기적']),
      ('세계불꽃축제가 열리는 곳은?', ['여의도 한강공원']),
      ('한강의 평균 수심은?', None)]),
    ('중부지방 비 예보',
     '오늘 오후부터 중부지방에 비가 시작되어 내일 새벽까지 이어지겠다. 예상 강수량은 서울과 경기 '
     '지역이 20~60밀리미터, 강원 영서 지역이 10~40밀리미터이다. 비가 그친 뒤에는 북쪽에서 찬 '
     '공기가 내려와 모레 아침 기온이 오늘보다 5도가량 낮아지겠다. 남부지방은 구름이 많겠지만 비는 '
     '내리지 않을 것으로 보인다. 기상청은 천둥과 번개를 동반한 강한 비가 내리는 곳이 있겠다며 '
     '시설물 관리에 유의해 달라고 당부했다.',
     [('비는 언제까지 이어져?', ['내일 새벽까지', '내일 새벽']),
      ('서울과 경기 지역의 예상 강수량은?', ['20~60밀리미터']),
      ('모레 아침 기온은 어떻게 돼?', ['오늘보다 5도가량 낮아지겠다', '5도가량 낮아지겠다']),
      ('남부지방 날씨는 어때?', ['구름이 많겠지만 비는 내리지 않을 것으로 보인다',
                              '구름이 많겠지만']),
      ('모레 서울의 낮 최고기온은?', None)]),
]

KO_TRAIN_OWN = [
    ('훈민정음',
     '훈민정음은 조선의 제4대 임금인 세종대왕이 1443년에 창제하고 1446년에 반포한 문자이다. '
     "'백성을 가르치는 바른 소리'라는 뜻을 가진 훈민정음은 오늘날 한글이라고 불린다. 창제 "
     '당시에는 자음 17자와 모음 11자, 모두 28자였으나 현재는 그중 4자를 쓰지 않아 24자가 '
     '사용된다. 자음은 소리를 낼 때 발음 기관의 모양을 본떠 만들었고, 모음은 하늘, 땅, 사람을 '
     '본떠 만들었다. 훈민정음 해례본은 1997년 유네스코 세계기록유산으로 등재되었다. 대한민국은 '
     '매년 10월 9일을 한글날로 기념한다.',
     [('훈민정음을 창제한 사람은?', '세종대왕'),
      ('훈민정음은 언제 반포되었어?', '1446년'),
      ('훈민정음은 무슨 뜻이야?', '백성을 가르치는 바른 소리'),
      ('창제 당시 글자는 모두 몇 자였어?', '28자'),
      ('현재 사용되는 글자는 몇 자야?', '24자'),
      ('훈민정음 해례본이 세계기록유산에 등재된 해는?', '1997년'),
      ('한글날은 언제야?', '10월 9일'),
      ('세종대왕은 몇 살에 즉위했어?', None)]),
    ('경복궁',
     '경복궁은 조선 왕조의 법궁으로, 1395년 태조 이성계가 한양으로 도읍을 옮긴 뒤 처음 지은 '
     "궁궐이다. 궁의 이름은 정도전이 지었으며 '큰 복을 누리라'는 뜻을 담고 있다. 경복궁은 "
     '1592년 임진왜란 때 불에 타 오랫동안 폐허로 남아 있다가 1867년 흥선대원군의 주도로 다시 '
     '지어졌다. 일제강점기에는 많은 건물이 헐렸으나 1990년부터 복원 사업이 진행되고 있다. 궁 '
     '안의 근정전은 국왕이 신하들의 조회를 받던 정전이며, 경회루는 외국 사신을 접대하거나 '
     '연회를 베풀던 누각이다.',
     [('경복궁은 언제 지어졌어?', '1395년'),
      ('경복궁의 이름을 지은 사람은?', '정도전'),
      ('경복궁이 불에 탄 전쟁은?', '임진왜란'),
      ('경복궁을 다시 짓는 일을 주도한 사람은?', '흥선대원군'),
      ('외국 사신을 접대하던 누각은?', '경회루'),
      ('경복궁의 입장료는 얼마야?', None)]),
    ('한라산',
     '한라산은 제주도 중앙에 솟아 있는 화산으로, 높이는 1,947미터이며 남한에서 가장 높은 산이다. '
     '산 정상에는 백록담이라는 분화구 호수가 있는데, 흰 사슴이 물을 마셨다는 전설에서 이름이 '
     "유래했다. 한라산은 1970년 국립공원으로 지정되었으며, 2007년에는 '제주 화산섬과 용암 "
     "동굴'이라는 이름으로 유네스코 세계자연유산에 등재되었다. 한라산에는 고도에 따라 난대림, "
     '온대림, 한대림이 차례로 나타나며, 1,800여 종의 식물이 자란다.',
     [('한라산의 높이는?', '1,947미터'),
      ('한라산 정상에 있는 분화구 호수는?', '백록담'),
      ('한라산이 국립공원으로 지정된 해는?', '1970년'),
      ('한라산은 어떤 이름으로 세계자연유산에 등재되었어?', '제주 화산섬과 용암 동굴'),
      ('한라산에는 몇 종의 식물이 자라?', '1,800여 종'),
      ('한라산이 마지막으로 분화한 때는?', None)]),
    ('알파고와 이세돌',
     '알파고는 구글 딥마인드가 개발한 바둑 인공지능 프로그램이다. 2016년 3월 서울 포시즌스 '
     '호텔에서 열린 다섯 번의 대국에서 알파고는 세계 최정상급 프로 기사인 이세돌 9단을 4승 '
     "1패로 이겼다. 이세돌은 네 번째 대국에서 78수째에 둔 이른바 '신의 한 수'로 알파고에게 "
     '유일한 승리를 거두었다. 알파고는 심층 신경망과 몬테카를로 트리 탐색을 결합하였으며, 사람의 '
     '기보를 학습한 뒤 스스로 대국하며 실력을 높였다. 이 대국은 인공지능에 대한 대중의 관심을 '
     '크게 높인 계기가 되었다.',
     [('알파고를 개발한 회사는?', '구글 딥마인드'),
      ('알파고와 이세돌의 대국이 열린 장소는?', '서울 포시즌스 호텔'),
      ('알파고는 이세돌에게 몇 승 몇 패를 거뒀어?', '4승 1패'),
      ('이세돌이 이긴 대국은 몇 번째였어?', '네 번째'),
      ("'신의 한 수'는 몇 수째였어?", '78수째'),
      ('알파고가 결합한 기술은?', '심층 신경망과 몬테카를로 트리 탐색'),
      ('대국의 상금은 얼마였어?', None)]),
    ('BERT',
     'BERT는 트랜스포머 인코더로 구성된 양방향 언어 표현 모델로, 2018년 구글이 발표했다. 베이스 '
     '모델은 트랜스포머 레이어 12개, 피처 크기 768, 멀티 헤드 어텐션의 헤드 12개로 이루어져 약 '
     '1억 1천만 개의 파라미터를 가지며, 라지 모델은 레이어 24개, 피처 크기 1024, 헤드 16개로 약 '
     '3억 4천만 개의 파라미터를 가진다. BERT는 문장에서 15%의 단어를 가리고 맞히는 마스크 언어 '
     '모델과, 두 문장이 이어지는 문장인지 맞히는 다음 문장 예측으로 사전 학습된다. 다음 문장 '
     '예측에서는 연관된 문장 50%와 연관되지 않은 문장 50%를 무작위로 뽑아 학습한다. 사전 학습을 '
     '마친 BERT는 마지막 분류층만 바꾸어 문장 분류, 질의응답, 개체명 인식 등 다양한 과제에 파인 '
     '튜닝할 수 있다.',
     [('BERT를 발표한 회사는?', '구글'),
      ('베이스 모델의 레이어는 몇 개야?', ('12개', '레이어 12개')),
      ('라지 모델의 헤드는 몇 개야?', '16개'),
      ('마스크 언어 모델에서 가리는 단어의 비율은?', '15%'),
      ('베이스 모델의 파라미터는 몇 개야?', '약 1억 1천만 개'),
      ('BERT 학습에 사용된 GPU는 몇 대야?', None)]),
    ('부산',
     '부산광역시는 대한민국 남동부에 있는 항구 도시로, 서울에 이어 두 번째로 인구가 많은 도시이다. '
     '부산항은 국내 최대의 무역항이며 세계적으로도 손꼽히는 컨테이너 항구이다. 한국 전쟁 당시 '
     '부산은 임시 수도 역할을 했다. 해운대 해수욕장과 광안리 해수욕장은 여름철 많은 관광객이 '
     '찾는 명소이며, 광안대교는 밤마다 화려한 조명으로 유명하다. 매년 가을에는 아시아 최대 규모의 '
     '영화제 가운데 하나인 부산국제영화제가 열린다.',
     [('부산은 인구가 몇 번째로 많은 도시야?', '두 번째'),
      ('국내 최대의 무역항은?', '부산항'),
      ('한국 전쟁 때 부산은 어떤 역할을 했어?', '임시 수도'),
      ('매년 가을 부산에서 열리는 영화제는?', '부산국제영화제'),
      ('부산의 인구는 몇 명이야?', None)]),
    ('설날',
     '설날은 음력 1월 1일로, 한 해를 시작하는 한국의 가장 큰 명절 가운데 하나이다. 설날 아침에는 '
     '조상에게 차례를 지내고, 웃어른께 세배를 드리며 덕담을 나눈다. 세배를 받은 어른은 '
     '아이들에게 세뱃돈을 주기도 한다. 설날에 먹는 대표적인 음식은 떡국으로, 떡국을 한 그릇 '
     '먹으면 나이를 한 살 더 먹는다는 말이 있다. 가족들은 윷놀이나 연날리기 같은 민속놀이를 '
     '즐기기도 한다. 설날 전날과 다음 날을 포함한 사흘이 공휴일이어서 많은 사람이 고향을 찾는다.',
     [('설날은 음력 몇 월 며칠이야?', '1월 1일'),
      ('설날에 먹는 대표적인 음식은?', ('떡국', '음식은 떡국')),
      ('설날 아침 웃어른께 드리는 인사는?', ('세배', '웃어른께 세배')),
      ('설날 공휴일은 며칠이야?', '사흘'),
      ('설날에 즐기는 민속놀이는?', '윷놀이나 연날리기'),
      ('설날 귀성객은 몇 명이야?', None)]),
    ('KTX',
     'KTX는 한국철도공사가 운영하는 대한민국의 고속철도로, 2004년 4월 1일에 개통되었다. '
     '프랑스의 테제베(TGV) 기술을 도입하여 만들어졌으며, 최고 운행 속도는 시속 300킬로미터이다. '
     '개통 이후 서울에서 부산까지 걸리는 시간은 약 2시간 40분으로 줄어들었다. 이후 국산 기술로 '
     '개발한 KTX-산천이 2010년부터 운행을 시작했다. 고속철도의 개통으로 전국이 반나절 생활권이 '
     '되었다는 평가를 받는다.',
     [('KTX가 개통된 날은?', '2004년 4월 1일'),
      ('KTX를 운영하는 곳은?', '한국철도공사'),
      ('KTX가 도입한 기술은?', '프랑스의 테제베(TGV) 기술'),
      ('KTX의 최고 운행 속도는?', '시속 300킬로미터'),
      ('국산 기술로 개발한 고속열차는?', 'KTX-산천'),
      ('서울에서 부산까지 KTX 요금은 얼마야?', None)]),
    ('김연아',
     '김연아는 대한민국의 피겨스케이팅 선수로, 2010년 캐나다 밴쿠버 동계 올림픽 여자 싱글에서 '
     '금메달을 땄다. 당시 그녀가 기록한 총점 228.56점은 세계 신기록이었다. 김연아는 2014년 '
     '러시아 소치 동계 올림픽에서 은메달을 딴 뒤 현역에서 은퇴했다. 그녀는 2018년 평창 동계 '
     '올림픽 개회식에서 성화 최종 점화자로 나서 다시 한 번 주목을 받았다.',
     [('김연아가 금메달을 딴 올림픽은?', '2010년 캐나다 밴쿠버 동계 올림픽'),
      ('김연아가 밴쿠버에서 기록한 총점은?', '228.56점'),
      ('김연아가 소치 올림픽에서 딴 메달은?', '은메달'),
      ('평창 올림픽 개회식에서 김연아가 맡은 역할은?', '성화 최종 점화자'),
      ('김연아의 코치는 누구였어?', None)]),
    ('주말 날씨 예보',
     '기상청은 이번 주말 전국이 대체로 맑겠으나 아침 기온이 영하로 떨어지는 곳이 많겠다고 '
     '예보했다. 토요일 아침 최저기온은 영하 7도에서 영상 2도, 낮 최고기온은 5도에서 11도로 '
     '평년보다 조금 낮겠다. 강원 산지에는 일요일 오후부터 눈이 내려 1~3센티미터가량 쌓이겠다. '
     '기상청은 밤사이 내린 비나 눈이 얼어 도로가 미끄러운 곳이 있겠으니 출근길 교통안전에 '
     '유의해 달라고 당부했다. 다음 주 초에는 찬 대륙고기압이 약해지면서 기온이 차츰 오를 '
     '전망이다.',
     [('토요일 아침 최저기온은?', '영하 7도에서 영상 2도'),
      ('강원 산지에는 언제부터 눈이 내려?', '일요일 오후부터'),
      ('강원 산지에 쌓일 눈의 양은?', '1~3센티미터가량'),
      ('다음 주 초 기온은 어떻게 돼?', '차츰 오를 전망이다'),
      ('이번 주말 서울의 미세먼지 농도는?', None)]),
    ('프로축구 경기 결과',
     '프로축구 한빛FC가 홈 경기에서 바다FC를 3대 1로 꺾고 리그 선두에 올랐다. 한빛FC는 전반 '
     '12분 공격수 박지훈의 선제골로 앞서 나갔고, 후반에 두 골을 더 보태 승리를 굳혔다. 바다FC는 '
     '후반 40분 만회골을 넣었지만 경기를 뒤집지는 못했다. 이날 경기장에는 1만 5천여 명의 관중이 '
     '찾아 응원했다. 한빛FC는 이 승리로 최근 5경기 연속 무패 행진을 이어 갔다.',
     [('한빛FC와 바다FC의 경기 결과는?', '3대 1'),
      ('선제골을 넣은 선수는?', '박지훈'),
      ('선제골은 몇 분에 나왔어?', '전반 12분'),
      ('이날 경기장을 찾은 관중은 몇 명이야?', '1만 5천여 명'),
      ('한빛FC의 무패 행진은 몇 경기째야?', '5경기'),
      ('한빛FC의 감독은 누구야?', None)]),
    ('미래전자 실적',
     '미래전자는 3분기 매출이 12조 원으로 지난해 같은 기간보다 8% 늘었다고 밝혔다. 영업이익은 '
     '1조 5천억 원으로 반도체 가격 회복에 힘입어 두 분기 연속 증가했다. 회사 측은 인공지능 '
     '서버용 메모리 수요가 크게 늘어난 것이 실적 개선의 가장 큰 이유라고 설명했다. 다만 '
     '스마트폰 부문은 경쟁 심화로 판매량이 줄었다. 미래전자는 내년 상반기까지 충남 아산에 새 '
     '생산 라인을 완공할 계획이다.',
     [('미래전자의 3분기 매출은?', '12조 원'),
      ('매출은 지난해보다 얼마나 늘었어?', '8%'),
      ('미래전자의 영업이익은?', '1조 5천억 원'),
      ('실적 개선의 가장 큰 이유는?', '인공지능 서버용 메모리 수요가 크게 늘어난 것'),
      ('새 생산 라인은 어디에 지어?', '충남 아산'),
      ('미래전자의 직원 수는?', None)]),
]

# (articles of the Constitution, questions). Contexts are read from konlpy.
KO_CONSTITUTION = [
    ((1, 3),
     [('대한민국은 어떤 나라인가?', '민주공화국'),
      ('대한민국의 주권은 누구에게 있나?', ('국민', '주권은 국민에게')),
      ('모든 권력은 누구로부터 나오나?', ('국민', '국민으로부터')),
      ('대한민국의 영토는 어디인가?', '한반도와 그 부속도서'),
      ('대한민국의 수도는 어디인가?', None)]),
    ((10, 24),
     [('모든 국민이 추구할 권리를 가지는 것은?', ('행복', '행복을 추구할')),
      ('국가가 확인하고 보장할 의무를 지는 것은?', '불가침의 기본적 인권'),
      ('국민은 무엇에 의하여 선거권을 가지나?', ('법률이 정하는 바에 의하여', '국민은 법률이 정하는 바에 의하여 선거권')),
      ('선거권은 몇 살부터 가지나?', None)]),
    ((31,),
     [('의무교육은 유상인가 무상인가?', '무상'),
      ('국가가 진흥하여야 하는 교육은?', ('평생교육', '국가는 평생교육')),
      ('국민이 보호하는 자녀에게 받게 할 의무가 있는 교육은?', '초등교육과 법률이 정하는 교육'),
      ('의무교육 기간은 몇 년인가?', None)]),
    ((39, 41, 42),
     [('모든 국민이 법률에 따라 지는 의무는?', '국방의 의무'),
      ('국회의원의 수는 몇 인 이상인가?', '200인 이상'),
      ('국회의원의 임기는 몇 년인가?', '4년'),
      ('국회의원은 어떤 선거로 선출되나?', ('보통·평등·직접·비밀선거', '국민의 보통·평등·직접·비밀선거')),
      ('국회의원의 연봉은 얼마인가?', None)]),
    ((53,),
     [('국회에서 의결된 법률안은 며칠 이내에 대통령이 공포하나?', '15일 이내'),
      ('법률은 공포한 날로부터 며칠이 지나면 효력이 생기나?', '20일'),
      ('대통령이 확정된 법률을 공포하지 않으면 누가 공포하나?', ('국회의장', '국회의장이 이를')),
      ('재의결에 필요한 찬성은?', '출석의원 3분의 2 이상'),
      ('작년에 대통령이 재의를 요구한 법률안은 몇 건인가?', None)]),
    ((66, 67),
     [('행정권은 어디에 속하나?', '대통령을 수반으로 하는 정부'),
      ('대통령으로 선거될 수 있으려면 몇 세에 달하여야 하나?', '40세'),
      ('대통령후보자가 1인일 때 당선에 필요한 득표수는?', '선거권자 총수의 3분의 1 이상'),
      ('대통령은 외국에 대하여 무엇을 대표하나?', ('국가', '대하여 국가를 대표')),
      ('지난 대통령 선거의 투표율은?', None)]),
    ((68, 70),
     [('대통령의 임기는?', '5년'),
      ('대통령의 임기가 만료될 때 언제 후임자를 선거하나?', '임기만료 70일 내지 40일전'),
      ('대통령이 궐위된 때에는 며칠 이내에 후임자를 선거하나?', '60일 이내'),
      ('역대 대통령은 모두 몇 명인가?', None)]),
    ((86, 97),
     [('국무총리를 임명할 때 필요한 것은?', '국회의 동의'),
      ('국무총리는 누구를 보좌하나?', ('대통령', '국무총리는 대통령을 보좌')),
      ('감사원은 누구 소속하에 두나?', ('대통령', '대통령 소속하에')),
      ('감사원장의 임기는 몇 년인가?', None)]),
    ((101, 104, 105),
     [('사법권은 어디에 속하나?', '법관으로 구성된 법원'),
      ('최고법원은 어디인가?', ('대법원', '최고법원인 대법원')),
      ('대법원장의 임기는?', ('6년', '대법원장의 임기는 6년')),
      ('대법원장과 대법관이 아닌 법관의 임기는?', '10년'),
      ('대법관은 모두 몇 명인가?', None)]),
    ((111, 112),
     [('헌법재판소는 몇 인의 재판관으로 구성하나?', '9인'),
      ('재판관 중 국회에서 선출하는 사람은 몇 인인가?', ('3인', '3인은 국회에서')),
      ('헌법재판소 재판관의 임기는?', ('6년', '재판관의 임기는 6년')),
      ('헌법재판소 재판관이 할 수 없는 것은?', '정당에 가입하거나 정치에 관여할 수 없다'),
      ('헌법재판소는 어느 도시에 있나?', None)]),
    ((114,),
     [('선거관리위원회를 두는 목적은?',
       '선거와 국민투표의 공정한 관리 및 정당에 관한 사무를 처리하기 위하여'),
      ('중앙선거관리위원회 위원의 임기는?', '6년'),
      ('중앙선거관리위원회 위원장은 어떻게 정하나?', '위원중에서 호선한다'),
      ('중앙선거관리위원회는 어느 도시에 있나?', None)]),
    ((128, 129, 130),
     [('헌법개정은 누구의 발의로 제안되나?', '국회재적의원 과반수 또는 대통령'),
      ('제안된 헌법개정안은 며칠 이상 공고하여야 하나?', '20일 이상'),
      ('국회는 헌법개정안을 며칠 이내에 의결하여야 하나?', '60일 이내'),
      ('헌법개정안의 국회 의결에 필요한 찬성은?', '재적의원 3분의 2 이상'),
      ('헌법개정안은 국회 의결 후 며칠 이내에 국민투표에 붙이나?', '30일 이내'),
      ('지금까지 헌법은 몇 번 개정되었나?', None)]),
]


# ----------------------------------------------------------------------------
# Building the JSON.
# ----------------------------------------------------------------------------
def constitution_articles() -> dict[int, str]:
  """Article number -> text ("제N조 ..."), main body of konlpy's kolaw/constitution.txt."""
  import konlpy  # pylint: disable=import-outside-toplevel
  path = pathlib.Path(konlpy.__file__).parent / 'data' / 'corpus' / 'kolaw' / 'constitution.txt'
  text = path.read_text(encoding='utf-8')
  body = text.split('부칙')[0]
  articles: dict[int, list[str]] = {}
  current = None
  for line in body.splitlines():
    s = line.strip()
    m = re.match(r'제(\d+)조 ', s)
    if m:
      current = int(m.group(1))
      articles[current] = [s]
    elif re.match(r'제\d+(장|절|관) ', s) or s == '펼침':
      current = None
    elif s and current is not None:
      articles[current].append(s)
  return {k: ' '.join(v) for k, v in articles.items()}


def _locate(context: str, spec: str | tuple[str, str], where: str) -> dict[str, Any]:
  if isinstance(spec, tuple):
    text, anchor = spec
    if context.count(anchor) != 1:
      raise ValueError(f'{where}: anchor {anchor!r} occurs {context.count(anchor)} times.')
    if text not in anchor:
      raise ValueError(f'{where}: answer {text!r} is not inside its anchor {anchor!r}.')
    start = context.index(anchor) + anchor.index(text)
  else:
    text = spec
    if context.count(text) != 1:
      raise ValueError(f'{where}: answer {text!r} occurs {context.count(text)} times; '
                       'give an anchor.')
    start = context.index(text)
  assert context[start:start + len(text)] == text
  return {'text': text, 'answer_start': start}


def build(articles: Sequence[tuple[str, str, list]], prefix: str) -> dict[str, Any]:
  """SQuAD v2.0 JSON object for (title, context, [(question, answer spec)]) items."""
  data, errors = [], []
  for p_i, (title, context, qas) in enumerate(articles):
    out_qas = []
    for q_i, (question, spec) in enumerate(qas):
      qid = f'{prefix}-{p_i:03d}-{q_i:02d}'
      specs = [] if spec is None else (spec if isinstance(spec, list) else [spec])
      answers = []
      for s in specs:
        try:
          answers.append(_locate(context, s, qid))
        except ValueError as e:
          errors.append(str(e))
      out_qas.append({'id': qid, 'question': question, 'answers': answers,
                      'is_impossible': not answers})
    data.append({'title': title, 'paragraphs': [{'context': context, 'qas': out_qas}]})
  if errors:
    raise ValueError('\n'.join(errors))
  return {'version': 'v2.0', 'data': data}


def korean_train() -> list[tuple[str, str, list]]:
  articles = constitution_articles()
  items = []
  for numbers, qas in KO_CONSTITUTION:
    title = '대한민국헌법 ' + ', '.join(f'제{n}조' for n in numbers)
    items.append((title, ' '.join(articles[n] for n in numbers), qas))
  return items + KO_TRAIN_OWN


def write(out_dir: pathlib.Path) -> dict[str, int]:
  """Writes the four files; returns question counts."""
  sets = {
      'squad_en/train.json': build(EN_TRAIN, 'en-train'),
      'squad_en/dev.json': build(EN_DEV, 'en-dev'),
      'squad_ko/train.json': build(korean_train(), 'ko-train'),
      'squad_ko/dev.json': build(KO_DEV, 'ko-dev'),
  }
  counts = {}
  for name, obj in sets.items():
    path = out_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
    counts[name] = sum(len(p['qas']) for a in obj['data'] for p in a['paragraphs'])
  return counts


if __name__ == '__main__':
  shipped_sets.main(write, __doc__, 'questions')
