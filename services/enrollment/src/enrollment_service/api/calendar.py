"""Calendar routes: the province operator sets each training year's windows and fee."""

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from enrollment_service.api.deps import CurrentPrincipal, Operator, WiringDep
from enrollment_service.api.views import calendar_view
from enrollment_service.domain import Window, YearCalendar
from enrollment_service.readmodels import queries

router = APIRouter(prefix="/api/enrollment/calendar", tags=["calendar"])


class WindowBody(BaseModel):
    starts_on: date
    ends_on: date

    def to_window(self) -> Window:
        return Window(self.starts_on, self.ends_on)


class CalendarBody(BaseModel):
    label: str = Field(default="", max_length=50)
    is_demo: bool = False
    enrollment_window: WindowBody
    learning_window: WindowBody
    make_up_window: WindowBody
    invoice_delay_days: int = Field(default=7, ge=0, le=60)
    fee_fen: int = Field(gt=0, le=10_000_000)


@router.get("")
def list_calendars(_: CurrentPrincipal, wiring: WiringDep) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        return {"years": [calendar_view(row) for row in queries.calendars(session)]}


@router.put("/{training_year}")
def set_calendar(training_year: int, body: CalendarBody, _: Operator, wiring: WiringDep) -> dict[str, Any]:
    calendar = YearCalendar(
        training_year=training_year,
        label=body.label or f"{training_year}年度",
        is_demo=body.is_demo,
        enrollment_window=body.enrollment_window.to_window(),
        learning_window=body.learning_window.to_window(),
        make_up_window=body.make_up_window.to_window(),
        invoice_delay_days=body.invoice_delay_days,
        fee_fen=body.fee_fen,
    )
    wiring.application.schedule_year(calendar)
    wiring.catch_up()
    return calendar.to_dict()
