"""Image captchas: one-time, short-lived, checked on the server.

The answer stays in the database; the client only ever gets the PNG.
"""

import base64
import io
import logging
import random
import secrets
from datetime import timedelta
from uuid import UUID, uuid4

from eventplatform.clock import Clock
from eventplatform.readmodel import Database
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy import delete

from identity_service.readmodels import CaptchaRow
from identity_service.security.timeutil import as_utc

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: characters people confuse on a noisy image.
CAPTCHA_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CAPTCHA_LENGTH = 4
IMAGE_SIZE = (132, 44)


class CaptchaStore:
    def __init__(self, database: Database, clock: Clock, ttl: timedelta) -> None:
        self.database = database
        self.clock = clock
        self.ttl = ttl

    def issue(self) -> tuple[str, bytes]:
        """Create a captcha; return its id and the PNG image of its answer."""
        answer = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
        captcha_id = str(uuid4())
        now = self.clock.now()
        with self.database.transaction() as session:
            session.execute(delete(CaptchaRow).where(CaptchaRow.expires_at < now))
            session.add(CaptchaRow(captcha_id=captcha_id, answer=answer, expires_at=now + self.ttl))
        return captcha_id, render_captcha(answer)

    def consume(self, captcha_id: str, answer: str) -> bool:
        """Check an answer and delete the captcha, so each captcha is tried once at most."""
        try:
            UUID(captcha_id)
        except ValueError:
            return False
        with self.database.transaction() as session:
            row = session.execute(
                delete(CaptchaRow)
                .where(CaptchaRow.captcha_id == captcha_id)
                .returning(CaptchaRow.answer, CaptchaRow.expires_at)
            ).first()
        if row is None:
            logger.info("captcha %s unknown or already used", captcha_id)
            return False
        if as_utc(row.expires_at) <= self.clock.now():
            logger.info("captcha %s expired", captcha_id)
            return False
        return secrets.compare_digest(row.answer, (answer or "").strip().upper())


def render_captcha(answer: str) -> bytes:
    """Draw the answer with jitter, rotation and noise on a light background."""
    width, height = IMAGE_SIZE
    jitter = random.Random(secrets.randbits(64))
    image = Image.new("RGB", IMAGE_SIZE, (240, 244, 248))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        points = [(jitter.randint(0, width), jitter.randint(0, height)) for _ in range(2)]
        draw.line(points, fill=_colour(jitter, 120, 200), width=1)

    font = ImageFont.load_default(size=30)
    step = (width - 16) // len(answer)
    for index, char in enumerate(answer):
        glyph = Image.new("RGBA", (step + 12, height), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 4), char, font=font, fill=_colour(jitter, 20, 110))
        glyph = glyph.rotate(jitter.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (8 + index * step + jitter.randint(-2, 2), jitter.randint(-4, 2)), glyph)

    for _ in range(120):
        draw.point((jitter.randint(0, width - 1), jitter.randint(0, height - 1)),
                   fill=_colour(jitter, 80, 200))
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def as_data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _colour(jitter: random.Random, low: int, high: int) -> tuple[int, int, int]:
    return (jitter.randint(low, high), jitter.randint(low, high), jitter.randint(low, high))
