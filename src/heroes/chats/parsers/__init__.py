"""Every chat parser. Importing this package registers them all (heroes.chats.registry)."""

from heroes.chats.parsers.json_format import HeroesJsonParser
from heroes.chats.parsers.meta import InstagramParser, MessengerParser
from heroes.chats.parsers.pan2012 import Pan2012Parser
from heroes.chats.parsers.signal import SignalParser
from heroes.chats.parsers.sms import AndroidSmsParser, IosSmsParser
from heroes.chats.parsers.telegram import TelegramParser
from heroes.chats.parsers.whatsapp import WhatsAppParser
from heroes.chats.parsers.whatsapp_android import WhatsAppAndroidParser
from heroes.chats.parsers.whatsapp_ios import WhatsAppIosParser

__all__ = [
    "AndroidSmsParser",
    "HeroesJsonParser",
    "InstagramParser",
    "IosSmsParser",
    "MessengerParser",
    "Pan2012Parser",
    "SignalParser",
    "TelegramParser",
    "WhatsAppAndroidParser",
    "WhatsAppIosParser",
    "WhatsAppParser",
]
