import pytest
from assessment_testkit import Tokens


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()
