"""Every change in lobbying: campaigns, letters (write, confirm, moderate, record sending), follow-ups and
joint statements. Keyword-only, actor first; views, the API, commands and tasks call these."""
