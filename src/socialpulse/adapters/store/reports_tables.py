"""App tables of reports: per-workspace branding, report schedules and their deliveries.

- ``report_branding``: display name, colours and logo (bytes + media type) of a workspace's
  reports. One row per workspace; absent means the defaults.
- ``report_schedules``: a workspace's recurring report (weekly or monthly), its format, the
  folder it is written to and who receives it by e-mail.
- ``report_deliveries``: one row per delivered schedule and period, unique on (schedule,
  period): what was written and who was e-mailed. Running a delivery once is the job queue's
  work (one job per schedule and period, keyed by both; `services/report_schedules.py`); rows
  with status ``claimed`` were left by the claim this table used to hold before the queue.
"""

from __future__ import annotations

from datetime import UTC, datetime

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

from socialpulse.domain.branding import Branding
from socialpulse.domain.errors import NotFound
from socialpulse.domain.schedules import Delivery, Schedule

from . import Store
from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


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
    status: Mapped[str] = mapped_column(String(10), nullable=False)  # done (claimed: old)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    emailed_to: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = timestamp()


def _schedule(r: ScheduleRow) -> Schedule:
    recips = tuple(x for x in (r.recipients or "").split(",") if x)
    created = r.created_at  # SQLite gives it back without its zone: UTC, as written
    created = created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
    return Schedule(r.id, r.workspace_id, r.cadence, r.format, r.folder, recips, created)


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

    def schedule(self, schedule_id: int) -> Schedule | None:
        with self.store.session() as s:
            row = s.get(ScheduleRow, schedule_id)
            return _schedule(row) if row is not None else None

    def delivered(self, schedule_id: int, period_key: str) -> bool:
        """Whether that period of the schedule was delivered (by the queue or before it)."""
        with self.store.session() as s:
            return s.scalar(select(DeliveryRow.id).where(
                DeliveryRow.schedule_id == schedule_id, DeliveryRow.period_key == period_key,
                DeliveryRow.status == "done")) is not None

    def record_delivery(self, schedule_id: int, period_key: str, path: str,
                        emailed_to: str) -> None:
        """Record a delivered period (a row left by an older run is completed, not doubled)."""
        values = {"status": "done", "path": path, "emailed_to": emailed_to}
        try:
            with self.store.session() as s:
                s.add(DeliveryRow(schedule_id=schedule_id, period_key=period_key,
                                  created_at=_now(), **values))
        except IntegrityError:
            with self.store.session() as s:
                s.execute(update(DeliveryRow).where(DeliveryRow.schedule_id == schedule_id,
                                                    DeliveryRow.period_key == period_key)
                          .values(**values))

    def deliveries(self, schedule_id: int) -> list[Delivery]:
        with self.store.session() as s:
            rows = s.scalars(select(DeliveryRow).where(DeliveryRow.schedule_id == schedule_id)
                             .order_by(DeliveryRow.id))
            return [Delivery(r.schedule_id, r.period_key, r.status, r.path, r.emailed_to,
                             r.created_at) for r in rows]
