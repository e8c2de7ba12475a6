"""TOTP secrets encrypted at rest

Revision ID: 8e4cd2f4332c
Revises: c4d2e6f1a9b7
Create Date: 2026-12-01 05:40:00

``users.totp_secret`` now holds a Fernet token made with a key derived from the secret key
(``wcc.auth.encryption``) instead of the plain base32 secret; the column grows to fit it.
Existing secrets are encrypted with the secret key the migration runs under, so run it with
the application's ``WCC_SECRET_KEY``. Downgrading decrypts them again.
"""
from alembic import op
import sqlalchemy as sa

from wcc.auth.encryption import decrypt, encrypt, is_encrypted


# revision identifiers, used by Alembic.
revision = '8e4cd2f4332c'
down_revision = 'c4d2e6f1a9b7'
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None)))
    for user_id, value in rows.all():
        new = change(value)
        if new != value:
            bind.execute(users.update().where(users.c.id == user_id).values(totp_secret=new))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    _rewrite(lambda value: value if is_encrypted(value) else encrypt(value))


def downgrade():
    _rewrite(lambda value: decrypt(value) if is_encrypted(value) else value)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
