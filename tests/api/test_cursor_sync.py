"""A nightly sync while data changes: cursor walks miss nothing, page-number walks (the control) do.

Each run builds a provider's list, then walks it in small pages; between two page fetches it makes a few
random changes through the services: edits (a row moves to the end of `updated_at`), removals from the
provider's view (a school challenges a partnership; another provider voids a declaration this provider
sees) and inserts. At the end it compares what the walk saw with the list as it then stands:

- a row in the final list that the walk never saw is missing;
- for cursor walks, a row the walk saw only in an older version must be found by the next pass,
  `filter[updated_since]=<meta.sync_from>` (also a cursor walk).
"""

import random
from itertools import count
from urllib.parse import quote

import pytest

from config.actors import Actor
from declarations.services import declaration_void
from participants.services import participant_defer, participant_resume
from partnerships.services import partnership_challenge
from tests.factories.declarations import DeclarationFactory
from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory, cohort

pytestmark = pytest.mark.django_db

ACTOR = Actor.command("sync-test")
PER_PAGE = 3
SEEDS = [1, 2, 3]


class Walk:
    """One walk of a list, by cursor or by page number, calling `between()` before every page but the first."""

    def __init__(self, client, path: str, *, cursor: bool):
        self.client, self.path, self.cursor = client, path, cursor
        self.seen: dict[str, dict] = {}  # id → the last version the walk read
        self.sync_from = None

    def run(self, between) -> None:
        separator = "&" if "?" in self.path else "?"
        url = f"{self.path}{separator}page[per_page]={PER_PAGE}&page[cursor]="
        for page in count(1):
            if page > 1:
                between()
            if not self.cursor:
                url = f"{self.path}{separator}page[per_page]={PER_PAGE}&page[page]={page}"
            response = self.client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            for item in body["data"]:
                self.seen[item["id"]] = item
            if self.cursor:
                self.sync_from = body["meta"]["sync_from"]
                url = body["links"]["next"]
                if url is None:
                    return
            elif not body["data"]:
                return
            assert page < 200


def final_list(client, path: str) -> dict[str, dict]:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}page[per_page]=3000")
    return {item["id"]: item for item in response.json()["data"]}


def next_pass(client, path: str, sync_from: str) -> dict[str, dict]:
    separator = "&" if "?" in path else "?"
    walk = Walk(client, f"{path}{separator}filter[updated_since]={quote(sync_from)}", cursor=True)
    walk.run(lambda: None)
    return walk.seen


def outcome(client, path: str, walk: Walk) -> tuple[set, set]:
    """(missing ids, ids seen only in an older version and not found by the next pass)."""
    final = final_list(client, path)
    missing = set(final) - set(walk.seen)
    stale = {pk for pk, item in final.items() if pk in walk.seen and walk.seen[pk] != item}
    if walk.cursor and stale:
        found = next_pass(client, path, walk.sync_from)
        stale = {pk for pk in stale if found.get(pk) != final[pk]}
    return missing, stale


# --- participants ----------------------------------------------------------------------------------


class ParticipantWorld:
    """A provider's participants at a few schools, and the changes a sync may race with."""

    def __init__(self, lead_provider, rng: random.Random):
        self.lead_provider, self.rng = lead_provider, rng
        self.partnerships = [
            PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024)) for _ in range(6)
        ]
        self.people: dict = {}  # participant id → (partnership, training status)
        for _ in range(24):
            self.insert()

    def insert(self) -> None:
        live = [p for p in self.partnerships if p.status == "active"]
        partnership = self.rng.choice(live)
        person_id = enrol(partnership=partnership).training_record.participant_id
        self.people[person_id] = [partnership, "active"]

    def edit(self) -> None:
        """Defer or resume someone still listed: their `updated_at` moves to now."""
        listed = [pk for pk, (p, _) in self.people.items() if p.status == "active"]
        person_id = self.rng.choice(listed)
        entry = self.people[person_id]
        if entry[1] == "active":
            participant_defer(
                participant_id=person_id,
                attributes={"course_identifier": "ecf-induction", "reason": "bereavement"},
                lead_provider=self.lead_provider,
                actor=ACTOR,
            )
            entry[1] = "deferred"
        else:
            participant_resume(
                participant_id=person_id,
                attributes={"course_identifier": "ecf-induction"},
                lead_provider=self.lead_provider,
                actor=ACTOR,
            )
            entry[1] = "active"

    def remove(self) -> None:
        """A school challenges its partnership: its participants leave the list (the last school stays)."""
        live = [p for p in self.partnerships if p.status == "active"]
        if len(live) > 2:
            partnership = self.rng.choice(live)
            partnership_challenge(partnership=partnership, reason="mistake", actor=ACTOR)
            partnership.refresh_from_db()

    def change(self) -> None:
        for _ in range(self.rng.randint(1, 2)):
            self.rng.choice([self.edit, self.edit, self.insert, self.remove])()


def participant_walk(client, lead_provider, *, seed: int, sort: str, cursor: bool) -> tuple[set, set]:
    world = ParticipantWorld(lead_provider, random.Random(seed))
    path = "/api/v3/participants/ecf" + (f"?sort={sort}" if sort else "")
    walk = Walk(client, path, cursor=cursor)
    walk.run(world.change)
    return outcome(client, path, walk)


@pytest.mark.parametrize("sort", ["", "updated_at"], ids=["created_at", "updated_at"])
@pytest.mark.parametrize("seed", SEEDS)
def test_participant_cursor_walk_misses_nothing_while_data_changes(
    provider_client, lead_provider, settings, seed, sort
):
    settings.API_SYNC_SAFETY_MARGIN = 0  # nothing else writes here: the walk's start is the watermark

    missing, stale = participant_walk(provider_client, lead_provider, seed=seed, sort=sort, cursor=True)

    assert missing == set()
    assert stale == set()


@pytest.mark.parametrize(
    "sort", ["updated_at", "-updated_at", ""], ids=["updated_at", "-updated_at", "created_at"]
)
def test_participant_page_number_walks_miss_rows_while_data_changes(provider_client, lead_provider, sort):
    """The control: the same changes make the page-number walk skip rows (in the first seed that does)."""
    missing = set()
    for seed in SEEDS:
        missing, _ = participant_walk(provider_client, lead_provider, seed=seed, sort=sort, cursor=False)
        if missing:
            break

    assert missing


# --- declarations ----------------------------------------------------------------------------------


class DeclarationWorld:
    """The provider's own declarations, and another provider's live ones for people this provider trains
    (which it sees until they are voided)."""

    def __init__(self, lead_provider, other_provider, rng: random.Random):
        self.lead_provider, self.other_provider, self.rng = lead_provider, other_provider, rng
        self.own, self.others = [], []
        for _ in range(12):
            self.insert()

    def insert(self) -> None:
        if self.rng.random() < 0.5:
            self.own.append(DeclarationFactory(lead_provider=self.lead_provider))
        else:
            trained_here = enrol(lead_provider=self.lead_provider)
            self.others.append(DeclarationFactory(lead_provider=self.other_provider, enrolment=trained_here))

    def edit(self) -> None:
        """The provider voids one of its own: it stays listed, as voided, updated now."""
        live = [d for d in self.own if d.state == "submitted"]
        if live:
            declaration = self.rng.choice(live)
            self.own[self.own.index(declaration)] = declaration_void(declaration=declaration, actor=ACTOR)

    def remove(self) -> None:
        """The other provider voids one of its declarations: it leaves this provider's list."""
        live = [d for d in self.others if d.state == "submitted"]
        if live:
            declaration = self.rng.choice(live)
            self.others[self.others.index(declaration)] = declaration_void(
                declaration=declaration, actor=ACTOR
            )

    def change(self) -> None:
        for _ in range(self.rng.randint(1, 2)):
            self.rng.choice([self.edit, self.insert, self.remove, self.remove])()


def declaration_walk(client, lead_provider, other_provider, *, seed: int, cursor: bool) -> tuple[set, set]:
    world = DeclarationWorld(lead_provider, other_provider, random.Random(seed))
    path = "/api/v3/participant-declarations"
    walk = Walk(client, path, cursor=cursor)
    walk.run(world.change)
    return outcome(client, path, walk)


@pytest.mark.parametrize("seed", SEEDS)
def test_declaration_cursor_walk_misses_nothing_while_data_changes(
    provider_client, lead_provider, other_lead_provider, settings, seed
):
    settings.API_SYNC_SAFETY_MARGIN = 0

    missing, stale = declaration_walk(
        provider_client, lead_provider, other_lead_provider, seed=seed, cursor=True
    )

    assert missing == set()
    assert stale == set()


def test_declaration_page_number_walk_misses_rows_when_others_leave(
    provider_client, lead_provider, other_lead_provider
):
    """The control: another provider's voids make the page-number walk skip rows (first seed that does)."""
    missing = set()
    for seed in SEEDS:
        missing, _ = declaration_walk(
            provider_client, lead_provider, other_lead_provider, seed=seed, cursor=False
        )
        if missing:
            break

    assert missing
