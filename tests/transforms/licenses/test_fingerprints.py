"""Full license texts recognised by unique-phrase fingerprints."""

from transforms.licenses.detect import LicenseScanner
from transforms.licenses.fingerprints import load_fingerprints

DEMO = {
    "Demo-1.0": (
        "alpha beta gamma delta epsilon zeta eta",
        "one two three four five six seven",
        "red orange yellow green blue indigo violet",
    )
}
SCANNER = LicenseScanner(rules=(), fingerprints=DEMO)


def _text(*phrases: str) -> str:
    body = "\n\n".join(f"# {phrase.title()}." for phrase in phrases)
    return f"# The Demo License\n{body}\n"


def test_two_unique_phrases_identify_a_full_text():
    evidence = SCANNER.scan(_text(DEMO["Demo-1.0"][0], DEMO["Demo-1.0"][2]))
    assert [(item.kind, item.spdx, item.detail) for item in evidence] == [
        ("full_text", "Demo-1.0", "fingerprint")
    ]


def test_one_phrase_is_not_enough():
    assert SCANNER.scan(_text(DEMO["Demo-1.0"][1])) == []


def test_more_phrases_give_more_confidence():
    two = SCANNER.scan(_text(*DEMO["Demo-1.0"][:2]))[0]
    three = SCANNER.scan(_text(*DEMO["Demo-1.0"]))[0]
    assert three.confidence > two.confidence


def test_full_text_span_covers_first_to_last_phrase():
    text = _text(*DEMO["Demo-1.0"])
    (item,) = SCANNER.scan(text)
    assert text[item.start : item.end].startswith("Alpha Beta")
    assert text[item.start : item.end].endswith("Indigo Violet")


def test_generated_fingerprints_ship_with_the_package():
    fingerprints = load_fingerprints()
    assert len(fingerprints) > 400
    assert all(len(phrases) >= 2 for phrases in fingerprints.values())
