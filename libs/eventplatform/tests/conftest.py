import socket
import sys
from pathlib import Path

import pytest

from eventplatform.settings import ServiceSettings

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def make_settings(make_database, topic_prefix, kafka_bootstrap_servers, tmp_path):
    """Build settings for a sample service on its own PostgreSQL database."""

    def build(service: str, **overrides) -> ServiceSettings:
        values = dict(
            service_name=service,
            environment="test",
            database_url=make_database(service),
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            topic_prefix=topic_prefix,
            consumer_group=f"{topic_prefix}{service}",
            data_dir=tmp_path,
            consumer_retry_backoff_seconds=0.05,
            consumer_max_attempts=3,
            http_port=_free_port(),
        )
        values.update(overrides)
        return ServiceSettings(**values)

    return build


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
