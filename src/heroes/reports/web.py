"""Pages and API of citizen reports: thin routes over heroes.reports.service, in two routers:
web_public (no account) and web_staff (reports:read / reports:manage), sharing web_common.

Public (no account; the form works without JavaScript, which only keeps a draft and copies the
receipt): the guided form, the receipt page, the public API.
Staff (reports:read / reports:manage): the ranked queue, the report page, exports, the staff API.
Nothing here reads or stores the client's address or user agent.

Routes that write (and reads, which write their audit entry) use DbSession, which commits when the
route returns and before the answer leaves (heroes.core.db), so a client's next request sees what it
was just told had been done. A new report commits early, before its answer is built, to free
SQLite's write lock sooner.
"""

from __future__ import annotations

from fastapi import APIRouter

from heroes.reports import web_public, web_staff
from heroes.reports.web_common import _occurred as _occurred  # named here by tests

router = APIRouter()
router.include_router(web_public.router)
router.include_router(web_staff.router)
