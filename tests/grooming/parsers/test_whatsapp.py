from datetime import datetime

import pytest

from heroes.grooming.parsers import ParseError, parse_bytes
from heroes.grooming.parsers.whatsapp import WhatsAppParser

ANDROID_12H_MDY = """\
12/31/20, 9:41 PM - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.
12/31/20, 9:41 PM - Sam: hi there
12/31/20, 9:42 PM - Alex: hey
who is this?
12/31/20, 9:43 PM - Sam: <Media omitted>
1/2/21, 12:05 AM - Sam: are your parents home?
"""

IOS_24H_DMY = """\
\u200e[31/12/2020, 21:41:05] Sam: hola
[31/12/2020, 21:41:30] Alex: \u200eimage omitted
[01/01/2021, 00:02:00] Sam: línea uno
línea dos
[01/01/2021, 00:03:00] Alex: <attached: 00000012-PHOTO-2021-01-01.jpg>
"""

SPANISH_AMPM = "31/12/20, 9:41\u202fp.\u00a0m. - Sam: hola\n31/12/20, 10:00 a. m. - Ana: <Multimedia omitido>\n"

YMD = "2021-03-04 13:05 - Sam: test\n2021-03-05 08:00 - Ana: ok\n"


def parse(text: str, name: str = "chat.txt"):
    (conv,) = parse_bytes(text.encode(), name)
    return conv


def test_android_12h_month_first_multiline_system_and_media():
    conv = parse(ANDROID_12H_MDY)
    assert conv.source_format == "whatsapp"
    assert [m.author for m in conv.messages] == ["Sam", "Alex", "Sam", "Sam"]
    assert conv.messages[1].text == "hey\nwho is this?"
    assert conv.messages[2].text == "" and conv.messages[2].attachments == ("<media omitted>",)
    assert conv.messages[0].time == datetime(2020, 12, 31, 21, 41)
    # 12:05 AM is just after midnight; 1/2/21 is January 2nd in a month-first file.
    assert conv.messages[3].time == datetime(2021, 1, 2, 0, 5)
    assert conv.messages[3].ref == "line 6"
    assert conv.participants == ["Sam", "Alex"]


def test_ios_24h_day_first_with_invisible_marks_and_attachments():
    conv = parse(IOS_24H_DMY)
    assert [m.author for m in conv.messages] == ["Sam", "Alex", "Sam", "Alex"]
    assert conv.messages[0].time == datetime(2020, 12, 31, 21, 41, 5)
    assert conv.messages[1].attachments == ("<media omitted>",)
    assert conv.messages[2].text == "línea uno\nlínea dos"
    assert conv.messages[3].attachments == ("00000012-PHOTO-2021-01-01.jpg",)
    assert conv.messages[3].text == ""


def test_spanish_am_pm_markers():
    conv = parse(SPANISH_AMPM)
    assert conv.messages[0].time == datetime(2020, 12, 31, 21, 41)
    assert conv.messages[1].time == datetime(2020, 12, 31, 10, 0)
    assert conv.messages[1].attachments == ("<media omitted>",)


def test_year_first_dates():
    conv = parse(YMD)
    assert conv.messages[1].time == datetime(2021, 3, 5, 8, 0)


def test_ambiguous_dates_follow_the_option():
    text = "01/02/21, 10:00 - Sam: a\n03/04/21, 11:00 - Ana: b\n"
    (dmy,) = WhatsAppParser().parse(text.encode(), "x.txt")
    (mdy,) = WhatsAppParser(date_order="mdy").parse(text.encode(), "x.txt")
    assert dmy.messages[0].time == datetime(2021, 2, 1, 10, 0)
    assert mdy.messages[0].time == datetime(2021, 1, 2, 10, 0)


def test_text_before_the_first_message_is_an_error_naming_the_line():
    with pytest.raises(ParseError, match=r"line 2: not a WhatsApp message line"):
        WhatsAppParser().parse(b"\nthis is not an export\n12/31/20, 9:41 PM - Sam: hi\n", "bad.txt")


def test_impossible_date_is_an_error_naming_the_line():
    text = "31/12/20, 9:41 - Sam: hi\n32/13/20, 9:42 - Sam: hi\n"
    with pytest.raises(ParseError, match=r"bad.txt: line 2: impossible date"):
        WhatsAppParser().parse(text.encode(), "bad.txt")


def test_unrecognised_file_is_refused():
    with pytest.raises(ParseError, match="unrecognised chat export"):
        parse_bytes(b"just some words\n", "notes.txt")


def test_binary_garbage_names_the_line():
    with pytest.raises(ParseError, match="line 2: not UTF-8"):
        WhatsAppParser().parse(b"12/31/20, 9:41 PM - Sam: hi\n\xff\xfe\n", "bin.txt")
