from medins_common.events.catalog import EVENT_TYPES, TOPICS, event_class
from medins_common.events.envelope import Envelope, Event

__all__ = ["EVENT_TYPES", "TOPICS", "Envelope", "Event", "event_class"]
