"""Wire the identity service into an ``eventplatform`` service definition."""

from datetime import timedelta

from education_contracts import Topics
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from fastapi import FastAPI

from identity_service.accounts import AccountFlows
from identity_service.api import create_api
from identity_service.api.deps import IdentityServices
from identity_service.application import Identity
from identity_service.handlers import build_handlers
from identity_service.readmodels import ReadModel, project
from identity_service.security.captcha import CaptchaStore
from identity_service.security.throttle import LoginThrottle
from identity_service.security.tokens import TokenIssuer, load_signing_key
from identity_service.settings import IdentitySettings
from identity_service.sms import HttpSmsGateway, OutboxSmsSender, SmsSender, VerificationCodes
from identity_service.translate import translate


def build(settings: IdentitySettings | None = None, clock: Clock | None = None) -> ServiceDefinition:
    settings = settings or IdentitySettings()
    clock = clock or SystemClock()
    application = Identity(settings, clock)
    database = Database(settings.database_url, ReadModel.metadata)
    definition = ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=database,
        application=application,
        translate=translate,
        handlers=build_handlers(),
        projections=[project],
        published_topics=[Topics.LEARNERS],
    )
    services = build_services(settings, clock, application, database, definition)
    definition.api = create_api(services)
    return definition


def build_services(settings: IdentitySettings, clock: Clock, application: Identity,
                   database: Database, definition: ServiceDefinition) -> IdentityServices:
    signing_key = load_signing_key(settings.resolved_signing_key_path,
                                   create_if_missing=settings.environment != "production")
    # Tokens use the system clock even when the rules run on a test clock: every
    # verifier (PyJWT) checks expiry against the real time.
    issuer = TokenIssuer(signing_key, SystemClock(),
                         timedelta(minutes=settings.token_lifetime_minutes))
    sender: SmsSender
    if settings.sms_backend == "http":
        sender = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_key,
                                settings.sms_gateway_timeout_seconds)
    else:
        sender = OutboxSmsSender(database, clock)
    codes = VerificationCodes(
        database, sender, clock,
        ttl=timedelta(seconds=settings.sms_code_ttl_seconds),
        resend_after=timedelta(seconds=settings.sms_resend_seconds),
        max_sends_per_hour=settings.sms_max_sends_per_hour,
        max_guesses=settings.sms_max_guesses,
    )
    throttle = LoginThrottle(
        database, clock,
        slowdown_after=settings.login_slowdown_after,
        slowdown=timedelta(seconds=settings.login_slowdown_seconds),
        max_failures=settings.login_max_failures,
        lock=timedelta(minutes=settings.login_lock_minutes),
    )
    captchas = CaptchaStore(database, clock, timedelta(seconds=settings.captcha_ttl_seconds))
    flows = AccountFlows(application, codes, captchas, throttle, issuer, clock)

    def catch_up() -> object:
        return definition.projector.catch_up() if definition.projector is not None else 0

    return IdentityServices(settings=settings, app=application, database=database, flows=flows,
                            verifier=issuer.verifier(), catch_up=catch_up)
