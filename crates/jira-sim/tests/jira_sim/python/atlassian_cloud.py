"""atlassian-python-api against a Cloud site: enhanced JQL paging and bulk changelogs.

usage: atlassian_cloud.py BASE_URL EMAIL API_TOKEN
"""
import json
import sys

from atlassian import Jira

base, email, token = sys.argv[1:4]
jira = Jira(url=base, username=email, password=token, cloud=True)
issues = jira.enhanced_jql_get_list_of_tickets("created <= now()", fields="key,status", limit=None)
ids = [i["id"] for i in issues]
histories = 0
for start in range(0, len(ids), 1000):
    batch = ids[start:start + 1000]
    token = None
    while True:
        page = jira.get_changelogs_bulk(batch, next_page_token=token, max_results=500)
        for log in page["issueChangeLogs"]:
            histories += len(log["changeHistories"])
        token = page.get("nextPageToken")
        if not token:
            break
print(json.dumps({"count": len(issues), "unique": len(set(ids)), "histories": histories}))
