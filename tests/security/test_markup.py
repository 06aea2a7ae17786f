"""The checker the hostile-input tests rely on: it must catch what a browser would run, and pass the site's pages."""

from __future__ import annotations

import hashlib
import re
from xml.etree.ElementTree import ParseError

import pytest

from tests.security import markup
from tests.security.hostile import DATA, strings

CAUGHT = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<p onclick=alert(1)>x</p>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href=" jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<a href='data:text/html;base64,PHNjcmlwdD4='>x</a>",
    "<a href=vbscript:msgbox(1)>x</a>",
    "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=/></iframe>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>*{}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<link rel=import href=/x>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<object data=/x></object>",
    "<math><mtext></mtext></math>",
    "<base href=//evil.example/>",
    "<details open ontoggle=alert(1)>",
    "<a/href/onmouseover=alert(1)>x</a>",
    "<abbr class=x>y</abbr>",  # a tag the sanitiser allows, with an attribute only templates may use
    '<meta property="og:image" content="https://evil.example/x.png">',  # a card image from another host
    '<meta property="og:url" content="javascript:alert(1)">',
    '<link rel="icon" href="https://evil.example/favicon.ico">',
]


@pytest.mark.parametrize("html", CAUGHT)
@pytest.mark.parametrize("fast", [False, True], ids=["html5lib", "html.parser"])
def test_it_catches(html, fast):
    assert markup.problems(html, fragment=True, fast=fast)


PASSED = [
    '<p>Text <a href="https://example.org/x?a=1&amp;b=2" rel="nofollow ugc noopener">https://example.org/x</a></p>',
    '<p>A<br>\nB</p><a href="mailto:someone@example.org">mail</a><a href="#s-2">see below</a>',
    '<script src="/static/js/desk.js" defer></script>',
    '<link rel="stylesheet" href="/static/css/site.css">',
    '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">',
    '<meta property="og:image" content="http://127.0.0.1:8000/static/img/card.png">',
    '<link rel="alternate" type="application/atom+xml" href="/note/x/versions.atom">',
    '<svg role="img" viewBox="0 0 10 10"><title>t</title><rect x="1" y="1" width="2" height="2" fill="#fff"/></svg>',
    '<table><thead><tr><th scope="col">a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>',
    '<ol start="3"><li>x</li></ol><abbr title="Joint United Nations Programme on HIV/AIDS">UNAIDS</abbr>',
]


@pytest.mark.parametrize("html", PASSED)
@pytest.mark.parametrize("fast", [False, True], ids=["html5lib", "html.parser"])
def test_it_passes(html, fast):
    assert markup.problems(html, fragment=True, fast=fast) == []


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        ("  JaVaScRiPt:alert(1)", "javascript"),
        ("java\nscript:alert(1)", "javascript"),
        ("\x01javascript:x", "javascript"),
        ("/relative/path", ""),
        ("#fragment", ""),
        ("?a=b:c", ""),
        ("https://example.org", "https"),
    ],
)
def test_it_reads_a_url_scheme_as_a_browser_does(value, scheme):
    assert markup.url_scheme(value) == scheme


def test_a_comment_may_hold_only_paragraphs_breaks_and_links():
    assert markup.problems("<p>x</p><h3>y</h3>", markup.COMMENT_TEXT, fragment=True) == ["tag <h3>"]


def test_a_feed_must_be_well_formed_and_its_html_within_the_list():
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><summary type="html">'
        "&lt;p onclick=x&gt;y&lt;/p&gt;</summary></entry></feed>"
    )
    with pytest.raises(AssertionError, match="onclick"):
        markup.assert_feed_allowed(feed, markup.COMMENT_TEXT)
    with pytest.raises(ParseError):
        markup.assert_feed_allowed(feed.replace("</entry>", ""), markup.COMMENT_TEXT)


def test_the_pinned_lists_are_the_ones_recorded_with_their_licences():
    readme = (DATA / "README.md").read_text()
    recorded = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.MULTILINE))
    assert len(recorded) == 6
    for name, digest in recorded.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name
    assert len(strings()) > 700
