"""The typed records of every entity (pydantic; camelCase on the wire and in the table).

Each entity has a client input model `XIn` (only what a client may set) and the stored record
`X` (adds ids, timestamps, `version` and computed fields); see `store.records.common`.
"""

from __future__ import annotations

from store.records.athlete import (
    AthleteProfile,
    AthleteProfileIn,
    CurrentGrades,
    Goal,
    GoalIn,
    GoalStatus,
    GoalType,
    Injury,
    InjuryIn,
)
from store.records.chat import ChatMessage, ChatMessageIn, Role, TokenUsage
from store.records.common import GradeRef, MediaRef, Setting
from store.records.journal import (
    JournalEntry,
    JournalEntryIn,
    PhysicalCondition,
    SessionDiscipline,
    SessionType,
    Soreness,
)
from store.records.nutrition import (
    Meal,
    MealIn,
    MealType,
    NutritionLog,
    NutritionLogIn,
    NutritionProfile,
    NutritionProfileIn,
    Targets,
    Totals,
)
from store.records.sends import AscentStyle, BenchmarkSend, BenchmarkSendIn, Significance, Terrain
from store.records.training import DayPlan, TrainingPlan, TrainingPlanIn, WeeklyStructure
from store.records.usage import ModelUsage, UsageLedger
from store.records.user import (
    Preferences,
    Subscription,
    SubscriptionStatus,
    Tier,
    User,
    UserIn,
)

__all__ = [
    "AscentStyle",
    "AthleteProfile",
    "AthleteProfileIn",
    "BenchmarkSend",
    "BenchmarkSendIn",
    "ChatMessage",
    "ChatMessageIn",
    "CurrentGrades",
    "DayPlan",
    "Goal",
    "GoalIn",
    "GoalStatus",
    "GoalType",
    "GradeRef",
    "Injury",
    "InjuryIn",
    "JournalEntry",
    "JournalEntryIn",
    "Meal",
    "MealIn",
    "MealType",
    "MediaRef",
    "ModelUsage",
    "NutritionLog",
    "NutritionLogIn",
    "NutritionProfile",
    "NutritionProfileIn",
    "PhysicalCondition",
    "Preferences",
    "Role",
    "SessionDiscipline",
    "SessionType",
    "Setting",
    "Significance",
    "Soreness",
    "Subscription",
    "SubscriptionStatus",
    "Targets",
    "Terrain",
    "Tier",
    "TokenUsage",
    "Totals",
    "TrainingPlan",
    "TrainingPlanIn",
    "UsageLedger",
    "User",
    "UserIn",
    "WeeklyStructure",
]
