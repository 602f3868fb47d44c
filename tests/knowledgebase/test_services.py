"""Every change of the knowledge base: revisions, restoring, rendering once, who may write,
pictures."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from contactcenter.exceptions import ApplicationError
from knowledgebase import markdown
from knowledgebase.models import ArticleState
from knowledgebase.selectors import articles_for
from knowledgebase.services import (
    article_image_add,
    article_publish,
    article_revision_restore,
    article_update,
    folder_create,
    folder_update,
)
from tests.factories import AgentFactory
from tests.knowledgebase.helpers import article, editor

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_each_change_of_the_text_is_a_revision_and_a_restore_is_one_more():
    # given: an article written, then changed twice (once only its state)
    author = editor()
    item = article("Returns", "Within 14 days.", author=author, state=ArticleState.DRAFT)
    article_update(actor=author, article_id=item.pk, body="Within 30 days.")
    article_publish(actor=author, article_id=item.pk)
    first = item.revisions.get(number=1)
    # when: the first revision is restored
    restored = article_revision_restore(actor=author, article_id=item.pk, revision_id=first.pk)
    # then: three revisions, the last saying what it restored; the text and HTML are the first's
    revisions = list(item.revisions.order_by("number").values_list("number", "body", "note"))
    assert revisions == [
        (1, "Within 14 days.", "Created"),
        (2, "Within 30 days.", ""),
        (3, "Within 14 days.", "Restored revision 1"),
    ]
    assert restored.body_html == "<p>Within 14 days.</p>\n"
    assert restored.state == ArticleState.PUBLISHED
    assert item.revisions.get(number=3).author == author


def test_the_html_is_rendered_when_saved_never_when_read(client):
    # given
    author = editor()
    item = article("Hours", "We open at *nine*.", author=author)
    # when: it is read many times
    with mock.patch.object(markdown, "render", side_effect=AssertionError("rendered on read")):
        for _ in range(3):
            found = articles_for(author).get(pk=item.pk)
    # then
    assert found.body_html == "<p>We open at <em>nine</em>.</p>\n"
    assert found.body_text == "We open at nine."


def test_only_editors_write():
    # given: an agent without the permission, and one given it
    plain = AgentFactory().user
    keeper = AgentFactory().user
    keeper.user_permissions.add(Permission.objects.get(codename="change_article"))
    item = article("Hours", "Nine.")
    # then
    with pytest.raises(ApplicationError) as refused:
        article_update(actor=plain, article_id=item.pk, title="Mine")
    assert refused.value.status == 403
    assert article_update(actor=keeper, article_id=item.pk, title="Ours").title == "Ours"


def test_a_folder_never_goes_inside_itself():
    author = editor()
    top = folder_create(actor=author, name="Orders")
    inner = folder_create(actor=author, name="Returns", parent=top)
    with pytest.raises(ApplicationError, match="inside itself"):
        folder_update(actor=author, folder=top, parent=inner)
    assert [inner.position, folder_create(actor=author, name="B", parent=top).position] == [0, 1]


def test_a_picture_is_kept_by_its_content_and_a_disguised_file_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    author = editor()
    item = article("Parcel", "")
    # when
    image = article_image_add(
        actor=author, article=item, upload=SimpleUploadedFile("../a b.png", PNG, "image/png")
    )
    # then
    assert (image.filename, image.content_type) == ("a b.png", "image/png")
    assert image.file.read() == PNG
    with pytest.raises(ApplicationError):
        article_image_add(actor=author, article=item, upload=SimpleUploadedFile(
            "x.png", b"<svg onload=alert(1)>", "image/png"))  # fmt: skip
    with pytest.raises(ApplicationError, match="Only PNG"):
        article_image_add(actor=author, article=item, upload=SimpleUploadedFile(
            "x.pdf", b"%PDF-1.4 x", "application/pdf"))  # fmt: skip
