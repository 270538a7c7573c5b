from tests.chat.conftest import pair  # noqa: F401 - two members in #general, with the live server
