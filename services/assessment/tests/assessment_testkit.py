"""Test helpers of the assessment service: signed tokens and Kafka publish/read.

The helpers live in ``eventplatform.testing``; these names are what the tests import.
"""

from eventplatform.testing import KAFKA_BOOTSTRAP as KAFKA
from eventplatform.testing import TokenSigner as Tokens
from eventplatform.testing import publish_event as publish
from eventplatform.testing import read_events as read_topic

__all__ = ["KAFKA", "Tokens", "publish", "read_topic"]
