"""An index on Message.created_at: search turns before:/after: dates into message id bounds with it.

Adding an index does not rebuild chat_message on SQLite, so the FTS5 triggers of 0002_search stay in place.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("chat", "0003_chatprofile_appear_away")]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["created_at"], name="chat_msg_created"),
        ),
    ]
