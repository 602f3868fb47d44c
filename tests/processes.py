"""Starting the product's settings in a fresh interpreter, as daphne, celery or a deploy would."""

import os

STRONG_SECRET = "k" * 20 + "Q7v" * 10


def product_environ(tmp_path, **env) -> dict[str, str]:
    """This environment, less DEBUG and SECRET_KEY, with the product's settings and var/ here."""
    environ = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}
    }
    return environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path),
        **env,
    }
