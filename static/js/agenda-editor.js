// Drag and drop in the agenda editor, with SortableJS. The move buttons beside every
// session and item do the same from the keyboard and without JavaScript.
(function () {
  "use strict";

  function ids(list) {
    return Array.prototype.map.call(
      list.querySelectorAll(":scope > [data-id]"),
      function (el) { return el.dataset.id; }
    );
  }

  function post(list) {
    var values = {};
    values[list.dataset.sortableName] = ids(list);
    // source: the list, so the request carries the CSRF header inherited from <body>.
    htmx.ajax("POST", list.dataset.sortableUrl, {
      source: list, target: "#agenda", swap: "outerHTML", values: values
    });
  }

  function init(root) {
    root.querySelectorAll("[data-sortable-url]").forEach(function (list) {
      if (list.dataset.sortableReady) { return; }
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        group: list.dataset.sortableGroup,
        handle: ".drag-handle",
        animation: 150,
        onEnd: function (event) {
          if (event.from !== event.to || event.oldIndex !== event.newIndex) { post(event.to); }
        }
      });
    });
  }

  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
