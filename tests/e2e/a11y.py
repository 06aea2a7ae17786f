"""What the accessibility tests look at in a page: axe-core's findings, the page's structure,
its width. Each returns readable problems, so one assertion can list them all."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from tests.page_types import Submit

# WCAG 2.0, 2.1 and 2.2 at levels A and AA. axe-core comes inside the Python package: the page
# loads nothing from another host for it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()

# The page's structure, read in the page: landmarks, the order of headings, fields without a name,
# references (aria-describedby, aria-labelledby, for) to ids that are not there.
_STRUCTURE = r"""() => {
  const problems = [];
  const visible = (e) => e.checkVisibility();
  const count = (selector) => [...document.querySelectorAll(selector)].filter(visible).length;
  if (count("main") !== 1) problems.push(`${count("main")} main landmarks`);
  if (document.querySelector("body > header")) {
    if (count("body > header") !== 1) problems.push("no single banner (body > header)");
    if (count("body > footer") !== 1) problems.push("no single contentinfo (body > footer)");
    if (count("nav") < 1) problems.push("no navigation landmark");
  }
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
  if (!headings.length || headings[0].tagName !== "H1") problems.push("the first heading is not an h1");
  if (headings.filter((h) => h.tagName === "H1").length !== 1) problems.push("not exactly one h1");
  headings.forEach((h, i) => {
    const level = +h.tagName[1], previous = i ? +headings[i - 1].tagName[1] : 0;
    if (level > previous + 1) problems.push(`h${previous} then h${level}: "${h.textContent.trim().slice(0, 60)}"`);
  });
  const fields = document.querySelectorAll("input:not([type=hidden]):not([type=submit]), select, textarea");
  for (const f of fields) {
    if (!visible(f)) continue;
    const named = f.labels.length || f.getAttribute("aria-label") || f.getAttribute("aria-labelledby");
    if (!named) problems.push(`field without a label: ${f.outerHTML.slice(0, 120)}`);
  }
  for (const e of document.querySelectorAll("[aria-describedby], [aria-labelledby], label[for]")) {
    const refs = ["aria-describedby", "aria-labelledby", "for"].flatMap((a) => (e.getAttribute(a) || "").split(/\s+/));
    for (const id of refs.filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(`${e.tagName.toLowerCase()} points at a missing id "${id}"`);
    }
  }
  return problems;
}"""


def axe_violations(page, where: str) -> list[str]:
    """Run axe-core on the page; return one readable line per violation, with the first elements."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        nodes = violation["nodes"]
        shown = "; ".join(" ".join(node["html"].split())[:140] for node in nodes[:3])
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        found.append(f"{where}: {violation['id']} [{violation['impact']}] {violation['help']}: {shown}{more}")
    return found


def structure_problems(page, where: str) -> list[str]:
    return [f"{where}: {problem}" for problem in page.evaluate(_STRUCTURE)]


# What sticks out past the window's right edge: the elements that are wide themselves (none of
# their children reaches as far), described by tag, id and class.
_OVERFLOW = """() => {
  const root = document.scrollingElement, width = root.clientWidth;
  const over = root.scrollWidth - width;
  if (over <= 0) return [0, []];
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.classList.length ? "." + [...e.classList].join(".") : "");
  const culprits = [];
  for (const e of document.body.querySelectorAll("*")) {
    const right = e.getBoundingClientRect().right;
    if (right <= width + 0.5) continue;
    if ([...e.children].some((c) => c.getBoundingClientRect().right >= right - 0.5)) continue;
    culprits.push(`${describe(e)} (${Math.round(right - width)}px)`);
    if (culprits.length === 4) break;
  }
  return [over, culprits];
}"""


def horizontal_overflow(page) -> tuple[int, list[str]]:
    """How many CSS pixels the page is wider than the window (0: nothing scrolls sideways), and why."""
    over, culprits = page.evaluate(_OVERFLOW)
    return over, culprits


def sign_in(page, user, live_server) -> None:
    """Give the browser a session of the user (made by Django's test client, stored in the database)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def send(page, submit: Submit):
    """Fill the form the button belongs to with the submit's data, press the button; return the response."""
    button = page.locator(submit.within).get_by_role("button", name=submit.button, exact=True).first
    form = button.locator("xpath=ancestor::form[1]")
    for name, value in submit.data.items():
        field = form.locator(f'[name="{name}"]')
        kind = field.first.evaluate("(e) => e.type")
        if kind == "hidden":
            field.first.evaluate("(e, value) => { e.value = value; }", value)
        elif kind in ("radio", "checkbox"):
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind.startswith("select"):
            field.select_option(value)
        else:
            field.fill(value)
    if not submit.csrf:
        page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value
