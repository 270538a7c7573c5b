import pytest

from tests.elections.helpers import stv_election


@pytest.fixture
def election(staff):
    """An open 2-seat STV election (Ann, Bob, Cat, Dan) for members who joined before 2025."""
    return stv_election(staff)
