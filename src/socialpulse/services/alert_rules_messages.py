"""What an alert says: the stored details of a firing and the message people receive.

A message leads with what happened (the title), then what drives it: the top terms, the
authors and the posts with most reach, each post with its link, and ends with the link that
acknowledges the alert. Plain text: it reads the same in an e-mail, in Slack and in Teams.
"""

from __future__ import annotations

from typing import Any

from socialpulse.domain.formatting import format_value
from socialpulse.domain.listening.rules import AlertRule, Firing
from socialpulse.domain.listening.rules_records import AlertEvent

MAX_POST_CHARS = 280


def details_of(firing: Firing, brand: str, rule: AlertRule) -> dict[str, Any]:
    """The JSON kept with a firing: what fired, and the terms, authors and posts behind it."""
    ex = firing.explanation
    return {
        "brand": brand, "kind": firing.kind, "observed": firing.observed,
        "expected": firing.expected, "window_minutes": rule.spec.window_minutes,
        "terms": [{"term": t, "mentions": n} for t, n in ex.terms],
        "authors": [{"author": a, "mentions": n, "followers": f} for a, n, f in ex.authors],
        "posts": [{"mention_id": m.mention_id, "author": m.author,
                   "followers": m.author_followers, "network": m.network,
                   "sentiment": m.sentiment, "text": m.text[:MAX_POST_CHARS], "url": m.url,
                   "published_at": m.published_at.isoformat()} for m in ex.posts],
    }


def explanation_lines(details: dict[str, Any]) -> list[str]:
    """Terms, authors and posts as lines (also shown on the Listening page)."""
    lines = []
    terms = details.get("terms") or []
    if terms:
        lines.append("Top terms: " + ", ".join(f"{t['term']} ({t['mentions']})"
                                                for t in terms))
    authors = details.get("authors") or []
    if authors:
        lines.append("Top authors: " + ", ".join(
            f"{a['author']} ({a['mentions']} mention{'s' if a['mentions'] != 1 else ''}"
            + (f", {format_value(a['followers'], 'count')} followers" if a["followers"]
               else "") + ")" for a in authors))
    return lines


def compose(event: AlertEvent, ack_link: str) -> tuple[str, str]:
    """Subject and body of the message for a firing."""
    d = event.details
    body = [event.title, "", *explanation_lines(d)]
    posts = d.get("posts") or []
    if posts:
        body += ["", "Posts with most reach:"]
        for p in posts:
            reach = (f", {format_value(p['followers'], 'count')} followers"
                     if p.get("followers") else "")
            text = " ".join(str(p.get("text") or "").split())
            body.append(f"- {p['author']} ({p.get('sentiment') or 'no sentiment'}{reach}): "
                        f"{text}")
            if p.get("url"):
                body.append(f"  {p['url']}")
    body += ["", f"Acknowledge this alert: {ack_link}",
             f"(fired {event.fired_at:%Y-%m-%d %H:%M} UTC by socialpulse)"]
    return f"[socialpulse] {event.title}", "\n".join(body)
