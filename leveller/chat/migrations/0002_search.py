"""Full-text search over chat messages.

SQLite: an FTS5 external-content table (unicode61, diacritics removed) kept in step by three triggers.
PostgreSQL: a generated tsvector column ('simple' config over accent-folded text) with a GIN index.
NOTE for later migrations: on SQLite, a migration that rebuilds chat_message drops the triggers; re-run
SQLITE_TRIGGERS from leveller.chat.search_sql afterwards (tests/chat/test_search.py checks they exist).
"""

from django.db import migrations

from leveller.chat.search_sql import install, uninstall


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
