"""Accounts against an attacker: registration tells nobody who has an
account, passwords are checked against a real list and a strength estimate,
login limits cannot lock a fan out, sessions end when idle, and the cookies
are `__Host-` when Secure. (Issue 17, findings 2-5.)"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from boxoffice.accounts.policy import check_password_strength, common_passwords
from boxoffice.bootstrap import Container
from boxoffice.clock import FakeClock
from boxoffice.errors import InvalidRequest
from tests.security.conftest import app_with
from tests.support import PASSWORD, unique_email

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.mark.parametrize(
    "password",
    ["Password1!", "qwerty1234", "1234512345", "iloveyou2024", "Summer2024!", "monkey12345",
     "fan.example12"],
)  # fmt: skip
def test_common_and_guessable_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidRequest, match="Password too weak") as refused:
        check_password_strength(password, "fan.example@example.com", "Fan Example")
    assert refused.value.details["field"] == "password"


def test_the_common_list_is_a_real_one_and_passphrases_pass() -> None:
    assert len(common_passwords()) >= 20_000
    assert {"password1", "qwerty123", "iloveyou", "letmein"} <= common_passwords()
    for good in (PASSWORD, "violet tractor umbrella", "bench password 0123", "demo-fan-password"):
        check_password_strength(good, "fan@example.com")


def test_the_name_counts_against_the_password() -> None:
    check_password_strength("zebulon quixote", "fan@example.com")
    with pytest.raises(InvalidRequest):
        check_password_strength("zebulon quixote", "fan@example.com", "Zebulon Quixote")


async def test_registration_answers_alike_whether_or_not_the_email_has_an_account(
    client: httpx.AsyncClient, container: Container
) -> None:
    email = unique_email()
    new = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Fan"})
    taken = await client.post(
        "/api/v1/auth/register", json={"email": email.upper(), "password": "violet tractor umbrella", "name": "X"}
    )  # fmt: skip
    assert (new.status_code, taken.status_code) == (202, 202)
    assert new.json() == taken.json() and "email_taken" not in taken.text
    assert new.json()["status"] == "accepted"
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200 and r.json()["account"]["name"] == "Fan"  # the first owner kept it
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": "violet tractor umbrella"})
    assert r.status_code == 401
    weak = await client.post("/api/v1/auth/register", json={"email": email, "password": "Password1!", "name": "Fan"})
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"


async def test_the_register_page_answers_alike_too(client: httpx.AsyncClient, container: Container) -> None:
    email = unique_email()
    await container.accounts.register(email, PASSWORD, "Fan")
    answers = []
    for who in (email, unique_email()):
        token = CSRF.search((await client.get("/register")).text)
        assert token
        r = await client.post("/register", data={
            "csrf": token.group(1), "email": who, "name": "Someone", "password": "violet tractor umbrella",
        })  # fmt: skip
        assert r.status_code == 303
        answers.append(r.headers["location"].replace(who.replace("@", "%40"), "EMAIL"))
    assert answers[0] == answers[1] == "/login?registered=1&email=EMAIL"
    page = await client.get(answers[0].replace("EMAIL", "x%40example.com"))
    assert "If this email is new" in page.text


async def test_guesses_from_elsewhere_never_lock_a_fan_out(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    async with app_with(
        tmp_path, database_url, clock, login_rate="3/minute", login_ip_rate="5/minute"
    ) as (_, _app, client_from):
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        attacker, fan = client_from("203.0.113.9"), client_from("198.51.100.7")
        wrong = {"email": email, "password": "wrong password!"}
        statuses = [(await attacker.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]  # per (account, IP)
        r = await fan.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200  # the fan, from their own address, is not locked out
        # Stuffing many accounts from one address meets the per-IP limit.
        r = await attacker.post("/api/v1/auth/login", json={"email": unique_email(), "password": "x" * 12})
        assert r.status_code == 401
        r = await attacker.post("/api/v1/auth/login", json={"email": unique_email(), "password": "x" * 12})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


async def test_a_session_ends_when_idle_and_at_its_absolute_lifetime(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    async with app_with(
        tmp_path, database_url, clock, session_idle_minutes=30, session_days=1 / 24
    ) as (_, _app, client_from):
        client = client_from("198.51.100.7")
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        client.cookies.clear()
        me = {"Authorization": f"Bearer {r.json()['token']}"}
        for _ in range(2):  # used every 25 minutes: still logged in
            clock.advance(minutes=25)
            assert (await client.get("/api/v1/me", headers=me)).status_code == 200
        clock.advance(minutes=11)  # 61 minutes after login: past the absolute hour
        assert (await client.get("/api/v1/me", headers=me)).status_code == 401

        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        client.cookies.clear()
        me = {"Authorization": f"Bearer {r.json()['token']}"}
        clock.advance(minutes=29)
        assert (await client.get("/api/v1/me", headers=me)).status_code == 200
        clock.advance(minutes=31)  # unused for 31 minutes
        assert (await client.get("/api/v1/me", headers=me)).status_code == 401


async def test_secure_cookies_carry_the_host_prefix(
    tmp_path: Path, database_url: str, clock: FakeClock, container: Container
) -> None:
    async with app_with(tmp_path, database_url, clock, cookie_secure=True) as (_, _app, client_from):
        client = client_from("198.51.100.7")
        email = unique_email()
        await container.accounts.register(email, PASSWORD, "Fan")
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-boxoffice_session=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
        token = r.json()["token"]
        client.cookies.clear()
        r = await client.get("/api/v1/me", headers={"Cookie": f"__Host-boxoffice_session={token}"})
        assert r.status_code == 200
        r = await client.get("/api/v1/me", headers={"Cookie": f"boxoffice_session={token}"})
        assert r.status_code == 401  # the unprefixed name is not read when Secure
        form = (await client.get("/login")).headers["set-cookie"]
        assert form.startswith("__Host-boxoffice_form=") and "Secure" in form
