"""Every chat parser. Importing this package registers them all (heroes.chats.registry)."""

from heroes.chats.parsers.json_format import HeroesJsonParser
from heroes.chats.parsers.pan2012 import Pan2012Parser
from heroes.chats.parsers.telegram import TelegramParser
from heroes.chats.parsers.whatsapp import WhatsAppParser

__all__ = ["HeroesJsonParser", "Pan2012Parser", "TelegramParser", "WhatsAppParser"]
