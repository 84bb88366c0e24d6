"""The demo helpdesk: a deterministic, realistic company to open the app on without configuration.

:func:`generate` simulates a mid-size company month by month and returns the canonical tables
(customers, tickets, surveys, qa_reviews). :func:`build_database` writes them to a SQLite file
that the app reads like any other SQL source, and :func:`read_info` returns how a file was built.
``python -m data_connectors.demo`` does the same from the command line.

The structure comes from the process, not from fixed outputs. Every customer has a latent
disposition; every contact leaves an experience (worse when the wait is long, the contact is
transferred, reopened, abandoned or never solved, better with a skilled agent) that decays over
the months. Loyalty = disposition + accumulated experience. It drives the survey answers, how
often a customer gets in touch and complains, the monthly churn hazard and how likely a
customer is to bring in referrals. Contact themes rise and fall (a delivery-delay wave, an
outage, an app-crash spike after a release, a billing double-charge period); the extra volume
overloads the department, so waits and reply times miss the service standards in those months.

Randomness comes only from one ``numpy.random.Generator`` seeded with ``seed``: the same
arguments on the same day give identical frames. Nothing is dated after the cut-off, which is the
end of the ``end`` month or, for the current month, the start of today.

Modules, in the order the data flows: ``company`` and ``themes`` (the fixed structure),
``calendar``, ``people``, ``agents``, ``contacts``, ``surveys`` and ``simulation`` (the
process), ``phrases`` and ``text`` (what customers write), ``columns`` and ``tables`` (the
canonical frames), ``database`` and ``cli`` (the SQLite file and the command).
"""

from data_connectors.demo.company import CHANNELS, DEPARTMENTS, QA_CRITERIA, REASONS
from data_connectors.demo.database import build_database, read_info
from data_connectors.demo.tables import generate

__all__ = [
    "CHANNELS",
    "DEPARTMENTS",
    "QA_CRITERIA",
    "REASONS",
    "build_database",
    "generate",
    "read_info",
]
