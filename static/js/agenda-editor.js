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
    // The rows are already where they were dropped: the answer is the sentence for the
    // live region, with numbers, times and warnings out of band (or, if the order was
    // refused, the whole agenda, retargeted by the server).
    htmx.ajax("POST", list.dataset.sortableUrl, {
      source: list, target: "#editor-status", swap: "innerHTML", values: values
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

  // After a move button's request (the answer updated numbers, times and warnings out of
  // band): the moved row and its neighbour trade places. The neighbour is the one moved in
  // the page, so the button that was pressed keeps the focus; the row stays in view.
  function moved(event) {
    var row = document.getElementById(event.detail.row);
    if (!row) { return; }
    var list = row.parentNode;
    if (event.detail.direction === "up" && row.previousElementSibling) {
      list.insertBefore(row.previousElementSibling, row.nextElementSibling);
    } else if (event.detail.direction === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    var own = Array.prototype.filter.call(
      row.querySelectorAll("[data-move='" + event.detail.direction + "']"),
      function (button) { return button.closest("[data-id]") === row; }
    )[0];
    if (own && document.activeElement !== own) { own.focus({ preventScroll: true }); }
    if (own) { own.scrollIntoView({ block: "nearest" }); }
  }

  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  document.addEventListener("agenda-moved", moved);
})();
