from comments.text import clean_text, fingerprint, render_text


def test_it_keeps_paragraphs_and_line_breaks():
    html = render_text("First line\nsecond line\n\nNew paragraph")
    assert html == "<p>First line<br>\nsecond line</p>\n<p>New paragraph</p>"


def test_it_keeps_numbered_lists_quotes_and_signatures_as_written():
    text = "We ask:\n1. Decriminalise\n2. Fund\n- bullet\n> quoted line\n\n-- \nAmina, Nairobi, Kenya"
    html = render_text(text)
    assert "1. Decriminalise<br>" in html
    assert "- bullet<br>" in html
    assert "&gt; quoted line" in html
    assert "Amina, Nairobi, Kenya" in html


def test_it_links_bare_urls_with_nofollow_ugc_noopener():
    html = render_text("See https://example.org/report.pdf, then reply.")
    assert '<a href="https://example.org/report.pdf" rel="nofollow ugc noopener">' in html
    assert "</a>, then reply." in html


def test_it_does_not_link_javascript_or_markup():
    html = render_text('javascript:alert(1) <a href="http://x">x</a>')
    assert '<a href="http://x">' not in html
    assert "javascript:alert(1)" in html
    assert "&lt;a href=&quot;" in html


def test_a_link_cannot_break_out_of_its_attribute():
    html = render_text('https://example.org/"onmouseover="alert(1)')
    assert 'onmouseover="alert' not in html


def test_it_keeps_as_text_what_only_looks_like_a_url():
    # Found by the property tests (tests/security/test_renderers.py): a host no browser can reach.
    assert render_text("see http://example.org)\U000191d3 now") == "<p>see http://example.org)\U000191d3 now</p>"
    assert render_text("http://exa mple") == "<p>http://exa mple</p>"
    assert "<a " in render_text("see http://example.org/(x) now")


def test_it_drops_control_characters_but_keeps_direction_marks():
    assert clean_text("a\x00b\x1bc\u200fd") == "abc\u200fd"


def test_fingerprints_ignore_case_spacing_and_punctuation():
    assert fingerprint("We endorse, this!") == fingerprint("we   ENDORSE this")
    assert fingerprint("We endorse this") != fingerprint("We oppose this")
