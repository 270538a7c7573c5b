"""Every change in lobbying: campaigns, letters (write, confirm, moderate, record sending, the writer's answer to
the follow-up) and joint statements. Keyword-only, actor first; views, the API, commands and tasks call these."""
