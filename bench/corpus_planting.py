"""What the end-to-end corpus plants in real text, so the run's ledger can be checked.

Why a module: the bench is only honest if a fast run that skipped work shows up, so the
corpus carries personal data and near-duplicates at known places, each recorded in the
truth file. Everything planted is invented and well-formed (card numbers pass Luhn),
so a recognizer that misses it has missed a real-looking value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit, so card recognisers accept the number."""
    total = 0
    for index, char in enumerate(reversed(prefix)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return prefix + str((10 - total % 10) % 10)


@dataclass
class PiiFactory:
    """Invented, well-formed personal data; every value is recorded in the truth file."""

    rng: random.Random
    first = ("maria", "jonas", "aiko", "li", "omar", "sofia", "pavel", "grace", "ravi", "ines")
    last = ("lopez", "weber", "tanaka", "chen", "haddad", "rossi", "novak", "okafor", "iyer")
    domains = ("northwind-mail.com", "example-post.org", "fabrikam.net", "contoso-mail.de")

    def email(self) -> str:
        r = self.rng
        local = f"{r.choice(self.first)}.{r.choice(self.last)}{r.randint(1, 999)}"
        return f"{local}@{r.choice(self.domains)}"

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"+1 (415) 555-{r.randint(100, 199):04d}"
        return f"+44 20 7946 {r.randint(0, 999):04d}"

    def card(self) -> str:
        digits = luhn_complete("4" + "".join(str(self.rng.randint(0, 9)) for _ in range(14)))
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))

    def ssn(self) -> str:
        r = self.rng
        return f"{r.randint(101, 665):03d}-{r.randint(10, 99):02d}-{r.randint(1000, 9999):04d}"


@dataclass
class Truth:
    """What was planted where, so the run's ledger can be checked against it."""

    pii: list[dict] = field(default_factory=list)
    near_duplicates: list[dict] = field(default_factory=list)


def inject_pii(
    text: str, kind_rates: dict[str, float], factory: PiiFactory
) -> tuple[str, list[dict]]:
    """Insert a contact line (and rarely a card or SSN) at a line break inside the text."""
    rng = factory.rng
    planted: list[dict] = []
    additions = []
    if rng.random() < kind_rates["contact"]:
        email, phone = factory.email(), factory.phone()
        additions.append(f"Contact: {email}, phone {phone}.")
        planted += [{"type": "EMAIL_ADDRESS"}, {"type": "PHONE_NUMBER"}]
    if rng.random() < kind_rates["card"]:
        additions.append(f"Card number {factory.card()} was used for the order.")
        planted.append({"type": "CREDIT_CARD"})
    if rng.random() < kind_rates["ssn"]:
        additions.append(f"Employee SSN {factory.ssn()} on file.")
        planted.append({"type": "US_SSN"})
    if not additions:
        return text, []
    lines = text.split("\n")
    at = rng.randint(0, len(lines))
    lines[at:at] = additions
    return "\n".join(lines), planted


def near_copy(text: str, rng: random.Random, edits: int = 4) -> str:
    """A copy with a few word substitutions, deletions and insertions."""
    words = text.split(" ")
    for _ in range(edits):
        at = rng.randrange(len(words))
        choice = rng.random()
        if choice < 0.4:
            words[at] = rng.choice(("kernel", "buffer", "value", "driver", "option", "page"))
        elif choice < 0.7 and len(words) > 1:
            del words[at]
        else:
            words.insert(at, rng.choice(("also", "now", "then", "only")))
    return " ".join(words)
