"""`/nutrition` on a real table with a fixed clock: setting the profile (merged, undoable) with
the targets listed as yours or computed and how; showing them with today's intake; refusals
that write nothing."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.frames import Reply, Saved
from store.records.journal import JournalEntryIn
from store.repos import JournalRepo, NutritionProfileRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def set_profile(chat: Harness, args: str) -> tuple[Saved, Reply]:
    """The `saved` frame (to every tab) and the `reply` (to the asker) of `/nutrition args`."""
    out = await chat.say(f"/nutrition {args}")
    assert [type(o.frame) for o in out] == [Saved, Reply], out
    saved, reply = out[0].frame, out[1].frame
    assert isinstance(saved, Saved)
    assert isinstance(reply, Reply)
    assert out[0].to_all
    assert not out[1].to_all
    return saved, reply


async def test_setting_the_profile_saves_it_and_lists_each_target_with_how(chat: Harness) -> None:
    saved, reply = await set_profile(
        chat,
        "weight 68kg height 170cm age 30 sex female activity moderate goal maintain vegetarian",
    )
    assert saved.kind == "nutrition_profile"
    assert saved.undo
    assert saved.item["weight"] == 68
    assert saved.item["dietaryRestrictions"] == ["vegetarian"]
    daily = saved.item["daily"]  # the targets, as GET /nutrition/profile gives them
    assert daily["calories"]["source"] == "computed"
    assert daily["bmr"] == 1432  # Mifflin–St Jeor: 10×68 + 6.25×170 − 5×30 − 161
    stored = await NutritionProfileRepo(chat.table).get("alice")
    assert stored.weight_kg == 68

    lines = reply.text.splitlines()
    assert lines[0] == (
        "Nutrition profile: 68 kg, 170 cm, age 30, female · goal maintain · activity moderate · "
        "vegetarian"
    )
    assert lines[1] == "Your daily targets:"
    calories = lines[2]
    assert calories.startswith("- Calories: 2,220 kcal, computed: Mifflin–St Jeor BMR 1,432 kcal")
    assert lines[3].startswith("- Protein: 109 g, computed: 1.6 g/kg × 68 kg")
    assert [line.split(":")[0] for line in lines[2:7]] == [
        "- Calories",
        "- Protein",
        "- Carbs",
        "- Fat",
        "- Water",
    ]
    assert "To compute every target" not in reply.text  # nothing is missing
    assert "Today so far" not in reply.text  # that is for /nutrition alone
    assert reply.data is not None
    assert reply.data["daily"] == daily


async def test_a_cut_is_a_modest_deficit_never_under_the_bmr(chat: Harness) -> None:
    _, reply = await set_profile(chat, "weight 68kg height 170cm age 30 sex female goal cut")
    assert "- Calories: 2,000 kcal, computed:" in reply.text
    assert (
        "A cut here is a modest deficit: 220 kcal under maintenance, never under your BMR of "
        "1,432 kcal." in reply.text
    )


async def test_a_target_weight_the_coach_will_not_work_toward_is_named(chat: Harness) -> None:
    _, reply = await set_profile(chat, "weight 60kg height 170cm target 45kg")
    assert "A target weight of 45 kg is under a BMI of 18.5 for your height" in reply.text
    assert "I won't work toward it." in reply.text


async def test_missing_fields_are_named_with_a_command_that_sets_them(chat: Harness) -> None:
    _, reply = await set_profile(chat, "weight 68kg")
    assert "- Calories: not computed yet (needs weight, height, age and sex" in reply.text
    assert "- Protein: 109 g, computed:" in reply.text
    assert reply.text.splitlines()[-1] == (
        "To compute every target, add your height, age and sex (for the BMR equation), "
        "e.g. /nutrition height 170cm age 30 sex female"
    )


async def test_own_targets_are_yours_and_the_rest_computed(chat: Harness) -> None:
    await set_profile(chat, "weight 68kg height 170cm age 30 sex female")
    saved, reply = await set_profile(chat, "calories 2400 protein 130g")
    assert "- Calories: 2,400 kcal, yours" in reply.text
    assert "- Protein: 130 g, yours" in reply.text
    assert "- Fat: " in reply.text
    assert ", computed: " in reply.text.split("- Fat: ")[1].splitlines()[0]
    assert saved.item["targets"] == {"calories": 2400, "proteinG": 130}

    saved, reply = await set_profile(chat, "targets auto")
    assert "targets" not in saved.item
    assert "yours" not in reply.text
    assert saved.item["weight"] == 68  # what was not named stays


async def test_undo_puts_the_previous_profile_back(chat: Harness) -> None:
    first, _ = await set_profile(chat, "weight 68kg goal maintain")
    second, _ = await set_profile(chat, "weight 66kg goal cut vegan")
    assert (second.item["weight"], second.item["goal"]) == (66, "cut")

    undone = await chat.saved(f"/undo {second.undo}")
    assert undone.item == {"undone": "nutrition_profile", "id": "profile"}
    back = await NutritionProfileRepo(chat.table).get("alice")
    assert (back.weight_kg, back.goal.value, back.dietary_restrictions) == (68, "maintain", [])

    await chat.saved(f"/undo {first.undo}")  # the first write had no profile before it
    assert await NutritionProfileRepo(chat.table).find("alice") is None


async def test_undo_after_a_later_change_is_a_conflict(chat: Harness) -> None:
    first, _ = await set_profile(chat, "weight 68kg")
    await set_profile(chat, "weight 67kg")
    error = await chat.error(f"/undo {first.undo}")
    assert error.code == "conflict"
    assert (await NutritionProfileRepo(chat.table).get("alice")).weight_kg == 67


async def test_showing_gives_the_targets_and_todays_intake_so_far(chat: Harness) -> None:
    await set_profile(chat, "weight 68kg height 170cm age 30 sex female")
    await chat.saved("/meal lunch 650kcal protein 35 fat 20")
    await chat.saved("/meal snack apple")
    await chat.saved("/water 1l")
    await chat.saved("/supplement creatine 5g")
    await chat.saved("/meal dinner 900kcal yesterday")  # another day: not today's

    reply = await chat.reply("/nutrition")
    lines = reply.text.splitlines()
    assert lines[0].startswith("Nutrition profile: 68 kg")
    assert "- Calories: 2,220 kcal, computed:" in reply.text
    assert reply.data is not None
    fat = reply.data["daily"]["fatG"]["value"]  # energy left after protein and carbs
    assert lines[-2] == (
        "Today so far (2 meals): calories 650 of 2,220 kcal · protein 35 of 109 g · "
        f"carbs not logged · fat 20 of {fat:,.0f} g · water 1,000 of 2,900 ml"
    )
    assert lines[-1] == "Supplements today: creatine 5g"
    assert reply.data["today"]["date"] == TODAY.isoformat()
    assert reply.data["profile"]["weight"] == 68


async def test_showing_an_empty_profile_says_what_to_add(chat: Harness) -> None:
    reply = await chat.reply("/nutrition")
    assert reply.text.startswith("Your nutrition profile is empty.\nYour daily targets:")
    assert (
        "To compute every target, add your weight, height, age and sex (for the BMR equation), "
        "e.g. /nutrition weight 68kg height 170cm age 30 sex female" in reply.text
    )
    assert reply.text.endswith(
        "Today so far: nothing logged yet. Add a meal: /meal lunch 650kcal protein 35 carbs 80 "
        "fat 20"
    )
    assert await chat.user_items() == []  # showing writes nothing


async def test_the_training_logged_scales_the_carbs(chat: Harness) -> None:
    journal = JournalRepo(chat.table)
    for back in range(7):  # two hours a day for the last week
        day = TODAY - timedelta(days=back)
        entry = JournalEntryIn(date=day, session_type="gym", duration_minutes=120, rpe=6)
        await journal.create("alice", entry)
    _, reply = await set_profile(chat, "weight 68kg")
    assert "- Carbs: 476 g, computed: 3 g/kg + 2 g/kg × 2 h of training a day" in reply.text


async def test_aliases_reach_the_same_command(chat: Harness) -> None:
    assert (await chat.reply("/fuel")).text.startswith("Your nutrition profile is empty.")
    assert (await chat.reply("/targets")).text.startswith("Your nutrition profile is empty.")


async def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(
    chat: Harness,
) -> None:
    for args, expected in [
        ("weight 5kg", "Weight 5 kg: must be at least 25 kg"),
        ("age 200", "Age 200: must be at most 100 years"),
        ("goal shred", "Goal: 'shred' is not one of maintain, cut, bulk, recomp"),
        ("weight 68kg goal shred", "Goal: 'shred'"),  # nothing of a refused line is written
    ]:
        error = await chat.error(f"/nutrition {args}")
        assert error.code == "invalid_entry"
        assert expected in error.message
        assert "e.g. /nutrition weight 68kg" in error.message
    assert await chat.user_items() == []
