// csmm pages work without this script. Where it runs it saves answers as
// they change (posting the same form, asking for JSON) and updates the
// progress bars. A save that meets someone else's newer answer falls back
// to an ordinary form submission, so the server shows both values.
(function () {
  "use strict";

  function status(form, text) {
    var el = form.querySelector(".save-status");
    if (el) { el.textContent = text; }
  }

  function updateProgress(list) {
    (list || []).forEach(function (p) {
      document.querySelectorAll('#category-progress .progress[data-scope="' + CSS.escape(p.scope) + '"]').forEach(function (row) {
        var bar = row.querySelector("progress");
        var count = row.querySelector(".count");
        if (bar) { bar.max = p.total; bar.value = p.done; bar.textContent = p.percent + "%"; }
        if (count) { count.textContent = p.done + "/" + p.total; }
      });
    });
  }

  function needsJustification(form) {
    var missing = false;
    form.querySelectorAll("fieldset.scope").forEach(function (fs) {
      var na = fs.querySelector('input[type=radio][value="na"]');
      var just = fs.querySelector('textarea[name^="justification-"]');
      if (just) { just.required = !!(na && na.checked); }
      if (na && na.checked && just && just.value.trim() === "") { missing = true; }
    });
    return missing;
  }

  function save(form) {
    if (form.dataset.busy === "1") { form.dataset.again = "1"; return; }
    if (needsJustification(form)) { status(form, "Not applicable needs a justification before it is saved."); return; }
    form.dataset.busy = "1";
    status(form, "Saving…");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().then(function (body) { return { code: resp.status, body: body }; });
    }).then(function (r) {
      form.dataset.busy = "";
      if (r.code === 409) {
        status(form, "Someone else changed this answer; showing both values…");
        form.submit();
        return;
      }
      var b = r.body || {};
      (b.saved || []).forEach(function (s) {
        var v = form.querySelector('input[name="version-' + CSS.escape(s.scope) + '"]');
        if (v) { v.value = s.version; }
      });
      updateProgress(b.progress);
      if (r.code >= 400) {
        var msg = (b.errors && b.errors.length) ? b.errors.map(function (e) { return e.message; }).join(" ") : (b.error && b.error.message) || "Not saved.";
        status(form, msg);
      } else {
        status(form, (b.saved && b.saved.length) ? "Saved." : "No change.");
      }
      if (form.dataset.again === "1") { form.dataset.again = ""; save(form); }
    }).catch(function () {
      form.dataset.busy = "";
      status(form, "Not saved: the server could not be reached. Use the Save button.");
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    form.addEventListener("change", function (ev) {
      needsJustification(form);
      if (ev.target.type === "radio" || ev.target.type === "checkbox") { save(form); }
    });
    form.addEventListener("input", function (ev) {
      if (ev.target.tagName !== "TEXTAREA") { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, 1200);
    });
    needsJustification(form);
  });
})();
