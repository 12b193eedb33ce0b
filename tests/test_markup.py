"""Descriptions written as HTML are read as the text a browser shows of them; other text is kept."""

from __future__ import annotations

import pytest

from catalog.markup import plain, without_markup


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # Difi's catalogue on data.norge.no: paragraphs, and a line break of the HTML source
        (
            "<p>Offentlig elektronisk postjournal (OEP) ble\nlansert 18. mai 2010.</p><p>Bruksstatistikk for OEP.</p>",
            "Offentlig elektronisk postjournal (OEP) ble lansert 18. mai 2010.\n\nBruksstatistikk for OEP.",
        ),
        # the UK Data Service's abstracts: a paragraph, then text outside any
        (
            "<p>Abstract copyright UK Data Service.</p>The introduction of",
            "Abstract copyright UK Data Service.\n\nThe introduction of",
        ),
        ("Vekt <b>ved</b> <i>fødsel</i>, i gram &amp; avrundet", "Vekt ved fødsel, i gram & avrundet"),
        ("Kodes:<ul><li>1 Ja</li><li>2 Nei</li></ul>Annet: 9", "Kodes:\n\n1 Ja\n2 Nei\n\nAnnet: 9"),
        ("Første linje<br/>andre linje", "Første linje\nandre linje"),
        ('<p>Se <a href="https://www.fhi.no/">FHI</a>.</p>', "Se FHI."),
        ("<script>alert(1)</script><style>p {}</style><p>Trygt</p>", "Trygt"),
        ("<p>Uavsluttet <b>fet", "Uavsluttet fet"),
    ],
)
def test_html_is_read_as_its_text(written: str, read: str) -> None:
    assert plain(written) == read


@pytest.mark.parametrize(
    "text",
    [
        "Alder < 18 år og > 2 år",  # comparisons are no markup
        "Drosjesentraler skal årlig gi opplysninger.\n\nDrosjesentralene skal levere summerte tall.",
        "<mors alder>",  # no element we know
        "",
    ],
)
def test_text_without_html_is_kept_as_it_is(text: str) -> None:
    assert plain(text) == text


def test_each_language_is_read_and_one_left_empty_is_dropped() -> None:
    assert without_markup({"nb": "<p>Vekt</p>", "en": "<p></p>", "nn": "Vekt"}) == {"nb": "Vekt", "nn": "Vekt"}
    texts = {"nb": "Vekt ved fødsel"}
    assert without_markup(texts) is texts  # nothing to read: as it was, no copy
