"""The Send new message window of the workspace: pick a customer who wrote to us on the
channel, see what the reply window allows, then start a chat or send and close."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.pages import agent_page
from contactcenter.placeholders import customer_values, fill
from contactcenter.selectors import activities_in_detail
from contactcenter.serializers import ActivityDetailSerializer
from messaging.models import ExternalIdentity, Provider
from messaging.policy import reply_window
from messaging.selectors import identities_to_write_to, templates_of_queue
from messaging.services.conversations import NEVER_WROTE, conversation_start

RESULTS = 10


@agent_page
def new_message(request: HttpRequest) -> HttpResponse:
    """GET: the window for `provider` (the first channel when none we know is named;
    `identity` preselects a customer, from the CRM or a ticket, and `ticket` the ticket the
    chat is for), drawn again as the agent searches and chooses. POST: start or send; success
    answers 204 with the `cc:conversation` event (the activity) for the page."""
    data = request.POST if request.method == "POST" else request.GET
    provider = data.get("provider", "")
    if provider not in Provider.values:
        provider = Provider.values[0]
    identity = _identity(provider, data.get("identity", ""))
    memberships = list(request.agent.memberships.select_related("queue"))
    queue = _queue(memberships, data.get("queue", ""), identity)
    context = {
        "provider": provider,
        "provider_name": Provider(provider).label,
        "identity": identity,
        "query": data.get("q", ""),
        "memberships": memberships,
        "queue": queue,
        "values": data,
        "error": "",
    }
    if identity is None:
        context["results"] = identities_to_write_to(provider=provider, query=context["query"])[
            :RESULTS
        ]
    elif queue is not None:
        context |= _composer(identity, queue, request, data.get("template", ""))
    if request.method == "POST":
        try:
            return _start(request, identity, queue, data)
        except ApplicationError as exc:
            context["error"] = exc.message
    return render(request, "messaging/new_message.html", context)


def _queue(memberships: list, chosen: str, identity: ExternalIdentity | None):
    """The queue chosen, else the one the customer's channel feeds (where their chats are
    answered), else the agent's first."""
    feeds = identity.channel_account.queue_id if identity else None
    for wanted in (chosen, str(feeds)):
        queue = next((m.queue for m in memberships if str(m.queue_id) == wanted), None)
        if queue is not None:
            return queue
    return memberships[0].queue if memberships else None


def _identity(provider: str, identity_id: str) -> ExternalIdentity | None:
    if not identity_id.isdigit():
        return None
    return (
        ExternalIdentity.objects.select_related("channel_account", "contact")
        .filter(pk=identity_id, channel_account__provider=provider)
        .first()
    )


def _composer(identity: ExternalIdentity, queue, request: HttpRequest, template_id: str) -> dict:
    """The window's rules for this customer now (`refusal`: why nothing may be sent), and what
    the queue offers."""
    values = customer_values(identity, queue, request.agent)
    window = reply_window(identity, timezone.now())
    refusal = window.refusal
    if identity.last_inbound_at is None:
        refusal = NEVER_WROTE
    templates = list(templates_of_queue(queue.pk))
    approved = [template for template in templates if template.is_whatsapp]
    chosen = next(
        (t for t in approved if str(t.pk) == template_id), approved[0] if approved else None
    )
    return {
        "window": window,
        "refusal": refusal,
        "statuses": list(queue.statuses.all()),
        "inserts": [
            {"name": t.name, "text": fill(t.text, values)} for t in templates if not t.is_whatsapp
        ],
        "approved": approved,
        "template": chosen,
        "parameters": [
            {"name": name, "value": values.get(name, "")}
            for name in (chosen.whatsapp_parameters if chosen else [])
        ],
    }


def _start(request: HttpRequest, identity, queue, data) -> HttpResponse:
    if identity is None:
        raise ApplicationError("Choose the customer first.", code="no_customer")
    if queue is None:
        raise ApplicationError("You are in no queue to write from.", code="invalid_queue")
    send = data.get("action") == "send"
    template = None
    if data.get("use_template") == "on" and data.get("template", "").isdigit():
        template = templates_of_queue(queue.pk).filter(pk=data["template"]).first()
    status = data.get("status", "")
    activity = conversation_start(
        agent=request.agent,
        identity_id=identity.pk,
        queue_id=queue.pk,
        text="" if template else data.get("text", ""),
        template=template,
        template_parameters=data.getlist("template_parameters") if template else (),
        close_with_status=int(status) if status.isdigit() else None,
        send=send,
        ticket_id=int(data["ticket"]) if data.get("ticket", "").isdigit() else None,
    )
    payload = ActivityDetailSerializer(activities_in_detail().get(pk=activity.pk)).data
    trigger = {"cc:conversation": {"activity": payload, "sent": send}}
    return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(trigger, default=str)})
