"""Every write of the messaging domain: `webhooks` (inbound), `delivery` (statuses),
`outbound` (agents' messages) and `media` (files)."""
