"""Imports every model so SQLAlchemy and Alembic know the whole schema."""

from wcc.audit.models import AuditEvent  # noqa: F401
from wcc.auth.models import ApiToken, RecoveryCode, SignInThrottle, User, UserSession  # noqa: F401
from wcc.dashboards.models import AreaPeriod, DataVersion, MemberPeriod, MemberSeries  # noqa: F401
from wcc.designations.models import Designation, DesignationReport  # noqa: F401
from wcc.documents.models import Document, DocumentVersion  # noqa: F401
from wcc.goals.models import Goal, Target  # noqa: F401
from wcc.initiatives.models import Category, Craft, Initiative, InitiativeFile, Milestone, Partner  # noqa: F401
from wcc.notifications.models import (  # noqa: F401
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationPreference,
)
from wcc.orgs.models import Organisation  # noqa: F401
from wcc.reporting.models import ProgressReport, ReportComment, ReportEvidence  # noqa: F401
from wcc.uploads.models import StoredFile  # noqa: F401
