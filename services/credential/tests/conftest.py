import pytest
from credential_testkit import Tokens


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()
