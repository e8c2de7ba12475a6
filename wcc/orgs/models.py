"""Organisations form a tree: the network, its provinces, their municipalities."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin
from wcc.extensions import db
from wcc.i18n.search import search_key

if TYPE_CHECKING:
    from wcc.auth.models import User


class OrgKind(enum.StrEnum):
    NETWORK = "network"
    PROVINCE = "province"
    MUNICIPALITY = "municipality"


class Settlement(enum.StrEnum):
    CITY = "city"
    VILLAGE = "village"


#: The kind of parent each kind of organisation must have.
PARENT_KIND = {
    OrgKind.NETWORK: None,
    OrgKind.PROVINCE: OrgKind.NETWORK,
    OrgKind.MUNICIPALITY: OrgKind.PROVINCE,
}

NETWORK_CODE = "WCC"


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        Index("ix_organisations_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    settlement: Mapped[str | None] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="IR")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # World Craft City / Village designation by the World Crafts Council, where held.
    wcc_year: Mapped[int | None] = mapped_column(Integer)
    wcc_craft_fa: Mapped[str | None] = mapped_column(String(200))
    wcc_craft_en: Mapped[str | None] = mapped_column(String(200))
    wcc_craft_ru: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Names and code folded for search (wcc.i18n.search), kept current on every save.
    search_text: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", back_populates="children"
    )
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")
    users: Mapped[list[User]] = relationship(back_populates="org")

    def name(self, locale: str) -> str:
        """The name in ``locale``, falling back to Persian, then English."""
        return getattr(self, f"name_{locale}", None) or self.name_fa or self.name_en

    def wcc_craft(self, locale: str) -> str | None:
        return getattr(self, f"wcc_craft_{locale}", None) or self.wcc_craft_en

    @property
    def is_designated(self) -> bool:
        return self.wcc_year is not None

    @property
    def province_id(self) -> int | None:
        """The province this organisation is, or belongs to; None for the network."""
        if self.kind == OrgKind.PROVINCE:
            return self.id
        if self.kind == OrgKind.MUNICIPALITY:
            return self.parent_id
        return None

    def search_key(self) -> str:
        return search_key(self.name_fa, self.name_en, self.name_ru, self.code)

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _keep_search_text(mapper, connection, org: Organisation) -> None:
    org.search_text = org.search_key()
