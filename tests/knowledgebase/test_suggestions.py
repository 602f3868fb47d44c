"""The Articles widget's suggestions: ranked against the customer's latest messages, on
either back end."""

import pytest

from knowledgebase.selectors import suggestions_for
from tests.factories import InboundMessageFactory
from tests.knowledgebase.helpers import article
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


def test_the_article_matching_most_of_what_the_customer_wrote_comes_first():
    # given: the customer wrote twice, long ago about invoices, lately about a damaged parcel
    activity = customer()
    InboundMessageFactory(activity=activity, text="Where is my invoice?")
    InboundMessageFactory(activity=activity, text="The parcel arrived damaged, the box is wet.")
    article("Damaged parcels", "Ask for a photo of the damaged box and send a replacement.")
    article("Parcel sizes", "A parcel may weigh 30 kg.")
    article("Invoices", "Invoices are e-mailed.")
    article("Opening hours", "Nine to five.")
    # when
    suggested = [found.title for found in suggestions_for(activity.owner.user, activity)]
    # then: the best match first, at most three, nothing that matches no word
    assert suggested[0] == "Damaged parcels"
    assert set(suggested) == {"Damaged parcels", "Parcel sizes", "Invoices"}


def test_nothing_is_suggested_before_the_customer_writes_anything_searchable():
    activity = customer()
    InboundMessageFactory(activity=activity, text="?! :)")
    article("Opening hours", "Nine to five.")
    assert suggestions_for(activity.owner.user, activity) == []
