"""Demo integrators: the integration account `crm-sync` with a read-and-write token (printed
with the demo's logins), and a read token of the agent Alice, so that her API tokens page shows
one. The tokens are well known, derived from the username as the demo's passwords are, which is
also how a second load finds them instead of making more."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from contactcenter.demo import AGENTS, DemoBase, Login, demo_password
from integrations.models import ApiToken, TokenScope
from integrations.services.accounts import integration_account_create, integration_group
from integrations.services.tokens import TOKEN_PREFIX, token_create, token_digest

INTEGRATION = "crm-sync"


def demo_api_token(username: str) -> str:
    return f"{TOKEN_PREFIX}{demo_password(username)}"


def demo_load(base: DemoBase) -> list[Login]:
    """Create what is missing (accounts by username, tokens by their digest). Idempotent."""
    users = get_user_model().objects
    account = users.filter(username=INTEGRATION).first()
    if account is None:
        account = integration_account_create(username=INTEGRATION, name="CRM sync")
    # Brought up to date however the account came first (the simulator's demo makes it too,
    # for the order update it sent).
    integration_group()
    _token(account, "Contacts and tickets sync", TokenScope.WRITE, actor=base.supervisor)
    agent = users.get(username=AGENTS[0][0])
    _token(agent, "Reports export", TokenScope.READ, actor=agent)
    return [Login(INTEGRATION, "", "integration", api_token=demo_api_token(INTEGRATION))]


def _token(user: AbstractBaseUser, name: str, scope: str, *, actor: AbstractBaseUser) -> None:
    plaintext = demo_api_token(user.get_username())
    if not ApiToken.objects.filter(digest=token_digest(plaintext)).exists():
        token_create(user=user, name=name, scope=scope, actor=actor, plaintext=plaintext)
