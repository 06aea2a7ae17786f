"""Section bodies: Markdown rendered once and cleaned by nh3 against an allow-list."""

from __future__ import annotations

import re

from guidance.rendering import render_markdown


def test_it_renders_paragraphs_and_emphasis():
    html = render_markdown("Sex work is *work*.\n\nRights are **not** optional.")

    assert html == "<p>Sex work is <em>work</em>.</p>\n<p>Rights are <strong>not</strong> optional.</p>"


def test_it_returns_nothing_for_a_blank_body():
    assert render_markdown("") == ""
    assert render_markdown("  \n\t\n") == ""


def test_it_removes_script_tags_and_their_content():
    html = render_markdown("Before <script>alert('owned')</script> after\n\n<script>\ndocument.cookie\n</script>")

    assert "<script" not in html
    assert "alert" not in html
    assert "document.cookie" not in html
    assert "Before" in html and "after" in html


def test_it_removes_event_handlers():
    html = render_markdown('<p onclick="steal()">Click</p> <a href="https://example.org" onmouseover="x()">x</a>')

    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "steal" not in html
    assert "Click" in html


def test_it_removes_javascript_links():
    html = render_markdown("[Read more](javascript:alert(1)) and <a href='JaVaScRiPt:alert(2)'>this</a>")

    # The Markdown link is not made (its text stays as written); the HTML one loses its address.
    assert "href" not in html
    assert "<a" not in html.replace('<a rel="nofollow noopener">this</a>', "")
    assert "Read more" in html


def test_it_removes_data_and_other_url_schemes():
    html = render_markdown("[a](data:text/html;base64,PHNjcmlwdD4=) [b](vbscript:msgbox) [c](ftp://example.org/f)")

    # No link with any of these addresses: the first two are left as text, the third loses its href.
    assert "href" not in html


def test_it_keeps_http_https_mailto_and_relative_links():
    html = render_markdown(
        "[a](http://example.org/a) [b](https://example.org/b) [c](mailto:group@example.org) [d](#violence)"
    )

    assert 'href="http://example.org/a"' in html
    assert 'href="https://example.org/b"' in html
    assert 'href="mailto:group@example.org"' in html
    assert 'href="#violence"' in html


def test_it_adds_nofollow_noopener_to_every_link():
    html = render_markdown('[a](https://example.org) <a href="https://example.org/x" rel="author">b</a>')

    rels = re.findall(r'rel="([^"]*)"', html)
    assert rels == ["nofollow noopener", "nofollow noopener"]
    assert "author" not in html


def test_it_keeps_link_titles():
    html = render_markdown('[UNAIDS](https://example.org "The agency")')

    assert 'title="The agency"' in html


def test_it_removes_iframes_and_their_fallback_content():
    html = render_markdown('Watch:\n\n<iframe src="https://video.example.org/embed">Your browser...</iframe>\n\nEnd.')

    assert "<iframe" not in html
    assert "video.example.org" not in html
    assert "Your browser" not in html
    assert "End." in html


def test_it_removes_style_attributes_and_style_elements():
    html = render_markdown(
        '<p style="position:fixed;top:0">Overlay</p>\n\n<style>body{display:none}</style>\n\nText *here*.'
    )

    assert "style" not in html
    assert "position:fixed" not in html
    assert "display:none" not in html
    assert "Overlay" in html


def test_it_removes_images_objects_and_forms():
    html = render_markdown(
        '![x](https://tracker.example.org/pixel.gif) <img src="x" onerror="alert(1)">\n\n'
        '<object data="x.swf"></object><form action="https://evil.example.org"><input name="q"></form>'
    )

    assert "<img" not in html
    assert "tracker" not in html
    assert "<object" not in html
    assert "<form" not in html
    assert "<input" not in html


def test_it_removes_classes_ids_and_unknown_attributes():
    html = render_markdown('<p class="big" id="top" data-x="1" lang="fr">Bonjour</p>')

    assert html == "<p>Bonjour</p>"


def test_it_does_not_enable_attribute_lists():
    html = render_markdown("A paragraph {: #top .big }\n\n## Heading {: #anchor }")

    assert html.startswith("<p>A paragraph {: #top .big }</p>")
    assert "<h3>Heading {: #anchor }</h3>" in html
    assert "id=" not in html
    assert "class=" not in html


def test_it_keeps_tables():
    html = render_markdown("| Term | Meaning |\n|:--|--:|\n| Client | A person who buys services. |")

    assert "<table>" in html
    assert "<thead>" in html and "<tbody>" in html
    assert "<th>Term</th>" in html
    assert "<td>Client</td>" in html
    assert "text-align" not in html


def test_it_keeps_unordered_and_ordered_lists_with_their_start():
    html = render_markdown("- one\n- two\n\n3. three\n4. four")

    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert "<li>four</li>" in html


def test_it_keeps_quotes_rules_code_and_small_inline_tags():
    html = render_markdown(
        '> Nothing about us without us.\n\n---\n\nUse `code`.\n\n<abbr title="Joint UN Programme">UNAIDS</abbr> '
        "H<sub>2</sub>O, 10<sup>3</sup><br>next"
    )

    assert "<blockquote>" in html
    assert "<hr>" in html
    assert "<code>code</code>" in html
    assert '<abbr title="Joint UN Programme">UNAIDS</abbr>' in html
    assert "<sub>2</sub>" in html and "<sup>3</sup>" in html
    assert "<br>" in html


def test_it_escapes_html_inside_fenced_code():
    html = render_markdown("```html\n<script>alert(1)</script>\n# not a heading\n```")

    assert html.startswith("<pre><code>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "# not a heading" in html
    assert "<script" not in html
    assert "class=" not in html


def test_it_shifts_body_headings_to_start_at_h3():
    html = render_markdown("# Main\n\ntext\n\n## Sub\n\n### Detail")

    assert "<h3>Main</h3>" in html
    assert "<h4>Sub</h4>" in html
    assert "<h5>Detail</h5>" in html
    assert "<h1>" not in html and "<h2>" not in html


def test_it_closes_the_gaps_between_body_heading_levels():
    # No level is skipped under the page's own headings: #### after ## becomes the next level down.
    html = render_markdown("### Principles\n\n#### In practice\n\n###### Deepest")

    assert "<h3>Principles</h3>" in html
    assert "<h4>In practice</h4>" in html
    assert "<h5>Deepest</h5>" in html
    assert render_markdown("## A\n\n#### B") == "<h3>A</h3>\n<h4>B</h4>"


def test_it_drops_html_comments():
    html = render_markdown("Visible <!-- hidden note for coordinators -->")

    assert "hidden" not in html
    assert "<!--" not in html
