/* The comment form, enhanced: a live count of characters against each limit, and the signature
   as readers will see it, kept up to date as the poster types. Progressive enhancement only: the
   limits are also written under each field and checked by the server, and the server shows the
   same preview on the page it answers with. Loaded as a file (the CSP forbids inline scripts);
   every text comes from the page, in its language. What each visibility choice shows is written
   by the server on its radio button (data-shows, from comments.signature.SHOWN). */
(function () {
  "use strict";
  var form = document.querySelector("form.comment-form");
  if (!form) return;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // Counters: "123 of 20,000 characters", announced politely while typing.
  form.querySelectorAll("[data-counter][maxlength]").forEach(function (field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    var counter = document.createElement("p");
    counter.className = "counter";
    counter.id = field.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    function update() {
      // A line break counts as one character, as the browser and the server count it.
      var count = field.value.replace(/\r\n/g, "\n").length;
      counter.textContent = format(field.getAttribute("data-counter"), {
        count: numbers.format(count), limit: numbers.format(limit)
      });
      counter.classList.toggle("at-limit", count >= limit);
    }
    field.addEventListener("input", update);
    update();
  });

  // The signature preview.
  var preview = document.getElementById("signature-preview");
  if (!preview) return;
  var out = preview.querySelector(".signature-text");
  var separator = " · ";
  function value(name) {
    var field = form.elements[name];
    return field ? field.value.split(/\s+/).filter(Boolean).join(" ") : "";
  }
  function render() {
    var chosen = form.querySelector("input[name=display]:checked");
    var shows = (chosen ? chosen.getAttribute("data-shows") : "").split(" ");
    var hideCountry = form.elements.hide_country && form.elements.hide_country.checked;
    function shown(part) { return shows.indexOf(part) >= 0 && !(part === "country" && hideCountry); }
    var country = form.elements.country;
    var countryName = country && country.value ? country.options[country.selectedIndex].text : "";
    var name = shown("name") ? value("name") : "";
    var organisation = shown("organisation") ? value("organisation_name") : "";
    var who = [name, organisation].filter(Boolean).join(separator) || preview.getAttribute("data-anonymous");
    var parts = [who];
    var behalf = shown("on_behalf_of") ? value("on_behalf_of") : "";
    if (behalf) parts.push(format(preview.getAttribute("data-on-behalf"), { who: behalf }));
    var place = [shown("city") ? value("city") : "", shown("country") ? countryName : ""].filter(Boolean).join(", ");
    if (place) parts.push(place);
    out.textContent = parts.join(separator);
  }
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
  preview.hidden = false;
})();
