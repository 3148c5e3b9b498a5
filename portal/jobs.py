"""Job records kept current by Celery signals, and the request context carried into tasks.

The job status page reads these rows; it never asks the broker. Bookkeeping failures are
logged and never stop the task itself.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task, uuid
from celery.signals import (
    beat_init,
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
)
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal import context
from portal.models import JobRun

log = logging.getLogger(__name__)
CONTEXT_HEADER = "portal_context"
_started: dict[str, tuple[float, Any]] = {}


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue a task once the current transaction commits (at once outside a transaction).

    A broker that cannot be reached does not fail what was already committed: the job is
    recorded as failed, with the reason, for the jobs page. Work the portal owes is saved
    before this (the outbox, the inbox), and beat's relay and sweep pick it up later."""
    transaction.on_commit(lambda: _send(task, args, kwargs))


def _send(task: Task, args: tuple, kwargs: dict) -> None:
    task_id = uuid()
    try:
        task.apply_async(args=args, kwargs=kwargs, task_id=task_id)
    except (OperationalError, OSError) as exc:
        log.error("Could not queue %s: %s", task.name, exc)
        _save(
            task_id,
            task_name=task.name,
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"Could not be queued (the broker did not answer): {exc}"[:2000],
        )


def _save(task_id: str, **values: Any) -> None:
    try:
        updated = JobRun.objects.filter(task_id=task_id).update(**values)
        if not updated:
            try:
                with transaction.atomic():
                    JobRun.objects.create(task_id=task_id, **values)
            except IntegrityError:
                JobRun.objects.filter(task_id=task_id).update(**values)
    except Exception:
        log.exception("Could not record job %s", task_id)


@before_task_publish.connect
def on_publish(sender: str | None = None, headers: dict | None = None, **kwargs: Any) -> None:
    if headers is None or "id" not in headers:
        return
    ctx = context.current()
    carried = ctx.for_task()
    headers[CONTEXT_HEADER] = carried
    retries = headers.get("retries") or 0
    values: dict[str, Any] = {"task_name": sender or headers.get("task", "")}
    if retries:
        values["state"] = JobRun.State.RETRYING
    else:
        values.update(
            state=JobRun.State.QUEUED,
            trigger=ctx.via,
            requested_by=carried["actor"]["name"],
            request_id=ctx.request_id,
            arguments=f"{headers.get('argsrepr', '')} {headers.get('kwargsrepr', '')}"[:1000],
            queued_at=timezone.now(),
        )
    _save(headers["id"], **values)


def _carried_context(task: Task) -> dict | None:
    request = task.request
    data = getattr(request, CONTEXT_HEADER, None)
    if data is None and isinstance(getattr(request, "headers", None), dict):
        data = request.headers.get(CONTEXT_HEADER)
    return data


@task_prerun.connect
def on_prerun(task_id: str, task: Task, **kwargs: Any) -> None:
    ctx = context.RequestContext.from_task(_carried_context(task))
    _started[task_id] = (time.monotonic(), context.activate(ctx))
    _save(
        task_id,
        task_name=task.name,
        state=JobRun.State.STARTED,
        started_at=timezone.now(),
        worker=task.request.hostname or "",
        attempts=(task.request.retries or 0) + 1,
    )


@task_postrun.connect
def on_postrun(
    task_id: str, task: Task, retval: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    began, token = _started.pop(task_id, (None, None))
    if token is not None:
        context.deactivate(token)
    values: dict[str, Any] = {"finished_at": timezone.now()}
    if began is not None:
        values["duration"] = round(time.monotonic() - began, 3)
    if state == "SUCCESS":
        values.update(
            state=JobRun.State.SUCCEEDED,
            result=repr(retval)[:2000] if retval else "",
            error="",
            traceback="",
        )
    elif state == "RETRY":
        values = {"state": JobRun.State.RETRYING}
    else:
        values["state"] = JobRun.State.FAILED
    _save(task_id, **values)


@task_failure.connect
def on_failure(task_id: str, exception: BaseException, einfo: Any = None, **kwargs: Any) -> None:
    _save(
        task_id,
        state=JobRun.State.FAILED,
        error=f"{type(exception).__name__}: {exception}"[:2000],
        traceback=str(einfo or "")[:20000],
    )


@task_retry.connect
def on_retry(request: Any = None, reason: Any = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "id", None):
        _save(request.id, state=JobRun.State.RETRYING, error=str(reason)[:2000])


@beat_init.connect
def on_beat_init(**kwargs: Any) -> None:
    context.set_process_default(
        context.RequestContext(via="beat", actor=context.Actor(context.SYSTEM, "scheduler"))
    )
