"""Words that reach templates as data (role names, job states), marked here for translation."""

from heroes.core.i18n import lazy_gettext as _l

ROLE_LABELS = {
    "anonymous": _l("anonymous"),
    "caseworker": _l("caseworker"),
    "investigator": _l("investigator"),
    "admin": _l("admin"),
}
JOB_STATE_LABELS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
    "interrupted": _l("interrupted"),
}
