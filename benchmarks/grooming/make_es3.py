"""Writes devset/es3: a third Spanish 1:1 set, written whole by hand, held out from the cue work.

How it was made (issue 14, third round): each chat below was written as one conversation, start
to end, before any cue or learned-score change of that round and without running the engine on
it, in the registers of Spain, Mexico, Argentina/Uruguay, Colombia, Chile and Peru (voseo,
"usted", "parce", "wey", "po", "pata"; teen spellings). Nothing explicit: the grooming chats stop
at requests (a photo, the camera, secrecy, a meeting). 15 grooming chats follow the moves the
Spanish guidance describes (Save the Children España, INCIBE/IS4K, Policía Nacional, Grooming
Argentina, Te Protejo Colombia): contact through a game, a profile, a friend or a club, praise,
gifts of game currency or phone credit, checking age, parents and devices, secrecy, a move to
another app, a photo or the camera, a meeting. 25 ordinary chats are hard cases chosen because
they share those surface moves: a grandmother asking for a photo of a drawing, a surprise party
kept secret, a coach or a cousin offering a lift, a mother or a father checking whether the child
is alone, teenagers flirting, a brother's secret, gifts between friends and from an uncle, a
neighbour asking when the parents are back, a tutor asking to switch on the camera, a dance
teacher asking for a photo in the costume, a babysitter. Unlike devset/es and es2 no generator
recombines lines: the chats are fixed. Both sets were written by the same team as the cues, so
this is a fresher, not an independent, measurement.

    python benchmarks/grooming/make_es3.py      # rewrites devset/es3/*.json
"""

from __future__ import annotations

import json
from pathlib import Path

from make_devset import to_json  # the same chat format as the other dev sets

OUT = Path(__file__).parent / "devset" / "es3"

# (kind, (name of "a", name of "b"), the chat: one "a| ..." or "b| ..." line per message)
GROOMING: list[tuple[tuple[str, str], str]] = [
    (
        ("kevin", "hugo"),
        """
        a| ey, eres el del clan de anoche? jugaste muy bien
        b| jaja gracias, q va
        a| en serio, tienes un nivel q flipas. cuántos años tienes?
        b| 13 y tú?
        a| 17, pero da igual, contigo se puede hablar de verdad
        b| jaja vale
        a| oye si quieres te paso unos pavos para la skin nueva, a mí me sobran
        b| en serio??
        a| claro, pero no se lo cuentes a nadie q luego todos me piden
        b| vale
        a| tus padres te dejan jugar hasta tarde?
        b| entre semana no, hasta las 10
        a| y miran lo q haces en el móvil o vas a tu rollo?
        b| a veces mi madre mira
        a| pues mejor hablamos por telegram, ahí no sale nada en las notificaciones
        b| no tengo
        a| descárgatelo, es un momento. te paso los pavos cuando lo tengas
        b| vale ahora lo miro
        a| ya? mándame una foto tuya para saber q eres tú de verdad
        b| pq?
        a| para fiarme, hay mucho fake. vives por el centro?
        b| cerca
        a| guay, el finde te acerco los pavos en mano jaja
        """,
    ),
    (
        ("rodrigo", "ximena"),
        """
        a| hola!! vi tus covers en tiktok, cantas bien bonito
        b| aww gracias
        a| neta, tienes una voz q no es de tu edad. cuántos años tienes?
        b| 12 casi 13
        a| wow pues pareces más grande, de verdad
        b| jajaja
        a| yo produzco música, podría ayudarte a grabar algo chido
        b| en serio?
        a| sí, pero esto mejor entre tú y yo, luego tus amigas se ponen celosas
        b| ok
        a| a qué hora sales de la secu?
        b| a las 2
        a| y llegas sola a tu casa o te recogen?
        b| me voy caminando con mi prima
        a| ah ok. tu mami revisa tu cel?
        b| no mucho
        a| perfecto. pásame tu número y te mando unas pistas por whats
        b| ahorita te lo mando
        a| mándame un video cantando, solo para mí, sin filtros
        b| me da pena
        a| no te de pena, conmigo puedes ser tú misma
        b| bueno
        a| un día nos vemos en el estudio, queda cerca del metro. no le digas a tu mamá, q sea sorpresa
        """,
    ),
    (
        ("facu", "abril"),
        """
        a| hola! sos la de la casa rosa en brookhaven?
        b| siii jaja
        a| tu casa está re linda, me encanta cómo decorás
        b| graciasss
        a| te regalo robux si querés, tengo un montón
        b| de verdad?
        a| sí obvio, sos re buena onda. cuántos años tenés?
        b| 11
        a| qué bien. tus viejos están en casa ahora?
        b| mi mamá está trabajando
        a| y te deja sola mucho?
        b| hasta las 7
        a| mirá, mejor no le cuentes lo de los robux, los grandes no entienden estas cosas
        b| ok
        a| pasame tu whats y te los mando por ahí
        b| no tengo cel mío, es de mi mamá
        a| ah. y la compu la usás vos sola?
        b| sí
        a| genial, abrí discord y hablamos por ahí. tenés cámara en la compu?
        b| creo q sí
        a| prendela un ratito así te veo, quiero saber si sos vos de verdad
        """,
    ),
    (
        ("andrés", "valentina"),
        """
        a| hola, soy el amigo de tu primo, me dio tu número
        b| ah hola
        a| me dijo q eres súper pila en el colegio
        b| jaja más o menos
        a| y además eres muy linda, te vi en las fotos del cumple
        b| gracias
        a| en qué grado vas?
        b| séptimo
        a| uy, pareces de once. tu mamá sabe con quién chateas?
        b| no le digo todo
        a| mejor, porque a veces los papás exageran. yo te entiendo más q ellos
        b| jaja sí a veces
        a| te puedo recargar el celular si te quedas sin datos
        b| bueno
        a| pero q quede entre nosotros, listo?
        b| listo
        a| a qué hora estás sola en tu casa?
        b| en la tarde
        a| bacano. mándame una selfie de cómo estás ahorita
        b| estoy despeinada jaja
        a| así me gustas más. el sábado paso por tu barrio y te doy la recarga en persona
        b| no sé, no creo
        a| dale, nadie se va a enterar
        """,
    ),
    (
        ("matías", "josefa"),
        """
        a| wena, te vi en la partida, juegas bacán
        b| jaja gracias
        a| cuántos diamantes tienes? te puedo pasar unos
        b| pocos jaja
        a| yo te los compro, no es na
        b| en serio??
        a| sí po, pero no le digas a nadie ah
        b| ya
        a| estái en tu pieza?
        b| sí
        a| y tu mamá dónde está?
        b| en el living viendo tele
        a| ya. cierra la puerta y hablamos más tranqui
        b| pa qué
        a| pa q no te moleste nadie jaja. de qué liceo eres?
        b| de uno en maipú
        a| yo vivo cerca. mándame una foto pa conocerte
        b| no sé, no creo
        a| dale, después la borras. el sábado nos juntamos en el mall y te llevo los diamantes
        b| ya veré
        """,
    ),
    (
        ("dani", "paula"),
        """
        a| hola guapa, me salió tu perfil en sugerencias
        b| hola?
        a| perdona si molesto, es q me pareciste muy mona
        b| jaja gracias
        a| eres de madrid?
        b| de getafe
        a| q casualidad, yo también. cuántos años tienes?
        b| 14
        a| pues hablas como una chica de 18
        b| jajaja
        a| tus padres te controlan mucho el insta?
        b| mi madre a veces lo mira
        a| entonces mejor hablamos por snap, q se borra solo
        b| vale
        a| y no le digas a tu madre q hablamos, se rayaría por la edad
        b| vale
        a| me enseñas cómo vas vestida hoy?
        b| normal jaja
        a| hazte una foto, porfa, solo la veo yo
        b| luego
        a| el viernes quedamos un rato en el parque de al lado del insti?
        """,
    ),
    (
        ("césar", "camila"),
        """
        a| hola linda, trabajo en una agencia de modelos y me gustaron tus fotos
        b| en serio?
        a| sí, tienes mucho potencial. qué edad tienes?
        b| 13
        a| perfecto, buscamos caras nuevas. tus papás trabajan?
        b| sí los dos
        a| entonces paras sola en la casa en las tardes?
        b| con mi hermanito
        a| ok. para el casting necesito unas fotos tuyas de cuerpo entero
        b| ya
        a| no le comentes a tus papás hasta q salgas seleccionada, así es más emocionante
        b| ok
        a| las fotos las mandas por aquí y luego borras el chat
        b| por qué?
        a| para q nadie te copie la idea jaja. si sales elegida te recojo el sábado para la sesión
        b| en serio??
        """,
    ),
    (
        ("javi", "lucía"),
        """
        a| hola lucía, soy javi, el de la escuela de pádel. me pasaron tu número del grupo
        b| ah hola
        a| ayer jugaste genial, eres la q más progresa del grupo
        b| gracias!!
        a| si quieres te doy clases particulares gratis, pero no se lo digas a las demás q se pican
        b| vale jaja
        a| a qué hora llegan tus padres del trabajo?
        b| a las 8 o así
        a| genial, pues te recojo a las 6 y volvemos antes de q lleguen
        b| pero no se lo digo a mi madre?
        a| mejor no, ya se lo diré yo, q ella está muy agobiada
        b| ok
        a| oye mándame una foto con la ropa de pádel nueva a ver q tal te queda
        b| jaja vale
        a| y borra los mensajes, q si los ve tu madre va a pensar cosas raras
        b| vale
        """,
    ),
    (
        ("nahuel", "mica"),
        """
        a| hola! sos amiga de juli no?
        b| sí jaja
        a| me habló re bien de vos. vos sos la q patina?
        b| sí!
        a| sos re talentosa, posta
        b| graciasss
        a| y vos cuántos años tenés?
        b| 12
        a| ahh pensé q tenías 15. che tu vieja te deja usar el celu a la noche?
        b| hasta las 11
        a| jajaja ok. hacemos videollamada a las 11 y media entonces? cuando se duerman
        b| no sé, me retan
        a| nadie se va a enterar, lo ponés en silencio
        b| bueno
        a| y no le digas a juli q hablamos, es celosa
        b| jaja okis
        a| mandame una foto patinando, así te conozco mejor
        b| dale
        a| el finde voy a la pista, te busco y te invito un helado
        """,
    ),
    (
        ("beto", "emiliano"),
        """
        a| q onda, te agrego del squad?
        b| va
        a| eres buenísimo, neta, mejor q los de mi edad
        b| jajaja gracias
        a| cuántos años tienes tú?
        b| 11
        a| chido. te paso un pase élite si quieres
        b| síii
        a| nomás no le digas a tus papás q te lo di yo, luego piensan mal
        b| ok
        a| tus papás andan en la casa?
        b| mi papá sí
        a| y tu celular lo revisa?
        b| a veces
        a| entonces háblame mejor por otra app, bájate kik
        b| q es eso
        a| un chat, ahí es más privado. y mándame una foto tuya para ponerte en el squad
        b| ok
        a| dónde vives? a lo mejor te llevo un control nuevo
        """,
    ),
    (
        ("marcos", "nerea"),
        """
        a| holaa, eres nerea del grupo de k-pop?
        b| sí, quién eres?
        a| soy marcos, estaba en el grupo también
        b| ah ok
        a| q grupo te gusta más?
        b| stray kids
        a| buah yo igual, q guay
        b| jaja
        a| qué curso haces?
        b| 1º de la eso
        a| yo 4º jaja. eres muy madura para estar en primero
        b| jajaja gracias
        a| tus padres son de los q miran el móvil?
        b| mi padre sí
        a| uf q pesado. pues borra nuestros chats por si acaso
        b| vale
        a| te puedo contar un secreto? me gustas mucho
        b| ah...
        a| no se lo digas a nadie eh, ni a tus amigas
        b| vale
        a| me pasas una foto tuya de hoy?
        b| ya te paso
        a| quedamos el sábado? solo tú y yo, sin tus amigas
        """,
    ),
    (
        ("jhon", "santi"),
        """
        a| parce usted juega muy bien, qué edad tiene?
        b| 12
        a| tan pequeño y tan pro jaja
        b| jajaja
        a| le regalo una tarjeta de google play si me ayuda a subir de nivel
        b| de una
        a| pero eso es entre usted y yo, no le cuente a su mamá
        b| bueno
        a| su mamá está por ahí?
        b| no, está en el trabajo
        a| y quién más está en la casa?
        b| nadie
        a| bacano. prenda la cámara para explicarle lo del juego
        b| no tengo cámara
        a| entonces mándeme una foto suya, pa saber con quién juego
        b| ok
        a| y dígame en qué barrio vive, de pronto le llevo la tarjeta
        """,
    ),
    (
        ("gonzalo", "agus"),
        """
        a| hola, te vi en la foto del cumple de sofi
        b| ah hola
        a| sos muy linda, perdoná q te escriba así
        b| jaja no pasa nada
        a| tenés novio?
        b| no jaja
        a| mejor, ningún pibe de tu edad te va a valorar como yo
        b| jaja
        a| cuántos años tenés?
        b| 13
        a| ah bien. tus viejos son estrictos?
        b| más o menos
        a| si te preguntan, decí q hablás con una amiga, ok?
        b| bueno
        a| tenés ig privado? pasame tu usuario
        b| ya te lo paso
        a| mandame una foto de ahora, solo para mí
        b| q vergüenza
        a| nos vemos el sábado en la plaza, pero venís sola eh
        """,
    ),
    (
        ("raúl", "irene"),
        """
        a| ey, eres la q estaba en el chat del directo?
        b| siii
        a| me caes genial, eres la más simpática del chat
        b| jaja gracias
        a| te hago sub a tu canal si quieres, invito yo
        b| en serio?? gracias!!
        a| pero esto es cosa nuestra, ok?
        b| ok
        a| tus padres saben q streameas?
        b| no mucho
        a| mejor, los padres no entienden de esto
        b| ya jaja
        a| estás en tu habitación ahora?
        b| sí
        a| pon la cámara un rato y me enseñas tu setup
        b| vale luego
        a| y pásame tu dirección para mandarte unos cascos nuevos de regalo
        """,
    ),
    (
        ("memo", "regina"),
        """
        a| hola, estoy en el grupo de la escuela de natación, me pasaron tu número
        b| hola
        a| eres la de los 100 metros verdad? estuviste increíble
        b| gracias!
        a| yo también nadaba de chavo, te puedo dar tips
        b| va
        a| cuántos años cumples?
        b| 13 en marzo
        a| muy bien. tus papás te llevan a los entrenos o vas sola?
        b| a veces sola en el camión
        a| yo te puedo llevar en mi carro si quieres, me queda de paso
        b| no sé, no creo
        a| no le digas a nadie para no meterte en problemas con tus papás
        b| ok
        a| mándame una foto en traje de baño para ver la técnica de brazos
        b| eh
        a| es normal, lo hago con todas. el jueves te espero afuera de la alberca
        """,
    ),
]

ORDINARY: list[tuple[str, tuple[str, str], str]] = [
    (
        "abuela_dibujo",
        ("abuela", "carla"),
        """
        a| hola cariño, cómo estás?
        b| bien abuela!
        a| tu madre me dijo q hiciste un dibujo precioso en el cole
        b| siii de un caballo
        a| mándame una foto del dibujo, q quiero verlo
        b| vale ahora
        a| qué bonito!! eres una artista
        b| jajaja
        a| el domingo vienes a comer a casa?
        b| sí con mamá
        a| te haré croquetas. te quiero mucho
        b| y yo abuela
        """,
    ),
    (
        "fiesta_sorpresa",
        ("fer", "ana"),
        """
        a| oye no le digas nada a vale, le estamos organizando una fiesta sorpresa
        b| siii q emoción
        a| es el sábado en casa de fer, ella llega a las 5
        b| va, yo llevo el pastel?
        a| sí porfa. y borra los mensajes del grupo por si agarra tu cel
        b| jaja okis
        a| es secreto eh, ni a tu hermana q es bien chismosa
        b| ok ok
        """,
    ),
    (
        "entrenador_partido",
        ("profe", "tomi"),
        """
        a| hola tomi, soy el profe de fútbol. mañana hay partido contra el club sur
        b| buenísimo
        a| tus viejos te pueden llevar o te paso a buscar con la combi del club?
        b| mi papá trabaja, si me pueden buscar mejor
        a| dale, paso a las 9 por la esquina de tu casa, avisale a tu mamá
        b| dale profe
        a| llevá la camiseta azul y la botella de agua
        b| ok
        """,
    ),
    (
        "madre_sola",
        ("mamá", "sara"),
        """
        a| mija, ya llegaste a la casa?
        b| sí mami
        a| estás sola? tu hermano ya llegó?
        b| no, todavía no
        a| bueno, no le abras a nadie. ya comiste?
        b| sí
        a| cierra con llave y me escribes cuando llegue tu hermano
        b| ok
        a| te quiero mucho
        b| yo también
        """,
    ),
    (
        "ligue_clase",
        ("pablo", "irene"),
        """
        a| oye, q tal el examen de mates?
        b| fatal jaja y tú?
        a| bien, te ayudo mañana si quieres
        b| vale!!
        a| por cierto, tienes novio? jaja
        b| q dices jajaja no
        a| era por saber... el viernes vamos al cine un grupo, te vienes?
        b| quién va?
        a| dani, sara, yo...
        b| vale, me apunto
        a| guay. eres muy graciosa, lo sabías?
        b| jajaja calla
        """,
    ),
    (
        "skin_amigos",
        ("diego", "toño"),
        """
        a| wey ya salió la skin nueva
        b| nooo y no tengo pavos
        a| te la regalo, mi tío me dio una tarjeta
        b| neta?? gracias wey
        a| pero me invitas a jugar a tu casa el sábado
        b| va, mi mamá hace pizza
        a| chido. tu usuario sigue siendo el mismo?
        b| sí
        """,
    ),
    (
        "tia_foto",
        ("tía", "flor"),
        """
        a| hola sobri! cómo estás? estás re linda en la foto del acto
        b| jaja gracias tía
        a| cuántos años cumplís ya? 12?
        b| 13 tía!!
        a| ay cómo pasa el tiempo. el domingo venís a casa con tus papás?
        b| sí
        a| mandame una foto con el vestido nuevo q te compró tu mamá
        b| ahora te mando
        a| te quiero mucho, besos
        """,
    ),
    (
        "profe_piano",
        ("elena", "marta"),
        """
        a| hola marta, soy elena la profe de piano
        b| hola!
        a| esta semana la clase la hacemos por videollamada, q estoy con gripe
        b| vale
        a| el jueves a las 6, conéctate desde el ordenador del salón
        b| ok
        a| y avisa a tu madre, q tiene q estar cerca para firmar la hoja
        b| vale
        a| practica la pieza, q vas muy bien
        """,
    ),
    (
        "pijamada",
        ("tía paz", "isi"),
        """
        a| hola, soy la mamá de la cata
        b| hola tía
        a| la cata quiere q vengas a dormir el viernes, tu mamá ya sabe?
        b| sí le dije
        a| ya, te paso a buscar a las 7 al colegio
        b| ya tía
        a| trae tu pijama y el cepillo de dientes
        b| jajaja ya
        """,
    ),
    (
        "tarea_ciencias",
        ("piero", "luana"),
        """
        a| oe ya hiciste la tarea de ciencias?
        b| nada aún
        a| mándame foto de la página 40 porfa
        b| ahí va
        a| gracias
        b| mañana en el recreo copiamos lo demás
        a| ya
        a| no le digas a la miss q te copié jaja
        b| jaja tranqui
        """,
    ),
    (
        "hermano_jarron",
        ("álvaro", "nacho"),
        """
        a| tío, no le digas a mamá q rompí el jarrón
        b| jajaja q has hecho
        a| se me cayó con el balón. lo pego y ya
        b| vale pero me debes una
        a| te compro chuches
        b| trato
        a| y borra esto por si mira tu móvil
        b| q sí pesado
        """,
    ),
    (
        "primo_moto",
        ("primo", "laura"),
        """
        a| prima, a qué hora sales del colegio?
        b| a la 1
        a| te recojo yo hoy, tu mamá me pidió el favor
        b| bueno
        a| espérame en la portería, voy en la moto
        b| ok
        a| y trae casco si tienes
        b| no tengo jaja
        a| tranqui llevo dos
        """,
    ),
    (
        "vecina_paquete",
        ("marta", "bauti"),
        """
        a| hola, soy marta la vecina del 3ro. tus papás están en casa?
        b| no, están trabajando
        a| ah, tengo un paquete de ellos, se lo dejo a la tarde cuando vuelvan
        b| dale gracias
        a| a qué hora llegan?
        b| a las 7
        a| perfecto, paso a esa hora
        """,
    ),
    (
        "torneo_discord",
        ("capi", "leo"),
        """
        a| mañana torneo a las 5, os conectáis al discord?
        b| yo sí
        a| pásame tu id del juego
        b| te lo paso por privado
        a| va. y quien gane se lleva una tarjeta de 20 pavos
        b| uff q guay
        a| q nadie falte eh
        """,
    ),
    (
        "madre_amigo_pastel",
        ("señora lupe", "maya"),
        """
        a| hola mija, soy la mamá de dani. cuántos años vas a cumplir? es para las velitas del pastel
        b| 12 señora
        a| qué bonito. el sábado te esperamos en la casa a las 4
        b| sí gracias
        a| dile a tu mamá q yo te llevo de regreso
        b| ok
        """,
    ),
    (
        "diario_mural",
        ("benja", "cote"),
        """
        a| oye, la profe pidió una foto de cada uno pal diario mural
        b| ah verdad
        a| mándame una selfie tuya y yo las junto
        b| ya, con el uniforme?
        a| sí po, con el uniforme
        b| listo
        a| gracias, eres la primera jaja
        """,
    ),
    (
        "padre_trabajo",
        ("papá", "elsa"),
        """
        a| hija, estás sola en casa?
        b| sí papá
        a| vale, llego a las 9. no abras a nadie
        b| vale
        a| hay lasaña en la nevera
        b| genial
        a| y no te quedes hasta tarde con el móvil
        b| q sí
        """,
    ),
    (
        "amigas_secreto",
        ("male", "juli"),
        """
        a| amiga contame todo de ayer
        b| jajaja no pasó nada
        a| mentira!! nadie te conoce como yo
        b| jajaja bueno después te cuento
        a| no le digas a nadie lo de juan eh
        b| obvio, secreto de amigas
        a| te amo amiga
        b| yo más
        """,
    ),
    (
        "refuerzo_zoom",
        ("profe", "dayana"),
        """
        a| hola, soy el profesor de refuerzo de matemáticas. la clase de mañana es por zoom
        b| ok profe
        a| prende la cámara para ver cómo resuelves los ejercicios
        b| ya
        a| tu mamá me dijo q tienes examen el lunes
        b| sí de fracciones
        a| vamos a practicar eso
        """,
    ),
    (
        "tio_recarga",
        ("tío", "samuel"),
        """
        a| hola mijo, feliz cumple!! te mandé una recarga al celular
        b| gracias tío!!
        a| ya tienes 11? qué rápido creces
        b| síii
        a| el domingo vamos a la finca con tus papás
        b| bacano
        a| mándame foto con la torta
        """,
    ),
    (
        "tutor_excursion",
        ("tutor", "iván"),
        """
        a| hola iván, soy el tutor. para la excursión necesito la autorización firmada
        b| vale, se la doy a mi madre
        a| y pregúntale si puede venir de acompañante
        b| ok
        a| salimos el viernes a las 8 desde la puerta del instituto
        b| vale
        """,
    ),
    (
        "fiesta_insta",
        ("emilio", "sofi"),
        """
        a| hey, me caíste bien en la fiesta de ana
        b| jaja tú también
        a| te puedo agregar a insta?
        b| sí, búscame como sofi_r
        a| ya te seguí. oye quieres ir al cine el sábado con los demás?
        b| va
        a| eres bien chistosa
        b| jajaja
        """,
    ),
    (
        "niñera",
        ("coni", "trini"),
        """
        a| hola, soy la coni, te cuido hoy en la noche. tus papás ya salieron?
        b| no, salen a las 8
        a| ya, llego a las 7 y media. tienes tarea?
        b| un poco
        a| la hacemos juntas y después vemos una peli
        b| yaaa
        """,
    ),
    (
        "profe_danza",
        ("profe", "flor"),
        """
        a| hola flor, soy la profe de danza. mandame una foto con el vestuario puesto así veo si hay q arreglarlo
        b| dale profe
        a| y q tu mamá me confirme la talla
        b| ok
        a| el ensayo general es el sábado a las 10 en el teatro
        b| ahí estaré
        """,
    ),
    (
        "amigo_noche",
        ("rubén", "adri"),
        """
        a| tío conéctate a las 11 q jugamos
        b| mis padres no me dejan tan tarde
        a| jaja pues cuando se duerman
        b| q no, q me quitan la play
        a| vale vale, mañana por la tarde entonces
        b| guay, a las 6
        """,
    ),
]


def lines_of(script: str) -> list[tuple[str, str]]:
    out = []
    for raw in script.strip().splitlines():
        who, text = raw.strip().split("| ", 1)
        out.append((who, text))
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    chats = [
        to_json(f"es3-grooming-{i:02d}", lines_of(script), names, "grooming", "grooming")
        for i, (names, script) in enumerate(GROOMING)
    ]
    chats += [
        to_json(f"es3-ordinary-{kind}", lines_of(script), names, "ordinary", kind) for kind, names, script in ORDINARY
    ]
    for chat in chats:
        (OUT / f"{chat['id']}.json").write_text(json.dumps(chat, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
