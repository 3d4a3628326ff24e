"""The composition root: settings -> database -> clock -> services.

Tests call `build_container` with fakes (a FakeClock, a FakeGateway, fast
password hashing) instead of patching import paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from boxoffice.accounts.passwords import Passwords
from boxoffice.accounts.service import AccountService
from boxoffice.audit.service import AuditService
from boxoffice.cache.base import Cache, MemoryCache, NullCache
from boxoffice.cache.local import LocalCache
from boxoffice.cache.metered import MeteredCache
from boxoffice.cache.redis import RedisCache
from boxoffice.cache.sessions import SessionCache
from boxoffice.cache.tickets import TicketCache
from boxoffice.clock import Clock, SystemClock
from boxoffice.email.service import EmailDeliverer
from boxoffice.email.smtp import Mailer
from boxoffice.webhooks.service import WebhookDeliverer, WebhookService
from boxoffice.holds.admission import AdmissionGate
from boxoffice.holds.batch_pg import postgres_batch_stores, postgres_replay
from boxoffice.holds.service import HoldService
from boxoffice.inventory.events import InventoryListener, Listeners
from boxoffice.inventory.service import InventoryService
from boxoffice.observability.metrics import Metrics
from boxoffice.orders.payments import FakeGateway, Gateways, PaymentGateway
from boxoffice.orders.service import OrderService
from boxoffice.orders.settle_pg import postgres_open, postgres_settle_stores
from boxoffice.outbox.domain import Backoff
from boxoffice.outbox.service import Deliver, OutboxWorker
from boxoffice.payments.pix import PixGateway
from boxoffice.payments.service import PaymentService
from boxoffice.presale.service import PresaleGate, PresaleService
from boxoffice.vouchers.service import VoucherService
from boxoffice.ratelimit import RateLimits
from boxoffice.settings import Settings
from boxoffice.storage.database import Database
from boxoffice.storage.uow import unit_of_work_factory
from boxoffice.waitingroom.redis_store import RedisQueueStore
from boxoffice.waitingroom.service import WaitingRoomService
from boxoffice.waitingroom.store import MemoryQueueStore, QueueStore
from boxoffice.waitingroom.tokens import AdmissionTokens, PlaceTokens
from boxoffice.checkin.service import CheckinService
from boxoffice.notifications.service import NotificationService
from boxoffice.refunds.service import RefundService
from boxoffice.resale.service import ResaleService
from boxoffice.rules.service import RulesService
from boxoffice.transfers.service import TransferService
from boxoffice.waitlist.service import WaitlistService


@dataclass
class AfterSale:
    """Issue 19: what happens after a ticket is sold."""

    rules: RulesService
    refunds: RefundService
    transfers: TransferService
    resale: ResaleService
    waitlist: WaitlistService
    checkin: CheckinService
    notifications: NotificationService


def after_sale(uow, clock: Clock, gateway: PaymentGateway, listeners: Listeners,  # type: ignore[no-untyped-def]
               secret: bytes, settings: Settings) -> AfterSale:  # fmt: skip
    waitlist = WaitlistService(uow, clock, listeners)
    refunds = RefundService(uow, clock, gateway, listeners, returned=waitlist.offer)
    return AfterSale(
        rules=RulesService(uow, clock), refunds=refunds, transfers=TransferService(uow, clock),
        resale=ResaleService(uow, clock, gateway, refunds.send, settings.hold_minutes, listed=waitlist.offer),
        waitlist=waitlist, checkin=CheckinService(uow, clock, secret),
        notifications=NotificationService(uow, clock),
    )  # fmt: skip


@dataclass
class Container:
    settings: Settings
    clock: Clock
    database: Database
    gateway: PaymentGateway
    limits: RateLimits
    accounts: AccountService
    inventory: InventoryService
    holds: HoldService
    orders: OrderService
    cache: Cache
    tickets: TicketCache
    local: LocalCache
    waiting_room: WaitingRoomService
    queue_store: QueueStore
    secret: bytes
    audit: AuditService
    metrics: Metrics | None
    after_sale: AfterSale

    # the after-sale services, by name (routes read container.refunds, ...)
    rules = property(lambda self: self.after_sale.rules)
    refunds = property(lambda self: self.after_sale.refunds)
    transfers = property(lambda self: self.after_sale.transfers)
    resale = property(lambda self: self.after_sale.resale)
    waitlist = property(lambda self: self.after_sale.waitlist)
    checkin = property(lambda self: self.after_sale.checkin)
    notifications = property(lambda self: self.after_sale.notifications)
    outbox: OutboxWorker
    mailer: Mailer
    webhooks: WebhookService
    webhook_calls: WebhookDeliverer
    payments: PaymentService
    presales: PresaleService
    vouchers: VoucherService
    pix: PixGateway | None = None

    async def close(self) -> None:
        if self.pix is not None:
            await self.pix.close()
        await self.tickets.settle()  # cache rebuilds in flight finish before the pools close
        await self.queue_store.close()
        await self.cache.close()
        await self.limits.close()
        await self.database.dispose()
        self.mailer.close()
        await self.webhook_calls.close()


def make_cache(settings: Settings, clock: Clock) -> Cache:
    if not settings.cache_enabled:
        return NullCache()
    if settings.redis_url:
        return RedisCache(settings.redis_url, cluster=settings.redis_cluster)
    return MemoryCache(clock)


def build_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    gateway: PaymentGateway | None = None,
    passwords: Passwords | None = None,
    admission: AdmissionGate | None = None,
    listener: InventoryListener | None = None,
    database: Database | None = None,
    cache: Cache | None = None,
    queue_store: QueueStore | None = None,
    deliverers: dict[str, Deliver] | None = None,
    wall_clock: Clock | None = None,
) -> Container:
    clock = clock or SystemClock()
    database = database or Database(
        settings.effective_database_url,
        pool_size=settings.db_pool_size,
        lock_timeout_ms=settings.lock_timeout_ms,
        pgbouncer=settings.database_pgbouncer,
    )
    gateway = gateway or FakeGateway(latency_seconds=settings.fake_payment_latency_ms / 1000)
    metrics = Metrics() if settings.metrics_enabled else None
    cache = cache or make_cache(settings, clock)
    if metrics is not None:
        metrics.watch(database.engine)
        cache = MeteredCache(cache, metrics)
    sessions = SessionCache(cache, clock)
    listeners = Listeners(*([listener] if listener else []))
    committed = metrics.committed if metrics else None
    uow = unit_of_work_factory(database, on_commit=committed)
    inventory = InventoryService(uow, clock, listeners)
    local = LocalCache(clock, settings.local_cache_seconds if settings.cache_enabled else 0)
    tickets = TicketCache(
        cache, inventory, clock, ttl=settings.cache_ttl_seconds, local=local,
        rebuild_gap=settings.cache_rebuild_gap_ms / 1000,
        seat_rebuild_gap=settings.cache_seat_rebuild_gap_ms / 1000,
    )  # fmt: skip
    listeners.add(tickets)
    secret = settings.secret()
    queue_store = queue_store or (
        RedisQueueStore.from_url(settings.redis_url, cluster=settings.redis_cluster)
        if settings.redis_url else MemoryQueueStore()
    )
    waiting_room = WaitingRoomService(
        uow, queue_store, clock, AdmissionTokens(secret), cache, local, PlaceTokens(secret)
    )
    limits = RateLimits(
        {
            "login": settings.login_rate,
            "login_ip": settings.login_ip_rate,
            "register": settings.register_rate,
            "hold": settings.hold_rate,
            "queue": settings.queue_rate,
            "ip": settings.ip_rate,
            "presale": settings.presale_code_rate,
        },
        redis_url=settings.redis_url,
        redis_cluster=settings.redis_cluster,
    )
    mailer = Mailer(settings.smtp_url, settings.data_dir / "mail")
    email = EmailDeliverer(
        uow, mailer, clock, sender=settings.mail_from, public_url=settings.public_url
    )
    webhook_calls = WebhookDeliverer(uow, wall_clock or clock)
    presales = PresaleService(uow, clock, limits, local)
    pix = make_pix(settings, clock)
    gateways = Gateways({"fake": gateway, **({"pix": pix} if pix else {})})
    orders = OrderService(
        uow, clock, gateways, listeners,
        purchases=sessions, on_paid=waiting_room.finished, batch_size=settings.order_batch_size,
        direct=None if database.is_sqlite else postgres_settle_stores(database, committed),
        direct_open=None if database.is_sqlite else postgres_open(database, committed),
    )  # fmt: skip
    return Container(
        mailer=mailer,
        webhooks=WebhookService(uow, clock, allow_loopback_http=settings.env != "production"),
        webhook_calls=webhook_calls,
        settings=settings,
        clock=clock,
        database=database,
        gateway=gateway,
        limits=limits,
        accounts=AccountService(
            uow, passwords or Passwords(threads=settings.password_threads or None,
                                        queue=settings.password_queue),
            clock, settings.session_days, sessions,
            idle_minutes=settings.session_idle_minutes,
        ),
        inventory=inventory,
        holds=HoldService(
            uow, clock, PresaleGate(presales, admission or waiting_room), listeners,
            settings.hold_minutes, settings.max_quantity_per_hold, gate=tickets,
            purchases=sessions, batch_size=settings.hold_batch_size,
            direct_batches=None if database.is_sqlite else postgres_batch_stores(database, committed),
            direct_replay=None if database.is_sqlite else postgres_replay(database),
        ),  # fmt: skip
        orders=orders,
        cache=cache,
        tickets=tickets,
        local=local,
        waiting_room=waiting_room,
        queue_store=queue_store,
        secret=secret,
        audit=AuditService(uow),
        metrics=metrics,
        after_sale=after_sale(uow, clock, gateways, listeners, secret, settings),
        outbox=OutboxWorker(
            uow, clock, {**email.deliverers(), **webhook_calls.deliverers(), **(deliverers or {})},
            backoff=Backoff(
                settings.outbox_backoff_seconds, settings.outbox_backoff_max_seconds,
                settings.outbox_max_attempts,
            ),
        ),  # fmt: skip
        payments=PaymentService(
            uow, clock, orders, pix,
            settings.pix_webhook_secret.get_secret_value().encode() if settings.pix_webhook_secret else None,
            tolerance=settings.pix_webhook_tolerance_seconds,
            grace_seconds=settings.pix_reconcile_after_seconds, wall=wall_clock,
        ),  # fmt: skip
        presales=presales,
        vouchers=VoucherService(uow, clock),
        pix=pix,
    )


def make_pix(settings: Settings, clock: Clock) -> PixGateway | None:
    """The Pix provider's client, when one is configured."""
    if not settings.pix_provider_url:
        return None
    return PixGateway(
        settings.pix_provider_url,
        settings.pix_api_key.get_secret_value() if settings.pix_api_key else "",
        clock, settings.pix_payment_minutes, notify_url=settings.pix_notify_url,
    )  # fmt: skip
