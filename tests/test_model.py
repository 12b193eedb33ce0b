from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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


def _reference_dumps(record: object) -> str:
    """Canonical JSON as every stored content hash was made before orjson: this plain walk of the
    model and the json module. `dumps` must give these bytes, or every stored record would look
    changed on the next harvest."""
    import dataclasses
    import json

    def plain(obj: object) -> object:
        if isinstance(obj, dict):
            return {k: plain(v) for k, v in obj.items() if v not in (None, "", [], {})}
        if isinstance(obj, list):
            return [plain(v) for v in obj]
        if type(obj) in (str, int, float, bool, type(None)) or not dataclasses.is_dataclass(obj):
            return obj
        out = {}
        for f in dataclasses.fields(obj):
            value = plain(getattr(obj, f.name))
            empty = value is None or (isinstance(value, str | list | dict) and not value)
            if not empty and not (value is False and f.default is False):
                out[f.name] = value
        return out

    return json.dumps(plain(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8) | st.sampled_from(
    ["", '"', "\\", "\n\r\t\x00\x1f\x7f", "\u2028æ😀", "/"]
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    text=_ANY_TEXT,
    langs=st.dictionaries(_ANY_TEXT, _ANY_TEXT, max_size=3),
    number=st.none() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=True),
    flag=st.none() | st.booleans(),
    words=st.lists(_ANY_TEXT, max_size=3),
)
def test_canonical_json_is_the_json_modules_bytes(text, langs, number, flag, words) -> None:
    d = mfr_dataset(identifier=text, title=langs, keywords={"nb": words, text: []}, has_structured_data=flag)
    d.number_of_records = number  # a float or a huge integer, though typed int, must not change the bytes
    d.variables[0].description = langs
    d.variables[0].keywords = words
    assert dumps(d) == _reference_dumps(d)
    assert dumps(d.variables[0]) == _reference_dumps(d.variables[0])


_ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)
"""Any JSON-able value, for a field whatever its declared type: the per-class writers of
`to_dict` take text, language maps and lists as declared and must treat anything else as before."""


@hypothesis_settings(max_examples=300, deadline=None)
@given(text_field=_ANY_VALUE, map_field=_ANY_VALUE, list_field=_ANY_VALUE, other_field=_ANY_VALUE)
def test_canonical_json_of_values_of_any_type_in_any_field_is_the_json_modules_bytes(
    text_field, map_field, list_field, other_field
) -> None:
    d = mfr_dataset()
    v = d.variables[0]
    v.name, v.title, v.keywords, v.table = text_field, map_field, list_field, other_field
    d.description, d.themes, d.has_structured_data = map_field, list_field, other_field
    d.distributions[0].byte_size = text_field
    assert dumps(v) == _reference_dumps(v)
    assert dumps(d) == _reference_dumps(d)


def test_the_canonical_json_of_the_nations_records_is_the_json_modules_bytes() -> None:
    from simulator import Nation

    nation = Nation(scale=1)
    for source in nation.sources:
        if source.kind not in ("dcat", "ckan", "oai-ddi", "spreadsheet"):
            continue
        for i in nation.dataset_indices(source)[:10]:
            d = nation.dataset(source, i)
            assert dumps(d) == _reference_dumps(d), (source.name, i)
