import pytest

from heroes.grooming.parsers import ParseError, parse_bytes

XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<conversations>
  <conversation id="c1">
    <message line="1"><author>aaa</author><time>03:20</time><text>hi</text></message>
    <message line="2"><author>bbb</author><time>03:21</time><text>hello &amp; welcome</text></message>
  </conversation>
  <conversation id="c2">
    <message line="1"><author>ccc</author><time>04:00</time><text></text></message>
  </conversation>
</conversations>
"""


def test_conversations_and_lines():
    convs = parse_bytes(XML, "pan.xml")
    assert [c.id for c in convs] == ["c1", "c2"]
    assert [m.author for m in convs[0].messages] == ["aaa", "bbb"]
    assert convs[0].messages[1].text == "hello & welcome"
    assert convs[0].messages[1].ref == "2"
    assert convs[1].messages[0].text == ""


def test_broken_xml_names_the_line():
    broken = XML.replace(b"</text></message>\n  </conversation>", b"</message>", 1)
    with pytest.raises(ParseError, match=r"pan.xml: line \d+: not well-formed"):
        parse_bytes(broken, "pan.xml", fmt="pan2012")


def test_message_without_author():
    bad = XML.replace(b"<author>bbb</author>", b"")
    with pytest.raises(ParseError, match=r"conversation c1: message line 2: no <author>"):
        parse_bytes(bad, "pan.xml")


def test_entities_are_refused():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><conversations/>'
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_bytes(evil, "pan.xml", fmt="pan2012")
