"""Demo CRM records: the simulator's default WhatsApp customer is a known contact of a company
with an SLA, so a demo chat pairs with them at once."""

from contactcenter.demo import DemoBase
from crm.models import SLA, Account, Contact
from crm.services import account_create, contact_create

SLAS = [("Standard", 240, 2880), ("Premium", 30, 480)]


def demo_load(base: DemoBase) -> None:
    """Create what is missing (found by name), owned by the supervisor. Idempotent."""
    owner = base.supervisor
    slas = {
        name: SLA.objects.get_or_create(
            name=name, defaults={"first_response_minutes": first, "resolution_minutes": done}
        )[0]
        for name, first, done in SLAS
    }
    account = Account.objects.filter(name="Acme Ltd").first()
    if account is None:
        account = account_create(actor=owner, name="Acme Ltd", company_id="27074358",
                                 sla=slas["Premium"])  # fmt: skip
    if not Contact.objects.filter(first_name="Sheena", last_name="Nelson").exists():
        contact_create(actor=owner, first_name="Sheena", last_name="Nelson", title="Buyer",
                       account=account, phones=["+1 650 555 1234"],
                       emails=["sheena@acme.example"])  # fmt: skip
