"""What the core needs done that only another app can do: a port each, which the app plugs its
implementation into from its `AppConfig.ready`. Unplugged (the app is not installed), a port
does nothing.

- `customer_notice(activity=, text=)`: tell the activity's customer something through their
  channel ("another agent has joined"), in the caller's transaction. Messaging plugs it.
- `contact_pair(activity=)`: pair an activity that has just opened for a customer with the CRM
  contact they are known as, in the caller's transaction. The CRM plugs it.
- `activity_closing(activity=)`: the activity is closing: end what an app keeps open for it
  (a co-browsing room), in the caller's transaction, which holds the activity's lock.
  Co-browsing plugs it.
- `outbox_written()`: events for integrators were committed to the outbox; fan them out to the
  webhook endpoints soon. Called after commit; the integrations app plugs it.
"""

from dataclasses import dataclass
from typing import Protocol

from contactcenter.models import Activity


class CustomerNotice(Protocol):
    def __call__(self, *, activity: Activity, text: str) -> object: ...


class ContactPair(Protocol):
    def __call__(self, *, activity: Activity) -> object: ...


def _nothing(**_) -> None:
    return None


class ActivityClosing(Protocol):
    def __call__(self, *, activity: Activity) -> object: ...


class OutboxWritten(Protocol):
    def __call__(self) -> object: ...


@dataclass
class Ports:
    customer_notice: CustomerNotice = _nothing
    contact_pair: ContactPair = _nothing
    activity_closing: ActivityClosing = _nothing
    outbox_written: OutboxWritten = _nothing


ports = Ports()
