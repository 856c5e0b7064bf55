"""Repositories: typed access to each entity on top of the single table.

Each takes the `Table` in its constructor and the user id (from the verified token) in every
method; none ever reads a user id from a record. Missing items and other users' items both raise
`store.errors.NotFound`; optimistic-concurrency conflicts raise `store.errors.ConditionFailed`.
"""

from __future__ import annotations

from store.repos.account import AccountRepo
from store.repos.athlete import AthleteRepo
from store.repos.base import Listing
from store.repos.chat import ChatRepo
from store.repos.errors import EmailTaken, UserExists
from store.repos.goals import GoalRepo
from store.repos.injuries import InjuryRepo
from store.repos.journal import JournalRepo
from store.repos.nutrition import NutritionLogRepo, NutritionProfileRepo
from store.repos.plans import PlanRepo
from store.repos.proposals import ProposalRepo
from store.repos.secrets import SecretRepo
from store.repos.sends import SendRepo
from store.repos.undo import UndoRepo
from store.repos.usage import UsageRepo
from store.repos.users import UserRepo
from store.repos.versioned import VersionedRepo

__all__ = [
    "AccountRepo",
    "AthleteRepo",
    "ChatRepo",
    "EmailTaken",
    "GoalRepo",
    "InjuryRepo",
    "JournalRepo",
    "Listing",
    "NutritionLogRepo",
    "NutritionProfileRepo",
    "PlanRepo",
    "ProposalRepo",
    "SecretRepo",
    "SendRepo",
    "UndoRepo",
    "UsageRepo",
    "UserExists",
    "UserRepo",
    "VersionedRepo",
]
