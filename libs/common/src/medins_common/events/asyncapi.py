"""The event contract as an AsyncAPI 3.0 document, generated from the schemas.

``python -m medins_common.events.asyncapi > docs/asyncapi.json`` (``make asyncapi``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from medins_common.events.catalog import EVENT_TYPES
from medins_common.events.envelope import Envelope

# Who consumes each event (ARCHITECTURE.md, "Events"); the producer is the topic's prefix.
CONSUMERS: dict[str, list[str]] = {
    "PersonRegistered": ["settlement", "referral"],
    "PersonChanged": ["settlement", "referral"],
    "InstitutionUpserted": ["referral", "settlement"],
    "FilingCreated": ["settlement", "referral"],
    "FilingChanged": ["settlement", "referral"],
    "FilingCancelled": ["settlement", "referral"],
    "ChronicRegistrationChanged": ["settlement"],
    "ReferralIssued": ["filing", "settlement"],
    "ReferralRevoked": ["filing", "settlement"],
    "BillSettled": ["clearing", "referral"],
    "BillReversed": ["clearing", "referral"],
    "ClearingPeriodClosed": ["settlement"],
}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": Envelope.model_json_schema()}
    by_topic: dict[str, list[str]] = defaultdict(list)
    for name, cls in sorted(EVENT_TYPES.items()):
        by_topic[cls.topic].append(name)
        schemas[name] = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas[name].pop("$defs", None)
        messages[name] = {
            "name": name,
            "title": name,
            "summary": (cls.__doc__ or name).strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    h: {"type": "string"} for h in ("event_id", "event_type", "correlation_id")
                },
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": name},
                            "version": {"const": cls.version},
                            "payload": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
            "bindings": {
                "kafka": {"key": {"type": "string", "description": f"the {cls.key_field}"}}
            },
        }
    for topic, names in sorted(by_topic.items()):
        channel_id = topic.replace(".", "_")
        channels[channel_id] = {
            "address": topic,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
        producer = topic.split(".")[0]
        operations[f"{producer}_publishes_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"{producer} publishes through its transactional outbox",
        }
        for consumer in sorted({c for n in names for c in CONSUMERS[n]}):
            operations[f"{consumer}_consumes_{channel_id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{n}"}
                    for n in names
                    if consumer in CONSUMERS[n]
                ],
                "summary": f"{consumer} applies these through its inbox (exactly-once effects)",
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Cross-region settlement platform: event contract",
            "version": "1.0.0",
            "description": "Every message is an Envelope; event_id is the dedup key; the Kafka "
            "key is the aggregate id so one aggregate's events stay in order.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


if __name__ == "__main__":
    print(json.dumps(asyncapi_document(), indent=2, ensure_ascii=False, sort_keys=True))
