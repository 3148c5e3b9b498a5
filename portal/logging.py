"""Structured logs: one line per event, carrying the request id and actor of the context."""

import logging

import structlog


def _add_request_context(_logger, _name, event_dict):
    from portal.context import current

    ctx = current()
    if ctx.request_id:
        event_dict.setdefault("request_id", ctx.request_id)
    event_dict.setdefault("via", ctx.via)
    return event_dict


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
