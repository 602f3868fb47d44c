"""The integrations' back office: everyone's API tokens, and the integration accounts.

Tokens change only through their services. "Add" makes one with `token_create` and shows its
plaintext on the page that answers the form, once: nothing keeps it. A token is not edited
afterwards (programs rely on it as it is): it is revoked (the list's action) and another made.
Its digest is never shown.
"""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from contactcenter.admin import ReadOnlyInline
from contactcenter.permissions import INTEGRATION_GROUP
from integrations.models import ApiToken, IntegrationAccount
from integrations.services.accounts import integration_account_create
from integrations.services.tokens import token_create, token_revoke

# What a token is, shown and never edited.
TOKEN_FIELDS = ["name", "prefix_shown", "scope", "created", "expires", "last_used", "state"]


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(state, state.capitalize()) for state in ("active", "expired", "revoked")]

    def queryset(self, request, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        live, expired = Q(revoked_at__isnull=True), Q(expires_at__lte=timezone.now())
        states = {"active": live & ~expired, "expired": live & expired, "revoked": ~live}
        return queryset.filter(states[self.value()]) if self.value() in states else queryset


def _short(value: datetime | None) -> str | None:
    return value and date_format(timezone.localtime(value), "Y-m-d H:i")


class TokenDisplay:
    """The columns a token is shown by, in the list and on its account's page (its times
    short, so that a laptop shows every column beside the admin's menu)."""

    @admin.display(description="token")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description="created", ordering="created_at")
    def created(self, token: ApiToken) -> str | None:
        return _short(token.created_at)

    @admin.display(description="expires", ordering="expires_at", empty_value="never")
    def expires(self, token: ApiToken) -> str | None:
        return _short(token.expires_at)

    @admin.display(description="last used", ordering="last_used_at", empty_value="never")
    def last_used(self, token: ApiToken) -> str | None:
        return _short(token.last_used_at)

    @admin.display(description="state")
    def state(self, token: ApiToken) -> str:
        return token.state


class TokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(TokenDisplay, admin.ModelAdmin):
    list_display = ["__str__", "user", *TOKEN_FIELDS[2:]]  # the name with its first characters
    list_filter = [TokenStateFilter, "scope", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    form = TokenAddForm
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return TokenAddForm.Meta.fields
        return ["user", *TOKEN_FIELDS, "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("integrations.change_apitoken")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The add form has one button: its answer is the new token's page."""
        extra_context = {**(extra_context or {}), "show_save_and_continue": False,
                         "show_save_and_add_another": False}  # fmt: skip
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj: ApiToken, form, change) -> None:
        fields = {name: form.cleaned_data[name] for name in TokenAddForm.Meta.fields}
        token, obj.plaintext = token_create(**fields, actor=request.user)
        obj.pk = token.pk
        obj.refresh_from_db()

    def response_add(self, request, obj: ApiToken, post_url_continue=None):
        """The new token's page, with its plaintext: shown here once, and not cached."""
        context = {
            **self.admin_site.each_context(request),
            "title": "New API token",
            "opts": self.opts,
            "token": obj,
            "plaintext": obj.plaintext,
        }
        response = TemplateResponse(request, "admin/integrations/apitoken/created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for token_id in live:
            token_revoke(token_id=token_id, actor=request.user)
        noun = "token" if len(live) == 1 else "tokens"
        self.message_user(request, f"Revoked {len(live)} {noun}.", messages.SUCCESS)


class ApiTokenInline(TokenDisplay, ReadOnlyInline):
    model = ApiToken
    fields = TOKEN_FIELDS


class IntegrationAccountForm(forms.ModelForm):
    class Meta:
        model = IntegrationAccount
        fields = ["username", "first_name", "is_active"]
        labels = {"first_name": "Name", "is_active": "Active"}
        help_texts = {
            "first_name": "What it is: “CRM sync”.",
            "is_active": "Off: every token of the account gets 401 until it is on again.",
        }


@admin.register(IntegrationAccount)
class IntegrationAccountAdmin(admin.ModelAdmin):
    """Users that are programs: made without a password (they work with API tokens) in the
    integrations' group. Deactivated rather than deleted, which keeps their tokens' history."""

    form = IntegrationAccountForm
    list_display = ["username", "first_name", "is_active", "live_tokens", "last_used"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name"]
    inlines = [ApiTokenInline]

    def get_queryset(self, request):
        live = Q(api_tokens__revoked_at__isnull=True) & (
            Q(api_tokens__expires_at__isnull=True) | Q(api_tokens__expires_at__gt=timezone.now())
        )
        return (
            super()
            .get_queryset(request)
            .filter(groups__name=INTEGRATION_GROUP)
            .annotate(
                live_tokens=Count("api_tokens", filter=live),
                last_used=Max("api_tokens__last_used_at"),
            )
        )

    def get_inlines(self, request, obj=None):
        return [] if obj is None else self.inlines

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "first_name"]
        return ["username", "first_name", "is_active", "date_joined", "new_token"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["username", "date_joined", "new_token"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="active tokens", ordering="live_tokens")
    def live_tokens(self, account: IntegrationAccount) -> int:
        return account.live_tokens

    @admin.display(description="last used", ordering="last_used", empty_value="never")
    def last_used(self, account: IntegrationAccount):
        return account.last_used

    @admin.display(description="API tokens")
    def new_token(self, account: IntegrationAccount) -> str:
        url = reverse("admin:integrations_apitoken_add")
        return format_html('<a href="{}?user={}">Make an API token for it</a>', url, account.pk)

    def save_model(self, request, obj: IntegrationAccount, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        obj.pk = integration_account_create(username=data["username"], name=data["first_name"]).pk
