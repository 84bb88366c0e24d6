"""Who the demo company is: its vocabularies, customer base and departments.

The fixed structure every other module codes against: the languages, channels, reasons, survey
kinds and priorities the tables use as labels (positions in these tuples are the codes the
simulation works with), the regions and acquisition channels customers come from with their
shares, the customer segments with their contact rate, loyalty, churn and revenue, and the
departments with their staffing and channel mix.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ru")
CHANNELS = ("phone", "chat", "email", "social")
PHONE, CHAT, EMAIL = 0, 1, 2
REASONS = (
    "long wait",
    "issue not resolved",
    "low expertise",
    "rude or unhelpful",
    "had to repeat myself",
    "too many transfers",
)
COMMENT_KINDS = (*REASONS, "negative", "positive", "neutral", "suggestion")
QA_CRITERIA = ("greeting", "problem solving", "product knowledge", "tone and language")
SURVEY_KINDS = ("csat", "ces", "nps")
PRIORITIES = ("low", "normal", "high", "urgent")

#: Region, share of customers, language the customers write in.
REGIONS: tuple[tuple[str, float, str], ...] = (
    ("Moscow", 0.16, "ru"),
    ("St Petersburg", 0.10, "ru"),
    ("Yekaterinburg", 0.06, "ru"),
    ("Kazakhstan", 0.08, "ru"),
    ("UK", 0.20, "en"),
    ("Germany", 0.16, "en"),
    ("Poland", 0.12, "en"),
    ("Netherlands", 0.07, "en"),
    ("Baltics", 0.05, "en"),
)
#: How customers were won, and the share of each.
ACQUISITION: tuple[tuple[str, float], ...] = (
    ("organic", 0.40),
    ("paid", 0.28),
    ("referral", 0.20),
    ("partner", 0.12),
)
ORGANIC, REFERRAL = 0, 2


@dataclass(frozen=True)
class Segment:
    name: str
    share: float
    contacts: float  # contacts per customer-month at base load
    loyalty: float  # added to the loyalty of its customers
    churn: float  # added to the logit of the monthly churn hazard
    revenue: float  # median monthly revenue


SEGMENTS = (
    Segment("Consumer", 0.70, 0.40, 0.0, 0.3, 29.0),
    Segment("SMB", 0.22, 0.70, 0.1, 0.0, 420.0),
    Segment("Enterprise", 0.08, 1.40, 0.2, -0.7, 5200.0),
)
ENTERPRISE = 2


@dataclass(frozen=True)
class Department:
    name: str
    staffing: float  # capacity relative to the base load (below 1: usually short-staffed)
    channels: tuple[float, float, float, float]  # share of phone, chat, email, social


DEPARTMENTS = (
    Department("Billing", 1.00, (0.35, 0.30, 0.25, 0.10)),
    Department("Delivery", 0.97, (0.40, 0.30, 0.20, 0.10)),
    Department("Technical support", 0.93, (0.30, 0.35, 0.30, 0.05)),
    Department("Sales", 1.12, (0.45, 0.25, 0.25, 0.05)),
    Department("Mobile app", 1.00, (0.10, 0.40, 0.30, 0.20)),
)
DEPARTMENT_NAMES = [d.name for d in DEPARTMENTS]
