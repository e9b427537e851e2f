"""The ``seed-demo`` command: the 2026 calendar and a demo year that is open today."""

import logging
from datetime import timedelta

from eventplatform.runtime import ServiceDefinition

from enrollment_service.application import Enrollment
from enrollment_service.domain import Window, YearCalendar, notice_calendar

logger = logging.getLogger(__name__)

NOTICE_YEAR = 2026


def demo_calendar(app: Enrollment) -> YearCalendar:
    """Build the demo year: enrollment from 30 days before to 60 after today, learning to 120 after."""
    today = app.today()
    opens_on = today - timedelta(days=30)
    learning = Window(opens_on, today + timedelta(days=120))
    return YearCalendar(
        training_year=app.settings.demo_training_year,
        label="演示年度",
        is_demo=True,
        enrollment_window=Window(opens_on, today + timedelta(days=60)),
        learning_window=learning,
        make_up_window=learning,
        invoice_delay_days=7,
        fee_fen=app.settings.default_fee_fen,
    )


def seed_demo(definition: ServiceDefinition) -> int:
    """Schedule 2026 with the notice's dates and the demo year; safe to run again."""
    app = definition.application
    if not isinstance(app, Enrollment):
        raise TypeError("seed-demo needs the enrollment application")
    if app.settings.demo_training_year == NOTICE_YEAR:
        raise ValueError("ENROLLMENT_DEMO_TRAINING_YEAR must differ from 2026 to keep its dates")

    app.schedule_year(notice_calendar(NOTICE_YEAR, app.settings.default_fee_fen))
    demo = demo_calendar(app)
    app.schedule_year(demo)
    if definition.projector is not None:
        definition.projector.catch_up()

    logger.info("seeded training years %d and demo year %d", NOTICE_YEAR, demo.training_year)
    print(f"training year {NOTICE_YEAR}: notice dates; demo year {demo.training_year}: "
          f"enrollment {demo.enrollment_window.starts_on}..{demo.enrollment_window.ends_on}, "
          f"learning {demo.learning_window.starts_on}..{demo.learning_window.ends_on}")
    return 0
