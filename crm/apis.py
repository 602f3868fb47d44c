"""REST endpoints of the CRM: accounts and contacts (with their channel identities), and the
pairing of an activity with a contact. Agents read and write them; nobody deletes over the API
(supervisors do in the admin)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.action_apis import AgentApi
from contactcenter.exceptions import ApplicationError
from contactcenter.serializers import ActivityDetailSerializer
from crm.models import SLA, Account, Contact
from crm.selectors import accounts_list, contacts_list, contacts_search
from crm.services import (
    account_create,
    account_update,
    activity_link_contact,
    activity_unpair,
    contact_create,
    contact_update,
    phone_e164,
)

WRITABLE = ["get", "post", "put", "patch", "head", "options"]


class AccountSerializer(serializers.ModelSerializer):
    sla = serializers.PrimaryKeyRelatedField(queryset=SLA.objects.all(), allow_null=True,
                                             required=False)  # fmt: skip
    sla_name = serializers.CharField(source="sla.name", read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = ["id", "name", "company_id", "vat_id", "address", "notes", "owner", "sla",
                  "sla_name", "created_at"]  # fmt: skip
        read_only_fields = ["owner", "created_at"]


class AccountFilter(django_filters.FilterSet):
    class Meta:
        model = Account
        fields = ["sla", "owner"]


class AccountViewSet(viewsets.ModelViewSet):
    """Companies, with their SLA (the deadlines of their tickets)."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ["name", "company_id", "vat_id"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    http_method_names = WRITABLE

    def get_queryset(self):
        return accounts_list()

    def perform_create(self, serializer: AccountSerializer) -> None:
        serializer.instance = account_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: AccountSerializer) -> None:
        serializer.instance = account_update(
            account=serializer.instance, **serializer.validated_data
        )


class IdentityBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField(source="channel_account.provider")
    channel_account = serializers.IntegerField(source="channel_account_id")
    provider_user_id = serializers.CharField()
    display_name = serializers.CharField()


class PhonesField(serializers.ListField):
    """Numbers as strings: written any way, read in E.164."""

    child = serializers.CharField()

    def to_representation(self, phones) -> list[str]:
        return [phone.number for phone in phones.all()]


class ContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    phones = PhonesField(
        required=False,
        help_text="Numbers in E.164 (written with their country code, or in PHONE_REGION's).",
    )
    emails = serializers.ListField(child=serializers.EmailField(), required=False)
    identities = IdentityBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "first_name", "last_name", "name", "title", "account", "emails",
                  "phones", "notes", "owner", "identities", "created_at"]  # fmt: skip
        read_only_fields = ["owner", "created_at"]


class ContactFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Name, e-mail, phone...")
    phone = django_filters.CharFilter(method="filter_phone", label="A phone number (any format)")

    class Meta:
        model = Contact
        fields = ["account", "owner"]

    def filter_search(self, contacts, name, value):
        return contacts.filter(pk__in=contacts_search(value).values("pk"))

    def filter_phone(self, contacts, name, value):
        try:
            return contacts.filter(phones__number=phone_e164(value)).distinct()
        except ApplicationError:
            return contacts.none()


class ContactViewSet(viewsets.ModelViewSet):
    """People, with their phones (E.164) and the channel identities paired with them."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["last_name", "first_name", "created_at"]
    ordering = ["last_name", "first_name", "id"]
    http_method_names = WRITABLE

    def get_queryset(self):
        return contacts_list()

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = contact_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: ContactSerializer) -> None:
        serializer.instance = contact_update(
            contact=serializer.instance, **serializer.validated_data
        )


class ActivityContactApi(AgentApi):
    """Pair the activity (and its customer from now on) with a contact: POST {"contact": id};
    unpair: DELETE. For the agents taking part in it, and for integration accounts in any
    activity (a closed one too), recorded in its history as by them."""

    integrations_act = True

    @extend_schema_serializer(component_name="ActivityContact")
    class InputSerializer(serializers.Serializer):
        contact = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=ActivityDetailSerializer)
    def post(self, request: Request, activity_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_link_contact(activity_id=activity_id, **self.acting,
                              contact_id=serializer.validated_data["contact"])  # fmt: skip
        return Response(self.activity_data(activity_id))

    @extend_schema(responses={200: ActivityDetailSerializer})  # a DELETE, yet not a 204
    def delete(self, request: Request, activity_id: int) -> Response:
        activity_unpair(activity_id=activity_id, **self.acting)
        return Response(self.activity_data(activity_id))
