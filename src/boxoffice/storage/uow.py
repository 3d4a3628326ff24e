"""The unit of work: one transaction, the repositories bound to it, and the locks.

Services open one with `async with uow_factory(write=True) as uow:` and call
`await uow.commit()`; leaving the block without committing rolls everything
back, so a failed request writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection

from boxoffice.accounts.repository import AccountRepository, SessionRepository
from boxoffice.audit.domain import AuditEvent, AuditLog
from boxoffice.audit.repository import AuditRepository
from boxoffice.errors import Busy
from boxoffice.holds.repository import HoldRepository
from boxoffice.inventory.repository import ShowRepository
from boxoffice.orders.repository import OrderRepository
from boxoffice.notifications.repository import NotificationRepository
from boxoffice.refunds.repository import RefundRepository
from boxoffice.resale.repository import ListingRepository
from boxoffice.rules.repository import RulesRepository
from boxoffice.outbox.repository import OutboxRepository
from boxoffice.webhooks.repository import WebhookRepository
from boxoffice.payments.repository import PaymentRepository
from boxoffice.presale.repository import PresaleRepository
from boxoffice.vouchers.repository import VoucherRepository
from boxoffice.storage import locking
from boxoffice.storage.database import Database
from boxoffice.tickets.repository import TicketRepository
from boxoffice.transfers.repository import TransferRepository
from boxoffice.waitingroom.repository import WaitingRoomRepository
from boxoffice.waitlist.repository import WaitlistRepository

log = logging.getLogger("boxoffice.storage")


class UnitOfWork:
    accounts: AccountRepository
    sessions: SessionRepository
    shows: ShowRepository
    holds: HoldRepository
    orders: OrderRepository
    payments: PaymentRepository
    presales: PresaleRepository
    vouchers: VoucherRepository
    rooms: WaitingRoomRepository
    audit: AuditRepository
    # after the sale
    tickets: TicketRepository
    rules: RulesRepository
    refunds: RefundRepository
    transfers: TransferRepository
    listings: ListingRepository
    waitlist: WaitlistRepository
    notifications: NotificationRepository
    outbox: OutboxRepository
    webhooks: WebhookRepository

    def __init__(
        self, database: Database, *, write: bool, on_commit: CommitObserver | None = None
    ) -> None:
        self._database = database
        self._write = write
        self._committed = False
        self._on_commit = on_commit
        self._events = AuditLog()

    async def __aenter__(self) -> UnitOfWork:
        self._cm = self._database.transaction(write=self._write)
        try:
            conn: AsyncConnection = await self._cm.__aenter__()
        except Exception as exc:
            if locking.is_lock_timeout(exc):
                raise Busy() from exc
            raise
        self.conn = conn
        self.accounts = AccountRepository(conn)
        self.sessions = SessionRepository(conn)
        self.shows = ShowRepository(conn)
        self.holds = HoldRepository(conn, self._events)
        self.orders = OrderRepository(conn, self._events)
        self.payments = PaymentRepository(conn)
        self.presales = PresaleRepository(conn)
        self.vouchers = VoucherRepository(conn)
        self.rooms = WaitingRoomRepository(conn)
        self.audit = AuditRepository(conn)
        self.tickets = TicketRepository(conn, self._events)
        self.rules = RulesRepository(conn)
        self.refunds = RefundRepository(conn, self._events)
        self.transfers = TransferRepository(conn)
        self.listings = ListingRepository(conn, self._events)
        self.waitlist = WaitlistRepository(conn, self._events)
        self.notifications = NotificationRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.webhooks = WebhookRepository(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed and self.conn.in_transaction():
                await self.conn.rollback()
        finally:
            await self._cm.__aexit__(exc_type, exc, tb)
        if exc is not None and locking.is_lock_timeout(exc):
            raise Busy() from exc

    async def commit(self) -> None:
        """Write the audit events of this unit of work, then commit both together."""
        events = list(self._events.pending)
        await self.audit.write(events)
        await self.conn.commit()
        self._committed = True
        self._events.pending.clear()
        if self._on_commit is not None and events:
            notify_committed(self._on_commit, events)

    def record(self, event: AuditEvent) -> None:
        """An audit event written with this unit of work's commit."""
        self._events.add(event)

    async def lock_purchase(self, account_id: str, show_id: str) -> None:
        await locking.lock_purchase(self.conn, account_id, show_id)

    async def lock_section(self, section_id: str) -> bool:
        return await locking.lock_section(self.conn, section_id)

    async def lock_purchases(self, account_ids: list[str], show_id: str) -> None:
        await locking.lock_purchases(self.conn, account_ids, show_id)

    async def lock_section_free(self, section_id: str) -> int | None:
        return await locking.lock_section_free(self.conn, section_id)


UnitOfWorkFactory = Callable[..., UnitOfWork]
CommitObserver = Callable[[Sequence[AuditEvent]], None]


def notify_committed(observer: CommitObserver, events: Sequence[AuditEvent]) -> None:
    """Tell the observer (the metrics) what committed. Never raises: past the
    commit, an error would read as a failed transaction, and a batch that
    failed is decided again one request at a time."""
    try:
        observer(events)
    except Exception:  # noqa: BLE001 - logged; what committed stands
        log.exception("counting what a transaction committed failed")


def unit_of_work_factory(
    database: Database, on_commit: CommitObserver | None = None
) -> UnitOfWorkFactory:
    def factory(*, write: bool = False) -> UnitOfWork:
        return UnitOfWork(database, write=write, on_commit=on_commit)

    return factory
