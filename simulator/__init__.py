"""The provider simulator, for demos and tests: fake WhatsApp, Messenger, Instagram and Viber
APIs that our real connectors call, and a customer page that writes to us through our real
webhooks. An app of its own, installed only while settings.SIMULATOR_ENABLED (SIMULATOR) is on,
so production databases never get its tables."""
