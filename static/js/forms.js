// Forms: after a failed submit, focus goes to the error summary at the top of the form (its
// links then lead to each field); an error shown as a field is left is announced. No inline
// script: the page's Content-Security-Policy refuses it.
(function () {
  "use strict";
  var announcer;

  // The first summary not focused yet: one that came with the page or with a swap.
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]:not([data-focused])");
    if (!summary) return;
    summary.setAttribute("data-focused", "");
    summary.focus();
  }

  // A summary's link: focus the field it names (the first control inside it when the id
  // is a group, such as a list of checkboxes), not only scroll to it.
  function followLink(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    if (!target.matches("input, select, textarea, button, [tabindex]")) {
      target = target.querySelector("input, select, textarea, button") || target;
    }
    event.preventDefault();
    var field = target.closest(".field");
    (field || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  // A field checked as it is left (htmx swaps the field): say its error, if any, politely.
  // The element that asked is gone after the swap: find its field again by id.
  function announce(asked) {
    var control = asked.querySelector("input, select, textarea");
    var field = control && document.getElementById(control.id);
    var error = field && field.closest(".field").querySelector(".error");
    if (!announcer) return;
    announcer.textContent = "";
    if (error) {
      window.setTimeout(function () { announcer.textContent = error.textContent; }, 50);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    announcer = document.createElement("div");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    announcer.id = "field-announcer";
    document.body.appendChild(announcer);
    focusSummary();
  });
  document.addEventListener("click", followLink);
  // An action that replaced what held the focus (a row's Endorse button, say) must not
  // leave the focus at the top of the page: it goes to the new content's first control,
  // or to the content itself, so the keyboard goes on from where it was. The content is
  // found again by the id of the swap's target (out-of-band swaps settle too).
  var focusWasIn = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusWasIn = target && target.id && active && target.contains(active) ? target.id : null;
  });

  function keepFocus() {
    var swapped = focusWasIn && document.getElementById(focusWasIn);
    var active = document.activeElement;
    if (!swapped || (active && active !== document.body && document.contains(active))) return;
    focusWasIn = null;
    var control = swapped.querySelector(
      "button, a[href], input:not([type=hidden]), select, textarea"
    );
    if (!control) {
      control = swapped;
      if (!control.hasAttribute("tabindex")) control.setAttribute("tabindex", "-1");
    }
    control.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var asked = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (asked && asked.classList && asked.classList.contains("checked-field")) {
      announce(asked);
    } else {
      focusSummary();
    }
    keepFocus();
  });
})();
