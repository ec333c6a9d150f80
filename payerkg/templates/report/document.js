// Selecting a rule (in the list, on a page, or by the URL's #rule-<id>) marks its highlight and its list
// entry, and scrolls both into the middle of their panes. No other script runs on the page.
(function () {
  "use strict";
  function select(id) {
    document.querySelectorAll(".sel, .near").forEach(function (e) { e.classList.remove("sel", "near"); });
    var item = document.getElementById("r-" + id);
    if (!item) { return; }
    document.querySelectorAll("[data-rule]").forEach(function (e) {
      if (e.getAttribute("data-rule") === id) { e.classList.add("sel"); }
    });
    document.querySelectorAll(".rule").forEach(function (e) {
      if (e !== item && e.getAttribute("data-loc") === item.getAttribute("data-loc")) { e.classList.add("near"); }
    });
    var mark = document.getElementById("rule-" + id);
    if (mark) {
      var fold = mark.closest("details");
      if (fold) { fold.open = true; }
      mark.scrollIntoView({ block: "center" });
    }
    item.scrollIntoView({ block: "center" });
  }
  function fromHash() {
    var m = /^#rule-(.+)$/.exec(location.hash);
    if (m) { select(decodeURIComponent(m[1])); }
  }
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-rule]");
    if (!el) { return; }
    ev.preventDefault();
    var id = el.getAttribute("data-rule");
    history.replaceState(null, "", "#rule-" + id);
    select(id);
  });
  window.addEventListener("hashchange", fromHash);
  // now, and again once loaded: the browser's own jump to the fragment would leave it at the top edge
  fromHash();
  window.addEventListener("load", fromHash);
})();
