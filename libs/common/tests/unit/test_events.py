import json
from pathlib import Path

from medins_common.events.asyncapi import asyncapi_document
from medins_common.events.catalog import EVENT_TYPES, TOPICS

ARCHITECTURE_EVENTS = {
    "PersonRegistered",
    "PersonChanged",
    "InstitutionUpserted",
    "FilingCreated",
    "FilingChanged",
    "FilingCancelled",
    "ChronicRegistrationChanged",
    "ReferralIssued",
    "ReferralRevoked",
    "BillSettled",
    "BillReversed",
    "ClearingPeriodClosed",
}


def test_every_event_of_the_contract_has_a_schema_a_topic_and_a_key():
    assert set(EVENT_TYPES) == ARCHITECTURE_EVENTS
    for cls in EVENT_TYPES.values():
        assert cls.topic in TOPICS
        assert cls.topic.endswith(".v1")
        assert cls.key_field in cls.model_fields


def test_no_event_carries_a_national_id_number():
    for cls in EVENT_TYPES.values():
        assert not {"id_no", "id_number", "certno"} & set(cls.model_fields)


def test_the_published_asyncapi_document_is_current():
    committed = Path(__file__).parents[4] / "docs" / "asyncapi.json"
    assert json.loads(committed.read_text()) == asyncapi_document(), "run `make asyncapi`"
