"""Writes the development sets of 1:1 chats (English and Spanish) into benchmarks/grooming/devset/.

How they are made: every line below was written for this file by the developer (none comes from
a corpus or the web), non-explicit: the grooming chats stop at requests (a photo "just for me",
secrecy, a meeting) and never contain sexual content. A seeded generator assembles each chat
from these pools: grooming chats walk through 3 to 5 of the stages in their usual order
(contact, trust, checking who is around, secrecy, photos, meeting) with small talk and the
child's replies between them; about a third of the stage lines are deliberate paraphrases the
cues were not written for. Ordinary chats are scripted scenes chosen to share surface features
with grooming (a grandmother asking for a photo of a drawing, a surprise party kept secret, a
coach arranging a match, a parent checking who is home, teenagers flirting, gaming friends
gifting skins), each rendered with different names, optional lines and small talk.
The same pools are not used by any test of the cues; the cues were written from the sources
named in cues.yaml. Caveat: one person wrote both, so these sets are optimistic; an
independently written Spanish set is measured by the maintainers.

devset/es2 (issue 14, second round) is a second, larger Spanish set from new pools (ES2,
ES2_SCENES below: 40 grooming chats, 5 chats of each of 8 new ordinary scenes), written in a
later session than the cues and the first pools, in other registers (some Spanish cue forms were
broadened after its first measurement: see RESULTS.md). Neither set shares a line of
more than one word with the lines the learned Spanish score is trained on
(src/heroes/grooming/data/written/es.yaml; tests/grooming/test_language_model.py checks it): the
dev sets evaluate, the written lines train.

    python benchmarks/grooming/make_devset.py      # rewrites devset/{en,es,es2}/*.json (seeds 14, 15)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "devset"
SEED = 14

EN: dict[str, list[str]] = {
    "access": [
        "hey i saw your profile, you seem really cool",
        "hi! found you on the roblox group, you play well",
        "hey, you were in the fortnite lobby yesterday right?",
        "hello :) we have the same favourite band lol",
        "hi there, sorry to message out of nowhere",
    ],
    "small": [
        "what are you up to",
        "how was your day",
        "what music do you like",
        "lol same",
        "do you play anything else",
        "school is so boring right",
        "haha that's funny",
        "i had pizza for dinner",
        "what did you do at the weekend",
        "nice",
    ],
    "child": [
        "ok",
        "lol",
        "yeah",
        "not much",
        "idk",
        "school was ok",
        "i like taylor swift",
        "haha",
        "maybe",
        "fine i guess",
        "just homework",
        "cool",
        "i have to go soon",
        "hmm",
    ],
    "trust": [
        "you are so mature for your age",
        "you're really special, not like other girls",
        "i can buy you a new skin if you want",
        "ill get u robux tonight",
        "you can tell me anything, i won't judge",
        "your parents don't understand you like i do",
        "honestly you're the only one i can really talk to",  # paraphrase
        "i'd send you a gift card, you deserve it",  # paraphrase
    ],
    "risk": [
        "how old are u?",
        "are your parents home?",
        "r u home alone right now",
        "do your parents check your phone?",
        "who else uses ur laptop",
        "when does your mom get back",
        "is anyone around you right now?",  # paraphrase
        "does your dad go through your stuff?",  # paraphrase
    ],
    "isolation": [
        "this is our secret ok",
        "don't tell your mom about me",
        "this stays between us",
        "delete our chat after",
        "add me on snapchat, it's more private",
        "lets talk somewhere private",
        "nobody needs to know we talk",
        "people wouldn't get our friendship, so keep it quiet",  # paraphrase
    ],
    "sexual": [
        "send me a pic of you",
        "a pic just for me?",
        "what are you wearing",
        "do you have a bf?",
        "turn on your cam",
        "can i see a selfie",
        "show me what you look like today",  # paraphrase
    ],
    "approach": [
        "we could meet this weekend",
        "where do you live",
        "what school do you go to",
        "what's your number?",
        "i can pick you up after school",
        "meet me at the park on saturday",
        "i'll be near your town on friday, we should hang out",  # paraphrase (partly)
    ],
}

ES: dict[str, list[str]] = {
    "access": [
        "hola, vi tu perfil y me pareciste muy maja",
        "ey! te vi en fortnite ayer, juegas re bien",
        "hola :) tenemos el mismo grupo favorito jaja",
        "hola q tal, perdona q te escriba así de la nada",
        "buenas, eres la del grupo de minecraft?",
    ],
    "small": [
        "q haces",
        "qué tal el día",
        "q música te gusta",
        "jajaja igual yo",
        "a q más juegas",
        "el insti es un rollo eh",
        "jaja q risa",
        "hoy cené pizza",
        "q hiciste el finde",
        "guay",
    ],
    "child": [
        "ok",
        "jaja",
        "sí",
        "nada",
        "ns",
        "bien",
        "me gusta aitana",
        "jajaja",
        "puede",
        "normal",
        "deberes",
        "vale",
        "me tengo q ir pronto",
        "mmm",
        "xq?",
        "tmb",
    ],
    "trust": [
        "eres muy madura para tu edad",
        "sos re linda, no sos como las demás",
        "te paso pavos si quieres",
        "te recargo el cel esta noche",
        "me podés contar todo, no te voy a juzgar",
        "tus papás no te entienden, yo sí",
        "eres la única persona con la q puedo hablar de verdad",  # paraphrase
        "te mereces un regalito, ya verás",  # paraphrase
        "tqm, de verdad",
    ],
    "risk": [
        "¿cuántos años tienes?",
        "¿están tus padres en casa?",
        "tas solita en ksa?",
        "tus papás te revisan el celular?",
        "quien mas usa tu movil?",
        "cuando vuelve tu mamá?",
        "¿hay alguien contigo ahora?",
        "tu viejo te mira las cosas?",  # paraphrase
        "q edad tenés?",
    ],
    "isolation": [
        "no se lo digas a nadie",
        "que quede entre nosotros",
        "esto es entre tú y yo, vale?",
        "borra el chat después",
        "agrégame en telegram, es más privado",
        "hablemos por privado",
        "tus papás no tienen xq saberlo",
        "la gente no entendería lo nuestro, mejor callado",  # paraphrase
    ],
    "sexual": [
        "mándame una foto tuya",
        "una foto solo para mí?",
        "¿qué llevas puesto?",
        "¿tienes novio?",
        "enciende la cámara",
        "pasame una selfie",
        "quiero ver cómo estás hoy, enséñamelo",  # paraphrase
    ],
    "approach": [
        "¿quedamos el sábado en el parque?",
        "¿dónde vives?",
        "a q insti vas?",
        "pasame tu número",
        "te paso a buscar a la salida del cole",
        "podemos juntarnos el finde",
        "el viernes estoy por tu zona, nos vemos un rato",  # paraphrase
    ],
}

# Ordinary scenes: (speaker, line); "a" starts, "b" answers. Lines with "?" prefix are optional.
EN_SCENES: dict[str, list[tuple[str, str]]] = {
    "grandmother_drawing": [
        ("a", "hello sweetheart, it's grandma!"),
        ("b", "hi grandma"),
        ("a", "how was school today?"),
        ("b", "good we did art"),
        ("a", "your mum said you made a lovely drawing"),
        ("a", "send me a photo of the drawing for grandma"),
        ("b", "ok wait"),
        ("b", "here"),
        ("a", "oh it's beautiful! you're so talented"),
        ("?a", "are your parents home? i want to ask mum about sunday"),
        ("b", "mum is at work"),
        ("a", "tell her to call me later"),
        ("a", "love you so much sweetie"),
        ("b", "love you too"),
    ],
    "surprise_party": [
        ("a", "hey, it's sara's birthday on friday"),
        ("b", "oh yes!"),
        ("a", "we're planning a surprise party"),
        ("a", "don't tell anyone, it's a surprise"),
        ("b", "my lips are sealed"),
        ("a", "can you bring the balloons"),
        ("b", "sure what colour"),
        ("a", "pink and gold"),
        ("?a", "this is our secret ok, she can't find out"),
        ("a", "we meet at my house at 6"),
        ("b", "ok see you there"),
        ("a", "delete the group chat after friday lol"),
    ],
    "coach_match": [
        ("a", "hi, coach dave here about saturday's match"),
        ("b", "hi coach"),
        ("a", "we meet at the park at 9, kick off at 10"),
        ("b", "ok"),
        ("a", "bring your boots and the red kit"),
        ("?a", "what's your number? i'll add you to the team group"),
        ("b", "it's on the form"),
        ("a", "i can pick you up if your parents can't drive you"),
        ("b", "mum will take me"),
        ("a", "great, well done at training, you're improving a lot"),
        ("b", "thanks!"),
    ],
    "parent_checkin": [
        ("a", "hi love are you home?"),
        ("b", "yes"),
        ("a", "is anyone else home?"),
        ("b", "no dad is out"),
        ("a", "ok i'll be back at 7"),
        ("a", "did you do your homework"),
        ("b", "almost"),
        ("?a", "don't open the door to anyone"),
        ("a", "there's pasta in the fridge"),
        ("b", "ok thanks mum"),
    ],
    "teen_flirt": [
        ("a", "heyy"),
        ("b", "hey"),
        ("a", "you looked really pretty today in class"),
        ("b", "omg stop lol"),
        ("a", "do you have a bf?"),
        ("b", "no why"),
        ("a", "just asking haha"),
        ("?a", "wanna go to the cinema with everyone on saturday"),
        ("b", "maybe, who's going"),
        ("a", "tom, lucy and me"),
        ("b", "ok ill ask my mum"),
    ],
    "gaming_gift": [
        ("a", "yo you on tonight?"),
        ("b", "yeah after dinner"),
        ("a", "i can buy you a new skin, i got robux from my birthday"),
        ("b", "no way thanks!!"),
        ("a", "add me on discord so we can voice chat in the squad"),
        ("b", "ok whats ur tag"),
        ("a", "same as here"),
        ("?a", "don't tell jake, he'll want one too lol"),
        ("b", "haha ok"),
        ("a", "gg see you at 8"),
    ],
    "aunt_greeting": [
        ("a", "hi sweetie! how was school today?"),
        ("b", "good"),
        ("a", "how old are you now, 12?"),
        ("b", "13 lol"),
        ("a", "wow so grown up"),
        ("a", "send me a pic of you in the new uniform!"),
        ("b", "ok later"),
        ("?a", "we could meet for ice cream when i visit"),
        ("b", "yesss"),
        ("a", "love you"),
    ],
    "homework_group": [
        ("a", "did you finish the maths"),
        ("b", "no question 4 is hard"),
        ("a", "send me a photo of your answers"),
        ("b", "ok sending"),
        ("a", "thanks, where do you live again? i'll drop your book back"),
        ("b", "next to the library"),
        ("?a", "we could meet at the library tomorrow to study"),
        ("b", "ok at 4"),
    ],
    "sleepover": [
        ("a", "can you sleep over on friday?"),
        ("b", "ill ask"),
        ("a", "my mum said it's fine"),
        ("b", "what should i bring"),
        ("a", "pyjamas and a film"),
        ("?a", "my parents will be home the whole time"),
        ("b", "cool"),
        ("a", "my dad can pick you up at 6"),
        ("b", "ok"),
    ],
    "tutor": [
        ("a", "hello, this is your piano teacher"),
        ("b", "hello"),
        ("a", "can we move the lesson to thursday?"),
        ("b", "i'll ask my mum"),
        ("a", "thanks. you played really well last week"),
        ("?a", "what's your mum's number so i can confirm"),
        ("b", "i'll send it"),
        ("a", "see you thursday at 5"),
    ],
}

ES_SCENES: dict[str, list[tuple[str, str]]] = {
    "abuela_dibujo": [
        ("a", "hola cariño, soy la abuela!"),
        ("b", "hola abu"),
        ("a", "¿qué tal el cole hoy?"),
        ("b", "bien, hicimos plástica"),
        ("a", "tu madre dice que hiciste un dibujo precioso"),
        ("a", "mándame una foto del dibujo para la abuela"),
        ("b", "vale espera"),
        ("b", "ya"),
        ("a", "¡qué bonito! eres una artista"),
        ("?a", "¿está tu madre en casa? quiero hablar con ella del domingo"),
        ("b", "está trabajando"),
        ("a", "dile que me llame luego"),
        ("a", "te quiero mucho mi vida"),
        ("b", "y yo abu"),
    ],
    "fiesta_sorpresa": [
        ("a", "oye, el viernes es el cumple de lucía"),
        ("b", "siii"),
        ("a", "le estamos preparando una fiesta sorpresa"),
        ("a", "no se lo digas a nadie, es sorpresa"),
        ("b", "soy una tumba"),
        ("a", "puedes traer los globos?"),
        ("b", "claro de q color"),
        ("a", "rosa y dorado"),
        ("?a", "es un secreto eh, que no se entere"),
        ("a", "quedamos en mi casa a las 6"),
        ("b", "vale nos vemos"),
        ("a", "borra el grupo después del viernes jaja"),
    ],
    "entrenador_partido": [
        ("a", "hola, soy el míster, sobre el partido del sábado"),
        ("b", "hola míster"),
        ("a", "quedamos en el campo a las 9, el partido es a las 10"),
        ("b", "vale"),
        ("a", "trae las botas y la equipación roja"),
        ("?a", "pasame tu número y te meto en el grupo del equipo"),
        ("b", "lo tiene mi madre"),
        ("a", "te recojo si tus padres no pueden llevarte"),
        ("b", "me lleva mi madre"),
        ("a", "genial, en el entreno lo hiciste muy bien"),
        ("b", "gracias!"),
    ],
    "madre_en_casa": [
        ("a", "hola cielo, ¿estás en casa?"),
        ("b", "sí"),
        ("a", "¿hay alguien contigo?"),
        ("b", "no, papá salió"),
        ("a", "vale, llego a las 7"),
        ("a", "¿hiciste los deberes?"),
        ("b", "casi"),
        ("?a", "no abras la puerta a nadie"),
        ("a", "hay macarrones en la nevera"),
        ("b", "vale gracias mamá"),
    ],
    "ligue_adolescente": [
        ("a", "holaa"),
        ("b", "ey"),
        ("a", "hoy estabas muy guapa en clase"),
        ("b", "calla jajaja"),
        ("a", "¿tienes novio?"),
        ("b", "no xq"),
        ("a", "por nada jaja"),
        ("?a", "vamos al cine todos el sábado?"),
        ("b", "puede, quién va"),
        ("a", "pablo, marta y yo"),
        ("b", "vale le pregunto a mi madre"),
    ],
    "regalo_videojuego": [
        ("a", "ey te conectas esta noche?"),
        ("b", "sí después de cenar"),
        ("a", "te regalo una skin, me dieron pavos por mi cumple"),
        ("b", "nooo graciaaas"),
        ("a", "agrégame en discord para hablar en el squad"),
        ("b", "vale cuál es tu usuario"),
        ("a", "el mismo q aquí"),
        ("?a", "no le digas a javi q se pica jaja"),
        ("b", "jaja vale"),
        ("a", "gg nos vemos a las 8"),
    ],
    "tia_saludo": [
        ("a", "hola cariño! ¿qué tal el cole?"),
        ("b", "bien"),
        ("a", "¿cuántos años tienes ya, 12?"),
        ("b", "13 jaja"),
        ("a", "qué mayor"),
        ("a", "mándame una foto con el uniforme nuevo!"),
        ("b", "luego"),
        ("?a", "podemos quedar para un helado cuando vaya"),
        ("b", "siii"),
        ("a", "tqm"),
    ],
    "deberes_grupo": [
        ("a", "¿terminaste mates?"),
        ("b", "no, el 4 es difícil"),
        ("a", "pásame una foto de tus respuestas"),
        ("b", "vale te la mando"),
        ("a", "gracias, ¿dónde vives? te devuelvo el libro"),
        ("b", "al lado de la biblio"),
        ("?a", "quedamos en la biblioteca mañana para estudiar"),
        ("b", "vale a las 4"),
    ],
    "pijamada": [
        ("a", "¿te quedas a dormir el viernes?"),
        ("b", "le pregunto"),
        ("a", "mi madre dice q sí"),
        ("b", "q llevo"),
        ("a", "el pijama y una peli"),
        ("?a", "mis padres van a estar en casa todo el rato"),
        ("b", "guay"),
        ("a", "mi padre te recoge a las 6"),
        ("b", "vale"),
    ],
    "profesor_musica": [
        ("a", "hola, soy tu profe de piano"),
        ("b", "hola"),
        ("a", "¿podemos pasar la clase al jueves?"),
        ("b", "le pregunto a mi madre"),
        ("a", "gracias. la semana pasada tocaste muy bien"),
        ("?a", "¿me das el número de tu madre para confirmar?"),
        ("b", "te lo mando"),
        ("a", "nos vemos el jueves a las 5"),
    ],
}

# A second, larger Spanish set (devset/es2, issue 14's second round): new lines written for it,
# in other registers (Mexico, the Andes, the Caribbean, Rioplatense voseo, Spain) and with more
# paraphrases the cues were not written for (marked), and new ordinary scenes. None of these lines
# is in the student's training lines (data/written/es.yaml; a test checks it).
ES2: dict[str, list[str]] = {
    "access": [
        "q onda, vi q te gusta el anime, a mí también",
        "holi, me aceptas? te vi en el grupo de fans",
        "buenas tardes, eres la q canta en el insta?",
        "hola parce, juegas free fire?",
        "ey, me pasó tu cuenta una amiga tuya",
    ],
    "small": [
        "q tal el finde",
        "yo estoy aburrido en el curro",
        "viste la peli nueva?",
        "q calor hace hoy",
        "ya comiste?",
        "ese grupo me encanta",
        "jajaja q buena",
        "a q juegas ahora",
        "cuéntame de tu día",
        "yo también odiaba las mates",
        "q chévere",
        "neta?",
    ],
    "child": [
        "jsjsjs",
        "sip",
        "nop",
        "ahh ok",
        "q onda",
        "ntp",
        "bueno",
        "ajá",
        "no c",
        "estoy cenando",
        "me regañaron",
        "jajaja sí",
        "ok ok",
        "ya vengo",
    ],
    "trust": [
        "eres muy lista para tener tu edad",
        "contigo me siento muy a gusto, de verdad",  # paraphrase
        "si te portas bien te paso una gift card",
        "yo jamás te haría sentir mal como tus papás",
        "tú y yo nos entendemos mejor q nadie",  # paraphrase
        "te compro el pase de batalla, no pasa nada",
        "sos la más linda de todo el grupo",
        "tu novio no te merece, yo te trataría mejor",  # paraphrase
    ],
    "risk": [
        "y tú cuántos años cumples este año?",
        "tus papás llegan tarde hoy?",
        "tienes el cel contigo en la noche?",
        "tu mamá está cerca ahorita?",
        "tus papás leen tus chats?",
        "en tu casa quién se queda contigo por la tarde?",  # paraphrase
        "estás en tu cuarto con la puerta cerrada?",  # paraphrase
        "q año de secundaria cursas?",
    ],
    "isolation": [
        "no le vayas a contar a nadie de mí",
        "lo q hablamos se queda aquí",
        "mejor escríbeme por signal, ahí nadie ve",
        "borra esta conversación antes de dormir",
        "tu mamá se enojaría, así q mejor no le digas",  # paraphrase
        "crea una cuenta nueva q no conozcan tus papás",
        "si alguien ve esto nos metemos en problemas los dos",  # paraphrase
        "nadie más puede saber q hablamos",
    ],
    "sexual": [
        "pásame una foto tuya de hoy",
        "me mandas una foto solo a mí?",
        "prende la cam un momento",
        "tienes novio o te gusta alguien?",
        "hagamos videollamada esta noche",
        "déjame verte aunque sea un ratito",  # paraphrase
        "ponte el uniforme y me enseñas q tal te queda",  # paraphrase
    ],
    "approach": [
        "nos vemos el domingo en el centro?",
        "en q barrio vives?",
        "pásame tu whatsapp",
        "te espero a la salida de la escuela",
        "el finde te invito a comer algo",
        "vente al parque mañana, yo llevo algo rico",  # paraphrase
        "dile a tu mamá q vas con una amiga y te veo",  # paraphrase
    ],
}

ES2_SCENES: dict[str, list[tuple[str, str]]] = {
    "primo_perrito": [
        ("a", "primaaa, ya tienes al perrito?"),
        ("b", "sííí se llama coco"),
        ("a", "pásame una foto de coco porfa"),
        ("b", "ahí va"),
        ("a", "q lindo!! cuántos meses tiene?"),
        ("?a", "no le digas a la tía q te pedí fotos, q luego me las pide todas jaja"),
        ("b", "jajaja vale"),
        ("a", "el domingo voy a verlo"),
    ],
    "regalo_profe": [
        ("a", "chicos, le compramos algo a la profe por su boda?"),
        ("b", "sí! q le compramos"),
        ("a", "un ramo y una tarjeta firmada por todos"),
        ("a", "q no se entere eh, es secreto"),
        ("b", "vale, no digo nada"),
        ("?a", "borrad los mensajes del grupo por si lo ve en el móvil de alguien"),
        ("a", "cada uno pone 2 euros"),
        ("b", "mañana te los doy"),
    ],
    "vecina_paquete": [
        ("a", "hola, soy marisa la del 3º"),
        ("b", "hola"),
        ("a", "¿están tus padres en casa? tengo un paquete suyo"),
        ("b", "no, llegan a las 8"),
        ("a", "vale, se lo doy luego, no abras a nadie"),
        ("?a", "¿tienes el número de tu madre? la llamo"),
        ("b", "sí te lo paso"),
        ("a", "gracias guapa"),
    ],
    "ensayo_baile": [
        ("a", "hola chicas, soy la profe de baile"),
        ("b", "hola profe"),
        ("a", "el ensayo general es el sábado a las 11 en el teatro"),
        ("a", "venid con el pelo recogido y las mallas negras"),
        ("?a", "las q no tengan quien las lleve, las recojo yo en la academia"),
        ("b", "me lleva mi padre"),
        ("a", "estáis preciosas en las fotos del ensayo"),
        ("b", "graciass"),
    ],
    "hermano_recoge": [
        ("a", "sal ya q estoy en la puerta del cole"),
        ("b", "voy"),
        ("a", "mamá dice q no le cuentes a papá lo del coche jaja"),
        ("b", "jajaja ok"),
        ("?a", "¿estás sola o con tus amigas?"),
        ("b", "con lucía"),
        ("a", "la llevamos a su casa también"),
    ],
    "torneo_online": [
        ("a", "bro mañana torneo de fortnite a las 6"),
        ("b", "vaaa"),
        ("a", "te regalo el pase si ganamos"),
        ("b", "siii"),
        ("a", "únete al server de discord del equipo"),
        ("?a", "no le digas a los del otro equipo nuestra estrategia"),
        ("b", "obvio"),
        ("a", "gg mañana"),
    ],
    "madre_amiga": [
        ("a", "hola, soy la mamá de valeria"),
        ("b", "hola señora"),
        ("a", "¿te quieres quedar a dormir el sábado? ya hablé con tu mamá"),
        ("b", "sí!!"),
        ("a", "pasamos por ti a las 5"),
        ("?a", "¿cuántos años cumples? valeria quiere hacerte un pastel"),
        ("b", "12"),
        ("a", "perfecto, nos vemos"),
    ],
    "novio_instituto": [
        ("a", "hola guapa, q tal el examen"),
        ("b", "bien y tú"),
        ("a", "fatal jaja. ¿vamos al parque después de clase?"),
        ("b", "vale con marta y dani"),
        ("?a", "¿tienes novio? jaja es broma"),
        ("b", "calla jajaja"),
        ("a", "te veo a las 5 en la fuente"),
    ],
}

NAMES = {
    "en": ["alex", "sam", "jordan", "chris", "kim", "taylor", "max", "lee"],
    "es": ["álex", "dani", "vale", "nico", "cami", "lucho", "maría", "sofi"],
}
STAGE_ORDER = ["trust", "risk", "isolation", "sexual", "approach"]


def grooming_chat(pools: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str]]:
    adult, child = "a", "b"
    lines: list[tuple[str, str]] = [(adult, rng.choice(pools["access"])), (child, rng.choice(pools["child"]))]
    stages = [s for s in STAGE_ORDER if rng.random() < 0.8]
    while len([s for s in stages if s != "trust"]) < 3:
        stages = sorted(set(stages) | {rng.choice(STAGE_ORDER[1:])}, key=STAGE_ORDER.index)
    for stage in stages:
        for _ in range(rng.randint(1, 3)):  # small talk first
            who = rng.choice((adult, child))
            lines.append((who, rng.choice(pools["small" if who == adult else "child"])))
        for text in rng.sample(pools[stage], rng.randint(1, 2)):
            lines.append((adult, text))
            if rng.random() < 0.7:
                lines.append((child, rng.choice(pools["child"])))
    for _ in range(rng.randint(1, 3)):
        lines.append((child, rng.choice(pools["child"])))
    return lines


def ordinary_chat(
    scene: list[tuple[str, str]], pools: dict[str, list[str]], rng: random.Random
) -> list[tuple[str, str]]:
    lines = []
    for who, text in scene:
        if who.startswith("?"):
            if rng.random() < 0.5:
                continue
            who = who[1:]
        lines.append((who, text))
        if rng.random() < 0.2:
            lines.append(("b" if who == "a" else "a", rng.choice(pools["child"])))
    return lines


def to_json(cid: str, lines: list[tuple[str, str]], names: tuple[str, str], label: str, kind: str) -> dict[str, object]:
    who = {"a": names[0], "b": names[1]}
    return {
        "format": "heroes-chat",
        "version": 1,
        "id": cid,
        "label": label,
        "kind": kind,
        "messages": [{"author": who[a], "text": t} for a, t in lines],
    }


def main() -> None:
    rng = random.Random(SEED)
    for lang, pools, scenes in (("en", EN, EN_SCENES), ("es", ES, ES_SCENES)):
        folder = OUT / lang
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        for i in range(20):
            names = tuple(rng.sample(NAMES[lang], 2))
            chat = to_json(f"{lang}-grooming-{i:02d}", grooming_chat(pools, rng), names, "grooming", "grooming")  # type: ignore[arg-type]
            (folder / f"{chat['id']}.json").write_text(json.dumps(chat, ensure_ascii=False, indent=1) + "\n", "utf-8")
        for name, scene in scenes.items():
            for k in range(4):
                names = tuple(rng.sample(NAMES[lang], 2))
                chat = to_json(f"{lang}-ordinary-{name}-{k}", ordinary_chat(scene, pools, rng), names, "ordinary", name)  # type: ignore[arg-type]
                (folder / f"{chat['id']}.json").write_text(
                    json.dumps(chat, ensure_ascii=False, indent=1) + "\n", "utf-8"
                )
    # The second Spanish set: 40 grooming chats and 5 chats of each of 8 ordinary scenes, its own seed.
    rng = random.Random(SEED + 1)
    folder = OUT / "es2"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    chats = []
    for i in range(40):
        names = tuple(rng.sample(NAMES["es"], 2))
        chats.append(to_json(f"es2-grooming-{i:02d}", grooming_chat(ES2, rng), names, "grooming", "grooming"))  # type: ignore[arg-type]
    for name, scene in ES2_SCENES.items():
        for k in range(5):
            names = tuple(rng.sample(NAMES["es"], 2))
            lines = ordinary_chat(scene, ES2, rng)
            chats.append(to_json(f"es2-ordinary-{name}-{k}", lines, names, "ordinary", name))  # type: ignore[arg-type]
    for chat in chats:
        (folder / f"{chat['id']}.json").write_text(json.dumps(chat, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
