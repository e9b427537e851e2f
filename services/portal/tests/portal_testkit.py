"""Helpers of the portal tests: CSRF token extraction and the login steps."""

import re

import httpx


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def log_in(client: httpx.AsyncClient, id_number: str) -> None:
    home = await client.get("/")
    await client.get("/captcha")
    response = await client.post("/login", data={
        "id_number": id_number, "password": "Secret#2026", "captcha_answer": "ab3d",
        "csrf_token": csrf_of(home.text)})
    assert response.status_code == 303, response.text
    assert response.headers["location"] != "/", "login failed"
