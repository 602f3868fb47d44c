from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy

from contactcenter.demo import supervisors_group
from contactcenter.models import (
    Activity,
    Agent,
    Offer,
    Participant,
    Pause,
    PauseReason,
    Queue,
    QueueMembership,
    Status,
)
from contactcenter.outbox import EVENT_TYPES
from integrations.models import ApiToken, IntegrationAccount, TokenScope
from integrations.services.accounts import integration_account_create
from integrations.services.tokens import token_create
from integrations.signing import secret_new
from knowledgebase.services import article_create
from messaging.models import ChannelAccount, ExternalIdentity, Provider
from schedule.models import CalendarEvent, CalendarSettings

PASSWORD = "correct-horse-battery"
META_SECRET = "test_app_secret"  # CHANNELS.md's Meta test vector
VIBER_TOKEN = "44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3"  # CHANNELS.md's Viber vector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)


class SupervisorFactory(UserFactory):
    is_staff = True


class GroupSupervisorFactory(SupervisorFactory):
    """A supervisor as they are set up: in the supervisors' group, with every permission of
    the product's apps."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def in_group(user, create, extracted, **kwargs) -> None:
        user.groups.add(supervisors_group())


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")


class TokenFactory(factory.django.DjangoModelFactory):
    """An integrator's API token (as the admin lists them: by user)."""

    class Meta:
        model = TokenProxy

    user = factory.SubFactory(UserFactory)


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"Queue {n}")


class StatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Status

    name = factory.Sequence(lambda n: f"Status {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QueueMembership

    agent = factory.SubFactory(AgentFactory)
    queue = factory.SubFactory(QueueFactory)


class PauseReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PauseReason

    name = factory.Sequence(lambda n: f"Reason {n}")


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pause

    agent = factory.SubFactory(AgentFactory)
    reason = factory.SubFactory(PauseReasonFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    queue = factory.SubFactory(QueueFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    activity = factory.SubFactory(ActivityFactory)
    agent = factory.SubFactory(AgentFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(seconds=30))


class CalendarEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarEvent

    agent = factory.SubFactory(AgentFactory)
    title = "Team meeting"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(minutes=30))


class CalendarSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarSettings

    agent = factory.SubFactory(AgentFactory)
    time_zone = "Europe/Prague"


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    """A WhatsApp number by default; `viber=True`, `messenger=True` or `instagram=True` switch."""

    class Meta:
        model = ChannelAccount

    class Params:
        messenger = factory.Trait(provider=Provider.MESSENGER, provider_account_id="PAGE_ID")
        instagram = factory.Trait(provider=Provider.INSTAGRAM, provider_account_id="IG_ID")
        viber = factory.Trait(
            provider=Provider.VIBER,
            provider_account_id="",
            access_token="",
            app_secret="",
            verify_token="",
            viber_auth_token=VIBER_TOKEN,
            viber_sender_name="Support",
        )

    provider = Provider.WHATSAPP
    name = factory.LazyAttribute(lambda account: f"Our {account.provider}")
    queue = factory.SubFactory(QueueFactory)
    provider_account_id = factory.Sequence(lambda n: f"10654035224{n:04d}")
    access_token = "test-access-token"
    app_secret = META_SECRET
    verify_token = "verify-me"


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentity

    channel_account = factory.SubFactory(ChannelAccountFactory)
    provider_user_id = factory.Sequence(lambda n: f"1650555{n:04d}")
    display_name = factory.Faker("name")


class CustomerActivityFactory(ActivityFactory):
    """An activity with a customer on a channel, open for an agent (who takes part in it)."""

    class Meta:
        skip_postgeneration_save = True

    identity = factory.SubFactory(IdentityFactory)
    channel_account = factory.SelfAttribute("identity.channel_account")
    queue = factory.SelfAttribute("identity.channel_account.queue")
    state = "open"
    owner = factory.SubFactory(AgentFactory)
    owner_takes_part = factory.Maybe(
        "owner",
        yes_declaration=factory.RelatedFactory(
            "tests.factories.ParticipantFactory",
            factory_related_name="activity",
            agent=factory.SelfAttribute("..owner"),
            role="owner",
        ),
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    """An invited agent in an activity; `left=True` has them gone again."""

    class Meta:
        model = Participant

    class Params:
        left = factory.Trait(left_at=factory.SelfAttribute("joined_at"))

    activity = factory.SubFactory(CustomerActivityFactory)
    agent = factory.SubFactory(AgentFactory)
    role = "invited"
    joined_at = factory.LazyFunction(timezone.now)


class OnlineAgentFactory(AgentFactory):
    """An agent whose workspace is connected; `queue=` also makes them a member logged into
    that queue, ready to be rung."""

    class Meta:
        skip_postgeneration_save = True

    class Params:
        queue = None

    is_online = True
    logged_into_queue = factory.Maybe(
        "queue",
        yes_declaration=factory.RelatedFactory(
            MembershipFactory,
            factory_related_name="agent",
            queue=factory.SelfAttribute("..queue"),
        ),
    )


class InboundMessageFactory(factory.django.DjangoModelFactory):
    """A customer's message in an activity with a customer (`CustomerActivityFactory`)."""

    class Meta:
        model = "messaging.Message"

    activity = factory.SubFactory(CustomerActivityFactory)
    channel_account = factory.SelfAttribute("activity.channel_account")
    identity = factory.SelfAttribute("activity.identity")
    direction = "in"
    status = "received"
    text = factory.Faker("sentence")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """An inbound image still downloading; `stored=True` makes it downloaded."""

    class Meta:
        model = "messaging.Attachment"

    class Params:
        stored = factory.Trait(
            transfer="done",
            file=factory.django.FileField(filename="photo.jpg", data=b"JPEG"),
            size=4,
        )

    message = factory.SubFactory(InboundMessageFactory)
    kind = "image"
    filename = "photo.jpg"
    content_type = "image/jpeg"


class TemplateFactory(factory.django.DjangoModelFactory):
    """An approved WhatsApp template (offered in every queue); `whatsapp_name=""` makes it a
    canned text only."""

    class Meta:
        model = "messaging.Template"

    name = factory.Sequence(lambda n: f"Template {n}")
    text = "Hello {contact.first_name}, your order has shipped."
    whatsapp_name = "order_shipped"
    whatsapp_language = "en_US"
    whatsapp_parameters = ["first_name"]


class WebhookEventFactory(factory.django.DjangoModelFactory):
    """A verified delivery, kept and not yet applied."""

    class Meta:
        model = "messaging.WebhookEvent"

    channel_account = factory.SubFactory(ChannelAccountFactory)
    provider = factory.SelfAttribute("channel_account.provider")
    body = "{}"
    verdict = "accepted"


class DeliveryReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "messaging.DeliveryReceipt"

    channel_account = factory.SubFactory(ChannelAccountFactory)
    provider_message_id = factory.Sequence(lambda n: f"wamid.R{n}")
    status = "delivered"
    occurred_at = factory.LazyFunction(timezone.now)


class SLAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.SLA"

    name = factory.Sequence(lambda n: f"SLA {n}")
    first_response_minutes = 60
    resolution_minutes = 8 * 60


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.Account"

    name = factory.Faker("company")


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact; `phones=["+420777123456"]` gives them numbers (E.164, as stored)."""

    class Meta:
        model = "crm.Contact"
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def phones(contact, create, numbers, **kwargs):
        for number in numbers or ():
            contact.phones.create(number=number)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Category"

    name = factory.Sequence(lambda n: f"Category {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Ticket"

    title = factory.Faker("sentence", nb_words=4)


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "knowledgebase.Folder"

    name = factory.Sequence(lambda n: f"Folder {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article for every queue, written through its service (rendered, revised,
    searchable) by a supervisor."""

    class Meta:
        model = "knowledgebase.Article"

    author = factory.SubFactory(SupervisorFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Faker("paragraph")
    state = "published"

    @classmethod
    def _create(cls, model_class, author, **fields):
        return article_create(actor=author, **fields)


class _SignInRecord(factory.django.DjangoModelFactory):
    """What django-axes keeps of a sign-in at the login page."""

    username = factory.Sequence(lambda n: f"visitor{n}")
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0"
    http_accept = "text/html"
    path_info = "/login/"


class AccessAttemptFactory(_SignInRecord):
    class Meta:
        model = "axes.AccessAttempt"

    get_data = ""
    post_data = ""
    failures_since_start = 1


class AccessLogFactory(_SignInRecord):
    class Meta:
        model = "axes.AccessLog"


class AccessFailureLogFactory(_SignInRecord):
    class Meta:
        model = "axes.AccessFailureLog"


class IntegrationAccountFactory(factory.django.DjangoModelFactory):
    """A user that is a program, made as the admin makes one (in the integrations' group)."""

    class Meta:
        model = IntegrationAccount

    username = factory.Sequence(lambda n: f"integration{n}")
    first_name = "CRM sync"

    @classmethod
    def _create(cls, model_class, username: str, first_name: str) -> IntegrationAccount:
        return integration_account_create(username=username, name=first_name)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token made by its service, with its plaintext as `.plaintext` (nothing keeps it).
    A past expiry, a last use or a revocation, which the services stamp with the present, are
    written after it, as a fixture would."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    scope = TokenScope.READ

    @classmethod
    def _create(cls, model_class, user, name: str, scope: str, **stamps) -> ApiToken:
        token, plaintext = token_create(user=user, name=name, scope=scope, actor=user)
        ApiToken.objects.filter(pk=token.pk).update(**stamps)
        token.refresh_from_db()
        token.plaintext = plaintext
        return token


class OutboxEventFactory(factory.django.DjangoModelFactory):
    """An event for integrators, as `outbox_record` writes it (not yet fanned out)."""

    class Meta:
        model = "contactcenter.OutboxEvent"

    type = "contact.created"
    data = factory.Sequence(lambda n: {"contact_id": n, "name": "Sheena Nelson"})


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An active endpoint that wants every event type."""

    class Meta:
        model = "integrations.WebhookEndpoint"

    url = "https://hooks.example.com/contact-center"
    event_types = factory.LazyFunction(lambda: list(EVENT_TYPES))
    secret = factory.LazyFunction(secret_new)


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery due now, of an event fanned out."""

    class Meta:
        model = "integrations.WebhookDelivery"

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(OutboxEventFactory, dispatched_at=factory.LazyFunction(timezone.now))
    next_attempt_at = factory.LazyFunction(timezone.now)


class RoomFactory(factory.django.DjangoModelFactory):
    """An open video room of an agent's chat (as `room_create` makes one, without the history
    line)."""

    class Meta:
        model = "cobrowse.Room"

    activity = factory.SubFactory(CustomerActivityFactory)
    created_by = factory.SelfAttribute("activity.owner")
    number = factory.Sequence(lambda n: str(5_000_000_000 + n))
    opened_at = factory.LazyFunction(timezone.now)


class RoomParticipantFactory(factory.django.DjangoModelFactory):
    """A customer in a video room."""

    class Meta:
        model = "cobrowse.Participant"

    room = factory.SubFactory(RoomFactory)
    role = "customer"
    label = "Customer"
    peer = factory.Sequence(lambda n: f"peer{n}")
    joined_at = factory.LazyFunction(timezone.now)
