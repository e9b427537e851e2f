"""Kafka topics of the integration events.

One topic per source stream. Events about a learner use the learner id as the
partition key, so one learner's events on a topic stay in order. Catalog
events use the course id.
"""

from typing import Final


class Topics:
    """Topic names without the deployment prefix (see ``ServiceSettings.topic_prefix``)."""

    LEARNERS: Final = "gqjy.identity.learner"
    ORDERS: Final = "gqjy.enrollment.order"
    CLASSES: Final = "gqjy.enrollment.class"
    PAYMENTS: Final = "gqjy.payment.payment"
    CATALOG: Final = "gqjy.learning.catalog"
    PROGRESS: Final = "gqjy.learning.progress"
    QUIZZES: Final = "gqjy.assessment.quiz"
    CERTIFICATES: Final = "gqjy.credential.certificate"

    @staticmethod
    def dead_letter(service: str) -> str:
        """Name the dead-letter topic of one consuming service."""
        return f"gqjy.dlq.{service}"


ALL_TOPICS: Final = (
    Topics.LEARNERS,
    Topics.ORDERS,
    Topics.CLASSES,
    Topics.PAYMENTS,
    Topics.CATALOG,
    Topics.PROGRESS,
    Topics.QUIZZES,
    Topics.CERTIFICATES,
)
