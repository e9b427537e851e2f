"""Request and response bodies of the identity API."""

from typing import Literal

from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    login_name: str = Field(max_length=40, description="ID number (learners) or user name (admins).")
    password: str = Field(max_length=64)
    captcha_id: str = Field(max_length=40)
    captcha_answer: str = Field(max_length=10)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    must_change_password: bool


class ActivationCodeRequest(BaseModel):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=20)
    mobile: str = Field(max_length=20)


class ActivationRequest(ActivationCodeRequest):
    sms_code: str = Field(max_length=10)
    password: str = Field(max_length=64)


class RecoveryCodeRequest(BaseModel):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=20)


class RecoveryResetRequest(BaseModel):
    id_number: str = Field(max_length=20)
    sms_code: str = Field(max_length=10)
    new_password: str = Field(max_length=64)


class CodeSentResponse(BaseModel):
    masked_mobile: str
    expires_in: int


class PasswordChangeRequest(BaseModel):
    current_password: str = Field(max_length=64)
    new_password: str = Field(max_length=64)


class RosterAddRequest(BaseModel):
    office_id: str | None = Field(default=None, description="Defaults to the admin's own office.")
    name: str = Field(max_length=60)
    id_number: str = Field(max_length=20)
    employing_unit: str = Field(max_length=120)
    employing_unit_credit_code: str = Field(max_length=20)
    grade: str = Field(max_length=20, description="Chinese label (技师) or contract value.")
    mobile: str = Field(default="", max_length=20)


class RosterCorrectionRequest(BaseModel):
    name: str | None = Field(default=None, max_length=60)
    employing_unit: str | None = Field(default=None, max_length=120)
    employing_unit_credit_code: str | None = Field(default=None, max_length=20)
    grade: str | None = Field(default=None, max_length=20)
    mobile: str | None = Field(default=None, max_length=20)


class OfficeAccountRequest(BaseModel):
    initial_password: str = Field(max_length=64)


class AdminAccountRequest(BaseModel):
    username: str = Field(min_length=3, max_length=40, pattern=r"^[a-z][a-z0-9_.-]+$")
    role: Literal["regional_admin", "province_operator"]
    office_id: str | None = None
    initial_password: str = Field(max_length=64)
