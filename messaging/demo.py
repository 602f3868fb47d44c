"""Demo templates. The demo channel accounts talk to the provider simulator, so the simulator
app loads them (`simulator.demo`), only while it is on."""

from contactcenter.demo import DemoBase
from messaging.models import Template


def demo_load(_: DemoBase) -> None:
    """Messaging's demo data: templates. Idempotent."""
    demo_templates_load()


# name, text, WhatsApp name, language, parameters: canned replies for every queue, and one
# approved WhatsApp template (the simulator accepts any) for customers outside the 24 h window.
DEMO_TEMPLATES = [
    ("Greeting", "Hello {customer.first_name}, this is {agent.first_name}. How can I help you?",
     "", "", []),
    ("Thanks", "Thank you for writing to us, {customer.first_name}. Have a nice day!", "", "", []),
    ("Follow-up (WhatsApp)", "Hello {{1}}, we have news about your request {{2}}.",
     "follow_up", "en_US", ["customer.first_name", "request"]),
]  # fmt: skip


def demo_templates_load() -> None:
    """Create the demo templates that are missing (found by name). Idempotent."""
    for name, text, whatsapp_name, language, parameters in DEMO_TEMPLATES:
        Template.objects.get_or_create(
            name=name,
            defaults={
                "text": text,
                "whatsapp_name": whatsapp_name,
                "whatsapp_language": language,
                "whatsapp_parameters": parameters,
            },
        )
