"""Demo knowledge base: folders, and published articles for the Sales (100) and Support (200)
queues and for every queue, so that the Support screen's Articles widget has something to
suggest from what the simulator's customer writes."""

from contactcenter.demo import DemoBase
from knowledgebase.models import Article, ArticleState, Folder
from knowledgebase.services import article_create, folder_create

FOLDERS = [
    # name, parent's name
    ("Getting started", None),
    ("Orders and delivery", None),
    ("Returns and refunds", "Orders and delivery"),
    ("Products", None),
]
ARTICLES = [
    # title, folder, queue numbers (none: every queue), public, tags, body
    (
        "How we greet customers",
        "Getting started",
        [],
        False,
        ["tone"],
        "Greet the customer by **first name** and introduce yourself.\n\n"
        "- Answer within two minutes\n- Keep replies short\n- Use the *Templates* menu for "
        "the usual answers",
    ),
    (
        "Delivery times",
        "Orders and delivery",
        [100, 200],
        True,
        ["delivery", "shipping"],
        "Orders placed before **2 pm** leave the warehouse the same day.\n\n"
        "| Destination | Delivery |\n|---|---|\n| Domestic | 1-2 working days |\n"
        "| EU | 3-5 working days |\n| Rest of the world | 7-14 working days |\n\n"
        "Track a parcel at [our tracking page](https://shop.example.com/track).",
    ),
    (
        "Returning an order",
        "Returns and refunds",
        [200],
        True,
        ["returns", "refund"],
        "Customers may return any item within **30 days** of delivery.\n\n"
        "1. Ask for the order number.\n2. Send the return form: "
        "https://shop.example.com/returns\n3. The refund is paid to the original payment "
        "method within 5 working days of the parcel arriving.",
    ),
    (
        "Damaged or missing items",
        "Returns and refunds",
        [200],
        True,
        ["damage", "complaint"],
        "Ask the customer for a **photo** of the damaged item and of the parcel. Open a "
        "ticket in the *Complaint* category and send a replacement at once; the customer need "
        "not return the damaged item.",
    ),
    (
        "Discounts for larger orders",
        "Products",
        [100],
        False,
        ["pricing"],
        "Orders over **€500** get 5 % off, over **€2,000** 10 % off. Larger discounts need the "
        "sales manager's approval: open a ticket for it.",
    ),
    (
        "Warranty",
        "Products",
        [],
        True,
        ["warranty"],
        "Every product has a **two-year warranty**. A warranty claim needs the order number "
        "and a short description of the fault.",
    ),
]


def demo_load(base: DemoBase) -> None:
    """Create the folders and articles that are missing (found by name and title), written by
    the supervisor. Idempotent."""
    author = base.supervisor
    folders: dict[str, Folder] = {}
    for name, parent in FOLDERS:
        folder = Folder.objects.filter(name=name).first()
        if folder is None:
            folder = folder_create(actor=author, name=name, parent=folders.get(parent or ""))
        folders[name] = folder
    for title, folder, numbers, public, tags, body in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        article_create(
            actor=author,
            title=title,
            body=body,
            folder=folders[folder],
            state=ArticleState.PUBLISHED,
            queues=[base.queues[number] for number in numbers],
            tags=tags,
            public=public,
        )
