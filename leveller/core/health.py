"""GET /healthz: 200 when the database can write, the channel layer carries a message and the task queue is
being worked; 503 otherwise. It answers within 2 s whatever state the services are in.

- database: a real write (one UPDATE of a one-row table, committed), so a full disk or a read-only database
  fails here, not only a dead connection;
- channel layer: a message sent to a new channel and read back;
- tasks: 503 when a task has been due for longer than LEVELLER_HEALTH_TASK_DELAY_SECONDS and no worker
  has taken it (every worker is dead or stuck).

Each check runs with a deadline on its own small thread pool, so a hung database cannot hold up the answer
(nor the request threads). Anonymous callers (load balancers, monitors) get `{"status": …}` only; staff
signed in also see each check's details.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

DEADLINE = 1.5  # seconds for each check; they run side by side, so the answer comes within 2 s
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _reason(error: BaseException) -> str:
    return ((str(error).strip().splitlines() or [""])[0] or type(error).__name__)[:200]


def _database() -> dict:
    from leveller.core.models import HealthProbe

    started = time.perf_counter()
    try:
        with transaction.atomic():
            if not HealthProbe.objects.filter(pk=1).update(written_at=timezone.now()):
                HealthProbe.objects.create(pk=1)
    except Exception as error:
        return {"status": "error", "error": _reason(error)}
    finally:
        connection.close()  # a fresh connection next time: this thread may not be asked again for a while
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _tasks() -> dict:
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return {"status": "ok", "backend": "immediate"}
    from django_tasks_db.models import DBTaskResult, get_date_max

    from leveller.core.worker import TaskResultStatus

    try:
        limit = timezone.now() - dt.timedelta(seconds=settings.LEVELLER_HEALTH_TASK_DELAY_SECONDS)
        # Due since it was queued (run_after is the "no date" maximum) or since its run_after.
        due_late = Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
        waiting = DBTaskResult.objects.filter(due_late, status=TaskResultStatus.READY)
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as error:
        return {"status": "error", "error": _reason(error)}
    finally:
        connection.close()
    if oldest is not None:
        late = round((timezone.now() - oldest).total_seconds())
        return {"status": "error", "error": f"a due task has waited {late} s for a worker"}
    return {"status": "ok"}


async def _in_thread(check) -> dict:
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(asyncio.wrap_future(_checks.submit(check), loop=loop), timeout=DEADLINE)
    except TimeoutError:
        return {"status": "error", "error": f"no answer within {DEADLINE} s"}


async def _channel_layer() -> dict:
    layer = get_channel_layer()
    if layer is None:
        return {"status": "error", "error": "no channel layer configured"}
    started = time.perf_counter()
    try:
        async with asyncio.timeout(DEADLINE):
            channel = await layer.new_channel()
            await layer.send(channel, {"type": "health.ping"})
            message = await layer.receive(channel)
        if message.get("type") != "health.ping":
            return {"status": "error", "error": "unexpected message"}
    except TimeoutError:
        return {"status": "error", "error": f"no answer within {DEADLINE} s"}
    except Exception as error:
        return {"status": "error", "error": _reason(error)}
    return {"status": "ok", "backend": type(layer).__name__, "ms": round((time.perf_counter() - started) * 1000, 2)}


async def _is_staff(request) -> bool:
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return False

    def check() -> bool:
        try:
            user = request.user
            return bool(user.is_authenticated and user.is_active and user.is_staff_member)
        finally:
            connection.close()

    try:
        return await asyncio.wait_for(asyncio.wrap_future(_checks.submit(check)), timeout=0.4)
    except Exception:  # the database is away or slow: no details, same status
        return False


async def healthz(request):
    database, tasks, layer, staff = await asyncio.gather(
        _in_thread(_database), _in_thread(_tasks), _channel_layer(), _is_staff(request)
    )
    checks = {"database": database, "channel_layer": layer, "tasks": tasks}
    healthy = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ok" if healthy else "error"}
    if staff:
        body.update(checks)
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def ping(request):
    """Liveness: the process answers. No database, no session: the cheapest Django view there is."""
    return HttpResponse("ok", content_type="text/plain")
