"""Prometheus metrics shared by every service (exposed on /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published", ["service"])
OUTBOX_FAILURES = Counter("outbox_publish_failures_total", "Failed relay batches", ["service"])
OUTBOX_PENDING = Gauge(
    "outbox_pending", "Unpublished outbox rows at the last empty poll", ["service"]
)
EVENTS_CONSUMED = Counter("events_consumed_total", "Events applied", ["consumer", "event_type"])
EVENTS_DUPLICATE = Counter(
    "events_duplicate_total", "Redeliveries skipped by the inbox", ["consumer"]
)
CONSUMER_FAILURES = Counter(
    "consumer_failures_total", "Handler attempts that failed", ["consumer", "event_type"]
)
EVENTS_DEAD_LETTERED = Counter("events_dead_lettered_total", "Events parked", ["consumer"])
