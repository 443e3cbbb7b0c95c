"""atlassian-python-api against a Data Center site: /rest/api/2/search paged by startAt with
full changelogs.

usage: atlassian_dc.py BASE_URL PERSONAL_ACCESS_TOKEN
"""
import json
import sys

from atlassian import Jira

base, pat = sys.argv[1:3]
jira = Jira(url=base, token=pat, cloud=False)
issues = jira.jql_get_list_of_tickets("ORDER BY key ASC", fields="key,status", expand="changelog")
complete = sum(1 for i in issues if len(i["changelog"]["histories"]) == i["changelog"]["total"])
print(json.dumps({
    "count": len(issues),
    "unique": len({i["key"] for i in issues}),
    "complete_changelogs": complete,
    "histories": sum(len(i["changelog"]["histories"]) for i in issues),
}))
