"""The lottery nobody can rig: a commitment before anyone joins, the seed,
beacon and pseudonymous entrants after, and the README's lines recompute
the whole order from that published data alone."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import httpx

from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.inventory.domain import Show
from boxoffice.waitingroom.domain import commitment_of, draw_order, pseudonym
from tests.support import Fan, many_fans
from tests.waitingroom.conftest import SALE_OPENS

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_check() -> str:
    """The README's lottery check, minus the two lines that download (the test passes the data)."""
    text = README.read_text()
    block = re.search(r"<!-- lottery-check -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README has no lottery check"
    return "\n".join(
        line for line in block.group(1).splitlines() if "urlopen" not in line and not line.startswith("url =")
    )


async def _room_on(admin: Fan, show: Show, clock: FakeClock, **extra: object) -> httpx.Response:
    body = {"enabled": True, "opens_at": clock.now().isoformat(), "admit_per_minute": 60, **extra}
    return await admin.client.put(
        f"/api/v1/admin/shows/{show.id}/waiting-room", json=body, headers=admin.auth
    )


async def test_the_draw_is_recomputed_from_the_published_data_only(
    container: Container, client: httpx.AsyncClient, future_show: Show, admin: Fan, clock: FakeClock
) -> None:
    url = f"/api/v1/shows/{future_show.id}/queue/lottery"
    assert (await _room_on(admin, future_show, clock)).status_code == 200
    before = (await client.get(url)).json()
    assert before["seed"] is None and re.fullmatch(r"[0-9a-f]{64}", before["commitment"])
    assert (await client.get(url + "/entrants")).status_code == 404  # not drawn yet

    fans = await many_fans(container, client, 25)
    ids = {}
    for fan in fans:
        place = (await fan.post(f"/api/v1/shows/{future_show.id}/queue")).json()
        ids[fan.email] = place["lottery_id"]
    # after the commitment, before the draw: the organiser enters a public beacon
    r = await _room_on(admin, future_show, clock, lottery_beacon="public draw 2861: 04 19 33 41 52 60")
    assert r.status_code == 200 and r.json()["commitment"] == before["commitment"]

    clock.set(SALE_OPENS)
    await container.waiting_room.admit(future_show.id)
    lottery = (await client.get(url)).json()
    published = (await client.get(url + "/entrants")).text.split()
    assert lottery["commitment"] == before["commitment"] == commitment_of(lottery["seed"])
    assert lottery["beacon"] == "public draw 2861: 04 19 33 41 52 60"
    assert lottery["entrants"] == 25 and sorted(published) == sorted(ids.values())

    for fan in random.sample(fans, 5):  # each fan finds their own place from the published data
        scope = {"__builtins__": __builtins__, "lottery": lottery, "published": list(published)}
        code = _readme_check().replace("MY_LOTTERY_ID", ids[fan.email])
        printed: list[str] = []
        scope["print"] = lambda *args: printed.append(" ".join(map(str, args)))
        exec(code, scope)  # noqa: S102 - the README's own lines
        place = (await fan.get(f"/api/v1/shows/{future_show.id}/queue")).json()
        assert printed == [f"my place: {place['position']}"]

    # the rule itself, independently of the README: shuffled ids sort back into the published order
    shuffled = random.sample(published, len(published))
    assert draw_order(lottery["seed"], lottery["beacon"], shuffled) == published
    # and the beacon mattered: without it the order differs
    assert draw_order(lottery["seed"], None, shuffled) != published


async def test_the_seed_cannot_change_and_the_beacon_is_fixed_once_the_sale_opens(
    container: Container, client: httpx.AsyncClient, future_show: Show, admin: Fan, clock: FakeClock
) -> None:
    await _room_on(admin, future_show, clock, lottery_beacon="first")
    first = (await client.get(f"/api/v1/shows/{future_show.id}/queue/lottery")).json()
    await _room_on(admin, future_show, clock, admit_per_minute=120)  # reconfigured: same commitment
    again = (await client.get(f"/api/v1/shows/{future_show.id}/queue/lottery")).json()
    assert again["commitment"] == first["commitment"] and again["beacon"] == "first"
    assert again["salt"] == first["salt"]
    clock.set(SALE_OPENS)
    await _room_on(admin, future_show, clock, lottery_beacon="too late")
    after = (await client.get(f"/api/v1/shows/{future_show.id}/queue/lottery")).json()
    assert after["beacon"] == "first"


def test_pseudonyms_hide_the_account_and_the_commitment_binds_the_seed() -> None:
    salt = "a1" * 16
    assert pseudonym(salt, "acct-1") != pseudonym(salt, "acct-2")
    assert pseudonym(salt, "acct-1") != pseudonym("b2" * 16, "acct-1")  # per show
    assert "acct-1" not in pseudonym(salt, "acct-1")
    assert commitment_of("seed") == hashlib.sha256(b"seed").hexdigest()
