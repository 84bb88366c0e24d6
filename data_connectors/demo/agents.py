"""The agents of the demo helpdesk: teams sized for the expected volume, each with a skill.

Every department gets enough agents for its share of the contacts (at least four), a quarter
of them second line; second-line agents are a little more skilled. A contact is served by a
random agent of its department, on the second line once it has been transferred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_connectors.demo.columns import labels, prefixed
from data_connectors.demo.company import DEPARTMENTS, SEGMENTS
from data_connectors.demo.themes import THEME_DEPARTMENT, THEME_SHARE

CONTACTS_PER_AGENT = 300  # per month, for sizing the teams


@dataclass(frozen=True)
class Agents:
    """Agents of every department, first line (level 0) and second line (level 1)."""

    skill: np.ndarray
    department: np.ndarray
    level: np.ndarray
    first: np.ndarray  # (department, level) -> position of its first agent
    count: np.ndarray  # (department, level) -> number of agents

    @classmethod
    def hire(cls, rng: np.random.Generator, customers: int) -> Agents:
        """Teams sized for the expected volume: a quarter of each department is second line."""
        rate = sum(s.share * s.contacts for s in SEGMENTS)
        monthly = customers * rate * np.bincount(THEME_DEPARTMENT, THEME_SHARE)
        total = np.maximum(np.ceil(monthly / CONTACTS_PER_AGENT), 4).astype(int)
        second = np.maximum(total // 4, 1)
        count = np.column_stack([total - second, second])
        first = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
        department = np.repeat(np.arange(len(DEPARTMENTS)), total)
        level = np.repeat(np.tile([0, 1], len(DEPARTMENTS)), count.ravel())
        skill = rng.normal(0.0, 0.5, len(level)) + 0.3 * level
        return cls(skill, department, level, first, count)

    def pick(
        self, rng: np.random.Generator, department: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """A random agent of the given department and level, per contact."""
        first, count = self.first[department, level], self.count[department, level]
        return first + (rng.random(len(department)) * count).astype(int)

    def names(self) -> np.ndarray:
        return prefixed("Agent ", np.arange(1, len(self.skill) + 1), 3)

    def teams(self) -> np.ndarray:
        names = [f"{d.name} L{level + 1}" for d in DEPARTMENTS for level in (0, 1)]
        return labels(names, self.department * 2 + self.level)
