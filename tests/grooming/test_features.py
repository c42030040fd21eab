from heroes.grooming.features import Featurizer, feature_strings, tokens


def test_tokens_drop_anonymised_ids_and_squeeze_repeats():
    assert tokens("0123456789abcdef0123: Hellooooo THERE") == ["helloo", "there"]


def test_features_are_stable_and_bounded():
    f = Featurizer(2**10)
    a = f.counts("send me a pic")
    assert a == Featurizer(2**10).counts("send me a pic")  # no per-process hash salt
    assert all(0 <= i < 2**10 for i in a)
    assert sum(a.values()) == len(feature_strings("send me a pic"))


def test_readable_names_explain_features():
    f = Featurizer()
    names = f.readable("are your parents home")
    assert "parents home" in names.values() and "parents" in names.values()
