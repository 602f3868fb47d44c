"""The integrations' back office: API tokens and integration accounts (`tokens`), webhook
endpoints and their delivery log (`webhooks`)."""

from integrations.admin import tokens, webhooks  # noqa: F401  (each registers its models)
