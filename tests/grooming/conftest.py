"""Short, invented, non-explicit chat lines for the grooming tests."""

from __future__ import annotations

import pytest

from heroes.grooming.conversation import Conversation, Message

# (author, text): an adult works through the stages; the child answers briefly.
GROOMING_CHAT = [
    ("sam", "hi there"),
    ("alex", "hey who is this"),
    ("sam", "how old are u?"),
    ("alex", "13"),
    ("sam", "are your parents home?"),
    ("alex", "no they are at work"),
    ("sam", "you are so mature for your age"),
    ("sam", "this is our secret ok, don't tell your mom"),
    ("alex", "ok"),
    ("sam", "add me on snapchat"),
    ("sam", "send me a pic"),
    ("sam", "we could meet this weekend, i can pick you up"),
    ("sam", "where do you live"),
]

ORDINARY_CHAT = [
    ("ana", "did you finish the maths homework"),
    ("ben", "almost, question 4 is hard"),
    ("ana", "the teacher said we can use a calculator"),
    ("ben", "nice. football practice tomorrow?"),
    ("ana", "yes at 5, bring your boots"),
    ("ben", "ok see you there"),
    ("ana", "my brother got a new bike"),
    ("ben", "cool what colour"),
    ("ana", "red, he loves it"),
    ("ben", "lol ok bye"),
]


def conversation(lines: list[tuple[str, str]], cid: str = "test") -> Conversation:
    return Conversation(cid, [Message(a, t) for a, t in lines])


@pytest.fixture
def grooming_chat() -> Conversation:
    return conversation(GROOMING_CHAT, "grooming")


@pytest.fixture
def ordinary_chat() -> Conversation:
    return conversation(ORDINARY_CHAT, "ordinary")


# The same kind of chats in Spanish, with the spellings teenagers use (invented, non-explicit).
GROOMING_CHAT_ES = [
    ("leo", "hola, vi tu perfil, q guay tus dibujos"),
    ("sofi", "gracias jaja"),
    ("leo", "¿cuántos años tienes?"),
    ("sofi", "13"),
    ("leo", "eres muy madura para tu edad"),
    ("leo", "¿están tus padres en casa?"),
    ("sofi", "no, trabajan hasta tarde"),
    ("leo", "no se lo digas a nadie, que quede entre nosotros"),
    ("sofi", "vale xq?"),
    ("leo", "mándame una foto tuya, solo para mí"),
    ("leo", "¿quedamos el sábado en el parque? te paso a buscar"),
    ("sofi", "ns"),
]

ORDINARY_CHAT_ES = [
    ("abuela", "hola cariño, ¿qué tal el cole?"),
    ("nieta", "bien abu, hicimos un dibujo"),
    ("abuela", "mándame una foto del dibujo para la abuela"),
    ("nieta", "vale"),
    ("abuela", "¡qué bonito! tqm"),
    ("nieta", "y yo a ti"),
    ("abuela", "el domingo comemos juntas, dile a mamá"),
    ("nieta", "siii"),
]
