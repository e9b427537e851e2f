"""Two minimal services that exercise the platform end to end in its tests.

``roster`` records people (an event-sourced aggregate) and publishes
``Registered``; ``mirror`` consumes ``Registered`` into a read model whose
``times_applied`` column exposes any double application. Run as a script to
start one part in its own process with ``run_sample_part.py``.
"""

from typing import Any
from uuid import UUID

from education_contracts import Grade, Registered, Topics
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventplatform.consumer import HandlerContext
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from eventplatform.settings import ServiceSettings
from eventplatform.store import ServiceApplication


class Person(Aggregate):
    @event("Registered")
    def __init__(self, name: str, grade: str) -> None:
        self.name = name
        self.grade = grade


class Roster(ServiceApplication):
    name = "roster"

    def register(self, name: str, grade: str = Grade.JUNIOR.value) -> UUID:
        person = Person(name=name, grade=grade)
        self.save(person)
        return person.id


def translate(domain_event: Any) -> list[Registered]:
    if not isinstance(domain_event, Person.Registered):
        return []
    return [
        Registered(
            learner_id=domain_event.originator_id,
            name=domain_event.name,
            masked_id_number="320***********123X",
            gender="female",
            birth_year=1985,
            grade=Grade(domain_event.grade),
            employing_unit="测试单位",
            employing_unit_credit_code="12320600MB1234567X",
            region_office_id="nantong-city",
            registered_at=domain_event.timestamp,
        )
    ]


class RosterReadModel(DeclarativeBase):
    pass


class MirrorReadModel(DeclarativeBase):
    pass


class MirroredLearner(MirrorReadModel):
    __tablename__ = "mirrored_learners"

    learner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    times_applied: Mapped[int] = mapped_column(default=0)


def on_registered(context: HandlerContext, payload: Registered) -> None:
    if payload.name.startswith("poison"):
        raise ValueError(f"handler refuses learner {payload.learner_id}")
    row = context.session.get(MirroredLearner, str(payload.learner_id))
    if row is None:
        row = MirroredLearner(learner_id=str(payload.learner_id), name=payload.name, times_applied=0)
        context.session.add(row)
    row.times_applied += 1


class PersonIn(BaseModel):
    name: str


def build_roster(settings: ServiceSettings) -> ServiceDefinition:
    application = Roster(settings.event_store_url)
    api = FastAPI()

    @api.post("/people")
    def register(person: PersonIn) -> dict[str, str]:
        return {"id": str(application.register(person.name))}

    return ServiceDefinition(
        settings=settings,
        api=api,
        database=Database(settings.database_url, RosterReadModel.metadata),
        application=application,
        translate=translate,
        published_topics=[Topics.LEARNERS],
    )


def build_mirror(settings: ServiceSettings) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=Database(settings.database_url, MirrorReadModel.metadata),
        handlers={Registered: on_registered},
    )


def mirrored_rows(database: Database) -> list[tuple[str, str, int]]:
    with database.sessions() as session:
        rows = session.execute(
            select(MirroredLearner.learner_id, MirroredLearner.name, MirroredLearner.times_applied)
            .order_by(MirroredLearner.learner_id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]
