import pytest

from tests.elections.helpers import stv_election


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Persona passwords are hashed for every test; a fast hasher keeps this app's tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def election(staff):
    """An open 2-seat STV election (Ann, Bob, Cat, Dan) for members who joined before 2025."""
    return stv_election(staff)
