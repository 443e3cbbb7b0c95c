"""Pages through every issue with the `jira` library's enhanced search (Cloud's search/jql
with nextPageToken), changelogs expanded, and prints what it saw as JSON.

usage: jira_enhanced_search.py BASE_URL EMAIL API_TOKEN
"""
import json
import sys

from jira import JIRA

base, email, token = sys.argv[1:4]
client = JIRA(server=base, basic_auth=(email, token), options={"check_update": False})
assert client._is_cloud, "the library sees a Cloud site"
issues = client.enhanced_search_issues(
    "created <= now() ORDER BY created ASC",
    maxResults=False,  # fetch every page
    fields="summary,status,assignee",
    expand="changelog",
)
histories = [len(i.changelog.histories) for i in issues]
totals = [i.changelog.total for i in issues]
print(json.dumps({
    "count": len(issues),
    "unique": len({i.key for i in issues}),
    "with_status": sum(1 for i in issues if i.fields.status.name),
    "max_histories": max(histories),
    "truncated": sum(1 for h, t in zip(histories, totals) if h < t),
    "approximate": client.approximate_issue_count("created <= now()"),
}))
