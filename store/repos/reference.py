"""Read access to the reference data: the exercise library and the coaching templates.

Keys: an exercise lives at pk `EXERCISE`, sk = its id; a template at pk `TEMPLATE#{type}`,
sk = its id. Items are the record's camelCase dump plus `pk`, `sk` and the store's `version`.
Only `store/seed.py` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import NotFound
from store.records.reference import (
    ChatTemplate,
    Exercise,
    ExerciseCategory,
    ExerciseLevel,
    TemplateType,
)

if TYPE_CHECKING:
    from collections.abc import Collection

    from store.table import Item, Table

EXERCISE_PK = "EXERCISE"
_STORE_FIELDS = ("pk", "sk", "version")


def template_pk(template_type: TemplateType) -> str:
    return f"TEMPLATE#{template_type.value}"


def exercise_item(exercise: Exercise) -> Item:
    """The table item of an exercise (without `version`, which the store maintains)."""
    return {**exercise.to_wire(), "pk": EXERCISE_PK, "sk": exercise.id}


def template_item(template: ChatTemplate) -> Item:
    """The table item of a template (without `version`, which the store maintains)."""
    return {**template.to_wire(), "pk": template_pk(template.type), "sk": template.id}


def record_fields(item: Item) -> Item:
    """The item without the keys and version the store adds: the record's own fields."""
    return {name: value for name, value in item.items() if name not in _STORE_FIELDS}


class ReferenceRepo:
    """Lists and gets reference records. Every method is a coroutine and raises the store's
    errors (`StoreUnavailable`, …); `get_*` raise `NotFound` for an unknown id."""

    def __init__(self, table: Table) -> None:
        self._table = table

    async def list_exercises(
        self,
        *,
        category: ExerciseCategory | None = None,
        level: ExerciseLevel | None = None,
    ) -> list[Exercise]:
        """Exercises in id order, optionally only of one category and/or level."""
        exercises = [Exercise.model_validate(item) for item in await self._all(EXERCISE_PK)]
        return [
            exercise
            for exercise in exercises
            if (category is None or exercise.category is category)
            and (level is None or exercise.level is level)
        ]

    async def get_exercise(self, exercise_id: str) -> Exercise:
        item = await self._table.get(EXERCISE_PK, exercise_id)
        if item is None:
            raise NotFound(f"no exercise {exercise_id!r}")
        return Exercise.model_validate(record_fields(item))

    async def list_templates(self, template_type: TemplateType) -> list[ChatTemplate]:
        """Templates of one type, highest priority first (then by id)."""
        templates = [
            ChatTemplate.model_validate(item)
            for item in await self._all(template_pk(template_type))
        ]
        return sorted(templates, key=lambda template: (-template.priority, template.id))

    async def pick_template(
        self,
        template_type: TemplateType,
        *,
        level: str | None,
        data_age_days: int | None,
        triggers: Collection[str] = (),
    ) -> ChatTemplate | None:
        """The highest-priority template of the type whose conditions apply (see
        `TemplateConditions.applies`), or None if none does."""
        for template in await self.list_templates(template_type):
            if template.conditions.applies(
                level=level, data_age_days=data_age_days, triggers=triggers
            ):
                return template
        return None

    async def get_template(self, template_type: TemplateType, template_id: str) -> ChatTemplate:
        item = await self._table.get(template_pk(template_type), template_id)
        if item is None:
            raise NotFound(f"no {template_type.value} template {template_id!r}")
        return ChatTemplate.model_validate(record_fields(item))

    async def _all(self, pk: str) -> list[Item]:
        items: list[Item] = []
        cursor: str | None = None
        while True:
            page = await self._table.query(pk, cursor=cursor)
            items.extend(record_fields(item) for item in page.items)
            cursor = page.cursor
            if cursor is None:
                return items
