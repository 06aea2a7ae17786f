/* Keyboard shortcuts for the moderation desk. Progressive enhancement only: every action is a
   plain form that works without JavaScript. Loaded as a file (the CSP forbids inline scripts).
   j/k move between comments, a approve, r reject (choose a reason, then Enter), s spam,
   u undo the last spam decision (or "not spam"), x tick for a bulk decision, ? help. */
(function () {
  "use strict";

  var FOCUS_KEY = "desk-focus-index";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-desk-item]"));
  var help = document.getElementById("desk-help");
  var hint = document.getElementById("desk-keys-hint");
  var current = -1;

  if (hint) {
    hint.hidden = false;
  }

  function mark(index) {
    items.forEach(function (item, i) {
      item.classList.toggle("is-current", i === index);
    });
  }

  function focusItem(index) {
    if (!items.length) {
      return;
    }
    current = Math.max(0, Math.min(items.length - 1, index));
    mark(current);
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  items.forEach(function (item, i) {
    item.addEventListener("focusin", function () {
      current = i;
      mark(i);
    });
  });

  function remember() {
    try {
      window.sessionStorage.setItem(FOCUS_KEY, String(Math.max(current, 0)));
    } catch (e) {
      /* Storage may be disabled: the desk still works, the focus just starts at the top. */
    }
  }

  function submit(button) {
    if (!button || !button.form) {
      return;
    }
    remember();
    if (button.form.requestSubmit) {
      button.form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  function act(action) {
    var item = items[current];
    if (!item) {
      return;
    }
    if (action === "reject") {
      var select = item.querySelector("[data-reason]");
      if (select) {
        select.focus();
      }
      return;
    }
    submit(item.querySelector('[data-action="' + action + '"]'));
  }

  function toggleHelp(show) {
    if (!help) {
      return;
    }
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) {
      help.focus();
    } else if (items[current]) {
      items[current].focus();
    }
  }

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    // Enter on a reason list sends the rejection (the list alone would not submit its form).
    if (target.matches && target.matches("[data-reason]") && event.key === "Enter") {
      event.preventDefault();
      if (target.value) {
        submit(target.form.querySelector('[data-action="reject"]'));
      }
      return;
    }
    if (event.key === "Escape") {
      if (help && !help.hidden) {
        toggleHelp(false);
      } else if (typing(target) && items[current]) {
        items[current].focus();
      }
      return;
    }
    if (typing(target)) {
      return;
    }
    switch (event.key) {
      case "j":
        focusItem(current + 1);
        break;
      case "k":
        focusItem(current < 0 ? 0 : current - 1);
        break;
      case "a":
        act("approve");
        break;
      case "r":
        act("reject");
        break;
      case "s":
        act("spam");
        break;
      case "u":
        var undo = document.querySelector("[data-undo]");
        if (undo) {
          submit(undo);
        } else {
          act("not_spam");
        }
        break;
      case "x":
        var box = items[current] && items[current].querySelector("[data-select]");
        if (box) {
          box.checked = !box.checked;
        }
        break;
      case "?":
        toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // After a decision the page reloads (PRG): put the focus back where the coordinator was.
  var stored = null;
  try {
    stored = window.sessionStorage.getItem(FOCUS_KEY);
    window.sessionStorage.removeItem(FOCUS_KEY);
  } catch (e) {
    stored = null;
  }
  if (stored !== null && items.length) {
    focusItem(parseInt(stored, 10) || 0);
  }
})();
