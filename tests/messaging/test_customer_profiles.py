"""Messenger and Instagram webhooks carry only the customer's id: their name is asked of the
provider's profile API once, after the commit, and shown wherever a name shows. A provider that
refuses leaves the id and is asked again later."""

from urllib.parse import parse_qs, urlsplit

import pytest

from contactcenter import events
from contactcenter.models import Activity, ActivityState
from messaging import tasks
from messaging.models import ExternalIdentity
from messaging.services.errors import TransientProviderError
from messaging.services.profiles import identity_profile_fetch
from tests.contactcenter.inbox import delays, inboxes
from tests.factories import ChannelAccountFactory, IdentityFactory, OfferFactory
from tests.factories import OnlineAgentFactory as Online
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

PSID = "6483920175562104"
GRAPH_REFUSAL = {"error": {"message": "Unsupported get request.", "code": 100}}


def messenger_customer_waiting(account_options: dict | None = None):
    """A customer known by id only, whose waiting activity rings an online agent."""
    account = ChannelAccountFactory(**(account_options or {"messenger": True}))
    identity = IdentityFactory(channel_account=account, provider_user_id=PSID, display_name="")
    activity = Activity.objects.create(
        queue=account.queue, channel_account=account, identity=identity, title=PSID
    )
    agent = Online(queue=account.queue)
    OfferFactory(activity=activity, agent=agent)
    return identity, activity, agent


def asked(provider_api) -> tuple[str, dict, str]:
    [request] = provider_api.requests
    url = urlsplit(request.path)
    return url.path, parse_qs(url.query), request.headers["Authorization"]


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_a_new_customer_without_a_name_is_looked_up_after_the_commit(
    client, monkeypatch, django_capture_on_commit_callbacks, provider
):
    # given
    account = ChannelAccountFactory(**{provider: True})
    lookups = delays(monkeypatch, tasks.identity_profile_fetch)
    obj = "page" if provider == "messenger" else "instagram"
    body = payloads.messenger(
        obj, account.provider_account_id, payloads.messenger_text("m_1", "hi", PSID)
    )
    # when: the first message, then a second one
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, account, body)
        post_webhook(
            client,
            account,
            payloads.messenger(obj, "PAGE_ID", payloads.messenger_text("m_2", "?", PSID)),
        )
    # then: asked once, for the customer shown by id meanwhile
    identity = ExternalIdentity.objects.get()
    assert lookups == [(identity.pk,)]
    assert Activity.objects.get().title == PSID


@pytest.mark.django_db
def test_a_whatsapp_customer_is_named_by_the_webhook_and_never_looked_up(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    account = ChannelAccountFactory()
    lookups = delays(monkeypatch, tasks.identity_profile_fetch)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(
            client, account, payloads.whatsapp_text(account.provider_account_id, "wamid.1", "hi")
        )
    # then
    assert lookups == []
    assert ExternalIdentity.objects.get().display_name != ""


@pytest.mark.django_db(transaction=True)
def test_the_messenger_profile_names_the_customer_on_every_page_showing_them(provider_api):
    # given: a customer known by id, whose activity rings an agent
    identity, activity, agent = messenger_customer_waiting()
    [inbox] = inboxes(agent)
    provider_api.answer(200, {"first_name": "Jana", "last_name": "Nováková", "id": PSID})
    # when
    identity_profile_fetch(identity_id=identity.pk)
    # then: Messenger's User Profile API was asked with the page's token
    path, query, authorization = asked(provider_api)
    assert (path, query) == (f"/{PSID}", {"fields": ["first_name,last_name,profile_pic"]})
    assert authorization == "Bearer test-access-token"
    # the name is kept, the activity titled with it, and the ringing agent's notification and
    # waiting list hear it
    identity.refresh_from_db()
    activity.refresh_from_db()
    assert (identity.display_name, activity.title) == ("Jana Nováková", "Jana Nováková")
    updated = inbox.events(events.ACTIVITY_UPDATED)
    waiting = inbox.events(events.WAITING_CHANGED)
    assert [e["activity"]["customer"] for e in updated + waiting] == ["Jana Nováková"] * 2
    assert updated[0]["activity"]["state"] == ActivityState.WAITING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profile", "name"),
    [
        ({"name": "Jana Nováková", "username": "jana.n"}, "Jana Nováková"),
        ({"name": "", "username": "jana.n"}, "jana.n"),
    ],
)
def test_the_instagram_profile_gives_the_name_or_else_the_username(provider_api, profile, name):
    # given
    identity, activity, _ = messenger_customer_waiting({"instagram": True})
    provider_api.answer(200, {"id": PSID, **profile})
    # when
    identity_profile_fetch(identity_id=identity.pk)
    # then
    path, query, _ = asked(provider_api)
    assert (path, query) == (f"/{PSID}", {"fields": ["name,username,profile_pic"]})
    activity.refresh_from_db()
    assert activity.title == name


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 500])
def test_a_refused_profile_leaves_the_id_and_is_asked_again(provider_api, status):
    # given
    identity, activity, _ = messenger_customer_waiting()
    provider_api.answer(status, GRAPH_REFUSAL)
    # when / then: the task's signal to try again later
    with pytest.raises(TransientProviderError):
        identity_profile_fetch(identity_id=identity.pk)
    identity.refresh_from_db()
    activity.refresh_from_db()
    assert (identity.display_name, activity.title) == ("", PSID)


@pytest.mark.django_db
def test_the_task_asks_again_later_a_bounded_number_of_times(provider_api, monkeypatch):
    # given: the provider refuses every time
    identity, activity, _ = messenger_customer_waiting()
    countdowns = []
    retry = tasks.identity_profile_fetch.retry

    def recorded(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(tasks.identity_profile_fetch, "retry", recorded)
    for _ in range(tasks.PROFILE_TRIES):
        provider_api.answer(503, GRAPH_REFUSAL)
    # when: run as the worker would (eagerly here: each retry at once)
    tasks.identity_profile_fetch.apply(args=[identity.pk])
    # then: asked again later each time, then given up quietly with the id still shown
    assert len(provider_api.requests) == tasks.PROFILE_TRIES
    assert countdowns == [30.0, 60.0, 120.0, 240.0, 480.0]
    activity.refresh_from_db()
    assert activity.title == PSID


@pytest.mark.django_db
def test_a_customer_named_meanwhile_is_not_looked_up(provider_api):
    # given
    identity, _, _ = messenger_customer_waiting()
    ExternalIdentity.objects.filter(pk=identity.pk).update(display_name="From a webhook")
    # when
    identity_profile_fetch(identity_id=identity.pk)
    # then
    assert provider_api.requests == []
