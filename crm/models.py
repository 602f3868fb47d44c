"""Who our customers are: companies (accounts) with their service levels, and the people
(contacts) with their phone numbers in E.164, whom the channels' identities are paired with."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from contactcenter.models.base import BaseModel


class SLA(BaseModel):
    """A service level: how soon a ticket of the account gets a first answer and a resolution."""

    name = models.CharField(max_length=120, unique=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA"
        verbose_name_plural = "SLAs"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_minutes__gte=1)
                & Q(resolution_minutes__gte=F("first_response_minutes")),
                name="sla_resolution_after_first_response",
                violation_error_message="The resolution time is at least the first response time.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Account(BaseModel):
    """A company our contacts work for."""

    name = models.CharField(max_length=200)
    company_id = models.CharField("company ID", max_length=40, blank=True)
    vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sla = models.ForeignKey(
        SLA, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="account_name")]

    def __str__(self) -> str:
        return self.name


class Contact(BaseModel):
    """A person; the channels' identities (WhatsApp number, Messenger PSID, ...) pair with one."""

    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=120, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    emails = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="contact_name")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") | ~Q(last_name=""),
                name="contact_has_a_name",
                violation_error_message="A contact needs a first or a last name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ContactPhone(BaseModel):
    """One phone number of a contact, in E.164. One number may belong to several contacts."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, db_index=True, help_text="E.164, e.g. +420777123456")
    label = models.CharField(max_length=40, blank=True, help_text="mobile, work, ...")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "number"], name="contactphone_once"),
            models.CheckConstraint(condition=Q(number__startswith="+"), name="contactphone_e164"),
        ]

    def __str__(self) -> str:
        return self.number
