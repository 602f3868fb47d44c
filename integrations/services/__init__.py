"""Every write of the integrations app: `tokens` (API tokens), `accounts` (integration
accounts and their group), `endpoints` (where integrators receive events) and `deliveries`
(the fan-out of the outbox, the posts, their retries and the log)."""
