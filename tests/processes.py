"""Starting the product's settings in a fresh interpreter, as daphne, celery or a deploy would."""

import os

STRONG_SECRET = "k7Q-vZ2p_" * 6
STRONG_FIELD_KEY = "0C2ubKSB0mYzNchfjp4zBKe1G4m_pPJ_t8aOWcJsq3I="
# What a production deploy must set besides DEBUG=0.
PRODUCTION_SECRETS = {"SECRET_KEY": STRONG_SECRET, "FIELD_ENCRYPTION_KEYS": STRONG_FIELD_KEY}


def product_environ(tmp_path, **env) -> dict[str, str]:
    """This environment, less DEBUG and the secrets, with the product's settings and var/
    here."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    }
    return environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path),
        **env,
    }
