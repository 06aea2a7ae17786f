/* Comments on a passage, enhanced: select words inside a paragraph of the section and two buttons
   appear under it, to comment on those words or to propose new wording for them; either fills in
   the comment form (the paragraph, the quoted words, the wording to edit) and moves to it. Without
   this script the links under each paragraph do the same for the whole paragraph. Every text
   comes from the page (data-* attributes written by the server, in its language). */
(function () {
  "use strict";
  var body = document.querySelector(".section-body[data-select-comment]");
  var form = document.querySelector("form.comment-form");
  if (!body || !form || !form.elements.passage || !window.getSelection) return;

  var tools = document.createElement("p");
  tools.className = "selection-tools";
  tools.hidden = true;
  function button(label, amend) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", function () { use(amend); });
    tools.appendChild(b);
    tools.appendChild(document.createTextNode(" "));
  }
  button(body.getAttribute("data-select-comment"), false);
  button(body.getAttribute("data-select-amend"), true);

  var chosen = null;  // {key, words}

  function passageOf(node) {
    while (node && node !== body) {
      if (node.nodeType === 1 && node.classList.contains("passage")) return node;
      node = node.parentNode;
    }
    return null;
  }

  function update() {
    var selection = window.getSelection();
    var words = selection.toString().split(/\s+/).filter(Boolean).join(" ");
    var passage = selection.rangeCount ? passageOf(selection.getRangeAt(0).commonAncestorContainer) : null;
    if (!words || !passage) return;  // keep the buttons while focus moves to them
    chosen = { key: passage.id, words: words };
    var after = passage.querySelector(".passage-tools");
    (after || passage).insertAdjacentElement("afterend", tools);
    tools.hidden = false;
  }

  function use(amend) {
    if (!chosen) return;
    form.elements.passage.value = chosen.key;
    if (form.elements.quote) form.elements.quote.value = chosen.words;
    if (amend) {
      var kind = form.querySelector("input[name=kind][value=amend]");
      if (kind) kind.checked = true;
      if (form.elements.proposal) form.elements.proposal.value = chosen.words;
    }
    tools.hidden = true;
    var target = amend && form.elements.proposal ? form.elements.proposal : form.elements.comment;
    target.focus();
    target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("mouseup", function () { window.setTimeout(update, 0); });
  document.addEventListener("keyup", function (event) { if (event.shiftKey) update(); });
})();
