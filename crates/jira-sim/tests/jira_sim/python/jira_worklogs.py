"""Reads one issue's worklogs with the `jira` library (`JIRA.worklogs`, and the issue's
`worklog` field), and searches with `worklogAuthor = currentUser()`; prints what it saw as JSON.

usage: jira_worklogs.py cloud BASE_URL EMAIL API_TOKEN ISSUE_KEY
       jira_worklogs.py dc BASE_URL PERSONAL_ACCESS_TOKEN ISSUE_KEY
"""
import json
import sys

from jira import JIRA

flavor = sys.argv[1]
if flavor == "cloud":
    base, email, token, key = sys.argv[2:6]
    client = JIRA(server=base, basic_auth=(email, token), options={"check_update": False})
    assert client._is_cloud, "the library sees a Cloud site"
    mine = client.enhanced_search_issues(
        "worklogAuthor = currentUser()", maxResults=False, fields="summary"
    )
else:
    base, pat, key = sys.argv[2:5]
    client = JIRA(server=base, token_auth=pat, options={"check_update": False})
    assert not client._is_cloud, "the library sees a Data Center site"
    mine = client.search_issues(
        "worklogAuthor = currentUser()", maxResults=False, fields="summary"
    )

worklogs = client.worklogs(key)
embedded = client.issue(key, fields="worklog").fields.worklog


def who(user):
    return getattr(user, "accountId", None) or user.name


print(json.dumps({
    "ids": [w.id for w in worklogs],
    "seconds": sum(w.timeSpentSeconds for w in worklogs),
    "with_comment": sum(1 for w in worklogs if isinstance(getattr(w, "comment", None), str)),
    "authors": sorted({who(w.author) for w in worklogs}),
    "restricted": sum(1 for w in worklogs if hasattr(w, "visibility")),
    "embedded_total": embedded.total,
    "embedded": len(embedded.worklogs),
    "mine": len(mine),
}))
