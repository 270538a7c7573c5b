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


@pytest.fixture(scope="session")
def smtp_server():
    from tests.support.smtp import start_server

    controller = start_server()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(db, settings, smtp_server):
    """A real SMTP server (aiosmtpd) that records what is sent."""
    from tests.support.smtp import use_server

    return use_server(settings, smtp_server)
