"""What customers of the demo company get in touch about, and when.

Every contact theme belongs to a department and a helpdesk category, has a base share of the
volume, a chance of being a complaint and a complexity; some have a :class:`Wave` (a
delivery-delay wave, an outage, an app-crash spike after a release, a billing double-charge
period) whose extra volume overloads their department in those months. :data:`SEASON` scales
all volume by calendar month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_connectors.demo.company import DEPARTMENT_NAMES


@dataclass(frozen=True)
class Wave:
    """A theme's rise and fall: ``height`` times its base volume extra at the peak.

    ``at`` and ``width`` are fractions of the period (so a period of any length has the wave);
    ``shape`` is "bump" (bell around ``at``), "spike" (jump at ``at``, decaying over ``width``)
    or "plateau" (from ``at`` for ``width``).
    """

    shape: str
    at: float
    width: float
    height: float

    def multiplier(self, months: int) -> np.ndarray:
        """Volume of the theme in each month relative to its base."""
        distance = np.arange(months) - round(self.at * (months - 1))
        scale = max(self.width * (months - 1), 0.75)
        if self.shape == "bump":
            rise = np.exp(-0.5 * (distance / scale) ** 2)
        elif self.shape == "spike":
            rise = np.where(distance >= 0, np.exp(-np.maximum(distance, 0) / scale), 0.0)
        else:
            rise = ((distance >= 0) & (distance < max(round(scale), 1))).astype(float)
        return 1.0 + self.height * rise


@dataclass(frozen=True)
class Theme:
    key: str  # key of its phrases in data_connectors.demo.phrases
    department: str
    category: str  # the helpdesk's own category
    weight: float  # share of contacts at base load
    complaint: float  # probability that a contact on it is a complaint (average customer)
    complexity: float  # >1: longer handling, more transfers, fewer first-contact fixes
    wave: Wave | None = None


THEMES = (
    Theme("double_charge", "Billing", "Payments", 0.025, 0.70, 1.1,
          Wave("plateau", 0.74, 0.1, 4.0)),
    Theme("refund", "Billing", "Payments", 0.05, 0.15, 1.1),
    Theme("invoice", "Billing", "Invoices & documents", 0.055, 0.03, 0.9),
    Theme("subscription", "Billing", "Subscription", 0.06, 0.05, 0.9),
    Theme("payment_failed", "Billing", "Payments", 0.04, 0.12, 1.1),
    Theme("delivery_delay", "Delivery", "Delivery status", 0.06, 0.40, 1.0,
          Wave("bump", 0.35, 0.08, 2.5)),
    Theme("tracking", "Delivery", "Delivery status", 0.07, 0.03, 0.8),
    Theme("damaged_item", "Delivery", "Returns & damage", 0.03, 0.60, 1.2),
    Theme("address_change", "Delivery", "Delivery changes", 0.05, 0.02, 0.8),
    Theme("missed_courier", "Delivery", "Delivery status", 0.03, 0.45, 1.0),
    Theme("device_setup", "Technical support", "Device setup", 0.08, 0.03, 1.4),
    Theme("connectivity", "Technical support", "Connectivity", 0.06, 0.10, 1.5),
    Theme("outage", "Technical support", "Service outage", 0.012, 0.55, 1.3,
          Wave("spike", 0.15, 0.03, 5.0)),
    Theme("account_access", "Technical support", "Account & login", 0.05, 0.08, 1.0),
    Theme("upgrade", "Sales", "Upgrades", 0.045, 0.01, 0.9),
    Theme("pricing", "Sales", "Pricing", 0.045, 0.06, 0.8),
    Theme("promo_code", "Sales", "Promotions", 0.03, 0.15, 0.9),
    Theme("app_crash", "Mobile app", "App errors", 0.025, 0.45, 1.3,
          Wave("spike", 0.58, 0.08, 5.0)),  # a bad release
    Theme("app_login", "Mobile app", "Account & login", 0.035, 0.10, 1.1),
    Theme("app_feature", "Mobile app", "App feedback", 0.03, 0.03, 0.8),
    Theme("notifications", "Mobile app", "App errors", 0.02, 0.10, 1.0),
)  # fmt: skip
OUTAGE = [t.key for t in THEMES].index("outage")

#: Relative contact volume by calendar month (January first): a December peak, a summer lull.
SEASON = np.array([1.05, 0.95, 1.0, 0.95, 0.95, 0.9, 0.85, 0.9, 1.0, 1.05, 1.15, 1.3])

_weight = np.array([t.weight for t in THEMES])
#: Share of every theme in the contacts at base load.
THEME_SHARE = _weight / _weight.sum()
#: Position in :data:`~data_connectors.demo.company.DEPARTMENTS` of every theme's department.
THEME_DEPARTMENT = np.array([DEPARTMENT_NAMES.index(t.department) for t in THEMES])
