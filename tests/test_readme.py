"""A newcomer sees what the product is before reading: the README opens with a picture of the
workspace, kept in the repository."""

import re

from config.environment import BASE_DIR


def test_the_readme_opens_with_a_picture_of_the_workspace_kept_in_the_repository():
    # given
    readme = (BASE_DIR / "README.md").read_text()
    # when: the first thing under the title
    body = readme.split("\n", 1)[1].lstrip()
    picture = re.match(r"!\[([^\]]+)\]\(([^)]+)\)", body)
    # then: a described picture, in the repository, a PNG
    assert picture is not None
    assert (BASE_DIR / picture[2]).read_bytes().startswith(b"\x89PNG")
