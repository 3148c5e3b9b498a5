"""Structured logs: one line per event, carrying the request id and actor of the context."""

import logging
import re
from collections.abc import Mapping

import structlog


def _add_request_context(_logger, _name, event_dict):
    from portal.context import current

    ctx = current()
    if ctx.request_id:
        event_dict.setdefault("request_id", ctx.request_id)
    event_dict.setdefault("via", ctx.via)
    return event_dict


STATUS_LINK = re.compile(r"(/status/)[^/\s?#\"'<>]+")


def redact_status_links(text: str) -> str:
    """``/status/<token>/`` → ``/status/[redacted]/``: a partner's link never reaches a log."""
    return STATUS_LINK.sub(r"\1[redacted]", text)


def _redacted(value):
    if isinstance(value, BaseException) and STATUS_LINK.search(str(value)):
        value = str(value)
    if isinstance(value, str):
        return redact_status_links(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


class RedactStatusLinks(logging.Filter):
    """Removes status-link tokens from a record's message and arguments (structlog's too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        record.msg = _redacted(msg if isinstance(msg, (str, dict)) else str(msg))
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True


def formatter(renderer: str = "console") -> logging.Formatter:
    """A stdlib formatter that renders records (ours and libraries') through structlog."""
    final = (
        structlog.processors.JSONRenderer()
        if renderer == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_request_context,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            final,
        ],
    )


structlog.configure(
    processors=[
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_context,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
