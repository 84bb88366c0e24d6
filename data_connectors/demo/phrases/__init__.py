"""Phrase banks of the demo helpdesk: what its customers write, one module per language.

Every language module holds the same banks under the same keys: ``SUBJECTS`` and ``TEXTS`` of
a ticket per theme key, ``GREETINGS``, ``SIGN_OFFS`` and ``COMPLAINT_TAILS`` around a message
body, survey ``COMMENTS`` per comment kind, ``CONTACT_TAILS`` and the ``EMAIL_NAMES`` of
synthetic addresses. Placeholders in braces are filled per row by
:mod:`data_connectors.demo.text`: ``{order}`` order number, ``{product}``, ``{eur}`` / ``{rub}``
amounts, ``{days}`` a whole number 5–20 (so that Russian "дней" always agrees), ``{minutes}``
5–20, ``{card}`` last card digits, ``{version}`` app version, ``{phone}`` and ``{email}``
(synthetic contact details, in comments only). Each contact theme has its own vocabulary
("charged twice" / "дважды списали", "crashes" / "вылетает") so that text mining can find the
themes again.
"""

from __future__ import annotations

from types import ModuleType

from data_connectors.demo.phrases import en, ru

#: Product names, the same in every language.
PRODUCTS: tuple[str, ...] = (
    "Router X2",
    "SmartHub Mini",
    "FitBand 3",
    "AirBuds Pro",
    "RoboClean V5",
    "SmartKettle K1",
    "HomeCam 360",
    "Lumi e-Reader",
)

#: The phrase module of every language code.
BY_LANGUAGE: dict[str, ModuleType] = {"en": en, "ru": ru}
