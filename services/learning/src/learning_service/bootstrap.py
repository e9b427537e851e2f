"""Wire the learning service into an ``eventplatform`` service definition."""

from dataclasses import dataclass

from education_contracts import Topics
from eventplatform.auth import TokenVerifier
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from fastapi import FastAPI

from learning_service.api import create_api
from learning_service.application import Learning
from learning_service.domain import PlaybackRules
from learning_service.handlers import build_handlers
from learning_service.heartbeats import HeartbeatRecorder
from learning_service.readmodels import ReadModel, project
from learning_service.settings import LearningSettings
from learning_service.translate import translate
from learning_service.watchstate import WatchState


@dataclass
class LearningDefinition(ServiceDefinition):
    """The service definition plus the watch-state tables, which are not read models."""

    def prepare(self) -> None:
        if self.database is not None:
            WatchState.metadata.create_all(self.database.engine)
        super().prepare()


def playback_rules(settings: LearningSettings) -> PlaybackRules:
    return PlaybackRules(
        max_speed=settings.max_playback_speed,
        max_gap_seconds=settings.max_heartbeat_gap_seconds,
        tolerance_seconds=settings.heartbeat_tolerance_seconds,
        completion_slack_seconds=settings.completion_slack_seconds,
    )


def build(
    settings: LearningSettings | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> LearningDefinition:
    settings = settings or LearningSettings()
    clock = clock or SystemClock()
    application = Learning(settings, clock)
    database = Database(settings.database_url, ReadModel.metadata)
    definition = LearningDefinition(
        settings=settings,
        api=FastAPI(),
        database=database,
        application=application,
        translate=translate,
        handlers=build_handlers(),
        projections=[project],
        published_topics=[Topics.CATALOG, Topics.PROGRESS],
    )
    recorder = HeartbeatRecorder(database, application, clock, playback_rules(settings))
    definition.api = create_api(definition, verifier or TokenVerifier(jwks_url=settings.jwks_url), recorder)
    return definition
