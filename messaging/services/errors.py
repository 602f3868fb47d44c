class TransientProviderError(Exception):
    """The provider did not answer usefully this time (timeout, 429, 5xx): try again later."""
