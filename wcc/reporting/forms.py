from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField

from wcc.forms import CleanTextAreaField, MultiCheckboxField, NumberField, required
from wcc.reporting.models import Status

STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SUBMITTED: _l("Submitted"),
    Status.REVIEWED: _l("Reviewed by the province"),
    Status.APPROVED: _lp("report status", "Approved"),
    Status.RETURNED: _l("Returned"),
}
STATUS_STYLES = {
    Status.DRAFT: "secondary",
    Status.SUBMITTED: "primary",
    Status.REVIEWED: "info",
    Status.APPROVED: "success",
    Status.RETURNED: "warning",
}


class ReportForm(FlaskForm):
    """Value, narrative and linked initiatives; goal, period and organisation are chosen on new reports only."""

    goal = SelectField(_l("Goal"), validate_choice=False)
    period = SelectField(_l("Period"), validate_choice=False)
    org = SelectField(_l("Organisation"), validate_choice=False)
    value = NumberField(_l("Value"), render_kw={"inputmode": "decimal", "autocomplete": "off", "data-number": ""},
                        description=_l("Persian or Latin digits, with or without separators: "
                                       "۱۲٬۵۰۰, 12 500 and 12500 are the same."))
    narrative = CleanTextAreaField(_l("What was done"), max_length=20_000,
                                   description=_l("What happened in this period, who took part, and what "
                                                  "the evidence shows."))
    initiatives = MultiCheckboxField(_l("Linked initiatives"), validate_choice=True,
                                     description=_l("The initiatives of your organisation behind this value."))
    evidence = MultipleFileField(_l("Evidence"),
                                 render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
    version = HiddenField()


class CommentForm(FlaskForm):
    body = CleanTextAreaField(_l("Comment"), [required()], max_length=5000)


class DecisionForm(FlaskForm):
    """A workflow step; ``comment`` is required to return a report, and is the reason to reopen one."""

    comment = CleanTextAreaField(_l("Comment"), max_length=5000)
    version = HiddenField()


HISTORY_LABELS = {
    "report.create": _l("Report started"),
    "report.update": _l("Report changed"),
    "report.submit": _l("Submitted for review"),
    "report.review": _l("Reviewed by the province"),
    "report.approve": _l("Approved"),
    "report.return": _l("Returned with a comment"),
    "report.reopen": _l("Reopened"),
    "report.comment": _l("Comment added"),
    "report.evidence_add": _l("Evidence added"),
    "report.evidence_remove": _l("Evidence removed"),
    "report.refused": _l("A step was refused"),
}

#: The workflow steps by the names of their buttons (the buttons, and a refused step in the history).
STEP_LABELS = {
    "submit": _l("Submit for review"),
    "review": _l("Mark as reviewed"),
    "approve": _l("Approve"),
    "return": _l("Return with comment"),
    "reopen": _l("Reopen"),
}
