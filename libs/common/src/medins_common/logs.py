"""Structured JSON logs carrying the correlation id; national ID numbers are scrubbed."""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

from medins_common.context import correlation_id_var

# An 18-character resident ID number (17 digits and a digit or X). Scrubbed from every log
# line as a last line of defence: code must not log one in the first place.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def scrub(text: str) -> str:
    return _ID_NUMBER.sub("[id-number]", text)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.correlation_id = correlation_id_var.get()
        return True


class _ScrubbingFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure_logging(*, service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(
        _ScrubbingFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
