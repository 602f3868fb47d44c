"""Every change of CRM records, and the pairing of activities with contacts.

Phone numbers are stored in E.164, normalised with `phonenumbers`: that is what lets a WhatsApp
customer's number find its contacts, however the number was typed.
"""

from collections import defaultdict
from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from contactcenter import events
from contactcenter.exceptions import ApplicationError
from contactcenter.models import Activity, ActivityState, Agent, EventKind, Participant
from contactcenter.outbox import fields_changed, outbox_record
from contactcenter.services.activities import acting, activity_lock_taking_part, event_record
from crm.models import Account, Contact, ContactPhone
from crm.outbox import CONTACT_FIELDS, contact_data
from crm.selectors import contacts_matching
from messaging.models import ExternalIdentity

# A phone number as typed, alone or with its label ("mobile", "work").
Phone = str | tuple[str, str]


def phone_e164(raw: str) -> str:
    """The number in E.164 ("+420777123456"), or ApplicationError saying what is wrong. The
    international prefix 00 counts as +."""
    typed = raw.strip()
    if typed.startswith("00"):
        typed = f"+{typed[2:]}"
    try:
        number = phonenumbers.parse(typed, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        hint = "" if settings.PHONE_REGION else " with its country code (+420 ...)"
        raise ApplicationError(
            f"{raw!r} is not a valid phone number; write it{hint}.", code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _emails(emails: Iterable[str]) -> list[str]:
    cleaned = [email.strip().lower() for email in emails if email.strip()]
    for email in cleaned:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ApplicationError(
                f"{email!r} is not an e-mail address.", code="invalid_email"
            ) from exc
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def contact_create(
    *,
    actor: AbstractBaseUser,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    account: Account | None = None,
    emails: Iterable[str] = (),
    phones: Iterable[Phone] = (),
    notes: str = "",
    owner: AbstractBaseUser | None = None,
) -> Contact:
    """A new contact owned by `owner` (default: `actor`), its phones in E.164. Refused without
    a name."""
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title=title.strip(),
        account=account,
        emails=_emails(emails),
        notes=notes,
        owner=owner or (actor if actor.is_authenticated else None),
    )
    _check_name(contact)
    contact.save()
    _set_phones(contact, phones)
    outbox_record(type="contact.created", data=contact_data(contact))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, phones: Iterable[Phone] | None = None, **fields) -> Contact:
    """Change the given fields; `phones`, when given, replaces the contact's numbers.
    Integrators hear of it when anything changed, and what (compared with the stored row: a
    form may have changed `contact` already)."""
    before = Contact.objects.filter(pk=contact.pk).values(*CONTACT_FIELDS).get()
    if "emails" in fields:
        fields["emails"] = _emails(fields["emails"])
    for name, value in fields.items():
        setattr(contact, name, value.strip() if isinstance(value, str) else value)
    _check_name(contact)
    contact.save()
    changed = fields_changed(contact, before)
    if phones is not None and _set_phones(contact, phones):
        changed.append("phones")
    if changed:
        outbox_record(type="contact.updated", data={**contact_data(contact), "changed": changed})
    _redraw_paired_activities(contact=contact)
    return contact


def _check_name(contact: Contact) -> None:
    if not contact.first_name and not contact.last_name:
        raise ApplicationError("A contact needs a first or a last name.", code="name_required")


def _set_phones(contact: Contact, phones: Iterable[Phone]) -> bool:
    """The contact's numbers become `phones`; a label given with a number is kept with it, a
    number given alone keeps the label it had. Returns whether any number or label changed."""
    labels: dict[str, str | None] = {}
    for phone in phones:
        raw, label = (phone, None) if isinstance(phone, str) else phone
        if raw.strip():
            labels.setdefault(phone_e164(raw), label)
    changed, _ = contact.phones.exclude(number__in=labels).delete()
    known = {phone.number: phone for phone in contact.phones.all()}
    for number, label in labels.items():
        if number not in known:
            ContactPhone.objects.create(contact=contact, number=number, label=label or "")
            changed += 1
        elif label is not None and known[number].label != label:
            changed += ContactPhone.objects.filter(pk=known[number].pk).update(label=label)
    return changed > 0


@transaction.atomic
def account_create(*, actor: AbstractBaseUser, name: str, **fields) -> Account:
    """A new account owned by `owner` when given, else by `actor`."""
    if not name.strip():
        raise ApplicationError("An account needs a name.", code="name_required")
    fields["owner"] = fields.get("owner") or (actor if actor.is_authenticated else None)
    return Account.objects.create(name=name.strip(), **fields)


@transaction.atomic
def account_update(*, account: Account, **fields) -> Account:
    """Change the given fields. The account's tickets keep deadlines from the SLA they were
    opened under; a ticket moved to another account gets that account's."""
    if "name" in fields and not fields["name"].strip():
        raise ApplicationError("An account needs a name.", code="name_required")
    for name, value in fields.items():
        setattr(account, name, value)
    account.save()
    _redraw_paired_activities(contact__account=account)
    return account


def _redraw_paired_activities(**contact) -> None:
    """The open and postponed activities paired with the changed record show it in their
    Contact and Account widgets: activity.updated, after the commit, makes every page taking
    part draw them again (an agent editing in the CRM module returns to a stale chat
    otherwise)."""
    taking_part = Participant.objects.filter(
        left_at__isnull=True,
        activity__state__in=(ActivityState.OPEN, ActivityState.POSTPONED),
        **{f"activity__{lookup}": value for lookup, value in contact.items()},
    ).values_list("activity_id", "agent_id")
    agents: dict[int, list[int]] = defaultdict(list)
    for activity_id, agent_id in taking_part:
        agents[activity_id].append(agent_id)
    for activity_id, agent_ids in agents.items():
        events.activity_changed(events.ACTIVITY_UPDATED, activity_id, agent_ids)


# Pairing


def activity_pair_new(*, activity: Activity) -> None:
    """A new activity takes its customer's contact: the one the identity is paired with, or
    for WhatsApp the one contact with the customer's number (several: the agent chooses with
    Link). Caller holds the transaction that created the activity."""
    identity = activity.identity
    contact_id = identity.contact_id
    if contact_id is None:
        matches = list(contacts_matching(identity).values_list("pk", flat=True)[:2])
        if len(matches) != 1:
            return
        contact_id = matches[0]
        ExternalIdentity.objects.filter(pk=identity.pk).update(contact_id=contact_id)
        identity.contact_id = contact_id
    Activity.objects.filter(pk=activity.pk).update(contact_id=contact_id)
    activity.contact_id = contact_id


@transaction.atomic(durable=True)
def activity_link_contact(
    *,
    activity_id: int,
    agent: Agent | None = None,
    actor: AbstractBaseUser | None = None,
    contact_id: int,
) -> None:
    """Pair the activity, and its customer's identity from now on, with a contact (the Link
    button, or a contact just created from the activity). For the agents taking part, and for
    an integration account (`actor`: a CRM pairing its own records), in any state."""
    who = acting(agent, actor)
    activity = activity_lock_taking_part(activity_id, who)
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise ApplicationError("No such contact.", code="not_found", status=404)
    if activity.contact_id == contact.pk:
        return
    activity.contact = contact
    activity.save(update_fields=["contact", "updated_at"])
    if activity.identity_id:
        ExternalIdentity.objects.filter(pk=activity.identity_id).update(contact=contact)
    event_record(activity, EventKind.PAIRED, who, {"contact": contact.pk, "name": contact.name})


@transaction.atomic(durable=True)
def activity_unpair(
    *, activity_id: int, agent: Agent | None = None, actor: AbstractBaseUser | None = None
) -> None:
    """Unpair the activity and its customer's identity from their contact (who may: as
    `activity_link_contact`)."""
    who = acting(agent, actor)
    activity = activity_lock_taking_part(activity_id, who)
    if activity.contact_id is None:
        return
    activity.contact = None
    activity.save(update_fields=["contact", "updated_at"])
    if activity.identity_id:
        ExternalIdentity.objects.filter(pk=activity.identity_id).update(contact=None)
    event_record(activity, EventKind.UNPAIRED, who, {})
