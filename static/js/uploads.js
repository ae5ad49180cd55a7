// Uploads with a drop zone and a progress bar per file. Without JavaScript the same form
// posts every chosen file at once; with it, each file goes in its own request, so each
// has its own bar, and the target's block is swapped in place when the server answers.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function swap(form, html) {
    var id = form.dataset.target;
    var current = document.getElementById(id);
    if (!current) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#" + CSS.escape(id));
    if (!fresh) { return; }
    current.replaceWith(fresh);
    if (window.htmx) { window.htmx.process(fresh); }
    setUp(fresh.querySelector("form.upload-form"));
    return fresh;
  }

  function messageOf(xhr, form) {
    // Error pages answer htmx requests with a short message fragment.
    var holder = document.createElement("div");
    holder.innerHTML = xhr.responseText || "";
    var text = holder.textContent.trim().replace(/\s+/g, " ");
    return text || form.dataset.failed;
  }

  function sendOne(form, file, list) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = document.createElement("span");
    item.append(name, bar, state);
    list.append(item);

    return new Promise(function (resolve) {
      if (file.size > Number(form.dataset.maxBytes)) {
        bar.remove();
        state.className = "progress-failed";
        state.textContent = form.dataset.tooLarge;
        resolve(null);
        return;
      }
      var data = new FormData();
      data.append("csrf_token", csrfToken(form));
      data.append("language", form.querySelector('select[name="language"]').value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("HX-Request", "true");
      xhr.setRequestHeader("HX-Target", form.dataset.target);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        var redirect = xhr.getResponseHeader("HX-Redirect");
        if (redirect) { window.location.href = redirect; return; }
        bar.value = 100;
        if (xhr.status === 200) {
          state.className = "progress-done";
          state.textContent = form.dataset.done;
          resolve({ html: xhr.responseText, item: item });
        } else if (xhr.status === 422) {
          state.className = "progress-failed";
          var holder = document.createElement("div");
          holder.innerHTML = xhr.responseText;
          var why = holder.querySelector(".outcomes li, .error");
          state.textContent = why ? why.textContent.trim() : form.dataset.failed;
          resolve({ html: xhr.responseText, item: item });
        } else {
          state.className = "progress-failed";
          state.textContent = messageOf(xhr, form);
          resolve(null);
        }
      });
      xhr.addEventListener("error", function () {
        state.className = "progress-failed";
        state.textContent = form.dataset.failed;
        resolve(null);
      });
      xhr.send(data);
    });
  }

  async function sendAll(form, files) {
    var list = form.querySelector(".progress-list");
    var results = [];
    // One after another: the bars fill in turn, and versions keep the order chosen.
    for (var i = 0; i < files.length; i += 1) {
      results.push(await sendOne(form, files[i], list));
    }
    var last = results.filter(Boolean).pop();
    if (!last) { return; }
    var done = Array.prototype.slice.call(list.children);
    var fresh = swap(form, last.html);
    if (fresh) {
      // Keep every bar visible in the new block, with the server's own messages.
      var freshList = fresh.querySelector(".progress-list");
      done.forEach(function (node) { freshList.append(node); });
      var outcomes = holderOutcomes(results);
      var shown = fresh.querySelector(".outcomes");
      if (shown && outcomes.length) {
        shown.replaceChildren.apply(shown, outcomes);
      }
      // The button that was pressed is gone: focus the outcome, so it is read out and the
      // keyboard goes on from the target that changed, not from the top of the page.
      var outcome = fresh.querySelector(".outcome");
      if (outcome) { outcome.focus(); }
    }
  }

  function holderOutcomes(results) {
    var all = [];
    results.forEach(function (result) {
      if (!result) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = result.html;
      holder.querySelectorAll(".outcomes li").forEach(function (li) { all.push(li); });
    });
    return all;
  }

  function setUp(form) {
    if (!form || form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector(".drop-zone");
    zone.hidden = false;
    form.addEventListener("submit", function (event) {
      if (!input.files.length) { return; } // the server says what is missing
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      input.value = "";
      sendAll(form, files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drop-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(event.dataTransfer.files || []);
      if (files.length) { sendAll(form, files); }
    });
  }

  function start() {
    document.querySelectorAll("form.upload-form").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
