"""STATUS sections: the class of the answer, and whether Microsoft confirmed a problem.

BNF (a class is an alternation of the phrasings of grammars/facts/status.toml;
the phrases of one key word form one `pp.Regex` terminal, a space in a phrase
matching any run of blanks and line breaks)::

    status_text  ::= (skip class_phrase)* skip END
    class_phrase ::= fixed | hotfix | researching | confirmed | by_design
                   | third_party | feature_request
    <class>      ::= <class>_<key> | <class>_<key> | ...   -- one terminal per key word
    skip         ::= any characters

`classify_status` gives the first class of the vocabulary's precedence order
(fixed, hotfix, researching, confirmed, by_design, third_party,
feature_request) that has a phrase in the text, else `other`. `confirmed` is
true when a `confirmed` phrase occurs, whatever the class: "Microsoft has
confirmed this to be a problem ... This problem was first corrected in ..." is
`fixed` and confirmed. Choices where the issue is silent, so that an analyst
can count on them:
  - a text that says a problem was corrected, fixed or resolved in, or no
    longer / does not occur in some product is `fixed`, even when it also
    says Microsoft is researching the problem in another version;
  - "A fix to this problem is in development" (the hotfix boilerplate of the
    NT 3.x years), "A supported feature is now available" and "resolved by
    the following updated file" count as `hotfix`: a fix obtained outside a
    service pack;
  - `confirmed` means Microsoft confirmed a problem or bug; "Microsoft has
    confirmed this to be by design" or "... a limitation" is not, nor is a
    vendor's confirmation ("Procom has confirmed ...");
  - `third_party`: the problem lies with another vendor (another vendor
    confirmed or is aware of it, the reader is sent to contact a vendor, the
    text calls it a known problem of a non-Microsoft product, or the vendor
    disclaimer is the only statement);
  - an empty or unrecognised STATUS text is `other`.

Speed (kbparse/facts/text.py says why key words): a class is looked for only
as long as no class before it in the order was found, each of its key words
with `str.find`, and each key's terminal is tried only near an occurrence of
the key (`next_near`). A class needs nothing taken apart, so the terminals'
compiled patterns are matched directly: a pyparsing parse of the phrase found
would cost more than the whole recognizer and tell nothing new.
"""

from __future__ import annotations

from functools import cache

import pyparsing as pp

from .text import flexible_spaces, locator, next_near
from .vocab import STR, STRS, STRS_MAP, load_vocabulary

CLASSES = ("fixed", "hotfix", "researching", "confirmed", "by_design", "third_party", "feature_request")

SPEC = {
    "order": STRS,
    "fallback": STR,
    "confirmed": STRS_MAP,
    "phrases": {name: STRS_MAP for name in CLASSES if name != "confirmed"},
}

# A phrase may start up to BEFORE characters ahead of its key word and end up
# to AFTER characters beyond it, then at the end of that line.
BEFORE, AFTER = 60, 100


class _Status:
    def __init__(self, vocab: dict) -> None:
        self.order = tuple(vocab["order"])
        if sorted(self.order) != sorted(CLASSES):
            raise ValueError(f"status order must name each of {', '.join(CLASSES)}")
        self.fallback = vocab["fallback"]
        tables = {"confirmed": vocab["confirmed"], **vocab["phrases"]}
        # class -> [(key word, terminal of the phrases holding it)]
        self.terminals = {
            name: [
                (key, pp.Regex("|".join(map(flexible_spaces, phrases))).set_name(f"{name} phrase ({key})"))
                for key, phrases in tables[name].items()
            ]
            for name in self.order
        }
        # class -> [(word to find, its phrases' offset ahead of it, compiled terminal)]
        self.locators = {
            name: [(*locator(tables[name][key], key), terminal.re) for key, terminal in terminals]
            for name, terminals in self.terminals.items()
        }

    def has(self, text: str, name: str) -> bool:
        """Whether a phrase of class `name` occurs in `text`."""
        return any(
            key in text and next_near(text, key, offset, pattern, 0, BEFORE, AFTER)
            for key, offset, pattern in self.locators[name]
        )

    def classify(self, text: str) -> dict:
        confirmed = self.has(text, "confirmed")
        for name in self.order:
            if confirmed if name == "confirmed" else self.has(text, name):
                return {"status": name, "confirmed": confirmed}
        return {"status": self.fallback, "confirmed": confirmed}


@cache
def _status() -> _Status:
    return _Status(load_vocabulary("status", SPEC))


def classify_status(text: str) -> dict:
    """The row of a STATUS text: {"status": class, "confirmed": bool}."""
    return _status().classify(text)
