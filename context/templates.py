"""Which chat template answers a turn.

Templates are read from the table (seeded by `v7 store seed`); a table with none seeded falls
back to the packaged `store/data/templates.toml`, so a fresh server still has them. The choice
is `ReferenceRepo.pick_template`'s rule applied to templates already read (so the read joins the
turn's one wave): the highest-priority template of the intent's type whose conditions apply to
the climber's level, data age and triggers; failing that, of the coaching type; failing that,
`BUILT_IN`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache

from coaching.safety import MODEL_RULE
from store.records.reference import ChatTemplate, TemplateType
from store.seed import load_reference

_BUILT_IN_SYSTEM = f"""You are V7 Coach, a friendly, direct climbing coach. Answer the climber's \
question with specific, practical advice that fits their level, goals and constraints.
- Quote only the figures listed under FACTS; never invent, estimate or recalculate a number.
- {MODEL_RULE}"""

BUILT_IN = ChatTemplate.model_validate(
    {
        "id": "built-in",
        "type": "coaching",
        "name": "Built-in coaching",
        "systemPrompt": _BUILT_IN_SYSTEM,
        "userPromptTemplate": "FACTS (computed in code; the only numbers you may quote):\n"
        "{facts}\n\nCLIMBER PROFILE:\n{profile}\n\n<climber_message>\n{message}\n"
        "</climber_message>",
        "priority": 0,
    }
)
"""The last resort: used only when neither the table nor the package has a template that
applies."""


@cache
def packaged(template_type: TemplateType) -> tuple[ChatTemplate, ...]:
    """The packaged templates of one type, highest priority first (then by id). Raises
    `store.seed.ReferenceDataError` if the packaged file is invalid."""
    found = [t for t in load_reference().templates if t.type is template_type]
    return tuple(sorted(found, key=lambda t: (-t.priority, t.id)))


def choose(
    by_type: dict[TemplateType, Sequence[ChatTemplate]],
    template_type: TemplateType,
    *,
    level: str | None,
    data_age_days: int | None,
    triggers: Collection[str],
) -> ChatTemplate:
    """The template for a turn. `by_type` holds the templates read from the table (highest
    priority first); when the table has none at all, the packaged ones are used. Pure apart
    from reading the packaged file once."""
    seeded = any(by_type.values())
    for kind in dict.fromkeys((template_type, TemplateType.COACHING)):
        candidates = by_type.get(kind, ()) if seeded else packaged(kind)
        for template in candidates:
            if template.conditions.applies(
                level=level, data_age_days=data_age_days, triggers=triggers
            ):
                return template
    return BUILT_IN


def data_triggers(
    *,
    open_injury: bool,
    load_jump: bool,
    high_monotony: bool,
    high_strain: bool,
    new_pr: bool,
    under_fuelled: bool,
) -> set[str]:
    """The template triggers the climber's data raises (the message adds its own)."""
    flags = {
        "injury": open_injury,
        "load-jump": load_jump,
        "high-monotony": high_monotony,
        "high-strain": high_strain,
        "new-pr": new_pr,
        "under-fuelling": under_fuelled,
    }
    return {name for name, raised in flags.items() if raised}
