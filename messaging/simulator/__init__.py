"""The provider simulator, for demos and tests (settings.SIMULATOR_ENABLED): fake WhatsApp,
Messenger, Instagram and Viber APIs that our real connectors call, and a customer page that
writes to us through our real webhooks."""
