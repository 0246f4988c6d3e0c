"""App tables of reports: per-workspace branding, report schedules and their deliveries.

- ``report_branding``: display name, colours and logo (bytes + media type) of a workspace's
  reports. One row per workspace; absent means the defaults.
- ``report_schedules``: a workspace's recurring report (weekly or monthly), its format, the
  folder it is written to and who receives it by e-mail.
- ``report_deliveries``: one row per schedule and period, unique on (schedule, period): the row
  is claimed *before* the file is written and the mail sent, so two runners (or a re-run) never
  deliver the same period twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.domain.errors import NotFound

from . import Store
from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base

#: How long a claimed delivery may run before another run may take it over.
CLAIM_LEASE = timedelta(minutes=30)


def _now() -> datetime:
    return datetime.now(UTC)


class BrandingRow(Base):
    __tablename__ = "report_branding"
    workspace_id: Mapped[int] = ref("workspaces", primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    primary_colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    accent_colour: Mapped[str | None] = mapped_column(String(7), nullable=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ScheduleRow(Base):
    __tablename__ = "report_schedules"
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    cadence: Mapped[str] = mapped_column(String(10), nullable=False)
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    folder: Mapped[str] = mapped_column(Text, nullable=False)
    recipients: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = timestamp()


class DeliveryRow(Base):
    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("schedule_id", "period_key", name="uq_report_delivery"),)
    id: Mapped[int] = id_pk()
    schedule_id: Mapped[int] = ref("report_schedules", nullable=False)
    period_key: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)  # claimed | done
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    emailed_to: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = timestamp()


@dataclass(frozen=True)
class Branding:
    display_name: str | None = None
    primary_colour: str | None = None
    accent_colour: str | None = None
    logo: bytes | None = None
    logo_type: str | None = None


@dataclass(frozen=True)
class Schedule:
    id: int
    workspace_id: int
    cadence: str
    format: str
    folder: str
    recipients: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    schedule_id: int
    period_key: str
    status: str
    path: str | None
    emailed_to: str
    created_at: datetime


def _schedule(r: ScheduleRow) -> Schedule:
    recips = tuple(x for x in (r.recipients or "").split(",") if x)
    return Schedule(r.id, r.workspace_id, r.cadence, r.format, r.folder, recips, r.created_at)


class ReportsRepo:
    """Branding, schedules and deliveries; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- branding ---------------------------------------------------------------------------

    def branding(self, workspace_id: int) -> Branding:
        with self.store.session() as s:
            row = s.get(BrandingRow, workspace_id)
            if row is None:
                return Branding()
            return Branding(row.display_name, row.primary_colour, row.accent_colour, row.logo,
                            row.logo_type)

    def save_branding(self, workspace_id: int, b: Branding) -> None:
        with self.store.session() as s:
            row = s.get(BrandingRow, workspace_id)
            if row is None:
                row = BrandingRow(workspace_id=workspace_id)
                s.add(row)
            row.display_name = b.display_name
            row.primary_colour = b.primary_colour
            row.accent_colour = b.accent_colour
            row.logo = b.logo
            row.logo_type = b.logo_type

    # -- schedules --------------------------------------------------------------------------

    def add_schedule(self, workspace_id: int, cadence: str, fmt: str, folder: str,
                     recipients: tuple[str, ...]) -> Schedule:
        with self.store.session() as s:
            row = ScheduleRow(workspace_id=workspace_id, cadence=cadence, format=fmt,
                              folder=folder, recipients=",".join(recipients), created_at=_now())
            s.add(row)
            s.flush()
            return _schedule(row)

    def schedules(self, workspace_id: int | None = None) -> list[Schedule]:
        with self.store.session() as s:
            q = select(ScheduleRow).order_by(ScheduleRow.id)
            if workspace_id is not None:
                q = q.where(ScheduleRow.workspace_id == workspace_id)
            return [_schedule(r) for r in s.scalars(q)]

    def remove_schedule(self, workspace_id: int, schedule_id: int) -> None:
        with self.store.session() as s:
            row = s.get(ScheduleRow, schedule_id)
            if row is None or row.workspace_id != workspace_id:
                raise NotFound(f"schedule: no schedule {schedule_id} in this workspace")
            s.execute(delete(DeliveryRow).where(DeliveryRow.schedule_id == schedule_id))
            s.delete(row)

    # -- deliveries -------------------------------------------------------------------------

    def claim(self, schedule_id: int, period_key: str, lease: timedelta = CLAIM_LEASE) -> bool:
        """Claim a (schedule, period); False when it is delivered or claimed by a live run.

        A claim older than ``lease`` that never finished belongs to a run that died (killed
        mid-render): it is taken over with one conditional update, so only one runner wins.
        """
        now = _now()
        try:
            with self.store.session() as s:
                s.add(DeliveryRow(schedule_id=schedule_id, period_key=period_key,
                                  status="claimed", emailed_to="", created_at=now))
        except IntegrityError:
            with self.store.session() as s:
                taken = s.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.schedule_id == schedule_id,
                           DeliveryRow.period_key == period_key,
                           DeliveryRow.status == "claimed",
                           DeliveryRow.created_at < now - lease)
                    .values(created_at=now))
                return bool(getattr(taken, "rowcount", 0) == 1)
        return True

    def finish(self, schedule_id: int, period_key: str, path: str, emailed_to: str) -> None:
        with self.store.session() as s:
            s.execute(update(DeliveryRow)
                      .where(DeliveryRow.schedule_id == schedule_id,
                             DeliveryRow.period_key == period_key)
                      .values(status="done", path=path, emailed_to=emailed_to))

    def release(self, schedule_id: int, period_key: str) -> None:
        """Give a claim back after a failure, so the next run tries the period again."""
        with self.store.session() as s:
            s.execute(delete(DeliveryRow).where(DeliveryRow.schedule_id == schedule_id,
                                                DeliveryRow.period_key == period_key,
                                                DeliveryRow.status == "claimed"))

    def deliveries(self, schedule_id: int) -> list[Delivery]:
        with self.store.session() as s:
            rows = s.scalars(select(DeliveryRow).where(DeliveryRow.schedule_id == schedule_id)
                             .order_by(DeliveryRow.id))
            return [Delivery(r.schedule_id, r.period_key, r.status, r.path, r.emailed_to,
                             r.created_at) for r in rows]
