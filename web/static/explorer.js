/* Progressive enhancement for the explorer: search-box suggestions, sort on a mouse's change, basket
   buttons that update in place, filters open on wide screens (folded on phones) and a copy button
   for the share link, a page brought back by the back button asked anew after the basket changed,
   and the focus on the results after a filter.
   Every feature works without this file. Text from the server is only ever
   set with textContent, never as HTML. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function status(message) {
    var el = document.getElementById("status");
    if (el) { el.textContent = message; }
  }

  function suggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-suggest");
    var timer = null, last = "";
    if (!list || !url) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) { return; }
        last = q;
        fetch(url + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
          .then(function (body) {
            if (input.value.trim() !== q) { return; }
            list.replaceChildren();
            body.suggestions.forEach(function (s) {
              var option = document.createElement("option");
              option.value = s;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a nicety; the search itself still works */ });
      }, 150);
    });
  }

  var shown = Date.now();

  function changed() {
    try { localStorage.setItem("basket-changed", String(Date.now())); } catch (e) { /* storage off */ }
  }

  function basket(form) {
    form.addEventListener("submit", function (event) {
      if (document.getElementById("share-link")) {
        // the basket's own page sums the basket up (its share link, datasets, places): the form
        // posts as without JavaScript and the page comes back with all of it current
        changed();
        return;
      }
      event.preventDefault();
      var button = form.querySelector("button");
      var action = button.querySelector(".action") || button;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (body) {
          var adding = form.getAttribute("action") === form.getAttribute("data-add");
          var count = document.getElementById("basket-count");
          if (count) { count.textContent = String(body.count); }
          form.setAttribute("action", form.getAttribute(adding ? "data-remove" : "data-add"));
          action.textContent = form.getAttribute(adding ? "data-remove-text" : "data-add-text");
          button.classList.toggle("secondary", adding);
          status(count ? count.parentNode.textContent : "");
          changed();
        })
        .catch(function () { form.submit(); });
    });
  }

  function filters(details) {
    var wide = window.matchMedia("(min-width: 48.01rem)");
    function follow() { details.open = wide.matches; }
    follow();
    wide.addEventListener("change", follow);
  }

  function copier(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status(button.getAttribute("data-done"));
      });
    });
  }

  // A menu that applies a choice at once, for the mouse; from the keyboard a change only moves
  // through the options (submitting on each, ArrowDown reloaded the page with the next one and
  // focus went to the top: WCAG 3.2.2), Enter applies it, and the form's button shows for one
  // who tabs away instead.
  var MOVES = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"];

  function autosubmit(select) {
    var keyed = false;
    var button = select.form.querySelector("button[type=submit]");
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        results(select.form);
        select.form.submit();
        return;
      }
      // arrows and letters change a closed menu's option; an open menu's choice is a choice
      keyed = !event.altKey && (MOVES.indexOf(event.key) >= 0 || (event.key.length === 1 && event.key !== " "));
    });
    select.addEventListener("mousedown", function () { keyed = false; });
    select.addEventListener("change", function () {
      if (!keyed) {
        results(select.form);
        select.form.submit();
      } else if (button) {
        button.classList.remove("nojs-only");
      }
    });
  }

  // A filter, a page of hits or another order comes as a new page, and focus went to its top: a
  // keyboard user was 21 Tabs from the first hit again, and on a phone the filters folded shut
  // (the researcher's keyboard drill). What asks for such a page leaves a note for the next page
  // alone, which puts the focus on the results' heading: a screen reader says how many there are
  // now, and the next Tab is the sort menu, then the hits. After "Show more" the focus
  // is on the first value it showed, in the filters left open. A page come to otherwise (a search
  // from the front page's box, a link from elsewhere, a reload) keeps the focus where it was.
  // The browser shows where a script put the focus on a new page as it would after a click, not
  // at all: the focus is marked (`arrived`) when the keyboard asked for the page.
  var NEXT = "focus-next", byKeyboard = false;

  function leave(note) {
    note.keyed = byKeyboard;
    try { sessionStorage.setItem(NEXT, JSON.stringify(note)); } catch (e) { /* storage off */ }
  }

  function taken() {
    var note = null;
    try {
      note = JSON.parse(sessionStorage.getItem(NEXT) || "null");
      sessionStorage.removeItem(NEXT);
    } catch (e) { /* storage off, or not ours */ }
    return note && note.path === window.location.pathname ? note : null;
  }

  var REFINING = ".facets a, .chips a, .loosen a, nav.types a, nav.pages a";

  function refinements() {
    document.addEventListener("keydown", function () { byKeyboard = true; }, true);
    document.addEventListener("pointerdown", function () { byKeyboard = false; }, true);
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest(REFINING) : null;
      // a new tab or window (Ctrl, Shift, Cmd, the middle button) leaves this page where it is
      if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.shiftKey ||
          event.metaKey || event.altKey || link.target) { return; }
      var section = link.classList.contains("more") ? link.closest("section.facet") : null;
      leave(section ? {path: link.pathname, to: "more", facet: section.getAttribute("aria-labelledby"),
                       index: section.querySelectorAll("ul a").length}
                    : {path: link.pathname, to: "results"});
    });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.closest && form.closest(".facets, .result-bar")) { results(form); }
    });
  }

  function results(form) {
    leave({path: new URL(form.action, window.location.href).pathname, to: "results"});
  }

  function land(element, marked) {
    if (marked) {
      element.classList.add("arrived");
      element.addEventListener("blur", function () { element.classList.remove("arrived"); }, {once: true});
    }
    element.focus();
  }

  function arrive(note) {
    if (note.to === "more") {
      var title = document.getElementById(note.facet);
      var section = title && title.closest("section.facet");
      var details = section && section.closest("details");
      var link = section && section.querySelectorAll("ul a")[note.index];
      if (link) {
        if (details) { details.open = true; }
        land(link, note.keyed);
        return;
      }
    }
    var heading = document.getElementById("results-heading");
    if (heading) { land(heading, note.keyed); }
  }

  // A page the back button brings back from the browser's memory shows the basket as it was
  // when left: shown again after the basket changed elsewhere, it is asked for anew.
  window.addEventListener("pageshow", function (event) {
    var at = 0;
    try { at = Number(localStorage.getItem("basket-changed")) || 0; } catch (e) { /* storage off */ }
    if (event.persisted && at > shown) { window.location.reload(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.filters").forEach(filters);
    document.querySelectorAll("button.copy").forEach(copier);
    var q = document.getElementById("q");
    if (q) { suggestions(q); }
    document.querySelectorAll("select.autosubmit").forEach(autosubmit);
    document.querySelectorAll("form.basket-form").forEach(basket);
    refinements();
    var note = taken();
    if (note) { arrive(note); }
  });
}());
