from catalog.model import Dataset, content_hash, dumps, key_for, loads, text
from tests.factories import apgar_codes, mfr_dataset


def test_a_record_survives_canonical_json_unchanged():
    for record in (mfr_dataset(), apgar_codes()):
        assert loads(record.kind, dumps(record)) == record


def test_equal_content_has_equal_hash_and_any_change_changes_it():
    assert content_hash(mfr_dataset()) == content_hash(mfr_dataset())
    changed = mfr_dataset()
    changed.variables[0].unit = "kg"
    assert content_hash(changed) != content_hash(mfr_dataset())


def test_empty_values_do_not_affect_the_hash():
    a = mfr_dataset()
    b = mfr_dataset(keywords={**a.keywords, "nn": []})
    assert content_hash(a) == content_hash(b)


def test_keys_are_stable_short_and_url_safe():
    assert key_for("https://data.fhi.no/mfr/variabel/VEKT") == key_for("https://data.fhi.no/mfr/variabel/VEKT")
    assert len(key_for("x")) == 16 and key_for("x").isalnum()


def test_text_prefers_bokmaal_then_nynorsk_then_english():
    assert text({"en": "Birth weight", "nb": "Fødselsvekt"}) == "Fødselsvekt"
    assert text({"en": "Birth weight", "nn": "Fødselsvekt (nn)"}) == "Fødselsvekt (nn)"
    assert text({"en": "Birth weight", "nb": "Fødselsvekt"}, "en") == "Birth weight"
    assert text({}) == ""
    assert isinstance(mfr_dataset(), Dataset)


def test_false_and_zero_are_statements_the_store_keeps_while_a_flag_left_off_is_dropped():
    from catalog.model import Concept, Dataset, dumps, loads, to_dict

    d = Dataset(uri="u", identifier="i", has_structured_data=False, min_typical_age=0, number_of_records=0)
    assert loads("dataset", dumps(d)) == d
    assert (
        dumps(d) == '{"has_structured_data":false,"identifier":"i","min_typical_age":0,"number_of_records":0,"uri":"u"}'
    )
    assert to_dict(Concept(code="1")) == {"code": "1"}, "Concept.missing defaults to false: left out"
