"""Everything about the demo climber besides sessions and sends: body, targets, goals,
injuries, plans, two weeks of meals and a few chat turns, consistent with the story."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from coaching.analytics.common import rounded
from server.demo.story import Story, at
from store.records import (
    AthleteProfileIn,
    ChatMessage,
    Goal,
    Injury,
    NutritionLogIn,
    NutritionProfileIn,
    TrainingPlan,
)

FOOD_LOG_DAYS = 14
WEIGHT, HEIGHT, AGE = 68.0, 176.0, 29
RESTRICTIONS = ["lactose intolerant"]
BREAKFASTS = (
    ("Oats with oat milk, banana and peanut butter", 620, 20, 90, 18),
    ("Scrambled eggs on sourdough with avocado", 560, 28, 40, 30),
)
LUNCHES = (
    ("Chicken, rice and roasted veg bowl", 720, 45, 85, 18),
    ("Lentil and sweet potato curry with rice", 680, 24, 110, 14),
)
DINNERS = (
    ("Salmon, potatoes and green beans", 780, 45, 70, 32),
    ("Beef chilli with rice", 820, 48, 90, 26),
    ("Tofu stir-fry with noodles", 700, 32, 95, 20),
)
PRE = ("Banana and rice cakes", 250, 4, 55, 2)
POST = ("Pea protein shake with oat milk", 300, 30, 30, 6)
SNACK = ("Trail mix", 300, 8, 25, 20)


def athlete_profile() -> AthleteProfileIn:
    return AthleteProfileIn.model_validate(
        {
            "age": AGE,
            "weight": WEIGHT,
            "heightCm": HEIGHT,
            "yearsClimbing": 5,
            "apeIndexCm": 3,
            "currentGrades": {
                "indoor": {"boulder": "V6", "sport": "7a"},
                "outdoor": {"boulder": "V5"},
            },
            "strengths": [
                "crimpy vertical walls",
                "body tension on the board",
                "reading sequences",
            ],
            "weaknesses": ["slopers", "compression", "committing on highballs"],
            "dietaryRestrictions": RESTRICTIONS,
            "goalsSummary": "Consolidate V6, send V6 outdoors, stay healthy after the A2 strain.",
        }
    )


def nutrition_profile() -> NutritionProfileIn:
    """Body, activity and goal only: the daily targets are computed from them and the logged
    training (`coaching.nutrition.targets`, docs/nutrition.md), as for any climber who sets none
    of their own: 2,830 kcal (BMR 1,640 × 1.725, active, maintain) and 109 g of protein."""
    return NutritionProfileIn.model_validate(
        {
            "weight": WEIGHT,
            "heightCm": HEIGHT,
            "age": AGE,
            "sex": "male",
            "activityLevel": "active",
            "goal": "maintain",
            "dietaryRestrictions": RESTRICTIONS,
        }
    )


def goals(story: Story) -> list[Goal]:
    t, today = story.t, story.t.today
    specs: list[dict[str, Any]] = [
        {
            "type": "grade",
            "description": "Send my first V6 in the gym",
            "targetGrade": "V6",
            "discipline": "boulder",
            "targetDate": t.start + timedelta(days=90),
            "status": "achieved",
            "createdAt": at(t.start, 9),
            "achievedAt": at(t.first_v6, 21),
        },
        {
            "type": "grade",
            "description": "Send V6 outdoors this season",
            "targetGrade": "V6",
            "discipline": "boulder",
            "targetDate": today + timedelta(days=120),
            "createdAt": at(t.recovered, 9),
        },
        {
            "type": "fitness",
            "description": "Hang +20 kg for 10 s on the 20 mm edge (half crimp)",
            "targetDate": today + timedelta(days=60),
            "createdAt": at(t.recovered + timedelta(days=21), 9),
        },
    ]
    return [Goal.model_validate({"id": story.new_id(), **spec}) for spec in specs]


def injuries(story: Story) -> list[Injury]:
    t = story.t
    finger = {
        "type": "A2 pulley strain",
        "bodyPart": "ring finger",
        "side": "right",
        "severity": 2,
        "date": t.onset,
        "expectedDurationDays": 42,
        "recovered": True,
        "recoveredDate": t.recovered,
        "notes": "Crimping on the board. Easy climbing from week 3, full crimp from week 6.",
        "createdAt": at(t.onset, 22),
        "updatedAt": at(t.recovered, 20),
    }
    shoulder = {
        "type": "shoulder strain",
        "bodyPart": "shoulder",
        "side": "left",
        "date": t.shoulder,
        "expectedDurationDays": 21,
        "notes": "Ache after wide compression on the board; full range of motion.",
        "createdAt": at(t.shoulder, 22),
        "updatedAt": at(t.shoulder, 22),
    }
    return [Injury.model_validate({"id": story.new_id(), **spec}) for spec in (finger, shoulder)]


def _day(kind: str, focus: str, minutes: int, intensity: str = "low") -> dict[str, Any]:
    return {"type": kind, "focus": focus, "duration": minutes, "intensity": intensity}


def plans(story: Story) -> list[TrainingPlan]:
    """The finished return-to-climbing plan, and the active power block."""
    t = story.t
    start = t.today - timedelta(days=20 + t.today.weekday())
    rehab = {
        "tuesday": _day("climb", "jugs, open hand from week 3", 60),
        "thursday": _day("strength", "finger rolls, antagonists", 45),
        "saturday": _day("climb", "easy volume, no crimps", 60),
    }
    power = {
        "tuesday": _day("climb", "limit boulders V5–V7", 120, "high"),
        "wednesday": _day("hangboard", "MaxHangs 20 mm half crimp", 45, "high"),
        "thursday": _day(
            "board", "power; no wide compression until the shoulder settles", 90, "high"
        ),
        "friday": _day("mobility", "shoulders and hips", 30),
        "saturday": _day("climb", "outdoor projects", 180, "moderate"),
    }
    specs: list[dict[str, Any]] = [
        {
            "name": "Return to climbing: ring finger A2",
            "weeklyStructure": rehab,
            "goals": ["pain-free open hand", "full crimp by week 6"],
            "startDate": t.onset + timedelta(days=7),
            "endDate": t.recovered,
            "active": False,
            "createdAt": at(t.onset + timedelta(days=7), 9),
            "updatedAt": at(t.onset + timedelta(days=7), 9),
        },
        {
            "name": "Power block: outdoor V6",
            "weeklyStructure": power,
            "goals": ["send V6 outdoors", "+20 kg max hang"],
            "startDate": start,
            "endDate": start + timedelta(weeks=8),
            "createdAt": at(start, 9),
            "updatedAt": at(start, 9),
        },
    ]
    return [TrainingPlan.model_validate({"id": story.new_id(), **spec}) for spec in specs]


def food(story: Story) -> list[NutritionLogIn]:
    """The last two weeks of meals; two long training days skip lunch (under-fuelled)."""
    rng, today = story.rng, story.t.today
    trained = {entry.date for entry in story.sessions if (entry.rpe or 0) >= 5}
    logs = []
    for back in range(FOOD_LOG_DAYS, 0, -1):
        day = today - timedelta(days=back)
        training = day in trained
        plan = [("breakfast", rng.choice(BREAKFASTS), time(7, 30))]
        if not (training and back in (4, 9)):
            plan.append(("lunch", rng.choice(LUNCHES), time(12, 30)))
        if training:
            plan += [("pre_workout", PRE, time(17, 30)), ("post_workout", POST, time(20, 30))]
        else:
            plan.append(("snack", SNACK, time(16, 0)))
        plan.append(("dinner", rng.choice(DINNERS), time(21, 0) if training else time(19, 0)))
        meals = []
        for meal_type, (name, kcal, protein, carbs, fat), when in plan:
            scale = rng.uniform(0.9, 1.1)
            meals.append(
                {
                    "mealType": meal_type,
                    "name": name,
                    "time": when,
                    "calories": round(kcal * scale),
                    "proteinG": round(protein * scale),
                    "carbsG": round(carbs * scale),
                    "fatG": round(fat * scale),
                }
            )
        water = rng.randrange(2800, 3700, 100) if training else rng.randrange(2000, 2700, 100)
        logs.append(
            NutritionLogIn.model_validate(
                {
                    "date": day,
                    "meals": meals,
                    "hydrationMl": water,
                    "supplements": ["creatine 5 g", "vitamin D 1000 IU"],
                }
            )
        )
    return logs


def _weekly_load(story: Story, end: date) -> float:
    start = end - timedelta(days=6)
    return sum(e.session_load or 0 for e in story.sessions if start <= e.date <= end)


def chat(story: Story) -> list[ChatMessage]:
    """Four exchanges at the story's turning points; the figures come from the sessions."""
    t = story.t
    last = t.today - timedelta(days=1)
    acute = _weekly_load(story, last)
    chronic = sum(_weekly_load(story, last - timedelta(days=7 * k)) for k in range(4)) / 4
    turns = [
        (
            t.first_v6 + timedelta(days=1),
            "Sent my first V6 last night! What should I work on next?",
            "Congratulations, that's your first V6 on record. Before chasing V7, build the base "
            "under it: about 8 climbs at V4 and 4 at V5 for your 2 V6s. Keep the board to once "
            "a week so your fingers get 48–72 h between hard sessions.",
        ),
        (
            t.onset,
            "Felt a tweak in my right ring finger on a crimp tonight. No pop, a bit swollen.",
            "Stop crimping for now. I can't diagnose it: if you felt a pop, it swells a lot or "
            "hurts at 5/10 in daily life, see a clinician within days. For a grade II pulley "
            "strain the usual path is easy climbing from about 4 weeks, full from 6–8 weeks.",
        ),
        (
            t.first_v7 + timedelta(days=1),
            "V7!!! The cave problem finally went.",
            "Huge: your first V7, a few weeks after getting back on V6 after the injury. "
            "Repeat some V6s before the next limit block.",
        ),
        (
            last,
            "Shoulder still a bit sore after the board. Should I train tomorrow?",
            # Rounded as the analytics round (half up), so the quote matches /stats.
            f"Your last 7 days add up to {rounded(acute):,.0f} AU against a 4-week average of "
            f"{rounded(chronic):,.0f} AU. With the shoulder still open, keep tomorrow to easy "
            "vertical climbing and skip wide compression and the board until it settles.",
        ),
    ]
    messages = []
    for day, question, answer in turns:
        asked = at(day, 21, 10)
        for offset, role, content in ((0, "user", question), (20, "assistant", answer)):
            body = {"id": story.new_id(), "role": role, "content": content}
            ts = asked + timedelta(seconds=offset)
            messages.append(ChatMessage.model_validate({**body, "ts": ts}))
    return messages
