"""`meta.sync_from` against a change still in flight when the walk ends (real concurrent transactions).

Writer A stamps a participant's `updated_at` and keeps its transaction open; writer B changes another
participant a second later and commits; the walk then reads B's change (the largest `updated_at` it sees)
but not A's, which commits after the walk. The next pass from "the largest updated_at seen" misses A's
change; the next pass from `meta.sync_from` finds it.
"""

import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from config.actors import Actor
from participants.services import participant_defer
from tests.api.test_cursor_pagination import walk
from tests.factories.participants import enrol
from tests.factories.partnerships import PartnershipFactory, cohort

ACTOR = Actor.command("sync-test")
PATH = "/api/v3/participants/ecf?sort=updated_at&page[per_page]=2"


def defer(person_id, lead_provider):
    participant_defer(
        participant_id=person_id,
        attributes={"course_identifier": "ecf-induction", "reason": "bereavement"},
        lead_provider=lead_provider,
        actor=ACTOR,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_next_pass_from_sync_from_finds_a_change_committed_after_the_walk(
    provider_client, lead_provider, settings
):
    settings.API_SYNC_SAFETY_MARGIN = 0  # the bound under test is the open transaction's start
    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    people = [enrol(partnership=partnership).training_record.participant_id for _ in range(4)]
    in_flight, written, commit = str(people[0]), threading.Event(), threading.Event()

    def writer_a():
        try:
            with transaction.atomic():
                defer(people[0], lead_provider)
                written.set()
                commit.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=writer_a)
    thread.start()
    try:
        assert written.wait(20)
        time.sleep(1.1)  # B's stamp falls in a later second than A's
        defer(people[1], lead_provider)
        seen, bodies = walk(provider_client, f"{PATH}&page[cursor]=")
    finally:
        commit.set()
        thread.join()

    assert sorted(seen) == sorted(map(str, people))
    by_id = {item["id"]: item for body in bodies for item in body["data"]}
    assert (
        by_id[in_flight]["attributes"]["ecf_enrolments"][0]["training_status"] == "active"
    )  # the old version
    largest_seen = max(item["attributes"]["updated_at"] for item in by_id.values())
    sync_from = bodies[-1]["meta"]["sync_from"]

    naive, _ = walk(provider_client, f"{PATH}&filter[updated_since]={quote(largest_seen)}&page[cursor]=")
    assert in_flight not in naive  # the pitfall the watermark exists for

    found, after = walk(provider_client, f"{PATH}&filter[updated_since]={quote(sync_from)}&page[cursor]=")
    assert in_flight in found
    latest = next(item for body in after for item in body["data"] if item["id"] == in_flight)
    assert latest["attributes"]["ecf_enrolments"][0]["training_status"] == "deferred"
