"""The API tokens' scheme in the OpenAPI schema (`Authorization: Bearer <token>`). Loaded from
the app's `ready`: drf-spectacular finds extensions by their being imported."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`cct_…`) from the API tokens page or the admin. "
            "A Read token may only read (other methods: 403 `token_read_only`); an unknown, "
            "revoked or expired token gets 401. `Authorization: Token <token>` works too.",
        }
