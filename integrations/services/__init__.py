"""Every write of the outgoing webhooks: `endpoints` (where integrators receive events) and
`deliveries` (the fan-out of the outbox, the posts, their retries and the log)."""
