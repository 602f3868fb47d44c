"""Calling the REST API in tests as a given user."""

from rest_framework.test import APIClient


def api_for(user) -> APIClient:
    """An API client authenticated as `user`."""
    client = APIClient()
    client.force_authenticate(user)
    return client
