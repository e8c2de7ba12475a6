"""Files kept with a form that came back with an error, so they need not be picked again.

A form with file fields that answers with an error keeps the files it received
in a staging area (``.staged/<id>/`` under the upload folder) and carries a
token in a hidden field (``kept_uploads``). The token is signed with the app's
secret, names the user it was issued to and expires after ``STAGE_SECONDS``;
another user's token, a forged one or an expired one keeps nothing. The files
are checked (and photos cleaned) once, when they arrive; the kept copy is the
checked one and is stored as it is when the form is finally saved.

Switching language on the re-shown form carries the token in the query string of
the same page (``?lang=en&kept_uploads=...``), so the form in the other language
lists the same files.

The re-shown form lists the kept files with a "remove" checkbox
(``kept_remove``). Saving claims the staging folder by renaming it, so two
submits of the same form cannot both attach its files: the second finds it
gone and attaches nothing. The claimed folder is removed once the request's
transaction commits and given back when it rolls back (the form is shown again
with the files still kept). ``flask sweep-uploads`` removes stages older than
``STAGE_SECONDS``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from PIL import Image
from sqlalchemy import event
from sqlalchemy.orm import Session

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.uploads.models import StoredFile
from wcc.uploads.services import (
    STAGED_DIR,
    CheckedFile,
    check_upload,
    storage_unavailable,
    store_checked,
    upload_root,
)

log = logging.getLogger(__name__)

#: How long kept files and their token live: longer than a session may stay idle.
STAGE_SECONDS = 2 * 3600
TOKEN_FIELD = "kept_uploads"
REMOVE_FIELD = "kept_remove"
PREVIEW_EDGE = 96
_SALT = "wcc.kept-uploads"
_STAGE_ID = re.compile(r"[0-9a-f]{32}")
_MANIFEST = "manifest.json"
_INFO_KEY = "wcc_claimed_stages"


@dataclass
class KeptFile:
    """One file kept with a form: what the form lists, and where the checked copy lies."""

    id: str
    field: str
    name: str
    kind: str
    content_type: str
    ext: str
    size: int
    width: int | None = None
    height: int | None = None
    preview: str | None = None  # a small JPEG as a data: URI, for photos

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _stages_root() -> Path:
    return upload_root() / STAGED_DIR


def _preview(thumbnail: bytes | None) -> str | None:
    if not thumbnail:
        return None
    with Image.open(io.BytesIO(thumbnail)) as image:
        image.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


class KeptUploads:
    """The files kept with one form, for one request.

    ``fields`` maps each file field of the form to the kinds it accepts
    ("image", "pdf"). Built from the request: a valid token opens its stage and
    drops the files ticked for removal.
    """

    def __init__(self, fields: dict[str, tuple[str, ...]], *, single: bool = False):
        self.fields = fields
        self.single = single  # one file per field: a new pick replaces the one kept
        self.stage_id: str | None = None
        self.files: list[KeptFile] = []
        self.expired = False
        self._dir: Path | None = None
        # A GET carries the token when the form was opened again in another language (static/js/wcc.js).
        token = request.form.get(TOKEN_FIELD, "") if request.method == "POST" else request.args.get(TOKEN_FIELD, "")
        if token:
            self._open(token)
        if self.files:
            removed = set(request.form.getlist(REMOVE_FIELD))
            if removed & {f.id for f in self.files}:
                for kept in [f for f in self.files if f.id in removed]:
                    for path in self._paths(kept):
                        path.unlink(missing_ok=True)
                self.files = [f for f in self.files if f.id not in removed]
                self._write_manifest()

    # --- reading a stage --------------------------------------------------------------------

    def _open(self, token: str) -> None:
        try:
            data = _serializer().loads(token[:500], max_age=STAGE_SECONDS)
        except SignatureExpired:
            self.expired = True
            return
        except BadSignature:
            return
        user_id = current_user.id if current_user.is_authenticated else None
        stage_id = data.get("s") if isinstance(data, dict) else None
        if user_id is None or data.get("u") != user_id or not isinstance(stage_id, str) \
                or not _STAGE_ID.fullmatch(stage_id):
            return
        path = _stages_root() / stage_id
        try:
            manifest = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # used by a submit that saved it, or swept: nothing is kept any more
        if manifest.get("user") != user_id:
            return
        self.stage_id, self._dir = stage_id, path
        self.files = [KeptFile(**item) for item in manifest.get("files", [])
                      if item.get("field") in self.fields]

    def _paths(self, kept: KeptFile) -> list[Path]:
        assert self._dir is not None
        return [self._dir / f"{kept.id}.{kept.ext}", self._dir / f"{kept.id}.thumb.jpg"]

    # --- keeping new files ------------------------------------------------------------------

    def keep_new(self, form) -> bool:
        """Check every file newly picked in the form's file fields and keep those that pass.

        A refused file puts its reason on its field and returns False; the others are kept.
        """
        ok = True
        for name in self.fields:
            field = getattr(form, name)
            refused = self.keep_field(name, field.name)
            if refused:
                field.errors = [*(field.errors or []), *refused]
                ok = False
        return ok

    def keep_field(self, name: str, input_name: str | None = None) -> list[str]:
        """Check and keep the files picked in one file input; the reasons of those refused."""
        refused = []
        for upload in [f for f in request.files.getlist(input_name or name) if getattr(f, "filename", "")]:
            try:
                checked = check_upload(upload, allow=self.fields[name], field=name)
            except ServiceError as exc:
                refused.append(exc.message)
                continue
            if self.single:
                for old in self.of(name):
                    for path in self._paths(old):
                        path.unlink(missing_ok=True)
                self.files = [f for f in self.files if f.field != name]
            try:
                self._add(name, checked)
            except OSError as exc:  # the upload folder is full or read-only: not kept, said so
                log.error("the upload folder refused a kept file: %s", exc)
                refused.append(storage_unavailable())
        return refused

    def _add(self, field: str, checked: CheckedFile) -> None:
        if self._dir is None:
            self.stage_id = secrets.token_hex(16)
            self._dir = _stages_root() / self.stage_id
            self._dir.mkdir(parents=True, exist_ok=True)
        kept = KeptFile(id=secrets.token_hex(8), field=field, name=checked.name, kind=checked.kind,
                        content_type=checked.content_type, ext=checked.ext, size=len(checked.data),
                        width=checked.width, height=checked.height, preview=_preview(checked.thumbnail))
        data_path, thumb_path = self._paths(kept)
        try:
            data_path.write_bytes(checked.data)
            if checked.thumbnail is not None:
                thumb_path.write_bytes(checked.thumbnail)
        except OSError:
            for path in (data_path, thumb_path):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            raise
        self.files.append(kept)
        self._write_manifest()

    def _write_manifest(self) -> None:
        if self._dir is None:
            return
        manifest = {"user": current_user.id, "files": [asdict(f) for f in self.files]}
        tmp = self._dir / f"{_MANIFEST}.{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        tmp.replace(self._dir / _MANIFEST)

    # --- what the form shows ----------------------------------------------------------------

    def of(self, field: str) -> list[KeptFile]:
        return [f for f in self.files if f.field == field]

    @property
    def token(self) -> str:
        """A fresh token for the re-shown form ("" when nothing is kept)."""
        if not self.files or self.stage_id is None:
            return ""
        if self._dir is not None and self._dir.is_dir():
            os.utime(self._dir / _MANIFEST)  # the stage lives as long as the token just issued
        return _serializer().dumps({"s": self.stage_id, "u": current_user.id})

    # --- saving -----------------------------------------------------------------------------

    def store(self) -> dict[str, list[StoredFile]]:
        """Claim the stage and store each kept file (as checked when it arrived), by field.

        Returns nothing for a stage another submit claimed first. The staged copies go
        when the transaction commits and stay kept when it rolls back.
        """
        stored: dict[str, list[StoredFile]] = {name: [] for name in self.fields}
        if not self.files or self._dir is None:
            return stored
        claimed = self._dir.with_name(f"{self._dir.name}.claimed-{secrets.token_hex(4)}")
        try:
            self._dir.rename(claimed)
        except OSError:
            return stored  # another submit of the same form claimed it first
        db.session().info.setdefault(_INFO_KEY, []).append((claimed, self._dir))
        original, self._dir = self._dir, claimed
        try:
            for kept in self.files:
                data_path, thumb_path = self._paths(kept)
                checked = CheckedFile(
                    name=kept.name, kind=kept.kind, content_type=kept.content_type, ext=kept.ext,
                    data=data_path.read_bytes(),
                    thumbnail=thumb_path.read_bytes() if thumb_path.exists() else None,
                    width=kept.width, height=kept.height)
                stored[kept.field].append(store_checked(checked))
        finally:
            self._dir = original
        return stored


@event.listens_for(Session, "after_commit")
def _claimed_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for claimed, _original in session.info.pop(_INFO_KEY, []):
        shutil.rmtree(claimed, ignore_errors=True)


@event.listens_for(Session, "after_transaction_end")
def _claimed_after_rollback(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    for claimed, original in session.info.pop(_INFO_KEY, []):
        try:
            claimed.rename(original)  # kept for the form shown again
        except OSError:
            shutil.rmtree(claimed, ignore_errors=True)


def expired_stages(older_than: float = STAGE_SECONDS) -> list[Path]:
    """Stages (kept or claimed) untouched for longer than their token lives."""
    root = _stages_root()
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than
    found = []
    for path in sorted(root.iterdir()):
        manifest = path / _MANIFEST
        try:
            touched = (manifest if manifest.exists() else path).stat().st_mtime
        except OSError:
            continue
        if touched < cutoff:
            found.append(path)
    return found


def expired_notice() -> str:
    return _("The files you attached before have expired; choose them again.")
