"""Account flows that combine the write model with captchas, SMS codes and login throttling."""

import logging
from dataclasses import dataclass

from eventplatform.clock import Clock, shanghai_today
from eventplatform.errors import DomainError

from identity_service.application import Identity
from identity_service.domain.errors import AlreadyActivated, NoBoundPhone, NotOnRoster
from identity_service.domain.model import LEFT, RosterEntry
from identity_service.domain.validation import (
    check_password_strength,
    mask_mobile,
    parse_id_number,
    parse_mobile,
)
from identity_service.security.captcha import CaptchaStore
from identity_service.security.throttle import LoginThrottle
from identity_service.security.tokens import TokenIssuer, TokenSubject
from identity_service.sms import ACTIVATION, RECOVERY, SmsCodeInvalid, VerificationCodes

logger = logging.getLogger(__name__)


class CaptchaInvalid(DomainError):
    """The captcha answer is wrong, or the captcha is unknown, used or expired."""


class LoginFailed(DomainError):
    """Unknown login name or wrong password, reported the same way on purpose."""


class RecoveryNotMatched(DomainError):
    """Name and ID number do not match an activated learner account."""


@dataclass(frozen=True)
class CodeSent:
    masked_mobile: str
    expires_in: int


@dataclass(frozen=True)
class LoginResult:
    access_token: str
    subject: TokenSubject


class AccountFlows:
    def __init__(self, app: Identity, codes: VerificationCodes, captchas: CaptchaStore,
                 throttle: LoginThrottle, issuer: TokenIssuer, clock: Clock) -> None:
        self.app = app
        self.codes = codes
        self.captchas = captchas
        self.throttle = throttle
        self.issuer = issuer
        self.clock = clock

    # --- activation ------------------------------------------------------------

    def send_activation_code(self, name: str, id_number: str, mobile: str) -> CodeSent:
        entry = self.app.find_on_roster(name, id_number)
        if entry.has_account:
            raise AlreadyActivated(f"learner {entry.learner_id} is already activated")
        mobile = parse_mobile(mobile, required=True)
        expires_in = self.codes.send(ACTIVATION, entry.id_number, mobile)
        return CodeSent(mask_mobile(mobile), expires_in)

    def activate(self, name: str, id_number: str, mobile: str, sms_code: str,
                 password: str) -> RosterEntry:
        entry = self.app.find_on_roster(name, id_number)
        if entry.has_account:
            raise AlreadyActivated(f"learner {entry.learner_id} is already activated")
        mobile = parse_mobile(mobile, required=True)
        # Check the password before the code, so a weak password does not use the code up.
        check_password_strength(password, entry.id_number)
        confirmed_mobile = self.codes.verify(ACTIVATION, entry.id_number, sms_code)
        if confirmed_mobile != mobile:
            raise SmsCodeInvalid("the code was sent to another phone")
        return self.app.activate(entry, password, mobile)

    # --- password recovery ----------------------------------------------------------

    def send_recovery_code(self, name: str, id_number: str) -> CodeSent:
        try:
            entry = self.app.find_on_roster(name, id_number)
        except NotOnRoster:
            raise RecoveryNotMatched("no active roster entry for the recovery") from None
        if not entry.has_account:
            raise RecoveryNotMatched(f"learner {entry.learner_id} has no account yet")
        if not entry.mobile:
            raise NoBoundPhone(f"learner {entry.learner_id} has no bound phone")
        expires_in = self.codes.send(RECOVERY, entry.id_number, entry.mobile)
        return CodeSent(mask_mobile(entry.mobile), expires_in)

    def reset_password(self, id_number: str, sms_code: str, new_password: str) -> None:
        parsed = parse_id_number(id_number, shanghai_today(self.clock))
        check_password_strength(new_password, parsed.value)
        self.codes.verify(RECOVERY, parsed.value, sms_code)
        self.app.reset_password(parsed.value, new_password)
        self.throttle.reset(parsed.value)

    # --- login ---------------------------------------------------------------------

    def login(self, login_name: str, password: str, captcha_id: str,
              captcha_answer: str) -> LoginResult:
        """Check captcha, throttle and password, in that order; return a signed token."""
        if not self.captchas.consume(captcha_id, captcha_answer):
            raise CaptchaInvalid(f"captcha {captcha_id} rejected")
        self.throttle.check(login_name)

        subject, account = self.app.authenticate(login_name, password)
        if subject is None:
            failures = self.throttle.record_failure(login_name)
            logger.info("login failed (%d consecutive failures for this login name)", failures)
            raise LoginFailed("unknown login name or wrong password")
        if isinstance(account, RosterEntry) and account.status == LEFT:
            raise NotOnRoster(account.id_number[:6])

        self.throttle.reset(login_name)
        logger.info("account %s logged in as %s", subject.subject, subject.role.value)
        return LoginResult(self.issuer.issue(subject), subject)

    def token_for(self, subject: TokenSubject) -> LoginResult:
        return LoginResult(self.issuer.issue(subject), subject)
