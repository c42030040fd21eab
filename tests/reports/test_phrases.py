from heroes.reports.phrases import Phrase, compile_phrase, find, fold


def test_fold_keeps_positions_and_removes_accents() -> None:
    text = "Niña de 12 AÑOS, ﬁn"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("nina de 12 anos")


def test_gap_star_and_alternatives() -> None:
    pattern = compile_phrase("took ... passport*")
    assert pattern.search(fold("They took all of their passports away"))
    assert not pattern.search(fold("they took a long walk with many friends to the passport office"))
    assert compile_phrase("her|his son").search("his son")
    assert not compile_phrase("kid|kids").search("kidnapped")


def test_number_tokens() -> None:
    assert compile_phrase("at #time").search("at 10pm")
    assert compile_phrase("at #time").search("at 22:30")
    assert not compile_phrase("at #time").search("at 12 oak street")
    assert compile_phrase("a las #").search("a las 18")


def test_hits_quote_the_original_words() -> None:
    text = "La NIÑA está encerrada"
    hits = find([Phrase.of("nina", "es"), Phrase.of("encerrad*", "es")], text, fold(text))
    assert [h.quote for h in hits] == ["NIÑA", "encerrada"]
