"""Checks for cloud provider APIs called over HTTP: DELETE requests and destructive GraphQL mutations."""

from __future__ import annotations

import re

from guardrail.base.text import LazyRegex
from guardrail.model import EvalContext, SimpleCommand
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Mapping


_CLOUD_API = LazyRegex(
    r"https?://([\w.-]*\.)?(amazonaws\.com|googleapis\.com|management\.azure\.com|api\.digitalocean\.com|"
    r"api\.hetzner\.cloud|api\.linode\.com|api\.vultr\.com|api\.cloudflare\.com|api\.heroku\.com|api\.fly\.io|"
    r"api\.machines\.dev|backboard\.railway\.(app|com)|api\.vercel\.com|api\.render\.com|api\.supabase\.com|"
    r"console\.neon\.tech|api\.neon\.tech|api\.planetscale\.com|api\.netlify\.com|api\.github\.com|gitlab\.com/api|"
    r"api\.mongodb\.com|cloud\.mongodb\.com|api\.upstash\.com|api\.turso\.tech|api\.scaleway\.com|"
    r"api\.exoscale\.com|[\w.-]+:6443|api\.ovh\.com|api\.render\.com|cloudapi|api\.elastic-cloud\.com)", re.I)


_DESTRUCTIVE_MUTATION = LazyRegex(r"(?i)\b(mutation)\b.*?\b\w*(delete|destroy|remove|drop|wipe|purge|reset|"
                                   r"terminate)\w*\b|\b\w*(Delete|Destroy|Remove)\s*\(")


def http_destructive_cloud(cmd: SimpleCommand, ctx: EvalContext, args: Mapping[str, Any]) -> list[str]:
    """curl/wget/http/xh calls that DELETE a cloud resource, or send a GraphQL mutation that deletes one."""
    a = list(cmd.args)
    urls = [x for x in a if x.startswith(("http://", "https://")) or re.match(r"^[\w.-]+\.\w+(:\d+)?/", x)]
    joined = " ".join(urls)
    if not _CLOUD_API.search(joined):
        return []
    method = ""
    for i, x in enumerate(a):
        if x in ("-X", "--request", "--method") and i + 1 < len(a):
            method = a[i + 1].upper()
        elif x.startswith(("-X", "--request=", "--method=")) and len(x) > 2:
            method = x.split("=", 1)[-1].removeprefix("-X").upper()
    if cmd.name in ("http", "https", "xh", "xhs") and a:
        verb = next((x for x in a if not x.startswith("-")), "")
        if verb.upper() in ("DELETE", "PUT", "POST", "PATCH"):
            method = verb.upper()
    out = []
    if method == "DELETE":
        out.append(f"DELETE {urls[0]}")
    body = " ".join(a[i + 1] for i, x in enumerate(a[:-1]) if x in ("-d", "--data", "--data-raw", "--data-binary",
                                                                      "--json", "--data-urlencode"))
    body += " " + " ".join(x.split("=", 1)[1] for x in a if x.startswith(("--data=", "--data-raw=", "--json=")))
    if cmd.stdin_text:
        body += " " + cmd.stdin_text
    m = _DESTRUCTIVE_MUTATION.search(body)
    if m and (method in ("", "POST") or "graphql" in joined):
        out.append(f"mutation `{m.group(0)[:60]}` to {urls[0]}")
    m2 = re.search(r"(?i)[?&](Action)=(Delete|Terminate|Remove)\w*", joined)
    if m2:
        out.append(f"{m2.group(0).lstrip('?&')} on {urls[0]}")
    return out
