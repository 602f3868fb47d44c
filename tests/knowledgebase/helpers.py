"""What the knowledge base's tests share: an editor, and articles made through the services."""

from knowledgebase.models import Article, ArticleState
from knowledgebase.services import article_create
from tests.factories import AgentFactory, MembershipFactory, SupervisorFactory


def editor():
    """A supervisor: writes and publishes."""
    return SupervisorFactory(first_name="Sam", last_name="Supervisor")


def article(title: str, body: str = "", *, queues=(), state=ArticleState.PUBLISHED,
            author=None, **fields) -> Article:  # fmt: skip
    """A published article (serving every queue unless `queues` says which)."""
    return article_create(actor=author or editor(), title=title, body=body, queues=queues,
                          state=state, **fields)  # fmt: skip


def agent_in(*queues):
    """An agent who is a member of `queues`."""
    agent = AgentFactory()
    for queue in queues:
        MembershipFactory(agent=agent, queue=queue)
    return agent
