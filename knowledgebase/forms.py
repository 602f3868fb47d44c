"""The Knowledge base module's forms. They only read what was typed; the services validate
and store."""

from django import forms

from contactcenter.models import Queue
from knowledgebase.models import ArticleState, Folder


class ArticleForm(forms.Form):
    """Its fields' ids begin "article-": the workspace holds other modules' forms too."""

    title = forms.CharField(max_length=200)
    folder = forms.ModelChoiceField(Folder.objects.order_by("name"), required=False)
    body = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown: **bold**, _italic_, [link](https://…), lists, tables, ![picture](…).",
    )
    state = forms.ChoiceField(choices=ArticleState.choices, initial=ArticleState.DRAFT)
    queues = forms.ModelMultipleChoiceField(
        Queue.objects.order_by("number"),
        required=False,
        help_text="Whose agents read it; none: every queue.",
    )
    tags = forms.CharField(required=False, help_text="Separated by commas.")
    public = forms.BooleanField(
        required=False, label="Customers may open it by its link (once published)"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "article-%s")
        super().__init__(*args, **kwargs)

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]


class ImageForm(forms.Form):
    image = forms.FileField(label="Picture", help_text="PNG, JPEG, GIF or WebP, up to 5 MB.")
