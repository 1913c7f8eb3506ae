// csmm pages work without this script. Where it runs it saves answers as
// they change (posting the same form, asking for JSON) and updates in
// place what the save changed: the objective's status, each scope's line,
// the progress bars, the category's score and the Continue link. The Save
// button saves the same way, without reloading the page. A save that meets
// someone else's newer answer falls back to an ordinary form submission,
// so the server shows both values. On the answering page the keyboard
// shortcuts listed in the page's "Keyboard shortcuts" answer and move.
(function () {
  "use strict";

  var NA_MESSAGE = "Not applicable needs a justification: say why the objective does not apply.";

  function article(form) { return form.closest("article.objective") || form; }

  function status(form, text) {
    var el = article(form).querySelector(".save-status");
    if (el) { el.textContent = text; }
  }

  function setText(sel, text) {
    var el = document.querySelector(sel);
    if (el && text !== undefined && text !== null) { el.textContent = text; }
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

  function updateObjective(form, b) {
    var art = article(form);
    var st = art.querySelector('[data-role="status"]');
    if (st && b.status) {
      st.textContent = b.status_text || b.status;
      st.className = "status status-" + b.status;
    }
    (b.scopes || []).forEach(function (s) {
      var fs = form.querySelector('fieldset.scope[data-scope="' + CSS.escape(s.scope) + '"]');
      if (!fs) { return; }
      var who = fs.querySelector('[data-role="who"]');
      if (who) { who.textContent = s.who; who.classList.toggle("contradicted", !!s.contradicted); }
      var v = fs.querySelector('input[name^="version-"]');
      if (v) { v.value = s.version; }
    });
    if (b.category) {
      setText("#category-score", b.category.score);
      setText("#category-level", String(b.category.level));
      setText("#category-level-name", b.category.level_name);
    }
    var cont = document.getElementById("continue");
    if (cont && b.next !== undefined) {
      if (b.next) { cont.href = b.next; } else { cont.textContent = "Every objective is answered"; cont.removeAttribute("href"); }
    }
  }

  // markJustification shows, beside each justification field, whether
  // Not applicable still needs one; it returns true when one is missing.
  function markJustification(form, messages) {
    var missing = false;
    form.querySelectorAll("fieldset.scope").forEach(function (fs) {
      var na = fs.querySelector('input[type=radio][value="na"]');
      var just = fs.querySelector('textarea[name^="justification-"]');
      if (!just) { return; }
      var err = fs.querySelector('[data-role="field-error"]');
      var msg = messages && messages[fs.dataset.scope];
      var empty = !!(na && na.checked) && just.value.trim() === "";
      just.required = !!(na && na.checked);
      if (empty) { missing = true; msg = msg || NA_MESSAGE; }
      if (err) { err.textContent = msg || ""; }
      if (msg) { just.setAttribute("aria-invalid", "true"); } else { just.removeAttribute("aria-invalid"); }
      just.parentNode.classList.toggle("invalid", !!msg);
    });
    return missing;
  }

  // updateReview shows, after a save, that a reviewed answer changed since
  // its review (the server stops counting the mark once the answer's
  // version moves) and recounts the objective's review summary.
  function updateReview(form, saved) {
    var art = article(form);
    var box = art && art.querySelector("details.objective-evidence");
    if (!box || !saved || !saved.length) { return; }
    saved.forEach(function (s) {
      var li = box.querySelector('li.review[data-scope="' + CSS.escape(s.scope) + '"]');
      if (!li) { return; }
      var v = li.querySelector('input[name="version"]');
      if (v) { v.value = s.version; }
      var t = li.querySelector(".review-text");
      if (li.classList.contains("review-reviewed")) {
        li.classList.replace("review-reviewed", "review-changed");
        if (t) { t.textContent = t.textContent.replace(": reviewed by ", ": changed since review by "); }
        var f = li.querySelector("form");
        if (f && !f.querySelector('button:not([name="clear"])')) {
          var b = document.createElement("button");
          b.type = "submit"; b.className = "small"; b.textContent = "Mark reviewed again";
          f.insertBefore(b, f.querySelector('button[name="clear"]'));
          f.insertBefore(document.createTextNode(" "), f.querySelector('button[name="clear"]'));
        }
      } else if (t && / no answer to review$/.test(t.textContent)) {
        t.textContent = t.textContent.replace(/ no answer to review$/, " not reviewed");
      }
    });
    var hint = box.querySelector("summary .hint");
    if (!hint) { return; }
    var answered = 0, reviewed = 0, changed = 0;
    box.querySelectorAll("li.review").forEach(function (li) {
      var t = li.querySelector(".review-text");
      if (t && !/ no answer to review$/.test(t.textContent)) { answered++; }
      if (li.classList.contains("review-reviewed")) { reviewed++; }
      if (li.classList.contains("review-changed")) { changed++; }
    });
    var parts = [hint.textContent.split(" · ")[0]];
    if (answered > 0) { parts.push("reviewed " + reviewed + " of " + answered); }
    if (changed > 0) { parts.push(changed + " changed since review"); }
    hint.textContent = parts.join(" · ");
  }

  function save(form) {
    if (form.dataset.busy === "1") { form.dataset.again = "1"; return; }
    if (markJustification(form)) { status(form, "Not saved: Not applicable needs a justification."); return; }
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
      updateObjective(form, b);
      updateReview(form, b.saved);
      var messages = {};
      (b.errors || []).forEach(function (e) { messages[e.scope] = e.message; });
      markJustification(form, messages);
      if (r.code >= 400) {
        var msg = (b.errors && b.errors.length) ? b.errors.map(function (e) { return e.message; }).join(" ") : (b.error && b.error.message) || "Not saved.";
        status(form, msg);
      } else {
        status(form, "Saved.");
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
      markJustification(form);
      var scope = ev.target.closest && ev.target.closest("fieldset");
      if (ev.target.type === "radio") {
        // A word replaces a measured figure of the same scope.
        var m = scope && scope.querySelector('input[name^="measure-"]');
        if (m) { m.value = ""; }
      }
      if (ev.target.name && ev.target.name.indexOf("measure-") === 0) {
        // A measured figure replaces the word of the same scope.
        if (scope && ev.target.value.trim() !== "") {
          scope.querySelectorAll('input[type="radio"]').forEach(function (r) { r.checked = false; });
        }
        save(form);
        return;
      }
      if (ev.target.type === "radio" || ev.target.type === "checkbox") { save(form); }
    });
    form.addEventListener("input", function (ev) {
      if (ev.target.tagName !== "TEXTAREA") { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, 1200);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      save(form);
    });
    markJustification(form);
  });

  // Keyboard shortcuts of the answering page.
  var rows = [].slice.call(document.querySelectorAll("article.objective[data-objective]"));
  if (!rows.length || !document.querySelector("form[data-autosave]")) { return; }
  var KEYS = { "1": "no", "2": "some", "3": "half", "4": "most", "5": "yes", "0": "na" };

  function current() {
    var a = document.activeElement && document.activeElement.closest && document.activeElement.closest("article.objective[data-objective]");
    return a || document.querySelector("article.objective.current") || null;
  }

  function focusScope(fs) {
    var art = fs.closest("article.objective");
    rows.forEach(function (r) { r.classList.toggle("current", r === art); });
    var radio = fs.querySelector("input[type=radio]:checked") || fs.querySelector("input[type=radio]");
    if (radio) { radio.focus(); }
    art.scrollIntoView({ block: "nearest" });
  }

  function focusRow(art) {
    var fs = art && art.querySelector("fieldset.scope");
    if (fs) { focusScope(fs); return true; }
    return false;
  }

  function move(delta, from) {
    var art = from || current();
    var i = art ? rows.indexOf(art) + delta : (delta > 0 ? 0 : rows.length - 1);
    if (i < 0 || i >= rows.length) { return false; }
    return focusRow(rows[i]);
  }

  // advance moves to the next scope of the objective, or the next
  // objective, or on from the last one with Continue.
  function advance(fs) {
    var scopes = [].slice.call(fs.closest("form").querySelectorAll("fieldset.scope"));
    var same = fs.closest("form").querySelector('input[name="same"]');
    var i = scopes.indexOf(fs);
    if (!(same && same.checked) && i + 1 < scopes.length) { focusScope(scopes[i + 1]); return; }
    if (!move(1, fs.closest("article.objective"))) { 
      rows.forEach(function (r) { r.classList.remove("current"); });
      var c = document.getElementById("continue");
      if (c && c.href) { c.focus(); }
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) { return; }
    var t = ev.target;
    if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
        (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox")) { return; }
    if (ev.key === "j" || ev.key === "k") {
      ev.preventDefault();
      move(ev.key === "j" ? 1 : -1);
      return;
    }
    if (ev.key === "c") {
      var c = document.getElementById("continue");
      if (c && c.href) { ev.preventDefault(); c.click(); }
      return;
    }
    var value = KEYS[ev.key];
    if (!value) { return; }
    var art = current();
    if (!art) { art = rows[0]; }
    var fs = (t.closest && t.closest("fieldset.scope")) || art.querySelector("fieldset.scope");
    if (!fs) { return; }
    ev.preventDefault();
    var form = fs.closest("form");
    var radio = fs.querySelector('input[type=radio][value="' + value + '"]');
    if (!radio) {
      status(form, art.dataset.objective + " states a fact: answer 1 (No), 5 (Yes) or 0 (Not applicable).");
      return;
    }
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    if (value === "na") {
      var just = fs.querySelector('textarea[name^="justification-"]');
      if (just) { just.focus(); }
      return;
    }
    advance(fs);
  });

  // Going to an objective by its address (the Continue link) focuses it.
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.matches("article.objective[data-objective]")) { focusRow(el); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
