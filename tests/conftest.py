"""Shared fixtures: API clients authenticated as a provider, another provider, and an admin client."""

import pytest
from rest_framework.test import APIClient

from tests.factories.partnerships import LeadProviderFactory, LeadProviderTokenFactory
from tests.served_schema import validate_response


class ProviderClient(APIClient):
    """An API client carrying one provider's bearer token; `.lead_provider` and `.token` for assertions."""

    def __init__(self, lead_provider, token, raw_token):
        super().__init__()
        self.lead_provider = lead_provider
        self.token = token
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")

    def request(self, **kwargs):
        # Every answer the suite sees must be what the served reference (/api/schema/vN) says it is.
        response = super().request(**kwargs)
        validate_response(response)
        return response

    def put_json(self, path, body=None, **kwargs):
        return self.put(path, data=body, format="json", **kwargs)

    def post_json(self, path, body=None, **kwargs):
        return self.post(path, data=body, format="json", **kwargs)


def make_provider_client(lead_provider) -> ProviderClient:
    token, raw = LeadProviderTokenFactory.issue(lead_provider)
    return ProviderClient(lead_provider, token, raw)


@pytest.fixture
def lead_provider(db):
    return LeadProviderFactory(name="Ambition Institute")


@pytest.fixture
def other_lead_provider(db):
    return LeadProviderFactory(name="Best Practice Network")


@pytest.fixture
def provider_client(lead_provider):
    return make_provider_client(lead_provider)


@pytest.fixture
def other_provider_client(other_lead_provider):
    return make_provider_client(other_lead_provider)


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def finance_user(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="finance", email="finance@example.com", password="finance-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="finance"))
    return user


@pytest.fixture
def support_user(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="support", email="support@example.com", password="support-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="support"))
    return user


@pytest.fixture
def finance_client(client, finance_user):
    client.force_login(finance_user)
    return client
